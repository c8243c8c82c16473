#!/usr/bin/env python3
"""COCO-style mAP50-95 / mAP50 of detections against YOLO-format labels, computed the way
Ultralytics' `val` computes it (its `match_predictions` and `ap_per_class`: IoU thresholds
0.50:0.05:0.95, greedy matching by IoU, 101-point interpolated AP, mean over the classes that
have labels), so a figure from the detection node can be compared with Ultralytics' own.

    python scripts/eval_map.py --pred detections.jsonl --data ../shared/testdata/coco128

`--pred`: JSON lines {"image": "<file stem>", "detections": [[class, score, x1, y1, x2, y2], ...]}
in original-image pixels.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

IOU_THRESHOLDS = np.linspace(0.5, 0.95, 10)


def box_iou(a, b):
    """IoU matrix of xyxy boxes a (N,4) and b (M,4)."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)))
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.clip(rb - lt, 0, None).prod(2)
    area_a = (a[:, 2:] - a[:, :2]).prod(1)
    area_b = (b[:, 2:] - b[:, :2]).prod(1)
    return inter / (area_a[:, None] + area_b[None, :] - inter + 1e-7)


def match_predictions(pred_classes, true_classes, iou):
    """(n_pred, 10) bool: prediction i is a true positive at threshold j (Ultralytics' greedy rule)."""
    correct = np.zeros((len(pred_classes), len(IOU_THRESHOLDS)), dtype=bool)
    iou = iou * (true_classes[:, None] == pred_classes[None, :])  # labels x preds
    for k, t in enumerate(IOU_THRESHOLDS):
        matches = np.array(np.nonzero(iou >= t)).T
        if matches.shape[0]:
            if matches.shape[0] > 1:
                matches = matches[iou[matches[:, 0], matches[:, 1]].argsort()[::-1]]
                matches = matches[np.unique(matches[:, 1], return_index=True)[1]]
                matches = matches[np.unique(matches[:, 0], return_index=True)[1]]
            correct[matches[:, 1].astype(int), k] = True
    return correct


def compute_ap(recall, precision):
    mrec = np.concatenate(([0.0], recall, [1.0]))
    mpre = np.concatenate(([1.0], precision, [0.0]))
    mpre = np.flip(np.maximum.accumulate(np.flip(mpre)))
    x = np.linspace(0, 1, 101)
    return np.trapezoid(np.interp(x, mrec, mpre), x)


def ap_per_class(tp, conf, pred_cls, target_cls):
    order = np.argsort(-conf, kind="stable")
    tp, conf, pred_cls = tp[order], conf[order], pred_cls[order]
    classes, counts = np.unique(target_cls, return_counts=True)
    ap = np.zeros((len(classes), tp.shape[1]))
    for ci, c in enumerate(classes):
        i = pred_cls == c
        n_l, n_p = counts[ci], i.sum()
        if n_p == 0 or n_l == 0:
            continue
        fpc = (1 - tp[i]).cumsum(0)
        tpc = tp[i].cumsum(0)
        recall = tpc / (n_l + 1e-16)
        precision = tpc / (tpc + fpc)
        for j in range(tp.shape[1]):
            ap[ci, j] = compute_ap(recall[:, j], precision[:, j])
    return ap


def load_labels(data_dir, stem, size):
    w, h = size
    f = Path(data_dir) / "labels" / "train2017" / f"{stem}.txt"
    rows = [l.split() for l in f.read_text().splitlines() if l.strip()] if f.exists() else []
    cls = np.array([int(r[0]) for r in rows], dtype=int)
    xywh = np.array([[float(v) for v in r[1:5]] for r in rows]).reshape(-1, 4)
    boxes = np.stack([(xywh[:, 0] - xywh[:, 2] / 2) * w, (xywh[:, 1] - xywh[:, 3] / 2) * h,
                      (xywh[:, 0] + xywh[:, 2] / 2) * w, (xywh[:, 1] + xywh[:, 3] / 2) * h], 1)
    return cls, boxes


def evaluate(preds, data_dir, sizes):
    """preds: {stem: [[cls, score, x1, y1, x2, y2], ...]}; sizes: {stem: (w, h)}.
    Returns (mAP50-95, mAP50, images, labels)."""
    tps, confs, pcls, tcls = [], [], [], []
    for stem, size in sizes.items():
        lc, lb = load_labels(data_dir, stem, size)
        p = np.array(preds.get(stem, []), dtype=float).reshape(-1, 6)
        tcls.append(lc)
        if len(p) == 0:
            continue
        pc = p[:, 0].astype(int)
        correct = (match_predictions(pc, lc, box_iou(lb, p[:, 2:6])) if len(lc)
                   else np.zeros((len(p), len(IOU_THRESHOLDS)), dtype=bool))
        tps.append(correct)
        confs.append(p[:, 1])
        pcls.append(pc)
    target = np.concatenate(tcls) if tcls else np.zeros(0, dtype=int)
    if not tps:
        return 0.0, 0.0, len(sizes), len(target)
    ap = ap_per_class(np.concatenate(tps).astype(float), np.concatenate(confs), np.concatenate(pcls), target)
    return float(ap.mean()), float(ap[:, 0].mean()), len(sizes), len(target)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pred", required=True)
    ap.add_argument("--data", required=True, help="coco128 folder (images/train2017, labels/train2017)")
    args = ap.parse_args(argv)
    from PIL import Image
    preds = {}
    for line in Path(args.pred).read_text().splitlines():
        r = json.loads(line)
        preds[r["image"]] = r["detections"]
    sizes = {f.stem: Image.open(f).size for f in sorted((Path(args.data) / "images" / "train2017").glob("*.jpg"))}
    m, m50, n, nl = evaluate(preds, args.data, sizes)
    print(json.dumps({"map50_95": round(m, 4), "map50": round(m50, 4), "images": n, "labels": nl}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
