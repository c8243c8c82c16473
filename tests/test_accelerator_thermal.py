"""The accelerator's thermal policy through ROS: a temperature file the test writes drives the
band; /diagnostics reports it; while hot the arbiter refuses the detection node's frames
(counted as thermal drops), and once cool they flow again.
"""

import time

from vision_topics import MODELS, VisionClient, load_rgb, reliable_qos

MODEL = MODELS / "yolov8n_w8f32.onnx"
OK, WARN, ERROR = b"\x00", b"\x01", b"\x02"


def level(status):
    # rclpy gives the byte field as bytes of length 1.
    return status.level if isinstance(status.level, bytes) else bytes([status.level])


def test_thermal_bands_limit_the_detection_node_and_show_in_diagnostics(start_node, rclpy_node, tmp_path):
    from diagnostic_msgs.msg import DiagnosticArray
    from aihat_msgs.msg import Detection2DArray, AcceleratorStatus

    temp = tmp_path / "temp"
    temp.write_text("85000\n")
    sock = tmp_path / "arbiter.sock"
    acc = start_node("accelerator", params={
        "socket_path": str(sock), "status_period_s": 0.3, "temperature_file": str(temp),
        # Shed vision too, so that hot means no detection frame at all; no dwell, so that the
        # test need not wait for cooling to count.
        "thermal_shed_vision": True, "thermal_min_dwell_s": 0.0})
    det = start_node("detection", params={"model_path": str(MODEL), "arbiter_socket": str(sock),
                                          "qos": "reliable", "qos_depth": 10, "expected_rate_hz": 1.0,
                                          "inference_threads": 1},
                     remap={"image": "cam/image", "image/compressed": "cam/image/compressed"})
    assert det.wait_for_log("model loaded", timeout=60), det.output()

    n = rclpy_node
    client = VisionClient(n, det, Detection2DArray, "detections", image_topic="cam/image")
    diags, status = [], []
    n.create_subscription(DiagnosticArray, "/diagnostics", lambda m: diags.append(m), reliable_qos())
    n.create_subscription(AcceleratorStatus, "accelerator/status", lambda m: status.append(m), reliable_qos())

    def thermal_status():
        for arr in reversed(diags):
            for s in arr.status:
                if s.name.endswith(": thermal"):
                    return s
        return None

    def in_state(state, lvl):
        s = thermal_status()
        return s is not None and {kv.key: kv.value for kv in s.values}.get("state") == state and level(s) == lvl

    def detection_client():
        for m in reversed(status):
            for c in m.clients:
                if c.client.startswith("detection"):
                    return c, m
        return None, None

    # Hot: shed, ERROR, the band in the status message too, and a warning in the log.
    assert n.spin_until(lambda: in_state("shed", ERROR), timeout=20), acc.output()
    s = thermal_status()
    assert "shed at 85.0 C" in s.message, s.message
    assert acc.wait_for_log("thermal: limiting accelerator work", timeout=5), acc.output()
    # The detection node registered, and every frame it offers is refused.
    assert n.spin_until(lambda: detection_client()[0] is not None, timeout=30), acc.output()
    bus = load_rgb("bus.jpg")
    for _ in range(4):
        client.send_raw(bus)
        n.spin_until(lambda: False, timeout=1.0)

    def thermal_drops():
        for arr in reversed(diags):
            for st in arr.status:
                if ": client detection" in st.name:
                    return int({kv.key: kv.value for kv in st.values}["dropped_thermal"])
        return 0
    assert n.spin_until(lambda: thermal_drops() >= 2, timeout=20), (thermal_drops(), acc.output())
    c, m = detection_client()
    assert c.completed == 0 and c.dropped >= 2, c
    assert "thermal: shed" in m.device, m.device
    assert client.results == []

    # Warm: reduced band, WARN.
    temp.write_text("65000\n")
    assert n.spin_until(lambda: in_state("reduced", WARN), timeout=20), acc.output()

    # Cool: full again, OK, and the node's frames are answered.
    temp.write_text("50000\n")
    assert n.spin_until(lambda: in_state("full", OK), timeout=20), acc.output()
    assert acc.wait_for_log("thermal: relaxing accelerator limits", timeout=5), acc.output()
    dropped_hot = thermal_drops()
    client.send_raw(bus)
    msg = client.next_result(0, timeout=60, resend=lambda: client.send_raw(bus))
    assert len(msg.detections) > 0
    assert n.spin_until(lambda: (detection_client()[0] or c).completed >= 1, timeout=20)
    assert thermal_drops() == dropped_hot
    assert "thermal" not in detection_client()[1].device


def test_device_telemetry_without_the_hailo_build_is_a_clear_start_error(start_node, tmp_path):
    """Asking the CPU build for the Hailo's own telemetry stops the node and says how to get it,
    instead of running the thermal policy blind."""
    acc = start_node("accelerator", params={"socket_path": str(tmp_path / "arbiter.sock"), "device_telemetry": True})
    acc.proc.wait(timeout=60)
    out = acc.output()
    assert acc.proc.returncode == 1, out
    assert "device_telemetry needs the Hailo backend" in out and "--features hailo" in out, out
    assert "panicked" not in out, out
