//! Host-side decoding of the Hailo model zoo's monocular depth HEFs (`scdepthv3`, `fast_depth`)
//! into the [`depth::DepthMap`] the depth node publishes, at the source image's size.
//!
//! Where each fact comes from (hailo-ai/hailo_model_zoo at c83fc03, the v5.2.0 line, unless said):
//! * Shapes: `cfg/networks/scdepthv3.yaml` input 256x320x3, output 256x320x1;
//!   `cfg/networks/fast_depth.yaml` input 224x224x3, output 224x224x1. One output, one channel.
//!   The normalisation is inside the HEF (`normalize_in_net: true`), so the input is u8 RGB.
//! * scdepthv3: `core/postprocessing/depth_estimation_postprocessing.py`
//!   `scdepthv3_postprocessing`: `depth = 1 / (sigmoid(logits) * 10 + 0.009)` (the same in
//!   hailo-ai/hailo-apps-infra `core/cpp_postprocess/cpp/depth_estimation.cpp` `filter_scdepth`).
//!   The scale is unknown: `core/eval/depth_estimation_evaluation.py` aligns every prediction to
//!   the ground truth by the ratio of medians before measuring it. So this is *relative* depth.
//! * fast_depth: `fast_depth_postprocessing` returns the output as is, and the evaluation
//!   compares it with NYU ground truth without rescaling: metres (hailo-ai/tappas
//!   `core/hailo/gstreamer/libs/postprocesses/depth_estimation/depth_estimation.cpp`: "the
//!   estimated depth of each pixel in meters"). Trained on NYU Depth v2, indoor, about 0.1-10 m.
//!
//! The depth node's contract is "metres if `metric`, else relative *inverse* depth (larger =
//! nearer)", the CPU default model's convention. To keep it whichever backend runs, scdepthv3 is
//! published as its disparity `sigmoid(x) * 10 + 0.009` (the reciprocal of the model zoo's depth;
//! strictly positive, larger = nearer), and fast_depth as metres.
//!
//! Resizing: the input is the image stretched to the HEF's fixed size and the map is resized back
//! with [`depth::resize_bilinear_f32`], exactly as the CPU path treats a model with a static input
//! (`depth::network_size` with `fixed`). The model zoo's own evaluation crops instead (fast_depth:
//! resize to 250x332, central crop 0.91, resize to 224x224, `core/preprocessing/
//! depth_estimation_preprocessing.py`); a stretch keeps a depth for every pixel of the camera image.

use depth::DepthMap;

use crate::pose::TensorShape;

/// How a depth HEF's output becomes the published map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepthDecoding {
    /// `scdepthv3`: sigmoid logits -> relative inverse depth `sigmoid(x) * 10 + 0.009`.
    ScDepthV3,
    /// `fast_depth`: the output is depth in metres.
    FastDepth,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DepthDecodeError {
    #[error("unknown Hailo depth decoding `{0}` (expected scdepthv3 or fast_depth)")]
    UnknownDecoding(String),
    #[error("not a monocular depth HEF (expected exactly one 1-channel output map): outputs {0:?}")]
    Layout(Vec<TensorShape>),
    #[error("depth output has {len} values, its {height}x{width} frame needs {needed}")]
    Truncated { len: usize, height: usize, width: usize, needed: usize },
    #[error("empty image ({width}x{height})")]
    EmptyImage { width: u32, height: u32 },
}

impl std::str::FromStr for DepthDecoding {
    type Err = DepthDecodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "scdepthv3" => Ok(Self::ScDepthV3),
            "fast_depth" => Ok(Self::FastDepth),
            other => Err(DepthDecodeError::UnknownDecoding(other.to_string())),
        }
    }
}

impl DepthDecoding {
    /// Whether the published values are metres (the depth node's `metric`).
    pub fn metric(self) -> bool {
        matches!(self, Self::FastDepth)
    }

    /// One output value to the published value. NaN stays NaN (invalid depth).
    pub fn value(self, x: f32) -> f32 {
        match self {
            Self::ScDepthV3 => 10.0 / (1.0 + (-x).exp()) + 0.009,
            Self::FastDepth => x,
        }
    }
}

/// The one output a depth HEF must have: index and shape.
pub fn depth_output(outputs: &[TensorShape]) -> Result<(usize, TensorShape), DepthDecodeError> {
    match outputs {
        [o] if o.features == 1 && o.height > 0 && o.width > 0 => Ok((0, *o)),
        _ => Err(DepthDecodeError::Layout(outputs.to_vec())),
    }
}

