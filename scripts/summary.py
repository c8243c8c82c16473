#!/usr/bin/env python3
"""Prints the main job's summary from out/report.json and, where `scripts/bench` left figures in
out/bench/, how this run's numbers compare with them.

Usage: scripts/summary.py [OUT]   (default: out)
"""
import json
import sys
from pathlib import Path

# Medians on this 2-core machine move by up to ~20 % between runs with nothing changed (other
# tenants, thermal state); a ratio outside this band is worth a look, inside it is noise.
AGREE = (0.8, 1.25)


def line(name, d, what):
    if not d or not d.get("messages"):
        return f"{name}: no messages"
    return (f"{name}: {d['messages']} messages at {d['rate_hz']} Hz, latency p50 {d['latency_ms_p50']:.0f} ms / "
            f"p99 {d['latency_ms_p99']:.0f} ms{what}")


def compare(r, bench_dir):
    """(what, this run, bench, unit) pairs that measure the same thing."""
    pairs = []
    graph = bench_dir / "vision_graph.json"
    if graph.exists():
        g = json.loads(graph.read_text())["report"]
        for node in ("detection", "poses", "depth", "detections_depth"):
            a, b = r.get(node) or {}, g.get(node) or {}
            if a.get("messages") and b.get("messages"):
                pairs.append((f"{node} rate", a["rate_hz"], b["rate_hz"], "Hz"))
                pairs.append((f"{node} latency p50", a["latency_ms_p50"], b["latency_ms_p50"], "ms"))
        if r.get("arbiter") and g.get("arbiter"):
            pairs.append(("arbiter busy fraction", r["arbiter"]["busy_fraction"], g["arbiter"]["busy_fraction"], ""))
    # A model's run time inside the graph (arbiter grant to release) against the same node's
    # in-node ONNX Runtime time measured alone by bench/vision_latency.py.
    for bench, model_prefix in (("detection_latency", "yolov8n"), ("pose_latency", "yolo11n-pose")):
        f = bench_dir / f"{bench}.json"
        if not f.exists() or not r.get("arbiter"):
            continue
        infer = json.loads(f.read_text())["rows"].get("node_infer", {}).get("p50_ms")
        runs = [c["run_p50_ms"] for c in r["arbiter"]["clients"] if c["model"].startswith(model_prefix)]
        if infer and runs and runs[0] == runs[0]:
            pairs.append((f"{model_prefix} run time p50 (arbiter, in the graph) vs alone ({bench})", runs[0], infer, "ms"))
    return pairs


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "out")
    r = json.loads((out / "report.json").read_text())
    d = r["detection"]
    print("\n=== aihat_ros run summary ===")
    print(line("detection", d, ""))
    print("  objects seen: " + ", ".join(f"{k} x{v}" for k, v in list(d.get("objects_by_class", {}).items())[:8]))
    p = r.get("poses") or {}
    print(line("pose", p, f", {p.get('persons', 0)} persons"))
    print(line("depth", r.get("depth"), ""))
    dd = r.get("detections_depth") or {}
    print(line("detections_depth", dd, f", {dd.get('detections', 0)} detections with a depth"))
    if r.get("arbiter"):
        a = r["arbiter"]
        print(f"arbiter ({a['backend']}): busy {a['busy_fraction'] * 100:.0f} %, {a['model_switches']} model switches")
        for c in a["clients"]:
            print(f"  {c['client']:28} {c['model']:24} {c['completed']:5} done {c['dropped']:4} dropped "
                  f"{c['deadline_misses']:4} misses, run p50 {c['run_p50_ms']} ms p99 {c['run_p99_ms']} ms")
    print("cpu use per core: " + ", ".join(f"{k} {v * 100:.0f} %" for k, v in r["cpu_use_per_core"].items()))
    for c in r["commands"]:
        print(f"said {c['said']!r:50} -> {json.dumps(c['parsed'])} ({c['source']})")
    pairs = compare(r, out / "bench")
    if pairs:
        print("\nagainst the benchmarks in out/bench (scripts/bench):")
        for what, mine, theirs, unit in pairs:
            ratio = mine / theirs if theirs else float("nan")
            verdict = "agrees" if AGREE[0] <= ratio <= AGREE[1] else "differs: look"
            print(f"  {what}: this run {mine:.3g} {unit}, bench {theirs:.3g} {unit}, ratio {ratio:.2f} ({verdict})")
    else:
        print("\n(no benchmark figures in out/bench: `scripts/bench` writes them; run it to compare)")
    print(f"\nlook at: {out}/annotated/*.png, {out}/detections.jsonl, {out}/commands.jsonl, {out}/report.json, "
          f"{out}/logs/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
