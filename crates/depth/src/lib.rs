//! Monocular depth, without ROS and without an inference runtime: the model's input tensor from an
//! RGB image, the model's output back at the image's size, robust per-box statistics, and matching
//! detections to depth frames by stamp. The `inference` crate runs the model, the `depth` node
//! publishes; everything here is a pure function (or a small state machine) and unit-tested.
//!
//! The default model is Depth Anything V2 small as exported by `onnx-community/depth-anything-v2-small`
//! (Hugging Face, `onnx/model.onnx`): input `pixel_values` float32 `[batch, 3, H, W]`, output
//! `predicted_depth` float32 `[batch, H, W]`, relative inverse depth (larger = nearer, no unit).
//! Its `preprocessor_config.json` is transformers' `DPTImageProcessor` with `size` 518x518,
//! `keep_aspect_ratio: true`, `ensure_multiple_of: 14`, `resample: 3` (bicubic), rescale 1/255 and
//! ImageNet mean/std, no padding; [`network_size`] and [`Preprocessor`] follow it.

mod matcher;
mod preprocess;
mod stats;

pub use matcher::{Limits, Resolution, StampMatcher, StampNs, UnmatchedReason, stamp_ns};
pub use preprocess::{
    IMAGENET_MEAN, IMAGENET_STD, PATCH_MULTIPLE, Preprocessor, network_size, resize_bilinear_f32,
};
pub use stats::{BoxStats, PixelBox, box_stats, quantile_sorted};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DepthError {
    #[error("empty image ({width}x{height})")]
    EmptyImage { width: u32, height: u32 },
    #[error("network input size {width}x{height} is not usable")]
    BadNetworkSize { width: u32, height: u32 },
    #[error("resizing failed: {0}")]
    Resize(String),
    #[error("model output shape {shape:?} is not [1, H, W] or [1, 1, H, W] with {len} values")]
    BadOutputShape { shape: Vec<usize>, len: usize },
}

/// A depth map in row-major order, one f32 per pixel.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DepthMap {
    pub width: u32,
    pub height: u32,
    pub data: Vec<f32>,
}

impl DepthMap {
    /// The model's output tensor as a map: `[1, H, W]` (Depth Anything) or `[1, 1, H, W]` (other DPT
    /// exports). Anything else is an error, never a panic or a silently wrong image.
    pub fn from_output(shape: &[usize], data: Vec<f32>) -> Result<Self, DepthError> {
        let bad = || DepthError::BadOutputShape { shape: shape.to_vec(), len: data.len() };
        let (h, w) = match shape {
            [1, h, w] | [1, 1, h, w] => (*h, *w),
            _ => return Err(bad()),
        };
        if h == 0 || w == 0 || h.checked_mul(w) != Some(data.len()) || h > u32::MAX as usize || w > u32::MAX as usize {
            return Err(bad());
        }
        Ok(Self { width: w as u32, height: h as u32, data })
    }
}
