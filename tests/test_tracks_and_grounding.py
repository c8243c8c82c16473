"""Tracks and grounding through the real graph: detection (YOLOv8n, tracking on), depth (FastDepth)
and the command parser as processes, fed a camera's frames and its camera_info by this client.

- The objects of a panning view keep their track ids from frame to frame.
- Two commands naming the same object while it stays tracked resolve to the same track id, with
  its 3D position in the camera's optical frame and its distance.
- "follow me" resolves to the nearest person track (nearest by the detections_3d the client saw).
"""

import json
import math

import numpy as np

from conftest import SHARED
from vision_topics import load_rgb, make_image, reliable_qos

MODELS = SHARED / "models"


def camera_info(stamp, w, h, hfov_deg=66.0, frame_id="camera_optical_frame"):
    from sensor_msgs.msg import CameraInfo
    f = w / 2 / math.tan(math.radians(hfov_deg) / 2)
    m = CameraInfo()
    m.header.frame_id = frame_id
    m.header.stamp.sec, m.header.stamp.nanosec = stamp
    m.width, m.height = w, h
    m.k = [f, 0.0, w / 2, 0.0, f, h / 2, 0.0, 0.0, 1.0]
    m.p = [f, 0.0, w / 2, 0.0, 0.0, f, h / 2, 0.0, 0.0, 0.0, 1.0, 0.0]
    m.r = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
    m.d = [0.0] * 5
    m.distortion_model = "plumb_bob"
    return m


class Graph:
    def __init__(self, start_node, n):
        from sensor_msgs.msg import CameraInfo, Image
        from std_msgs.msg import String
        from aihat_msgs.msg import Detection2DArray, Detection3DArray, RobotCommand
        common = {"use_arbiter": False, "qos": "reliable", "qos_depth": 10, "inference_threads": 1}
        self.det = start_node("detection", params=dict(common, model_path=str(MODELS / "yolov8n_w8f32.onnx")))
        self.dep = start_node("depth", params=dict(common, model_path=str(MODELS / "fastdepth_224_aihat.onnx"),
                                                   max_wait_s=30.0))
        # A long memory: on a loaded machine the commands may come a while after the last frame.
        self.cmd = start_node("command_parser", params={"use_llm": False, "use_arbiter": False,
                                                        "grounding_max_age_s": 60.0})
        self.procs = [self.det, self.dep, self.cmd]
        assert self.det.wait_for_log("warm-up inference done", timeout=90), self.det.output()
        assert self.dep.wait_for_log("warm-up inference done", timeout=90), self.dep.output()
        assert self.cmd.wait_for_log("ready for voice commands", timeout=90), self.cmd.output()
        self.n = n
        q = reliable_qos(50)
        self.d2, self.d3, self.cmds = [], [], []
        n.create_subscription(Detection2DArray, "detections", self.d2.append, q)
        n.create_subscription(Detection3DArray, "detections_3d", self.d3.append, q)
        n.create_subscription(RobotCommand, "robot_command", self.cmds.append, q)
        self.js = []
        n.create_subscription(String, "robot_command_json", lambda m: self.js.append(json.loads(m.data)), q)
        self.img = n.create_publisher(Image, "image", q)
        self.info = n.create_publisher(CameraInfo, "camera_info", q)
        self.say_pub = n.create_publisher(String, "voice_command", q)
        ok = n.spin_until(lambda: self.img.get_subscription_count() >= 2 and self.info.get_subscription_count() >= 2
                          and self.say_pub.get_subscription_count() >= 1, alive=self.alive)
        assert ok, self.output()

    def alive(self):
        return all(p.alive() for p in self.procs)

    def output(self):
        return "\n".join(p.output() for p in self.procs)

    def frame(self, rgb, k):
        """One camera frame and its camera_info; waits for its detections and 3D detections."""
        h, w = rgb.shape[:2]
        stamp = (5000 + k, 0)
        n2, n3 = len(self.d2), len(self.d3)
        self.info.publish(camera_info(stamp, w, h))
        # Two topics, no order between them: let the intrinsics arrive first, as a running camera's do.
        self.n.spin_until(lambda: False, timeout=0.3)
        self.img.publish(make_image(np.ascontiguousarray(rgb), "rgb8", stamp, "camera_optical_frame"))
        assert self.n.spin_until(lambda: len(self.d2) > n2 and len(self.d3) > n3, timeout=90, alive=self.alive), \
            self.output()
        return self.d2[-1], self.d3[-1]

    def say(self, text):
        from std_msgs.msg import String
        k = len(self.cmds)
        self.say_pub.publish(String(data=text))
        assert self.n.spin_until(lambda: len(self.cmds) > k and len(self.js) > k, timeout=30, alive=self.alive), \
            self.output()
        return self.cmds[-1], self.js[-1]


def test_tracks_persist_and_commands_ground_on_them(start_node, rclpy_node):
    g = Graph(start_node, rclpy_node)
    bus = load_rgb("bus.jpg")                      # 810 x 1080: a bus and four people
    # A camera panning right 12 px per frame: every object moves in the image.
    frames = [bus[:, 12 * k: 12 * k + 640] for k in range(8)]
    ids_per_frame = []
    for k, rgb in enumerate(frames):
        d2, d3 = g.frame(rgb, k)
        ids_per_frame.append({d.id for d in d2.detections if d.id})
    print("\ntrack ids per frame:", [sorted(s, key=int) for s in ids_per_frame])
    # From the second frame on (every object confirmed), the same objects keep the same ids.
    stable = ids_per_frame[1]
    assert len(stable) >= 3
    for s in ids_per_frame[2:]:
        assert len(stable & s) >= len(stable) - 1, ids_per_frame   # one may leave the panning view
    assert all(id_.isdigit() for s in ids_per_frame for id_ in s)

    # Two commands naming the bus while it stays tracked: the same id, with a position.
    first, j1 = g.say("look at the bus")
    g.frame(frames[-1], 8)
    second, j2 = g.say("please go to the bus")
    print("commands:", j1, j2)
    for c in (first, second):
        assert c.target_label == "bus" and c.target_in_view and c.target_has_position, c
        assert c.target_position.header.frame_id == "camera_optical_frame"
        assert c.target_position.point.z > 0.3 and math.isfinite(c.target_distance_m)
        p = c.target_position.point
        assert abs(math.sqrt(p.x ** 2 + p.y ** 2 + p.z ** 2) - c.target_distance_m) < 1e-3
    assert first.target_track_id == second.target_track_id != ""
    bus_ids = {d.id for d in g.d2[-1].detections if d.results[0].hypothesis.class_id == "5"}
    assert second.target_track_id in bus_ids

    # "follow me": the nearest person track in the latest 3D detections.
    people = [(math.dist((0, 0, 0), (d.bbox.center.position.x, d.bbox.center.position.y, d.bbox.center.position.z)), d.id)
              for d in g.d3[-1].detections if d.results[0].hypothesis.class_id == "0" and d.id]
    assert len(people) >= 2
    nearest = min(people)[1]
    follow, jf = g.say("follow me")
    print("follow me ->", jf, "people (range, id):", sorted(people))
    assert (follow.action, follow.target_label) == ("follow", "person")
    assert follow.target_track_id == nearest and follow.target_in_view and follow.target_has_position
