"""The detection node's Hailo backend end to end over ROS, on the TEST DOUBLE of the Hailo shim.

`detection_hailo_double` is the detection node built with `--features hailo-double`: the Rust
side (letterbox, HailoRT NMS-by-class parsing, mapping to image pixels, arbiter grant,
messages) is the real code; the device is a C double that returns the NMS buffer this test
writes, in HailoRT's byte layout, after a simulated latency. Nothing here says anything about
a real Hailo-10H; see the README's Hailo section for the check on a Pi 5 + AI HAT+ 2.

Build: cargo build --release -p detection --features hailo-double --bin detection_hailo_double
(scripts/test does it).
"""

import struct
import time

import numpy as np
import pytest

from conftest import BIN_DIR

EXE = "detection_hailo_double"
CLASSES, MAX_PER_CLASS = 80, 100

# Normalised (class, y_min, x_min, y_max, x_max, score), as the chip reports them.
FIXTURE = [
    (0, 0.25, 0.125, 0.75, 0.375, 0.9),
    (0, 0.30, 0.600, 0.40, 0.700, 0.2),   # below the 0.25 score threshold: not published
    (5, 0.50, 0.500, 0.875, 1.000, 0.75),
]
# Checked by hand: a 1280x720 image letterboxed into 640x640 has gain 0.5 and 140 px of padding
# at the top, so x = nx * 1280 and y = (ny * 640 - 140) / 0.5 = ny * 1280 - 280, clipped to the
# image. Person: x 160..480, y 40..680. Bus: x 640..1280, y 360..840 -> 720.
# (class_id, score, centre x, centre y, size x, size y)
EXPECTED = [
    ("0", 0.9, 320.0, 360.0, 320.0, 640.0),
    ("5", 0.75, 960.0, 540.0, 640.0, 360.0),
]


def nms_by_class_buffer(boxes):
    """HAILO_FORMAT_ORDER_HAILO_NMS_BY_CLASS, float32: per class a count then 5 floats a box."""
    out = []
    for c in range(CLASSES):
        mine = [b for b in boxes if b[0] == c]
        out.append(float(len(mine)))
        for _, y0, x0, y1, x1, s in mine:
            out += [y0, x0, y1, x1, s]
    return struct.pack(f"<{len(out)}f", *out)


def double_model(path, latency_us=3000):
    header = b"AIHATDBL" + struct.pack("<6I", 640, 640, 3, CLASSES, MAX_PER_CLASS, latency_us)
    path.write_bytes(header + nms_by_class_buffer(FIXTURE))
    return path


@pytest.fixture
def hailo_graph(start_node, rclpy_node, tmp_path):
    from rclpy.qos import QoSProfile, ReliabilityPolicy, DurabilityPolicy, HistoryPolicy
    from sensor_msgs.msg import Image
    from aihat_msgs.msg import Detection2DArray, LabelInfo, AcceleratorStatus

    if not (BIN_DIR / EXE).exists():
        pytest.fail(f"{BIN_DIR / EXE} not built: cargo build --release -p detection --features hailo-double --bin {EXE}")
    sock = tmp_path / "arbiter.sock"
    acc = start_node("accelerator", params={"socket_path": str(sock), "status_period_s": 0.5, "temperature_file": ""})
    det = start_node(EXE, name="detection", params={
        "model_path": str(double_model(tmp_path / "yolov8n_double.hef")), "backend": "hailo",
        "arbiter_socket": str(sock), "qos": "reliable", "qos_depth": 10, "expected_rate_hz": 1.0})
    assert det.wait_for_log("model loaded", timeout=60), det.output()
    n = rclpy_node
    got = {"det": [], "label": [], "status": []}
    reliable = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE, history=HistoryPolicy.KEEP_LAST)
    latched = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE,
                         durability=DurabilityPolicy.TRANSIENT_LOCAL, history=HistoryPolicy.KEEP_LAST)
    n.create_subscription(Detection2DArray, "detections", lambda m: got["det"].append(m), reliable)
    n.create_subscription(LabelInfo, "label_info", lambda m: got["label"].append(m), latched)
    n.create_subscription(AcceleratorStatus, "accelerator/status", lambda m: got["status"].append(m), reliable)
    pub = n.create_publisher(Image, "image", reliable)
    assert n.spin_until(lambda: pub.get_subscription_count() > 0, alive=det.alive), det.output()

    def send(width=1280, height=720, frame_id="front_camera"):
        m = Image()
        m.header.frame_id = frame_id
        m.header.stamp.sec, m.header.stamp.nanosec = int(time.time()), 777
        m.height, m.width, m.encoding, m.step = height, width, "rgb8", width * 3
        m.data = np.zeros((height, width, 3), np.uint8).tobytes()
        pub.publish(m)
        return m

    def next_detections(after, timeout=60):
        deadline = time.monotonic() + timeout
        while not n.spin_until(lambda: len(got["det"]) > after, timeout=3, alive=det.alive):
            # A frame can be dropped by the arbiter on a loaded machine; resend like a camera.
            assert time.monotonic() < deadline and det.alive(), "no detections\n" + det.output()
            send()
        return got["det"][after]

    return n, det, acc, got, send, next_detections


def test_hailo_backend_publishes_the_fixture_detections_over_ros(hailo_graph):
    n, det, acc, got, send, next_detections = hailo_graph
    # The executable says loudly that it is the double.
    assert "TEST DOUBLE" in det.output()
    sent = send()
    msg = next_detections(0)
    assert msg.header.frame_id == "front_camera"
    assert (msg.header.stamp.sec, msg.header.stamp.nanosec) == (sent.header.stamp.sec, 777)
    got_dets = [(d.results[0].hypothesis.class_id, d.results[0].hypothesis.score, d.bbox.center.position.x,
                 d.bbox.center.position.y, d.bbox.size_x, d.bbox.size_y) for d in msg.detections]
    assert len(got_dets) == len(EXPECTED), got_dets
    for g, e in zip(got_dets, EXPECTED):
        assert g[0] == e[0], (g, e)
        assert g[1:] == pytest.approx(e[1:], abs=1e-3), (g, e)
    # Label map: an 80-class HEF carries no names; COCO is assumed and latched.
    assert n.spin_until(lambda: got["label"], timeout=20)
    assert got["label"][0].class_map[5].class_name == "bus"
    # The Hailo job ran inside an arbiter grant, like the CPU path.
    def granted():
        return any(c.client.startswith("detection") and c.completed >= 1 for s in got["status"] for c in s.clients)
    assert n.spin_until(granted, timeout=20), acc.output()
