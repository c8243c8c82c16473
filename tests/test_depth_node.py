"""The depth node as its own OS process over real DDS: on the default model (FastDepth, metres)
for the box statistics, stamp matching and bad input; on the GENERATED stand-in model
(scripts/make_test_depth_model.py) where a test needs a known function of the pixels -- decoding,
resizing, ImageNet normalisation, ONNX Runtime, resizing back, the 32FC1 message. Depth quality and
3D boxes: tests/test_detections_3d.py.
"""

import importlib.util
import io
import os
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage

from conftest import REPO, SHARED
from vision_topics import make_image

CACHE = Path(os.environ.get("AIHAT_CACHE", Path.home() / ".cache" / "aihat_ros"))
MODEL = Path(os.environ.get("AIHAT_DEPTH_TEST_MODEL", CACHE / "models" / "depth_stand_in.onnx"))
MODEL_518 = MODEL.with_name("depth_stand_in_518.onnx")
IMAGES = SHARED / "testdata" / "images"
MEAN = np.array([0.485, 0.456, 0.406])
STD = np.array([0.229, 0.224, 0.225])

_spec = importlib.util.spec_from_file_location("stand_in", REPO / "scripts" / "make_test_depth_model.py")
stand_in = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(stand_in)


def stand_in_depth(rgb, rows, src_h, net_h=518):
    """What the stand-in gives at source rows `rows` for a region of flat colour `rgb`: its
    channel term, plus its row ramp taken at the network row each source row maps to (bilinear
    resize-back with half-pixel centres, clamped at the edges)."""
    x = (np.asarray(rgb) / 255.0 - MEAN) / STD
    channel = float(np.dot(stand_in.WEIGHTS, x))
    sy = np.clip((np.asarray(rows) + 0.5) * net_h / src_h - 0.5, 0, net_h - 1)
    return stand_in.OFFSET + stand_in.RAMP * sy / net_h + channel


@pytest.fixture(autouse=True)
def _models_exist():
    assert MODEL.is_file() and MODEL_518.is_file(), f"{MODEL} missing: run scripts/setup (it generates the stand-in)"


FASTDEPTH = SHARED / "models" / "fastdepth_224_aihat.onnx"


def make_graph(start_node, rclpy_node, tmp_path, model=FASTDEPTH, **params):
    from rclpy.qos import QoSProfile, ReliabilityPolicy, HistoryPolicy
    from sensor_msgs.msg import Image, CompressedImage
    from aihat_msgs.msg import Detection2DArray, DetectionDepthArray

    sock = tmp_path / "arbiter.sock"
    acc = start_node("accelerator", params={"socket_path": str(sock), "status_period_s": 0.5, "temperature_file": ""})
    # The default model (FastDepth) gives metres; the stand-in is read as relative inverse depth
    # (as Depth Anything V2): no unit.
    meaning = {} if model == FASTDEPTH else {"metric": False, "inverse_depth": True}
    p = {"model_path": str(model), **meaning, "arbiter_socket": str(sock), "qos": "reliable", "qos_depth": 10,
         "expected_rate_hz": 1.0, "inference_threads": 1, "log_period_s": 1.0, "max_wait_s": 10.0}
    p.update(params)
    node = start_node("depth", params=p, remap={"image": "cam/image", "image/compressed": "cam/image/compressed"},
                      env=dict(os.environ, RUST_LOG="info,ort=warn"))
    assert node.wait_for_log("warm-up inference done", timeout=60), node.output()

    n = rclpy_node
    got = {"depth": [], "dd": []}
    reliable = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE, history=HistoryPolicy.KEEP_LAST)
    n.create_subscription(Image, "depth", lambda m: got["depth"].append(m), reliable)
    n.create_subscription(DetectionDepthArray, "detections_depth", lambda m: got["dd"].append(m), reliable)
    pub = n.create_publisher(Image, "cam/image", reliable)
    cpub = n.create_publisher(CompressedImage, "cam/image/compressed", reliable)
    dpub = n.create_publisher(Detection2DArray, "detections", reliable)
    assert n.spin_until(lambda: min(pub.get_subscription_count(), cpub.get_subscription_count(),
                                    dpub.get_subscription_count()) > 0, alive=node.alive), node.output()

    class G:
        pass
    g = G()
    g.node, g.depth, g.acc, g.got, g.pub, g.cpub, g.dpub = n, node, acc, got, pub, cpub, dpub
    return g


