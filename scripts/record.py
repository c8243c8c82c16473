#!/usr/bin/env python3
"""Watches a running aihat_ros graph over ROS and writes what a user wants to see into an
output folder: annotated images, every detection message as JSON lines, the accelerator status,
a run report (rates, latency p50/p99, drops, arbiter busy fraction, CPU use per core), and an
MCAP recording of the graph's topics (run.mcap, for Foxglove / Lichtblick; scripts/mcap_recording.py).

Used by scripts/run; also usable on its own next to a running graph:

    python scripts/record.py --out out --duration 60
"""

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path


def percentile(values, p):
    if not values:
        return None
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


def cdr_image_head(data):
    """(stamp seconds, frame_id, height, width) of a serialized sensor_msgs/Image, read from its
    first bytes: the big images are taken raw, and only the few saved ones are deserialized, so
    this loop never spends its time on megabytes it does not keep (that was what delayed the
    detection messages it times)."""
    import struct
    little = data[1] == 1  # encapsulation: 0x0001 = CDR little endian, 0x0000 = big endian
    e = "<" if little else ">"
    sec, nanosec, n = struct.unpack_from(e + "iII", data, 4)
    frame_id = bytes(data[16:16 + n - 1]).decode("utf-8", "replace") if n else ""
    off = 16 + n
    off += (-(off - 4)) % 4  # CDR aligns each field from the end of the 4-byte encapsulation header
    height, width = struct.unpack_from(e + "II", data, off)
    return sec + nanosec * 1e-9, frame_id, height, width


