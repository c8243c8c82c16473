//! Monocular depth (Depth Anything V2 and other DPT-style exports) on ONNX Runtime.
//!
//! The contract is the `onnx-community/depth-anything-v2-small` export's: one input `pixel_values`
//! float32 `[batch, 3, height, width]` (dynamic H/W, multiples of 14), one output `predicted_depth`
//! float32 `[batch, height, width]`. A model with static H/W (e.g. a 518x518 re-export, or a Hailo
//! HEF's fixed input) is accepted and gets exactly that size. Pre/post-processing is the `depth`
//! crate's; this module only checks the model and runs it.

use std::path::{Path, PathBuf};
use std::time::Instant;

use ::depth::{DepthMap, Preprocessor, network_size, resize_bilinear_f32};
use image::RgbImage;
use ort::session::Session;
use ort::value::{TensorElementType, TensorRef};

use crate::ort_backend::tensor_shape;
use crate::{InferenceError, OrtRuntime, SessionConfig, Timed, Timings};

pub const DEPTH_INPUT: &str = "pixel_values";
pub const DEPTH_OUTPUT: &str = "predicted_depth";
/// Custom metadata key that `scripts/make_test_depth_model.py` sets on its generated stand-in, so the
/// node can say loudly that its output is not a depth estimate.
pub const STAND_IN_KEY: &str = "aihat_stand_in";

/// How an image becomes the network input (for models with dynamic H/W).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DepthOptions {
    /// `size` of the preprocessor config (518 for Depth Anything V2).
    pub input_size: u32,
    /// `keep_aspect_ratio` of the preprocessor config (true for Depth Anything V2).
    pub keep_aspect_ratio: bool,
}

impl Default for DepthOptions {
    fn default() -> Self {
        Self { input_size: 518, keep_aspect_ratio: true }
    }
}

/// What the loaded depth model is.
#[derive(Debug, Clone, PartialEq)]
pub struct DepthSpec {
    pub path: PathBuf,
    /// Static (width, height) of the input, if the model has one.
    pub fixed_input: Option<(u32, u32)>,
    /// Set for the generated test model (its description); `None` for a real model.
    pub stand_in: Option<String>,
}

/// Depth estimation on an RGB image; the map comes back at the image's size.
pub trait DepthEstimator: Send {
    fn spec(&self) -> &DepthSpec;
    fn estimate(&mut self, image: &RgbImage, opts: &DepthOptions) -> Result<Timed<DepthMap>, InferenceError>;
}

/// A depth model on ONNX Runtime (CPU).
pub struct OrtDepth {
    session: Session,
    spec: DepthSpec,
    pre: Preprocessor,
    input: Vec<f32>,
}

fn describe(outlets: &[ort::value::Outlet]) -> String {
    outlets
        .iter()
        .map(|o| {
            let ty = o.dtype().tensor_type().map_or("non-tensor".into(), |t| format!("{t:?}").to_lowercase());
            format!("`{}` {ty} {:?}", o.name(), tensor_shape(o))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl OrtDepth {
    /// Load `path` and check it has the depth contract (names, float32, ranks).
    pub fn load(rt: &OrtRuntime, path: &Path, cfg: &SessionConfig) -> Result<Self, InferenceError> {
        let _span = tracing::info_span!("load_depth_model", path = %path.display()).entered();
        let session = rt.session(path, cfg)?;
        let mismatch = || InferenceError::ModelLoad {
            path: path.to_path_buf(),
            reason: format!(
                "expected a depth model with input `{DEPTH_INPUT}` float32 [1, 3, H, W] and output `{DEPTH_OUTPUT}` \
                 float32 [1, H, W] (Depth Anything V2 as exported by onnx-community); this model has inputs {} and outputs {}",
                describe(session.inputs()),
                describe(session.outputs())
            ),
        };
        let input = match session.inputs() {
            [i] if i.name() == DEPTH_INPUT => i,
            _ => return Err(mismatch()),
        };
        let Some(output) = session.outputs().iter().find(|o| o.name() == DEPTH_OUTPUT) else {
            return Err(mismatch());
        };
        let f32_io = [input, output].iter().all(|o| o.dtype().tensor_type() == Some(TensorElementType::Float32));
        let in_shape = tensor_shape(input);
        let out_rank = tensor_shape(output).len();
        let dyn_or = |d: i64, want: i64| d <= 0 || d == want;
        if !f32_io || in_shape.len() != 4 || !dyn_or(in_shape[0], 1) || !dyn_or(in_shape[1], 3) || !(out_rank == 3 || out_rank == 4) {
            return Err(mismatch());
        }
        let fixed_input = match (in_shape[3], in_shape[2]) {
            (w, h) if w > 0 && h > 0 => Some((w as u32, h as u32)),
            (w, h) if w <= 0 && h <= 0 => None,
            // One static side: which size the other side should get is anybody's guess.
            _ => return Err(mismatch()),
        };
        let stand_in = session.metadata().ok().and_then(|m| m.custom(STAND_IN_KEY));
        let spec = DepthSpec { path: path.to_path_buf(), fixed_input, stand_in };
        tracing::info!(?fixed_input, stand_in = spec.stand_in.is_some(), "depth model loaded");
        Ok(Self { session, spec, pre: Preprocessor::new(), input: Vec::new() })
    }
}

impl DepthEstimator for OrtDepth {
    fn spec(&self) -> &DepthSpec {
        &self.spec
    }

    fn estimate(&mut self, image: &RgbImage, opts: &DepthOptions) -> Result<Timed<DepthMap>, InferenceError> {
        let t0 = Instant::now();
        let (iw, ih) = image.dimensions();
        let (w, h) = network_size(iw, ih, opts.input_size, opts.keep_aspect_ratio, self.spec.fixed_input)?;
        {
            let _s = tracing::debug_span!("preprocess", w, h).entered();
            self.pre.to_nchw(image, w, h, &mut self.input)?;
        }
        let t1 = Instant::now();
        let run_err = |reason: String| InferenceError::Run { path: self.spec.path.clone(), reason };
        let map = {
            let _s = tracing::debug_span!("infer").entered();
            let shape = [1usize, 3, h as usize, w as usize];
            let tensor = TensorRef::from_array_view((shape, self.input.as_slice())).map_err(|e| run_err(e.to_string()))?;
            let outputs = self.session.run(ort::inputs![DEPTH_INPUT => tensor]).map_err(|e| run_err(e.to_string()))?;
            let value = outputs.get(DEPTH_OUTPUT).ok_or_else(|| run_err(format!("no `{DEPTH_OUTPUT}` output")))?;
            let (s, data) = value.try_extract_tensor::<f32>().map_err(|e| run_err(e.to_string()))?;
            let dims: Vec<usize> = s.iter().map(|&d| d.max(0) as usize).collect();
            DepthMap::from_output(&dims, data.to_vec())?
        };
        let t2 = Instant::now();
        let full = {
            let _s = tracing::debug_span!("postprocess").entered();
            resize_bilinear_f32(&map, iw, ih)
        };
        let timings = Timings { preprocess: t1 - t0, inference: t2 - t1, postprocess: t2.elapsed() };
        Ok(Timed { value: full, timings })
    }
}

/// Load a depth model on the CPU backend.
pub fn load_depth(rt: &OrtRuntime, path: &Path, cfg: &SessionConfig) -> Result<OrtDepth, InferenceError> {
    OrtDepth::load(rt, path, cfg)
}
