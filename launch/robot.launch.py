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


def generate_launch_description():
    # Imported here so that scripts/launch and the tests can read NODES without ROS launch.
    from ament_index_python.packages import get_package_share_directory
    from launch import LaunchDescription
    from launch.actions import DeclareLaunchArgument
    from launch.conditions import IfCondition
    from launch.substitutions import LaunchConfiguration, PythonExpression
    from launch_ros.actions import Node

    params_dir = os.path.join(get_package_share_directory(PACKAGE), "params")
    camera = LaunchConfiguration("camera")
    image_topic = LaunchConfiguration("image_topic")
    camera_info_topic = LaunchConfiguration("camera_info_topic")
    backend = LaunchConfiguration("backend")
    actions = [
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
            description="inference backend of the vision nodes and the command parser: cpu or hailo"),
    ]
    for spec in NODES:
        remappings = [(src, image_topic) if dst == "camera/image"
                      else (src, [image_topic, "/compressed"]) if dst == "camera/image/compressed"
                      else (src, camera_info_topic) if dst == "camera/camera_info"
                      else (src, dst)
                      for src, dst in spec["remappings"]]
        parameters = [os.path.join(params_dir, spec["params"])]
        if spec["executable"] != "camera_replay":
            parameters.append({"backend": backend})
        kwargs = {}
        if spec.get("replay_only"):
            kwargs["condition"] = IfCondition(PythonExpression(["'", camera, "' == 'replay'"]))
        actions.append(Node(
            package=PACKAGE,
            executable=spec["executable"],
            name=spec["name"],
            parameters=parameters,
            remappings=remappings,
            output="screen",
            # One crashed process must not blind the robot: every node comes back by itself (the
            # vision nodes run unarbitrated while the accelerator is away; scripts/launch does the same).
            respawn=True,
            respawn_delay=RESPAWN_DELAY_S,
            **kwargs,
        ))
    return LaunchDescription(actions)
