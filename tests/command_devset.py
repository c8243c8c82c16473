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
    the cases whose expected action is stop. `stop_not_asked` counts the wrong-valid answers that
    are a stop where none was meant: the safe side of a wrong answer, still counted as wrong."""
    out = {sp: {"n": 0, "correct": 0, "wrong_valid": 0, "stop_not_asked": 0, "stop_n": 0, "wrong_valid_stop": 0,
                "by_source": {src: {"n": 0, "correct": 0} for src in ("fast_path", "llm")}, "misses": {}}
           for sp in SPLITS}
    for case, got in zip(cases, replies, strict=True):
        s = out[case.get("split", "dev")]
        ok = matches(case["expect"], got)
        wrong_valid = got["action"] != "unknown" and not ok
        is_stop = case["expect"]["action"] == "stop"
        s["n"] += 1
        s["correct"] += ok
        s["wrong_valid"] += wrong_valid
        s["stop_not_asked"] += wrong_valid and got["action"] == "stop"
        s["stop_n"] += is_stop
        s["wrong_valid_stop"] += wrong_valid and is_stop
        src = s["by_source"][got["source"]]
        src["n"] += 1
        src["correct"] += ok
        if not ok:
            kind = miss_kind(case["expect"], got)
            s["misses"][kind] = s["misses"].get(kind, 0) + 1
    for s in out.values():
        s["acc"] = s["correct"] / s["n"] if s["n"] else float("nan")
        s["wrong_valid_rate"] = s["wrong_valid"] / s["n"] if s["n"] else float("nan")
    return out


def miss_kind(expect, got):
    """Where a wrong answer came from, counted per split (held-out misses are only counted, never
    listed): which source, wrong-valid or `unknown`, and for an LLM `unknown` who said it: the
    answer check refusing the action the utterance meant (the check's miss), refusing another
    action or a slot (the model's or the check's), the stop gate, or the model itself."""
    src = "fast path" if got["source"] == "fast_path" else "LLM"
    if got["action"] != "unknown":
        return f"{src}: wrong-valid"
    reason = got.get("reason", "")
    if src == "fast path":
        return "fast path: unknown"
    refused = "LLM answer not supported by the words: "
    if reason.startswith(refused + "action "):
        said = reason[len(refused + "action "):].split(" ", 1)[0]
        return "LLM: check refused the action meant" if said == expect["action"] else "LLM: check refused another action"
    if reason.startswith(refused):
        return "LLM: check refused a slot or the context"
    if reason.startswith("LLM answered stop"):
        return "LLM: stop without a cue"
    if reason.startswith("LLM answer below"):
        return "LLM: below the confidence floor"
    return "LLM: unknown from the model or the validator"


def describe_score(title, score):
    lines = [f"\ncommand dev set through ROS, {title}:"]
    for sp, s in score.items():
        src = ", ".join(f"{k} {v['correct']}/{v['n']}" for k, v in s["by_source"].items())
        lines.append(f"  {sp}: {s['acc']:.3f} exact ({s['correct']}/{s['n']}; by source {src}); "
                     f"wrong-valid {s['wrong_valid']} = {s['wrong_valid_rate']:.3f} "
                     f"({s['stop_not_asked']} of them a stop not asked for); "
                     f"wrong-valid among {s['stop_n']} stops: {s['wrong_valid_stop']}")
    return "\n".join(lines)
