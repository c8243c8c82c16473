"""Records ROS 2 topics into an MCAP file that Foxglove and Lichtblick open: CDR messages as
they came over DDS, with each type's full message definition embedded (schema encoding
`ros2msg`, the same form rosbag2's MCAP storage writes).

Used by scripts/record.py (the main job's `out/run.mcap`) and tests/test_mcap_recording.py.
"""

import importlib
import os
import queue
import re
import sys
import threading
import time
from pathlib import Path

# What the main job records: topic -> type, topic names as the graph uses them from the root
# namespace (launch/robot.launch.py remaps the camera to camera/image and camera/camera_info).
GRAPH_TOPICS = {
    "camera/image": "sensor_msgs/msg/Image",
    "camera/camera_info": "sensor_msgs/msg/CameraInfo",
    "detections": "aihat_msgs/msg/Detection2DArray",
    "detections_3d": "aihat_msgs/msg/Detection3DArray",
    "poses": "aihat_msgs/msg/PersonPoseArray",
    "depth": "sensor_msgs/msg/Image",
    "detections_depth": "aihat_msgs/msg/DetectionDepthArray",
    "robot_command": "aihat_msgs/msg/RobotCommand",
    "accelerator/status": "aihat_msgs/msg/AcceleratorStatus",
}

_PRIMITIVES = {"bool", "byte", "char", "float32", "float64", "int8", "uint8", "int16", "uint16", "int32",
               "uint32", "int64", "uint64", "string", "wstring"}
_SEPARATOR = "=" * 80


def _msg_file(pkg, name):
    from ament_index_python.packages import get_package_share_directory
    return Path(get_package_share_directory(pkg)) / "msg" / f"{name}.msg"


def ros2msg_schema(type_name, read=None):
    """The full definition of `type_name` ("pkg/msg/Type" or "pkg/Type") as rosbag2 and Foxglove
    expect it: the type's .msg text, then every type it uses (recursively, each once, in order of
    first use) as "====...\\nMSG: pkg/Type\\n<text>". `read(pkg, name)` gives a .msg file's text;
    by default the installed one from the ament index."""
    read = read or (lambda pkg, name: _msg_file(pkg, name).read_text())
    pkg, name = _split(type_name)
    parts = [read(pkg, name).rstrip("\n")]
    seen = set()
    todo = _field_types(parts[0], pkg)
    while todo:
        dep = todo.pop(0)
        if dep in seen:
            continue
        seen.add(dep)
        text = read(*dep).rstrip("\n")
        parts.append(f"{_SEPARATOR}\nMSG: {dep[0]}/{dep[1]}\n{text}")
        todo = _field_types(text, dep[0]) + todo  # depth first: a type's own uses follow it
    return "\n".join(parts) + "\n"


def _split(type_name):
    p = type_name.split("/")
    return p[0], p[-1]


def _field_types(text, pkg):
    """The non-primitive (pkg, Type) of each field in a .msg text, in order."""
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        ftype = re.sub(r"\[.*\]$", "", line.split()[0])
        base = re.sub(r"<=\d+$", "", ftype)
        if base in _PRIMITIVES:
            continue
        if base == "Header":  # ROS 1 shorthand, still accepted by the message generators
            out.append(("std_msgs", "Header"))
        elif "/" in base:
            out.append(_split(base))
        else:
            out.append((pkg, base))
    return out


def _msg_class(type_name):
    pkg, name = _split(type_name)
    return getattr(importlib.import_module(f"{pkg}.msg"), name)


