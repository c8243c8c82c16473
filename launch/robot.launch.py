"""Starts the aihat_ros node graph: perception (detection, pose, depth), the command parser
and, unless a camera driver provides `image`, the camera replay.

    ros2 launch aihat_ros robot.launch.py                       # replay sample images
    ros2 launch aihat_ros robot.launch.py camera:=external image_topic:=/camera/image_raw \
        camera_info_topic:=/camera/camera_info
    ros2 launch aihat_ros robot.launch.py backend:=hailo

Each node reads params/<node>.yaml (ROS 2 parameter-file format). Where `ros2 launch` is not
installed (our CI), `scripts/launch` starts the same graph from the NODES table below: keep
the graph in that table so both paths agree (tests/test_launch_consistency.py checks it).
"""

import os

# The node graph. `params` names a file in params/; `remappings` map the node's relative
# topic names onto the graph; `replay_only` nodes run only with camera:=replay.
NODES = [
    {
        "executable": "accelerator",
        "name": "accelerator",
        "params": "accelerator.yaml",
        "remappings": [],
    },
    {
        "executable": "camera_replay",
        "name": "camera_replay",
        "params": "camera_replay.yaml",
        "remappings": [("image", "camera/image"), ("camera_info", "camera/camera_info")],
        "replay_only": True,
    },
    {
        "executable": "detection",
        "name": "detection",
        "params": "detection.yaml",
        "remappings": [("image", "camera/image"), ("image/compressed", "camera/image/compressed"),
                       ("camera_info", "camera/camera_info")],
    },
    {
        "executable": "pose",
        "name": "pose",
        "params": "pose.yaml",
        "remappings": [("image", "camera/image"), ("image/compressed", "camera/image/compressed"),
                       ("camera_info", "camera/camera_info")],
    },
    {
        "executable": "depth",
        "name": "depth",
        "params": "depth.yaml",
        # `detections` (relative) meets the detection node's output in the same namespace.
        "remappings": [("image", "camera/image"), ("image/compressed", "camera/image/compressed"),
                       ("camera_info", "camera/camera_info")],
    },
    {
        "executable": "command_parser",
        "name": "command_parser",
        "params": "command_parser.yaml",
        "remappings": [],
    },
]

PACKAGE = "aihat_ros"
# Seconds before a node that died is started again.
RESPAWN_DELAY_S = 2.0

# Fast DDS settings of the nodes (params/fastdds.xml: heartbeat period), unless the user set a
# profiles file of their own.
DDS_PROFILE = "fastdds.xml"
DDS_PROFILE_VARS = ("FASTRTPS_DEFAULT_PROFILES_FILE", "FASTDDS_DEFAULT_PROFILES_FILE")


def shm_room_warning(params_dir, node_count, free_bytes=None, shm_dir="/dev/shm"):
    """A warning naming the fix when `shm_dir` has less free room than our profile's shared-memory
    segments take (one per node, about 5 % over the profile's segment_size), else None. Short of
    room, Fast DDS logs "Failed to create segment ... SHM Transport is not supported in the current
    platform" and falls back to UDP, where most camera-size images never arrive (a 12 MB /dev/shm:
    19 of 50 frames; Docker gives 64 MB by default). `free_bytes`: the room, when not measured."""
    import re

    with open(os.path.join(params_dir, DDS_PROFILE)) as f:
        sizes = [int(v) for v in re.findall(r"<segment_size>\s*(\d+)\s*</segment_size>", f.read())]
    if not sizes:
        return None
    if free_bytes is None:
        try:
            st = os.statvfs(shm_dir)
        except OSError:
            return None  # no such folder: not Linux, Fast DDS keeps its segments elsewhere
        free_bytes = st.f_bavail * st.f_frsize
    need = int(node_count * max(sizes) * 1.05)
    if free_bytes >= need:
        return None
    mb = 1 << 20
    nodes = f"{node_count} node{'s' * (node_count != 1)}"
    return (f"{shm_dir} has {free_bytes // mb} MB free and {nodes} with {DDS_PROFILE} need about {need // mb + 1} MB: "
            "nodes short of room fall back to UDP and lose large images. Give it room (docker run "
            "--shm-size=256m, or remount /dev/shm larger)")


def dds_environment(params_dir, environ=os.environ):
    """{variable: value} to add to the nodes' environment: our Fast DDS profile, or nothing when a
    profiles file is already set (the user's wins)."""
    if any(environ.get(v) for v in DDS_PROFILE_VARS):
        return {}
    return {DDS_PROFILE_VARS[0]: os.path.join(params_dir, DDS_PROFILE)}


