"""Every node executable takes a mistyped command line as input from the outside: it exits with
one clear error line, not a panic and a backtrace."""

import os
import subprocess

import pytest

from conftest import BIN_DIR

NODES = ["accelerator", "camera_replay", "detection", "pose", "depth", "command_parser"]


@pytest.mark.parametrize("node", NODES)
def test_a_malformed_parameter_argument_is_a_clear_error(node):
    # `-p name:=` with no value: rcl refuses the rule (r2r would panic on it).
    env = dict(os.environ, RUST_BACKTRACE="0")
    r = subprocess.run([str(BIN_DIR / node), "--ros-args", "-p", "log_period_s:="], env=env,
                       capture_output=True, text=True, timeout=60)
    out = r.stdout + r.stderr
    assert r.returncode == 1, out
    assert "the ROS arguments were not accepted" in out and "log_period_s:=" in out, out
    assert "panicked" not in out, out
