"""Metric depth and 3D detections over ROS.

- The real default model (FastDepth, ../shared/models/fastdepth_224_aihat.onnx) through the depth
  node against the original model's prediction and NYU ground truth (MANIFEST section 3).
- 3D boxes of a generated scene of known planes and boxes, with known intrinsics: the depth node
  runs a generated metric stand-in that turns each pixel's colour into a known depth, so the
  scene's depth reaches the node as an image; the published detections_3d must give every box's
  centre and size within 2 % of the truth.
- Without camera_info: one warning, depth and detections_depth unchanged, no detections_3d.
- The real models on the sample images: persons come out in front of the camera at indoor-
  plausible metres.
"""

import time

import numpy as np
import pytest

from conftest import SHARED
from vision_topics import load_rgb, make_image, reliable_qos

FASTDEPTH = SHARED / "models" / "fastdepth_224_aihat.onnx"
REF = SHARED / "models" / "fastdepth"
MEAN = np.array([0.485, 0.456, 0.406])
STD = np.array([0.229, 0.224, 0.225])


def camera_info(stamp, width, height, fx, fy, cx, cy, frame_id="cam_optical"):
    from sensor_msgs.msg import CameraInfo
    m = CameraInfo()
    m.header.frame_id = frame_id
    m.header.stamp.sec, m.header.stamp.nanosec = stamp
    m.width, m.height = width, height
    m.distortion_model = "plumb_bob"
    m.d = [0.0] * 5
    m.k = [float(fx), 0.0, float(cx), 0.0, float(fy), float(cy), 0.0, 0.0, 1.0]
    m.r = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
    m.p = [float(fx), 0.0, float(cx), 0.0, 0.0, float(fy), float(cy), 0.0, 0.0, 0.0, 1.0, 0.0]
    return m


def detections_msg(stamp, boxes, frame_id="cam_optical"):
    """Detection2DArray from (id, class_id, x1, y1, x2, y2)."""
    from aihat_msgs.msg import Detection2D, Detection2DArray, ObjectHypothesisWithPose
    m = Detection2DArray()
    m.header.frame_id = frame_id
    m.header.stamp.sec, m.header.stamp.nanosec = stamp
    for id_, cls, x1, y1, x2, y2 in boxes:
        d = Detection2D()
        d.header = m.header
        h = ObjectHypothesisWithPose()
        h.hypothesis.class_id, h.hypothesis.score = cls, 0.9
        d.results = [h]
        d.bbox.center.position.x, d.bbox.center.position.y = (x1 + x2) / 2, (y1 + y2) / 2
        d.bbox.size_x, d.bbox.size_y = x2 - x1, y2 - y1
        d.id = id_
        m.detections.append(d)
    return m


def depth_array(msg):
    dt = np.dtype(">f4" if msg.is_bigendian else "<f4")
    return np.frombuffer(bytes(msg.data), dtype=dt).reshape(msg.height, msg.width).astype(np.float64)