class McapRecorder:
    """Subscribes to `topics` ({topic: "pkg/msg/Type"}) on an rclpy `node` without deserializing
    (raw CDR as it came over DDS) and writes every message to `path` from a writer thread, so the
    node's executor only queues bytes. Messages are lost only where counted: `dropped` (the
    writer queue was full) and `missed` (gaps in the publisher's sequence numbers: the reader's
    history overflowed before the executor took them). Subscriptions are reliable (the graph's
    publishers are), keep last `depth`.

    The writer compresses chunks with zstd: raw images and float depth maps are most of the
    bytes, and a chunk per ~4 MB keeps a frame with its neighbours for Foxglove's seeking."""

    def __init__(self, node, path, topics=None, depth=20, queue_size=200, chunk_size=4 * 1024 * 1024,
                 library="aihat_ros scripts/mcap_recording.py"):
        from mcap.writer import CompressionType, Writer
        from rclpy.qos import HistoryPolicy, QoSProfile, ReliabilityPolicy

        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.topics = dict(GRAPH_TOPICS if topics is None else topics)
        self._file = open(self.path, "wb")
        self._writer = Writer(self._file, chunk_size=chunk_size, compression=CompressionType.ZSTD)
        self._writer.start(profile="ros2", library=library)
        self._channels = {}
        schemas = {}
        for topic, type_name in self.topics.items():
            if type_name not in schemas:
                schemas[type_name] = self._writer.register_schema(
                    name=type_name, encoding="ros2msg", data=ros2msg_schema(type_name).encode())
            self._channels[topic] = self._writer.register_channel(
                topic=topic if topic.startswith("/") else "/" + topic, message_encoding="cdr",
                schema_id=schemas[type_name])
        self.messages = {t: 0 for t in self.topics}
        self.bytes = 0
        self.dropped = {t: 0 for t in self.topics}
        self.missed = {t: 0 for t in self.topics}
        self._last_seq = {}
        self._queue = queue.Queue(maxsize=queue_size)
        self._thread = threading.Thread(target=self._write_loop, name="mcap-writer", daemon=True)
        self._thread.start()
        qos = QoSProfile(depth=depth, reliability=ReliabilityPolicy.RELIABLE, history=HistoryPolicy.KEEP_LAST)
        self._subs = [node.create_subscription(_msg_class(ty), topic, self._on_message(topic), qos, raw=True)
                      for topic, ty in self.topics.items()]
        self._node = node

    def _on_message(self, topic):
        def cb(data, info):
            now = time.time_ns()
            seq = info.get("publication_sequence_number", 0)
            # A single publisher per topic here: a jump in its sequence numbers is messages this
            # reader never took. A step back is another (or a restarted) publisher.
            if 0 < seq < 2**63:
                last = self._last_seq.get(topic)
                if last is not None and seq > last + 1:
                    self.missed[topic] += seq - last - 1
                self._last_seq[topic] = seq
            log_time = info.get("received_timestamp") or now
            publish_time = info.get("source_timestamp") or log_time
            try:
                self._queue.put_nowait((topic, bytes(data), log_time, publish_time))
            except queue.Full:
                self.dropped[topic] += 1
        return cb

    def _write_loop(self):
        seqs = {}
        while True:
            item = self._queue.get()
            if item is None:
                return
            topic, data, log_time, publish_time = item
            seqs[topic] = seqs.get(topic, 0) + 1
            self._writer.add_message(channel_id=self._channels[topic], log_time=log_time, data=data,
                                     publish_time=publish_time, sequence=seqs[topic])
            self.messages[topic] += 1
            self.bytes += len(data)

    def lost(self):
        """Messages not recorded so far, by topic (only topics that lost any)."""
        return {t: self.dropped[t] + self.missed[t] for t in self.topics if self.dropped[t] + self.missed[t]}

    def status(self):
        lost = self.lost()
        return (f"{sum(self.messages.values())} messages in {self.path.name} ({self.bytes / 1e6:.0f} MB before "
                f"compression)" + (f", NOT RECORDED: {lost}" if lost else ""))

    def close(self):
        """Stops recording, writes the MCAP summary and returns a report of what was recorded."""
        for s in self._subs:
            self._node.destroy_subscription(s)
        self._queue.put(None)
        self._thread.join()
        self._writer.finish()
        self._file.close()
        return {"path": str(self.path), "file_mb": round(os.path.getsize(self.path) / 1e6, 1),
                "payload_mb": round(self.bytes / 1e6, 1), "messages": dict(self.messages),
                "dropped_writer_queue_full": {t: n for t, n in self.dropped.items() if n},
                "missed_sequence_gaps": {t: n for t, n in self.missed.items() if n}}


if __name__ == "__main__":
    # The embedded definition of a type, e.g. `python scripts/mcap_recording.py sensor_msgs/msg/Image`.
    sys.stdout.write(ros2msg_schema(sys.argv[1]))