/// The output frame (`shape`, host float32) to a map of `orig_w x orig_h`.
pub fn decode(data: &[f32], shape: TensorShape, decoding: DepthDecoding, orig_w: u32, orig_h: u32) -> Result<DepthMap, DepthDecodeError> {
    if orig_w == 0 || orig_h == 0 {
        return Err(DepthDecodeError::EmptyImage { width: orig_w, height: orig_h });
    }
    let needed = shape.height * shape.width;
    if shape.features != 1 || data.len() < needed {
        return Err(DepthDecodeError::Truncated { len: data.len(), height: shape.height, width: shape.width, needed });
    }
    let map = DepthMap {
        width: shape.width as u32,
        height: shape.height as u32,
        data: data[..needed].iter().map(|&x| decoding.value(x)).collect(),
    };
    Ok(depth::resize_bilinear_f32(&map, orig_w, orig_h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(height: usize, width: usize, features: usize) -> TensorShape {
        TensorShape { height, width, features }
    }

    #[test]
    fn scdepthv3_logits_become_the_reciprocal_of_the_model_zoo_depth() {
        let d = DepthDecoding::ScDepthV3;
        // sigmoid(0) = 0.5 -> 5.009 (model zoo depth 1 / 5.009 = 0.1996).
        assert!((d.value(0.0) - 5.009).abs() < 1e-6);
        // sigmoid(ln 3) = 0.75 -> 7.509; sigmoid(-ln 3) = 0.25 -> 2.509: nearer is larger.
        assert!((d.value(3f32.ln()) - 7.509).abs() < 1e-5);
        assert!((d.value(-(3f32.ln())) - 2.509).abs() < 1e-5);
        // Saturated: 10.009 and 0.009, never 0 or infinite.
        assert!((d.value(100.0) - 10.009).abs() < 1e-6 && (d.value(-100.0) - 0.009).abs() < 1e-6);
        assert!(d.value(f32::NAN).is_nan());
        assert!(!d.metric());
        assert!(DepthDecoding::FastDepth.metric());
        assert_eq!(DepthDecoding::FastDepth.value(2.25), 2.25);
        assert_eq!("fast_depth".parse(), Ok(DepthDecoding::FastDepth));
        assert_eq!("scdepthv3".parse(), Ok(DepthDecoding::ScDepthV3));
        assert!(matches!("midas".parse::<DepthDecoding>(), Err(DepthDecodeError::UnknownDecoding(_))));
    }

    #[test]
    fn only_one_single_channel_output_is_a_depth_head() {
        assert_eq!(depth_output(&[ts(256, 320, 1)]), Ok((0, ts(256, 320, 1))));
        assert!(depth_output(&[]).is_err());
        assert!(depth_output(&[ts(256, 320, 3)]).is_err());
        assert!(depth_output(&[ts(0, 320, 1)]).is_err());
        // A pose head is not a depth head.
        assert!(matches!(depth_output(&[ts(80, 80, 64), ts(80, 80, 1)]), Err(DepthDecodeError::Layout(_))));
    }

    #[test]
    fn maps_back_to_the_image_size_like_the_cpu_path() {
        // A 2x4 fast_depth map (metres) brought to a 8x2 image: rows kept, columns 2x bilinear
        // with half-pixel centres (the ramp 1, 2, 3, 4 -> 1, 1.25, 1.75, 2.25, ...).
        let data = [1.0, 2.0, 3.0, 4.0, 1.0, 2.0, 3.0, 4.0];
        let m = decode(&data, ts(2, 4, 1), DepthDecoding::FastDepth, 8, 2).unwrap();
        assert_eq!((m.width, m.height), (8, 2));
        assert_eq!(&m.data[..8], &[1.0, 1.25, 1.75, 2.25, 2.75, 3.25, 3.75, 4.0]);
        // scdepthv3: logit 0 everywhere -> 5.009 everywhere, at any size.
        let m = decode(&[0.0; 6], ts(2, 3, 1), DepthDecoding::ScDepthV3, 640, 480).unwrap();
        assert_eq!(m.data.len(), 640 * 480);
        assert!(m.data.iter().all(|v| (v - 5.009).abs() < 1e-6));
        // Padding after the frame is ignored; a short frame is an error.
        assert!(decode(&[0.0; 7], ts(2, 3, 1), DepthDecoding::ScDepthV3, 3, 2).is_ok());
        assert_eq!(
            decode(&[0.0; 5], ts(2, 3, 1), DepthDecoding::ScDepthV3, 3, 2),
            Err(DepthDecodeError::Truncated { len: 5, height: 2, width: 3, needed: 6 })
        );
        assert!(matches!(decode(&[0.0; 6], ts(2, 3, 1), DepthDecoding::FastDepth, 0, 2), Err(DepthDecodeError::EmptyImage { .. })));
    }
}