class DepthGraph:
    """The depth node (no arbiter) with an rclpy client: images, camera_info and detections in,
    depth, detections_depth and detections_3d out."""

    def __init__(self, start_node, n, **params):
        from sensor_msgs.msg import CameraInfo, Image
        from aihat_msgs.msg import Detection2DArray, Detection3DArray, DetectionDepthArray
        p = {"use_arbiter": False, "qos": "reliable", "qos_depth": 10, "inference_threads": 1, "max_wait_s": 20.0,
             "log_period_s": 1.0}
        p.update(params)
        self.proc = start_node("depth", params=p)
        assert self.proc.wait_for_log("warm-up inference done", timeout=90), self.proc.output()
        self.n = n
        self.got = {"depth": [], "dd": [], "d3": []}
        qos = reliable_qos()
        n.create_subscription(Image, "depth", lambda m: self.got["depth"].append(m), qos)
        n.create_subscription(DetectionDepthArray, "detections_depth", lambda m: self.got["dd"].append(m), qos)
        n.create_subscription(Detection3DArray, "detections_3d", lambda m: self.got["d3"].append(m), qos)
        self.img = n.create_publisher(Image, "image", qos)
        self.info = n.create_publisher(CameraInfo, "camera_info", qos)
        self.dets = n.create_publisher(Detection2DArray, "detections", qos)
        assert n.spin_until(lambda: min(self.img.get_subscription_count(), self.info.get_subscription_count(),
                                        self.dets.get_subscription_count()) > 0, alive=self.proc.alive), self.proc.output()

    def send_scene(self, stamp, depth, boxes):
        """The scene as a camera and a detector send it: camera_info, then the image, then its
        detections, all stamped `stamp`."""
        self.info.publish(camera_info(stamp, W, H, FX, FY, CX, CY))
        # Two topics, no order between them: let the intrinsics arrive first, as a running camera's do.
        self.n.spin_until(lambda: False, timeout=0.3)
        self.img.publish(make_image(encode(depth), "rgb8", stamp, "cam_optical"))
        self.dets.publish(detections_msg(stamp, [(i, "0", *b) for i, b in boxes.items()]))

    def wait(self, key, count, timeout=60, resend=None):
        """The `count`th message on `key`. With `resend`, calls it every 3 s until then, as a
        camera would: seeing the node's subscription here does not mean the node has matched this
        client's publisher yet (DDS discovery runs on each side), and on a loaded machine the
        first message can reach a reader that does not know its writer and is dropped."""
        deadline = time.monotonic() + timeout
        while True:
            step = min(3, timeout) if resend else timeout
            if self.n.spin_until(lambda: len(self.got[key]) >= count, timeout=step, alive=self.proc.alive):
                return self.got[key][count - 1]
            assert resend and time.monotonic() < deadline and self.proc.alive(), \
                f"nothing more on {key}\n" + self.proc.output()
            resend()


def test_fastdepth_through_the_node_matches_the_original_model_and_ground_truth(start_node, rclpy_node):
    rgb = np.load(REF / "rgb.npy")                      # NYU image, HWC float 0..1, 224x224
    pred = np.load(REF / "pred.npy").reshape(224, 224)  # the original float FastDepth's prediction
    gt = np.load(REF / "depth.npy")                     # NYU ground truth, metres
    g = DepthGraph(start_node, rclpy_node, model_path=str(FASTDEPTH))
    image = make_image((rgb * 255).round().astype(np.uint8), "rgb8", (1000, 1), "nyu")
    g.img.publish(image)
    d = depth_array(g.wait("depth", 1, resend=lambda: g.img.publish(image)))
    assert d.shape == (224, 224)
    corr = np.corrcoef(d.ravel(), pred.ravel())[0, 1]
    valid = gt > 0
    abs_rel = float(np.mean(np.abs(d[valid] - gt[valid]) / gt[valid]))
    print(f"\nFastDepth through ROS: correlation with the original prediction {corr:.4f}; "
          f"abs-rel to ground truth {abs_rel:.4f} (original model 0.1405, MANIFEST 0.140); "
          f"depth {d.min():.2f}..{d.max():.2f} m")
    assert corr > 0.99
    assert abs(abs_rel - 0.140) <= 0.01


# --- generated scene ------------------------------------------------------------------------------

W, H = 560, 420                       # multiples of 14: the network runs at the image's own size
FX, FY, CX, CY = 500.0, 520.0, 283.0, 205.0
# Fronto-parallel rectangles (centre x, y, z and width, height in metres) in front of a floor
# (y = +1.1 m: the camera 1.1 m above it) and a back wall at 7.5 m.
RECTS = {"1": ((-0.9, 0.35, 2.4), (0.6, 1.3)),
         "2": ((0.8, 0.2, 4.1), (1.0, 1.6)),
         "3": ((0.05, -0.25, 1.7), (0.3, 0.35))}
FLOOR_Y, WALL_Z = 1.1, 7.5


def project(x, y, z):
    return FX * x / z + CX, FY * y / z + CY


