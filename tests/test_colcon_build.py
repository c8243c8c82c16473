"""`colcon build` as a robot builder types it, in a workspace whose src/ holds this checkout.

colcon (colcon-core, -cmake, -ros from PyPI, installed by scripts/setup) builds against the ROS
the environment provides, here the wheels' ROS, with our own prebuilt aihat_msgs taken out of
every path: the messages must come from the workspace build. The test then starts an installed
node from the install space and receives its images over DDS.

Cargo cost: r2r regenerates its message types whenever AMENT_PREFIX_PATH or CMAKE_PREFIX_PATH
change (its build scripts watch them), and a colcon workspace puts its own install prefix on
both. Building that into the shared CARGO_TARGET_DIR would make the next plain `cargo build`
regenerate and recompile r2r and every node again, and this test on the run after. So the
workspace lives at a fixed path per checkout and cargo uses its own target directory, seeded
once from CARGO_TARGET_DIR (release/): the first run rebuilds r2r and the nodes, later runs
reuse everything (AIHAT_COLCON_TARGET_DIR names another directory).
"""

import hashlib
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conftest import REPO, SHARED
from vision_topics import reliable_qos

NODES = ["accelerator", "camera_replay", "detection", "pose", "depth", "command_parser"]


def _without(value, prefix):
    """A path list without the entries in or under prefix."""
    prefix = prefix.rstrip("/")
    return ":".join(p for p in value.split(":")
                    if p and p.rstrip("/") != prefix and not p.startswith(prefix + "/"))


def _colcon_env(target):
    """The test environment as a robot's shell would have it: the ROS install sourced, our
    prebuilt aihat_msgs (scripts/setup's) nowhere."""
    env = os.environ.copy()
    msg_prefix = env.get("AIHAT_MSG_PREFIX")
    if msg_prefix:
        for var in ("AMENT_PREFIX_PATH", "CMAKE_PREFIX_PATH", "LD_LIBRARY_PATH", "PYTHONPATH"):
            env[var] = _without(env.get(var, ""), msg_prefix)
    env["CARGO_TARGET_DIR"] = str(target)
    return env


def _seed_target(target):
    source = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    if (target / "release").is_dir() or not (source / "release").is_dir():
        return
    t0 = time.monotonic()
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cp", "-a", "--reflink=auto", str(source / "release"), str(target)], check=True)
    print(f"seeded {target} from {source} in {time.monotonic() - t0:.0f} s")


@pytest.fixture(scope="module")
def colcon_workspace():
    if shutil.which("colcon") is None:
        pytest.fail("colcon not installed: run scripts/setup")
    cache = Path(os.environ.get("AIHAT_CACHE", Path.home() / ".cache/aihat_ros"))
    checkout = REPO.resolve()
    key = hashlib.sha256(str(checkout).encode()).hexdigest()[:8]
    base = cache / "colcon-test" / f"{checkout.name}-{key}"
    target = Path(os.environ.get("AIHAT_COLCON_TARGET_DIR", base / "target"))
    ws = base / "ws"
    # A fresh install space and log every run; build/ stays (aihat_msgs' own build is
    # incremental, and cargo's directory is elsewhere).
    for d in ("install", "log"):
        shutil.rmtree(ws / d, ignore_errors=True)
    (ws / "src").mkdir(parents=True, exist_ok=True)
    link = ws / "src" / "aihat_ros"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(checkout, target_is_directory=True)
    _seed_target(target)
    env = _colcon_env(target)

    t0 = time.monotonic()
    # As people type it, in the workspace root.
    proc = subprocess.run(["colcon", "build"], cwd=ws, env=env, capture_output=True, text=True)
    took = time.monotonic() - t0
    print(proc.stdout[-1500:])
    compiled = len(re.findall(r"^\s*Compiling \S+ v\d", proc.stdout + proc.stderr, re.M))
    print(f"colcon build: {took:.0f} s (exit {proc.returncode}), cargo compiled {compiled} crates")
    if proc.returncode != 0:
        pytest.fail(f"colcon build failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-3000:]}")
    return ws, env, proc.stdout


def test_colcon_build_installs_both_packages(colcon_workspace):
    ws, _, out = colcon_workspace
    assert "Finished <<< aihat_ros" in out
    install = ws / "install" / "aihat_ros"
    for node in NODES:
        exe = install / "lib" / "aihat_ros" / node
        assert exe.is_file() and os.access(exe, os.X_OK), exe
    for d in ("launch", "params"):
        assert (install / "share" / "aihat_ros" / d).is_dir()
    assert (install / "share" / "aihat_ros" / "launch" / "robot.launch.py").is_file()
    assert (install / "share" / "aihat_ros" / "params" / "detection.yaml").is_file()
    # aihat_msgs: its ament index entry, interfaces and generated libraries in the install space.
    assert (install / "share" / "ament_index" / "resource_index" / "packages" / "aihat_msgs").is_file()
    assert (install / "share" / "aihat_msgs" / "msg" / "Detection2DArray.msg").is_file()
    assert list((install / "lib").glob("libaihat_msgs__rosidl_typesupport_c.so"))


def _sourced_env(ws, env):
    """The environment after `source install/setup.bash`, as a user's shell would have it."""
    script = f"source {ws / 'install' / 'setup.bash'} && env -0"
    out = subprocess.run(["bash", "-c", script], env=env, capture_output=True, check=True).stdout
    return dict(line.split("=", 1) for line in out.decode().split("\0") if "=" in line)


def test_install_space_provides_messages(colcon_workspace):
    ws, env, _ = colcon_workspace
    sourced = _sourced_env(ws, env)
    code = ("from aihat_msgs.msg import Detection2DArray; import aihat_msgs, sys; "
            "sys.stdout.write(aihat_msgs.__file__)")
    out = subprocess.run(["python", "-c", code], env=sourced, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(str(ws / "install")), out.stdout


def test_installed_node_publishes(colcon_workspace, ros_domain, rclpy_node):
    ws, env, _ = colcon_workspace
    sourced = _sourced_env(ws, env)
    sourced["ROS_DOMAIN_ID"] = ros_domain
    image = SHARED / "testdata" / "images" / "bus.jpg"
    exe = ws / "install" / "aihat_ros" / "lib" / "aihat_ros" / "camera_replay"
    from sensor_msgs.msg import Image

    got = []
    # Reliable on both sides, as scripts/run and the other replay tests: the frame is 2.6 MB, and
    # Fast DDS loses such samples to best-effort readers on one host (its shared-memory segment is
    # 512 kB; README "QoS"), so a best-effort reader here got none in 30 s in one CI run.
    rclpy_node.create_subscription(Image, "image", got.append, reliable_qos(1))
    t0 = time.monotonic()
    proc = subprocess.Popen([str(exe), "--ros-args", "-p", f"images:={image}", "-p", "rate_hz:=5.0",
                             "-p", "qos:=reliable"],
                            env=sourced, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        received = rclpy_node.spin_until(lambda: got, timeout=30.0, alive=lambda: proc.poll() is None)
    finally:
        if proc.poll() is None:
            proc.terminate()
        out = proc.communicate(timeout=10)[0].decode(errors="replace")
    assert received, f"no image in 30 s (camera_replay exit {proc.returncode}):\n{out[-3000:]}"
    msg = got[0]
    assert (msg.width, msg.height) == (810, 1080)
    assert msg.encoding == "rgb8" and len(msg.data) == msg.step * msg.height
    print(f"first image from the installed camera_replay after {time.monotonic() - t0:.1f} s")
