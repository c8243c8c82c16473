#!/usr/bin/env python3
"""Command parser: stop latency through ROS while the LLM generates and the vision nodes run,
and the LLM's time to first token and decode rate against llama-cpp-python on the same GGUF,
measured in one run.

    source ~/.cache/aihat_ros/env.sh && cargo build --release --workspace --bins
    python bench/command_latency.py [--stops 60] [--runs 60] [--json out/command_latency.json]

Stop latency (`stop` published on `voice_command` -> `stop` command received on
`robot_command`, both ends in this rclpy process). The graph is the launch file's (accelerator,
camera_replay, detection, command_parser with params/*.yaml, started as scripts/launch does),
on a private ROS domain and arbiter socket; the parser's LLM takes its turns on the device
through the arbiter, as configured (use_arbiter: true). Rows:
  reference       parser idle, accelerator + command_parser only
  vision on       parser idle, camera_replay + detection running through the arbiter
  LLM busy        an utterance the fast path cannot parse is sent first; once the node logs
                  that its LLM parse started, a `stop` follows after a random delay, uniform
                  over 0..80 % of that utterance's whole parse measured just before under the
                  same load (or 0..--jitter-ms), so stops land in the prefill, while a grant is
                  awaited and between tokens; only stops that cut a generation off (the node
                  logs it) are counted, until there are --stops of them
The vision-on and LLM-busy stops are interleaved so that load drift hits both alike.

LLM (no ROS, no arbiter): bench/llm_throughput drives llm_engine with the node's prompt,
grammar and the dev-set utterances that reach the LLM; the reference decodes the same tokens
with llama-cpp-python (same GGUF, grammar, greedy, cached prefix, thread count and CPU pinning)
from a separate venv (bench/README.md); its row is skipped, with the reason, when that venv is
absent. Both engines stay loaded and take turns (--batch runs each, alternately first), so that
other load on this shared machine hits both alike. Time to first token: from the call to the
first sampled token; decode rate: tokens after the first over the time from the first to the
last sampled token. llm_engine's own split of that time by stage is printed under the table.
"""

import argparse
import importlib.machinery
import importlib.util
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("AIHAT_SHARED", REPO.parent / "shared"))
BIN_DIR = Path(os.environ.get("AIHAT_BIN_DIR", Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target")) / "release"))
DEFAULT_REF_PYTHON = Path.home() / ".cache" / "aihat_ros" / "llm-ref-venv" / "bin" / "python"


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, max(0, int(round(p / 100 * len(v) + 0.5)) - 1))] if v else float("nan")


def summary(name, v, ref=None, **extra):
    row = {"name": name, "n": len(v), "p50": pct(v, 50), "p99": pct(v, 99), **extra}
    if ref is not None:
        row["ratio_p50"] = row["p50"] / ref
    return row


# ---------------------------------------------------------------- LLM: ours and the reference

