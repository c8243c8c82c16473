#!/usr/bin/env python3
"""The command parser's answers on the whole dev set (tests/data/commands_dev.yaml, splits `dev`
and `heldout`) over ROS, per LLM: exact-match accuracy per split and per source (fast path / LLM),
wrong-valid answers (a valid command with a wrong action or slot: worse than `unknown`), those
among stops, and the time to each answer. Each model after the first is compared with the first
(the default, Qwen2.5-Coder-0.5B-Instruct) in the same run.

    python bench/command_accuracy.py                    # 0.5B (default) and 1.5B, if fetched
    python bench/command_accuracy.py --models A.gguf B.gguf --json out.json
    python bench/command_accuracy.py --cases more.yaml --misses misses.jsonl   # other utterances

`--misses` lists the dev-split utterances answered wrongly, with the answer; `--answers` lists
every dev-split answer, right ones too (what a change to the LLM answer check would refuse is
counted from it without running the model again). Held-out ones are only counted, never listed
(reading them would be tuning on them).

The node is the release `command_parser` with `use_llm:=true` and no arbiter (nothing else runs);
utterances are said one at a time, each after the previous answer.
"""
import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from command_devset import DEV, SPLITS, matches, score_devset  # noqa: E402
from conftest import BIN_DIR, NodeProcess  # noqa: E402


MISSES = None
ANSWERS = None


def stale_binary():
    """The node binary is older than a source or the vocabulary it embeds: the run would score
    old code against the current dev set (`scripts/bench` builds first; a direct run does not)."""
    binary = BIN_DIR / "command_parser"
    if not binary.exists():
        return f"{binary} missing"
    crates = ["crates/command_grammar", "crates/llm_engine", "crates/ros_edge", "crates/vision_edge", "crates/npu_arbiter", "nodes/command_parser"]
    sources = [p for c in crates for p in (ROOT / c).glob("src/**/*.rs")] + [ROOT / "params" / "vocabulary.yaml"]
    newer = [p for p in sources if p.stat().st_mtime > binary.stat().st_mtime]
    return f"{binary} is older than {newer[0].relative_to(ROOT)}" if newer else None


