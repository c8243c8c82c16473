"""The launch file, the parameter files and the node executables agree: every node the launch
file names is built and installed by CMakeLists.txt, every parameter file it names exists and
addresses that node, and every parameter set there is declared by the node (as the node itself
reports with `--list-params`).

Point AIHAT_PARAMS_DIR at another folder to check a copy of params/.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import BIN_DIR, REPO, load_script

launch = load_script("launch")

PARAMS_DIR = Path(os.environ.get("AIHAT_PARAMS_DIR", REPO / "params"))


def flatten(d, prefix=""):
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def declared(executable, bin_dir=BIN_DIR):
    out = subprocess.run([str(Path(bin_dir) / executable), "--list-params"], capture_output=True,
                         text=True, timeout=30, check=True).stdout
    return {p["name"]: p for p in json.loads(out)}


def check_consistency(params_dir=PARAMS_DIR, bin_dir=BIN_DIR):
    """All disagreements between launch file, parameter files and executables, as messages."""
    problems = []
    nodes = launch.load_graph()
    cmake = (REPO / "CMakeLists.txt").read_text()
    installed = re.search(r"set\(AIHAT_NODES ([^)]*)\)", cmake).group(1).split()
    for spec in nodes:
        exe, name = spec["executable"], spec["name"]
        if exe not in installed:
            problems.append(f"{exe}: launched but not installed by CMakeLists.txt (AIHAT_NODES)")
        if not (Path(bin_dir) / exe).exists():
            problems.append(f"{exe}: no such executable in {bin_dir}")
            continue
        decl = declared(exe, bin_dir)
        pfile = Path(params_dir) / spec["params"]
        if not pfile.exists():
            problems.append(f"{name}: parameter file {pfile} missing")
            continue
        doc = yaml.safe_load(pfile.read_text()) or {}
        for key in doc:
            if key not in (name, f"/{name}", "/**"):
                problems.append(f"{pfile.name}: section `{key}` does not address node `{name}`")
        for key, section in doc.items():
            values = flatten((section or {}).get("ros__parameters", {}))
            for param, value in values.items():
                if param not in decl:
                    problems.append(f"{pfile.name}: `{param}` is not declared by {exe}")
                    continue
                default = decl[param]["default"]
                if type(default) is not type(value) and not (
                        isinstance(default, float) and isinstance(value, int)):
                    problems.append(f"{pfile.name}: `{param}` = {value!r} has type "
                                    f"{type(value).__name__}, {exe} declares {type(default).__name__}")
    for exe in installed:
        if not any(s["executable"] == exe for s in nodes):
            problems.append(f"{exe}: installed but not in the launch file's NODES")
    return problems


def test_launch_params_and_executables_agree():
    problems = check_consistency()
    assert problems == [], "\n".join(problems)


def test_checker_reports_an_undeclared_parameter(tmp_path):
    broken = tmp_path / "params"
    broken.mkdir()
    for f in PARAMS_DIR.glob("*.yaml"):
        (broken / f.name).write_text(f.read_text())
    spec = launch.load_graph()[0]
    pfile = broken / spec["params"]
    doc = yaml.safe_load(pfile.read_text())
    doc[spec["name"]]["ros__parameters"]["no_such_parameter"] = 1
    pfile.write_text(yaml.safe_dump(doc))
    problems = check_consistency(params_dir=broken)
    assert problems == [f"{pfile.name}: `no_such_parameter` is not declared by {spec['executable']}"]


def test_launcher_passes_the_same_arguments_as_the_launch_file():
    cmds = subprocess.run([sys.executable, str(REPO / "scripts" / "launch"), "--print",
                           "--bin-dir", str(BIN_DIR)], capture_output=True, text=True, check=True).stdout
    for spec in launch.load_graph():
        line = next(l for l in cmds.splitlines() if l.startswith(spec["name"] + ":"))
        assert f"__node:={spec['name']}" in line
        assert str(PARAMS_DIR / spec["params"]) in line or spec["params"] in line


def test_the_systemd_unit_starts_this_launch_file_and_restarts_on_failure():
    unit = (REPO / "deploy" / "aihat_ros.service").read_text()
    assert "ros2 launch aihat_ros robot.launch.py" in unit and (REPO / "launch" / "robot.launch.py").exists()
    assert "Restart=on-failure" in unit and "EnvironmentFile=/etc/default/aihat_ros" in unit
    env = (REPO / "deploy" / "aihat_ros.env").read_text()
    assert "AIHAT_WS=" in env and "AIHAT_LAUNCH_ARGS=" in env


def test_every_node_of_the_launch_file_respawns():
    text = (REPO / "launch" / "robot.launch.py").read_text()
    assert "respawn=True" in text and "respawn_delay=RESPAWN_DELAY_S" in text
    assert launch.load_launch_module().RESPAWN_DELAY_S > 0


def check_hailo_overlay(params_dir=PARAMS_DIR, bin_dir=BIN_DIR):
    """Disagreements between params/hailo.yaml (backend:=hailo), the nodes and the HEF list."""
    problems = []
    module = launch.load_launch_module()
    pfile = Path(params_dir) / module.HAILO_OVERLAY
    doc = yaml.safe_load(pfile.read_text()) or {}
    by_name = {s["name"]: s for s in module.NODES}
    fetch_models = load_script("fetch_models")
    hef_files = {e["file"] for e in fetch_models.hailo_models().values()}
    for name, section in doc.items():
        if name not in by_name:
            problems.append(f"{pfile.name}: section `{name}` is no node of the launch file")
            continue
        decl = declared(by_name[name]["executable"], bin_dir)
        for param, value in flatten((section or {}).get("ros__parameters", {})).items():
            if param not in decl:
                problems.append(f"{pfile.name}: `{name}.{param}` is not declared by {by_name[name]['executable']}")
                continue
            default = decl[param]["default"]
            if type(default) is not type(value) and not (isinstance(default, float) and isinstance(value, int)):
                problems.append(f"{pfile.name}: `{name}.{param}` = {value!r} has type {type(value).__name__}, "
                                f"the node declares {type(default).__name__}")
            if param == "model_path" and not Path(value).is_absolute() and value not in hef_files:
                problems.append(f"{pfile.name}: `{name}.model_path` = {value} is not a HEF of scripts/hailo_models.txt")
    return problems


def test_hailo_overlay_parameters_are_declared():
    problems = check_hailo_overlay()
    assert problems == [], "\n".join(problems)


def test_hailo_overlay_checker_reports_problems(tmp_path):
    broken = tmp_path / "params"
    broken.mkdir()
    doc = yaml.safe_load((PARAMS_DIR / "hailo.yaml").read_text())
    doc["accelerator"]["ros__parameters"]["device_telemetry"] = "yes"
    doc["detection"]["ros__parameters"]["model_path"] = "yolov9.hef"
    doc["pose"]["ros__parameters"]["no_such_parameter"] = 1
    (broken / "hailo.yaml").write_text(yaml.safe_dump(doc))
    assert sorted(check_hailo_overlay(params_dir=broken)) == [
        "hailo.yaml: `accelerator.device_telemetry` = 'yes' has type str, the node declares bool",
        "hailo.yaml: `detection.model_path` = yolov9.hef is not a HEF of scripts/hailo_models.txt",
        "hailo.yaml: `pose.no_such_parameter` is not declared by pose",
    ]


def test_backend_hailo_selects_the_overlay(tmp_path):
    def commands(*extra):
        out = subprocess.run([sys.executable, str(REPO / "scripts" / "launch"), "--print",
                              "--bin-dir", str(BIN_DIR), *extra],
                             capture_output=True, text=True, check=True).stdout
        return dict(l.split(": ", 1) for l in out.splitlines())

    cpu = commands("--backend", "cpu")
    hailo = commands("--backend", "hailo", "--hailo-model-dir", str(tmp_path))
    assert "device_telemetry" not in cpu["accelerator"]
    assert "-p device_telemetry:=true" in hailo["accelerator"]
    assert f"-p model_path:={tmp_path / 'yolov8n.hef'}" in hailo["detection"]
    assert f"-p model_path:={tmp_path / 'Qwen2.5-1.5B-Instruct.hef'}" in hailo["command_parser"]
    assert "-p metric:=true" in hailo["depth"] and "-p hailo_decoding:=fast_depth" in hailo["depth"]
    # The default folder is the one scripts/fetch_models puts the HEFs in.
    default = commands("--backend", "hailo")
    module = launch.load_launch_module()
    assert f"-p model_path:={Path(module.hailo_model_dir()) / 'yolov8s_pose.hef'}" in default["pose"]


def test_nodes_get_the_fast_dds_profile_unless_one_is_set():
    """params/fastdds.xml (its 100 ms heartbeat repairs a lost sample in 0.1 s, not Fast DDS's 3 s)
    reaches every node the launch file and scripts/launch start; a user's own profiles file wins."""
    import xml.etree.ElementTree as ET

    module = launch.load_launch_module()
    env = module.dds_environment(str(PARAMS_DIR), environ={})
    path = Path(env["FASTRTPS_DEFAULT_PROFILES_FILE"])
    assert path.parent == PARAMS_DIR and path.exists()
    ns = {"f": "http://www.eprosima.com/XMLSchemas/fastRTPS_Profiles"}
    writer = ET.parse(path).getroot().find("f:profiles/f:data_writer", ns)
    assert writer.get("is_default_profile") == "true"
    hb = writer.find("f:times/f:heartbeatPeriod", ns)
    assert (int(hb.find("f:sec", ns).text), int(hb.find("f:nanosec", ns).text)) == (0, 100_000_000)
    for var in ("FASTRTPS_DEFAULT_PROFILES_FILE", "FASTDDS_DEFAULT_PROFILES_FILE"):
        assert module.dds_environment(str(PARAMS_DIR), environ={var: "/etc/mine.xml"}) == {}
    # The installed package carries it: params/ is installed as a whole.
    assert re.search(r"install\(DIRECTORY[^)]*\bparams\b", (REPO / "CMakeLists.txt").read_text())


def test_too_little_shared_memory_for_the_profile_is_warned():
    """Short of /dev/shm room for the profile's segments (Docker's 64 MB default for a 16 MB
    segment a node), Fast DDS falls back to UDP with a cryptic error and large images vanish: the
    launch says so and names the fix."""
    module = launch.load_launch_module()
    nodes = len(module.NODES)
    mb = 1 << 20
    short = module.shm_room_warning(str(PARAMS_DIR), nodes, free_bytes=64 * mb)
    assert short and "64 MB free" in short and "--shm-size" in short, short
    assert module.shm_room_warning(str(PARAMS_DIR), nodes, free_bytes=256 * mb) is None
    # One 16 MB segment and its 5 % overhead do not fit in 16 MB.
    assert module.shm_room_warning(str(PARAMS_DIR), 1, free_bytes=16 * mb) is not None
    assert module.shm_room_warning(str(PARAMS_DIR), 1, free_bytes=17 * mb) is None
    # Both starters ask dds_setup: our profile and its warning; a user's own profile, neither.
    env, warning = module.dds_setup(str(PARAMS_DIR), nodes, environ={}, free_bytes=64 * mb)
    assert env and warning == short
    assert module.dds_setup(str(PARAMS_DIR), nodes, environ={"FASTDDS_DEFAULT_PROFILES_FILE": "/etc/mine.xml"},
                            free_bytes=64 * mb) == ({}, None)
