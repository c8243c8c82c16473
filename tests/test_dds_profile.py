"""params/fastdds.xml over DDS: with the profile the launch file gives every node, a node's camera-size
images reach a best-effort reader on the same host. Fast DDS's default 512 kB shared-memory segment
lets most of them vanish without a word: without the profile this test got 0 of 50 (2026-12-07)."""

import os

from rclpy.qos import qos_profile_sensor_data

from conftest import REPO, SHARED, load_script

FRAMES = 50


def _launch_dds_environment():
    """What launch/robot.launch.py adds to each node's environment when the user set no profile."""
    return load_script("launch").load_launch_module().dds_environment(str(REPO / "params"), environ={})


def test_camera_size_frames_reach_a_best_effort_reader(start_node, rclpy_node):
    from sensor_msgs.msg import Image

    env = {k: v for k, v in os.environ.items() if k not in ("FASTRTPS_DEFAULT_PROFILES_FILE", "FASTDDS_DEFAULT_PROFILES_FILE")}
    env.update(_launch_dds_environment())
    got = []
    # The reader keeps Fast DDS's defaults, as a viewer or another package's node would.
    rclpy_node.create_subscription(Image, "image", lambda m: got.append(len(m.data)), qos_profile_sensor_data)
    # 810x1080 rgb8: 2.6 MB a frame, sensor-data QoS (best effort, keep last 1), the replay's default.
    replay = start_node("camera_replay", env=env, params={
        "images": str(SHARED / "testdata" / "images" / "bus.jpg"), "rate_hz": 5.0, "loops": 1,
        "frames_per_image": FRAMES, "wait_for_subscribers": 1})
    assert rclpy_node.spin_until(lambda: not replay.alive(), timeout=60.0), "the replay did not finish in 60 s"
    rclpy_node.spin_until(lambda: len(got) >= FRAMES, timeout=2.0)
    assert f"replay finished published={FRAMES}" in replay.output(), replay.output()
    assert all(n == 810 * 1080 * 3 for n in got)
    # The first frame may go out before the reader has matched the writer; the rest must arrive.
    assert len(got) >= FRAMES - 2, f"{len(got)} of {FRAMES} frames arrived"
    print(f"{len(got)} of {FRAMES} 2.6 MB frames arrived at a best-effort reader")


def test_launch_warns_when_dev_shm_is_too_small(ros_domain):
    """scripts/launch in a private mount namespace whose /dev/shm holds 8 MB (less than one
    node's segment): it warns, naming the fix, and the node shows why (Fast DDS's own error)."""
    import shutil
    import subprocess
    import sys

    import pytest

    from conftest import BIN_DIR

    if shutil.which("unshare") is None or subprocess.run(
            ["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /dev/shm"], capture_output=True).returncode:
        pytest.skip("cannot mount a private /dev/shm here (unshare -m needs root)")
    launch = f"{sys.executable} {REPO / 'scripts' / 'launch'} --only camera_replay --bin-dir {BIN_DIR} --duration 3"
    out = subprocess.run(["unshare", "-m", "sh", "-c", f"mount -t tmpfs -o size=8m tmpfs /dev/shm && exec {launch}"],
                         capture_output=True, text=True, timeout=60)
    text = out.stdout + out.stderr
    assert "[launch] WARNING: /dev/shm has 8 MB free and 1 node with" in text and "--shm-size" in text, text
    assert "Failed to create segment" in text, text
    # With room (this machine's /dev/shm), no warning.
    out = subprocess.run(launch.split(), capture_output=True, text=True, timeout=60)
    assert "WARNING" not in out.stdout + out.stderr, out.stdout + out.stderr
