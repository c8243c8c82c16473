"""Detections made from the MOT sequences that the `motmetrics` package ships, the two trackers
run on them, and their motmetrics scores. Shared by bench/tracking.py and
tests/test_tracking_quality.py.

Sequences: TUD-Campus (71 frames) and TUD-Stadtmitte (179 frames), 640x480, pedestrians; each
has `gt.txt` (ground truth) and `test.txt` (some tracker's result) under motmetrics/data/.

Detection sources:
  test   the boxes of test.txt without their ids, score 1.0 (the file carries no confidence): a
         real tracker's boxes, with its misses, false positives and jitter.
  noisy  ground-truth boxes made to look like a detector's output, with a fixed seed:
         - score from visibility: a box whose area is covered by boxes whose bottom edge is lower
           in the image (nearer the camera in these street scenes) gets
           score = 0.95 - 0.7 * covered + N(0, 0.05), clipped to [0.01, 1]. A pedestrian half
           hidden scores about 0.6, four fifths hidden about 0.4: the partly occluded people are
           the ones a detector is unsure of, which is what ByteTrack's second (low-score) stage
           exists for;
         - dropped with probability 0.1 + 0.5 * covered (occlusion loses detections);
         - position noise: centre and size each N(0, 0.03 x the box's width or height);
         - clutter: Poisson(0.5) false boxes per frame, pedestrian-shaped, anywhere in the image,
           scores uniform in [0.1, 0.45] (a detector's low-confidence false positives).
"""

import os
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

SEQUENCES = ("TUD-Campus", "TUD-Stadtmitte")
IMAGE_W, IMAGE_H = 640, 480
NOISY_SEEDS = (1, 2, 3, 4, 5)
METRICS = ["mota", "idf1", "num_switches", "num_false_positives", "num_misses", "num_objects"]


def motmetrics():
    """motmetrics 1.4.0 calls np.asfarray, which NumPy 2 removed: put it back before the import."""
    if not hasattr(np, "asfarray"):
        np.asfarray = lambda a, dtype=float: np.asarray(a, dtype=dtype)
    import motmetrics as mm
    return mm


def seq_dir(seq):
    return Path(motmetrics().__file__).resolve().parent / "data" / seq


def _read(path):
    return np.loadtxt(path, delimiter=",", ndmin=2)


def gt_boxes(seq):
    """Ground truth rows (frame, id, x, y, w, h) with confidence 1, as motmetrics scores them."""
    a = _read(seq_dir(seq) / "gt.txt")
    a = a[a[:, 6] >= 1]
    return a[:, :6]


def dets_from_test(seq):
    """Rows (frame, x, y, w, h, score) from test.txt: its boxes, ids dropped, score 1."""
    a = _read(seq_dir(seq) / "test.txt")
    return np.column_stack([a[:, 0], a[:, 2:6], np.ones(len(a))])


def _covered(box, others, n=20):
    """Fraction of `box` (x, y, w, h) covered by the union of `others`, on an n x n point grid."""
    if len(others) == 0:
        return 0.0
    x, y, w, h = box
    gx = x + (np.arange(n) + 0.5) / n * w
    gy = y + (np.arange(n) + 0.5) / n * h
    px, py = np.meshgrid(gx, gy)
    hit = np.zeros(px.shape, dtype=bool)
    for ox, oy, ow, oh in others:
        hit |= (px >= ox) & (px < ox + ow) & (py >= oy) & (py < oy + oh)
    return float(hit.mean())


def dets_from_gt(seq, seed):
    """Rows (frame, x, y, w, h, score): ground truth made to look like a detector (module doc)."""
    rng = np.random.default_rng(seed)
    gt = gt_boxes(seq)
    rows = []
    last = int(gt[:, 0].max())
    for f in range(1, last + 1):
        g = gt[gt[:, 0] == f][:, 2:6]
        for i, b in enumerate(g):
            bottom = b[1] + b[3]
            nearer = [o for j, o in enumerate(g) if j != i and o[1] + o[3] > bottom]
            cov = _covered(b, nearer)
            score = float(np.clip(0.95 - 0.7 * cov + rng.normal(0, 0.05), 0.01, 1.0))
            if rng.random() < 0.1 + 0.5 * cov:
                continue
            x, y, w, h = b
            cx = x + w / 2 + rng.normal(0, 0.03 * w)
            cy = y + h / 2 + rng.normal(0, 0.03 * h)
            nw = max(2.0, w * (1 + rng.normal(0, 0.03)))
            nh = max(2.0, h * (1 + rng.normal(0, 0.03)))
            rows.append((f, cx - nw / 2, cy - nh / 2, nw, nh, score))
        for _ in range(rng.poisson(0.5)):
            w = rng.uniform(30, 90)
            h = w * rng.uniform(2.0, 2.8)
            rows.append((f, rng.uniform(0, IMAGE_W - w), rng.uniform(0, IMAGE_H - h), w, h, rng.uniform(0.1, 0.45)))
    return np.array(rows, dtype=float)


