//! The ROS edge shared by the vision nodes (detection, pose, depth): image subscriptions with
//! latest-frame-wins, decoding with counted bad input, a pinned inference thread, the arbiter
//! grant around each inference, and the small message helpers they all need.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use tracing::Instrument;
use image::RgbImage;
use image_input::{ImageInputError, InputLimits, RawImage};
use npu_arbiter::{ArbiterClient, ArbiterError, Class, ClientConfig, DeviceGrant, Endpoint, JobSpec, StreamHandle, StreamSpec};
use r2r::builtin_interfaces::msg::Time;
use r2r::sensor_msgs::msg::{CameraInfo, CompressedImage, Image};
use r2r::std_msgs::msg::Header;
use tokio::sync::Notify;

pub mod draw;
pub mod input_watch;
pub mod model;
pub mod msg;
mod node;
pub mod params;
pub mod stages;
pub mod tracking;

pub use node::{HasVision, VisionModel, VisionNode};
pub use params::VisionParams;
pub use stages::{FrameClock, StageStats};

/// A received image, not yet decoded: decoding happens on the worker so that a frame that is
/// superseded before its turn costs nothing.
pub enum ImagePayload {
    Raw(Image),
    Compressed(CompressedImage),
}

pub struct ImageFrame {
    pub header: Header,
    pub payload: ImagePayload,
    /// Arrival, and the stages' clock readings as the frame moves on.
    pub clock: FrameClock,
}

impl ImageFrame {
    pub fn decode(&self, limits: &InputLimits) -> Result<RgbImage, ImageInputError> {
        match &self.payload {
            ImagePayload::Raw(m) => image_input::raw_to_rgb(
                &RawImage {
                    encoding: &m.encoding,
                    width: m.width,
                    height: m.height,
                    step: m.step,
                    is_bigendian: m.is_bigendian != 0,
                    data: &m.data,
                },
                limits,
            ),
            ImagePayload::Compressed(m) => image_input::compressed_to_rgb(&m.format, &m.data, limits),
        }
    }
}

/// Short, stable names for bad-input counters and logs.
pub fn bad_input_kind(e: &ImageInputError) -> &'static str {
    match e {
        ImageInputError::UnknownEncoding(_) => "unknown_encoding",
        ImageInputError::Empty { .. } => "empty_image",
        ImageInputError::TooLarge { .. } => "too_large",
        ImageInputError::StepTooSmall { .. } => "step_size_mismatch",
        ImageInputError::Truncated { .. } => "truncated",
        ImageInputError::OddWidthYuv { .. } => "step_size_mismatch",
        ImageInputError::UnsupportedCompressedFormat { .. } => "unknown_encoding",
        ImageInputError::CorruptCompressed { .. } => "corrupt_compressed",
    }
}

/// Latest-frame-wins mailbox between the subscription and the worker: a new frame replaces one
/// that was not taken yet (counted as superseded), so lag never builds up behind a slow model.
pub struct LatestSlot<T> {
    slot: Mutex<Option<T>>,
    notify: Notify,
}

impl<T> Default for LatestSlot<T> {
    fn default() -> Self {
        Self { slot: Mutex::new(None), notify: Notify::new() }
    }
}

impl<T> LatestSlot<T> {
    /// Stores `v`; returns true if it replaced a frame nobody took.
    pub fn put(&self, v: T) -> bool {
        let replaced = self.slot.lock().expect("slot lock").replace(v).is_some();
        self.notify.notify_one();
        replaced
    }

    pub async fn take(&self) -> T {
        loop {
            if let Some(v) = self.slot.lock().expect("slot lock").take() {
                return v;
            }
            self.notify.notified().await;
        }
    }
}

/// What happened to the frames a node received; published in its status and logged.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct FrameCounters {
    pub received: u64,
    pub superseded: u64,
    pub bad_input: BTreeMap<&'static str, u64>,
    /// Frames the arbiter did not grant, by reason (`deadline expired`, `superseded`, or why the
    /// arbiter could not be asked).
    pub arbiter_dropped: BTreeMap<String, u64>,
    pub inference_failed: u64,
    pub disabled: u64,
    pub published: u64,
    /// Frames run without a turn at the arbiter because its coordinator was unreachable.
    pub unarbitrated: u64,
    /// Running without the coordinator now (it went away for longer than `arbiter_fallback_s`).
    pub running_unarbitrated: bool,
    /// The received frames' stamps, for the frames that never arrived (on /diagnostics).
    #[serde(skip)]
    pub stamp_gaps: input_watch::StampGaps,
}

