#!/usr/bin/env python3
"""Soak: the main job's graph (`scripts/run`: replay at 2 Hz, detection, pose, depth, command
parser, accelerator) for a long time, with its voice commands said over and over (one every 5 s),
and what changes over time, per node.

    python bench/soak.py                       # 30 min after a 2 min warm-up, 5 min windows
    python bench/soak.py --minutes 5 --window-min 1 --warmup-min 1   # a short look

Per node: RSS at start, after warm-up, at the end and the maximum, and the growth after warm-up
(the reference: the same node's RSS at the end of warm-up, in this run); open file descriptors
at the same points; restarts (the node's process id changed; scripts/launch respawns a node
that dies). Per output topic: messages/s in each window after warm-up, and each window's ratio
to the first one. The graph's output goes to out/soak/ (logs, summary); the figures to
out/soak/soak.json.

Needs the environment (`source ~/.cache/aihat_ros/env.sh`) and nothing else running on the
machine: a busy machine shows up as a window slower than the others.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.qos import HistoryPolicy, QoSProfile, ReliabilityPolicy
from std_msgs.msg import String

from aihat_msgs.msg import Detection2DArray, Detection3DArray, DetectionDepthArray, PersonPoseArray

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))
from graph_procs import NODES, graph_processes, memory  # noqa: E402
TOPICS = {"detections": Detection2DArray, "poses": PersonPoseArray, "detections_depth": DetectionDepthArray,
          "detections_3d": Detection3DArray, "robot_command_json": String}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=30.0, help="measured time after warm-up")
    ap.add_argument("--warmup-min", type=float, default=2.0)
    ap.add_argument("--window-min", type=float, default=5.0)
    ap.add_argument("--sample-s", type=float, default=10.0, help="RSS / descriptor sampling period")
    ap.add_argument("--out", default=str(REPO / "out" / "soak"))
    ap.add_argument("--json", default=None, help="default OUT/soak.json")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    domain = str(140 + os.getpid() % 20)
    total_s = (args.warmup_min + args.minutes) * 60
    env = {**os.environ, "ROS_DOMAIN_ID": domain, "AIHAT_OUT": str(out), "AIHAT_MCAP": "",
           "AIHAT_SAY_LOOP": "1", "AIHAT_RUN_SECONDS": str(int(total_s + 30))}
    print(f"[soak] scripts/run for {args.warmup_min:g} + {args.minutes:g} min (ROS_DOMAIN_ID={domain}); "
          f"its output in {out}/run.log", flush=True)
    run_log = open(out / "run.log", "w")
    run = subprocess.Popen(["bash", "scripts/run"], cwd=REPO, env=env, stdout=run_log, stderr=subprocess.STDOUT,
                           start_new_session=True)

    os.environ["ROS_DOMAIN_ID"] = domain
    rclpy.init()
    node = rclpy.create_node("aihat_soak")
    qos = QoSProfile(depth=50, reliability=ReliabilityPolicy.RELIABLE, history=HistoryPolicy.KEEP_LAST)
    arrivals = {t: [] for t in TOPICS}
    for topic, typ in TOPICS.items():
        node.create_subscription(typ, topic, lambda _m, t=topic: arrivals[t].append(time.time()), qos)
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    threading.Thread(target=executor.spin, daemon=True).start()

    # The clock starts when every node is up (the build before it is not the soak).
    pids, samples, restarts = {}, {n: [] for n in NODES}, {n: 0 for n in NODES}
    deadline = time.time() + 1800
    while len(pids) < len(NODES):
        if run.poll() is not None or time.time() > deadline:
            sys.exit(f"[soak] the graph did not start (scripts/run exit {run.poll()}); see {out}/run.log")
        pids = graph_processes(domain)
        time.sleep(1.0)
    t0 = time.time()
    warm_end = t0 + args.warmup_min * 60
    end = warm_end + args.minutes * 60
    print(f"[soak] all {len(NODES)} nodes up; warm-up until +{args.warmup_min:g} min, end at "
          f"+{args.warmup_min + args.minutes:g} min", flush=True)
    next_print = t0
    try:
        while time.time() < end and run.poll() is None:
            now = time.time()
            current = graph_processes(domain)
            for name in NODES:
                pid = current.get(name)
                if pid is not None and pids.get(name) not in (None, pid):
                    restarts[name] += 1
                    print(f"[soak] {name} restarted (pid {pids[name]} -> {pid})", flush=True)
                if pid is not None:
                    pids[name] = pid
                    s = memory(pid)
                    if s:
                        samples[name].append((now - t0, *s))
            if now >= next_print:
                next_print = now + 60
                print(f"[soak] +{(now - t0) / 60:4.1f} min: " + ", ".join(
                    f"{n} {samples[n][-1][1]:.0f} MB" for n in NODES if samples[n]), flush=True)
            time.sleep(args.sample_s)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGTERM)
        try:
            run.wait(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
        executor.shutdown()
        node.destroy_node()
        rclpy.try_shutdown()
    finished = time.time()
    if finished < end - args.sample_s * 2:
        print(f"[soak] the graph ended early, at +{(finished - t0) / 60:.1f} min; see {out}/run.log", flush=True)

    warm_s = args.warmup_min * 60

    def at(series, t):
        """The sample nearest to t seconds."""
        return min(series, key=lambda s: abs(s[0] - t))

    nodes = {}
    for name in NODES:
        s = samples[name]
        if not s:
            nodes[name] = None
            continue
        w, last = at(s, warm_s), s[-1]
        nodes[name] = {
            "rss_mb": {"start": s[0][1], "after_warmup": w[1], "end": last[1], "max": max(x[1] for x in s)},
            "rss_growth_after_warmup": (last[1] - w[1]) / w[1] if w[1] else None,
            "fds": {"start": s[0][2], "after_warmup": w[2], "end": last[2], "max": max(x[2] for x in s)},
            "restarts": restarts[name],
        }
    win_s = args.window_min * 60
    n_win = max(1, int(round(args.minutes / args.window_min)))
    rates = {}
    for topic, ts in arrivals.items():
        rel = [t - t0 for t in ts]
        per = []
        for k in range(n_win):
            a, b = warm_s + k * win_s, min(warm_s + (k + 1) * win_s, finished - t0)
            if b - a < win_s * 0.5:
                break
            per.append(sum(a <= t < b for t in rel) / (b - a))
        rates[topic] = per
    # What the launch log says about each restart.
    launch_log = out / "logs" / "launch.log"
    respawns = [l.strip() for l in launch_log.read_text(errors="replace").splitlines()
                if "respawning" in l] if launch_log.exists() else []

    print(f"\nSoak on {os.uname().nodename}, {time.strftime('%Y-%m-%d %H:%M', time.localtime(t0))}: "
          f"{(finished - t0) / 60:.1f} min of the main job's graph ({args.warmup_min:g} min warm-up), "
          f"a voice command every 5 s\n")
    print("| node | RSS start MB | after warm-up | end | max | growth after warm-up | fds start / warm / end / max | restarts |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in nodes.items():
        if r is None:
            print(f"| {name} | not seen | | | | | | |")
            continue
        m, f = r["rss_mb"], r["fds"]
        print(f"| {name} | {m['start']:.0f} | {m['after_warmup']:.0f} | {m['end']:.0f} | {m['max']:.0f} | "
              f"{r['rss_growth_after_warmup']:+.1%} | {f['start']} / {f['after_warmup']} / {f['end']} / {f['max']} | "
              f"{r['restarts']} |")
    print()
    print("| topic | " + " | ".join(f"window {k + 1} msg/s (ratio to 1)" for k in range(n_win)) + " |")
    print("|---|" + "---|" * n_win)
    for topic, per in rates.items():
        cells = [f"{r:.3f} ({r / per[0]:.2f})" if per and per[0] else f"{r:.3f}" for r in per]
        print(f"| {topic} | " + " | ".join(cells) + " |")
    if respawns:
        print("\nrespawns in the launch log:\n  " + "\n  ".join(respawns))
    worst_growth = max((r["rss_growth_after_warmup"] for r in nodes.values() if r), default=None)
    spread = {t: (max(p) / min(p) - 1 if p and min(p) > 0 else None) for t, p in rates.items()}
    print(f"\nlargest RSS growth after warm-up: {worst_growth:+.1%}; largest rate spread across windows: "
          + ", ".join(f"{t} {v:.1%}" if v is not None else f"{t} n/a" for t, v in spread.items())
          + f"; restarts: {sum(restarts.values())}")
    report = {"host": os.uname().nodename, "start": t0, "minutes": (finished - t0) / 60,
              "warmup_min": args.warmup_min, "window_min": args.window_min, "nodes": nodes,
              "rates_per_window": rates, "rate_spread": spread, "respawns": respawns}
    Path(args.json or out / "soak.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
