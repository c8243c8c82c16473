//! depth: monocular depth on `image` / `image/compressed`, published as a `sensor_msgs/Image`
//! (32FC1, the source image's size and header) on `depth`, optionally colour-mapped on
//! `depth/image`; and, for every `aihat_msgs/Detection2DArray` on `detections`, the depth inside
//! each box (median, IQR, valid pixel count) on `detections_depth`, from the depth frame of the
//! same image (matched by header stamp).
//!
//! With a metric model and the camera's `camera_info`, every detection also gets a 3D box in
//! metres in the camera's optical frame on `detections_3d` (aihat_msgs/Detection3DArray, the
//! vision_msgs layout; `detection3d::locate`).
//!
//! The default model, FastDepth (NYU Depth v2, indoor), gives metres (larger = farther). The
//! parameters say what a model gives: `metric` (a unit, so `distance_m` and 3D are filled) and
//! `inverse_depth` (larger = nearer, as Depth Anything V2 and scdepthv3 give; a metric inverse map
//! is published as metres).
//!
//! Data path: subscribe -> latest frame -> decode -> arbiter grant -> infer (resize + normalise,
//! ONNX Runtime, back to the image size) -> publish -> settle waiting detections (depth per box,
//! 3D per box).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use depth::{DepthMap, Limits, PixelBox, Resolution, StampMatcher, box_stats, stamp_ns};
use detection3d::{Box2D, GeometryError, Intrinsics, LocateOptions};
use futures::StreamExt;
use inference::{DepthEstimator, DepthOptions};
use r2r::aihat_msgs::msg::{
    BoundingBox3D, Detection2DArray, Detection3D, Detection3DArray, DetectionDepth, DetectionDepthArray, ObjectHypothesisWithPose,
};
use r2r::geometry_msgs::msg::{Point, Pose, PoseWithCovariance, Quaternion, Vector3};
use r2r::builtin_interfaces::msg::Time;
use r2r::sensor_msgs::msg::Image;
use r2r::std_msgs::msg::Header;
use r2r::QosProfile;
use ros_edge::{NodeParams, in_range};
use vision_edge::{HasVision, VisionNode};

vision_edge::vision_node_params! {
    struct Params {
        /// Depth ONNX model: input `pixel_values` float32 [1,3,H,W] (ImageNet-normalised RGB), output `predicted_depth` [1,H,W] (FastDepth 224 from ../shared/models by default; Depth Anything V2 exports fit too); backend hailo: a fast_depth or scdepthv3 HEF (see hailo_decoding).
        model_path: String = String::new(),
        /// backend hailo only: how the HEF's output map is read: fast_depth (metres; metric true, inverse_depth false) or scdepthv3 (sigmoid logits, relative inverse depth; metric false, inverse_depth true).
        hailo_decoding: String = "fast_depth".into(),
        /// The model's output has a unit (metres, or 1/metres with inverse_depth): fills distance_m and detections_3d. false = relative (no unit, scale unknown per image).
        metric: bool = true,
        /// The model outputs inverse depth (larger = nearer), e.g. Depth Anything V2 or scdepthv3; false = depth (larger = farther), e.g. FastDepth. A metric inverse-depth map is published as metres (1/x) on `depth`.
        inverse_depth: bool = false,
        /// Network input size for models with dynamic H/W (preprocessor `size`); a multiple of 14 [14, 2058].
        input_size: i64 = 518,
        /// Scale both image sides by the same factor before rounding to multiples of 14 (preprocessor `keep_aspect_ratio`).
        keep_aspect_ratio: bool = true,
        /// Publish a colour-mapped depth image on depth/image, with a scale bar (metres when `metric`, else near/far).
        publish_colorized: bool = false,
        /// Depth frames kept for matching detections by stamp [1, 64].
        ring_size: i64 = 8,
        /// Detection messages waiting for the depth frame of their image [1, 1000].
        max_pending: i64 = 32,
        /// A detection message whose depth frame has not come after this many seconds is given up (counted, logged) [0.01, 60].
        max_wait_s: f64 = 2.0,
        /// Stamps this close (seconds) are the same image; 0 = exact match [0, 1].
        match_tolerance_s: f64 = 0.0,
        /// detections_3d: pixels of a box farther than this (metres) from the box's median depth are background, not the object [0.01, 100].
        depth_band_m: f64 = 0.5,
        /// detections_3d: a box with fewer valid depth pixels than this gets no 3D box [1, 1000000].
        min_depth_pixels: i64 = 16,
    }
    expected_rate_hz = 10.0;
}

