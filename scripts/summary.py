#!/usr/bin/env python3
"""Prints the main job's summary from out/report.json and, where `scripts/bench` left figures in
out/bench/, whether this run's numbers agree with them within the benchmark's measured noise.

Usage: scripts/summary.py [OUT]   (default: out)
"""
import json
import re
import sys
from pathlib import Path

# The main job and bench/vision_graph.py run the same graph with the same input (scripts/run),
# so their figures differ by run-to-run noise only. The bench repeats the graph (default 3 runs)
# and stores each figure's spread; a figure agrees when it falls inside that spread, widened by
# half its width on each side (three runs understate the range) and never narrower than
# NOISE_FLOOR around the median.
NOISE_FLOOR = 0.10
MIN_JOBS = 20


def line(name, d, what):
    if not d or not d.get("messages"):
        return f"{name}: no messages"
    extra = ""
    if d.get("jitter_ms_p99") is not None:
        extra += f", jitter p99 {d['jitter_ms_p99']:.0f} ms"
    if d.get("frames_sent"):
        extra += f", missed {d['missed_frames']} of {d['frames_sent']} frames"
    return (f"{name}: {d['messages']} messages at {d['rate_hz']} Hz, latency p50 {d['latency_ms_p50']:.0f} ms / "
            f"p99 {d['latency_ms_p99']:.0f} ms{extra}{what}")


def figures(r):
    """The figures of one run report that the main job and the graph benchmark share."""
    f = {}
    for node in ("detection", "poses", "depth", "detections_depth"):
        d = r.get(node) or {}
        if d.get("messages"):
            f[f"{node} rate Hz"] = d["rate_hz"]
            f[f"{node} latency p50 ms"] = d["latency_ms_p50"]
    a = r.get("arbiter") or {}
    if a:
        f["arbiter busy fraction"] = a["busy_fraction"]
        for c in a.get("clients", []):
            run = c.get("run_p50_ms")
            # A median over a handful of jobs (the LLM parses once or twice a run) is no figure.
            if c.get("completed", 0) >= MIN_JOBS and run == run:  # NaN: the model never ran
                f[f"{c['model']} run p50 ms (arbiter grant to release)"] = run
    return f


