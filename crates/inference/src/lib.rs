//! The backend edge of the vision pipeline.
//!
//! # Design
//!
//! The node talks to **model-family traits**, [`Detector`], [`PoseEstimator`] and [`DepthEstimator`]: image
//! in, results in original-image pixels out. That is the level at which accelerators differ. A Hailo HEF compiled with
//! its on-chip NMS returns per-class box lists, not the `[1, 84, 8400]` head tensor, so forcing every
//! backend through a raw-tensor interface would make the Hailo backend fake a tensor only for us to
//! decode it again. A Hailo backend therefore implements [`Detector`] directly, reusing
//! [`yolo::Preprocessor::to_rgb8`] for its u8 NHWC input and [`yolo::Letterbox::unmap_x`]/`unmap_y` to
//! map its normalised boxes back.
//!
//! Backends that *do* produce raw head tensors (ONNX Runtime here; also a HEF compiled without NMS)
//! implement the lower-level [`TensorBackend`] and get the families for free through [`YoloDetector`]
//! and [`YoloPose`], which own the Ultralytics pre/post-processing from the `yolo` crate.
//!
//! [`OrtRuntime`] / [`OrtSession`] are the CPU implementation with the `ort` crate (`load-dynamic`:
//! the ONNX Runtime shared library is loaded at run time from `ORT_DYLIB_PATH` or an explicit path).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use image::RgbImage;
use yolo::{DetectConfig, Detection, ModelSpec, PoseDetection, Preprocessor, Task};

mod depth_model;
mod ort_backend;

pub use depth_model::{load_depth, DepthEstimator, DepthOptions, DepthSpec, OrtDepth, DEPTH_INPUT, DEPTH_OUTPUT, STAND_IN_KEY};
pub use ort_backend::{load_detector, load_pose, OptimizationLevel, OrtRuntime, OrtSession, SessionConfig};

