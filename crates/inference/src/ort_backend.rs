//! ONNX Runtime (CPU) backend via `ort` 2.0.0-rc.15 with `load-dynamic`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ort::environment::Environment;
use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;
use ort::value::{TensorElementType, TensorRef};
use yolo::{ModelMetadata, ModelSpec, Task};

use crate::{InferenceError, OutputTensor, TensorBackend, YoloDetector, YoloPose};

/// ONNX Runtime allows one environment per process and `ort` refuses to build a second one even after
/// the first is dropped, so the handle lives here for the life of the process.
static ENV: Mutex<Option<(Environment, PathBuf)>> = Mutex::new(None);

/// Handle proving ONNX Runtime is loaded; cheap to clone, needed to create sessions.
#[derive(Clone)]
pub struct OrtRuntime {
    env: Environment,
    library: PathBuf,
}

impl std::fmt::Debug for OrtRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrtRuntime").field("library", &self.library).finish_non_exhaustive()
    }
}

impl OrtRuntime {
    /// Load `libonnxruntime` and create the process-wide environment (idempotent: later calls return
    /// the environment created by the first successful one).
    ///
    /// `library`: explicit path, else `$ORT_DYLIB_PATH` (ort's convention), else an error. We do not
    /// fall back to a bare `dlopen("libonnxruntime.so")`: on the robot the library comes from the
    /// onnxruntime wheel inside a venv, and silently picking up some other copy from the system path
    /// would make version problems very hard to see.
    ///
    /// Loading goes through `ort::init_from`, which returns an error instead of panicking (ort's lazy
    /// path panics if the library cannot be opened) and checks the library's version is at least the
    /// API level `ort` was built for (1.17 here, no `api-NN` feature; 1.31.1 on the target).
    pub fn init(library: Option<&Path>) -> Result<Self, InferenceError> {
        let mut guard = ENV.lock().unwrap_or_else(|p| p.into_inner());
        let path = match library {
            Some(p) => p.to_path_buf(),
            None => match std::env::var_os("ORT_DYLIB_PATH") {
                Some(p) if !p.is_empty() => PathBuf::from(p),
                _ => {
                    return Err(InferenceError::RuntimeNotFound(
                        "set ORT_DYLIB_PATH to the libonnxruntime.so.1.x shipped in the onnxruntime wheel \
                         (site-packages/onnxruntime/capi/)"
                            .into(),
                    ))
                }
            },
        };
        // Already loaded: the first library wins for the whole process (ONNX Runtime cannot be unloaded);
        // `library()` reports the one actually in use.
        if let Some((env, loaded)) = guard.as_ref() {
            if *loaded != path {
                tracing::warn!(requested = %path.display(), loaded = %loaded.display(), "ONNX Runtime already loaded from another path");
            }
            return Ok(Self { env: env.clone(), library: loaded.clone() });
        }
        if !path.is_file() {
            return Err(InferenceError::RuntimeNotFound(format!("'{}' is not a file", path.display())));
        }
        let builder = ort::init_from(&path)
            .map_err(|e| InferenceError::RuntimeLoad { path: path.clone(), reason: e.to_string() })?;
        let env = builder
            .with_name("aihat_ros")
            .with_telemetry(false)
            .build()
            .map_err(|e| InferenceError::Environment(e.to_string()))?;
        *guard = Some((env.clone(), path.clone()));
        tracing::info!(library = %path.display(), "ONNX Runtime loaded");
        Ok(Self { env, library: path })
    }

    pub fn library(&self) -> &Path {
        &self.library
    }

    /// An ONNX Runtime session of the model at `path` with `cfg`'s options; one place for every
    /// model family, so they all get the same threading and optimisation policy.
    pub(crate) fn session(&self, path: &Path, cfg: &SessionConfig) -> Result<Session, InferenceError> {
        if !path.is_file() {
            return Err(InferenceError::ModelNotFound(path.to_path_buf()));
        }
        let load_err = |reason: String| InferenceError::ModelLoad { path: path.to_path_buf(), reason };
        let level = match cfg.optimization {
            OptimizationLevel::Disable => GraphOptimizationLevel::Disable,
            OptimizationLevel::Basic => GraphOptimizationLevel::Level1,
            OptimizationLevel::Extended => GraphOptimizationLevel::Level2,
            OptimizationLevel::All => GraphOptimizationLevel::All,
        };
        let builder_err = |e: ort::Error<ort::session::builder::SessionBuilder>| load_err(e.to_string());
        Session::builder(&self.env)
            .map_err(|e| load_err(e.to_string()))?
            .with_optimization_level(level)
            .map_err(builder_err)?
            .with_intra_threads(cfg.intra_threads)
            .map_err(builder_err)?
            .with_inter_threads(cfg.inter_threads.max(1))
            .map_err(builder_err)?
            .commit_from_file(path)
            .map_err(|e| load_err(e.to_string()))
    }
}

