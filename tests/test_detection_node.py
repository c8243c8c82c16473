"""The detection node as its own OS process, talking over real DDS to an rclpy client from the
same ROS install: it receives images, publishes aihat_msgs/Detection2DArray with the source
header, latches the label map, reacts to parameter changes at run time, and survives every
class of bad input (each followed by a good image that must still be answered).
"""

import pytest

from vision_topics import (BAD_INPUT_CASES, GOOD_JPEG, MODELS, VisionClient, load_rgb, reliable_qos,
                           send_bad_input, set_param, start_fails_with)

MODEL = MODELS / "yolov8n_w8f32.onnx"


@pytest.fixture
def graph(start_node, rclpy_node, tmp_path):
    """accelerator (arbiter coordinator) + detection, and an rclpy client wired to them."""
    from rclpy.qos import QoSProfile, ReliabilityPolicy, DurabilityPolicy, HistoryPolicy
    from aihat_msgs.msg import Detection2DArray, LabelInfo, AcceleratorStatus

    sock = tmp_path / "arbiter.sock"
    acc = start_node("accelerator", params={"socket_path": str(sock), "status_period_s": 0.5,
                                            "temperature_file": ""})
    det = start_node("detection", params={"model_path": str(MODEL), "arbiter_socket": str(sock),
                                          "qos": "reliable", "qos_depth": 10, "expected_rate_hz": 1.0,
                                          "inference_threads": 1},
                     remap={"image": "cam/image", "image/compressed": "cam/image/compressed"})
    assert det.wait_for_log("model loaded", timeout=60), det.output()

    n = rclpy_node
    client = VisionClient(n, det, Detection2DArray, "detections", image_topic="cam/image")
    got = {"det": client.results, "label": [], "status": []}
    latched = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE,
                         durability=DurabilityPolicy.TRANSIENT_LOCAL, history=HistoryPolicy.KEEP_LAST)
    n.create_subscription(LabelInfo, "label_info", lambda m: got["label"].append(m), latched)
    n.create_subscription(AcceleratorStatus, "accelerator/status", lambda m: got["status"].append(m), reliable_qos())

    class G:
        pass
    g = G()
    g.node, g.det, g.acc, g.got, g.client = n, det, acc, got, client
    g.send_raw, g.send_compressed, g.next_detections = client.send_raw, client.send_compressed, client.next_result
    return g


def classes_of(msg):
    return sorted(d.results[0].hypothesis.class_id for d in msg.detections)


def test_detections_over_ros_with_source_header_and_label_map(graph):
    bus = load_rgb("bus.jpg")
    sent = graph.send_raw(bus, frame_id="front_camera")
    msg = graph.next_detections(0)
    # The source header is carried through unchanged.
    assert msg.header.frame_id == "front_camera"
    assert (msg.header.stamp.sec, msg.header.stamp.nanosec) == (sent.header.stamp.sec, 12345)
    # bus.jpg: one bus (class 5) and persons (class 0); Ultralytics reports the bus at
    # [34, 230, 800, 770] (xyxy) on this model.
    ids = classes_of(msg)
    assert ids.count("5") == 1 and ids.count("0") >= 3, ids
    busd = next(d for d in msg.detections if d.results[0].hypothesis.class_id == "5")
    x1 = busd.bbox.center.position.x - busd.bbox.size_x / 2
    y2 = busd.bbox.center.position.y + busd.bbox.size_y / 2
    assert abs(x1 - 34) < 4 and abs(y2 - 770) < 4, (x1, y2)
    assert busd.results[0].hypothesis.score > 0.7
    assert len({d.id for d in msg.detections}) == len(msg.detections)

    # Label map, latched: a subscriber that joined after publication still gets it.
    assert graph.node.spin_until(lambda: graph.got["label"], timeout=20)
    labels = graph.got["label"][0]
    assert len(labels.class_map) == 80
    assert (labels.class_map[0].class_id, labels.class_map[0].class_name) == (0, "person")
    assert labels.class_map[5].class_name == "bus"

    # The accelerator saw this node's inference through the arbiter.
    def saw_detection_client():
        return any(c.client.startswith("detection") and c.completed >= 1
                   for s in graph.got["status"] for c in s.clients)
    assert graph.node.spin_until(saw_detection_client, timeout=20), graph.acc.output()


def test_node_reacts_to_parameter_changes_at_run_time(graph):
    bus = load_rgb("bus.jpg")
    graph.send_raw(bus)
    base = graph.next_detections(0)
    # Raising the score threshold drops the low-score persons, without a restart.
    r = set_param(graph.node, "detection", "score_threshold", 0.85)
    assert r.successful, r.reason
    graph.send_raw(bus)
    high = graph.next_detections(1)
    assert 0 < len(high.detections) < len(base.detections)
    assert all(d.results[0].hypothesis.score > 0.85 for d in high.detections)
    # A class filter by name.
    assert set_param(graph.node, "detection", "score_threshold", 0.25).successful
    assert set_param(graph.node, "detection", "classes", "bus").successful
    graph.send_raw(bus)
    assert classes_of(graph.next_detections(2)) == ["5"]
    # Out of range: refused with a reason, old value kept.
    r = set_param(graph.node, "detection", "score_threshold", 1.5)
    assert not r.successful and "outside" in r.reason
    # Disabled: frames are skipped, enabling again resumes.
    assert set_param(graph.node, "detection", "enabled", False).successful
    graph.send_raw(bus)
    graph.node.spin_until(lambda: False, timeout=3)
    assert len(graph.got["det"]) == 3
    assert set_param(graph.node, "detection", "enabled", True).successful
    graph.send_raw(bus)
    graph.next_detections(3)


@pytest.mark.parametrize("case", BAD_INPUT_CASES)
def test_bad_input_is_logged_counted_and_the_node_keeps_publishing(graph, case):
    reason = send_bad_input(graph.client, case)
    assert graph.det.wait_for_log(reason, timeout=20), graph.det.output()
    assert graph.det.alive()
    # Still publishing: a good JPEG (compressed path) gets its detections.
    graph.send_compressed(GOOD_JPEG)
    msg = graph.next_detections(0, resend=lambda: graph.send_compressed(GOOD_JPEG))
    assert "0" in classes_of(msg)
    assert graph.det.alive()


@pytest.mark.parametrize("model,expected", [
    ("yolo11n-pose_w8f32.onnx", "expected an Ultralytics detect model"),
    ("no_such_model.onnx", "does not exist"),
])
def test_missing_or_wrong_model_fails_at_start_naming_the_file(start_node, model, expected):
    path = MODELS / model
    start_fails_with(start_node, "detection", {"model_path": str(path)}, str(path), expected)
