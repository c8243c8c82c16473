"""What the vision nodes' ROS tests share: images as sensor_msgs messages, a client that feeds
a node images and collects its results, the bad-input cases every vision node must survive,
and parameter changes through the node's set_parameters service.
"""

import time

import numpy as np
from PIL import Image as PILImage

from conftest import SHARED

IMAGES = SHARED / "testdata" / "images"
MODELS = SHARED / "models"
GOOD_JPEG = (IMAGES / "zidane.jpg").read_bytes()


def load_rgb(name):
    """An image of shared/testdata/images as an RGB array, decoded by Pillow (libjpeg-turbo,
    the decoder Ultralytics' OpenCV uses, so parity fixtures see the same pixels)."""
    return np.asarray(PILImage.open(IMAGES / name).convert("RGB"))


def reliable_qos(depth=10):
    from rclpy.qos import QoSProfile, ReliabilityPolicy, HistoryPolicy
    return QoSProfile(depth=depth, reliability=ReliabilityPolicy.RELIABLE, history=HistoryPolicy.KEEP_LAST)


class VisionClient:
    """Publishes images to a vision node (raw and compressed) and collects what it publishes
    on `result_topic`, in order (`results`) and by header frame_id (`by_frame`)."""

    def __init__(self, node, proc, result_type, result_topic, image_topic="image"):
        from sensor_msgs.msg import Image, CompressedImage
        self.node, self.proc = node, proc
        self.results, self.by_frame = [], {}
        qos = reliable_qos()

        def on_result(m):
            self.results.append(m)
            self.by_frame[m.header.frame_id] = m
        node.create_subscription(result_type, result_topic, on_result, qos)
        self.pub = node.create_publisher(Image, image_topic, qos)
        self.cpub = node.create_publisher(CompressedImage, image_topic + "/compressed", qos)
        ok = node.spin_until(lambda: self.pub.get_subscription_count() > 0 and self.cpub.get_subscription_count() > 0,
                             alive=proc.alive)
        assert ok, proc.output()

    def send_raw(self, arr=None, encoding="rgb8", width=None, height=None, step=None, data=None, frame_id="cam"):
        """Publishes make_image(...) with the current time as stamp."""
        m = make_image(arr, encoding, (int(time.time()), 12345), frame_id, width, height, step, data)
        self.pub.publish(m)
        return m

    def send_compressed(self, data, fmt="jpeg", frame_id="cam"):
        from sensor_msgs.msg import CompressedImage
        m = CompressedImage()
        m.header.frame_id = frame_id
        m.format = fmt
        m.data = data
        self.cpub.publish(m)
        return m

    def next_result(self, after, timeout=60, resend=None):
        """The result after the first `after` ones (waits for it). With `resend`, calls it every
        3 s as a camera would: one frame may be dropped by the arbiter on a loaded machine
        (counted), and what such a test checks is that the node goes on publishing."""
        deadline = time.monotonic() + timeout
        while True:
            step = min(3, timeout) if resend else timeout
            if self.node.spin_until(lambda: len(self.results) > after, timeout=step, alive=self.proc.alive):
                return self.results[after]
            assert resend and time.monotonic() < deadline and self.proc.alive(), \
                f"no result #{after + 1}\n" + self.proc.output()
            resend()

    def result_for(self, frame_id, timeout=60):
        ok = self.node.spin_until(lambda: frame_id in self.by_frame, timeout=timeout, alive=self.proc.alive)
        assert ok, f"no result for {frame_id}\n" + self.proc.output()
        return self.by_frame[frame_id]


def make_image(arr=None, encoding="rgb8", stamp=(1000, 12345), frame_id="cam", width=None, height=None,
               step=None, data=None):
    """An Image from `arr` (H x W x C uint8), with any field overridden to make it bad."""
    from sensor_msgs.msg import Image
    m = Image()
    m.header.frame_id = frame_id
    m.header.stamp.sec, m.header.stamp.nanosec = stamp
    if arr is not None:
        m.height, m.width = arr.shape[:2]
        m.step = arr.shape[1] * (arr.shape[2] if arr.ndim == 3 else 1)
        m.data = arr.tobytes()
    m.encoding = encoding
    if width is not None: m.width = width
    if height is not None: m.height = height
    if step is not None: m.step = step
    if data is not None: m.data = data
    return m


def start_vision_client(start_node, node, executable, model, result_type, result_topic, params=None):
    """A vision node on `image` (reliable QoS, no arbiter: nothing is dropped for lack of a
    grant) and a client wired to it, once the model is loaded."""
    proc = start_node(executable, params={"model_path": str(model), "qos": "reliable", "qos_depth": 5,
                                          "use_arbiter": False, **(params or {})})
    assert proc.wait_for_log("model loaded", timeout=60), proc.output()
    return VisionClient(node, proc, result_type, result_topic)


# Each class of bad input, and the words the node's log must give as the reason.
BAD_INPUT_CASES = ["unknown_encoding", "step_mismatch", "truncated", "corrupt_jpeg", "empty", "huge"]


def send_bad_input(client, case):
    """Sends one bad image of class `case`; returns the reason the node must log."""
    small = load_rgb("chelsea.png")
    h, w = small.shape[:2]
    if case == "unknown_encoding":
        client.send_raw(small, encoding="yuv999")
        return "unsupported image encoding"
    if case == "step_mismatch":
        client.send_raw(small, step=w)  # 1 byte per pixel for rgb8
        return "row step"
    if case == "truncated":
        client.send_raw(small, data=small.tobytes()[: w * 3 * (h // 2)])
        return "truncated"
    if case == "corrupt_jpeg":
        client.send_compressed(b"\xff\xd8\xff\xe0" + b"\x00garbage" * 100)
        return "could not be decoded"
    if case == "empty":
        client.send_raw(encoding="rgb8", width=0, height=0, step=0, data=b"")
        return "empty image"
    if case == "huge":
        # Header claims 60000 x 60000: rejected from the header, before any allocation.
        client.send_raw(encoding="rgb8", width=60000, height=60000, step=180000, data=b"\x00" * 1000)
        return "exceeds the limit"
    raise ValueError(case)


def set_param(node, target, name, value):
    """Sets one parameter of node `target`; returns the SetParametersResult."""
    from rcl_interfaces.srv import SetParameters
    from rcl_interfaces.msg import Parameter, ParameterValue, ParameterType
    cli = node.create_client(SetParameters, f"/{target}/set_parameters")
    assert node.spin_until(lambda: cli.service_is_ready(), timeout=20)
    v = ParameterValue()
    if isinstance(value, bool):
        v.type, v.bool_value = ParameterType.PARAMETER_BOOL, value
    elif isinstance(value, int):
        v.type, v.integer_value = ParameterType.PARAMETER_INTEGER, value
    elif isinstance(value, float):
        v.type, v.double_value = ParameterType.PARAMETER_DOUBLE, value
    else:
        v.type, v.string_value = ParameterType.PARAMETER_STRING, value
    fut = cli.call_async(SetParameters.Request(parameters=[Parameter(name=name, value=v)]))
    assert node.spin_until(lambda: fut.done(), timeout=20)
    return fut.result().results[0]


def start_fails_with(start_node, executable, params, *needles):
    """Starts a node that must stop at start-up; checks its exit code and that its output says
    every one of `needles`. Returns the output."""
    proc = start_node(executable, params={"use_arbiter": False, **params})
    proc.proc.wait(timeout=60)
    out = proc.output()
    assert proc.proc.returncode != 0, out
    for needle in needles:
        assert needle in out, (needle, out)
    return out