def spread(reports):
    """Per figure over repeated runs: min, median, max and the number of runs that had it."""
    out = {}
    for name in sorted({k for r in reports for k in figures(r)}):
        vals = sorted(figures(r)[name] for r in reports if name in figures(r))
        out[name] = {"min": vals[0], "median": vals[len(vals) // 2] if len(vals) % 2 else
                     (vals[len(vals) // 2 - 1] + vals[len(vals) // 2]) / 2, "max": vals[-1], "runs": len(vals)}
    return out


def band(s):
    """(low, high) ratio to the median within which a figure is noise."""
    half = (s["max"] - s["min"]) / 2
    med = s["median"] or float("nan")
    return min((s["min"] - half) / med, 1 - NOISE_FLOOR), max((s["max"] + half) / med, 1 + NOISE_FLOOR)


def scales_with_host(name):
    """Times and the busy fraction grow when the host is slower; rates at a fixed camera rate do not."""
    return not name.endswith("rate Hz")


def host_speed(pairs):
    """How much slower (> 1) this host ran than during the benchmark: the YOLO models' run time
    ratio (grant to release, the same inference code on the same images). Other tenants of a
    VM can change it by 20 % within minutes, more than the benchmark's consecutive runs vary."""
    ratios = {name: mine / s["median"] for name, mine, s in pairs
              if name.startswith(("yolov8n", "yolo11n-pose")) and "run p50" in name and s["median"]}
    vals = sorted(ratios.values())
    factor = (vals[(len(vals) - 1) // 2] + vals[len(vals) // 2]) / 2 if vals else 1.0
    return {"factor": factor, "from": set(ratios)}


def compare(r, bench_dir):
    """(figure, this run, bench spread) for the figures both have."""
    graph = bench_dir / "vision_graph.json"
    if not graph.exists():
        return []
    g = json.loads(graph.read_text())
    ref = g.get("spread") or spread([g["report"]])
    mine = figures(r)
    return [(name, mine[name], ref[name]) for name in ref if name in mine]


def node_stages(logs):
    """Each vision node's last "stages" log line (vision_edge::stages): p50/p99 ms per stage, from
    the camera's stamp to the publish, over the node's last 600 published frames."""
    out = {}
    for node in ("detection", "pose", "depth"):
        path = logs / f"{node}.log"
        if not path.exists():
            continue
        last = [ln for ln in path.read_text(errors="replace").splitlines() if "stages p50/p99 ms:" in ln]
        if last:
            line_ = last[-1].split("stages p50/p99 ms:", 1)[1]
            out[node] = {k: (float(a), float(b)) for k, a, b in re.findall(r"(\w+)=(\d+)/(\d+)", line_)
                         if k not in ("node", "window")}
    return out


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
    d3 = r.get("detections_3d") or {}
    print(line("detections_3d", d3, f", {d3.get('detections', 0)} detections placed in 3D"))
    tracks = r.get("tracks") or []
    if tracks:
        print(f"tracks: {len(tracks)} ids; the most seen (distance and position in the camera's optical frame, "
              f"from the last detections_3d):")
        print(f"  {'id':>5} {'label':14} {'frames':>6} {'seen s':>7} {'distance':>9}  position (x, y, z) m")
        for t in tracks[:12]:
            dist = f"{t['distance_m']:.2f} m" if t.get("distance_m") is not None else "-"
            pos = "(" + ", ".join(f"{v:.2f}" for v in t["position_m"]) + ")" if t.get("position_m") else "-"
            print(f"  {t['id']:>5} {t['label']:14} {t['frames']:6} {t['seen_s']:7.1f} {dist:>9}  {pos}")
    if r.get("arbiter"):
        a = r["arbiter"]
        print(f"arbiter ({a['backend']}): busy {a['busy_fraction'] * 100:.0f} %, {a['model_switches']} model switches")
        for c in a["clients"]:
            print(f"  {c['client']:28} {c['model']:24} {c['completed']:5} done {c['dropped']:4} dropped "
                  f"{c['deadline_misses']:4} misses, run p50 {c['run_p50_ms']} ms p99 {c['run_p99_ms']} ms")
    stages = node_stages(out / "logs")
    if stages:
        names = ["transport", "queued", "decode", "wait", "infer", "publish", "age"]
        print("where each published frame's time went, camera stamp -> publish, p50 / p99 ms (the nodes' own clocks):")
        print("  " + f"{'node':10}" + "".join(f"{n:>14}" for n in names))
        for node, st in stages.items():
            print("  " + f"{node:10}" + "".join(f"{'%.0f / %.0f' % st[n] if n in st else '-':>14}" for n in names))
    if r.get("cpu_percent_per_node"):
        print("cpu per node, % of one core: " + ", ".join(f"{k} {v:.0f}" for k, v in r["cpu_percent_per_node"].items()))
    print("cpu use per core: " + ", ".join(f"{k} {v * 100:.0f} %" for k, v in r["cpu_use_per_core"].items()))
    for c in r["commands"]:
        print(f"said {c['said']!r:50} -> {json.dumps(c['parsed'])} ({c['source']})")
    pairs = compare(r, out / "bench")
    if pairs:
        print(f"\nagainst bench/vision_graph.py in out/bench (same graph and input, "
              f"{max(s['runs'] for _, _, s in pairs)} runs there):")
        speed = host_speed(pairs)
        raw_ok = adj_ok = adj_n = 0
        for name, mine, s in pairs:
            lo, hi = band(s)
            med = s["median"] or float("nan")
            ratio = mine / med
            raw_ok += lo <= ratio <= hi
            line_ = (f"  {name}: this run {mine:.3g}, bench median {med:.3g} (runs {s['min']:.3g}..{s['max']:.3g}), "
                     f"ratio {ratio:.2f}, noise band {lo:.2f}..{hi:.2f}")
            if name in speed["from"]:
                print(line_ + ": sets the host speed factor")
                continue
            adj = ratio / speed["factor"] if scales_with_host(name) else ratio
            ok = lo <= adj <= hi
            adj_ok, adj_n = adj_ok + ok, adj_n + 1
            extra = f", {adj:.2f} at the bench's host speed" if scales_with_host(name) else ""
            print(line_ + f"{extra}: {'agrees' if ok else 'OUTSIDE the noise: look'}")
        print(f"  host speed factor {speed['factor']:.2f} (this run's YOLO run times over the bench's: the same "
              f"inference code, so a pure measure of how fast the host was)")
        print(f"  {raw_ok} of {len(pairs)} figures agree as measured; {adj_ok} of {adj_n} agree once the host's speed "
              f"is taken out of the times (rates are not scaled)")
    else:
        print("\n(no benchmark figures in out/bench: `scripts/bench` writes them; run it to compare)")
    m = r.get("mcap")
    if m:
        lost = {t: m["dropped_writer_queue_full"].get(t, 0) + m["missed_sequence_gaps"].get(t, 0)
                for t in {**m["dropped_writer_queue_full"], **m["missed_sequence_gaps"]}}
        print(f"\nrecording: {m['path']}, {sum(m['messages'].values())} messages, {m['file_mb']} MB "
              f"(open it in Foxglove or Lichtblick)" + (f"; not recorded: {lost}" if lost else ""))
    print(f"\nlook at: {out}/annotated/*.png, {out}/detections.jsonl, {out}/commands.jsonl, {out}/report.json, "
          f"{out}/logs/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
