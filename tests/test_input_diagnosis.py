"""A vision node tells why it gets no frames: a camera publishing best effort to a node that
subscribes reliable (DDS matches nothing and says nothing) gives, within 5 s, a warning naming the
fix and a WARN on /diagnostics; publishers that send nothing are reported as a stall."""

import time

from rclpy.qos import QoSProfile, ReliabilityPolicy, HistoryPolicy

from conftest import SHARED

MODEL = SHARED / "models" / "yolov8n_w8f32.onnx"


def diagnostics_of(n, name):
    from diagnostic_msgs.msg import DiagnosticArray
    got = []
    n.create_subscription(DiagnosticArray, "/diagnostics",
                          lambda m: got.extend(s for s in m.status if s.name == f"{name}: image input"), 10)
    return got


def test_a_best_effort_camera_and_a_reliable_node_are_diagnosed_within_5_s(start_node, rclpy_node):
    from sensor_msgs.msg import Image
    node = start_node("detection", params={"model_path": str(MODEL), "use_arbiter": False, "qos": "reliable"},
                      remap={"image": "front/image_raw"})
    assert node.wait_for_log("warm-up inference done", timeout=90), node.output()
    diag = diagnostics_of(rclpy_node, "detection")
    best_effort = QoSProfile(depth=1, reliability=ReliabilityPolicy.BEST_EFFORT, history=HistoryPolicy.KEEP_LAST)
    t0 = time.monotonic()
    rclpy_node.create_publisher(Image, "front/image_raw", best_effort)
    needle = "cannot reach this node: the publisher is best effort and this subscription is reliable: set qos:=sensor_data"
    assert node.wait_for_log(needle, timeout=5.0), node.output()
    seen = time.monotonic() - t0
    assert rclpy_node.spin_until(lambda: any(s.level == s.WARN and "QoS mismatch on /front/image_raw" in s.message
                                             for s in diag), timeout=5.0), diag
    print(f"\nQoS mismatch warned {seen:.1f} s after the publisher appeared")
    assert node.output().count(needle) == 1  # once per publisher, not every second
    assert node.alive()


def test_a_publisher_that_sends_nothing_is_a_stall(start_node, rclpy_node):
    from sensor_msgs.msg import Image
    node = start_node("detection", params={"model_path": str(MODEL), "use_arbiter": False, "qos": "reliable",
                                           "expected_rate_hz": 30.0})
    assert node.wait_for_log("warm-up inference done", timeout=90), node.output()
    diag = diagnostics_of(rclpy_node, "detection")
    rclpy_node.create_publisher(Image, "image", 10)   # reliable: compatible, but silent
    assert node.wait_for_log("publisher(s) on /image but no frame for", timeout=15.0), node.output()
    assert rclpy_node.spin_until(lambda: any(s.level == s.WARN and "no frame for" in s.message for s in diag), timeout=5)
