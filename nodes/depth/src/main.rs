//! depth: monocular depth on `image` / `image/compressed`, published as a `sensor_msgs/Image`
//! (32FC1, the source image's size and header) on `depth`, optionally colour-mapped on
//! `depth/image`; and, for every `aihat_msgs/Detection2DArray` on `detections`, the depth inside
//! each box (median, IQR, valid pixel count) on `detections_depth`, from the depth frame of the
//! same image (matched by header stamp).
//!
//! The default model, Depth Anything V2 small, gives *relative inverse depth*: larger = nearer, no
//! unit, scale and shift unknown per image. Only a metric model (parameter `metric`) gives metres,
//! and only then is `distance_m` filled.
//!
//! Data path: subscribe -> latest frame -> decode -> arbiter grant -> infer (resize + normalise,
//! ONNX Runtime, back to the image size) -> publish -> settle waiting detections.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use depth::{DepthMap, Limits, PixelBox, Resolution, StampMatcher, box_stats, stamp_ns};
use futures::StreamExt;
use inference::{DepthEstimator, DepthOptions};
use r2r::aihat_msgs::msg::{Detection2DArray, DetectionDepth, DetectionDepthArray};
use r2r::builtin_interfaces::msg::Time;
use r2r::sensor_msgs::msg::Image;
use r2r::std_msgs::msg::Header;
use r2r::{QosProfile, RosParams};
use ros_edge::{NodeParams, RosNode, in_range};
use vision_edge::{FrameLoop, InferenceThread, VisionParams};

#[derive(RosParams, Clone, Debug)]
struct Params {
    /// Depth ONNX model: input `pixel_values` float32 [1,3,H,W], output `predicted_depth` [1,H,W] (Depth Anything V2 small from onnx-community; scripts/fetch_models); backend hailo: a scdepthv3 or fast_depth HEF (see hailo_decoding).
    model_path: String,
    /// Inference backend: cpu (ONNX Runtime) or hailo (needs the `hailo` build feature).
    backend: String,
    /// backend hailo only: how the HEF's output map is read: scdepthv3 (sigmoid logits, published as relative inverse depth; metric must be false) or fast_depth (metres; metric must be true).
    hailo_decoding: String,
    /// The model outputs metric depth in metres (e.g. a Depth Anything V2 Metric export): fills distance_m. false = relative inverse depth (larger = nearer, no unit).
    metric: bool,
    /// Network input size for models with dynamic H/W (preprocessor `size`); a multiple of 14 [14, 2058].
    input_size: i64,
    /// Scale both image sides by the same factor before rounding to multiples of 14 (preprocessor `keep_aspect_ratio`).
    keep_aspect_ratio: bool,
    /// Publish a colour-mapped depth image on depth/image.
    publish_colorized: bool,
    /// Depth frames kept for matching detections by stamp [1, 64].
    ring_size: i64,
    /// Detection messages waiting for the depth frame of their image [1, 1000].
    max_pending: i64,
    /// A detection message whose depth frame has not come after this many seconds is given up (counted, logged) [0.01, 60].
    max_wait_s: f64,
    /// Stamps this close (seconds) are the same image; 0 = exact match [0, 1].
    match_tolerance_s: f64,
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
    /// Expected camera rate in Hz: a frame's deadline is one period [0.1, 240].
    expected_rate_hz: f64,
    /// Seconds between frame-counter log lines [1, 3600].
    log_period_s: f64,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            model_path: String::new(),
            backend: "cpu".into(),
            hailo_decoding: "scdepthv3".into(),
            metric: false,
            input_size: 518,
            keep_aspect_ratio: true,
            publish_colorized: false,
            ring_size: 8,
            max_pending: 32,
            max_wait_s: 2.0,
            match_tolerance_s: 0.0,
            qos: "sensor_data".into(),
            qos_depth: 1,
            enabled: true,
            max_image_pixels: 40_000_000,
            reserved_cores: 1,
            inference_threads: 0,
            use_arbiter: true,
            arbiter_socket: String::new(),
            expected_rate_hz: 10.0,
            log_period_s: 10.0,
        }
    }
}