def sources(seq):
    """(name, rows) per detection source; the noisy source once per seed."""
    out = [("test", dets_from_test(seq))]
    out += [(f"noisy-{s}", dets_from_gt(seq, s)) for s in NOISY_SEEDS]
    return out


def write_dets(rows, path):
    with open(path, "w") as f:
        for fr, x, y, w, h, s in rows:
            f.write(f"{int(fr)},-1,{x:.3f},{y:.3f},{w:.3f},{h:.3f},{s:.4f},-1,-1,-1\n")


def frames_of(rows, last=None):
    """Rows grouped per frame, frames 1..last (empty frames included)."""
    last = int(rows[:, 0].max()) if last is None else last
    return [rows[rows[:, 0] == f][:, 1:6] for f in range(1, last + 1)]


def track_eval_bin():
    repo = Path(__file__).resolve().parent.parent
    d = os.environ.get("AIHAT_BIN_DIR") or str(Path(os.environ.get("CARGO_TARGET_DIR", repo / "target")) / "release")
    exe = Path(d) / "track_eval"
    if not exe.exists():
        raise FileNotFoundError(f"{exe} not built (cargo build --release -p track_eval)")
    return exe


def run_ours(rows, extra=()):
    """Our tracker (the track_eval binary) on `rows`: result rows (frame, id, x, y, w, h)."""
    with tempfile.TemporaryDirectory() as tmp:
        dets, out = Path(tmp) / "dets.txt", Path(tmp) / "out.txt"
        write_dets(rows, dets)
        subprocess.run([str(track_eval_bin()), "--dets", str(dets), "--out", str(out), *extra], check=True)
        res = np.loadtxt(out, delimiter=",", ndmin=2) if out.stat().st_size else np.zeros((0, 10))
    return res[:, :6]


def supervision_frames(rows, last=None):
    import supervision as sv
    out = []
    for d in frames_of(rows, last):
        xyxy = np.column_stack([d[:, 0], d[:, 1], d[:, 0] + d[:, 2], d[:, 1] + d[:, 3]]) if len(d) else np.zeros((0, 4))
        out.append(sv.Detections(xyxy=xyxy.astype(np.float32), confidence=d[:, 4].astype(np.float32),
                                 class_id=np.zeros(len(d), dtype=int)))
    return out


def run_supervision(rows, times=None):
    """supervision's ByteTrack (its defaults) on `rows`: result rows (frame, id, x, y, w, h), the
    detection's box for every detection it returns with a tracker id. `times` (a list) gets the
    seconds each update_with_detections took."""
    import supervision as sv
    tracker = sv.ByteTrack()
    res = []
    for f, dets in enumerate(supervision_frames(rows), start=1):
        t0 = time.perf_counter()
        out = tracker.update_with_detections(dets)
        if times is not None:
            times.append(time.perf_counter() - t0)
        for (x1, y1, x2, y2), tid in zip(out.xyxy, out.tracker_id):
            res.append((f, tid, x1, y1, x2 - x1, y2 - y1))
    return np.array(res, dtype=float).reshape(-1, 6)


def score(seq, result):
    """motmetrics on `result` rows (frame, id, x, y, w, h) against the sequence's ground truth:
    IoU matching at 0.5 (motmetrics' MOTChallenge setting). Returns {metric: value}."""
    import pandas as pd
    mm = motmetrics()
    with warnings.catch_warnings():
        # motmetrics 1.4.0 shifts boxes with `df[cols] -= tuple`, which pandas 3 warns about.
        warnings.filterwarnings("ignore", message="Operation with tuple is deprecated")
        gt = mm.io.loadtxt(str(seq_dir(seq) / "gt.txt"), fmt="mot15-2D", min_confidence=1)
    ts = pd.DataFrame(result[:, 2:6], columns=["X", "Y", "Width", "Height"],
                      index=pd.MultiIndex.from_arrays([result[:, 0].astype(int), result[:, 1].astype(int)],
                                                      names=["FrameId", "Id"]))
    ts["Confidence"] = 1.0
    acc = mm.utils.compare_to_groundtruth(gt, ts, "iou", distth=0.5)
    summary = mm.metrics.create().compute(acc, metrics=METRICS, name=seq)
    return {m: float(summary[m].iloc[0]) for m in METRICS}


def evaluate(seq, extra=(), with_supervision=True):
    """Per detection source: {"ours": scores, "supervision": scores}; noisy seeds averaged into
    one "noisy" entry (MOTA, IDF1 and ID switches as means over the seeds)."""
    per = {}
    for name, rows in sources(seq):
        per[name] = {"ours": score(seq, run_ours(rows, extra))}
        if with_supervision:
            per[name]["supervision"] = score(seq, run_supervision(rows))
    noisy = [k for k in per if k.startswith("noisy-")]
    out = {"test": per["test"]}
    out["noisy"] = {who: {m: float(np.mean([per[k][who][m] for k in noisy])) for m in METRICS}
                    for who in per["test"]}
    out["per_seed"] = {k: per[k] for k in noisy}
    return out
