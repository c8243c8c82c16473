"""Parity with Ultralytics: coco128 through the detection node over ROS topics (an image
publisher, the node, a subscriber collecting detections), scored with Ultralytics' mAP method
(scripts/eval_map.py). Ultralytics 8.4.190 `val` on the same ONNX file reports
mAP50-95 0.457 / mAP50 0.612 (shared/models/MANIFEST.md; regenerate with
scripts/reference/ultralytics_val.py). The node runs with Ultralytics' val settings:
conf 0.001, IoU 0.7, max_det 300, multi-label.
"""

import json
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image as PILImage

from conftest import REPO, SHARED

sys.path.insert(0, str(REPO / "scripts"))
import eval_map  # noqa: E402
from vision_topics import start_vision_client  # noqa: E402

MODEL = SHARED / "models" / "yolov8n_w8f32.onnx"
COCO = SHARED / "testdata" / "coco128"
ULTRALYTICS_MAP50_95, ULTRALYTICS_MAP50 = 0.457, 0.612


def detection_client(start_node, n, params):
    """Starts the detection node (reliable QoS, no arbiter) and returns (node process, image
    publisher, replies by frame_id)."""
    from aihat_msgs.msg import Detection2DArray
    client = start_vision_client(start_node, n, "detection", MODEL, Detection2DArray, "detections", params)
    return client.proc, client.pub, client.by_frame


def test_coco128_map_through_ros_matches_ultralytics_val(start_node, rclpy_node, tmp_path):
    from sensor_msgs.msg import Image

    n = rclpy_node
    det, pub, got = detection_client(start_node, n, {
        "score_threshold": 0.001, "iou_threshold": 0.7, "max_detections": 300, "multi_label": True})

    files = sorted((COCO / "images" / "train2017").glob("*.jpg"))
    assert len(files) == 128
    sizes, preds = {}, {}
    lines = []
    for f in files:
        rgb = np.asarray(PILImage.open(f).convert("RGB"))
        sizes[f.stem] = (rgb.shape[1], rgb.shape[0])
        m = Image(height=rgb.shape[0], width=rgb.shape[1], encoding="rgb8", step=rgb.shape[1] * 3,
                  data=rgb.tobytes())
        m.header.frame_id = f.stem
        pub.publish(m)
        # One at a time: the node keeps only the newest frame, and every image must be scored.
        assert n.spin_until(lambda: f.stem in got, timeout=60, alive=det.alive), det.output()
        dets = []
        for d in got[f.stem].detections:
            cx, cy = d.bbox.center.position.x, d.bbox.center.position.y
            w, h = d.bbox.size_x, d.bbox.size_y
            dets.append([int(d.results[0].hypothesis.class_id), d.results[0].hypothesis.score,
                         cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2])
        preds[f.stem] = dets
        lines.append(json.dumps({"image": f.stem, "detections": dets}))
    (tmp_path / "detections.jsonl").write_text("\n".join(lines))

    m, m50, images, labels = eval_map.evaluate(preds, COCO, sizes)
    print(f"\ncoco128 through ROS: mAP50-95 {m:.4f} (Ultralytics {ULTRALYTICS_MAP50_95}), "
          f"mAP50 {m50:.4f} (Ultralytics {ULTRALYTICS_MAP50}), {images} images, {labels} labels")
    assert (images, labels) == (128, 929)
    assert abs(m - ULTRALYTICS_MAP50_95) <= 0.005, m
    assert abs(m50 - ULTRALYTICS_MAP50) <= 0.005, m50


def test_map_evaluation_scores_the_labels_themselves_as_perfect():
    """The metric is not vacuous: labels scored as predictions give 1.0, a shifted copy less."""
    from PIL import Image as P
    files = sorted((COCO / "images" / "train2017").glob("*.jpg"))[:20]
    sizes = {f.stem: P.open(f).size for f in files}
    perfect, shifted = {}, {}
    for stem, size in sizes.items():
        cls, boxes = eval_map.load_labels(COCO, stem, size)
        perfect[stem] = [[int(c), 0.9, *b] for c, b in zip(cls, boxes)]
        shifted[stem] = [[int(c), 0.9, b[0] + 0.2 * (b[2] - b[0]), b[1], b[2] + 0.2 * (b[2] - b[0]), b[3]]
                         for c, b in zip(cls, boxes)]
    assert eval_map.evaluate(perfect, COCO, sizes)[0] > 0.99  # 101-point interpolation tops out at 0.995
    m, m50, _, _ = eval_map.evaluate(shifted, COCO, sizes)
    assert m < 0.7 and m50 > 0.99  # IoU 0.67: a hit at 0.5, a miss above 0.65


def test_bus_and_zidane_match_ultralytics_predict_through_ros(start_node, rclpy_node):
    """Same boxes (2 px), scores (0.01) and classes as Ultralytics `predict` on the same ONNX
    file (fixture from scripts/reference/ultralytics_predict.py, conf 0.25, IoU 0.7). Images are
    sent as rgb8 decoded by libjpeg-turbo (Pillow), the decoder Ultralytics (OpenCV) uses."""
    from sensor_msgs.msg import Image

    fixture = json.loads((REPO / "crates/yolo/tests/fixtures/yolov8n_w8f32_detect.json").read_text())
    meta = fixture["meta"]
    n = rclpy_node
    det, pub, got = detection_client(start_node, n, {"score_threshold": meta["conf"], "iou_threshold": meta["iou"]})
    for name in ("bus.jpg", "zidane.jpg"):
        rgb = np.asarray(PILImage.open(SHARED / "testdata" / "images" / name).convert("RGB"))
        m = Image(height=rgb.shape[0], width=rgb.shape[1], encoding="rgb8", step=rgb.shape[1] * 3, data=rgb.tobytes())
        m.header.frame_id = name
        pub.publish(m)
        assert n.spin_until(lambda: name in got, timeout=60, alive=det.alive), det.output()
        ours = []
        for d in got[name].detections:
            cx, cy, w, h = d.bbox.center.position.x, d.bbox.center.position.y, d.bbox.size_x, d.bbox.size_y
            ours.append((int(d.results[0].hypothesis.class_id), d.results[0].hypothesis.score,
                         [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]))
        ref = [(r["cls"], r["score"], r["xyxy"]) for r in fixture["images"][name]["detections"]]
        assert sorted(c for c, _, _ in ours) == sorted(c for c, _, _ in ref), (name, ours, ref)
        worst_px, worst_score = 0.0, 0.0
        for cls, score, box in ref:
            # The node's detection of the same class with the closest box.
            mine = min((o for o in ours if o[0] == cls), key=lambda o: max(abs(a - b) for a, b in zip(o[2], box)))
            worst_px = max(worst_px, max(abs(a - b) for a, b in zip(mine[2], box)))
            worst_score = max(worst_score, abs(mine[1] - score))
        print(f"\n{name}: {len(ours)} detections, worst box diff {worst_px:.2f} px, worst score diff {worst_score:.4f}")
        assert worst_px <= 2.0 and worst_score <= 0.01, (name, worst_px, worst_score)
