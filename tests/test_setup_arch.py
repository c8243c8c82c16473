"""scripts/setup on a machine the ROS 2 wheels do not cover (a Raspberry Pi 5 without ROS from apt)
stops before installing anything, with a message naming what to install.

AIHAT_ARCH=aarch64 stands in for the Pi's architecture; `pip`, `apt-get` and `sudo` on PATH
fail loudly (and leave a mark) if setup calls them, and the cache it is pointed at must stay
without a venv.
"""

import os
import stat
import subprocess
from pathlib import Path

import pytest

from conftest import REPO


@pytest.fixture
def tripwire_path(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    for tool in ("pip", "pip3", "apt-get", "sudo"):
        f = bin_dir / tool
        f.write_text(f'#!/bin/sh\necho "{tool} $*" >>"{calls}"\necho "TRIPWIRE: setup called {tool}" >&2\nexit 99\n')
        f.chmod(f.stat().st_mode | stat.S_IXUSR)
    return bin_dir, calls


def run_setup(tmp_path, bin_dir, **env_extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIHAT_")}
    env.update(PATH=f"{bin_dir}:/usr/bin:/bin", AIHAT_CACHE=str(tmp_path / "cache"), **env_extra)
    return subprocess.run(["bash", str(REPO / "scripts" / "setup")], env=env, capture_output=True,
                          text=True, timeout=60)


@pytest.mark.skipif(Path("/opt/ros/jazzy").is_dir(), reason="ROS 2 from apt is installed here")
def test_setup_on_aarch64_without_ros_stops_before_pip(tmp_path, tripwire_path):
    bin_dir, calls = tripwire_path
    r = run_setup(tmp_path, bin_dir, AIHAT_ARCH="aarch64")
    print(r.stderr)
    assert r.returncode != 0
    assert "aarch64" in r.stderr and "/opt/ros/jazzy" in r.stderr
    assert "Ubuntu 24.04" in r.stderr and "arm64" in r.stderr
    assert "sudo apt install ros-jazzy-ros-base" in r.stderr
    assert "TRIPWIRE" not in r.stderr and not calls.exists()
    assert not (tmp_path / "cache" / "ros-venv").exists()
    assert not (tmp_path / "cache" / "env.sh").exists()


def test_forcing_the_wheels_on_aarch64_stops_too(tmp_path, tripwire_path):
    bin_dir, calls = tripwire_path
    r = run_setup(tmp_path, bin_dir, AIHAT_ARCH="aarch64", AIHAT_FORCE_WHEELS="1")
    assert r.returncode != 0 and "ros-jazzy-ros-base" in r.stderr
    assert not calls.exists() and not (tmp_path / "cache" / "ros-venv").exists()


def test_check_lets_x86_64_through(tmp_path, tripwire_path):
    # On x86_64 the same environment gets past the check and reaches the first install step,
    # where the tripwire stops it: the check itself is what stopped the aarch64 runs.
    bin_dir, calls = tripwire_path
    r = run_setup(tmp_path, bin_dir, AIHAT_ARCH="x86_64", AIHAT_PYTHON="/nonexistent/python3")
    assert r.returncode != 0
    assert "ros-jazzy-ros-base" not in r.stderr
    # (apt-get's tripwire where a Debian package is missing, else the venv step's python)
    assert "TRIPWIRE: setup called" in r.stderr or (
        "installing ROS 2 Jazzy wheels" in r.stderr and "/nonexistent/python3" in r.stderr)