@pytest.fixture
def graph(start_node, rclpy_node, tmp_path):
    """The depth node on the default model, FastDepth (metres)."""
    return make_graph(start_node, rclpy_node, tmp_path)


@pytest.fixture
def stand_in_graph(start_node, rclpy_node, tmp_path):
    """On the generated stand-in: for the tests that need its known function of the pixels."""
    return make_graph(start_node, rclpy_node, tmp_path, model=MODEL)


def send_raw(g, arr=None, encoding="rgb8", stamp=(1000, 12345), frame_id="cam", width=None, height=None,
             step=None, data=None):
    m = make_image(arr, encoding, stamp, frame_id, width, height, step, data)
    g.pub.publish(m)
    return m


def send_compressed(g, data, stamp=(1000, 777)):
    from sensor_msgs.msg import CompressedImage
    m = CompressedImage()
    m.header.frame_id = "cam"
    m.header.stamp.sec, m.header.stamp.nanosec = stamp
    m.format = "jpeg"
    m.data = data
    g.cpub.publish(m)


def next_msg(g, key, after, timeout=60):
    ok = g.node.spin_until(lambda: len(g.got[key]) > after, timeout=timeout, alive=g.depth.alive)
    assert ok, f"nothing on {key}\n" + g.depth.output()
    return g.got[key][after]


def depth_array(msg):
    dt = np.dtype(">f4" if msg.is_bigendian else "<f4")
    assert msg.step == msg.width * 4
    return np.frombuffer(bytes(msg.data), dtype=dt).reshape(msg.height, msg.width).astype(np.float64)


def detections(stamp, boxes, frame_id="cam"):
    """Detection2DArray with boxes given as (x1, y1, x2, y2) corners."""
    from aihat_msgs.msg import Detection2D, Detection2DArray, ObjectHypothesisWithPose
    m = Detection2DArray()
    m.header.frame_id = frame_id
    m.header.stamp.sec, m.header.stamp.nanosec = stamp
    for i, (x1, y1, x2, y2) in enumerate(boxes):
        d = Detection2D()
        d.header = m.header
        h = ObjectHypothesisWithPose()
        h.hypothesis.class_id, h.hypothesis.score = str(i % 3), 0.9
        d.results = [h]
        d.bbox.center.position.x, d.bbox.center.position.y = (x1 + x2) / 2, (y1 + y2) / 2
        d.bbox.size_x, d.bbox.size_y = x2 - x1, y2 - y1
        d.id = f"7-{i}"
        m.detections.append(d)
    return m


def numpy_box_stats(depth, x1, y1, x2, y2):
    """The documented box rule (pixels whose centres lie in [x1, x2) x [y1, y2)) and numpy's own
    median / percentiles over the finite values."""
    h, w = depth.shape
    u0, u1 = (int(np.clip(np.ceil(v - 0.5), 0, w)) for v in (x1, x2))
    v0, v1 = (int(np.clip(np.ceil(v - 0.5), 0, h)) for v in (y1, y2))
    vals = depth[v0:v1, u0:u1].ravel() if u0 < u1 and v0 < v1 else np.array([])
    vals = vals[np.isfinite(vals)]
    if vals.size == 0:
        return float("nan"), float("nan"), 0
    q1, q3 = np.percentile(vals, [25, 75])
    return float(np.median(vals)), float(q3 - q1), int(vals.size)


@pytest.mark.parametrize("model", [MODEL, MODEL_518], ids=["dynamic_hw", "fixed_518"])
def test_depth_image_has_the_source_size_encoding_header_and_known_values(start_node, rclpy_node, tmp_path, model):
    g = make_graph(start_node, rclpy_node, tmp_path, model=model)
    # Left half reddish, right half bluish, 640x480: a distinct channel term on each side shows the
    # channel order and the normalisation; the ramp shows orientation and the resize back.
    left, right = (200, 30, 30), (30, 30, 200)
    img = np.zeros((480, 640, 3), np.uint8)
    img[:, :320], img[:, 320:] = left, right
    sent = send_raw(g, img, frame_id="front_camera", stamp=(int(time.time()), 12345))
    msg = next_msg(g, "depth", 0)
    assert (msg.width, msg.height, msg.encoding) == (640, 480, "32FC1")
    assert msg.header.frame_id == "front_camera"
    assert (msg.header.stamp.sec, msg.header.stamp.nanosec) == (sent.header.stamp.sec, 12345)
    d = depth_array(msg)
    rows = np.arange(480)
    # Away from the colour edge (bicubic resize and the fixed model's stretch blur a few pixels).
    for cols, rgb in ((slice(0, 300), left), (slice(340, 640), right)):
        want = stand_in_depth(rgb, rows, 480)[:, None]
        err = np.abs(d[:, cols] - want).max()
        assert err < 2e-4, (rgb, err)
    # The same image as bgr8 gives the same depth (the node converts, the model sees RGB).
    send_raw(g, img[:, :, ::-1].copy(), encoding="bgr8", stamp=(sent.header.stamp.sec, 99))
    d2 = depth_array(next_msg(g, "depth", 1))
    assert np.abs(d2 - d).max() < 1e-6