impl NodeParams for Params {
    fn validate(&self) -> Result<(), (String, String)> {
        in_range("input_size", self.input_size, 14, 2058)?;
        if self.input_size % depth::PATCH_MULTIPLE as i64 != 0 {
            return Err(("input_size".into(), format!("{} is not a multiple of 14 (the model's patch size)", self.input_size)));
        }
        if !["scdepthv3", "fast_depth"].contains(&self.hailo_decoding.as_str()) {
            return Err(("hailo_decoding".into(), format!("`{}` is not scdepthv3 or fast_depth", self.hailo_decoding)));
        }
        in_range("ring_size", self.ring_size, 1, 64)?;
        in_range("max_pending", self.max_pending, 1, 1000)?;
        in_range("max_wait_s", self.max_wait_s, 0.01, 60.0)?;
        in_range("match_tolerance_s", self.match_tolerance_s, 0.0, 1.0)?;
        self.vision().validate()?;
        Ok(())
    }
}

impl Params {
    fn vision(&self) -> VisionParams<'_> {
        vision_edge::vision_params!(self)
    }

    fn depth_options(&self) -> DepthOptions {
        DepthOptions { input_size: self.input_size as u32, keep_aspect_ratio: self.keep_aspect_ratio }
    }

    fn limits(&self) -> Limits {
        Limits {
            frames: self.ring_size as usize,
            pending: self.max_pending as usize,
            max_wait: Duration::from_secs_f64(self.max_wait_s),
            tolerance_ns: (self.match_tolerance_s * 1e9) as i64,
        }
    }
}

/// A published depth frame, kept for the detections of the same image.
struct Frame {
    map: DepthMap,
}

type Matcher = StampMatcher<Arc<Frame>, Detection2DArray>;

#[derive(Default)]
struct MatchCounters {
    matched: u64,
    unmatched: BTreeMap<&'static str, u64>,
    warned: BTreeSet<&'static str>,
}

/// The detection side: the matcher, its counters and the `detections_depth` publisher, shared by
/// the depth loop, the detections subscription and the expiry timer.
struct Detections {
    matcher: Mutex<Matcher>,
    counters: Mutex<MatchCounters>,
    // r2r publishers are Send but not Sync; the mutex makes the whole struct shareable.
    publisher: Mutex<r2r::Publisher<DetectionDepthArray>>,
    scratch: Mutex<Vec<f64>>,
}

fn fmt_stamp(t: &Time) -> String {
    format!("{}.{:09}", t.sec, t.nanosec)
}

fn to_time(ns: i64) -> Time {
    Time { sec: ns.div_euclid(1_000_000_000) as i32, nanosec: ns.rem_euclid(1_000_000_000) as u32 }
}

impl Detections {
    /// Publishes the matched, counts and logs the rest.
    fn settle(&self, resolutions: Vec<Resolution<Detection2DArray, Arc<Frame>>>, metric: bool) {
        for r in resolutions {
            match r {
                Resolution::Matched { detections, frame_stamp, frame, .. } => {
                    let msg = {
                        let mut scratch = self.scratch.lock().expect("scratch lock");
                        depth_of_detections(&detections, &frame.map, to_time(frame_stamp), metric, &mut scratch)
                    };
                    self.counters.lock().expect("counters lock").matched += 1;
                    if let Err(e) = self.publisher.lock().expect("publisher lock").publish(&msg) {
                        tracing::warn!(error = %e, "publishing detections_depth failed");
                    }
                }
                Resolution::Unmatched { detections, reason, .. } => {
                    let reason = reason.as_str();
                    let first = {
                        let mut c = self.counters.lock().expect("counters lock");
                        *c.unmatched.entry(reason).or_default() += 1;
                        c.warned.insert(reason)
                    };
                    let stamp = fmt_stamp(&detections.header.stamp);
                    let n = detections.detections.len();
                    // The first of each kind explains itself; after that, a debug line each and the
                    // counts in the periodic summary (with a fast detector most images have no depth
                    // frame, by design: warning on each would bury everything else).
                    if first {
                        tracing::warn!(%stamp, reason, detections = n,
                            "detections without a depth frame of their image: not published on detections_depth (counted; later ones are logged at debug)");
                    } else {
                        tracing::debug!(%stamp, reason, detections = n, "detections without a depth frame");
                    }
                }
            }
        }
    }
}