pub type SharedCounters = Arc<Mutex<FrameCounters>>;

/// Subscribes `image` (sensor_msgs/Image) and `image/compressed` (sensor_msgs/CompressedImage,
/// as image_transport names it) and feeds both into `slot`.
pub fn subscribe_images(
    node: &mut r2r::Node,
    qos: r2r::QosProfile,
    slot: Arc<LatestSlot<ImageFrame>>,
    counters: SharedCounters,
) -> anyhow::Result<()> {
    let raw = node.subscribe::<Image>("image", qos.clone())?;
    let compressed = node.subscribe::<CompressedImage>("image/compressed", qos)?;
    let raw = raw.map(|m| ImageFrame { clock: FrameClock::arrived(&m.header.stamp), header: m.header.clone(), payload: ImagePayload::Raw(m) });
    let compressed = compressed.map(|m| ImageFrame {
        clock: FrameClock::arrived(&m.header.stamp),
        header: m.header.clone(),
        payload: ImagePayload::Compressed(m),
    });
    let mut frames = futures::stream::select(raw, compressed);
    tokio::spawn(async move {
        while let Some(frame) = frames.next().await {
            let stamp = frame.header.stamp.clone();
            let superseded = slot.put(frame);
            let mut c = counters.lock().expect("counters lock");
            c.received += 1;
            c.stamp_gaps.push(&stamp);
            if superseded {
                c.superseded += 1;
            }
        }
    });
    Ok(())
}

/// The recent `camera_info` messages, so a frame gets the intrinsics published with it (same
/// stamp) or, from a driver that stamps them apart, the latest.
#[derive(Default)]
pub struct CameraInfoCache {
    recent: VecDeque<CameraInfo>,
}

impl CameraInfoCache {
    /// Enough for the frames a slow model lets pile up at a fast camera's rate.
    const KEEP: usize = 32;

    pub fn push(&mut self, info: CameraInfo) {
        if self.recent.len() == Self::KEEP {
            self.recent.pop_front();
        }
        self.recent.push_back(info);
    }

    /// The camera_info stamped `stamp`, else the latest; `None` before the first one.
    pub fn for_stamp(&self, stamp: &Time) -> Option<&CameraInfo> {
        self.recent.iter().rev().find(|c| c.header.stamp == *stamp).or_else(|| self.recent.back())
    }
}

/// Subscribes `camera_info` (sensor_msgs/CameraInfo, next to `image` as image_transport and
/// camera drivers name it) into `cache`.
pub fn subscribe_camera_info(node: &mut r2r::Node, qos: r2r::QosProfile, cache: Arc<Mutex<CameraInfoCache>>) -> anyhow::Result<()> {
    let mut infos = node.subscribe::<CameraInfo>("camera_info", qos)?;
    tokio::spawn(async move {
        while let Some(info) = infos.next().await {
            cache.lock().expect("camera_info lock").push(info);
        }
    });
    Ok(())
}

/// Runs a model on one dedicated OS thread pinned to the inference CPU set (threads the runtime
/// starts from it inherit the pinning), so the cores reserved for control stay free.
pub struct InferenceThread<M> {
    tx: std::sync::mpsc::Sender<Box<dyn FnOnce(&mut M) + Send>>,
}

