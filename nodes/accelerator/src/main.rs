//! accelerator: hosts the npu_arbiter coordinator that time-slices the one accelerator
//! between the nodes of the graph (each node is a client over a Unix socket), and publishes
//! what it sees on `accelerator/status` (aihat_msgs/AcceleratorStatus) and `/diagnostics`.
//!
//! Nodes retry until the coordinator is up, so start order does not matter; if this node is
//! restarted, the clients reconnect and re-register without being restarted.
//!
//! Health: each temperature sample feeds the thermal policy (`npu_arbiter::thermal`), whose
//! band limits what the arbiter admits per class (vision at a reduced share when warm,
//! background shed when hot, command never); a rate watchdog per model compares its device
//! throughput with the best it has shown. Both appear in the log and on `/diagnostics`.
//!
//! Hailo preflight (backend hailo, built with `--features hailo`, or `hailo-double` for the test
//! double): before serving clients, the node reads the HailoRT library, PCIe driver and firmware
//! versions and the device id (`hailo::native::versions`), logs them, and shows them in the
//! status message's `device` and as `/diagnostics` values. Library and firmware of another
//! major.minor (`hailo::preflight::check`), or no identifiable device, stop the node with the
//! reason and the fix; a driver of another version is a warning.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use npu_arbiter::thermal::{
    RateWatchdog, Telemetry, ThermalConfig, ThermalPolicy, ThermalState, WatchdogConfig, WatchdogEvent,
};
use npu_arbiter::{Admission, Class, Coordinator, CoordinatorConfig, EngineHandle, StatusSnapshot};
use r2r::aihat_msgs::msg::{AcceleratorStatus, ClientStatus};
use r2r::diagnostic_msgs::msg::{DiagnosticArray, DiagnosticStatus, KeyValue};
use r2r::std_msgs::msg::Header;
use r2r::{QosProfile, RosParams};
use ros_edge::{NodeParams, RosNode, in_range};

#[derive(RosParams, Clone, Debug)]
struct Params {
    /// Unix socket of the coordinator; empty = $AIHAT_NPU_ARBITER_SOCK, else $XDG_RUNTIME_DIR/aihat_npu_arbiter.sock, else /tmp/aihat_npu_arbiter.sock.
    socket_path: String,
    /// A client holding the device longer than this (or 4x its expected cost) loses it, in ms [10, 60000].
    lease_ms: i64,
    /// Status publishing period in seconds [0.1, 60].
    status_period_s: f64,
    /// Backend the nodes run on: cpu or hailo (reported in the status).
    backend: String,
    /// Device temperature source: a sysfs file in millidegrees C (e.g. /sys/class/thermal/thermal_zone0/temp); empty = unknown (no thermal policy). Not used with device_telemetry.
    temperature_file: String,
    /// Read the Hailo-10H's own telemetry through HailoRT (chip temperature, throttling, over-current protection) for the thermal policy; needs the `hailo` build feature and a device.
    device_telemetry: bool,
    /// From this temperature vision and background streams run at a reduced share of their frames, in C [20, 120].
    thermal_reduce_at_c: f64,
    /// Back to full rate only below thermal_reduce_at_c minus this, in C [0.1, 30].
    thermal_reduce_hysteresis_c: f64,
    /// From this temperature background streams are shed (and vision ones with thermal_shed_vision), in C [20, 130]; above thermal_unshed_below_c.
    thermal_shed_at_c: f64,
    /// Shedding ends below this temperature, in C [20, 130]; at least thermal_reduce_at_c.
    thermal_unshed_below_c: f64,
    /// Share of a stream's frames admitted in the reduced band, e.g. 0.5 = every other frame [0.01, 1].
    thermal_reduced_rate_factor: f64,
    /// Also shed vision streams when hot, not only background ones; command streams are never shed.
    thermal_shed_vision: bool,
    /// A band is held at least this long before relaxing to a cooler one, in s [0, 600]; heating acts at once.
    thermal_min_dwell_s: f64,
    /// Rate watchdog: window over which each model's device throughput is measured, in s [1, 600].
    watchdog_window_s: f64,
    /// Rate watchdog: a model is degraded when its throughput falls below this share of the best window seen [0.05, 0.95].
    watchdog_degrade_ratio: f64,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            socket_path: String::new(),
            lease_ms: 2000,
            status_period_s: 1.0,
            backend: "cpu".into(),
            temperature_file: "/sys/class/thermal/thermal_zone0/temp".into(),
            device_telemetry: false,
            thermal_reduce_at_c: 60.0,
            thermal_reduce_hysteresis_c: 3.0,
            thermal_shed_at_c: 80.0,
            thermal_unshed_below_c: 75.0,
            thermal_reduced_rate_factor: 0.5,
            thermal_shed_vision: false,
            thermal_min_dwell_s: 10.0,
            watchdog_window_s: 10.0,
            watchdog_degrade_ratio: 0.6,
        }
    }
}

