"""The node processes of one running aihat_ros graph, found by executable and ROS_DOMAIN_ID, and
what /proc says about them (RSS, descriptors, CPU time). Used by scripts/record.py (CPU % per node
in the run report) and bench/soak.py (RSS and descriptors over time)."""
import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NODES = ("camera_replay", "detection", "pose", "depth", "command_parser", "accelerator")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def graph_processes(domain, bin_dir=None):
    """{node name: pid} of the graph's node processes (their ROS_DOMAIN_ID is `domain`)."""
    bin_dir = Path(bin_dir or Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target")) / "release")
    found = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            exe = Path(os.readlink(d / "exe"))
            if exe.parent != bin_dir or exe.name not in NODES:
                continue
            env = (d / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"ROS_DOMAIN_ID={domain}".encode() in env:
            found[exe.name] = int(d.name)
    return found


def memory(pid):
    """(RSS in MB, open file descriptors) of a process, or None once it is gone."""
    try:
        rss_kb = next(int(l.split()[1]) for l in (Path(f"/proc/{pid}/status")).read_text().splitlines()
                      if l.startswith("VmRSS:"))
        fds = len(os.listdir(f"/proc/{pid}/fd"))
        return rss_kb / 1024.0, fds
    except (OSError, StopIteration):
        return None


def cpu_seconds(pid):
    """User + system CPU seconds of a process (all its threads), or None once it is gone."""
    try:
        # The command name (field 2) may hold spaces: the fields after it start past its ')'.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    except (OSError, IndexError, ValueError):
        return None
