"""One crashed process must not blind the robot: with the accelerator (the arbiter's coordinator)
killed with SIGKILL while camera_replay, detection and pose run, detections keep coming (frames run
unarbitrated after `arbiter_fallback_s`), and when the accelerator is back its status lists the
clients again (they reconnect and re-register by themselves)."""

import os
import signal
import time

from conftest import SHARED
from vision_topics import reliable_qos

MODELS = SHARED / "models"
IMAGES = SHARED / "testdata" / "images"


def test_detections_continue_through_an_arbiter_outage_and_grants_resume(start_node, rclpy_node, tmp_path):
    from aihat_msgs.msg import AcceleratorStatus, Detection2DArray
    sock = tmp_path / "arbiter.sock"
    acc_params = {"socket_path": str(sock), "status_period_s": 0.5, "temperature_file": ""}
    acc = start_node("accelerator", params=acc_params)
    assert acc.wait_for_log("arbiter coordinator up", timeout=30), acc.output()
    common = {"arbiter_socket": str(sock), "qos": "reliable", "qos_depth": 1, "inference_threads": 1,
              "expected_rate_hz": 2.0}  # arbiter_fallback_s: the default, 0.5 s
    det = start_node("detection", params=dict(common, model_path=str(MODELS / "yolov8n_w8f32.onnx")))
    pose = start_node("pose", params=dict(common, model_path=str(MODELS / "yolo11n-pose_w8f32.onnx")))
    for p in (det, pose):
        assert p.wait_for_log("registering with the accelerator arbiter", timeout=90), p.output()
    cam = start_node("camera_replay", params={"images": f"{IMAGES / 'bus.jpg'},{IMAGES / 'zidane.jpg'}",
                                              "rate_hz": 2.0, "width": 640, "height": 480, "qos": "reliable"})
    n = rclpy_node
    arrivals, statuses = [], []
    n.create_subscription(Detection2DArray, "detections", lambda m: arrivals.append(time.monotonic()), reliable_qos())
    n.create_subscription(AcceleratorStatus, "accelerator/status", lambda m: statuses.append(m), reliable_qos())
    alive = lambda: det.alive() and pose.alive() and cam.alive()
    assert n.spin_until(lambda: len(arrivals) >= 6, timeout=90, alive=alive), det.output()

    os.killpg(acc.proc.pid, signal.SIGKILL)
    acc.proc.wait()
    killed = time.monotonic()
    n.spin_until(lambda: False, timeout=12.0)
    during = [t for t in arrivals if t >= killed]
    gaps = [b - a for a, b in zip([killed] + during, during)]
    print(f"\n{len(during)} detection messages in the 12 s without the arbiter; longest gap {max(gaps or [99]):.2f} s")
    assert len(during) >= 8, det.output()
    assert max(gaps) < 2.0, gaps
    assert det.wait_for_log("running UNARBITRATED", timeout=1), det.output()

    acc2 = start_node("accelerator", params=acc_params)
    assert acc2.wait_for_log("arbiter coordinator up", timeout=30), acc2.output()
    restarted = time.monotonic()
    k = len(statuses)

    def clients_back():
        for s in statuses[k:]:
            names = {c.client.split("[")[0]: c.completed for c in s.clients}
            if names.get("detection", 0) > 0 and names.get("pose", 0) > 0:
                return True
        return False
    assert n.spin_until(clients_back, timeout=30, alive=alive), acc2.output() + det.output()
    print(f"grants resumed {time.monotonic() - restarted:.1f} s after the accelerator restarted")
    assert det.wait_for_log("the accelerator arbiter is back", timeout=10), det.output()
    # Grants can resume within one camera period of the restart, so wait for the second frame.
    assert n.spin_until(lambda: len([t for t in arrivals if t >= restarted]) >= 2, timeout=10, alive=alive), \
        det.output()


def test_scripts_launch_respawns_a_killed_node(ros_domain, tmp_path):
    """The launch file's respawn, as scripts/launch does it: the accelerator killed with SIGKILL is
    started again after the delay and serves again."""
    import subprocess
    import sys
    from conftest import BIN_DIR, REPO
    env = dict(os.environ, AIHAT_NPU_ARBITER_SOCK=str(tmp_path / "arbiter.sock"))
    launch = subprocess.Popen([sys.executable, str(REPO / "scripts" / "launch"), "--only", "accelerator",
                               "--bin-dir", str(BIN_DIR), "--respawn-delay", "1", "--duration", "60",
                               "--set", "accelerator.temperature_file=''"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, start_new_session=True, text=True)
    lines = []

    def wait_for(needle, count=1, timeout=30):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if sum(needle in l for l in lines) >= count:
                return True
            line = launch.stdout.readline()
            if not line:
                return False
            lines.append(line)
        return False
    try:
        assert wait_for("arbiter coordinator up"), "".join(lines)
        pid = int(next(l for l in lines if "started accelerator (pid" in l).split("pid ")[1].rstrip(")\n"))
        os.kill(pid, signal.SIGKILL)
        assert wait_for("respawning in 1 s (restart 1)"), "".join(lines)
        assert wait_for("arbiter coordinator up", count=2), "".join(lines)
    finally:
        os.killpg(launch.pid, signal.SIGTERM)
        launch.wait(timeout=15)
    assert any("restarts: accelerator 1" in l for l in lines + launch.stdout.readlines())