impl NodeParams for Params {
    fn validate(&self) -> Result<(), (String, String)> {
        in_range("lease_ms", self.lease_ms, 10, 60_000)?;
        in_range("status_period_s", self.status_period_s, 0.1, 60.0)?;
        ros_edge::one_of("backend", &self.backend, &["cpu", "hailo"])?;
        in_range("thermal_reduce_at_c", self.thermal_reduce_at_c, 20.0, 120.0)?;
        in_range("thermal_reduce_hysteresis_c", self.thermal_reduce_hysteresis_c, 0.1, 30.0)?;
        in_range("thermal_shed_at_c", self.thermal_shed_at_c, 20.0, 130.0)?;
        in_range("thermal_unshed_below_c", self.thermal_unshed_below_c, 20.0, 130.0)?;
        in_range("thermal_reduced_rate_factor", self.thermal_reduced_rate_factor, 0.01, 1.0)?;
        in_range("thermal_min_dwell_s", self.thermal_min_dwell_s, 0.0, 600.0)?;
        in_range("watchdog_window_s", self.watchdog_window_s, 1.0, 600.0)?;
        in_range("watchdog_degrade_ratio", self.watchdog_degrade_ratio, 0.05, 0.95)?;
        self.thermal().validate().map_err(|e| ("thermal_shed_at_c".to_string(), e.to_string()))?;
        Ok(())
    }
}

impl Params {
    fn thermal(&self) -> ThermalConfig {
        ThermalConfig {
            reduce_at_c: self.thermal_reduce_at_c as f32,
            reduce_hysteresis_c: self.thermal_reduce_hysteresis_c as f32,
            shed_at_c: self.thermal_shed_at_c as f32,
            unshed_below_c: self.thermal_unshed_below_c as f32,
            reduced_rate_factor: self.thermal_reduced_rate_factor,
            shed_vision: self.thermal_shed_vision,
            min_dwell: Duration::from_secs_f64(self.thermal_min_dwell_s),
        }
    }

    fn watchdog(&self) -> WatchdogConfig {
        // Recovery sits between the degrade ratio and 1 so a model hovering at the threshold
        // does not flap.
        let recover = (self.watchdog_degrade_ratio + 0.2).min((1.0 + self.watchdog_degrade_ratio) / 2.0);
        WatchdogConfig {
            window: Duration::from_secs_f64(self.watchdog_window_s),
            degrade_ratio: self.watchdog_degrade_ratio,
            recover_ratio: recover,
            ..WatchdogConfig::default()
        }
    }
}

fn state_name(s: ThermalState) -> &'static str {
    match s {
        ThermalState::Full => "full",
        ThermalState::Reduced => "reduced",
        ThermalState::Shed => "shed",
    }
}

/// The thermal policy and what the arbiter was last told.
struct Thermal {
    policy: ThermalPolicy,
    /// Admission last applied at the arbiter; `None` = not yet (or it failed: retry).
    applied: Option<[Admission; 2]>,
    celsius: Option<f32>,
}

impl Thermal {
    fn new(cfg: ThermalConfig) -> anyhow::Result<Self> {
        Ok(Self { policy: ThermalPolicy::new(cfg)?, applied: None, celsius: None })
    }

    /// Feeds one sample, logs a change of band and passes the band's limits to the arbiter.
    async fn update(&mut self, sample: Telemetry, engine: &EngineHandle) {
        let celsius = sample.temperature_c;
        self.celsius = celsius;
        let before = self.policy.state();
        let d = self.policy.update(&sample, Instant::now());
        if d.changed {
            let (from, to) = (state_name(before), state_name(d.state));
            let c = self.policy.config();
            if d.state > before {
                tracing::warn!(from, to, celsius = ?celsius, reduce_at_c = c.reduce_at_c, shed_at_c = c.shed_at_c,
                    "thermal: limiting accelerator work");
            } else {
                tracing::info!(from, to, celsius = ?celsius, "thermal: relaxing accelerator limits");
            }
        }
        let want = [self.policy.admission(Class::Vision), self.policy.admission(Class::Background)];
        if self.applied == Some(want) {
            return;
        }
        let mut ok = true;
        for (class, a) in [Class::Vision, Class::Background].into_iter().zip(want) {
            if let Err(e) = engine.set_admission(class, a).await {
                tracing::error!(error = %e, ?class, "cannot apply the thermal limit at the arbiter");
                ok = false;
            }
        }
        self.applied = ok.then_some(want);
    }
}