def llama_cpp_python_serve(dump_path, model):
    """Runs inside the reference venv (--llm-ref-serve): the same tokens, grammar and greedy
    decoding as llm_engine, through llama-cpp-python's own generate loop and prefix reuse.
    Like `llm_throughput --serve`: one JSON line when ready, then per stdin line `N` N more runs
    (the utterances keep cycling) and one JSON line with their figures."""
    try:
        import llama_cpp
    except ImportError as e:
        print(json.dumps({"skip": f"llama_cpp not importable in {sys.executable} ({e}); see bench/README.md"}), flush=True)
        return

    d = json.loads(Path(dump_path).read_text())
    os.sched_setaffinity(0, d["cpus"])
    t = time.perf_counter()
    llm = llama_cpp.Llama(model_path=model, n_ctx=2048, n_batch=512, n_threads=d["threads"],
                          n_threads_batch=d["threads"], verbose=False)
    load_ms = (time.perf_counter() - t) * 1e3
    # llm_engine decodes each utterance under the grammar narrowed to it (gbnf_for); built per
    # utterance inside the timed call here too, as llm_engine builds it in its prefill.
    grammars = d.get("grammars")
    fixed = llama_cpp.LlamaGrammar.from_string(d["grammar"], verbose=False) if not grammars else None
    prefix = llm.tokenize(d["prefix"].encode(), add_bos=True, special=True)
    close = llm.tokenize(d["turn_close"].encode(), add_bos=False, special=True)
    t = time.perf_counter()
    llm.eval(prefix)
    prefix_ms = (time.perf_counter() - t) * 1e3
    eog = {llm.token_eos()}

    def one(k):
        user = d["user_texts"][k]
        # User text is not parsed for special tokens, as in llm_engine (no prompt injection).
        tokens = prefix + llm.tokenize(user.encode(), add_bos=False, special=False)[:128] + close
        out, n, first, last = b"", 0, None, None
        t0 = time.perf_counter()
        grammar = fixed or llama_cpp.LlamaGrammar.from_string(grammars[k], verbose=False)
        for tok in llm.generate(tokens, temp=0.0, grammar=grammar, reset=True):
            now = time.perf_counter()
            first = first if first is not None else now
            last, n = now, n + 1
            if tok in eog:
                break
            out += llm.detokenize([tok])
            if b"}" in out or n >= 64:
                break
        return (first - t0) * 1e3, ((n - 1) / (last - first)) if n > 1 else None, n, out.decode("utf-8", "replace")

    for k in range(min(8, len(d["user_texts"]))):  # unmeasured, as in llm_throughput (WARM_UP)
        one(k)
    print(json.dumps({"engine": f"llama-cpp-python {llama_cpp.__version__}", "load_ms": load_ms,
                      "prefix_eval_ms": prefix_ms, "llama_system_info": llama_cpp.llama_print_system_info().decode()}),
          flush=True)
    i = 0
    for line in sys.stdin:
        ttft, rate, outputs = [], [], []
        for _ in range(int(line)):
            f, r, n, text = one(i % len(d["user_texts"]))
            ttft.append(f)
            if r is not None:
                rate.append(r)
            if i < len(d["user_texts"]):
                outputs.append({"text": d["texts"][i], "json": text})
            i += 1
        print(json.dumps({"ttft_ms": ttft, "decode_tok_s": rate, "outputs": outputs}), flush=True)


class Served:
    """An engine process in serve mode: loaded once, asked for batches of runs."""

    def __init__(self, cmd):
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.p.stdout.readline()
        if not line:
            self.p.wait()
            raise RuntimeError(f"{cmd[0]} exited with {self.p.returncode} before it was ready")
        self.head = json.loads(line)
        self.figures = {}

    def batch(self, n):
        self.p.stdin.write(f"{n}\n")
        self.p.stdin.flush()
        r = json.loads(self.p.stdout.readline())
        for k, v in r.items():
            if isinstance(v, dict):
                for kk, vv in v.items():
                    self.figures.setdefault(k, {}).setdefault(kk, []).extend(vv)
            else:
                self.figures.setdefault(k, []).extend(v)

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=30)
        return {**self.head, **self.figures}


