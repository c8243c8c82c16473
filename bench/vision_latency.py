#!/usr/bin/env python3
"""Vision node (detection, pose) latency and throughput on this machine, against raw ONNX
Runtime and, for detection, the same model in Python (onnxruntime + Ultralytics pre/post-
processing), measured in one run.

    source ~/.cache/aihat_ros/env.sh && python bench/vision_latency.py --node pose [--frames 100] [--json out.json]

Rows:
  node paced      640x480 rgb8 published every `--period` s (slower than the node):
                  message in -> results out, p50/p99
  node flooded    published as fast as possible for `--flood-s` s: output rate, and p99
                  latency of the frames that got through (bounded = no queue growth)
  raw ORT         onnxruntime session.run on a prepared 640x640 tensor, same thread count
  python + ultra  onnxruntime + Ultralytics LetterBox / non_max_suppression / scale_boxes
                  (detection only, where `ultralytics` imports; see bench/README.md)
The ratio column is each row's p50 over raw ORT's p50. `--json PATH` also writes the figures
as JSON (for a bench that gathers every node's results).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("AIHAT_SHARED", REPO.parent / "shared"))
BIN_DIR = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target")) / "release"
# Per node: its default model, and the result message and topic it publishes.
NODES = {
    "detection": {"model": "yolov8n_w8f32.onnx", "msg": "Detection2DArray", "topic": "detections"},
    "pose": {"model": "yolo11n-pose_w8f32.onnx", "msg": "PersonPoseArray", "topic": "poses"},
}


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, max(0, int(round(p / 100 * len(v) + 0.5)) - 1))] if v else float("nan")


def frame():
    from PIL import Image
    img = Image.open(SHARED / "testdata" / "images" / "zidane.jpg").convert("RGB").resize((640, 480))
    return np.asarray(img)


def raw_ort(model, threads, n):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads, so.inter_op_num_threads = threads, 1
    s = ort.InferenceSession(str(model), so, providers=["CPUExecutionProvider"])
    x = np.random.default_rng(0).random((1, 3, 640, 640), dtype=np.float32)
    s.run(None, {"images": x})
    times = []
    for _ in range(n):
        t = time.perf_counter()
        s.run(None, {"images": x})
        times.append((time.perf_counter() - t) * 1e3)
    return times


def python_ultralytics(model, threads, n, rgb):
    try:
        import torch
        from ultralytics.data.augment import LetterBox
        from ultralytics.utils import nms, ops
    except Exception as e:  # noqa: BLE001
        return None, f"ultralytics not importable ({type(e).__name__})"
    import onnxruntime as ort
    torch.set_num_threads(threads)
    so = ort.SessionOptions()
    so.intra_op_num_threads, so.inter_op_num_threads = threads, 1
    s = ort.InferenceSession(str(model), so, providers=["CPUExecutionProvider"])
    bgr = rgb[:, :, ::-1].copy()
    lb = LetterBox((640, 640), auto=False)
    times = []
    for i in range(n + 1):
        t = time.perf_counter()
        im = lb(image=bgr)
        x = np.ascontiguousarray(im[:, :, ::-1].transpose(2, 0, 1))[None].astype(np.float32) / 255.0
        y = torch.from_numpy(s.run(None, {"images": x})[0])
        d = nms.non_max_suppression(y, 0.25, 0.45, max_det=300)[0]
        d[:, :4] = ops.scale_boxes((640, 640), d[:, :4], bgr.shape)
        if i:
            times.append((time.perf_counter() - t) * 1e3)
    return times, "ok"


def node_run(node, model, rgb, frames, period, flood_s, threads):
    import importlib
    import rclpy
    from rclpy.node import Node
    from rclpy.qos import QoSProfile, ReliabilityPolicy, HistoryPolicy, qos_profile_sensor_data
    from sensor_msgs.msg import Image
    result_type = getattr(importlib.import_module("aihat_msgs.msg"), NODES[node]["msg"])

    # The node's frame loop logs each frame's ONNX Runtime time at debug level: the overhead of
    # everything else (transport, decode, letterbox, NMS, publish) is measured per frame against
    # it, in the same process and moment, so load from other processes cancels out.
    env = dict(os.environ, ROS_DOMAIN_ID=os.environ.get("ROS_DOMAIN_ID", "91"), RUST_LOG="info,vision_edge=debug")
    os.environ["ROS_DOMAIN_ID"] = env["ROS_DOMAIN_ID"]
    proc = subprocess.Popen([str(BIN_DIR / node), "--ros-args", "-p", f"model_path:={model}", "-p", "use_arbiter:=false",
                             "-p", f"inference_threads:={threads}", "-p", "log_period_s:=3600.0"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    infer_ms = []
    warm = threading.Event()

    def read_log():
        for raw in iter(proc.stdout.readline, b""):
            line = raw.decode("utf-8", "replace")
            if "warm-up inference done" in line:
                warm.set()
            if "published" in line and "infer_ms=" in line:
                infer_ms.append(float(line.split("infer_ms=")[1].split()[0]))
    threading.Thread(target=read_log, daemon=True).start()
    try:
        rclpy.init()
        n = Node(f"bench_{node}")
        sent, lat = {}, []
        lock = threading.Lock()

        def on_det(m):
            key = (m.header.stamp.sec, m.header.stamp.nanosec)
            with lock:
                if key in sent:
                    lat.append((time.perf_counter() - sent.pop(key)) * 1e3)

        n.create_subscription(result_type, NODES[node]["topic"], on_det,
                              QoSProfile(depth=50, reliability=ReliabilityPolicy.RELIABLE, history=HistoryPolicy.KEEP_LAST))
        pub = n.create_publisher(Image, "image", qos_profile_sensor_data)
        end = time.time() + 60
        while pub.get_subscription_count() == 0 and time.time() < end:
            rclpy.spin_once(n, timeout_sec=0.1)
        if not warm.wait(120):
            sys.exit(f"{node} did not finish its warm-up (model {model})")
        seq = [0]

        def publish():
            seq[0] += 1
            m = Image(height=rgb.shape[0], width=rgb.shape[1], encoding="rgb8", step=rgb.shape[1] * 3, data=rgb.tobytes())
            m.header.stamp.sec, m.header.stamp.nanosec = 1, seq[0]
            with lock:
                sent[(1, seq[0])] = time.perf_counter()
            pub.publish(m)

        executor = rclpy.executors.SingleThreadedExecutor()
        executor.add_node(n)
        spin = threading.Thread(target=executor.spin, daemon=True)
        spin.start()
        for _ in range(5):  # warm-up
            publish()
            time.sleep(period)
        time.sleep(1.0)
        with lock:
            lat.clear()
            sent.clear()
        infer_ms.clear()
        for _ in range(frames):
            publish()
            time.sleep(period)
        time.sleep(1.0)
        with lock:
            paced = list(lat)
            lat.clear()
            sent.clear()
        paced_infer = list(infer_ms)
        t0 = time.perf_counter()
        published = 0
        while time.perf_counter() - t0 < flood_s:
            publish()
            published += 1
            time.sleep(0.005)
        time.sleep(1.0)
        with lock:
            flooded = list(lat)
        executor.shutdown()
        n.destroy_node()
        rclpy.shutdown()
        return paced, paced_infer, flooded, published, flood_s
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main(argv=None, default_node="detection"):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--node", choices=sorted(NODES), default=default_node)
    ap.add_argument("--model", help="ONNX file (default: the node's model in shared/models)")
    ap.add_argument("--frames", type=int, default=100)
    ap.add_argument("--period", type=float, default=0.4, help="seconds between paced frames")
    ap.add_argument("--flood-s", type=float, default=20.0)
    ap.add_argument("--threads", type=int, default=1, help="inference threads (the node's inference set on 2 cores)")
    ap.add_argument("--json", metavar="PATH", help="also write the figures to PATH as JSON")
    ap.add_argument("--ref-python", default=os.environ.get("AIHAT_REF_PYTHON"),
                    help="a Python with ultralytics + onnxruntime for the Ultralytics row (bench/README.md)")
    ap.add_argument("--ultra-only", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    model = Path(a.model) if a.model else SHARED / "models" / NODES[a.node]["model"]
    rgb = frame()
    if a.ultra_only:
        py, why = python_ultralytics(model, a.threads, a.frames, rgb)
        print(json.dumps({"times": py, "why": why}))
        return 0
    paced, paced_infer, flooded, published, secs = node_run(a.node, model, rgb, a.frames, a.period, a.flood_s, a.threads)
    raw = raw_ort(model, a.threads, a.frames)
    if a.node == "detection":
        py, why = python_ultralytics(model, a.threads, a.frames, rgb)
        if py is None and a.ref_python:
            out = subprocess.run([a.ref_python, __file__, "--ultra-only", "--frames", str(a.frames),
                                  "--threads", str(a.threads), "--model", str(model)], capture_output=True, text=True)
            r = json.loads(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else {"times": None, "why": out.stderr[-300:]}
            py, why = r["times"], r["why"]
    else:
        py, why = None, "the Ultralytics reference row is written for detection only"
    base = statistics.median(raw)
    rows = [(f"{a.node} node, paced (msg in -> results out)", "node_paced", paced),
            ("  of which ONNX Runtime inside the node", "node_infer", paced_infer),
            (f"{a.node} node, flooded (frames that got through)", "node_flooded", flooded),
            ("raw ONNX Runtime session.run (Python, same thread count)", "raw_ort", raw)]
    if py:
        rows.append(("Python onnxruntime + Ultralytics pre/post", "python_ultralytics", py))
    print(f"\n## {a.node} latency, 640x480 rgb8, {model.name}, {a.threads} inference thread(s)\n")
    print("| path | n | p50 ms | p99 ms | p50 / raw ORT p50 |")
    print("|---|---|---|---|---|")
    for name, _, v in rows:
        print(f"| {name} | {len(v)} | {pct(v, 50):.1f} | {pct(v, 99):.1f} | {pct(v, 50) / base:.3f} |")
    print(f"\nflooded: {published} frames published in {secs:.0f} s ({published / secs:.0f} Hz), "
          f"{len(flooded)} answered ({len(flooded) / secs:.2f} Hz); the rest superseded (latest frame wins)")
    overhead = None
    if len(paced_infer) == len(paced) and paced:
        over = [l - i for l, i in zip(paced, paced_infer)]
        overhead = {"p50_ms": pct(over, 50), "p99_ms": pct(over, 99), "share_of_inference_p50": pct(over, 50) / pct(paced_infer, 50)}
        print(f"node added cost over its own ONNX Runtime inference, per frame: p50 {pct(over, 50):.1f} ms = "
              f"{pct(over, 50) / pct(paced_infer, 50) * 100:.1f} % of inference p50 (p99 {pct(over, 99):.1f} ms)")
    else:
        print(f"per-frame overhead not computed: {len(paced_infer)} inference times logged for {len(paced)} answers")
    print(f"node p50 vs raw Python ORT p50 (different moments, machine load shifts it): {pct(paced, 50) / base:.3f}")
    if not py:
        print(f"Python + Ultralytics row skipped: {why}")
    if a.json:
        doc = {"node": a.node, "model": model.name, "image": "640x480 rgb8", "threads": a.threads,
               "rows": {key: {"n": len(v), "p50_ms": pct(v, 50), "p99_ms": pct(v, 99)} for _, key, v in rows},
               "flooded": {"published": published, "seconds": secs, "answered_hz": len(flooded) / secs},
               "overhead_over_inference": overhead}
        Path(a.json).write_text(json.dumps(doc, indent=2) + "\n")
        print(f"figures written to {a.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