/// ONNX Runtime graph optimisation level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OptimizationLevel {
    Disable,
    Basic,
    Extended,
    /// `ORT_ENABLE_ALL`, what onnxruntime's Python API (and therefore Ultralytics) uses by default.
    /// Note: in ort rc.15 `GraphOptimizationLevel::Level3` is `ORT_ENABLE_LAYOUT`, a *subset*; the old
    /// "level 3 = everything" meaning is `All`.
    #[default]
    All,
}

/// Per-session options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionConfig {
    /// Intra-op threads; the node derives this from its CPU-set policy. 0 lets ORT pick (all cores).
    pub intra_threads: usize,
    /// Inter-op threads; a YOLO graph is a single chain, so parallel branches buy nothing.
    pub inter_threads: usize,
    pub optimization: OptimizationLevel,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self { intra_threads: 2, inter_threads: 1, optimization: OptimizationLevel::All }
    }
}

/// One loaded ONNX model; implements [`TensorBackend`].
pub struct OrtSession {
    session: Session,
    spec: ModelSpec,
    input_shape: [usize; 4],
}

impl std::fmt::Debug for OrtSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrtSession").field("spec", &self.spec).finish_non_exhaustive()
    }
}

pub(crate) fn tensor_shape(o: &ort::value::Outlet) -> Vec<i64> {
    o.dtype().tensor_shape().map(|s| s.to_vec()).unwrap_or_default()
}

impl OrtSession {
    /// Load `path`, read its Ultralytics metadata and check it is an `expected` model.
    pub fn load(rt: &OrtRuntime, path: &Path, expected: Task, cfg: &SessionConfig) -> Result<Self, InferenceError> {
        let _span = tracing::info_span!("load_model", path = %path.display(), task = %expected).entered();
        if !path.is_file() {
            return Err(InferenceError::ModelNotFound(path.to_path_buf()));
        }
        let load_err = |reason: String| InferenceError::ModelLoad { path: path.to_path_buf(), reason };
        let session = rt.session(path, cfg)?;

        let meta = {
            let m = session.metadata().map_err(|e| load_err(format!("reading metadata: {e}")))?;
            ModelMetadata::from_lookup(|k| m.custom(k))
                .map_err(|source| yolo::ModelError::Metadata { path: path.to_path_buf(), source })?
        };
        let inputs: Vec<Vec<i64>> = session.inputs().iter().map(tensor_shape).collect();
        let outputs: Vec<Vec<i64>> = session.outputs().iter().map(tensor_shape).collect();
        let spec = yolo::validate_model(path, expected, &meta, &inputs, &outputs)?;
        let all_f32 = session
            .inputs()
            .iter()
            .chain(session.outputs())
            .all(|o| o.dtype().tensor_type() == Some(TensorElementType::Float32));
        if !all_f32 {
            return Err(load_err("expected float32 input and output tensors".into()));
        }
        tracing::info!(
            task = %spec.task, input_w = spec.input_w, input_h = spec.input_h, classes = spec.num_classes(),
            version = spec.metadata.version.as_deref().unwrap_or("?"), "model loaded"
        );
        let input_shape = [1, 3, spec.input_h as usize, spec.input_w as usize];
        Ok(Self { session, spec, input_shape })
    }
}

impl TensorBackend for OrtSession {
    fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    fn run(&mut self, input: &[f32], shape: [usize; 4], outputs: &mut Vec<OutputTensor>) -> Result<(), InferenceError> {
        if shape != self.input_shape || input.len() != shape.iter().product::<usize>() {
            return Err(InferenceError::InputShape { expected: self.input_shape, got: shape });
        }
        let run_err = |e: ort::Error| InferenceError::Run { path: self.spec.path.clone(), reason: e.to_string() };
        let tensor = TensorRef::from_array_view((shape, input)).map_err(run_err)?;
        let result = self.session.run(ort::inputs![tensor]).map_err(|e| InferenceError::Run {
            path: self.spec.path.clone(),
            reason: e.to_string(),
        })?;
        outputs.resize_with(result.len(), OutputTensor::default);
        for (out, (_, value)) in outputs.iter_mut().zip(result.iter()) {
            let (s, data) = value.try_extract_tensor::<f32>().map_err(|e| InferenceError::Run {
                path: self.spec.path.clone(),
                reason: e.to_string(),
            })?;
            out.shape.clear();
            out.shape.extend(s.iter().map(|&d| d.max(0) as usize));
            out.data.clear();
            out.data.extend_from_slice(data);
        }
        Ok(())
    }
}

/// Load an Ultralytics detect model on the CPU backend.
pub fn load_detector(rt: &OrtRuntime, path: &Path, cfg: &SessionConfig) -> Result<YoloDetector<OrtSession>, InferenceError> {
    YoloDetector::new(OrtSession::load(rt, path, Task::Detect, cfg)?)
}

/// Load an Ultralytics pose model on the CPU backend.
pub fn load_pose(rt: &OrtRuntime, path: &Path, cfg: &SessionConfig) -> Result<YoloPose<OrtSession>, InferenceError> {
    YoloPose::new(OrtSession::load(rt, path, Task::Pose, cfg)?)
}