impl<M: 'static> InferenceThread<M> {
    /// Starts the thread, pins it to `cpus` (if any) and loads the model on it.
    pub fn spawn<L>(name: &str, cpus: Vec<usize>, load: L) -> anyhow::Result<Self>
    where
        L: FnOnce() -> anyhow::Result<M> + Send + 'static,
    {
        let (tx, rx) = std::sync::mpsc::channel::<Box<dyn FnOnce(&mut M) + Send>>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        std::thread::Builder::new().name(name.into()).spawn(move || {
            if !cpus.is_empty() {
                if let Err(e) = npu_arbiter::cpuset::pin_current_thread(&cpus) {
                    tracing::warn!(error = %e, ?cpus, "could not pin the inference thread");
                }
            }
            let mut model = match load() {
                Ok(m) => {
                    let _ = ready_tx.send(Ok(()));
                    m
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    return;
                }
            };
            while let Ok(job) = rx.recv() {
                job(&mut model);
            }
        })?;
        ready_rx.recv().map_err(|_| anyhow::anyhow!("the inference thread died while loading"))??;
        Ok(Self { tx })
    }

    /// Runs `f` with the model on the inference thread.
    pub async fn call<R: Send + 'static>(&self, f: impl FnOnce(&mut M) -> R + Send + 'static) -> anyhow::Result<R> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.tx
            .send(Box::new(move |m: &mut M| {
                let _ = tx.send(f(m));
            }))
            .map_err(|_| anyhow::anyhow!("the inference thread has stopped"))?;
        rx.await.map_err(|_| anyhow::anyhow!("the inference thread dropped the job"))
    }
}

/// The inference CPU set: every allowed core but the last `reserved` ones, which are left to
/// motor control and the rest of the robot; and the thread count that follows from it.
pub fn inference_cpus(reserved: usize, threads_override: usize) -> (Vec<usize>, usize) {
    match npu_arbiter::cpuset::plan_from_system(reserved) {
        Ok(plan) => {
            let threads = if threads_override > 0 { threads_override } else { plan.inference_threads() };
            (plan.inference_cpus.clone(), threads)
        }
        Err(e) => {
            tracing::warn!(error = %e, reserved, "cannot reserve cores; inference runs on every core");
            (Vec::new(), threads_override.max(1))
        }
    }
}

/// This node's stream at the arbiter, or none when arbitration is off.
pub struct Arbitration {
    client: Option<(ArbiterClient, StreamHandle)>,
    period: Duration,
    /// Smoothed measured run time of this node's model.
    cost: Mutex<Duration>,
    /// After this long without the coordinator, frames run unarbitrated.
    fallback_after: Duration,
    /// Since when the coordinator has been unreachable.
    lost_since: Mutex<Option<Instant>>,
    counters: SharedCounters,
}

/// What to do with a frame while the coordinator is away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outage {
    /// The coordinator is there: ask it.
    Ask,
    /// Gone for less than the fallback time: skip the frame (it may be a restart).
    Wait,
    /// Gone for longer: run the frame without a turn.
    Unarbitrated,
}

/// The outage rule: `lost_since` = when the coordinator was last found gone (None = connected).
pub fn outage(lost_since: Option<Instant>, now: Instant, fallback_after: Duration) -> Outage {
    match lost_since {
        None => Outage::Ask,
        Some(t) if now.saturating_duration_since(t) < fallback_after => Outage::Wait,
        Some(_) => Outage::Unarbitrated,
    }
}

impl Arbitration {
    /// Registers a periodic vision stream (newest frame wins). `socket` empty = the
    /// coordinator's default path; `expected_cost` = a measured warm-up run.
    #[allow(clippy::too_many_arguments)]
    pub async fn vision(
        enabled: bool,
        socket: &str,
        client_name: &str,
        model: &str,
        rate_hz: f64,
        expected_cost: Duration,
        fallback_after: Duration,
        counters: SharedCounters,
    ) -> anyhow::Result<Self> {
        let period = Duration::from_secs_f64(1.0 / rate_hz);
        let cost = Mutex::new(expected_cost);
        let lost_since = Mutex::new(None);
        if !enabled {
            tracing::warn!("arbiter disabled: inference runs whenever a frame arrives");
            return Ok(Self { client: None, period, cost, fallback_after, lost_since, counters });
        }
        let path = if socket.is_empty() { npu_arbiter::default_socket_path() } else { socket.into() };
        let client = ArbiterClient::start(ClientConfig::new(Endpoint::Unix(path.clone()), client_name));
        let spec = StreamSpec::periodic(
            &format!("{client_name}/image"),
            model,
            Class::Vision,
            period.as_nanos() as u64,
            expected_cost.as_nanos() as u64,
        );
        tracing::info!(socket = %path.display(), "registering with the accelerator arbiter");
        let stream = client.register_stream(spec).await?;
        Ok(Self { client: Some((client, stream)), period, cost, fallback_after, lost_since, counters })
    }