def default_models():
    cache = Path(os.environ.get("AIHAT_CACHE", Path.home() / ".cache" / "aihat_ros")) / "models"
    first = os.environ.get("AIHAT_LLM_MODEL") or str(cache / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf")
    big = cache / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    return [first] + ([str(big)] if big.exists() else [])


def run(model):
    """(score per split, answer times in ms per source) of one model over the dev set."""
    import rclpy
    from rclpy.executors import SingleThreadedExecutor
    from rclpy.node import Node
    from rclpy.qos import HistoryPolicy, QoSProfile, ReliabilityPolicy
    from std_msgs.msg import String

    # The node logs every utterance; held-out ones must not scroll past whoever runs this.
    node = NodeProcess("command_parser", params={"use_llm": True, "use_arbiter": False, "model_path": model}, echo=False)
    try:
        end = time.monotonic() + 300
        while not any("ready for voice commands" in l for l in node.lines):
            if not node.alive() or time.monotonic() > end:
                # The error comes first and a backtrace after it: keep both ends.
                out = node.output()
                if len(out) > 3000:
                    out = out[:1500] + "\n...\n" + out[-1500:]
                sys.exit(f"command_parser did not start with {model}:\n{out}")
            time.sleep(0.2)
        ctx = rclpy.Context()
        rclpy.init(context=ctx)
        n = Node("command_accuracy", context=ctx)
        ex = SingleThreadedExecutor(context=ctx)
        ex.add_node(n)
        qos = QoSProfile(depth=50, reliability=ReliabilityPolicy.RELIABLE, history=HistoryPolicy.KEEP_LAST)
        answers = []
        n.create_subscription(String, "robot_command_json", lambda m: answers.append(json.loads(m.data)), qos)
        pub = n.create_publisher(String, "voice_command", qos)
        while pub.get_subscription_count() == 0:
            ex.spin_once(timeout_sec=0.05)
        replies, times = [], {"fast_path": [], "llm": []}
        for i, case in enumerate(DEV):
            k = len(answers)
            t0 = time.monotonic()
            pub.publish(String(data=case["text"]))
            deadline = t0 + 120
            while len(answers) == k:
                if not node.alive() or time.monotonic() > deadline:
                    sys.exit(f"no answer to {case['text']!r} ({model}):\n{node.output()[-3000:]}")
                ex.spin_once(timeout_sec=0.02)
            got = answers[-1]
            times[got["source"]].append((time.monotonic() - t0) * 1e3)
            replies.append(got)
            if (i + 1) % 100 == 0:
                print(f"[command_accuracy] {Path(model).name}: {i + 1}/{len(DEV)}", file=sys.stderr, flush=True)
        ex.shutdown()
        n.destroy_node()
        rclpy.shutdown(context=ctx)
        for path, misses_only in ((MISSES, True), (ANSWERS, False)):
            if path is None:
                continue
            with open(path, "a") as f:
                for case, got in zip(DEV, replies):
                    if case.get("split", "dev") == "dev" and not (misses_only and matches(case["expect"], got)):
                        f.write(json.dumps({"model": Path(model).name, "text": case["text"],
                                            "expect": case["expect"], "got": got}) + "\n")
        return score_devset(DEV, replies), times
    finally:
        node.stop()


def pct(v, q):
    if not v:
        return None
    v = sorted(v)
    pos = (len(v) - 1) * q / 100
    lo, hi = int(pos), min(int(pos) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="*", help="GGUF files; the first is the reference (default: 0.5B, 1.5B)")
    ap.add_argument("--every", type=int, default=1, help="only every Nth utterance (a quick look)")
    ap.add_argument("--cases", metavar="YAML", help="utterances in the dev set's format (default: the dev set)")
    ap.add_argument("--misses", metavar="JSONL", help="append the dev-split utterances answered wrongly")
    ap.add_argument("--answers", metavar="JSONL", help="append every dev-split utterance with its answer")
    ap.add_argument("--json", metavar="PATH")
    ap.add_argument("--allow-stale", action="store_true", help="run even if the node binary is older than its sources")
    a = ap.parse_args()
    stale = stale_binary()
    if stale and not a.allow_stale:
        sys.exit(f"command_accuracy: {stale}; build first (cargo build --release --workspace --bins) or pass --allow-stale")
    global DEV, MISSES, ANSWERS
    if a.cases:
        import yaml
        DEV = yaml.safe_load(Path(a.cases).read_text())
    DEV = DEV[::max(1, a.every)]
    MISSES, ANSWERS = a.misses, a.answers
    os.environ.setdefault("ROS_DOMAIN_ID", str(random.randint(150, 199)))
    models = a.models or default_models()
    results = []
    for m in models:
        t0 = time.monotonic()
        score, times = run(m)
        results.append((Path(m).name, score, times, time.monotonic() - t0))

    print("\n## Command parser on the dev set over ROS, per LLM\n")
    print("| model | split | exact | fast path | LLM | wrong-valid | of them a stop not asked for "
          "| wrong-valid among stops | LLM answer p50 / p99 ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    rows = []
    ref = results[0]
    for name, score, times, took in results:
        for sp in SPLITS:
            s = score[sp]
            bs = s["by_source"]
            llm_t = f"{pct(times['llm'], 50):.0f} / {pct(times['llm'], 99):.0f}" if times["llm"] else "-"
            print(f"| {name} | {sp} | {s['acc']:.3f} ({s['correct']}/{s['n']}) | {bs['fast_path']['correct']}/{bs['fast_path']['n']} "
                  f"| {bs['llm']['correct']}/{bs['llm']['n']} | {s['wrong_valid']} = {100 * s['wrong_valid_rate']:.1f} % "
                  f"| {s['stop_not_asked']} | {s['wrong_valid_stop']} of {s['stop_n']} | {llm_t} |")
            r = ref[1][sp]
            is_ref = name == ref[0]
            refname = None if is_ref else f"{ref[0]}, same run"
            rows.append({"metric": f"{sp} exact accuracy, {name}", "value": s["acc"], "unit": "",
                         "reference": refname, "ref_value": None if is_ref else r["acc"]})
            rows.append({"metric": f"{sp} wrong-valid rate, {name}", "value": 100 * s["wrong_valid_rate"], "unit": "%",
                         "reference": refname, "ref_value": None if is_ref else 100 * r["wrong_valid_rate"]})
            rows.append({"metric": f"{sp} wrong-valid among {s['stop_n']} stops, {name}", "value": s["wrong_valid_stop"],
                         "unit": "", "reference": refname, "ref_value": None if is_ref else r["wrong_valid_stop"]})
        if times["llm"]:
            rows.append({"metric": f"time to an LLM answer p50, {name}", "value": pct(times["llm"], 50), "unit": "ms",
                         "reference": None if name == ref[0] else f"{ref[0]}, same run",
                         "ref_value": None if name == ref[0] else pct(ref[2]["llm"], 50)})
        print(f"\n{name}: {took:.0f} s for {len(DEV)} utterances", file=sys.stderr)
    print("\n### Misses by kind (counts; held-out ones are never listed)\n")
    kinds = sorted({k for _, score, _, _ in results for sp in SPLITS for k in score[sp]["misses"]})
    print("| model | split | " + " | ".join(kinds) + " |")
    print("|---|---|" + "---|" * len(kinds))
    for name, score, _, _ in results:
        for sp in SPLITS:
            print(f"| {name} | {sp} | " + " | ".join(str(score[sp]["misses"].get(k, 0)) for k in kinds) + " |")
    if a.json:
        Path(a.json).write_text(json.dumps({"bench": "command_accuracy", "rows": rows,
                                            "models": [{"model": n, "score": s} for n, s, _, _ in results]}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
