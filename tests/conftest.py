"""Shared fixtures of the ROS-level tests: node processes and rclpy clients over real DDS.

Each test gets its own ROS_DOMAIN_ID so that tests running one after another (or a stray
process from an earlier run) never see each other's topics.
"""

import importlib.machinery
import importlib.util
import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("AIHAT_SHARED", REPO.parent / "shared"))
BIN_DIR = Path(os.environ.get("AIHAT_BIN_DIR", Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target")) / "release"))


def load_script(name):
    """scripts/<name> (a Python script without a .py suffix) as a module, to test what it does
    without running it."""
    loader = importlib.machinery.SourceFileLoader(f"aihat_{name}", str(REPO / "scripts" / name))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


_domains = itertools.count(int(os.environ.get("AIHAT_TEST_DOMAIN_BASE", "40")) + os.getpid() % 20)


class NodeProcess:
    """A node executable started as its own OS process; killed on every path."""

    def __init__(self, executable, params=None, remap=None, name=None, params_file=None, env=None, echo=True):
        """`echo`: copy the node's log lines to stderr (pytest shows them for a failed test)."""
        exe = BIN_DIR / executable
        if not exe.exists():
            raise FileNotFoundError(f"{exe} not built (cargo build --release)")
        cmd = [str(exe), "--ros-args"]
        if name:
            cmd += ["-r", f"__node:={name}"]
        if params_file:
            cmd += ["--params-file", str(params_file)]
        for k, v in (params or {}).items():
            if isinstance(v, bool):
                v = "true" if v else "false"
            elif v == "":
                v = "''"  # rcl parses the value as YAML: an empty string must be quoted
            cmd += ["-p", f"{k}:={v}"]
        for k, v in (remap or {}).items():
            cmd += ["-r", f"{k}:={v}"]
        self.cmd = cmd
        self.lines = []
        self.echo = echo
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     env=env or os.environ.copy(), start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for raw in iter(self.proc.stdout.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip()
            self.lines.append(line)
            if self.echo:
                sys.stderr.write(f"[node] {line}\n")

    def alive(self):
        return self.proc.poll() is None

    def output(self):
        return "\n".join(self.lines)

    def wait_for_log(self, needle, timeout=30.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if any(needle in l for l in self.lines):
                return True
            if not self.alive():
                return False
            time.sleep(0.05)
        return False

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


@pytest.fixture
def ros_domain(monkeypatch):
    domain = str(next(_domains) % 100 + 1)
    monkeypatch.setenv("ROS_DOMAIN_ID", domain)
    return domain


@pytest.fixture
def start_node(ros_domain):
    started = []

    def _start(*args, **kwargs):
        n = NodeProcess(*args, **kwargs)
        started.append(n)
        return n

    yield _start
    for n in started:
        n.stop()


@pytest.fixture
def rclpy_node(ros_domain):
    """An rclpy node in the test's domain, with a helper to spin until a condition holds."""
    import rclpy
    from rclpy.node import Node

    context = rclpy.Context()
    rclpy.init(context=context)
    node = Node(f"test_client_{os.getpid()}", context=context)
    from rclpy.executors import SingleThreadedExecutor
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(node)

    def spin_until(pred, timeout=30.0, alive=None):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            executor.spin_once(timeout_sec=0.05)
            if pred():
                return True
            if alive is not None and not alive():
                return False
        return pred()

    node.spin_until = spin_until
    yield node
    executor.shutdown()
    node.destroy_node()
    rclpy.shutdown(context=context)