/// Depth statistics of every detection box in `map` (the depth image of the detections' image).
fn depth_of_detections(dets: &Detection2DArray, map: &DepthMap, depth_stamp: Time, metric: bool, scratch: &mut Vec<f64>) -> DetectionDepthArray {
    // Relative inverse depth is valid wherever it is finite (0 = very far); metric depth must also be
    // positive.
    let valid = |v: f32| v.is_finite() && (!metric || v > 0.0);
    let detections = dets
        .detections
        .iter()
        .map(|d| {
            let b = &d.bbox;
            let stats = PixelBox::from_center_size(b.center.position.x, b.center.position.y, b.size_x, b.size_y, map.width, map.height)
                .map(|pb| box_stats(&map.data, map.width, &pb, valid, scratch))
                .unwrap_or(depth::BoxStats::EMPTY);
            DetectionDepth {
                detection_id: d.id.clone(),
                class_id: d.results.first().map(|h| h.hypothesis.class_id.clone()).unwrap_or_default(),
                depth_median: stats.median,
                depth_iqr: stats.iqr,
                valid_pixels: stats.valid,
                distance_m: if metric { stats.median } else { f32::NAN },
                metric,
            }
        })
        .collect();
    DetectionDepthArray { header: dets.header.clone(), depth_stamp, detections }
}

/// sensor_msgs/Image 32FC1 of a depth map, in this machine's byte order (as `is_bigendian` says).
fn depth_image(map: &DepthMap, header: Header) -> Image {
    let mut data = Vec::with_capacity(map.data.len() * 4);
    for v in &map.data {
        data.extend_from_slice(&v.to_ne_bytes());
    }
    Image {
        header,
        height: map.height,
        width: map.width,
        encoding: "32FC1".into(),
        is_bigendian: u8::from(cfg!(target_endian = "big")),
        step: map.width * 4,
        data,
    }
}