def llm_interleaved(a, tmp):
    """llm_engine and llama-cpp-python, both loaded once and pinned to the same cpus, take turns:
    batches of --batch runs, alternately first, a pause between turns (so that the idle engine's
    OpenMP threads have stopped spinning). Load drift on this shared machine then hits both."""
    dump = tmp / "prompt.json"
    devset = ["--devset", str(REPO / "tests" / "data" / "commands_dev.yaml")]
    cmd = [str(BIN_DIR / "llm_throughput"), "--serve", "--dump-prompt", str(dump), "--model", a.model] + devset
    if a.threads:
        cmd += ["--threads", str(a.threads)]
    ours = Served(cmd)
    # More llm_engine rows with other settings (--also-ours), e.g. to see what one setting costs.
    variants = []
    for extra in a.also_ours:
        v = Served([str(BIN_DIR / "llm_throughput"), "--serve", "--model", a.model] + devset + extra.split()
                   + (["--threads", str(a.threads)] if a.threads else []))
        v.head["engine"] += f" {extra}"
        variants.append(v)
    ref, why = None, "ok"
    if not a.ref_python:
        why = "no reference Python (--ref-python / AIHAT_LLM_REF_PYTHON)"
    elif not Path(a.ref_python).exists():
        why = f"{a.ref_python} does not exist (see bench/README.md for the llm-ref-venv)"
    else:
        try:
            ref = Served([a.ref_python, __file__, "--llm-ref-serve", str(dump), "--model", a.model])
            if "skip" in ref.head:
                why = ref.head["skip"]
                ref.close()
                ref = None
        except RuntimeError as e:
            why, ref = f"reference failed: {e}", None
    engines = [e for e in (ours, *variants, ref) if e]
    loads = {id(e): [] for e in engines}
    done = 0
    while done < a.runs:
        n = min(a.batch, a.runs - done)
        for e in (engines if (done // a.batch) % 2 == 0 else engines[::-1]):
            time.sleep(a.turn_gap_s)
            loads[id(e)].append(os.getloadavg()[0])
            e.batch(n)
        done += n
    out = []
    for e in engines:
        figs = e.close()
        figs["load_1min_during"] = sum(loads[id(e)]) / len(loads[id(e)])
        out.append(figs)
    return out[0], (out[-1] if ref else None), out[1:1 + len(variants)], why, json.loads(dump.read_text())


# ---------------------------------------------------------------- stop latency through ROS

def load_launch():
    loader = importlib.machinery.SourceFileLoader("aihat_launch", str(REPO / "scripts" / "launch"))
    spec = importlib.util.spec_from_loader("aihat_launch", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


class Graph:
    """Nodes of launch/robot.launch.py started one by one with their params files."""

    def __init__(self, overrides, env):
        self.launch = load_launch()
        self.specs = {s["name"]: s for s in self.launch.load_graph()}
        self.overrides, self.env, self.procs = overrides, env, {}

    def start(self, name):
        cmd = self.launch.node_command(self.specs[name], BIN_DIR, REPO / "params", "camera/image", self.overrides, None)
        if not Path(cmd[0]).exists():
            sys.exit(f"{cmd[0]} not built: cargo build --release --workspace --bins")
        p = subprocess.Popen(cmd, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        lines = []

        def read():
            for raw in iter(p.stdout.readline, b""):
                lines.append(raw.decode("utf-8", "replace").rstrip())
        threading.Thread(target=read, daemon=True).start()
        self.procs[name] = (p, lines)
        return lines

    def wait_log(self, name, needle, timeout):
        p, lines = self.procs[name]
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if any(needle in line for line in lines):
                return
            if p.poll() is not None:
                break
            time.sleep(0.05)
        sys.exit(f"{name} did not log {needle!r}:\n" + "\n".join(lines[-30:]))

    def count(self, name, needle):
        return sum(needle in line for line in self.procs[name][1])

    def stop_all(self):
        for p, _ in reversed(list(self.procs.values())):
            if p.poll() is None:
                p.terminate()
        for p, _ in self.procs.values():
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


def ros_stop_latency(a, texts, tmp):
    import rclpy
    from rclpy.executors import SingleThreadedExecutor
    from rclpy.node import Node
    from rclpy.qos import HistoryPolicy, QoSProfile, ReliabilityPolicy
    from std_msgs.msg import String
    from aihat_msgs.msg import Detection2DArray, RobotCommand

    env = dict(os.environ, AIHAT_NPU_ARBITER_SOCK=str(tmp / "npu_arbiter.sock"),
               ROS_DOMAIN_ID=os.environ.get("ROS_DOMAIN_ID", str(150 + os.getpid() % 50)))
    os.environ["ROS_DOMAIN_ID"] = env["ROS_DOMAIN_ID"]
    overrides = {"camera_replay": [("images", str(SHARED / "testdata" / "images")), ("rate_hz", str(a.camera_hz))],
                 "detection": [("model_path", str(SHARED / "models" / "yolov8n_w8f32.onnx")), ("log_period_s", "5.0")]}
    g = Graph(overrides, env)
    rclpy.init()
    n = Node("bench_command_latency")
    ex = SingleThreadedExecutor()
    ex.add_node(n)
    try:
        g.start("accelerator")
        g.wait_log("accelerator", "arbiter coordinator up", 30)
        g.start("command_parser")
        g.wait_log("command_parser", "ready for voice commands", 600)
        g.wait_log("command_parser", "LLM stream registered at the arbiter", 60)

        replies, dets = [], []
        cond = threading.Condition()

        def on_cmd(m):
            with cond:
                replies.append((time.perf_counter(), m.action, m.source_text))
                cond.notify_all()
        qos = QoSProfile(depth=50, reliability=ReliabilityPolicy.RELIABLE, history=HistoryPolicy.KEEP_LAST)
        n.create_subscription(RobotCommand, "robot_command", on_cmd, qos)
        n.create_subscription(Detection2DArray, "detections", lambda m: dets.append(time.perf_counter()), 10)
        pub = n.create_publisher(String, "voice_command", qos)
        threading.Thread(target=ex.spin, daemon=True).start()
        end = time.monotonic() + 30
        while pub.get_subscription_count() == 0 and time.monotonic() < end:
            time.sleep(0.05)

        def stop_once():
            with cond:
                k = len(replies)
            t = time.perf_counter()
            pub.publish(String(data="stop"))
            with cond:
                if not cond.wait_for(lambda: any(r[1] == "stop" for r in replies[k:]), timeout=10):
                    sys.exit("no stop command within 10 s")
                return (next(r[0] for r in replies[k:] if r[1] == "stop") - t) * 1e3

        def settle():
            time.sleep(a.gap_s * (0.5 + random.random()))

        for _ in range(5):  # discovery and first-message costs
            stop_once()
            settle()
        idle = []
        for _ in range(a.stops):
            idle.append(stop_once())
            settle()

        g.start("camera_replay")
        g.start("detection")
        g.wait_log("detection", "warm-up inference done", 120)
        end = time.monotonic() + 30
        while len(dets) < 5 and time.monotonic() < end:
            time.sleep(0.1)
        if len(dets) < 5:
            sys.exit("detection publishes nothing: " + "\n".join(g.procs["detection"][1][-20:]))
        # Detection rate with the parser idle, the baseline for the rate during the LLM rows.
        d0, t0 = len(dets), time.perf_counter()
        time.sleep(a.vision_s)
        det_idle_hz = (len(dets) - d0) / (time.perf_counter() - t0)

        def send_llm(text):
            """Publishes an utterance for the LLM; returns when the node logs that the parse started."""
            started = g.count("command_parser", "LLM parse started")
            pub.publish(String(data=text))
            end = time.monotonic() + 30
            while g.count("command_parser", "LLM parse started") == started and time.monotonic() < end:
                time.sleep(0.001)
            return time.perf_counter()

        # Each utterance's whole parse under this load, so that its stops can be spread over it.
        whole = {}
        dw, tw = len(dets), time.perf_counter()
        for text in texts:
            with cond:
                k = len(replies)
            t = send_llm(text)
            with cond:
                if not cond.wait_for(lambda: any(r[2] == text for r in replies[k:]), timeout=60):
                    sys.exit(f"no reply to {text!r}")
                whole[text] = (next(r[0] for r in replies[k:] if r[2] == text) - t) * 1e3
            settle()

        det_whole_hz = (len(dets) - dw) / (time.perf_counter() - tw)
        vision, busy, tokens = [], [], []
        outcomes = {"aborted": 0, "finished first": 0, "result dropped": 0}
        d0, t0 = len(dets), time.perf_counter()
        # Until --stops of them cut a generation off (a stop after the reply does not count).
        i = 0
        while (len(busy) < a.stops or len(vision) < a.stops) and i < 3 * a.stops:
            if len(vision) < a.stops:
                vision.append(stop_once())
                settle()
            text = texts[i % len(texts)]
            i += 1
            aborted = g.count("command_parser", "LLM parse aborted by a stop")
            dropped = g.count("command_parser", "LLM result discarded")
            with cond:
                k = len(replies)
            send_llm(text)
            time.sleep(random.uniform(0, a.jitter_ms or 0.8 * whole[text]) / 1e3)
            lat = stop_once()
            end = time.monotonic() + 30
            outcome = None
            while outcome is None and time.monotonic() < end:
                if g.count("command_parser", "LLM parse aborted by a stop") > aborted:
                    outcome = "aborted"
                elif g.count("command_parser", "LLM result discarded") > dropped:
                    outcome = "result dropped"
                else:
                    with cond:
                        if any(r[2] == text for r in replies[k:]):
                            outcome = "finished first"
                time.sleep(0.005)
            if outcome is None:
                sys.exit(f"no outcome for {text!r}: " + "\n".join(g.procs["command_parser"][1][-20:]))
            outcomes[outcome] += 1
            if outcome == "aborted":
                busy.append(lat)
                line = [l for l in g.procs["command_parser"][1] if "LLM parse aborted by a stop" in l][-1]
                m = re.search(r"generated=(\d+)", line)
                if m:
                    tokens.append(int(m.group(1)))
            settle()
        det_hz = (len(dets) - d0) / (time.perf_counter() - t0)
        # Why frames did not come through: the detection node's own counters (every 5 s) and warnings.
        det_log = g.procs["detection"][1]
        frames = [l for l in det_log if " frames" in l and "arbiter_dropped" in l]
        warns = [l for l in det_log if " WARN " in l]
        return {"detection_frames_log": frames[-1] if frames else None, "detection_warnings": warns[-5:],
                "detections_whole_parse_hz": det_whole_hz, "idle": idle, "vision": vision, "busy": busy, "outcomes": outcomes, "tokens_before_stop": tokens,
                "detections_hz": det_hz, "detections_idle_hz": det_idle_hz, "camera_hz": a.camera_hz, "whole_parse_ms": list(whole.values())}
    finally:
        ex.shutdown()
        n.destroy_node()
        rclpy.shutdown()
        g.stop_all()


# ---------------------------------------------------------------- report

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stops", type=int, default=60, help="stops per row")
    ap.add_argument("--runs", type=int, default=60, help="LLM generations per engine")
    ap.add_argument("--threads", type=int, default=0, help="LLM threads (0: the node's, one per inference core)")
    ap.add_argument("--model", default=os.environ.get("AIHAT_LLM_MODEL", ""))
    ap.add_argument("--camera-hz", type=float, default=10.0, help="camera_replay rate while vision runs")
    ap.add_argument("--jitter-ms", type=float, default=0.0,
                    help="stop sent 0..this after the LLM parse starts (0: 80 %% of the utterance's measured whole parse)")
    ap.add_argument("--vision-s", type=float, default=15.0, help="detection rate measured this long with the parser idle")
    ap.add_argument("--gap-s", type=float, default=0.3, help="mean pause between measurements")
    ap.add_argument("--ref-python", default=os.environ.get("AIHAT_LLM_REF_PYTHON",
                                                         str(DEFAULT_REF_PYTHON) if DEFAULT_REF_PYTHON.exists() else ""),
                    help="a Python with llama-cpp-python for the reference row (bench/README.md)")
    ap.add_argument("--skip-ros", action="store_true", help="only the LLM rows")
    ap.add_argument("--ros-texts", type=int, default=40, help="LLM utterances the stop rows cycle through")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--batch", type=int, default=5, help="LLM runs per turn when the engines take turns")
    ap.add_argument("--also-ours", action="append", default=[], metavar="ARGS",
                    help="one more llm_engine row, llm_throughput run with these extra arguments (e.g. --flash-attention)")
    ap.add_argument("--turn-gap-s", type=float, default=0.3, help="pause before each LLM turn")
    ap.add_argument("--llm-ref-serve", metavar="DUMP", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.llm_ref_serve:
        llama_cpp_python_serve(a.llm_ref_serve, a.model)
        return 0
    if not a.model:
        sys.exit("no model: --model or AIHAT_LLM_MODEL (source ~/.cache/aihat_ros/env.sh)")
    load_before = os.getloadavg()[0]
    print(f"load before the run: {load_before:.2f} (1 min), {os.cpu_count()} cores", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="aihat_bench_") as tmp:
        tmp = Path(tmp)
        ours, ref, variants, why, dump = llm_interleaved(a, tmp)
        ros = None if a.skip_ros else ros_stop_latency(a, dump["texts"][:a.ros_texts], tmp)

    result = {"bench": "command_latency", "model": Path(a.model).name, "llm_threads": dump["threads"],
              "llm_cpus": dump["cpus"], "utterances": dump["texts"], "cores": os.cpu_count(),
              "load_1min_before": load_before, "load_1min_after": os.getloadavg()[0]}
    if ros:
        ref_p50 = pct(ros["idle"], 50)
        rows = [summary("stop, parser idle, accelerator + command_parser (reference)", ros["idle"], ref_p50),
                summary("stop, parser idle, vision running", ros["vision"], ref_p50),
                summary("stop, LLM generating through the arbiter, vision running", ros["busy"], ref_p50)]
        result["stop_latency_ms"] = rows
        result["stop_outcomes"] = ros["outcomes"]
        result["detections_hz"] = ros["detections_hz"]
        result["detections_idle_hz"] = ros["detections_idle_hz"]
        result["detections_whole_parse_hz"] = ros["detections_whole_parse_hz"]
        print(f"\n## Stop latency through ROS (voice_command -> robot_command), {a.stops} stops per row\n")
        print("| case | n | p50 ms | p99 ms | p50 / reference p50 |")
        print("|---|---|---|---|---|")
        for r in rows:
            print(f"| {r['name']} | {r['n']} | {r['p50']:.2f} | {r['p99']:.2f} | {r['ratio_p50']:.2f} |")
        o = ros["outcomes"]
        result["whole_parse_ms"] = ros["whole_parse_ms"]
        print(f"\nvision: camera_replay at {ros['camera_hz']:.0f} Hz, detections received at {ros['detections_idle_hz']:.1f} Hz "
              f"with the parser idle ({a.vision_s:.0f} s) and {ros['detections_hz']:.1f} Hz during the interleaved rows; a whole LLM parse under that load took {pct(ros['whole_parse_ms'], 50):.0f} ms (p50 "
              f"over the utterances), each stop was sent 0..80 % of that after its parse started; LLM-busy stops: {o['aborted']} cut a generation off "
              f"(tokens generated before it: p50 {pct(ros['tokens_before_stop'], 50)}, max "
              f"{max(ros['tokens_before_stop'], default=0)}), {o['finished first']} came after the reply "
              f"(not counted), {o['result dropped']} came during the last step (reply dropped, not counted)")
        print(f"detections while each utterance was parsed whole, one after another: {ros['detections_whole_parse_hz']:.1f} Hz")
        print(f"the detection node's last counters: {ros['detection_frames_log']}")
        for w in ros["detection_warnings"]:
            print(f"detection warning: {w}")
        result["detection_frames_log"] = ros["detection_frames_log"]

    def llm_row(name, d, base=None):
        r = {"name": name, "runs": len(d["ttft_ms"]), "ttft_p50_ms": pct(d["ttft_ms"], 50),
             "ttft_p99_ms": pct(d["ttft_ms"], 99), "decode_p50_tok_s": pct(d["decode_tok_s"], 50),
             "decode_p1_tok_s": pct(d["decode_tok_s"], 1), "prefix_eval_ms": d["prefix_eval_ms"],
             "load_1min_during": d["load_1min_during"]}
        if base:
            r["ttft_ratio"] = r["ttft_p50_ms"] / base["ttft_p50_ms"]
            r["decode_ratio"] = r["decode_p50_tok_s"] / base["decode_p50_tok_s"]
        return r
    base = llm_row(f"llama-cpp-python ({ref['engine'].split()[-1]}, reference)", ref) if ref else None
    rows = [llm_row(d["engine"], d, base) for d in (ours, *variants)] + ([base] if base else [])
    result["llm"] = rows
    print(f"\n## LLM: {Path(a.model).name}, {dump['threads']} thread(s) pinned to cpus {dump['cpus']}, "
          f"{len(dump['texts'])} dev-set utterances that reach the LLM, prefix of {ours['prefix_tokens']} tokens cached\n")
    print("| engine | runs | TTFT p50 ms | TTFT p99 ms | decode p50 tok/s | decode p1 tok/s | TTFT p50 / ref | tok/s p50 / ref | load (1 min) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        ratio = (f"{r['ttft_ratio']:.2f} | {r['decode_ratio']:.2f}" if "ttft_ratio" in r
                 else ("1.00 | 1.00" if base and r is base else "- | -"))
        print(f"| {r['name']} | {r['runs']} | {r['ttft_p50_ms']:.1f} | {r['ttft_p99_ms']:.1f} | {r['decode_p50_tok_s']:.1f} | {r['decode_p1_tok_s']:.1f} | {ratio} | {r['load_1min_during']:.2f} |")
    print(f"\nthe engines took turns ({a.batch} runs each, alternately first); load is the 1-min load average at their turns")
    if "stages_ms" in ours:
        result["llm_engine_stages_p50_ms"] = {k: pct(v, 50) for k, v in ours["stages_ms"].items()}
        print("llm_engine stages p50 (ms): " + ", ".join(f"{k} {pct(v, 50):.2f}" for k, v in ours["stages_ms"].items()))
    print(f"llama.cpp system info: llm_engine: {ours['llama_system_info']}"
          + (f"; llama-cpp-python: {ref['llama_system_info']}" if ref else ""))
    print(f"prompt prefix evaluation: llm_engine {ours['prefix_eval_ms']:.0f} ms"
          + (f", llama-cpp-python {ref['prefix_eval_ms']:.0f} ms" if ref else ""))
    if ref:
        same = sum(x["json"] == y["json"] for x, y in zip(ours["outputs"], ref["outputs"]))
        result["same_output"] = [same, len(ours["outputs"])]
        print(f"same JSON from both engines on {same}/{len(ours['outputs'])} utterances (same tokens, grammar, greedy)")
    else:
        result["reference_skipped"] = why
        print(f"llama-cpp-python row skipped: {why}")
    if a.json:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        a.json.write_text(json.dumps(result, indent=1))
        print(f"\nfigures written to {a.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
