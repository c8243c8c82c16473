//! accelerator: hosts the npu_arbiter coordinator that time-slices the one accelerator
//! between the nodes of the graph (each node is a client over a Unix socket), and publishes
//! what it sees on `accelerator/status` (aihat_msgs/AcceleratorStatus) and `/diagnostics`.
//!
//! Nodes retry until the coordinator is up, so start order does not matter; if this node is
//! restarted, the clients reconnect and re-register without being restarted.

use std::time::Duration;

use npu_arbiter::{Coordinator, CoordinatorConfig, StatusSnapshot};
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
    /// Device temperature source: a sysfs file in millidegrees C (e.g. /sys/class/thermal/thermal_zone0/temp); empty = unknown.
    temperature_file: String,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            socket_path: String::new(),
            lease_ms: 2000,
            status_period_s: 1.0,
            backend: "cpu".into(),
            temperature_file: "/sys/class/thermal/thermal_zone0/temp".into(),
        }
    }
}

impl NodeParams for Params {
    fn validate(&self) -> Result<(), (String, String)> {
        in_range("lease_ms", self.lease_ms, 10, 60_000)?;
        in_range("status_period_s", self.status_period_s, 0.1, 60.0)?;
        ros_edge::one_of("backend", &self.backend, &["cpu", "hailo"])?;
        Ok(())
    }
}

fn read_temperature(path: &str) -> Option<f32> {
    let text = std::fs::read_to_string(path).ok()?;
    text.trim().parse::<f32>().ok().map(|milli| milli / 1000.0)
}

fn ms(ns: Option<u64>) -> f32 {
    ns.map(|v| v as f32 / 1e6).unwrap_or(f32::NAN)
}

/// One ClientStatus per (client, stream): a node may run several models.
fn to_msg(s: &StatusSnapshot, header: Header, backend: &str, window_busy: f64) -> AcceleratorStatus {
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
        device: if backend == "cpu" { "cpu inference set".into() } else { "hailo-10h".into() },
        busy_fraction: window_busy as f32,
        model_switches: s.model_switches,
        temperature_c: s.temperature_c.unwrap_or(f32::NAN),
        clients,
    }
}

fn diagnostics(msg: &AcceleratorStatus, s: &StatusSnapshot, node: &str) -> DiagnosticArray {
    let kv = |k: &str, v: String| KeyValue { key: k.into(), value: v };
    let mut status = vec![DiagnosticStatus {
        level: if s.drops.lease_expired > 0 { DiagnosticStatus::WARN as u8 } else { DiagnosticStatus::OK as u8 },
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
        ],
    }];
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
                kv("queue_depth", c.queue_depth.to_string()),
                kv("wait_p99_ms", format!("{:.2}", c.wait_p99_ms)),
                kv("run_p50_ms", format!("{:.2}", c.run_p50_ms)),
                kv("run_p99_ms", format!("{:.2}", c.run_p99_ms)),
            ],
        });
    }
    DiagnosticArray { header: msg.header.clone(), status }
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
    let coordinator = Coordinator::bind(cfg)?;
    tracing::info!(socket = %coordinator.socket_path().display(), backend = %p.backend, "arbiter coordinator up");
    let engine = coordinator.engine();
    // Temperature reaches the policy as a client message; this in-process client carries it.
    let thermal = npu_arbiter::ArbiterClient::start(npu_arbiter::ClientConfig::new(
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
    let mut tick = tokio::time::interval(Duration::from_secs_f64(p.status_period_s));
    let mut last: Option<(u64, u64)> = None; // (busy_ns_total, uptime_ns) of the previous snapshot
    let shutdown = ros_edge::shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            _ = tick.tick() => {}
        }
        let p = ros.params();
        // Set before the snapshot so it carries the current reading.
        if !p.temperature_file.is_empty() {
            if let Some(t) = read_temperature(&p.temperature_file) {
                let _ = thermal.set_temperature(Some(t));
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
        let header = Header { stamp: ros.now(), frame_id: String::new() };
        let msg = to_msg(&snap, header, &p.backend, window.clamp(0.0, 1.0));
        if let Err(e) = status_pub.publish(&msg) {
            tracing::warn!(error = %e, "publishing accelerator/status failed");
        }
        if let Err(e) = diag_pub.publish(&diagnostics(&msg, &snap, &ros.name)) {
            tracing::warn!(error = %e, "publishing /diagnostics failed");
        }
    }
    Ok(())
}
