#!/usr/bin/env python3
"""Reference detections from Ultralytics `YOLO(...).predict()` for the Rust parity tests.

Prints (or writes with --out) JSON:
  {"meta": {...settings and versions...},
   "images": {"bus.jpg": {"width": W, "height": H,
                          "detections": [{"cls": 5, "name": "bus", "score": 0.87,
                                          "xyxy": [x1, y1, x2, y2],
                                          "keypoints": [[x, y, v], ...] | null}, ...]}}}

Regenerate the fixtures (needs `pip install ultralytics==8.4.190 onnxruntime==1.31.1`):
  YOLO_OFFLINE=1 python scripts/reference/ultralytics_predict.py --task detect \
      --model /work/shared/models/yolov8n_w8f32.onnx --out crates/yolo/tests/fixtures/yolov8n_w8f32_detect.json \
      /work/shared/testdata/images/bus.jpg /work/shared/testdata/images/zidane.jpg
  (same with --task pose --model .../yolo11n-pose_w8f32.onnx --out .../yolo11n-pose_w8f32_pose.json)

The Rust tests must use the same conf/iou/imgsz as recorded in "meta".
"""
import argparse
import hashlib
import json
import os
import sys

os.environ.setdefault("YOLO_OFFLINE", "1")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--task", required=True, choices=["detect", "pose"])
    ap.add_argument("--imgsz", type=int, default=640)
    ap.add_argument("--conf", type=float, default=0.25)
    # Ultralytics' predict default; the Rust side uses the same value (DetectConfig::default()).
    ap.add_argument("--iou", type=float, default=0.7)
    ap.add_argument("--out")
    ap.add_argument("images", nargs="+")
    a = ap.parse_args()

    import onnxruntime
    import ultralytics
    from ultralytics import YOLO

    model = YOLO(a.model, task=a.task)
    result = {
        "meta": {
            "model": os.path.basename(a.model),
            "model_sha256": sha256(a.model),
            "task": a.task,
            "imgsz": a.imgsz,
            "conf": a.conf,
            "iou": a.iou,
            "ultralytics": ultralytics.__version__,
            "onnxruntime": onnxruntime.__version__,
            "device": "cpu",
        },
        "images": {},
    }
    for path in a.images:
        r = model.predict(path, imgsz=a.imgsz, conf=a.conf, iou=a.iou, device="cpu", verbose=False)[0]
        h, w = r.orig_shape
        dets = []
        boxes = r.boxes
        kpts = r.keypoints.data.cpu().numpy() if (a.task == "pose" and r.keypoints is not None) else None
        for i in range(len(boxes)):
            c = int(boxes.cls[i])
            dets.append(
                {
                    "cls": c,
                    "name": r.names[c],
                    "score": round(float(boxes.conf[i]), 6),
                    "xyxy": [round(float(v), 3) for v in boxes.xyxy[i].tolist()],
                    "keypoints": None if kpts is None else [[round(float(v), 3) for v in k] for k in kpts[i]],
                }
            )
        result["images"][os.path.basename(path)] = {"width": w, "height": h, "detections": dets}

    text = json.dumps(result, indent=1)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    sys.exit(main())