def cpu_times():
    """Per-core (busy, total) jiffies from /proc/stat."""
    out = {}
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu") and line[3].isdigit():
                name, *vals = line.split()
                vals = [int(x) for x in vals]
                idle = vals[3] + (vals[4] if len(vals) > 4 else 0)
                out[name] = (sum(vals) - idle, sum(vals))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="out")
    ap.add_argument("--duration", type=float, default=60.0, help="seconds to record")
    ap.add_argument("--expect-frames", type=int, default=0, help="stop early once this many detection messages arrived")
    ap.add_argument("--max-images", type=int, default=20, help="annotated images to save")
    ap.add_argument("--say", action="append", default=[], help="a voice command to send (repeatable); sent one "
                    "every --say-every seconds once detections flow. 'TEXT@LABEL' waits (up to 12 s) until the "
                    "latest detections and 3D detections show LABEL, as a person who points at what they see would")
    ap.add_argument("--say-every", type=float, default=4.0)
    ap.add_argument("--say-loop", action="store_true", help="say the --say list over and over (bench/soak.py)")
    ap.add_argument("--mcap", default=None, help="MCAP file to record the graph's topics into (default OUT/run.mcap; "
                    "'' = none)")
    args = ap.parse_args(argv)

    import numpy as np
    import rclpy
    from PIL import Image as PILImage
    from rclpy.node import Node
    from rclpy.serialization import deserialize_message
    from rclpy.qos import QoSProfile, ReliabilityPolicy, DurabilityPolicy, HistoryPolicy
    from sensor_msgs.msg import Image
    from std_msgs.msg import String
    from aihat_msgs.msg import (Detection2DArray, Detection3DArray, LabelInfo, AcceleratorStatus, PersonPoseArray,
                                DetectionDepthArray)

    out = Path(args.out)
    (out / "annotated").mkdir(parents=True, exist_ok=True)
    rclpy.init()
    node = Node("aihat_recorder")
    mcap_path = out / "run.mcap" if args.mcap is None else (Path(args.mcap) if args.mcap else None)
    recorder = None
    if mcap_path:
        # Its own node and executor thread: taking the big frames off DDS does not wait behind
        # this loop's work (PNG files, the report), so the recorder keeps up on a busy machine.
        import threading
        from rclpy.executors import SingleThreadedExecutor
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from mcap_recording import McapRecorder
        mcap_node = Node("aihat_mcap_recorder")
        mcap_executor = SingleThreadedExecutor()
        mcap_executor.add_node(mcap_node)
        recorder = McapRecorder(mcap_node, mcap_path)
        threading.Thread(target=mcap_executor.spin, name="mcap-executor", daemon=True).start()
    reliable = QoSProfile(depth=50, reliability=ReliabilityPolicy.RELIABLE, history=HistoryPolicy.KEEP_LAST)
    latched = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE,
                         durability=DurabilityPolicy.TRANSIENT_LOCAL, history=HistoryPolicy.KEEP_LAST)
    labels = {}
    det_log = open(out / "detections.jsonl", "w")
    state = {"det": [], "latency_ms": [], "images": 0, "status": None, "classes": {}, "commands": []}
    # The other perception topics: arrival times and message-in -> result-out latency per topic.
    others = {name: {"t": [], "latency_ms": [], "items": 0, "stamps": set()}
              for name in ("poses", "depth", "detections_depth", "detections_3d")}
    # Camera frames seen (stamps), against which each output's missed frames are counted.
    camera = {"stamps": [], "t": []}
    # Each node process's CPU seconds from the first detections on, and at the end.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import graph_procs
    domain = os.environ.get("ROS_DOMAIN_ID", "0")
    cpu_start = {}
    # Tracks: the detection node's persistent ids (Detection2D.id) with what was seen of each; the
    # 3D detections give their last position.
    tracks = {}
    saved = {"detections": 0, "poses": 0, "depth": 0}
    sizes = {}
    cmd_log = open(out / "commands.jsonl", "w")

    def stamp_s(h):
        return h.stamp.sec + h.stamp.nanosec * 1e-9

    def on_labels(m):
        labels.update({c.class_id: c.class_name for c in m.class_map})

    def cpu_from_now():
        """CPU time counts from the graph's first output (any topic: a run may lack detection)."""
        if not cpu_start:
            cpu_start.update({n: (graph_procs.cpu_seconds(pid), time.monotonic(), pid)
                              for n, pid in graph_procs.graph_processes(domain).items()})

    def on_det(m):
        now = time.time()
        cpu_from_now()
        state["det"].append(now)
        state.setdefault("det_stamps", set()).add(stamp_s(m.header))
        # Camera stamps are wall-clock (same machine): message in -> detections out.
        state["latency_ms"].append((now - stamp_s(m.header)) * 1e3)
        items = []
        for d in m.detections:
            cid = int(d.results[0].hypothesis.class_id)
            name = labels.get(cid, str(cid))
            state["classes"][name] = state["classes"].get(name, 0) + 1
            if d.id and "-" not in d.id:  # a track id, not a per-frame `<frame>-<index>` one
                t = tracks.setdefault(d.id, {"label": name, "frames": 0, "first_s": now, "last_s": now})
                t["frames"] += 1
                t["last_s"] = now
            items.append({"id": d.id, "class": name, "score": round(d.results[0].hypothesis.score, 3),
                          "center": [round(d.bbox.center.position.x, 1), round(d.bbox.center.position.y, 1)],
                          "size": [round(d.bbox.size_x, 1), round(d.bbox.size_y, 1)]})
        state["in_view"] = ({it["class"] for it in items}, now)
        det_log.write(json.dumps({"stamp": stamp_s(m.header), "frame_id": m.header.frame_id,
                                  "detections": items}) + "\n")

    def on_image(kind):
        def save(data):
            # The replay loops over a few images: keep two of each source image (told apart by a
            # sample of the camera frame's pixels; by size for a frame that came without one), so
            # the saved set shows all of them rather than ten of the first; its 5th and 6th
            # showing, when its objects' tracks are confirmed and the depth node has given them
            # distances (the main job holds each image for 6 frames).
            stamp, _, height, width = cdr_image_head(data)
            size = (kind, source_of.get(stamp, (width, height)))
            sizes[size] = sizes.get(size, 0) + 1
            if saved[kind] >= args.max_images or not 5 <= sizes[size] <= 6:
                return
            m = deserialize_message(data, Image)
            if m.encoding != "rgb8":
                return
            arr = np.frombuffer(bytes(m.data), dtype=np.uint8).reshape(m.height, m.step)[:, : m.width * 3]
            name = f"{kind}_{saved[kind]:03d}_{m.header.frame_id or 'frame'}.png"
            PILImage.fromarray(arr.reshape(m.height, m.width, 3)).save(out / "annotated" / name)
            saved[kind] += 1
            state["images"] = sum(saved.values())
        return save

    # Camera stamp -> which source image the frame shows: a sample of its pixels (the replay
    # publishes every image at one size, so the size no longer tells them apart).
    source_of = {}

    def on_camera(data):
        stamp = cdr_image_head(data)[0]
        camera["stamps"].append(stamp)
        camera["t"].append(time.time())
        if len(source_of) > 1000:
            source_of.clear()
        source_of[stamp] = hash(bytes(data[-(1 << 20)::4099]))

    def on_other(name, count, raw=False):
        def cb(m):
            now = time.time()
            o = others[name]
            o["t"].append(now)
            cpu_from_now()
            stamp = cdr_image_head(m)[0] if raw else stamp_s(m.header)
            o["latency_ms"].append((now - stamp) * 1e3)
            o["stamps"].add(stamp)
            o["items"] += count(m)
        return cb

    def on_3d(m):
        placed = {labels.get(int(d.results[0].hypothesis.class_id), d.results[0].hypothesis.class_id)
                  for d in m.detections if d.results}
        # Consecutive 3D messages placing each label: the parser has then had one to ground on.
        runs = state.setdefault("placed_runs", {})
        state["placed_runs"] = {lb: runs.get(lb, 0) + 1 for lb in placed}
        state["placed"] = (placed, time.time())
        for d in m.detections:
            c = d.bbox.center.position
            t = tracks.get(d.id)
            if t is not None:
                t["position_m"] = [round(c.x, 2), round(c.y, 2), round(c.z, 2)]
                t["distance_m"] = round(float(np.linalg.norm([c.x, c.y, c.z])), 2)
                t["frame_id"] = m.header.frame_id

    def on_status(m):
        state["status"] = m
        # Each status covers the window since the previous one: their mean is the run's figure.
        state.setdefault("busy", []).append(m.busy_fraction)

    def on_command(m):
        state["commands"].append(json.loads(m.data))
        cmd_log.write(m.data + "\n")
        cmd_log.flush()
        print(f"[record] command: {m.data}", flush=True)

    node.create_subscription(LabelInfo, "label_info", on_labels, latched)
    node.create_subscription(Detection2DArray, "detections", on_det, reliable)
    node.create_subscription(Image, "camera/image", on_camera, reliable, raw=True)
    node.create_subscription(Image, "detections/image", on_image("detections"), reliable, raw=True)
    node.create_subscription(Image, "poses/image", on_image("poses"), reliable, raw=True)
    node.create_subscription(Image, "depth/image", on_image("depth"), reliable, raw=True)
    node.create_subscription(PersonPoseArray, "poses", on_other("poses", lambda m: len(m.persons)), reliable)
    # Reliable: a 32FC1 frame is megabytes, and best effort loses one whenever a fragment drops.
    node.create_subscription(Image, "depth", on_other("depth", lambda m: 1, raw=True), reliable, raw=True)
    node.create_subscription(DetectionDepthArray, "detections_depth",
                             on_other("detections_depth", lambda m: len(m.detections)), reliable)
    node.create_subscription(Detection3DArray, "detections_3d",
                             on_other("detections_3d", lambda m: len(m.detections)), reliable)
    node.create_subscription(Detection3DArray, "detections_3d", on_3d, reliable)
    node.create_subscription(AcceleratorStatus, "accelerator/status", on_status, reliable)
    node.create_subscription(String, "robot_command_json", on_command, reliable)
    say_pub = node.create_publisher(String, "voice_command", reliable)
    to_say = list(args.say)
    next_say = None

    stop = {"flag": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(flag=True))
    cpu0 = cpu_times()
    t0 = time.time()
    last_print = t0
    while not stop["flag"] and time.time() - t0 < args.duration:
        rclpy.spin_once(node, timeout_sec=0.1)
        if time.time() - last_print >= 5:
            last_print = time.time()
            print(f"[record] {time.time() - t0:5.0f} s: {len(state['det'])} detections, "
                  f"{len(others['poses']['t'])} poses, {len(others['depth']['t'])} depth images, "
                  f"{len(others['detections_depth']['t'])} detections_depth, {state['images']} annotated images saved"
                  + (f"; {recorder.status()}" if recorder else ""), flush=True)
        if to_say and state["det"] and say_pub.get_subscription_count() > 0:
            if next_say is None:
                next_say = time.time()
            text, _, label = to_say[0].partition("@")
            waited_out = next_say is not None and time.time() > next_say + 12
            # In view now: in a detections message that arrived within the last second (the parser
            # grounds on detections younger than its grounding_max_age_s, 2 s by default).
            # And placed in 3D lately: the command then shows the target's position and distance.
            seen, seen_at = state.get("in_view", (set(), 0.0))
            placed, placed_at = state.get("placed", (set(), 0.0))
            in_view = label in seen and time.time() - seen_at < 1.0 and label in placed and time.time() - placed_at < 1.0 \
                and state["placed_runs"].get(label, 0) >= 2
            if time.time() >= next_say and (not label or in_view or waited_out):
                said = to_say.pop(0)
                if args.say_loop:
                    to_say.append(said)
                print(f"[record] saying: {text!r}", flush=True)
                say_pub.publish(String(data=text))
                next_say = time.time() + args.say_every
        if args.expect_frames and len(state["det"]) >= args.expect_frames:
            # Let the last status message arrive.
            end = time.time() + 1.5
            while time.time() < end:
                rclpy.spin_once(node, timeout_sec=0.1)
            break
    elapsed = time.time() - t0
    cpu1 = cpu_times()
    mcap_report = None
    if recorder:
        mcap_executor.shutdown()
        mcap_report = recorder.close()
        mcap_node.destroy_node()
    if mcap_report:
        lost = {**mcap_report["dropped_writer_queue_full"], **mcap_report["missed_sequence_gaps"]}
        print(f"[record] {mcap_report['path']}: {sum(mcap_report['messages'].values())} messages, "
              f"{mcap_report['file_mb']} MB ({mcap_report['payload_mb']} MB of messages before compression); "
              + (f"NOT RECORDED (recorder fell behind): {mcap_report['dropped_writer_queue_full']} dropped, "
                 f"{mcap_report['missed_sequence_gaps']} missed" if lost else "nothing lost"), flush=True)
    det_log.close()
    cmd_log.close()

    cpu_percent = {}
    for n, (c0, t0_, pid) in cpu_start.items():
        c1 = graph_procs.cpu_seconds(pid)
        if c0 is not None and c1 is not None and time.monotonic() > t0_:
            cpu_percent[n] = round(100.0 * (c1 - c0) / (time.monotonic() - t0_), 1)
    cam_period = None
    if len(camera["t"]) > 2:
        gaps = sorted(b - a for a, b in zip(camera["t"], camera["t"][1:]))
        cam_period = gaps[len(gaps) // 2]

    def delivery(ts, stamps):
        """Isaac ROS benchmark style figures of one output: jitter (p99 of how far each interval
        between outputs is from the camera's period, ms) and missed frames (camera frames between
        the first and the last output with no output of their stamp)."""
        out_ = {}
        if cam_period and len(ts) > 2:
            out_["jitter_ms_p99"] = percentile([abs((b - a) - cam_period) * 1e3 for a, b in zip(ts, ts[1:])], 99)
        if stamps:
            lo, hi = min(stamps), max(stamps)
            sent = [c for c in camera["stamps"] if lo <= c <= hi]
            out_["frames_sent"] = len(sent)
            out_["missed_frames"] = sum(1 for c in sent if c not in stamps)
        return out_

    s = state["status"]
    lat = state["latency_ms"]
    dets = state["det"]
    def rate_of(ts):
        return (len(ts) - 1) / (ts[-1] - ts[0]) if len(ts) > 1 and ts[-1] > ts[0] else 0.0

    rate = rate_of(dets)
    report = {
        "duration_s": round(elapsed, 1),
        "detection": {
            "messages": len(dets),
            "rate_hz": round(rate, 2),
            "latency_ms_p50": percentile(lat, 50),
            "latency_ms_p99": percentile(lat, 99),
            "objects_by_class": dict(sorted(state["classes"].items(), key=lambda kv: -kv[1])),
            **delivery(dets, state.get("det_stamps", set())),
        },
        **{name: {"messages": len(o["t"]), "rate_hz": round(rate_of(o["t"]), 2),
                  "latency_ms_p50": percentile(o["latency_ms"], 50), "latency_ms_p99": percentile(o["latency_ms"], 99),
                  {"poses": "persons", "depth": "images", "detections_depth": "detections",
                   "detections_3d": "detections"}[name]: o["items"], **delivery(o["t"], o["stamps"])}
           for name, o in others.items()},
        "camera": {"frames": len(camera["stamps"]), "period_ms": round(cam_period * 1e3, 1) if cam_period else None},
        "cpu_percent_per_node": cpu_percent,
        "arbiter": None if s is None else {
            "backend": s.backend,
            "busy_fraction": round(sum(state["busy"]) / len(state["busy"]), 3),
            "model_switches": s.model_switches,
            "clients": [{"client": c.client, "model": c.model, "completed": c.completed, "dropped": c.dropped,
                         "deadline_misses": c.deadline_misses, "run_p50_ms": round(c.run_p50_ms, 1),
                         "run_p99_ms": round(c.run_p99_ms, 1), "wait_p99_ms": round(c.wait_p99_ms, 1)}
                        for c in s.clients],
        },
        "cpu_use_per_core": {k: round((cpu1[k][0] - cpu0[k][0]) / max(1, cpu1[k][1] - cpu0[k][1]), 3) for k in cpu1},
        "annotated_images": dict(saved),
        "mcap": mcap_report,
        "tracks": [{"id": k, "label": t["label"], "frames": t["frames"], "seen_s": round(t["last_s"] - t["first_s"], 1),
                    "distance_m": t.get("distance_m"), "position_m": t.get("position_m"), "frame_id": t.get("frame_id")}
                   for k, t in sorted(tracks.items(), key=lambda kv: -kv[1]["frames"])],
        "commands": [{"said": c.get("text"), "action": c.get("action"), "source": c.get("source"),
                      "parsed": {k: v for k, v in c.items() if k not in ("text", "confidence", "source")}}
                     for c in state["commands"]],
    }
    (out / "report.json").write_text(json.dumps(report, indent=2))
    node.destroy_node()
    rclpy.shutdown()
    # A run in which no perception result arrived at all is a failed run.
    return 0 if dets or any(o["t"] for o in others.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