#[derive(Debug, thiserror::Error)]
pub enum InferenceError {
    #[error("ONNX Runtime library not found: {0}")]
    RuntimeNotFound(String),
    #[error("cannot load ONNX Runtime from '{path}': {reason}")]
    RuntimeLoad { path: PathBuf, reason: String },
    #[error("cannot create the ONNX Runtime environment: {0}")]
    Environment(String),
    #[error("model file '{0}' does not exist")]
    ModelNotFound(PathBuf),
    #[error("cannot load model '{path}': {reason}")]
    ModelLoad { path: PathBuf, reason: String },
    #[error(transparent)]
    Model(#[from] yolo::ModelError),
    #[error("inference on '{path}' failed: {reason}")]
    Run { path: PathBuf, reason: String },
    #[error("input tensor shape {got:?} does not match the model input {expected:?}")]
    InputShape { expected: [usize; 4], got: [usize; 4] },
    #[error(transparent)]
    Processing(#[from] yolo::YoloError),
    #[error(transparent)]
    Depth(#[from] depth::DepthError),
}

/// One output tensor, row-major f32.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OutputTensor {
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

/// A backend that maps an NCHW f32 input tensor to raw output tensors.
pub trait TensorBackend: Send {
    /// What the loaded model is (validated against the task the caller asked for at load time).
    fn spec(&self) -> &ModelSpec;
    /// Run one inference. `outputs` is reused across calls so a steady stream does not reallocate the
    /// (multi-megabyte) head tensor each frame.
    fn run(&mut self, input: &[f32], shape: [usize; 4], outputs: &mut Vec<OutputTensor>) -> Result<(), InferenceError>;
}

/// Wall-clock split of one call, for the node's diagnostics.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timings {
    pub preprocess: Duration,
    pub inference: Duration,
    pub postprocess: Duration,
}

/// A result with the time it took.
#[derive(Debug, Clone, PartialEq)]
pub struct Timed<T> {
    pub value: T,
    pub timings: Timings,
}

/// Object detection on an RGB image; boxes in original-image pixels.
pub trait Detector: Send {
    fn spec(&self) -> &ModelSpec;
    fn detect(&mut self, image: &RgbImage, cfg: &DetectConfig) -> Result<Timed<Vec<Detection>>, InferenceError>;
}

/// Person pose estimation on an RGB image; boxes and keypoints in original-image pixels.
pub trait PoseEstimator: Send {
    fn spec(&self) -> &ModelSpec;
    fn estimate(&mut self, image: &RgbImage, cfg: &DetectConfig) -> Result<Timed<Vec<PoseDetection>>, InferenceError>;
}

/// Shared pipeline for raw-tensor backends: letterbox -> backend -> first output.
struct Pipeline<B> {
    backend: B,
    pre: Preprocessor,
    input: Vec<f32>,
    outputs: Vec<OutputTensor>,
}

impl<B: TensorBackend> Pipeline<B> {
    fn new(backend: B) -> Self {
        Self { backend, pre: Preprocessor::new(), input: Vec::new(), outputs: Vec::new() }
    }

    fn infer(&mut self, image: &RgbImage) -> Result<(yolo::Letterbox, Timings), InferenceError> {
        let spec = self.backend.spec();
        let (w, h) = (spec.input_w, spec.input_h);
        let t0 = Instant::now();
        let lb = {
            let _s = tracing::debug_span!("preprocess", w = image.width(), h = image.height()).entered();
            self.pre.to_nchw_f32(image, w, h, &mut self.input)?
        };
        let t1 = Instant::now();
        {
            let _s = tracing::debug_span!("infer").entered();
            self.backend.run(&self.input, [1, 3, h as usize, w as usize], &mut self.outputs)?;
        }
        let t2 = Instant::now();
        Ok((lb, Timings { preprocess: t1 - t0, inference: t2 - t1, postprocess: Duration::ZERO }))
    }

    fn head(&self) -> Result<&OutputTensor, InferenceError> {
        self.outputs.first().ok_or_else(|| InferenceError::Run {
            path: self.backend.spec().path.clone(),
            reason: "the model produced no output".into(),
        })
    }
}

/// Ultralytics detect model on any [`TensorBackend`].
pub struct YoloDetector<B> {
    p: Pipeline<B>,
}

impl<B: TensorBackend> YoloDetector<B> {
    /// Wrap a backend whose spec says it is a detect model.
    pub fn new(backend: B) -> Result<Self, InferenceError> {
        check_task(backend.spec(), Task::Detect)?;
        Ok(Self { p: Pipeline::new(backend) })
    }
    pub fn backend(&self) -> &B {
        &self.p.backend
    }
}

impl<B: TensorBackend> Detector for YoloDetector<B> {
    fn spec(&self) -> &ModelSpec {
        self.p.backend.spec()
    }

    fn detect(&mut self, image: &RgbImage, cfg: &DetectConfig) -> Result<Timed<Vec<Detection>>, InferenceError> {
        let (lb, mut timings) = self.p.infer(image)?;
        let t = Instant::now();
        let value = {
            let _s = tracing::debug_span!("postprocess").entered();
            let head = self.p.head()?;
            yolo::decode_detect(&head.data, &head.shape, self.p.backend.spec().num_classes(), &lb, cfg)?
        };
        timings.postprocess = t.elapsed();
        Ok(Timed { value, timings })
    }
}

/// Ultralytics pose model on any [`TensorBackend`].
pub struct YoloPose<B> {
    p: Pipeline<B>,
}

impl<B: TensorBackend> YoloPose<B> {
    pub fn new(backend: B) -> Result<Self, InferenceError> {
        check_task(backend.spec(), Task::Pose)?;
        Ok(Self { p: Pipeline::new(backend) })
    }
    pub fn backend(&self) -> &B {
        &self.p.backend
    }
}

impl<B: TensorBackend> PoseEstimator for YoloPose<B> {
    fn spec(&self) -> &ModelSpec {
        self.p.backend.spec()
    }

    fn estimate(&mut self, image: &RgbImage, cfg: &DetectConfig) -> Result<Timed<Vec<PoseDetection>>, InferenceError> {
        let (lb, mut timings) = self.p.infer(image)?;
        let t = Instant::now();
        let value = {
            let _s = tracing::debug_span!("postprocess").entered();
            let head = self.p.head()?;
            let kpt = self.p.backend.spec().kpt_shape.unwrap_or([17, 3]);
            yolo::decode_pose(&head.data, &head.shape, kpt, &lb, cfg)?
        };
        timings.postprocess = t.elapsed();
        Ok(Timed { value, timings })
    }
}

fn check_task(spec: &ModelSpec, want: Task) -> Result<(), InferenceError> {
    if spec.task == want {
        return Ok(());
    }
    Err(yolo::ModelError::Mismatch {
        path: spec.path.clone(),
        expected: want,
        expected_output: "the matching task".into(),
        got: format!("task '{}'", spec.task),
    }
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use yolo::{validate_model, ModelMetadata};

    /// Backend returning a fixed head tensor: one box at the centre of the 64x64 input, class 1.
    struct FixedBackend {
        spec: ModelSpec,
        seen_shape: Option<[usize; 4]>,
    }

    fn spec(task: Task) -> ModelSpec {
        let meta = ModelMetadata {
            task: Some(task.clone()),
            names: Some(vec!["a".into(), "b".into()]),
            imgsz: Some([64, 64]),
            ..Default::default()
        };
        let out = if task == Task::Pose { 4 + 2 + 51 } else { 6 };
        validate_model(Path::new("fixed.onnx"), task, &meta, &[vec![1, 3, 64, 64]], &[vec![1, out, 2]]).unwrap()
    }

    impl TensorBackend for FixedBackend {
        fn spec(&self) -> &ModelSpec {
            &self.spec
        }
        fn run(&mut self, input: &[f32], shape: [usize; 4], outputs: &mut Vec<OutputTensor>) -> Result<(), InferenceError> {
            assert_eq!(input.len(), shape.iter().product::<usize>());
            self.seen_shape = Some(shape);
            // channel-major [1, 6, 2]: anchor 0 = (32, 32, 16, 16) class 1 score 0.9; anchor 1 = nothing
            let data = vec![32.0, 0.0, 32.0, 0.0, 16.0, 1.0, 16.0, 1.0, 0.1, 0.0, 0.9, 0.0];
            outputs.clear();
            outputs.push(OutputTensor { shape: vec![1, 6, 2], data });
            Ok(())
        }
    }

    #[test]
    fn detector_over_tensor_backend_maps_to_original_pixels() {
        let mut d = YoloDetector::new(FixedBackend { spec: spec(Task::Detect), seen_shape: None }).unwrap();
        // 128x64 image -> gain 0.5, new 64x32, top pad 16
        let img = RgbImage::new(128, 64);
        let r = d.detect(&img, &DetectConfig::default()).unwrap();
        assert_eq!(d.backend().seen_shape, Some([1, 3, 64, 64]));
        assert_eq!(r.value.len(), 1);
        let det = &r.value[0];
        assert_eq!((det.class_id, det.score), (1, 0.9));
        assert_eq!((det.bbox.x1, det.bbox.y1, det.bbox.x2, det.bbox.y2), (48.0, 16.0, 80.0, 48.0));
        // Usable as a trait object, which is what the node stores.
        let mut boxed: Box<dyn Detector> = Box::new(d);
        assert_eq!(boxed.spec().names[1], "b");
        assert!(boxed.detect(&RgbImage::new(0, 0), &DetectConfig::default()).is_err());
    }

    #[test]
    fn wrong_family_is_rejected_at_construction() {
        let e = YoloPose::new(FixedBackend { spec: spec(Task::Detect), seen_shape: None }).err().unwrap();
        assert!(e.to_string().contains("expected an Ultralytics pose model"), "{e}");
        // A head tensor that does not match the spec is an error, not a panic.
        let mut p = YoloPose::new(FixedBackend { spec: spec(Task::Pose), seen_shape: None }).unwrap();
        let e = p.estimate(&RgbImage::new(8, 8), &DetectConfig::default()).unwrap_err();
        assert!(matches!(e, InferenceError::Processing(yolo::YoloError::BadOutputShape { .. })), "{e}");
    }
}