def dds_setup(params_dir, node_count, environ=os.environ, free_bytes=None):
    """(environment, warning or None) for `node_count` nodes, as the launch file and scripts/launch
    both start them: `dds_environment`, and `shm_room_warning` only when it is our profile whose
    segments must fit (a user's own profiles file sizes its own)."""
    env = dds_environment(params_dir, environ)
    return env, (shm_room_warning(params_dir, node_count, free_bytes) if env else None)


# backend:=hailo also loads this file after each node's own: the Hailo defaults (device
# telemetry, the HEFs). A relative model_path in it names a file in hailo_model_dir().
HAILO_OVERLAY = "hailo.yaml"


def hailo_model_dir():
    """Where `scripts/fetch_models hailo` puts the HEFs (it asks this function)."""
    cache = os.environ.get("AIHAT_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "aihat_ros")
    return os.path.join(cache, "models", "hailo")


def hailo_parameters(params_dir, model_dir=None):
    """{node name: {parameter: value}} of the Hailo overlay, model paths made absolute."""
    import yaml

    with open(os.path.join(params_dir, HAILO_OVERLAY)) as f:
        doc = yaml.safe_load(f) or {}
    model_dir = model_dir or hailo_model_dir()
    out = {}
    for name, section in doc.items():
        params = dict((section or {}).get("ros__parameters", {}))
        path = params.get("model_path")
        if isinstance(path, str) and path and not os.path.isabs(path):
            params["model_path"] = os.path.join(os.path.expanduser(model_dir), path)
        out[name] = params
    return out


def generate_launch_description():
    # Imported here so that scripts/launch and the tests can read NODES without ROS launch.
    from launch import LaunchDescription
    from launch.actions import DeclareLaunchArgument, OpaqueFunction

    return LaunchDescription([
        DeclareLaunchArgument(
            "camera", default_value="replay",
            description="replay: publish sample images; external: a camera driver publishes image_topic"),
        DeclareLaunchArgument(
            "image_topic", default_value="camera/image",
            description="the sensor_msgs/Image topic the vision nodes subscribe to"),
        DeclareLaunchArgument(
            "camera_info_topic", default_value="camera/camera_info",
            description="the camera's sensor_msgs/CameraInfo (intrinsics for 3D detections)"),
        DeclareLaunchArgument(
            "backend", default_value="cpu",
            description="inference backend of the vision nodes and the command parser: cpu or hailo "
                        "(hailo also loads params/hailo.yaml: device telemetry, the HEFs)"),
        DeclareLaunchArgument(
            "hailo_model_dir", default_value=hailo_model_dir(),
            description="backend:=hailo: the folder holding the HEFs (scripts/fetch_models hailo)"),
        # The nodes depend on the arguments' values (the Hailo overlay), hence an OpaqueFunction.
        OpaqueFunction(function=_nodes),
    ])


def _nodes(context):
    from ament_index_python.packages import get_package_share_directory
    from launch.substitutions import LaunchConfiguration
    from launch_ros.actions import Node

    def arg(name):
        return LaunchConfiguration(name).perform(context)

    params_dir = os.path.join(get_package_share_directory(PACKAGE), "params")
    camera, backend = arg("camera"), arg("backend")
    image_topic, camera_info_topic = arg("image_topic"), arg("camera_info_topic")
    hailo = hailo_parameters(params_dir, arg("hailo_model_dir")) if backend == "hailo" else {}
    nodes = []
    specs = [s for s in NODES if not (s.get("replay_only") and camera != "replay")]
    dds_env, warning = dds_setup(params_dir, len(specs))
    if warning:
        from launch.actions import LogInfo
        nodes.append(LogInfo(msg="WARNING: " + warning))
    for spec in specs:
        remappings = [(src, image_topic) if dst == "camera/image"
                      else (src, image_topic + "/compressed") if dst == "camera/image/compressed"
                      else (src, camera_info_topic) if dst == "camera/camera_info"
                      else (src, dst)
                      for src, dst in spec["remappings"]]
        parameters = [os.path.join(params_dir, spec["params"])]
        if spec["executable"] != "camera_replay":
            parameters.append({"backend": backend})
        if spec["name"] in hailo:
            parameters.append(hailo[spec["name"]])
        nodes.append(Node(
            package=PACKAGE,
            executable=spec["executable"],
            name=spec["name"],
            parameters=parameters,
            remappings=remappings,
            additional_env=dds_env,
            output="screen",
            # One crashed process must not blind the robot: every node comes back by itself (the
            # vision nodes run unarbitrated while the accelerator is away; scripts/launch does the same).
            respawn=True,
            respawn_delay=RESPAWN_DELAY_S,
        ))
    return nodes
