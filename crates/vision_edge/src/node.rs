//! What every vision node does the same way, written once: the shared parameters, and the
//! start-up sequence (command line, logging, node, model on its pinned thread, warm-up on the
//! model's own input size, arbiter registration, image subscription).

use std::time::Duration;

use anyhow::Context;
use image::RgbImage;
use inference::{DepthEstimator, DepthOptions, Detector, PoseEstimator};
use ros_edge::{NodeParams, RosNode};
use yolo::DetectConfig;

use crate::{FrameLoop, InferenceThread, VisionParams};

/// A node parameter struct with the parameters every vision node declares under the same names,
/// ranges and descriptions, plus the node's own: `#[derive(RosParams)]`, `Default` (the node's
/// own defaults as given, `expected_rate_hz` as given, the shared ones here) and [`HasVision`].
///
/// r2r's `RosParams` derive prefixes the fields of a nested struct (`input.qos`), so the shared
/// fields are spliced into the node's flat struct instead, keeping the parameters' names.
#[macro_export]
macro_rules! vision_node_params {
    (
        $(#[$sm:meta])*
        struct $name:ident {
            $( $(#[$fm:meta])* $field:ident : $ty:ty = $default:expr, )*
        }
        expected_rate_hz = $rate:expr;
    ) => {
        $(#[$sm])*
        #[derive(::r2r::RosParams, Clone, Debug)]
        struct $name {
            $( $(#[$fm])* $field: $ty, )*
            /// Inference backend: cpu (ONNX Runtime) or hailo (needs the `hailo` build feature).
            backend: String,
            /// Image subscription QoS: sensor_data, reliable or best_effort.
            qos: String,
            /// Image subscription history depth [1, 100].
            qos_depth: i64,
            /// Process images (false: frames are counted and skipped; the node stays up).
            enabled: bool,
            /// Images with more pixels than this are rejected as bad input [1, 100000000].
            max_image_pixels: i64,
            /// Cores left to the rest of the robot (motor control); inference runs on the others [0, 64].
            reserved_cores: i64,
            /// Inference threads; 0 = one per core of the inference set [0, 64].
            inference_threads: i64,
            /// Take turns on the accelerator through the npu_arbiter coordinator (the accelerator node).
            use_arbiter: bool,
            /// Coordinator socket; empty = the default path.
            arbiter_socket: String,
            /// Seconds without the coordinator (accelerator node down) after which frames run unarbitrated until it is back, rather than not at all [0.1, 60].
            arbiter_fallback_s: f64,
            /// Expected camera rate in Hz: a frame's deadline is one period [0.1, 240].
            expected_rate_hz: f64,
            /// Seconds between frame-counter log lines [1, 3600].
            log_period_s: f64,
        }

        impl Default for $name {
            fn default() -> Self {
                Self {
                    $( $field: $default, )*
                    backend: "cpu".into(),
                    qos: "sensor_data".into(),
                    qos_depth: 1,
                    enabled: true,
                    max_image_pixels: 40_000_000,
                    reserved_cores: 1,
                    inference_threads: 0,
                    use_arbiter: true,
                    arbiter_socket: String::new(),
                    arbiter_fallback_s: 0.5,
                    expected_rate_hz: $rate,
                    log_period_s: 10.0,
                }
            }
        }

        impl $crate::HasVision for $name {
            fn vision(&self) -> $crate::VisionParams<'_> {
                $crate::VisionParams {
                    backend: &self.backend,
                    qos: &self.qos,
                    qos_depth: self.qos_depth,
                    max_image_pixels: self.max_image_pixels,
                    reserved_cores: self.reserved_cores,
                    inference_threads: self.inference_threads,
                    use_arbiter: self.use_arbiter,
                    arbiter_socket: &self.arbiter_socket,
                    arbiter_fallback_s: self.arbiter_fallback_s,
                    expected_rate_hz: self.expected_rate_hz,
                    log_period_s: self.log_period_s,
                }
            }
            fn model_path(&self) -> &str {
                &self.model_path
            }
            fn enabled(&self) -> bool {
                self.enabled
            }
        }
    };
}

/// A vision node's parameters as the shared start-up needs them (the macro implements it).
pub trait HasVision {
    fn vision(&self) -> VisionParams<'_>;
    fn model_path(&self) -> &str;
    fn enabled(&self) -> bool;
}

/// What the shared start-up needs of a node's model.
pub trait VisionModel: Send + 'static {
    /// The model file's stem: its name at the arbiter and in logs.
    fn name(&self) -> String;
    /// One run on a blank image of the model's input size (no resize in it): ONNX Runtime's first
    /// run is slow, and the arbiter needs a real cost figure.
    fn warm_up(&mut self) -> anyhow::Result<Duration>;
}

fn stem(path: &std::path::Path, fallback: &str) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| fallback.into())
}

impl VisionModel for Box<dyn Detector> {
    fn name(&self) -> String {
        stem(&self.spec().path, "detector")
    }
    fn warm_up(&mut self) -> anyhow::Result<Duration> {
        let img = RgbImage::new(self.spec().input_w, self.spec().input_h);
        Ok(self.detect(&img, &DetectConfig::default())?.timings.inference)
    }
}

impl VisionModel for Box<dyn PoseEstimator> {
    fn name(&self) -> String {
        stem(&self.spec().path, "pose")
    }
    fn warm_up(&mut self) -> anyhow::Result<Duration> {
        let img = RgbImage::new(self.spec().input_w, self.spec().input_h);
        Ok(self.estimate(&img, &DetectConfig::default())?.timings.inference)
    }
}

impl VisionModel for Box<dyn DepthEstimator> {
    fn name(&self) -> String {
        stem(&self.spec().path, "depth")
    }
    fn warm_up(&mut self) -> anyhow::Result<Duration> {
        // A model with a dynamic input runs at whatever size the camera gives; a VGA frame is
        // the usual one.
        let (w, h) = self.spec().fixed_input.unwrap_or((640, 480));
        Ok(self.estimate(&RgbImage::new(w, h), &DepthOptions::default())?.timings.inference)
    }
}

/// A started vision node: its ROS node and its model on the pinned inference thread.
pub struct VisionNode<P, M> {
    pub ros: RosNode<P>,
    pub model: InferenceThread<M>,
    pub model_name: String,
}

impl<P: NodeParams + HasVision, M: VisionModel> VisionNode<P, M> {
    /// Command line (`--list-params`, argument errors), logging, the node and its parameters,
    /// then `load(params, threads)` on a thread pinned to the inference cores. Must run inside
    /// the node's tokio runtime.
    pub async fn start<L>(name: &str, load: L) -> anyhow::Result<Self>
    where
        L: FnOnce(&P, usize) -> anyhow::Result<M> + Send + 'static,
    {
        ros_edge::handle_cli::<P>()?;
        ros_edge::init_logging();
        let ros = RosNode::<P>::start(name)?;
        let p = ros.params();
        anyhow::ensure!(!p.model_path().is_empty(), "parameter `model_path` is empty: set it to the model file (see params/{name}.yaml)");
        let v = p.vision();
        let (cpus, threads) = crate::inference_cpus(v.reserved_cores as usize, v.inference_threads as usize);
        let path = p.model_path().to_string();
        let load_params = p.clone();
        let model = InferenceThread::spawn(&format!("{name}-infer"), cpus.clone(), move || load(&load_params, threads))
            .with_context(|| format!("loading model {path}"))?;
        let model_name = model.call(|m| m.name()).await?;
        tracing::info!(model = %path, ?cpus, threads, "model loaded");
        Ok(Self { ros, model, model_name })
    }

    /// Spins the node (publishers must exist by now), warms the model up and starts taking
    /// frames: the image subscriptions, camera_info, and the node's stream at the arbiter.
    pub async fn frames(&self) -> anyhow::Result<FrameLoop> {
        self.ros.spin();
        let warmup = self.model.call(|m| m.warm_up()).await??;
        tracing::info!(warmup_ms = warmup.as_secs_f64() * 1e3, "warm-up inference done");
        let p = self.ros.params();
        FrameLoop::start(&self.ros.node, &self.ros.name, &self.model_name, p.vision().input()?, warmup).await
    }

    /// The node's `enabled` parameter now.
    pub fn enabled(&self) -> bool {
        self.ros.params().enabled()
    }
}