def test_detection_depth_equals_numpy_statistics_of_the_published_depth(graph):
    photo = np.asarray(PILImage.open(IMAGES / "bus.jpg").convert("RGB"))
    h, w = photo.shape[:2]
    stamp = (2000, 500)
    boxes_early = [(34.0, 230.0, 800.0, 770.0), (100.3, 400.6, 220.2, 880.9)]
    boxes_late = [(-50.0, -20.0, 120.0, 90.0),        # partly outside the image
                  (w - 10.0, h - 10.0, w + 40.0, h + 40.0),
                  (300.0, 300.0, 300.0, 360.0),        # zero width: nothing inside
                  (10.5, 10.5, 11.5, 11.5)]            # exactly one pixel
    # Detections usually come before the depth of their image: they wait for it.
    graph.dpub.publish(detections(stamp, boxes_early, frame_id="front_camera"))
    graph.node.spin_until(lambda: False, timeout=0.5)
    assert graph.got["dd"] == []
    send_raw(graph, photo, stamp=stamp, frame_id="front_camera")
    depth = depth_array(next_msg(graph, "depth", 0))
    assert depth.shape == (h, w)
    early = next_msg(graph, "dd", 0)
    # ... or after it: matched from the ring of recent depth frames.
    graph.dpub.publish(detections(stamp, boxes_late, frame_id="front_camera"))
    late = next_msg(graph, "dd", 1)
    for msg, boxes in ((early, boxes_early), (late, boxes_late)):
        assert (msg.header.stamp.sec, msg.header.stamp.nanosec) == stamp
        assert msg.header.frame_id == "front_camera"
        assert (msg.depth_stamp.sec, msg.depth_stamp.nanosec) == stamp
        assert [d.detection_id for d in msg.detections] == [f"7-{i}" for i in range(len(boxes))]
        assert [d.class_id for d in msg.detections] == [str(i % 3) for i in range(len(boxes))]
        for d, box in zip(msg.detections, boxes):
            med, iqr, n = numpy_box_stats(depth, *box)
            assert d.valid_pixels == n, (box, d.valid_pixels, n)
            assert d.metric  # FastDepth: metres
            assert d.distance_m == d.depth_median or (np.isnan(d.distance_m) and n == 0)
            if n == 0:
                assert np.isnan(d.depth_median) and np.isnan(d.depth_iqr)
            else:
                assert d.depth_median == pytest.approx(med, rel=1e-6, abs=1e-6), box
                assert d.depth_iqr == pytest.approx(iqr, rel=1e-5, abs=1e-5), box
    assert [d.valid_pixels for d in late.detections][2:] == [0, 1]
    # The bus box holds a real spread of values, so the check above compared non-trivial numbers.
    assert early.detections[0].depth_iqr > 0.01


def test_detections_without_a_depth_frame_are_counted_and_logged(start_node, rclpy_node, tmp_path):
    graph = make_graph(start_node, rclpy_node, tmp_path, max_wait_s=1.0)
    photo = np.asarray(PILImage.open(IMAGES / "chelsea.png").convert("RGB"))
    send_raw(graph, photo, stamp=(3000, 0))
    next_msg(graph, "depth", 0)
    # Older than the newest depth frame and not in the ring: that image has no depth frame.
    graph.dpub.publish(detections((2999, 123456789), [(0, 0, 10, 10)]))
    assert graph.depth.wait_for_log("2999.123456789", timeout=20), graph.depth.output()
    line = next(l for l in graph.depth.lines if "2999.123456789" in l)
    assert "no_depth_frame" in line and "WARN" in line, line
    # Newer than every depth frame: it waits, then gives up after max_wait_s (1 s here).
    graph.dpub.publish(detections((3100, 5), [(0, 0, 10, 10)]))
    assert graph.depth.wait_for_log("3100.000000005", timeout=20), graph.depth.output()
    line = next(l for l in graph.depth.lines if "3100.000000005" in l)
    assert "timed_out" in line, line
    # Both counted in the periodic summary, nothing published for them.
    assert graph.depth.wait_for_log('"no_depth_frame": 1, "timed_out": 1', timeout=10), graph.depth.output()
    assert graph.got["dd"] == []
    assert graph.depth.alive()


