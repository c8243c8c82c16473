//! Safe wrappers over the shim ABI ([`Model`], [`Llm`]) and the backends built on them:
//! [`HailoDetector`], [`HailoPose`] and [`HailoDepth`] (the `inference` model-family traits, so
//! the nodes' arbiter grants, counters and messages are the CPU path's) and [`HailoLlm`] (a
//! [`ReplySource`] for the repair loop).

use std::ffi::{c_char, c_void, CString};
use std::path::{Path, PathBuf};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ::depth::DepthMap;
use image::RgbImage;
use inference::{DepthEstimator, DepthOptions, DepthSpec, InferenceError, PoseEstimator, Timed, Timings};
use yolo::{DetectConfig, Detection, ModelMetadata, ModelSpec, PoseDetection, Preprocessor, Task};

use crate::depth::{self as hdepth, DepthDecoding};
use crate::ffi;
use crate::llm_repair::{ChatMessage, ReplySource};
use crate::nms::{self, NmsShape};
use crate::pose::{PoseLayout, TensorShape};
use crate::preflight::{Version, Versions};
use crate::thermal::{RateWatchdog, WatchdogConfig, WatchdogEvent};

/// Largest input side accepted (as `yolo::validate_model` bounds ONNX inputs).
const MAX_INPUT_SIDE: u32 = 8192;

