#!/usr/bin/env python3
"""The vision nodes running together through the arbiter: the main job's graph (scripts/run:
camera replay, detection, pose, depth, command parser, accelerator) for a fixed time, with
per-node rate, latency p50/p99, drops and deadline misses, and each model's run time inside the
graph against the same model's run time when it has the device alone (first phase, same run).

The graph phase runs `--repeats` times (default 3): the tables show the median run, and the JSON
keeps every figure's spread over the runs, which scripts/summary.py uses as the noise band when
it compares a main-job run with this benchmark.

Usage: source ~/.cache/aihat_ros/env.sh && python bench/vision_graph.py [--seconds 90] [--repeats 3] [--json PATH]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from summary import figures, spread  # noqa: E402  (one definition of the compared figures)


def run_graph(out, seconds, only=None):
    """scripts/run (set-up and build are cached no-ops by now) into `out`; returns its report."""
    env = dict(os.environ, AIHAT_OUT=str(out), AIHAT_RUN_SECONDS=str(seconds))
    if only:
        env["AIHAT_RUN_ONLY"] = ",".join(only)
    r = subprocess.run(["bash", str(ROOT / "scripts" / "run")], env=env, cwd=ROOT, capture_output=True, text=True)
    report = Path(out) / "report.json"
    if not report.exists():
        sys.exit(f"scripts/run failed (exit {r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-2000:]}")
    return json.loads(report.read_text())


def clients(report):
    a = report.get("arbiter") or {"clients": []}
    return {c["model"]: c for c in a["clients"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=int, default=90)
    ap.add_argument("--alone-seconds", type=int, default=40, help="per model, the reference phase")
    ap.add_argument("--repeats", type=int, default=3, help="graph runs, for the run-to-run spread")
    ap.add_argument("--json", metavar="PATH")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="aihat-graph-") as tmp:
        # Reference: each vision model with the device (one inference core) to itself.
        alone, alone_reports = {}, {}
        for node in ("detection", "pose", "depth"):
            rep = run_graph(Path(tmp) / f"alone-{node}", a.alone_seconds,
                            only=["accelerator", "camera_replay", node] + (["detection"] if node == "depth" else []))
            alone_reports[node] = rep
            for model, c in clients(rep).items():
                alone.setdefault(model, c)
        runs = [run_graph(Path(tmp) / f"together-{i}", a.seconds) for i in range(max(1, a.repeats))]
    noise = spread(runs)
    # The tables show the run whose detection rate is the median one.
    together = sorted(runs, key=lambda r: figures(r).get("detection rate Hz", 0))[len(runs) // 2]
    rows = []
    print(f"\n## Vision nodes together through the arbiter ({a.seconds} s, CPU backend, 1 inference core; "
          f"median of {len(runs)} runs)\n")
    print("| topic | messages | rate Hz | latency p50 ms | latency p99 ms |")
    print("|---|---|---|---|---|")
    for topic in ("detection", "poses", "depth", "detections_depth"):
        d = together.get(topic) or {}
        if not d.get("messages"):
            print(f"| {topic} | 0 | - | - | - |")
            continue
        print(f"| {topic} | {d['messages']} | {d['rate_hz']} | {d['latency_ms_p50']:.0f} | {d['latency_ms_p99']:.0f} |")
        rows.append({"metric": f"{topic} rate, all vision nodes together", "value": d["rate_hz"], "unit": "Hz",
                     "reference": None, "ref_value": None})
        rows.append({"metric": f"{topic} latency p50, together", "value": d["latency_ms_p50"], "unit": "ms",
                     "reference": None, "ref_value": None})
        rows.append({"metric": f"{topic} latency p99, together", "value": d["latency_ms_p99"], "unit": "ms",
                     "reference": None, "ref_value": None})
    print("\n| model | done | dropped | deadline misses | run p50 ms together | run p50 ms alone | ratio | run p99 ms together |")
    print("|---|---|---|---|---|---|---|---|")
    for model, c in clients(together).items():
        ref = alone.get(model, {}).get("run_p50_ms")
        ratio = f"{c['run_p50_ms'] / ref:.2f}" if ref and c["run_p50_ms"] == c["run_p50_ms"] else "-"
        print(f"| {model} | {c['completed']} | {c['dropped']} | {c['deadline_misses']} | {c['run_p50_ms']} | "
              f"{ref if ref is not None else '-'} | {ratio} | {c['run_p99_ms']} |")
        rows.append({"metric": f"{model} run time p50 in the graph ({c['completed']} done, {c['dropped']} dropped, "
                               f"{c['deadline_misses']} misses)", "value": c["run_p50_ms"], "unit": "ms",
                     "reference": "same model alone on the device", "ref_value": ref})
    # The Isaac ROS benchmark's figures (throughput, latency at a fixed input rate, jitter, missed
    # frames, CPU) per node: in the whole graph, against the same node alone with the device in
    # the same run. Jitter: p99 of how far an interval between two outputs is from the camera's
    # period; missed: camera frames with no output of their stamp.
    isaac = []
    for node, topic in (("detection", "detection"), ("pose", "poses"), ("depth", "depth")):
        def figs(rep):
            d = rep.get(topic) or {}
            sent = d.get("frames_sent") or 0
            return {"throughput_hz": d.get("rate_hz"), "latency_ms_p50": d.get("latency_ms_p50"),
                    "latency_ms_p99": d.get("latency_ms_p99"), "jitter_ms_p99": d.get("jitter_ms_p99"),
                    "missed_pct": round(100.0 * d.get("missed_frames", 0) / sent, 2) if sent else None,
                    "cpu_pct": (rep.get("cpu_percent_per_node") or {}).get(node)}
        cam = together.get("camera") or {}
        input_hz = round(1e3 / cam["period_ms"], 2) if cam.get("period_ms") else None
        isaac.append({"node": node, "input_hz": input_hz, "together": figs(together), "alone": figs(alone_reports[node])})
    names = {"throughput_hz": ("throughput", "Hz"), "latency_ms_p50": ("latency p50", "ms"),
             "latency_ms_p99": ("latency p99", "ms"), "jitter_ms_p99": ("jitter p99", "ms"),
             "missed_pct": ("missed frames", "%"), "cpu_pct": ("CPU, % of one core", "%")}
    print(f"\n## Per node, Isaac ROS benchmark style: all nodes together against the node alone (same run)\n")
    print("| node @ input | " + " | ".join(f"{n} {u}" for n, u in names.values()) + " |")
    print("|---|" + "---|" * len(names))
    for row in isaac:
        for which in ("together", "alone"):
            f = row[which]
            print(f"| {row['node']} @ {row['input_hz']} Hz, {which} | "
                  + " | ".join("-" if f[k] is None else f"{f[k]:.3g}" for k in names) + " |")
        for k, (n, u) in names.items():
            rows.append({"metric": f"{row['node']} {n} at {row['input_hz']} Hz input, all nodes together",
                         "value": row["together"][k], "unit": u, "reference": "the node alone (same run)",
                         "ref_value": row["alone"][k]})
    busy = (together.get("arbiter") or {}).get("busy_fraction")
    print(f"\narbiter busy fraction {busy}; cpu use per core {together.get('cpu_use_per_core')}")
    if busy is not None:
        rows.append({"metric": "arbiter busy fraction, together", "value": busy, "unit": "", "reference": None,
                     "ref_value": None})
    print(f"\nrun-to-run spread over {len(runs)} runs (the noise band scripts/summary.py uses):\n")
    print("| figure | min | median | max | max/min |")
    print("|---|---|---|---|---|")
    for name, v in noise.items():
        ratio = f"{v['max'] / v['min']:.2f}" if v["min"] else "-"
        print(f"| {name} | {v['min']:.3g} | {v['median']:.3g} | {v['max']:.3g} | {ratio} |")
    if a.json:
        Path(a.json).write_text(json.dumps({"bench": "vision_graph", "rows": rows, "report": together,
                                            "spread": noise, "runs": runs, "alone": alone,
                                            "isaac": isaac}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
