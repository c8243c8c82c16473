"""The command dev set (tests/data/commands_dev.yaml) and its scoring, shared by the command
parser's ROS tests and bench/command_accuracy.py: exact match (action plus slots), accuracy per
split and per source (fast path / LLM), and wrong-valid answers."""
from pathlib import Path

import yaml

DEV = yaml.safe_load((Path(__file__).resolve().parent / "data" / "commands_dev.yaml").read_text())
SPLITS = ("dev", "heldout")


def matches(expect, got):
    if got["action"] != expect["action"]:
        return False
    if expect["action"] == "unknown":
        return True
    meta = {"action", "confidence", "source", "text", "reason", "target_in_view", "target_id", "target_position",
            "target_frame", "target_distance_m"}
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


def score_devset(cases, replies):
    """Exact-match accuracy per split and per source (fast path / LLM), and the wrong-valid
    count: a published command that is not `unknown` but whose action or slots differ from the
    expectation (worse than `unknown`: nobody is asked to say it again), per split and among
    the cases whose expected action is stop."""
    out = {sp: {"n": 0, "correct": 0, "wrong_valid": 0, "stop_n": 0, "wrong_valid_stop": 0,
                "by_source": {src: {"n": 0, "correct": 0} for src in ("fast_path", "llm")}}
           for sp in SPLITS}
    for case, got in zip(cases, replies, strict=True):
        s = out[case.get("split", "dev")]
        ok = matches(case["expect"], got)
        wrong_valid = got["action"] != "unknown" and not ok
        is_stop = case["expect"]["action"] == "stop"
        s["n"] += 1
        s["correct"] += ok
        s["wrong_valid"] += wrong_valid
        s["stop_n"] += is_stop
        s["wrong_valid_stop"] += wrong_valid and is_stop
        src = s["by_source"][got["source"]]
        src["n"] += 1
        src["correct"] += ok
    for s in out.values():
        s["acc"] = s["correct"] / s["n"] if s["n"] else float("nan")
        s["wrong_valid_rate"] = s["wrong_valid"] / s["n"] if s["n"] else float("nan")
    return out


def describe_score(title, score):
    lines = [f"\ncommand dev set through ROS, {title}:"]
    for sp, s in score.items():
        src = ", ".join(f"{k} {v['correct']}/{v['n']}" for k, v in s["by_source"].items())
        lines.append(f"  {sp}: {s['acc']:.3f} exact ({s['correct']}/{s['n']}; by source {src}); "
                     f"wrong-valid {s['wrong_valid']} = {s['wrong_valid_rate']:.3f}; "
                     f"wrong-valid among {s['stop_n']} stops: {s['wrong_valid_stop']}")
    return "\n".join(lines)
