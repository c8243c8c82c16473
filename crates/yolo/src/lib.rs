//! Ultralytics YOLOv8 / YOLO11 pre- and post-processing as pure functions.
//!
//! * [`Preprocessor`] / [`Letterbox`]: the `LetterBox(auto=False, center=True)` transform (bilinear resize
//!   bit-exact with `cv2.INTER_LINEAR`, pad 114) to a `1x3xHxW` RGB f32 tensor in `[0, 1]`.
//! * [`decode_detect`] / [`decode_pose`]: raw head output `[1, C, N]` -> score filter -> class-aware NMS
//!   (`max_wh = 7680`) -> boxes/keypoints mapped back to the original image (`scale_boxes`).
//! * [`ModelMetadata`] / [`validate_model`]: parse the ONNX `metadata_props` written by Ultralytics and
//!   check that a file really is the model the caller expects.
//!
//! No inference runtime is referenced here, so the same code serves the ONNX Runtime backend and any
//! accelerator backend that returns raw head tensors.

mod letterbox;
mod metadata;
mod postprocess;

pub use letterbox::{resize_bilinear_cv2, Letterbox, Preprocessor, PAD_VALUE};
pub use metadata::{parse_int_list, parse_names, validate_model, MetadataError, ModelError, ModelMetadata, ModelSpec, Task};
pub use postprocess::{decode_detect, decode_pose, nms, BBox, DetectConfig, Detection, Keypoint, PoseDetection, MAX_NMS, MAX_WH};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum YoloError {
    #[error("cannot letterbox an empty image ({width}x{height})")]
    EmptyImage { width: u32, height: u32 },
    #[error("invalid model input size {width}x{height}")]
    BadInputSize { width: u32, height: u32 },
    #[error("model output shape {shape:?} ({data_len} values) is not [1, {expected_channels}, N]")]
    BadOutputShape { shape: Vec<usize>, expected_channels: usize, data_len: usize },
    #[error("unsupported keypoint shape {0:?} (expected [K, 2] or [K, 3])")]
    BadKptShape([usize; 2]),
}