/// The CPU backend comes from vision_edge; the Hailo one is this node's own, compiled only with
/// the `hailo` (device) or `hailo-double` (tests) feature.
fn load_model(p: &Params, threads: usize) -> anyhow::Result<Box<dyn DepthEstimator>> {
    #[cfg(any(feature = "hailo", feature = "hailo-double"))]
    if p.backend == "hailo" {
        if hailo::NATIVE_LAYER == Some("hailo-double") {
            tracing::warn!("backend hailo runs on the TEST DOUBLE of the Hailo shim: canned outputs, no device");
        }
        let decoding: hailo::depth::DepthDecoding = p.hailo_decoding.parse()?;
        // The published map's meaning follows the decoding; `metric` must say the same, or
        // distance_m would be filled from relative values (or left empty for metres).
        anyhow::ensure!(
            decoding.metric() == p.metric,
            "hailo_decoding `{}` gives {}: set metric:={}",
            p.hailo_decoding,
            if decoding.metric() { "metres" } else { "relative inverse depth" },
            decoding.metric()
        );
        return Ok(Box::new(hailo::native::HailoDepth::load(p.model_path.as_ref(), decoding, &Default::default(), Default::default())?));
    }
    vision_edge::model::load_depth(&p.backend, p.model_path.as_ref(), threads)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    ros_edge::handle_cli::<Params>()?;
    ros_edge::init_logging();
    let ros = RosNode::<Params>::start("depth")?;
    let p = ros.params();
    anyhow::ensure!(!p.model_path.is_empty(), "parameter `model_path` is empty: set it to a depth ONNX file (scripts/fetch_models)");

    let (cpus, threads) = vision_edge::inference_cpus(p.reserved_cores as usize, p.inference_threads as usize);
    let load_params = p.clone();
    let model = InferenceThread::spawn("depth-infer", cpus.clone(), move || load_model(&load_params, threads))
        .with_context(|| format!("loading model {}", p.model_path))?;
    let spec = model.call(|m| m.spec().clone()).await?;
    let model_name = spec.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "depth".into());
    tracing::info!(model = %p.model_path, fixed_input = ?spec.fixed_input, metric = p.metric, ?cpus, threads, "model loaded");
    if let Some(note) = &spec.stand_in {
        tracing::warn!(note = %note, "this is the generated stand-in model: its output is a fixed function of the pixels, not a depth estimate");
    }

    let (depth_pub, color_pub, dd_pub) = {
        let mut node = ros.node.lock().unwrap();
        (
            node.create_publisher::<Image>("depth", QosProfile::default().keep_last(10))?,
            node.create_publisher::<Image>("depth/image", vision_edge::annotated_qos())?,
            node.create_publisher::<DetectionDepthArray>("detections_depth", QosProfile::default().keep_last(10))?,
        )
    };
    let dets = Arc::new(Detections {
        matcher: Mutex::new(Matcher::new(p.limits())),
        counters: Mutex::default(),
        publisher: Mutex::new(dd_pub),
        scratch: Mutex::default(),
    });
    let mut det_sub = ros.node.lock().unwrap().subscribe::<Detection2DArray>("detections", QosProfile::default().keep_last(10))?;
    {
        let (dets, params) = (dets.clone(), ros.params.clone());
        tokio::spawn(async move {
            while let Some(msg) = det_sub.next().await {
                let metric = params.lock().expect("params lock").0.metric;
                let stamp = stamp_ns(msg.header.stamp.sec, msg.header.stamp.nanosec);
                let r = dets.matcher.lock().expect("matcher lock").push_detections(stamp, msg, Instant::now());
                dets.settle(r, metric);
            }
        });
    }
    {
        // With no new depth frame nothing else would give up a waiting detection message.
        let (dets, params) = (dets.clone(), ros.params.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(100));
            loop {
                tick.tick().await;
                let p = params.lock().expect("params lock").0.clone();
                let r = {
                    let mut m = dets.matcher.lock().expect("matcher lock");
                    m.set_limits(p.limits());
                    m.expire(Instant::now())
                };
                dets.settle(r, p.metric);
            }
        });
    }
    {
        let (dets, period) = (dets.clone(), Duration::from_secs_f64(p.log_period_s));
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.tick().await;
            loop {
                tick.tick().await;
                let waiting = dets.matcher.lock().expect("matcher lock").waiting();
                let c = dets.counters.lock().expect("counters lock");
                tracing::info!(matched = c.matched, unmatched = ?c.unmatched, waiting, "detections_depth");
            }
        });
    }
    ros.spin();

    // A warm-up run: ONNX Runtime's first run is slow, and the arbiter needs a real cost figure.
    let opts = p.depth_options();
    let warmup = model.call(move |m| m.estimate(&image::RgbImage::new(640, 480), &opts).map(|t| t.timings.inference)).await??;
    tracing::info!(warmup_ms = warmup.as_secs_f64() * 1e3, "warm-up inference done");
    let mut frames = FrameLoop::start(&ros.node, &ros.name, &model_name, p.vision().input()?, warmup).await?;

    while let Some(granted) = frames.next(|| ros.params().enabled).await {
        let p = ros.params();
        let opts = p.depth_options();
        let Some((timed, frame)) = frames.infer(&model, granted, move |m, rgb| m.estimate(rgb, &opts)).await? else {
            continue;
        };
        let map = timed.value;
        if let Err(e) = depth_pub.publish(&depth_image(&map, frame.header.clone())) {
            tracing::warn!(error = %e, "publishing the depth image failed");
            continue;
        }
        frames.published(&frame, 1);
        tracing::debug!(
            pre_ms = timed.timings.preprocess.as_secs_f64() * 1e3,
            infer_ms = timed.timings.inference.as_secs_f64() * 1e3,
            post_ms = timed.timings.postprocess.as_secs_f64() * 1e3,
            "depth timings"
        );
        if p.publish_colorized {
            let img = vision_edge::draw::colorize(&map.data, map.width, map.height);
            if let Err(e) = color_pub.publish(&vision_edge::to_image_msg(img, frame.header.clone())) {
                tracing::debug!(error = %e, "publishing the colour-mapped depth failed");
            }
        }
        let stamp = stamp_ns(frame.header.stamp.sec, frame.header.stamp.nanosec);
        let r = {
            let mut m = dets.matcher.lock().expect("matcher lock");
            m.set_limits(p.limits());
            m.push_frame(stamp, Arc::new(Frame { map }))
        };
        dets.settle(r, p.metric);
    }
    ros.stop();
    Ok(())
}