def render_scene():
    """The scene's depth image (metres along z) and each rectangle's exact 2D box."""
    v, u = np.mgrid[0:H, 0:W] + 0.5
    depth = np.full((H, W), WALL_Z)
    below = v > CY
    floor_z = np.where(below, FY * FLOOR_Y / np.maximum(v - CY, 1e-9), np.inf)
    depth = np.minimum(depth, floor_z)
    boxes = {}
    for id_, ((x, y, z), (w, h)) in sorted(RECTS.items(), key=lambda kv: -kv[1][0][2]):
        x1, y1 = project(x - w / 2, y - h / 2, z)
        x2, y2 = project(x + w / 2, y + h / 2, z)
        inside = (u >= x1) & (u < x2) & (v >= y1) & (v < y2)
        depth[inside] = z
        boxes[id_] = (x1, y1, x2, y2)
    return depth, boxes


def encode(depth):
    """Depth to colour for the geometry stand-in: depth = R / 16 + G / 4096 metres."""
    q = np.clip(np.round(depth * 4096), 0, 255 * 256 + 255).astype(np.int64)
    rgb = np.zeros(depth.shape + (3,), np.uint8)
    rgb[..., 0], rgb[..., 1] = q // 256, q % 256
    return rgb


def geometry_model(path):
    """A metric stand-in: predicted_depth = R/16 + G/4096 (R, G the 0..255 channel values, recovered
    from the ImageNet-normalised input as a 1x1 convolution with a bias)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    a, b = 255.0 / 16.0, 255.0 / 4096.0
    w = np.array([a * STD[0], b * STD[1], 0.0], np.float32).reshape(1, 3, 1, 1)
    bias = np.array([a * MEAN[0] + b * MEAN[1]], np.float32)
    nodes = [helper.make_node("Conv", ["pixel_values", "w", "b"], ["d"], kernel_shape=[1, 1]),
             helper.make_node("Squeeze", ["d", "axis"], ["predicted_depth"])]
    graph = helper.make_graph(
        nodes, "geometry_stand_in",
        [helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT, [1, 3, "h", "w"])],
        [helper.make_tensor_value_info("predicted_depth", TensorProto.FLOAT, [1, "h", "w"])],
        initializer=[numpy_helper.from_array(w, "w"), numpy_helper.from_array(bias, "b"),
                     numpy_helper.from_array(np.array([1], np.int64), "axis")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 9
    helper.set_model_props(model, {"aihat_stand_in": "geometry stand-in: depth = R/16 + G/4096 m (tests only)"})
    onnx.save(model, str(path))
    return path


@pytest.fixture
def scene_graph(start_node, rclpy_node, tmp_path):
    model = geometry_model(tmp_path / "geometry.onnx")
    return DepthGraph(start_node, rclpy_node, model_path=str(model), metric=True, inverse_depth=False,
                      input_size=H, keep_aspect_ratio=True)


def test_3d_boxes_of_a_generated_scene_are_within_2_percent(scene_graph):
    g = scene_graph
    depth, boxes = render_scene()
    stamp = (2000, 5)
    send = lambda: g.send_scene(stamp, depth, boxes)  # noqa: E731
    send()
    msg = g.wait("d3", 1, resend=send)
    published = depth_array(g.wait("depth", 1))
    assert np.abs(published - depth).max() < 2e-3, "the stand-in did not reproduce the scene's depth"
    assert msg.header.frame_id == "cam_optical" and (msg.header.stamp.sec, msg.header.stamp.nanosec) == stamp
    assert sorted(d.id for d in msg.detections) == sorted(RECTS)
    for d in msg.detections:
        (x, y, z), (w, h) = RECTS[d.id]
        c, s = d.bbox.center.position, d.bbox.size
        err_c = np.linalg.norm([c.x - x, c.y - y, c.z - z]) / np.linalg.norm([x, y, z])
        err_w, err_h = abs(s.x - w) / w, abs(s.y - h) / h
        print(f"\nbox {d.id}: centre ({c.x:.3f}, {c.y:.3f}, {c.z:.3f}) truth ({x}, {y}, {z}): {err_c:.2%}; "
              f"size {s.x:.3f} x {s.y:.3f} x {s.z:.3f} truth {w} x {h} x 0: {err_w:.2%}, {err_h:.2%}")
        assert err_c <= 0.02 and err_w <= 0.02 and err_h <= 0.02
        assert s.z <= 0.02 * z
        assert d.results[0].hypothesis.class_id == "0"
        p = d.results[0].pose.pose.position
        assert (p.x, p.y, p.z) == (c.x, c.y, c.z)
        assert d.bbox.center.orientation.w == 1.0
    dd = g.wait("dd", 1)
    for e in dd.detections:
        assert e.metric and abs(e.distance_m - RECTS[e.detection_id][0][2]) < 0.01


def test_without_camera_info_one_warning_and_no_3d(scene_graph):
    g = scene_graph
    depth, boxes = render_scene()
    for k in range(3):
        stamp = (3000 + k, 0)
        g.img.publish(make_image(encode(depth), "rgb8", stamp, "cam_optical"))
        g.wait("depth", k + 1)
        g.dets.publish(detections_msg(stamp, [(i, "0", *b) for i, b in boxes.items()]))
        g.wait("dd", k + 1)
    time.sleep(0.5)
    g.n.spin_until(lambda: False, timeout=1.0)
    assert g.got["d3"] == []
    out = g.proc.output()
    assert out.count("no camera_info next to the image topic") == 1, out
    # 2D results unchanged: the distances are there.
    assert all(abs(e.distance_m - RECTS[e.detection_id][0][2]) < 0.01 for e in g.got["dd"][-1].detections)
    # A camera_info later: 3D from then on.
    stamp = (3100, 0)
    send = lambda: g.send_scene(stamp, depth, boxes)  # noqa: E731
    send()
    assert len(g.wait("d3", 1, resend=send).detections) == 3


def test_persons_on_the_sample_images_are_in_front_at_plausible_metres(start_node, rclpy_node):
    """Detection + depth on the real models: every person's 3D centre is in front of the camera,
    inside its field of view, at indoor-plausible metres (FastDepth is trained indoors)."""
    from sensor_msgs.msg import CameraInfo, Image
    from aihat_msgs.msg import Detection3DArray
    common = {"use_arbiter": False, "qos": "reliable", "qos_depth": 10, "inference_threads": 1}
    det = start_node("detection", params=dict(common, model_path=str(SHARED / "models" / "yolov8n_w8f32.onnx")))
    dep = start_node("depth", params=dict(common, model_path=str(FASTDEPTH), max_wait_s=30.0))
    for p in (det, dep):
        assert p.wait_for_log("warm-up inference done", timeout=90), p.output()
    n = rclpy_node
    got = []
    n.create_subscription(Detection3DArray, "detections_3d", lambda m: got.append(m), reliable_qos())
    img = n.create_publisher(Image, "image", reliable_qos())
    info = n.create_publisher(CameraInfo, "camera_info", reliable_qos())
    assert n.spin_until(lambda: img.get_subscription_count() >= 2 and info.get_subscription_count() >= 2)
    persons = []
    for k, name in enumerate(["bus.jpg", "zidane.jpg"]):
        rgb = load_rgb(name)
        h, w = rgb.shape[:2]
        f = w / 2 / np.tan(np.radians(66) / 2)
        stamp = (4000 + k, 0)
        mine = lambda: [m for m in got if m.header.stamp.sec == stamp[0]]
        deadline = time.monotonic() + 90
        while not mine():
            # Sent again until it comes, as a camera would: the first pair can reach a node that
            # has not matched this client's publishers yet (see DepthGraph.wait).
            assert time.monotonic() < deadline and det.alive() and dep.alive(), det.output() + dep.output()
            info.publish(camera_info(stamp, w, h, f, f, w / 2, h / 2))
            n.spin_until(lambda: False, timeout=0.3)
            img.publish(make_image(rgb, "rgb8", stamp, "cam_optical"))
            n.spin_until(lambda: bool(mine()), timeout=15, alive=lambda: det.alive() and dep.alive())
        msg = mine()[0]
        for d in msg.detections:
            if d.results[0].hypothesis.class_id == "0":
                c = d.bbox.center.position
                persons.append((name, d.id, c.x, c.y, c.z, d.bbox.size.y))
    print("\npersons in 3D (image, id, x, y, z, height):")
    for p in persons:
        print("  %s %s (%.2f, %.2f, %.2f) m, %.2f m tall" % p)
    assert len(persons) >= 5
    for name, id_, x, y, z, hgt in persons:
        assert 0.3 < z < 10.0, (name, id_, z)
        assert abs(x) < z and abs(y) < z, "outside the field of view"