/// One watchdog per model, fed from the differences between status snapshots.
#[derive(Default)]
struct Watchdogs {
    models: BTreeMap<String, (RateWatchdog, u64, u64)>,
}

impl Watchdogs {
    fn update(&mut self, s: &StatusSnapshot, cfg: &WatchdogConfig, now: Instant) {
        for m in &s.models {
            let entry = self.models.entry(m.name.clone()).or_insert_with(|| (RateWatchdog::new(cfg.clone()), m.runs, m.busy_ns));
            let (wd, runs, busy) = entry;
            let n = m.runs.saturating_sub(*runs);
            let b = m.busy_ns.saturating_sub(*busy);
            (*runs, *busy) = (m.runs, m.busy_ns);
            if n == 0 {
                continue;
            }
            // Only the ratio runs / busy time matters to the verdict, so a burst is recorded as
            // at most 256 equal samples: bounded memory for any completion rate.
            let k = n.min(256);
            let each = Duration::from_nanos(b / k);
            let mut event = None;
            for _ in 0..k {
                event = wd.record(now, each).or(event);
            }
            match event {
                Some(WatchdogEvent::Degraded { capacity_fps, expected_fps }) => tracing::warn!(
                    model = %m.name, capacity_fps, expected_fps,
                    "rate watchdog: model throughput degraded (device slower than it was)"),
                Some(WatchdogEvent::Recovered { capacity_fps, expected_fps }) => tracing::info!(
                    model = %m.name, capacity_fps, expected_fps, "rate watchdog: model throughput recovered"),
                None => {}
            }
        }
    }
}

/// The Hailo-10H's own telemetry (HailoRT's C API through `hailo::device`). HailoRT's control
/// calls block for milliseconds: they run off the runtime that hosts the coordinator.
#[cfg(feature = "hailo")]
struct DeviceTelemetry(std::sync::Arc<std::sync::Mutex<hailo::device::Device>>);

#[cfg(feature = "hailo")]
impl DeviceTelemetry {
    fn open() -> anyhow::Result<Self> {
        use anyhow::Context as _;
        let device = hailo::device::Device::open_first().context("opening the Hailo device for telemetry")?;
        match device.identity() {
            Ok(id) => tracing::info!(device = %id.device_id, board = %id.board_name, firmware = ?id.firmware, "Hailo device telemetry on"),
            Err(e) => tracing::warn!(error = %e, "Hailo device telemetry on; identity unreadable"),
        }
        Ok(Self(std::sync::Arc::new(std::sync::Mutex::new(device))))
    }

    async fn sample(&self) -> Telemetry {
        let device = self.0.clone();
        let t = tokio::task::spawn_blocking(move || device.lock().expect("device lock").telemetry()).await.unwrap_or_default();
        if t.throttling || t.overcurrent {
            tracing::warn!(celsius = ?t.temperature_c, throttling = t.throttling, overcurrent = t.overcurrent, power_w = ?t.power_w,
                "Hailo device protecting itself");
        }
        t
    }
}

/// Without the `hailo` feature there is no device to read: asking for it stops the node.
#[cfg(not(feature = "hailo"))]
struct DeviceTelemetry;

#[cfg(not(feature = "hailo"))]
impl DeviceTelemetry {
    fn open() -> anyhow::Result<Self> {
        anyhow::bail!(
            "device_telemetry needs the Hailo backend: build the accelerator with `--features hailo` (HailoRT 5.x, on a Raspberry Pi 5 with the AI HAT+ 2), or use temperature_file"
        )
    }

    async fn sample(&self) -> Telemetry {
        Telemetry::default()
    }
}