impl NodeParams for Params {
    fn validate(&self) -> Result<(), (String, String)> {
        in_range("input_size", self.input_size, 14, 2058)?;
        if self.input_size % depth::PATCH_MULTIPLE as i64 != 0 {
            return Err(("input_size".into(), format!("{} is not a multiple of 14 (the model's patch size)", self.input_size)));
        }
        ros_edge::one_of("hailo_decoding", &self.hailo_decoding, &["fast_depth", "scdepthv3"])?;
        in_range("depth_band_m", self.depth_band_m, 0.01, 100.0)?;
        in_range("min_depth_pixels", self.min_depth_pixels, 1, 1_000_000)?;
        in_range("ring_size", self.ring_size, 1, 64)?;
        in_range("max_pending", self.max_pending, 1, 1000)?;
        in_range("max_wait_s", self.max_wait_s, 0.01, 60.0)?;
        in_range("match_tolerance_s", self.match_tolerance_s, 0.0, 1.0)?;
        self.vision().validate()?;
        Ok(())
    }
}

impl Params {
    fn depth_options(&self) -> DepthOptions {
        DepthOptions { input_size: self.input_size as u32, keep_aspect_ratio: self.keep_aspect_ratio }
    }

    fn locate_options(&self) -> LocateOptions {
        LocateOptions { depth_band_m: self.depth_band_m, min_valid_pixels: self.min_depth_pixels as u32 }
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
    /// The camera's intrinsics at the map's size, when a camera_info came with the image.
    intrinsics: Option<Intrinsics>,
}

type Matcher = StampMatcher<Arc<Frame>, Detection2DArray>;

#[derive(Default)]
struct MatchCounters {
    matched: u64,
    unmatched: BTreeMap<&'static str, u64>,
    warned: BTreeSet<&'static str>,
    /// Detections that got no 3D box, by reason.
    no_3d: BTreeMap<&'static str, u64>,
}

/// What the depth values mean, from the parameters; read where the values are used.
#[derive(Clone, Copy)]
struct Meaning {
    metric: bool,
    locate: LocateOptions,
}

/// The detection side: the matcher, its counters and the `detections_depth` / `detections_3d`
/// publishers, shared by the depth loop, the detections subscription and the expiry timer.
struct Detections {
    matcher: Mutex<Matcher>,
    counters: Mutex<MatchCounters>,
    // r2r publishers are Send but not Sync; the mutex makes the whole struct shareable.
    publisher: Mutex<r2r::Publisher<DetectionDepthArray>>,
    publisher_3d: Mutex<r2r::Publisher<Detection3DArray>>,
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
    fn settle(&self, resolutions: Vec<Resolution<Detection2DArray, Arc<Frame>>>, meaning: Meaning) {
        for r in resolutions {
            match r {
                Resolution::Matched { detections, frame_stamp, frame, .. } => {
                    let (msg, msg_3d) = {
                        let mut scratch = self.scratch.lock().expect("scratch lock");
                        let dd = depth_of_detections(&detections, &frame.map, to_time(frame_stamp), meaning.metric, &mut scratch);
                        // 3D needs metres and the camera's intrinsics; without either, the 2D
                        // results above are all there is (the depth loop warns once).
                        let d3 = match (meaning.metric, &frame.intrinsics) {
                            (true, Some(k)) => Some(detections_3d(&detections, &frame.map, k, &meaning.locate, &mut scratch)),
                            _ => None,
                        };
                        (dd, d3)
                    };
                    self.counters.lock().expect("counters lock").matched += 1;
                    if let Err(e) = self.publisher.lock().expect("publisher lock").publish(&msg) {
                        tracing::warn!(error = %e, "publishing detections_depth failed");
                    }
                    if let Some((msg_3d, failures)) = msg_3d {
                        if !failures.is_empty() {
                            let mut c = self.counters.lock().expect("counters lock");
                            for (id, e) in &failures {
                                *c.no_3d.entry(no_3d_kind(e)).or_default() += 1;
                                tracing::debug!(detection = %id, reason = %e, "no 3D box for a detection");
                            }
                        }
                        if let Err(e) = self.publisher_3d.lock().expect("publisher lock").publish(&msg_3d) {
                            tracing::warn!(error = %e, "publishing detections_3d failed");
                        }
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

fn no_3d_kind(e: &GeometryError) -> &'static str {
    match e {
        GeometryError::TooFewDepthPixels { .. } => "too few depth pixels",
        GeometryError::BoxOutside { .. } => "box outside the image",
        GeometryError::BadIntrinsics(_) | GeometryError::BadDepthImage { .. } => "bad camera_info",
    }
}

/// Depth statistics of every detection box in `map` (the depth image of the detections' image).
fn depth_of_detections(dets: &Detection2DArray, map: &DepthMap, depth_stamp: Time, metric: bool, scratch: &mut Vec<f64>) -> DetectionDepthArray {
    // Relative depth is valid wherever it is finite (relative inverse depth 0 = very far); metric
    // depth must also be positive.
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

/// vision_msgs-style 3D detections (metres, the camera's optical frame) of every box that has
/// enough depth; the others are returned with the reason.
fn detections_3d(
    dets: &Detection2DArray,
    map: &DepthMap,
    k: &Intrinsics,
    opts: &LocateOptions,
    scratch: &mut Vec<f64>,
) -> (Detection3DArray, Vec<(String, GeometryError)>) {
    let mut failures = Vec::new();
    let detections = dets
        .detections
        .iter()
        .filter_map(|d| {
            let b = &d.bbox;
            let b2 = Box2D { cx: b.center.position.x, cy: b.center.position.y, width: b.size_x, height: b.size_y };
            let loc = match detection3d::locate(&map.data, k, b2, opts, scratch) {
                Ok(l) => l,
                Err(e) => {
                    failures.push((d.id.clone(), e));
                    return None;
                }
            };
            let center = Pose { position: Point { x: loc.center[0], y: loc.center[1], z: loc.center[2] }, orientation: Quaternion { w: 1.0, ..Default::default() } };
            let results = d
                .results
                .iter()
                .map(|h| ObjectHypothesisWithPose {
                    hypothesis: h.hypothesis.clone(),
                    pose: PoseWithCovariance { pose: center.clone(), ..Default::default() },
                })
                .collect();
            Some(Detection3D {
                header: dets.header.clone(),
                results,
                bbox: BoundingBox3D { center, size: Vector3 { x: loc.size[0], y: loc.size[1], z: loc.size[2] } },
                id: d.id.clone(),
            })
        })
        .collect();
    (Detection3DArray { header: dets.header.clone(), detections }, failures)
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
        // The published map's meaning follows the decoding; the parameters must say the same, or
        // distance_m would be filled from relative values (or left empty for metres).
        let (metric, inverse) = (decoding.metric(), !decoding.metric());
        anyhow::ensure!(
            (p.metric, p.inverse_depth) == (metric, inverse),
            "hailo_decoding `{}` gives {}: set metric:={metric} inverse_depth:={inverse}",
            p.hailo_decoding,
            if metric { "metres" } else { "relative inverse depth" },
        );
        return Ok(Box::new(hailo::native::HailoDepth::load(p.model_path.as_ref(), decoding, &Default::default(), Default::default())?));
    }
    vision_edge::model::load_depth(&p.backend, p.model_path.as_ref(), threads)
}

/// A metric inverse-depth map in metres, as REP 118 wants depth images (1/x; 0 = infinitely far
/// becomes +inf, which readers treat as no return).
fn to_metres(map: &mut DepthMap) {
    for v in &mut map.data {
        *v = 1.0 / *v;
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let node = VisionNode::<Params, Box<dyn DepthEstimator>>::start("depth", load_model).await?;
    let (ros, model) = (&node.ros, &node.model);
    let p = ros.params();
    let spec = model.call(|m| m.spec().clone()).await?;
    tracing::info!(fixed_input = ?spec.fixed_input, metric = p.metric, inverse_depth = p.inverse_depth, "depth model ready");
    if let Some(note) = &spec.stand_in {
        tracing::warn!(note = %note, "this is the generated stand-in model: its output is a fixed function of the pixels, not a depth estimate");
    }

    let (depth_pub, color_pub, dd_pub, d3_pub) = {
        let mut node = ros.node.lock().unwrap();
        (
            node.create_publisher::<Image>("depth", QosProfile::default().keep_last(10))?,
            node.create_publisher::<Image>("depth/image", vision_edge::annotated_qos())?,
            node.create_publisher::<DetectionDepthArray>("detections_depth", QosProfile::default().keep_last(10))?,
            node.create_publisher::<Detection3DArray>("detections_3d", QosProfile::default().keep_last(10))?,
        )
    };
    let dets = Arc::new(Detections {
        matcher: Mutex::new(Matcher::new(p.limits())),
        counters: Mutex::default(),
        publisher: Mutex::new(dd_pub),
        publisher_3d: Mutex::new(d3_pub),
        scratch: Mutex::default(),
    });
    let meaning = |p: &Params| Meaning { metric: p.metric, locate: p.locate_options() };
    let mut det_sub = ros.node.lock().unwrap().subscribe::<Detection2DArray>("detections", QosProfile::default().keep_last(10))?;
    {
        let (dets, params) = (dets.clone(), ros.params.clone());
        tokio::spawn(async move {
            while let Some(msg) = det_sub.next().await {
                let m = meaning(&params.lock().expect("params lock").0);
                let stamp = stamp_ns(msg.header.stamp.sec, msg.header.stamp.nanosec);
                let r = dets.matcher.lock().expect("matcher lock").push_detections(stamp, msg, Instant::now());
                dets.settle(r, m);
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
                dets.settle(r, meaning(&p));
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
                tracing::info!(matched = c.matched, unmatched = ?c.unmatched, no_3d = ?c.no_3d, waiting, "detections_depth");
            }
        });
    }
    let mut frames = node.frames().await?;
    let mut warned_no_camera_info = false;

    while let Some(granted) = frames.next(|| node.enabled()).await {
        let p = ros.params();
        let opts = p.depth_options();
        let Some((timed, frame)) = frames.infer(model, granted, move |m, rgb| m.estimate(rgb, &opts)).await? else {
            continue;
        };
        let mut map = timed.value;
        if p.metric && p.inverse_depth {
            to_metres(&mut map);
        }
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
            use vision_edge::draw::DepthScale;
            // Metric maps are in metres here (inverse ones converted above).
            let scale = if p.metric { DepthScale::Metres } else { DepthScale::Relative { larger_is_nearer: p.inverse_depth } };
            let img = vision_edge::draw::colorize_depth(&map.data, map.width, map.height, scale);
            if let Err(e) = color_pub.publish(&vision_edge::to_image_msg(img, frame.header.clone())) {
                tracing::debug!(error = %e, "publishing the colour-mapped depth failed");
            }
        }
        let intrinsics = match frame.camera_info.as_ref().map(vision_edge::msg::intrinsics) {
            Some(Ok(k)) => Some(k.scaled_to(map.width, map.height)),
            Some(Err(e)) => {
                if !std::mem::replace(&mut warned_no_camera_info, true) {
                    tracing::warn!(error = %e, "camera_info is not usable: no detections_3d (depth and detections_depth are unchanged); said once");
                }
                None
            }
            None => {
                if !std::mem::replace(&mut warned_no_camera_info, true) {
                    tracing::warn!("no camera_info next to the image topic: no detections_3d (depth and detections_depth are unchanged); publish sensor_msgs/CameraInfo on `camera_info` beside `image`, as camera drivers and camera_replay do; said once");
                }
                None
            }
        };
        if p.metric && intrinsics.is_some() && warned_no_camera_info {
            tracing::info!("camera_info received: detections_3d published from now on");
            warned_no_camera_info = false;
        }
        let stamp = stamp_ns(frame.header.stamp.sec, frame.header.stamp.nanosec);
        let r = {
            let mut m = dets.matcher.lock().expect("matcher lock");
            m.set_limits(p.limits());
            m.push_frame(stamp, Arc::new(Frame { map, intrinsics }))
        };
        dets.settle(r, meaning(&p));
    }
    Ok(())
}