#[derive(Debug, thiserror::Error)]
pub enum HailoError {
    #[error("Hailo shim ABI {got} does not match this build's {expected}: rebuild the crate")]
    Abi { got: u32, expected: u32 },
    #[error("path {0:?} contains a NUL byte")]
    BadPath(PathBuf),
    #[error("{what}: {message}")]
    Shim { what: &'static str, code: i32, message: String },
    #[error("{what}: timed out")]
    Timeout { what: &'static str },
    #[error("HEF {path:?}: {reason}")]
    UnsupportedModel { path: PathBuf, reason: String },
    #[error("Hailo preflight: {message} (HailoRT {library}, driver {driver})")]
    Unidentified { library: Version, driver: String, code: i32, message: String },
    #[error(transparent)]
    Nms(#[from] nms::NmsError),
    #[error(transparent)]
    Yolo(#[from] yolo::YoloError),
}

fn last_error() -> String {
    let mut buf = vec![0 as c_char; 512];
    // SAFETY: buf is valid for 512 bytes; the shim writes at most cap bytes including the NUL.
    unsafe { ffi::aihat_hailo_last_error(buf.as_mut_ptr(), buf.len()) };
    let bytes: Vec<u8> = buf.iter().take_while(|c| **c != 0).map(|c| *c as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn check(code: i32, what: &'static str) -> Result<(), HailoError> {
    match code {
        ffi::OK => Ok(()),
        ffi::TIMEOUT => Err(HailoError::Timeout { what }),
        code => Err(HailoError::Shim { what, code, message: last_error() }),
    }
}

fn check_abi() -> Result<(), HailoError> {
    // SAFETY: no arguments, no state.
    let got = unsafe { ffi::aihat_hailo_shim_abi() };
    if got != ffi::ABI {
        return Err(HailoError::Abi { got, expected: ffi::ABI });
    }
    Ok(())
}

fn c_path(p: &Path) -> Result<CString, HailoError> {
    CString::new(p.as_os_str().as_encoded_bytes()).map_err(|_| HailoError::BadPath(p.to_path_buf()))
}

fn version(v: ffi::aihat_hailo_version) -> Version {
    Version::new(v.major, v.minor, v.revision)
}

/// The versions of HailoRT, its PCIe driver and the first device's firmware, for
/// [`crate::preflight::check`] (shim: `aihat_hailo_versions_get`). An error when no device is
/// found or it cannot be identified; it names the library and driver versions all the same.
pub fn versions() -> Result<Versions, HailoError> {
    check_abi()?;
    // SAFETY: plain-data struct, written by the shim (zeroed first by it too).
    let mut raw: ffi::aihat_hailo_versions = unsafe { std::mem::zeroed() };
    // SAFETY: valid out pointer for the duration of the call.
    let code = unsafe { ffi::aihat_hailo_versions_get(&mut raw) };
    let library = version(raw.library);
    // 0.0.0: the shim could not read it.
    let driver = Some(version(raw.driver)).filter(|d| *d != Version::default());
    match code {
        ffi::OK => {}
        ffi::OPEN_FAILED => {
            let driver = driver.map_or_else(|| "unknown".to_string(), |d| d.to_string());
            return Err(HailoError::Unidentified { library, driver, code, message: last_error() });
        }
        code => return Err(HailoError::Shim { what: "reading the Hailo versions", code, message: last_error() }),
    }
    let id: Vec<u8> = raw.device_id.iter().take_while(|c| **c != 0).map(|c| *c as u8).collect();
    Ok(Versions { library, driver, firmware: version(raw.firmware), device_id: String::from_utf8_lossy(&id).into_owned() })
}

/// How a vision HEF is configured on the device.
#[derive(Debug, Clone, Copy, Default)]
pub struct ModelConfig {
    /// On-chip NMS settings; 0 keeps what the HEF was compiled with.
    pub nms_score_threshold: f32,
    pub nms_iou_threshold: f32,
    pub nms_max_bboxes_per_class: u32,
    /// HailoRT scheduler priority 0..31 (0 = default 16).
    pub scheduler_priority: u8,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutputInfo {
    pub name: String,
    pub kind: OutputKind,
    pub frame_bytes: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OutputKind {
    Tensor { height: u32, width: u32, features: u32 },
    NmsByClass(NmsShape),
}

/// A configured HEF on the shared device.
pub struct Model {
    raw: NonNull<ffi::aihat_hailo_model>,
    pub input: (u32, u32, u32),
    pub outputs: Vec<OutputInfo>,
}

// SAFETY: the handle is only used through &mut self (one thread at a time); HailoRT objects
// are not tied to the thread that created them.
unsafe impl Send for Model {}

impl Model {
    pub fn open(hef: &Path, cfg: &ModelConfig) -> Result<Self, HailoError> {
        check_abi()?;
        let path = c_path(hef)?;
        let c = ffi::aihat_hailo_model_config {
            nms_score_threshold: cfg.nms_score_threshold,
            nms_iou_threshold: cfg.nms_iou_threshold,
            nms_max_bboxes_per_class: cfg.nms_max_bboxes_per_class,
            scheduler_priority: cfg.scheduler_priority,
            ..Default::default()
        };
        let mut raw = std::ptr::null_mut();
        // SAFETY: valid NUL-terminated path, config and out pointer for the duration of the call.
        check(unsafe { ffi::aihat_hailo_model_open(path.as_ptr(), &c, &mut raw) }, "opening the HEF")?;
        let raw = NonNull::new(raw).ok_or(HailoError::Shim { what: "opening the HEF", code: -1, message: "null handle".into() })?;
        let mut m = Model { raw, input: (0, 0, 0), outputs: Vec::new() };
        let (mut h, mut w, mut ch) = (0, 0, 0);
        // SAFETY: live handle, valid out pointers.
        check(unsafe { ffi::aihat_hailo_model_input(m.raw.as_ptr(), &mut h, &mut w, &mut ch) }, "reading the input shape")?;
        m.input = (h, w, ch);
        // SAFETY: live handle.
        let n = unsafe { ffi::aihat_hailo_model_output_count(m.raw.as_ptr()) };
        for i in 0..n {
            // SAFETY: plain-data struct, fully written by the shim on success.
            let mut info: ffi::aihat_hailo_output_info = unsafe { std::mem::zeroed() };
            check(unsafe { ffi::aihat_hailo_model_output_info(m.raw.as_ptr(), i, &mut info) }, "reading an output")?;
            let name: Vec<u8> = info.name.iter().take_while(|c| **c != 0).map(|c| *c as u8).collect();
            let kind = match info.kind {
                ffi::OUTPUT_NMS_BY_CLASS => OutputKind::NmsByClass(NmsShape {
                    number_of_classes: info.nms_classes as usize,
                    max_bboxes_per_class: info.nms_max_bboxes_per_class as usize,
                }),
                ffi::OUTPUT_TENSOR => OutputKind::Tensor { height: info.height, width: info.width, features: info.features },
                other => {
                    return Err(HailoError::Shim { what: "reading an output", code: -1, message: format!("unknown output kind {other}") })
                }
            };
            m.outputs.push(OutputInfo {
                name: String::from_utf8_lossy(&name).into_owned(),
                kind,
                frame_bytes: usize::try_from(info.frame_size).unwrap_or(usize::MAX),
            });
        }
        Ok(m)
    }

    /// One frame: `input` is u8 NHWC of the model's input size; each output buffer is resized to
    /// its frame and filled with host float32.
    pub fn infer(&mut self, input: &[u8], outputs: &mut Vec<Vec<f32>>, timeout: Duration) -> Result<(), HailoError> {
        outputs.resize_with(self.outputs.len(), Vec::new);
        for (buf, info) in outputs.iter_mut().zip(&self.outputs) {
            buf.resize(info.frame_bytes.div_ceil(4), 0.0);
        }
        let ptrs: Vec<*mut c_void> = outputs.iter_mut().map(|b| b.as_mut_ptr().cast()).collect();
        let sizes: Vec<usize> = outputs.iter().map(|b| b.len() * 4).collect();
        let ms = u32::try_from(timeout.as_millis()).unwrap_or(u32::MAX);
        // SAFETY: input and every output buffer outlive the call, which returns only after the
        // async job completed or failed (the shim waits on it); sizes are the buffers' lengths.
        check(
            unsafe {
                ffi::aihat_hailo_model_infer(self.raw.as_ptr(), input.as_ptr(), input.len(), ptrs.as_ptr(), sizes.as_ptr(), ptrs.len(), ms)
            },
            "inference",
        )
    }
}

impl Drop for Model {
    fn drop(&mut self) {
        // SAFETY: the handle came from model_open and is closed once.
        unsafe { ffi::aihat_hailo_model_close(self.raw.as_ptr()) }
    }
}

/// The 80 COCO class names, in the order the Hailo model zoo's COCO detectors use.
pub const COCO80: [&str; 80] = [
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
    "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
    "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
    "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard",
    "tennis racket", "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
    "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
    "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone",
    "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors", "teddy bear",
    "hair drier", "toothbrush",
];

/// Class names for a HEF, which carries none: `<hef>.labels.txt` beside it (one name a line)
/// if present, else COCO for an 80-class model, else `class<i>`.
pub fn class_names(hef: &Path, classes: usize) -> Vec<String> {
    let mut sidecar = hef.as_os_str().to_owned();
    sidecar.push(".labels.txt");
    if let Ok(text) = std::fs::read_to_string(&sidecar) {
        let names: Vec<String> = text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect();
        if names.len() == classes {
            return names;
        }
        tracing::warn!(file = ?sidecar, found = names.len(), classes, "label file does not match the model's class count; ignored");
    }
    if classes == COCO80.len() {
        return COCO80.iter().map(|s| s.to_string()).collect();
    }
    (0..classes).map(|i| format!("class{i}")).collect()
}

/// Object detection with a HEF compiled with on-chip NMS (the Hailo model zoo's yolov8/yolo11
/// detection HEFs): letterbox to u8 NHWC -> device -> NMS-by-class -> image pixels.
pub struct HailoDetector {
    runner: Runner,
    spec: ModelSpec,
    nms: NmsShape,
    pre: Preprocessor,
}

impl HailoDetector {
    pub fn load(hef: &Path, cfg: &ModelConfig, watchdog: WatchdogConfig) -> Result<Self, InferenceError> {
        let load_err = |reason: String| InferenceError::ModelLoad { path: hef.to_path_buf(), reason };
        let (model, w, h) = open_rgb_model(hef, cfg)?;
        let nms = match model.outputs.as_slice() {
            [OutputInfo { kind: OutputKind::NmsByClass(s), frame_bytes, .. }] => {
                if *frame_bytes < s.frame_floats() * 4 {
                    return Err(load_err(format!("NMS frame of {frame_bytes} bytes is smaller than its shape {s:?}")));
                }
                *s
            }
            other => {
                return Err(load_err(format!(
                    "expected one NMS-by-class output (a detection HEF compiled with NMS), got {:?}",
                    other.iter().map(|o| (&o.name, o.kind)).collect::<Vec<_>>()
                )))
            }
        };
        let names = class_names(hef, nms.number_of_classes);
        let spec = ModelSpec {
            path: hef.to_path_buf(),
            task: Task::Detect,
            input_w: w,
            input_h: h,
            names: names.clone(),
            kpt_shape: None,
            output_channels: 4 + names.len(),
            metadata: ModelMetadata { task: Some(Task::Detect), names: Some(names), imgsz: Some([h, w]), ..Default::default() },
        };
        Ok(Self { runner: Runner::new(model, watchdog), spec, nms, pre: Preprocessor::new() })
    }

    pub fn output_names(&self) -> Vec<String> {
        self.runner.model.outputs.iter().map(|o| o.name.clone()).collect()
    }
}

impl inference::Detector for HailoDetector {
    fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    fn detect(&mut self, image: &RgbImage, cfg: &DetectConfig) -> Result<Timed<Vec<Detection>>, InferenceError> {
        let t0 = Instant::now();
        let (input, lb) = self.pre.to_rgb8(image, self.spec.input_w, self.spec.input_h)?;
        let nms = self.nms;
        self.runner.run(&self.spec.path, t0, input.as_raw(), |outputs| {
            let boxes = nms::parse_nms_by_class(&outputs[0], nms).map_err(|e| e.to_string())?;
            Ok(nms::to_detections(&boxes, &lb, cfg))
        })
    }
}

/// Open a vision HEF and check it takes one RGB image: (model, input width, input height).
fn open_rgb_model(hef: &Path, cfg: &ModelConfig) -> Result<(Model, u32, u32), InferenceError> {
    let load_err = |reason: String| InferenceError::ModelLoad { path: hef.to_path_buf(), reason };
    if !hef.exists() {
        return Err(InferenceError::ModelNotFound(hef.to_path_buf()));
    }
    let model = Model::open(hef, cfg).map_err(|e| load_err(e.to_string()))?;
    let (h, w, c) = model.input;
    if c != 3 || h == 0 || w == 0 || h > MAX_INPUT_SIDE || w > MAX_INPUT_SIDE {
        return Err(load_err(format!("input {h}x{w}x{c} is not an RGB image input")));
    }
    Ok((model, w, h))
}

/// The shapes of a HEF's raw outputs, and a check that every frame holds its shape. An NMS
/// output means the HEF was compiled for on-chip decoding: not what a host decoder can take.
fn tensor_shapes(model: &Model) -> Result<Vec<TensorShape>, String> {
    model
        .outputs
        .iter()
        .map(|o| match o.kind {
            OutputKind::Tensor { height, width, features } => {
                let s = TensorShape { height: height as usize, width: width as usize, features: features as usize };
                if o.frame_bytes < s.len().saturating_mul(4) {
                    return Err(format!("output {:?}: frame of {} bytes is smaller than its shape {s:?} in float32", o.name, o.frame_bytes));
                }
                Ok(s)
            }
            OutputKind::NmsByClass(_) => {
                Err(format!("output {:?} is an on-chip NMS output; this decoder needs the raw head outputs (a HEF compiled without NMS)", o.name))
            }
        })
        .collect()
}

/// What every frame of a vision HEF needs besides its own pre- and post-processing: the device,
/// output buffers reused between frames, the read timeout and the throughput watchdog.
struct Runner {
    model: Model,
    outputs: Vec<Vec<f32>>,
    timeout: Duration,
    watchdog: RateWatchdog,
}

impl Runner {
    fn new(model: Model, watchdog: WatchdogConfig) -> Self {
        Self { model, outputs: Vec::new(), timeout: Duration::from_secs(2), watchdog: RateWatchdog::new(watchdog) }
    }

    /// Runs the device on the pre-processed `input` (pre-processing began at `t0`), decodes its
    /// outputs with `decode`, and feeds the device time to the watchdog.
    fn run<T>(
        &mut self,
        path: &Path,
        t0: Instant,
        input: &[u8],
        decode: impl FnOnce(&[Vec<f32>]) -> Result<T, String>,
    ) -> Result<Timed<T>, InferenceError> {
        let run_err = |reason: String| InferenceError::Run { path: path.to_path_buf(), reason };
        let t1 = Instant::now();
        self.model.infer(input, &mut self.outputs, self.timeout).map_err(|e| run_err(e.to_string()))?;
        let t2 = Instant::now();
        let value = decode(&self.outputs).map_err(run_err)?;
        let t3 = Instant::now();
        watch_rate(&mut self.watchdog, t2, t2 - t1);
        Ok(Timed { value, timings: Timings { preprocess: t1 - t0, inference: t2 - t1, postprocess: t3 - t2 } })
    }
}

fn watch_rate(watchdog: &mut RateWatchdog, at: Instant, inference: Duration) {
    match watchdog.record(at, inference) {
        Some(WatchdogEvent::Degraded { capacity_fps, expected_fps }) => {
            tracing::warn!(capacity_fps, expected_fps, "Hailo throughput degraded (device slower than expected; known to recover only after a reboot on some Pi 5 + AI HAT+ 2 units)");
        }
        Some(WatchdogEvent::Recovered { capacity_fps, expected_fps }) => {
            tracing::info!(capacity_fps, expected_fps, "Hailo throughput recovered");
        }
        None => {}
    }
}

/// Person pose with the model zoo's YOLOv8 pose HEFs (raw head outputs, no on-chip NMS):
/// letterbox to u8 NHWC -> device -> host decoding ([`crate::pose`]) -> image pixels.
pub struct HailoPose {
    runner: Runner,
    spec: ModelSpec,
    layout: PoseLayout,
    pre: Preprocessor,
    head: Vec<f32>,
}

impl HailoPose {
    pub fn load(hef: &Path, cfg: &ModelConfig, watchdog: WatchdogConfig) -> Result<Self, InferenceError> {
        let load_err = |reason: String| InferenceError::ModelLoad { path: hef.to_path_buf(), reason };
        let (model, w, h) = open_rgb_model(hef, cfg)?;
        let shapes = tensor_shapes(&model).map_err(load_err)?;
        let layout = PoseLayout::from_outputs(w as usize, h as usize, &shapes).map_err(|e| load_err(e.to_string()))?;
        let k = layout.num_keypoints;
        let names = vec!["person".to_string()];
        let spec = ModelSpec {
            path: hef.to_path_buf(),
            task: Task::Pose,
            input_w: w,
            input_h: h,
            names: names.clone(),
            kpt_shape: Some([k, crate::pose::KPT_VALUES]),
            output_channels: layout.head_channels(),
            metadata: ModelMetadata {
                task: Some(Task::Pose),
                names: Some(names),
                imgsz: Some([h, w]),
                kpt_shape: Some([k, crate::pose::KPT_VALUES]),
                ..Default::default()
            },
        };
        tracing::info!(strides = ?layout.levels.iter().map(|l| l.stride).collect::<Vec<_>>(), keypoints = k, "Hailo pose HEF outputs recognised");
        Ok(Self { runner: Runner::new(model, watchdog), spec, layout, pre: Preprocessor::new(), head: Vec::new() })
    }
}

impl PoseEstimator for HailoPose {
    fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    fn estimate(&mut self, image: &RgbImage, cfg: &DetectConfig) -> Result<Timed<Vec<PoseDetection>>, InferenceError> {
        let t0 = Instant::now();
        let (input, lb) = self.pre.to_rgb8(image, self.spec.input_w, self.spec.input_h)?;
        let (layout, head) = (&self.layout, &mut self.head);
        self.runner.run(&self.spec.path, t0, input.as_raw(), |outputs| layout.decode(outputs, &lb, cfg, head).map_err(|e| e.to_string()))
    }
}

/// Monocular depth with the model zoo's scdepthv3 / fast_depth HEFs: stretch to the HEF's input
/// (as the CPU path does for a static-size model) -> device -> [`crate::depth`] -> image size.
pub struct HailoDepth {
    runner: Runner,
    spec: DepthSpec,
    decoding: DepthDecoding,
    output: (usize, TensorShape),
    input: Vec<u8>,
}

impl HailoDepth {
    pub fn load(hef: &Path, decoding: DepthDecoding, cfg: &ModelConfig, watchdog: WatchdogConfig) -> Result<Self, InferenceError> {
        let load_err = |reason: String| InferenceError::ModelLoad { path: hef.to_path_buf(), reason };
        let (model, w, h) = open_rgb_model(hef, cfg)?;
        let shapes = tensor_shapes(&model).map_err(load_err)?;
        let output = hdepth::depth_output(&shapes).map_err(|e| load_err(e.to_string()))?;
        let spec = DepthSpec { path: hef.to_path_buf(), fixed_input: Some((w, h)), stand_in: None };
        Ok(Self { runner: Runner::new(model, watchdog), spec, decoding, output, input: Vec::new() })
    }

    /// How this HEF's output is read (and so whether the map is metres).
    pub fn decoding(&self) -> DepthDecoding {
        self.decoding
    }
}

impl DepthEstimator for HailoDepth {
    fn spec(&self) -> &DepthSpec {
        &self.spec
    }

    /// `opts` sizes a dynamic input; a HEF's input is always static, so it is not used.
    fn estimate(&mut self, image: &RgbImage, _opts: &DepthOptions) -> Result<Timed<DepthMap>, InferenceError> {
        let t0 = Instant::now();
        let (iw, ih) = image.dimensions();
        let (w, h) = ::depth::network_size(iw, ih, 0, false, self.spec.fixed_input)?;
        yolo::resize_bilinear_cv2(image.as_raw(), iw, ih, w, h, &mut self.input);
        let ((i, shape), decoding) = (self.output, self.decoding);
        self.runner.run(&self.spec.path, t0, &self.input, |outputs| {
            hdepth::decode(&outputs[i], shape, decoding, iw, ih).map_err(|e| e.to_string())
        })
    }
}

/// A resident LLM HEF (loading takes seconds; it is loaded once and kept).
pub struct Llm {
    raw: NonNull<ffi::aihat_hailo_llm>,
}

// SAFETY: used through &mut self only.
unsafe impl Send for Llm {}

impl Llm {
    pub fn open(hef: &Path) -> Result<Self, HailoError> {
        check_abi()?;
        let path = c_path(hef)?;
        let mut raw = std::ptr::null_mut();
        // SAFETY: valid path and out pointer.
        check(unsafe { ffi::aihat_hailo_llm_open(path.as_ptr(), &mut raw) }, "loading the LLM")?;
        let raw = NonNull::new(raw).ok_or(HailoError::Shim { what: "loading the LLM", code: -1, message: "null handle".into() })?;
        Ok(Self { raw })
    }
}

impl Drop for Llm {
    fn drop(&mut self) {
        // SAFETY: the handle came from llm_open and is closed once.
        unsafe { ffi::aihat_hailo_llm_close(self.raw.as_ptr()) }
    }
}

/// Generation settings for the command path.
#[derive(Debug, Clone)]
pub struct LlmConfig {
    /// A command is one short JSON object; more tokens than this is the model rambling.
    pub max_tokens: u32,
    /// 0 = greedy.
    pub temperature: f32,
    pub seed: u32,
    /// Whole-reply deadline.
    pub deadline: Duration,
}

impl Default for LlmConfig {
    fn default() -> Self {
        Self { max_tokens: 64, temperature: 0.0, seed: 0, deadline: Duration::from_secs(4) }
    }
}

/// The Hailo LLM as a [`ReplySource`]: fresh context per reply, streamed reads with the abort
/// flag checked between tokens, a deadline.
pub struct HailoLlm {
    llm: Llm,
    pub cfg: LlmConfig,
    /// Tokens read in the last generation (for logs and arbiter cost figures).
    pub last_tokens: u32,
}

impl HailoLlm {
    pub fn load(hef: &Path, cfg: LlmConfig) -> Result<Self, HailoError> {
        Ok(Self { llm: Llm::open(hef)?, cfg, last_tokens: 0 })
    }
}

impl ReplySource for HailoLlm {
    type Error = HailoError;

    fn generate(&mut self, messages: &[ChatMessage], abort: &AtomicBool) -> Result<Option<String>, HailoError> {
        let raw = self.llm.raw.as_ptr();
        // SAFETY: live handle.
        check(unsafe { ffi::aihat_hailo_llm_clear_context(raw) }, "clearing the LLM context")?;
        let json: Vec<CString> = messages
            .iter()
            .map(|m| CString::new(m.to_json()).map_err(|_| HailoError::Shim { what: "prompt", code: -1, message: "NUL in a message".into() }))
            .collect::<Result<_, _>>()?;
        let ptrs: Vec<*const c_char> = json.iter().map(|c| c.as_ptr()).collect();
        let c = &self.cfg;
        // SAFETY: the message strings outlive the call (the shim copies them).
        check(
            unsafe { ffi::aihat_hailo_llm_generate(raw, ptrs.as_ptr(), ptrs.len(), c.max_tokens, c.temperature, c.seed) },
            "starting generation",
        )?;
        let start = Instant::now();
        let mut text = Vec::new();
        let mut buf = vec![0 as c_char; 1024];
        let mut aborting = false;
        self.last_tokens = 0;
        loop {
            if !aborting && (abort.load(Ordering::Relaxed) || start.elapsed() > c.deadline) {
                // SAFETY: live handle.
                check(unsafe { ffi::aihat_hailo_llm_abort(raw) }, "aborting generation")?;
                aborting = true;
            }
            let (mut len, mut state) = (0usize, 0u32);
            // SAFETY: buf is valid for its length; len/state are valid out pointers.
            let code = unsafe { ffi::aihat_hailo_llm_read(raw, buf.as_mut_ptr(), buf.len(), &mut len, 500, &mut state) };
            match check(code, "reading tokens") {
                Ok(()) => {}
                Err(HailoError::Timeout { .. }) if !aborting => continue,
                Err(e) => return Err(e),
            }
            text.extend(buf[..len.min(buf.len())].iter().map(|c| *c as u8));
            self.last_tokens += 1;
            match state {
                ffi::LLM_GENERATING => {}
                ffi::LLM_ABORTED => break,
                // Cut by max_tokens: returned as is; the repair step closes truncated JSON.
                ffi::LLM_END | ffi::LLM_MAX_TOKENS => return Ok(Some(String::from_utf8_lossy(&text).into_owned())),
                other => {
                    return Err(HailoError::Shim { what: "reading tokens", code: -1, message: format!("unknown generation state {other}") })
                }
            }
        }
        if abort.load(Ordering::Relaxed) {
            return Ok(None);
        }
        // Aborted for the deadline: what arrived so far is still worth a repair attempt.
        tracing::warn!(elapsed_ms = start.elapsed().as_millis() as u64, "LLM reply cut at the deadline");
        Ok(Some(String::from_utf8_lossy(&text).into_owned()))
    }
}