/// What the Hailo preflight found: shown in `accelerator/status` and `/diagnostics`.
struct Preflight {
    values: Vec<(&'static str, String)>,
    /// e.g. `0001:01:00.0 (HailoRT 5.1.1, firmware 5.1.1, driver 5.1.1)`.
    summary: String,
    warnings: Vec<String>,
}

/// Backend hailo: the versions of HailoRT, its driver and the device's firmware, checked before
/// any client is served. Incompatible versions, or no device to identify, are a start error.
#[cfg(any(feature = "hailo", feature = "hailo-double"))]
fn hailo_preflight() -> anyhow::Result<Option<Preflight>> {
    if hailo::NATIVE_LAYER == Some("hailo-double") {
        tracing::warn!("backend hailo runs on the TEST DOUBLE of the Hailo shim: canned versions, no device");
    }
    let v = hailo::native::versions().inspect_err(|e| tracing::error!(error = %e, "Hailo preflight failed: not starting"))?;
    let driver = v.driver.map_or_else(|| "unknown".to_string(), |d| d.to_string());
    tracing::info!(hailort = %v.library, driver = %driver, firmware = %v.firmware, device_id = %v.device_id,
        "Hailo preflight: versions");
    let warnings = hailo::preflight::check(&v)
        .inspect_err(|e| tracing::error!(error = %e, "Hailo preflight: incompatible versions, not starting"))?;
    for w in &warnings {
        tracing::warn!("{w}");
    }
    Ok(Some(Preflight {
        values: v.key_values().into(),
        summary: v.summary(),
        warnings: warnings.iter().map(ToString::to_string).collect(),
    }))
}

/// Without the Hailo features there is nothing to check (the backend is only reported).
#[cfg(not(any(feature = "hailo", feature = "hailo-double")))]
fn hailo_preflight() -> anyhow::Result<Option<Preflight>> {
    Ok(None)
}

fn read_temperature(path: &str) -> Option<f32> {
    let text = std::fs::read_to_string(path).ok()?;
    text.trim().parse::<f32>().ok().map(|milli| milli / 1000.0)
}

fn ms(ns: Option<u64>) -> f32 {
    ns.map(|v| v as f32 / 1e6).unwrap_or(f32::NAN)
}

/// One ClientStatus per (client, stream): a node may run several models.
fn to_msg(s: &StatusSnapshot, header: Header, backend: &str, window_busy: f64, preflight: Option<&Preflight>) -> AcceleratorStatus {
    let mut clients = Vec::new();
    // Clients without streams (e.g. telemetry) never use the device.
    for c in s.clients.iter().filter(|c| !c.streams.is_empty()) {
        let models: Vec<&str> = c.streams.iter().map(|st| st.model.as_str()).collect();
        clients.push(ClientStatus {
            client: c.name.clone(),
            model: models.join(","),
            load: c.load_fraction as f32,
            queue_depth: c.queue_depth,
            completed: c.completed,
            dropped: c.drops.total(),
            deadline_misses: c.deadline_misses,
            wait_p50_ms: ms(c.grant_wait.p50_ns),
            wait_p99_ms: ms(c.grant_wait.p99_ns),
            run_p50_ms: ms(c.run_time.p50_ns),
            run_p99_ms: ms(c.run_time.p99_ns),
        });
    }
    AcceleratorStatus {
        header,
        backend: backend.to_string(),
        // No field of its own for the preflight's versions (a .msg change rebuilds every consumer).
        device: match (backend, preflight) {
            ("cpu", _) => "cpu inference set".into(),
            (_, Some(p)) => format!("hailo-10h {}", p.summary),
            _ => "hailo-10h".into(),
        },
        busy_fraction: window_busy as f32,
        model_switches: s.model_switches,
        temperature_c: s.temperature_c.unwrap_or(f32::NAN),
        clients,
    }
}

fn diagnostics(
    msg: &AcceleratorStatus,
    s: &StatusSnapshot,
    node: &str,
    thermal: Option<&Thermal>,
    watchdogs: &Watchdogs,
    preflight: Option<&Preflight>,
) -> DiagnosticArray {
    let kv = |k: &str, v: String| KeyValue { key: k.into(), value: v };
    let warn = s.drops.lease_expired > 0 || preflight.is_some_and(|p| !p.warnings.is_empty());
    let mut status = vec![DiagnosticStatus {
        level: if warn { DiagnosticStatus::WARN as u8 } else { DiagnosticStatus::OK as u8 },
        name: format!("{node}: accelerator"),
        message: format!("busy {:.0} %, {} clients", msg.busy_fraction * 100.0, msg.clients.len()),
        hardware_id: msg.device.clone(),
        values: vec![
            kv("backend", msg.backend.clone()),
            kv("busy_fraction", format!("{:.3}", msg.busy_fraction)),
            kv("model_switches", s.model_switches.to_string()),
            kv("deadline_misses", s.deadline_misses.to_string()),
            kv("dropped", s.drops.total().to_string()),
            kv("lease_expired", s.drops.lease_expired.to_string()),
            kv("temperature_c", format!("{:.1}", msg.temperature_c)),
            kv("thermal_state", thermal.map_or("off", |t| state_name(t.policy.state())).into()),
        ],
    }];
    if let Some(p) = preflight {
        let values = &mut status[0].values;
        values.extend(p.values.iter().map(|(k, v)| kv(k, v.clone())));
        values.push(kv("hailo_preflight", if p.warnings.is_empty() { "ok".into() } else { p.warnings.join("; ") }));
    }
    if let Some(t) = thermal {
        let state = t.policy.state();
        let celsius = t.celsius.map_or("unknown".to_string(), |c| format!("{c:.1} C"));
        let c = t.policy.config();
        status.push(DiagnosticStatus {
            level: match state {
                ThermalState::Full => DiagnosticStatus::OK as u8,
                ThermalState::Reduced => DiagnosticStatus::WARN as u8,
                ThermalState::Shed => DiagnosticStatus::ERROR as u8,
            },
            name: format!("{node}: thermal"),
            message: format!("{} at {celsius}", state_name(state)),
            hardware_id: msg.device.clone(),
            values: vec![
                kv("state", state_name(state).into()),
                kv("temperature_c", t.celsius.map_or("nan".into(), |c| format!("{c:.1}"))),
                kv("vision", t.policy.admission(Class::Vision).to_string()),
                kv("background", t.policy.admission(Class::Background).to_string()),
                kv("command", t.policy.admission(Class::Command).to_string()),
                kv("thermal_drops", s.drops.thermal.to_string()),
                kv("reduce_at_c", format!("{:.1}", c.reduce_at_c)),
                kv("shed_at_c", format!("{:.1}", c.shed_at_c)),
            ],
        });
    }
    let now = Instant::now();
    for (name, (wd, _, _)) in &watchdogs.models {
        let r = wd.report(now);
        let fps = |v: Option<f64>| v.map_or("unknown".to_string(), |v| format!("{v:.1}"));
        status.push(DiagnosticStatus {
            level: if r.degraded { DiagnosticStatus::WARN as u8 } else { DiagnosticStatus::OK as u8 },
            name: format!("{node}: model {name}"),
            message: if r.degraded {
                format!("throughput degraded: {:.1} of {} inferences per device second", r.capacity_fps, fps(r.expected_fps))
            } else {
                "throughput as expected".into()
            },
            hardware_id: msg.device.clone(),
            values: vec![
                kv("capacity_fps", format!("{:.1}", r.capacity_fps)),
                kv("expected_fps", fps(r.expected_fps)),
                kv("degraded", r.degraded.to_string()),
            ],
        });
    }
    for c in &msg.clients {
        status.push(DiagnosticStatus {
            level: DiagnosticStatus::OK as u8,
            name: format!("{node}: client {}", c.client),
            message: format!("load {:.0} %, {} misses", c.load * 100.0, c.deadline_misses),
            hardware_id: msg.device.clone(),
            values: vec![
                kv("model", c.model.clone()),
                kv("completed", c.completed.to_string()),
                kv("dropped", c.dropped.to_string()),
                kv("dropped_thermal", thermal_drops(s, &c.client).to_string()),
                kv("queue_depth", c.queue_depth.to_string()),
                kv("wait_p99_ms", format!("{:.2}", c.wait_p99_ms)),
                kv("run_p50_ms", format!("{:.2}", c.run_p50_ms)),
                kv("run_p99_ms", format!("{:.2}", c.run_p99_ms)),
            ],
        });
    }
    DiagnosticArray { header: msg.header.clone(), status }
}

fn thermal_drops(s: &StatusSnapshot, client: &str) -> u64 {
    s.clients.iter().filter(|c| c.name == client).map(|c| c.drops.thermal).sum()
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    ros_edge::handle_cli::<Params>()?;
    ros_edge::init_logging();
    let ros = RosNode::<Params>::start("accelerator")?;
    let p = ros.params();
    let mut cfg = CoordinatorConfig::default();
    if !p.socket_path.is_empty() {
        cfg.socket_path = p.socket_path.clone().into();
    }
    cfg.policy.lease_ns = p.lease_ms as u64 * 1_000_000;
    // Before the socket exists: no client is served on a device that cannot work.
    let preflight = if p.backend == "hailo" { hailo_preflight()? } else { None };
    let coordinator = Coordinator::bind(cfg)?;
    tracing::info!(socket = %coordinator.socket_path().display(), backend = %p.backend, "arbiter coordinator up");
    let engine = coordinator.engine();
    // Temperature reaches the policy as a client message; this in-process client carries it.
    let telemetry = npu_arbiter::ArbiterClient::start(npu_arbiter::ClientConfig::new(
        npu_arbiter::Endpoint::InProcess(engine.clone()),
        "accelerator-telemetry",
    ));
    tokio::spawn(async move {
        if let Err(e) = coordinator.run().await {
            tracing::error!(error = %e, "coordinator stopped");
        }
    });

    let (status_pub, diag_pub) = {
        let mut node = ros.node.lock().unwrap();
        (
            node.create_publisher::<AcceleratorStatus>("accelerator/status", QosProfile::default().keep_last(10))?,
            node.create_publisher::<DiagnosticArray>("/diagnostics", QosProfile::default().keep_last(10))?,
        )
    };
    ros.spin();
    let device = if p.device_telemetry { Some(DeviceTelemetry::open()?) } else { None };
    let mut tick = tokio::time::interval(Duration::from_secs_f64(p.status_period_s));
    let mut last: Option<(u64, u64)> = None; // (busy_ns_total, uptime_ns) of the previous snapshot
    let mut thermal: Option<Thermal> = None;
    let mut watchdogs = Watchdogs::default();
    let shutdown = ros_edge::shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            _ = tick.tick() => {}
        }
        let p = ros.params();
        // Set before the snapshot so it carries the current reading.
        if !p.device_telemetry && p.temperature_file.is_empty() {
            if thermal.take().is_some() {
                for class in [Class::Vision, Class::Background] {
                    let _ = engine.set_admission(class, Admission::Full).await;
                }
                tracing::info!("thermal policy off (no temperature_file)");
            }
        } else {
            let sample = match &device {
                Some(d) => d.sample().await,
                None => Telemetry { temperature_c: read_temperature(&p.temperature_file), ..Default::default() },
            };
            if let Some(t) = sample.temperature_c {
                let _ = telemetry.set_temperature(Some(t));
            }
            // Changed thresholds (ros2 param set) restart the policy: it re-enters the band
            // the current reading asks for at once, since heating up is never delayed.
            let cfg = p.thermal();
            if thermal.as_ref().is_none_or(|t| *t.policy.config() != cfg) {
                match Thermal::new(cfg) {
                    Ok(t) => thermal = Some(t),
                    Err(e) => tracing::error!(error = %e, "thermal policy not started"),
                }
            }
            if let Some(t) = thermal.as_mut() {
                t.update(sample, &engine).await;
            }
        }
        let snap = match engine.status().await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "arbiter status unavailable");
                continue;
            }
        };
        // Busy fraction over the last period, not since start: what a dashboard wants.
        let window = match last {
            Some((busy, up)) if snap.uptime_ns > up => {
                (snap.busy_ns_total.saturating_sub(busy)) as f64 / (snap.uptime_ns - up) as f64
            }
            _ => snap.busy_fraction,
        };
        last = Some((snap.busy_ns_total, snap.uptime_ns));
        watchdogs.update(&snap, &p.watchdog(), Instant::now());
        let header = Header { stamp: ros.now(), frame_id: String::new() };
        let mut msg = to_msg(&snap, header, &p.backend, window.clamp(0.0, 1.0), preflight.as_ref());
        // No field of its own in the message (a .msg change rebuilds every consumer): the device
        // description carries the band while it limits work.
        if let Some(state) = thermal.as_ref().map(|t| t.policy.state()).filter(|s| *s != ThermalState::Full) {
            msg.device = format!("{} (thermal: {})", msg.device, state_name(state));
        }
        if let Err(e) = status_pub.publish(&msg) {
            tracing::warn!(error = %e, "publishing accelerator/status failed");
        }
        if let Err(e) = diag_pub.publish(&diagnostics(&msg, &snap, &ros.name, thermal.as_ref(), &watchdogs, preflight.as_ref())) {
            tracing::warn!(error = %e, "publishing /diagnostics failed");
        }
    }
    Ok(())
}
