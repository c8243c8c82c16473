#!/usr/bin/env python3
"""Depth node latency on this machine: image in -> depth image out, and detections in ->
detections_depth out, p50/p99.

    source ~/.cache/aihat_ros/env.sh && python bench/depth_latency.py [--frames 50] [--json out.json]

By default the node runs the default depth model, FastDepth (../shared/models/
fastdepth_224_aihat.onnx, metres, 224x224 input): the figures are the node's cost on a real
depth network. `--model $AIHAT_DEPTH_TEST_MODEL` measures the node's own pipeline cost on the
generated stand-in instead (a few-operator graph: decode, resize to the network input,
normalisation, ONNX Runtime call overhead, resize back, 32FC1 message, transport).

Rows:
  depth, paced          640x480 rgb8 every --period s: image published -> depth received
  detections_depth      a 5-box Detection2DArray with the stamp of a published depth frame:
                        published -> detections_depth received (ring lookup + box statistics)
  raw ORT               onnxruntime session.run on a prepared input tensor (Python; [1,3,224,224]
                        for FastDepth, [1,3,518,686] for a dynamic model at 640x480)
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("AIHAT_CACHE", Path.home() / ".cache" / "aihat_ros"))
SHARED = Path(os.environ.get("AIHAT_SHARED", REPO.parent / "shared"))
DEFAULT_MODEL = str(SHARED / "models" / "fastdepth_224_aihat.onnx")
BIN = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target")) / "release" / "depth"


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, max(0, int(round(p / 100 * len(v) + 0.5)) - 1))] if v else float("nan")


def is_stand_in(model):
    try:
        import onnx
        m = onnx.load(model, load_external_data=False)
        return any(p.key == "aihat_stand_in" for p in m.metadata_props)
    except Exception:  # noqa: BLE001 - only for the table's title
        return "stand_in" in Path(model).name


def raw_ort(model, threads, n):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads, so.inter_op_num_threads = threads, 1
    s = ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])
    shape = [d if isinstance(d, int) and d > 0 else None for d in s.get_inputs()[0].shape]
    h, w = (shape[2] or 518), (shape[3] or 686)
    x = np.random.default_rng(0).random((1, 3, h, w), dtype=np.float32)
    s.run(None, {"pixel_values": x})
    times = []
    for _ in range(n):
        t = time.perf_counter()
        s.run(None, {"pixel_values": x})
        times.append((time.perf_counter() - t) * 1e3)
    return times


def node_run(model, rgb, frames, period, threads):
    import rclpy
    from rclpy.node import Node
    from rclpy.qos import QoSProfile, ReliabilityPolicy, HistoryPolicy
    from sensor_msgs.msg import Image
    from aihat_msgs.msg import Detection2D, Detection2DArray, DetectionDepthArray

    env = dict(os.environ, ROS_DOMAIN_ID=os.environ.get("ROS_DOMAIN_ID", "92"))
    os.environ["ROS_DOMAIN_ID"] = env["ROS_DOMAIN_ID"]
    proc = subprocess.Popen([str(BIN), "--ros-args", "-p", f"model_path:={model}", "-p", "use_arbiter:=false",
                             "-p", f"inference_threads:={threads}", "-p", "log_period_s:=3600.0",
                             "-p", "qos:=reliable", "-p", "qos_depth:=1"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    ready = threading.Event()

    def read_log():
        for raw in iter(proc.stdout.readline, b""):
            if b"warm-up inference done" in raw:
                ready.set()
    threading.Thread(target=read_log, daemon=True).start()
    try:
        rclpy.init()
        n = Node("bench_depth")
        lock = threading.Lock()
        sent, lat, dsent, dlat = {}, [], {}, []

        def on_depth(m):
            key = (m.header.stamp.sec, m.header.stamp.nanosec)
            with lock:
                if key in sent:
                    lat.append((time.perf_counter() - sent.pop(key)) * 1e3)

        def on_dd(m):
            key = (m.header.stamp.sec, m.header.stamp.nanosec)
            with lock:
                if key in dsent:
                    dlat.append((time.perf_counter() - dsent.pop(key)) * 1e3)

        rel = QoSProfile(depth=50, reliability=ReliabilityPolicy.RELIABLE, history=HistoryPolicy.KEEP_LAST)
        n.create_subscription(Image, "depth", on_depth, rel)
        n.create_subscription(DetectionDepthArray, "detections_depth", on_dd, rel)
        pub = n.create_publisher(Image, "image", rel)
        dpub = n.create_publisher(Detection2DArray, "detections", rel)
        if not ready.wait(120):
            raise SystemExit("depth node did not start")
        end = time.time() + 30
        while (pub.get_subscription_count() == 0 or dpub.get_subscription_count() == 0) and time.time() < end:
            rclpy.spin_once(n, timeout_sec=0.1)
        executor = rclpy.executors.SingleThreadedExecutor()
        executor.add_node(n)
        threading.Thread(target=executor.spin, daemon=True).start()
        h, w = rgb.shape[:2]

        def dets(stamp):
            m = Detection2DArray()
            m.header.stamp.sec, m.header.stamp.nanosec = stamp
            for i, (cx, cy, sx, sy) in enumerate([(320, 240, 200, 300), (100, 100, 80, 80), (500, 400, 120, 150),
                                                  (320, 60, 600, 100), (600, 450, 60, 50)]):
                d = Detection2D()
                d.bbox.center.position.x, d.bbox.center.position.y, d.bbox.size_x, d.bbox.size_y = cx, cy, sx, sy
                d.id = str(i)
                m.detections.append(d)
            return m

        results = {"depth": [], "dd": []}
        for i in range(frames + 5):
            stamp = (1, i + 1)
            m = Image(height=h, width=w, encoding="rgb8", step=w * 3, data=rgb.tobytes())
            m.header.stamp.sec, m.header.stamp.nanosec = stamp
            with lock:
                sent[stamp] = time.perf_counter()
            pub.publish(m)
            # Detections for the frame once its depth is out (the ring then holds it).
            t_end = time.perf_counter() + max(period, 5.0)
            while time.perf_counter() < t_end:
                with lock:
                    if stamp not in sent:
                        break
                time.sleep(0.001)
            with lock:
                dsent[stamp] = time.perf_counter()
            dpub.publish(dets(stamp))
            time.sleep(period)
            if i == 4:  # warm-up done
                with lock:
                    lat.clear()
                    dlat.clear()
        time.sleep(1.0)
        with lock:
            results["depth"], results["dd"] = list(lat), list(dlat)
        executor.shutdown()
        n.destroy_node()
        rclpy.shutdown()
        return results
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--frames", type=int, default=50)
    ap.add_argument("--period", type=float, default=0.3, help="seconds between frames")
    ap.add_argument("--threads", type=int, default=1, help="inference threads (the node's inference set on 2 cores)")
    ap.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    a = ap.parse_args()
    from PIL import Image as PILImage
    shared = Path(os.environ.get("AIHAT_SHARED", REPO.parent / "shared"))
    rgb = np.asarray(PILImage.open(shared / "testdata" / "images" / "zidane.jpg").convert("RGB").resize((640, 480)))
    stand_in = is_stand_in(a.model)
    r = node_run(a.model, rgb, a.frames, a.period, a.threads)
    raw = raw_ort(a.model, a.threads, a.frames)
    rows = [("depth node, paced (image in -> depth out)", "depth", r["depth"]),
            ("detections -> detections_depth (5 boxes)", "detections_depth", r["dd"]),
            ("raw ONNX Runtime session.run, [1,3,518,686] (Python)", "raw_ort", raw)]
    what = "GENERATED STAND-IN model (pipeline cost only, not a depth network)" if stand_in else Path(a.model).name
    print(f"\n## Depth node latency, 640x480 rgb8, {what}, {a.threads} inference thread(s)\n")
    print("| path | n | p50 ms | p99 ms |")
    print("|---|---|---|---|")
    for name, _, v in rows:
        print(f"| {name} | {len(v)} | {pct(v, 50):.1f} | {pct(v, 99):.1f} |")
    if a.json:
        out = {"model": a.model, "stand_in": stand_in, "image": "640x480 rgb8", "threads": a.threads,
               "frames": a.frames, "period_s": a.period,
               "rows": {key: {"n": len(v), "p50_ms": pct(v, 50), "p99_ms": pct(v, 99)} for _, key, v in rows}}
        Path(a.json).write_text(json.dumps(out, indent=2) + "\n")
        print(f"\nwritten: {a.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
