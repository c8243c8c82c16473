#!/usr/bin/env python3
"""Tracker quality and cost: our `tracker` crate (through bench/track_eval) against
supervision's ByteTrack (supervision==0.25.1, its defaults), same detections, same run.

    source ~/.cache/aihat_ros/env.sh && cargo build --release -p track_eval
    python bench/tracking.py [--cost-frames 2000] [--objects 50] [--json out.json]

Quality: the TUD-Campus and TUD-Stadtmitte sequences that ship with motmetrics, detections from
(a) the boxes of their test.txt without ids, (b) ground truth with occlusion-driven scores,
dropped detections, position noise and clutter, seeds 1-5 averaged (bench/mot_data.py says how
and why). Scored with motmetrics (IoU 0.5): MOTA, IDF1, ID switches. Both trackers output the
detection's own box for each detection they give an id.

Cost: `Tracker::update` per frame on generated frames of --objects moving boxes (track_eval
--cost), against supervision's `update_with_detections` on the very same frames (written by
track_eval --dump-dets; the sv.Detections are built before timing).

Targets (issue 12, Shows 2): MOTA and IDF1 at least supervision's and ID switches no more, on
both sequences; cost < 1 ms per frame with 50 objects.
"""
import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mot_data as md  # noqa: E402

SOURCE_NAMES = {"test": "test.txt boxes", "noisy": "noisy ground truth (5 seeds, mean)"}
LABELS = {"mota": ("MOTA", ""), "idf1": ("IDF1", ""), "num_switches": ("ID switches", "")}


def pick(values, q):
    v = sorted(values)
    return v[int(round((len(v) - 1) * q))]


def cost(objects, frames):
    with tempfile.TemporaryDirectory() as tmp:
        dets, js = Path(tmp) / "dets.txt", Path(tmp) / "cost.json"
        subprocess.run([str(md.track_eval_bin()), "--cost", "--objects", str(objects), "--frames", str(frames),
                        "--dump-dets", str(dets), "--json", str(js)], check=True, stdout=subprocess.DEVNULL)
        ours = json.loads(js.read_text())
        rows = np.loadtxt(dets, delimiter=",", ndmin=2)
    rows = np.column_stack([rows[:, 0], rows[:, 2:7]])
    import supervision as sv
    tracker = sv.ByteTrack()
    times = []
    for d in md.supervision_frames(rows, frames):
        t0 = time.perf_counter()
        tracker.update_with_detections(d)
        times.append((time.perf_counter() - t0) * 1e3)
    return ours, {"p50_ms": pick(times, 0.5), "p99_ms": pick(times, 0.99), "frames": len(times)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--objects", type=int, default=50)
    ap.add_argument("--cost-frames", type=int, default=2000)
    ap.add_argument("--json", help="write the figures here (bench/run_all's shape)")
    a = ap.parse_args()

    rows, detail, met = [], {}, True
    print("# Tracker quality: ours (crates/tracker) vs supervision 0.25.1 ByteTrack (defaults)\n")
    for seq in md.SEQUENCES:
        r = md.evaluate(seq)
        detail[seq] = r
        for src in ("test", "noisy"):
            ours, ref = r[src]["ours"], r[src]["supervision"]
            print(f"## {seq}, {SOURCE_NAMES[src]}\n")
            print("| metric | ours | supervision (reference) | ratio |")
            print("|---|---|---|---|")
            for m, (label, unit) in LABELS.items():
                ratio = f"{ours[m] / ref[m]:.3f}" if ref[m] else "-"
                fmt = "{:.1f}" if m == "num_switches" else "{:.3f}"
                print(f"| {label} | {fmt.format(ours[m])} | {fmt.format(ref[m])} | {ratio} |")
                rows.append({"metric": f"{label}, {seq}, {SOURCE_NAMES[src]}", "value": ours[m], "unit": unit or "-",
                             "reference": "supervision 0.25.1 ByteTrack", "ref_value": ref[m]})
            ok = (ours["mota"] >= ref["mota"] - 1e-9 and ours["idf1"] >= ref["idf1"] - 1e-9
                  and ours["num_switches"] <= ref["num_switches"] + 1e-9)
            met &= ok
            print(f"\ntarget (MOTA, IDF1 >= supervision, ID switches <=): {'met' if ok else 'NOT met'}\n")

    ours, ref = cost(a.objects, a.cost_frames)
    detail["cost"] = {"ours": ours, "supervision": ref}
    print(f"## Cost per frame, {a.objects} moving objects, {ours['frames']} frames\n")
    print("| figure | ours | supervision (reference) | ratio |")
    print("|---|---|---|---|")
    for q in ("p50", "p99"):
        print(f"| update {q} (ms) | {ours[q + '_ms']:.4f} | {ref[q + '_ms']:.3f} | {ours[q + '_ms'] / ref[q + '_ms']:.3f} |")
        rows.append({"metric": f"tracker update {q} per frame, {a.objects} objects", "value": ours[q + "_ms"],
                     "unit": "ms", "reference": "supervision 0.25.1 ByteTrack.update_with_detections",
                     "ref_value": ref[q + "_ms"]})
    cost_ok = ours["p99_ms"] < 1.0
    print(f"\ntarget (< 1 ms per frame, p99): {'met' if cost_ok else 'NOT met'}")
    print(f"quality targets on both sequences and sources: {'met' if met else 'NOT met'}")
    if a.json:
        Path(a.json).write_text(json.dumps({"bench": "tracking", "rows": rows, "detail": detail,
                                            "quality_target_met": met, "cost_target_met": cost_ok}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
