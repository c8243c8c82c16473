#!/usr/bin/env python3
"""Generate the STAND-IN depth model the tests and benchmarks run the depth node with.

No trained depth model can be fetched on the machines this project is tested on (see
../shared/models/MANIFEST.md), so the tests exercise the real pipeline -- decoding, resizing,
normalisation, ONNX Runtime, resizing back, box statistics, stamp matching, ROS transport -- on
a tiny graph with exactly the interface of the Depth Anything V2 small export from
onnx-community (input `pixel_values` float32 [batch, 3, height, width], output `predicted_depth`
float32 [batch, height, width]). What it computes is a known function of its input, not a depth
estimate; tests built on it say nothing about depth quality.

    predicted_depth[n, i, j] = OFFSET + RAMP * i / H + sum_c WEIGHTS[c] * pixel_values[n, c, i, j]

i.e. a weighted sum of the three normalised channels plus a vertical ramp (larger towards the
bottom of the image, like a floor coming nearer in inverse depth). With the weights below the
output stays positive for any 8-bit image.

    python scripts/make_test_depth_model.py OUT.onnx [--fixed 518]

--fixed N gives a static [1, 3, N, N] input (like a fixed-size re-export); default: dynamic H/W
like the onnx-community export. Needs the `onnx` package (scripts/setup pins it).
"""

import argparse
import sys

import numpy as np

# The stand-in's function; tests import these to compute expected values.
WEIGHTS = (0.1, 0.06, 0.04)
RAMP = 2.0
OFFSET = 1.0
STAND_IN_KEY = "aihat_stand_in"  # inference::STAND_IN_KEY: the node warns that this is not a depth model
OPSET = 17
IR_VERSION = 9  # onnxruntime 1.31 reads it; newer onnx packages default to IRs older runtimes refuse


def expected(pixel_values):
    """The stand-in's output for a [N, 3, H, W] float32 input, in numpy."""
    x = np.asarray(pixel_values, dtype=np.float32)
    h = x.shape[2]
    ramp = (np.arange(h, dtype=np.float32) / np.float32(h))[None, :, None]
    w = np.asarray(WEIGHTS, dtype=np.float32)[None, :, None, None]
    return (np.float32(OFFSET) + np.float32(RAMP) * ramp + (x * w).sum(axis=1)).astype(np.float32)


def build(fixed=None):
    from onnx import TensorProto, helper, numpy_helper

    if fixed:
        in_shape, out_shape = [1, 3, fixed, fixed], [1, fixed, fixed]
    else:
        in_shape, out_shape = ["batch_size", 3, "height", "width"], ["batch_size", "height", "width"]
    inits = [
        numpy_helper.from_array(np.asarray(WEIGHTS, dtype=np.float32).reshape(1, 3, 1, 1), "channel_weights"),
        numpy_helper.from_array(np.asarray([1], dtype=np.int64), "axis_1"),
        numpy_helper.from_array(np.asarray(2, dtype=np.int64), "dim_h"),
        numpy_helper.from_array(np.asarray(0, dtype=np.int64), "zero"),
        numpy_helper.from_array(np.asarray(1, dtype=np.int64), "one"),
        numpy_helper.from_array(np.asarray([1, -1, 1], dtype=np.int64), "ramp_shape"),
        numpy_helper.from_array(np.asarray(RAMP, dtype=np.float32), "ramp_gain"),
        numpy_helper.from_array(np.asarray(OFFSET, dtype=np.float32), "offset"),
    ]
    nodes = [
        # Weighted channel sum as a 1x1 convolution: [N,3,H,W] -> [N,1,H,W] -> [N,H,W].
        helper.make_node("Conv", ["pixel_values", "channel_weights"], ["weighted"], kernel_shape=[1, 1]),
        helper.make_node("Squeeze", ["weighted", "axis_1"], ["weighted_nhw"]),
        # Row index / H, from the input's own shape (so it works for any H).
        helper.make_node("Shape", ["pixel_values"], ["in_shape"]),
        helper.make_node("Gather", ["in_shape", "dim_h"], ["h"], axis=0),
        helper.make_node("Range", ["zero", "h", "one"], ["rows"]),
        helper.make_node("Cast", ["rows"], ["rows_f"], to=TensorProto.FLOAT),
        helper.make_node("Cast", ["h"], ["h_f"], to=TensorProto.FLOAT),
        helper.make_node("Div", ["rows_f", "h_f"], ["rows_rel"]),
        helper.make_node("Reshape", ["rows_rel", "ramp_shape"], ["rows_col"]),
        helper.make_node("Mul", ["rows_col", "ramp_gain"], ["ramp"]),
        helper.make_node("Add", ["ramp", "offset"], ["ramp_off"]),
        helper.make_node("Add", ["weighted_nhw", "ramp_off"], ["predicted_depth"]),
    ]
    graph = helper.make_graph(
        nodes, "aihat_depth_stand_in",
        [helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT, in_shape)],
        [helper.make_tensor_value_info("predicted_depth", TensorProto.FLOAT, out_shape)],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="aihat_ros scripts/make_test_depth_model.py")
    model.ir_version = IR_VERSION
    desc = (f"STAND-IN, not a depth model: predicted_depth = {OFFSET} + {RAMP} * row / H + "
            f"{WEIGHTS[0]} * R + {WEIGHTS[1]} * G + {WEIGHTS[2]} * B (normalised channels); "
            "same interface as onnx-community/depth-anything-v2-small, for pipeline tests only")
    model.doc_string = desc
    helper.set_model_props(model, {STAND_IN_KEY: desc})
    import onnx
    onnx.checker.check_model(model, full_check=True)
    return model


def self_check(path, fixed):
    """Run the file in onnxruntime (when installed) and compare with `expected`."""
    try:
        import onnxruntime as ort
    except ImportError:
        return "onnxruntime not installed: self-check skipped"
    s = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    shape = (1, 3, fixed, fixed) if fixed else (1, 3, 42, 70)
    x = np.random.default_rng(0).normal(size=shape).astype(np.float32)
    y = s.run(["predicted_depth"], {"pixel_values": x})[0]
    if y.shape != (1,) + shape[2:] or not np.allclose(y, expected(x), atol=1e-5):
        raise SystemExit(f"self-check failed for {path}: shape {y.shape}")
    return f"self-check ok ({shape} -> {y.shape})"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--fixed", type=int, default=0, help="static square input size (e.g. 518); 0 = dynamic")
    a = ap.parse_args()
    import onnx
    onnx.save(build(a.fixed or None), a.out)
    print(f"wrote {a.out}: {self_check(a.out, a.fixed)}", file=sys.stderr)


if __name__ == "__main__":
    main()