def set_int_param(node, target, name, value):
    from rcl_interfaces.srv import SetParameters
    from rcl_interfaces.msg import Parameter, ParameterValue, ParameterType
    cli = node.create_client(SetParameters, f"/{target}/set_parameters")
    assert node.spin_until(lambda: cli.service_is_ready(), timeout=20)
    v = ParameterValue(type=ParameterType.PARAMETER_INTEGER, integer_value=value)
    fut = cli.call_async(SetParameters.Request(parameters=[Parameter(name=name, value=v)]))
    assert node.spin_until(lambda: fut.done(), timeout=20)
    return fut.result().results[0]


def test_input_size_is_checked_and_applied_at_run_time(stand_in_graph):
    graph = stand_in_graph
    r = set_int_param(graph.node, "depth", "input_size", 500)
    assert not r.successful and "multiple of 14" in r.reason, r.reason
    # A smaller network input still gives a depth image of the source size.
    assert set_int_param(graph.node, "depth", "input_size", 252).successful
    img = np.full((480, 640, 3), 128, np.uint8)
    send_raw(graph, img)
    d = depth_array(next_msg(graph, "depth", 0))
    assert d.shape == (480, 640)
    assert np.abs(d[:, 5] - stand_in_depth((128, 128, 128), np.arange(480), 480, net_h=252)).max() < 2e-4


GOOD_JPEG = (IMAGES / "zidane.jpg").read_bytes()


@pytest.mark.parametrize("case", [
    "unknown_encoding", "step_mismatch", "truncated", "corrupt_jpeg", "empty", "huge",
])
def test_bad_input_is_logged_counted_and_the_node_keeps_publishing(graph, case):
    small = np.asarray(PILImage.open(IMAGES / "chelsea.png").convert("RGB"))
    h, w = small.shape[:2]
    if case == "unknown_encoding":
        send_raw(graph, small, encoding="yuv999")
        reason = "unsupported image encoding"
    elif case == "step_mismatch":
        send_raw(graph, small, step=w)
        reason = "row step"
    elif case == "truncated":
        send_raw(graph, small, data=small.tobytes()[: w * 3 * (h // 2)])
        reason = "truncated"
    elif case == "corrupt_jpeg":
        send_compressed(graph, b"\xff\xd8\xff\xe0" + b"\x00garbage" * 100)
        reason = "could not be decoded"
    elif case == "empty":
        send_raw(graph, encoding="rgb8", width=0, height=0, step=0, data=b"")
        reason = "empty image"
    elif case == "huge":
        send_raw(graph, encoding="rgb8", width=60000, height=60000, step=180000, data=b"\x00" * 1000)
        reason = "exceeds the limit"
    assert graph.depth.wait_for_log(reason, timeout=20), graph.depth.output()
    assert graph.depth.alive()
    send_compressed(graph, GOOD_JPEG)
    msg = next_msg(graph, "depth", 0)
    assert (msg.width, msg.height) == (1280, 720)
    assert graph.depth.alive()


@pytest.mark.parametrize("model,params,expected", [
    (SHARED / "models" / "yolov8n_w8f32.onnx", {}, "expected a depth model with input `pixel_values`"),
    (SHARED / "models" / "no_such_model.onnx", {}, "does not exist"),
    (MODEL, {"backend": "hailo"}, "backend `hailo` is not built into this executable"),
])
def test_missing_or_wrong_model_fails_at_start_naming_the_file(start_node, model, params, expected):
    node = start_node("depth", params={"model_path": str(model), "use_arbiter": False, **params})
    node.proc.wait(timeout=60)
    out = node.output()
    assert node.proc.returncode != 0
    assert str(model) in out and expected in out, out