    /// Notes whether the coordinator is there, logs the changes, and says what to do now.
    fn outage_now(&self, connected: bool) -> Outage {
        let now = Instant::now();
        let mut lost = self.lost_since.lock().expect("lost lock");
        if connected {
            if lost.take().is_some() {
                let was = std::mem::replace(&mut self.counters.lock().expect("counters lock").running_unarbitrated, false);
                if was {
                    tracing::warn!("the accelerator arbiter is back: frames take turns again");
                }
            }
            return Outage::Ask;
        }
        let since = *lost.get_or_insert(now);
        let o = outage(Some(since), now, self.fallback_after);
        if o == Outage::Unarbitrated {
            let mut c = self.counters.lock().expect("counters lock");
            c.unarbitrated += 1;
            if !std::mem::replace(&mut c.running_unarbitrated, true) {
                tracing::warn!(
                    unreachable_s = now.saturating_duration_since(since).as_secs_f64(),
                    "the accelerator arbiter is unreachable: running UNARBITRATED (frames run without a turn) until it is back; counted as `unarbitrated`"
                );
            }
        }
        o
    }

    /// Waits for the device. `Ok(None)` = arbitration off; `Err` = the arbiter dropped the
    /// frame (stale, superseded) or is unreachable: skip this frame.
    ///
    /// The deadline is one camera period, or two run times where the model is slower than the
    /// camera (CPU backend): then the newest frame is still worth running, the older ones are
    /// already superseded in the node's latest-frame slot.
    ///
    /// A coordinator that went away (the accelerator node crashed or restarts) is not waited for:
    /// frames are skipped for `fallback_after`, then run without a turn until it is back (the
    /// client reconnects and re-registers by itself).
    pub async fn acquire(&self) -> anyhow::Result<Option<DeviceGrant>> {
        let Some((client, stream)) = &self.client else { return Ok(None) };
        match self.outage_now(client.is_connected()) {
            Outage::Ask => {}
            Outage::Wait => anyhow::bail!(ArbiterError::Disconnected),
            Outage::Unarbitrated => return Ok(None),
        }
        let cost = *self.cost.lock().expect("cost lock");
        let deadline = npu_arbiter::monotonic_ns() + self.period.max(cost * 2).as_nanos() as u64;
        let job = JobSpec { deadline_ns: Some(deadline), next_step_cost_ns: Some(cost.as_nanos() as u64), ..Default::default() };
        let granted = async { client.submit(stream, job).await?.wait_grant().await };
        match granted.await {
            Ok(g) => Ok(Some(g)),
            Err(e @ (ArbiterError::Disconnected | ArbiterError::Timeout)) => {
                self.outage_now(false);
                Err(e.into())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Gives the device back with the measured run time (the arbiter learns the model's cost).
    pub async fn release(&self, grant: Option<DeviceGrant>, measured: Duration) {
        {
            let mut c = self.cost.lock().expect("cost lock");
            *c = (*c * 4 + measured) / 5;
        }
        if let Some(g) = grant {
            if let Err(e) = g.finish(measured).await {
                tracing::debug!(error = %e, "arbiter completion not delivered");
            }
        }
    }
}

/// How a vision node takes its input; the same for every vision node.
pub struct InputConfig {
    pub qos: r2r::QosProfile,
    pub limits: InputLimits,
    pub use_arbiter: bool,
    pub arbiter_socket: String,
    pub arbiter_fallback: Duration,
    pub expected_rate_hz: f64,
    pub log_period: Duration,
}

/// A decoded frame that holds the device: run the model on it with [`FrameLoop::infer`].
pub struct GrantedFrame {
    pub frame: Decoded,
    grant: Option<DeviceGrant>,
}

/// A decoded input image with its source header.
pub struct Decoded {
    pub header: Header,
    pub clock: FrameClock,
    /// Frame number in this node (for logs).
    pub n: u64,
    pub rgb: RgbImage,
    /// The camera_info of this image (same stamp) or the latest one; `None` if none came.
    pub camera_info: Option<CameraInfo>,
}

/// The loop every vision node runs: newest frame -> decode (bad input counted and logged) ->
/// arbiter grant -> the node's model on its pinned thread -> grant back with the measured time.
/// The node only adds its model call and its messages.
pub struct FrameLoop {
    name: String,
    slot: Arc<LatestSlot<ImageFrame>>,
    pub counters: SharedCounters,
    camera_info: Arc<Mutex<CameraInfoCache>>,
    limits: InputLimits,
    arbiter: Arbitration,
    frame_no: u64,
    stages: Arc<Mutex<StageStats>>,
    shutdown: std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>,
}

impl FrameLoop {
    /// Subscribes `image` and `image/compressed` on `node`, registers the node's stream at the
    /// arbiter with the measured `warmup` cost, and starts the periodic counter log.
    pub async fn start(
        node: &ros_edge::SharedNode,
        name: &str,
        model_name: &str,
        input: InputConfig,
        warmup: Duration,
    ) -> anyhow::Result<Self> {
        let counters: SharedCounters = Arc::default();
        let slot = Arc::new(LatestSlot::<ImageFrame>::default());
        let camera_info = Arc::new(Mutex::new(CameraInfoCache::default()));
        {
            let mut node = node.lock().expect("node lock");
            subscribe_camera_info(&mut node, input.qos.clone(), camera_info.clone())?;
            subscribe_images(&mut node, input.qos.clone(), slot.clone(), counters.clone())?;
        }
        // A camera at the expected rate that sends nothing for 10 periods (at least 5 s) has stalled.
        let stall_after = Duration::from_secs_f64((10.0 / input.expected_rate_hz).max(5.0));
        input_watch::spawn(node.clone(), name.to_string(), input.qos, counters.clone(), stall_after)?;
        let stages: Arc<Mutex<StageStats>> = Arc::default();
        spawn_counter_log(name.to_string(), counters.clone(), stages.clone(), input.log_period);
        let arbiter = Arbitration::vision(
            input.use_arbiter,
            &input.arbiter_socket,
            name,
            model_name,
            input.expected_rate_hz,
            warmup,
            input.arbiter_fallback,
            counters.clone(),
        )
        .await?;
        let shutdown = Box::pin(ros_edge::shutdown_signal());
        Ok(Self { name: name.into(), slot, counters, camera_info, limits: input.limits, arbiter, frame_no: 0, stages, shutdown })
    }

    /// The next frame worth running, decoded and holding the device; `None` at shutdown.
    /// Frames skipped on the way (disabled, bad input, not granted) are counted and logged.
    pub async fn next(&mut self, enabled: impl Fn() -> bool) -> Option<GrantedFrame> {
        loop {
            let mut frame = tokio::select! {
                _ = &mut self.shutdown => return None,
                f = self.slot.take() => f,
            };
            frame.clock.taken = Some(Instant::now());
            self.frame_no += 1;
            if !enabled() {
                self.counters.lock().expect("counters lock").disabled += 1;
                continue;
            }
            let rgb = match tracing::debug_span!("decode", node = %self.name).in_scope(|| frame.decode(&self.limits)) {
                Ok(img) => img,
                Err(e) => {
                    *self.counters.lock().expect("counters lock").bad_input.entry(bad_input_kind(&e)).or_default() += 1;
                    tracing::warn!(node = %self.name, reason = %e, frame_id = %frame.header.frame_id, "bad input image skipped");
                    continue;
                }
            };
            frame.clock.decoded = Some(Instant::now());
            let grant = match self.arbiter.acquire().instrument(tracing::debug_span!("arbiter_wait", node = %self.name)).await {
                Ok(g) => g,
                Err(e) => {
                    // A dropped frame is routine under contention (debug); an arbiter that cannot
                    // be asked is not.
                    let reason = match e.downcast_ref::<ArbiterError>() {
                        Some(ArbiterError::Dropped(r)) => {
                            tracing::debug!(node = %self.name, reason = %r, frame_id = %frame.header.frame_id, "frame not granted");
                            r.to_string()
                        }
                        Some(ArbiterError::Rejected(r)) => {
                            tracing::warn!(node = %self.name, reason = %r, frame_id = %frame.header.frame_id, "frame refused by the arbiter");
                            "rejected".to_string()
                        }
                        _ => {
                            tracing::warn!(node = %self.name, error = %e, frame_id = %frame.header.frame_id, "frame skipped: arbiter not reachable");
                            "arbiter unreachable".to_string()
                        }
                    };
                    *self.counters.lock().expect("counters lock").arbiter_dropped.entry(reason).or_default() += 1;
                    continue;
                }
            };
            let camera_info = self.camera_info.lock().expect("camera_info lock").for_stamp(&frame.header.stamp).cloned();
            frame.clock.granted = Some(Instant::now());
            let frame = Decoded { header: frame.header, clock: frame.clock, n: self.frame_no, rgb, camera_info };
            return Some(GrantedFrame { frame, grant });
        }
    }

    /// Runs `f` on the model thread with the granted frame, gives the device back with the
    /// measured time, and returns the result with the frame (for drawing). `None` = inference
    /// failed (counted and logged); `Err` = the model thread is gone.
    pub async fn infer<M, T, E>(
        &self,
        model: &InferenceThread<M>,
        granted: GrantedFrame,
        f: impl FnOnce(&mut M, &RgbImage) -> Result<T, E> + Send + 'static,
    ) -> anyhow::Result<Option<(T, Decoded)>>
    where
        M: 'static,
        T: Send + 'static,
        E: std::fmt::Display + Send + 'static,
    {
        let GrantedFrame { frame, grant } = granted;
        // A span per frame around the model call only: held across the loop's awaits it would
        // tag other tasks' events.
        let span = tracing::info_span!("frame", node = %self.name, n = frame.n, frame_id = %frame.header.frame_id);
        let started = Instant::now();
        let (result, mut frame) = model.call(move |m| span.in_scope(|| (f(m, &frame.rgb), frame))).await?;
        frame.clock.inferred = Some(Instant::now());
        self.arbiter.release(grant, started.elapsed()).await;
        match result {
            Ok(v) => Ok(Some((v, frame))),
            Err(e) => {
                self.counters.lock().expect("counters lock").inference_failed += 1;
                tracing::error!(node = %self.name, error = %e, "inference failed");
                Ok(None)
            }
        }
    }

    /// Counts a published result, adds its stages to the node's figures and logs its latency at
    /// debug level.
    pub fn published(&self, frame: &Decoded, what: usize) {
        self.published_as(frame, what, None);
    }

    /// [`Self::published`] with the model's own run time in the log line, so that the node's
    /// overhead over its runtime can be measured per frame (bench/vision_latency.py).
    pub fn published_timed(&self, frame: &Decoded, what: usize, inference: Duration) {
        self.published_as(frame, what, Some(inference));
    }

    fn published_as(&self, frame: &Decoded, what: usize, inference: Option<Duration>) {
        let now = Instant::now();
        self.counters.lock().expect("counters lock").published += 1;
        let stages = frame.clock.stages_ms(now);
        self.stages.lock().expect("stages lock").push(stages);
        let latency_ms = now.saturating_duration_since(frame.clock.received).as_secs_f64() * 1e3;
        match inference {
            Some(i) => tracing::debug!(node = %self.name, n = frame.n, results = what, latency_ms,
                infer_ms = i.as_secs_f64() * 1e3, age_ms = ?stages[6], "published"),
            None => tracing::debug!(node = %self.name, n = frame.n, results = what, latency_ms, age_ms = ?stages[6], "published"),
        }
    }
}

/// QoS of the drawn images (`detections/image`, `poses/image`, `depth/image`): reliable, keep last
/// 1. A reliable writer serves best-effort viewers (rviz, rqt_image_view) as well as reliable
/// recorders; as best effort, a multi-megabyte frame is lost whenever one fragment is.
pub fn annotated_qos() -> r2r::QosProfile {
    r2r::QosProfile::default().keep_last(1)
}

/// sensor_msgs/Image (rgb8) from an RGB image, with the source header.
pub fn to_image_msg(img: RgbImage, header: Header) -> Image {
    let (width, height) = img.dimensions();
    Image { header, height, width, encoding: "rgb8".into(), is_bigendian: 0, step: width * 3, data: img.into_raw() }
}

/// Logs a summary of the counters, and of the published frames' stages (p50/p99 ms over the last
/// 600, see [`stages`]), every `period`, and keeps it cheap between.
pub fn spawn_counter_log(name: String, counters: SharedCounters, stages: Arc<Mutex<StageStats>>, period: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.tick().await;
        loop {
            tick.tick().await;
            let c = counters.lock().expect("counters lock").clone();
            tracing::info!(node = %name, received = c.received, published = c.published, superseded = c.superseded,
                bad_input = ?c.bad_input, arbiter_dropped = ?c.arbiter_dropped, failed = c.inference_failed, "frames");
            let (window, _) = stages.lock().expect("stages lock").counts();
            if window > 0 {
                let summary = stages.lock().expect("stages lock").summary();
                tracing::info!(node = %name, window, "stages p50/p99 ms: {summary}");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn latest_slot_keeps_only_the_newest_frame() {
        let slot = LatestSlot::default();
        assert!(!slot.put(1));
        assert!(slot.put(2));
        assert!(slot.put(3));
        assert_eq!(slot.take().await, 3);
        let slot = Arc::new(slot);
        let s2 = slot.clone();
        let waiter = tokio::spawn(async move { s2.take().await });
        tokio::task::yield_now().await;
        assert!(!slot.put(4));
        assert_eq!(waiter.await.unwrap(), 4);
    }

    #[tokio::test]
    async fn inference_thread_runs_calls_in_order_and_reports_load_errors() {
        let t = InferenceThread::spawn("t", vec![], || Ok(Vec::<u32>::new())).unwrap();
        for i in 0..3 {
            t.call(move |v: &mut Vec<u32>| v.push(i)).await.unwrap();
        }
        assert_eq!(t.call(|v: &mut Vec<u32>| v.clone()).await.unwrap(), vec![0, 1, 2]);
        let err = InferenceThread::<u8>::spawn("t", vec![], || anyhow::bail!("no model")).err().unwrap();
        assert!(err.to_string().contains("no model"));
    }

    #[test]
    fn a_lost_coordinator_is_waited_for_briefly_then_frames_run_unarbitrated() {
        let t0 = Instant::now();
        let f = Duration::from_secs(1);
        assert_eq!(outage(None, t0, f), Outage::Ask);
        assert_eq!(outage(Some(t0), t0 + Duration::from_millis(999), f), Outage::Wait);
        assert_eq!(outage(Some(t0), t0 + f, f), Outage::Unarbitrated);
    }

    #[test]
    fn camera_info_of_the_same_stamp_wins_else_the_latest() {
        let info = |sec: i32, w: u32| CameraInfo { header: Header { stamp: Time { sec, nanosec: 0 }, ..Default::default() }, width: w, ..Default::default() };
        let mut c = CameraInfoCache::default();
        assert!(c.for_stamp(&Time { sec: 1, nanosec: 0 }).is_none());
        for sec in 0..40 {
            c.push(info(sec, 100 + sec as u32));
        }
        assert_eq!(c.for_stamp(&Time { sec: 20, nanosec: 0 }).unwrap().width, 120);
        assert_eq!(c.for_stamp(&Time { sec: 99, nanosec: 0 }).unwrap().width, 139);
        // Only the last KEEP are kept.
        assert_eq!(c.for_stamp(&Time { sec: 3, nanosec: 0 }).unwrap().width, 139);
    }

    #[test]
    fn decode_errors_have_counter_names() {
        let frame = ImageFrame {
            header: Header::default(),
            payload: ImagePayload::Raw(Image { encoding: "yuv999".into(), width: 2, height: 2, step: 6, data: vec![0; 12], ..Default::default() }),
            clock: FrameClock::arrived(&Time::default()),
        };
        let e = frame.decode(&InputLimits::default()).unwrap_err();
        assert_eq!(bad_input_kind(&e), "unknown_encoding");
    }
}
