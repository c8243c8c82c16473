"""The command parser node over ROS: the development set (tests/data/commands_dev.yaml) sent
as std_msgs/String on `voice_command`, every reply read from `robot_command` (typed) and
`robot_command_json`; exact-match accuracy (action plus slots) with the fast path alone and
with the LLM, and every published command checked against the vocabulary's actions, slots
and ranges. Grounding against live detections and stop aborting a generation are checked too.
"""

import json
import time

import pytest
import yaml

from conftest import REPO

VOCAB = yaml.safe_load((REPO / "params" / "vocabulary.yaml").read_text())
DEV = yaml.safe_load((REPO / "tests" / "data" / "commands_dev.yaml").read_text())
# Floors set a little under the figures measured through ROS (fast path alone 0.950: what it
# cannot parse becomes `unknown`, which the dev set expects for ambiguous input; with
# SmolLM2-135M 112/119 = 0.941): a regression fails, run-to-run noise does not.
FLOOR_FAST, FLOOR_LLM = 0.92, 0.90


def matches(expect, got):
    if got["action"] != expect["action"]:
        return False
    if expect["action"] == "unknown":
        return True
    meta = {"action", "confidence", "source", "text", "reason", "target_in_view", "target_detection_id"}
    slots = {k: v for k, v in got.items() if k not in meta}
    want = {k: v for k, v in expect.items() if k != "action"}
    if set(slots) != set(want):
        return False
    for k, v in want.items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            if not isinstance(slots[k], (int, float)) or abs(slots[k] - v) > 1e-3:
                return False
        elif str(slots[k]).lower() != str(v).lower():
            return False
    return True


def check_valid(msg):
    """A published RobotCommand must name a vocabulary action and carry only its slots, in range."""
    from aihat_msgs.msg import CommandSlot
    if msg.action == "unknown":
        assert msg.reason, "unknown without a reason"
        return
    spec = VOCAB["actions"].get(msg.action)
    assert spec is not None, f"invented action {msg.action!r}"
    slots = spec.get("slots") or {}
    for s in msg.slots:
        assert s.name in slots, f"{msg.action}: invented slot {s.name!r}"
        sspec = slots[s.name]
        if s.type == CommandSlot.TYPE_NUMBER:
            assert sspec.get("type") == "number"
            assert sspec["min"] - 1e-9 <= s.number <= sspec["max"] + 1e-9, (msg.action, s.name, s.number)
        elif s.type == CommandSlot.TYPE_ENUM:
            assert s.text in (sspec.get("values") or {}), (msg.action, s.name, s.text)


def run_devset(start_node, rclpy_node, use_llm):
    from rclpy.qos import QoSProfile, ReliabilityPolicy, HistoryPolicy
    from std_msgs.msg import String
    from aihat_msgs.msg import RobotCommand

    node = start_node("command_parser", params={"use_llm": use_llm, "use_arbiter": False})
    assert node.wait_for_log("ready for voice commands", timeout=180), node.output()
    n = rclpy_node
    qos = QoSProfile(depth=50, reliability=ReliabilityPolicy.RELIABLE, history=HistoryPolicy.KEEP_LAST)
    js, typed = [], []
    n.create_subscription(String, "robot_command_json", lambda m: js.append(json.loads(m.data)), qos)
    n.create_subscription(RobotCommand, "robot_command", lambda m: typed.append(m), qos)
    pub = n.create_publisher(String, "voice_command", qos)
    assert n.spin_until(lambda: pub.get_subscription_count() > 0, alive=node.alive)
    correct, by_source = 0, {"fast_path": 0, "llm": 0}
    for case in DEV:
        k = len(js)
        pub.publish(String(data=case["text"]))
        assert n.spin_until(lambda: len(js) > k and len(typed) > k, timeout=120, alive=node.alive), (case, node.output())
        got = js[-1]
        if case["text"].isprintable():  # control characters are not echoed back
            assert got["text"] == case["text"][:240]
        by_source[got["source"]] += 1
        correct += matches(case["expect"], got)
        check_valid(typed[-1])
    assert node.alive()
    return correct / len(DEV), by_source


def test_devset_fast_path_alone(start_node, rclpy_node):
    acc, src = run_devset(start_node, rclpy_node, use_llm=False)
    print(f"\ncommand dev set through ROS, fast path alone: {acc:.3f} exact ({len(DEV)} commands, {src})")
    assert src["llm"] == 0
    assert acc >= FLOOR_FAST


def test_devset_with_llm(start_node, rclpy_node):
    acc, src = run_devset(start_node, rclpy_node, use_llm=True)
    print(f"\ncommand dev set through ROS, fast path + LLM: {acc:.3f} exact ({len(DEV)} commands, {src})")
    assert src["llm"] > 0
    assert acc >= FLOOR_LLM


def test_target_is_grounded_in_the_latest_detections(start_node, rclpy_node):
    from rclpy.qos import QoSProfile, ReliabilityPolicy, HistoryPolicy, DurabilityPolicy
    from std_msgs.msg import String
    from aihat_msgs.msg import RobotCommand, Detection2DArray, Detection2D, ObjectHypothesisWithPose, LabelInfo, VisionClass

    # A long max age: on a loaded machine delivery of the latched label map can take a moment.
    node = start_node("command_parser", params={"use_llm": False, "use_arbiter": False, "grounding_max_age_s": 60.0})
    assert node.wait_for_log("ready for voice commands", timeout=60), node.output()
    n = rclpy_node
    qos = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE, history=HistoryPolicy.KEEP_LAST)
    latched = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL,
                         history=HistoryPolicy.KEEP_LAST)
    got = []
    n.create_subscription(RobotCommand, "robot_command", lambda m: got.append(m), qos)
    lpub = n.create_publisher(LabelInfo, "label_info", latched)
    dpub = n.create_publisher(Detection2DArray, "detections", qos)
    vpub = n.create_publisher(String, "voice_command", qos)
    assert n.spin_until(lambda: dpub.get_subscription_count() > 0 and vpub.get_subscription_count() > 0)
    lpub.publish(LabelInfo(class_map=[VisionClass(class_id=0, class_name="person"), VisionClass(class_id=41, class_name="cup")]))

    def det(cls, score, size, id_):
        d = Detection2D(id=id_)
        h = ObjectHypothesisWithPose()
        h.hypothesis.class_id, h.hypothesis.score = str(cls), score
        d.results = [h]
        d.bbox.size_x = d.bbox.size_y = size
        return d
    # Two cups: the larger (nearer) one is the most prominent.
    dpub.publish(Detection2DArray(detections=[det(41, 0.8, 40.0, "7-0"), det(41, 0.9, 120.0, "7-1"), det(0, 0.9, 200.0, "7-2")]))
    n.spin_until(lambda: False, timeout=2.0)
    for text in ("pick up the cup", "find the giraffe"):
        k = len(got)
        vpub.publish(String(data=text))
        assert n.spin_until(lambda: len(got) > k, timeout=20), node.output()
    cup, giraffe = got[-2], got[-1]
    assert (cup.action, cup.target_label, cup.target_detection_id, cup.target_in_view) == ("pick_up", "cup", "7-1", True)
    assert (giraffe.action, giraffe.target_label, giraffe.target_in_view) == ("find", "giraffe", False)
