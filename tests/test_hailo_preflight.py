"""The accelerator's Hailo preflight over ROS, on the TEST DOUBLE of the Hailo shim.

`accelerator_hailo_double` is the accelerator built with `--features hailo-double`: with
`backend:=hailo` it reads the HailoRT library, driver and firmware versions and the device id
through the shim's C ABI before serving any client, and the double answers with what the
AIHAT_HAILO_DOUBLE_* variables say (crates/hailo/tests/double/hailo_shim_double.c). The rule
itself (library and firmware major.minor must match) is unit-tested in crates/hailo/src/preflight.rs.
Nothing here says anything about a real Hailo-10H (see the README's Hailo section).

Build (scripts/test does it, with the detection double in one cargo call):
  cargo build --release -p detection -p accelerator --features hailo-double \
      --bin detection_hailo_double --bin accelerator_hailo_double
"""

import os

import pytest

from conftest import BIN_DIR
from vision_topics import reliable_qos

EXE = "accelerator_hailo_double"
OK, WARN = b"\x00", b"\x01"
MISMATCH = "HailoRT 5.1.1 and the firmware 5.0.0 of Hailo device 0001:01:00.0 differ in major.minor"


def level(status):
    # rclpy gives the byte field as bytes of length 1.
    return status.level if isinstance(status.level, bytes) else bytes([status.level])


def double_env(**versions):
    """The test's environment (its ROS_DOMAIN_ID included) plus the double's versions."""
    env = dict(os.environ, RUST_BACKTRACE="0")
    for k in ("LIBRARY_VERSION", "DRIVER_VERSION", "FIRMWARE_VERSION", "DEVICE_ID"):
        env.pop(f"AIHAT_HAILO_DOUBLE_{k}", None)
    env.update({f"AIHAT_HAILO_DOUBLE_{k.upper()}": v for k, v in versions.items()})
    return env


@pytest.fixture
def accelerator(start_node, tmp_path):
    if not (BIN_DIR / EXE).exists():
        pytest.fail(f"{BIN_DIR / EXE} not built: cargo build --release -p accelerator --features hailo-double --bin {EXE}")

    def start(backend="hailo", **versions):
        sock = tmp_path / "arbiter.sock"
        node = start_node(EXE, name="accelerator", env=double_env(**versions), params={
            "socket_path": str(sock), "status_period_s": 0.3, "temperature_file": "", "backend": backend})
        return node, sock

    return start


def accelerator_status(n, node, timeout=30):
    """The first /diagnostics entry of the accelerator itself, and the latest accelerator/status."""
    from diagnostic_msgs.msg import DiagnosticArray
    from aihat_msgs.msg import AcceleratorStatus

    diags, status = [], []
    n.create_subscription(DiagnosticArray, "/diagnostics", lambda m: diags.append(m), reliable_qos())
    n.create_subscription(AcceleratorStatus, "accelerator/status", lambda m: status.append(m), reliable_qos())

    def own():
        return next((s for arr in diags for s in arr.status if s.name.endswith(": accelerator")), None)
    assert n.spin_until(lambda: own() is not None and status, timeout=timeout, alive=node.alive), node.output()
    return own(), status[-1]


def test_preflight_versions_on_diagnostics_and_status(accelerator, rclpy_node):
    # Firmware of the library's major.minor but another revision: compatible (HailoRT compares
    # major.minor), and every value differs from the double's defaults where it can.
    node, sock = accelerator(library_version="5.1.1", firmware_version="5.1.0", driver_version="5.1.1",
                             device_id="0001:01:00.0")
    diag, status = accelerator_status(rclpy_node, node)
    values = {kv.key: kv.value for kv in diag.values}
    got = {k: values.get(k) for k in ("hailort_version", "hailo_driver_version", "hailo_firmware_version",
                                      "hailo_device_id", "hailo_preflight")}
    assert got == {"hailort_version": "5.1.1", "hailo_driver_version": "5.1.1", "hailo_firmware_version": "5.1.0",
                   "hailo_device_id": "0001:01:00.0", "hailo_preflight": "ok"}, (got, node.output())
    assert values["backend"] == "hailo"
    assert level(diag) == OK, diag
    assert status.backend == "hailo"
    assert status.device == "hailo-10h 0001:01:00.0 (HailoRT 5.1.1, firmware 5.1.0, driver 5.1.1)", status.device
    out = node.output()
    assert "TEST DOUBLE" in out
    assert "Hailo preflight: versions" in out and "firmware=5.1.0" in out and "device_id=0001:01:00.0" in out, out
    # The preflight came before the coordinator served anything.
    assert out.index("Hailo preflight: versions") < out.index("arbiter coordinator up"), out
    assert node.alive()


def test_a_driver_other_than_the_library_is_a_warning_not_a_stop(accelerator, rclpy_node):
    node, sock = accelerator(driver_version="5.0.2")
    diag, status = accelerator_status(rclpy_node, node)
    values = {kv.key: kv.value for kv in diag.values}
    assert values["hailo_driver_version"] == "5.0.2" and values["hailort_version"] == "5.1.1", values
    assert "the hailo1x_pci driver is 5.0.2 and HailoRT is 5.1.1" in values["hailo_preflight"], values
    assert level(diag) == WARN, diag
    assert node.wait_for_log("the hailo1x_pci driver is 5.0.2", timeout=5), node.output()
    assert node.alive() and sock.exists()


def test_firmware_of_another_major_minor_stops_the_node_with_the_fix(accelerator):
    node, sock = accelerator(firmware_version="5.0.0")
    node.proc.wait(timeout=60)
    node._reader.join(timeout=5)   # the last lines of its output
    out = node.output()
    assert node.proc.returncode == 1, out
    # The log line and the error from main both carry the message, with the fix.
    assert out.count(MISMATCH) >= 2, out
    assert "Hailo preflight: incompatible versions, not starting" in out, out
    assert "Fix: install HailoRT, the hailo1x_pci driver and the Hailo-10H firmware of one release" in out, out
    assert "hailortcli fw-control identify" in out, out
    assert "panicked" not in out, out
    # No client was ever served: the coordinator's socket was never made.
    assert "arbiter coordinator up" not in out and not sock.exists(), out


def test_backend_cpu_runs_no_preflight(accelerator, rclpy_node):
    """The same executable and mismatched versions, backend cpu: nothing Hailo is checked."""
    node, sock = accelerator(backend="cpu", firmware_version="5.0.0")
    diag, status = accelerator_status(rclpy_node, node)
    assert not any(kv.key.startswith("hailo") for kv in diag.values), diag.values
    assert status.device == "cpu inference set"
    assert "Hailo preflight" not in node.output() and node.alive()


def test_no_device_to_identify_stops_the_node(accelerator):
    node, sock = accelerator(device_id="")
    node.proc.wait(timeout=60)
    node._reader.join(timeout=5)
    out = node.output()
    assert node.proc.returncode == 1, out
    assert "Hailo preflight: hailo double: no Hailo device found" in out and "(HailoRT 5.1.1, driver 5.1.1)" in out, out
    assert "arbiter coordinator up" not in out and not sock.exists(), out
