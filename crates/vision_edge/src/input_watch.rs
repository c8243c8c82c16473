//! The most common "no detections" cause is a QoS mismatch between the camera and the node, which
//! DDS reports to nobody: a reliable subscription never matches a best-effort publisher. The watch
//! asks the ROS graph for the image topic's publishers, warns once per publisher that cannot
//! reach the node (naming the fix), warns when publishers exist but no frame arrives, and reports
//! its finding on /diagnostics every second.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use r2r::diagnostic_msgs::msg::{DiagnosticArray, DiagnosticStatus, KeyValue};
use r2r::qos::{DurabilityPolicy, ReliabilityPolicy};
use r2r::QosProfile;

use crate::SharedCounters;

/// Why a subscription with QoS `ours` never receives from a publisher with QoS `theirs` (DDS's
/// request-offered rules for reliability and durability), with the parameter change that fixes
/// it; `None` when they match.
pub fn incompatibility(theirs: &QosProfile, ours: &QosProfile) -> Option<String> {
    if theirs.reliability == ReliabilityPolicy::BestEffort && ours.reliability == ReliabilityPolicy::Reliable {
        return Some("the publisher is best effort and this subscription is reliable: set qos:=sensor_data (or qos:=best_effort)".into());
    }
    if theirs.durability == DurabilityPolicy::Volatile && ours.durability == DurabilityPolicy::TransientLocal {
        return Some("the publisher is volatile and this subscription is transient local: use a volatile subscription (qos:=sensor_data or qos:=reliable)".into());
    }
    None
}

/// One publisher of the watched topic, as the graph reports it.
#[derive(Debug, Clone)]
pub struct Publisher {
    pub node: String,
    pub qos: QosProfile,
}

/// What the watch concluded at one check.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// DiagnosticStatus level (OK, WARN).
    pub level: u8,
    pub message: String,
    /// Lines to log now (each problem once, not at every check).
    pub log: Vec<String>,
}

/// The watch's memory between checks.
#[derive(Debug)]
pub struct InputWatch {
    topic: String,
    ours: QosProfile,
    /// No frame for this long, with a publisher that can reach the node, is a stall.
    stall_after: Duration,
    warned: BTreeSet<String>,
    last_received: u64,
    last_frame: Instant,
    stalled: bool,
}

impl InputWatch {
    pub fn new(topic: &str, ours: QosProfile, stall_after: Duration, now: Instant) -> Self {
        Self { topic: topic.into(), ours, stall_after, warned: BTreeSet::new(), last_received: 0, last_frame: now, stalled: false }
    }

    pub fn check(&mut self, now: Instant, publishers: &[Publisher], received: u64) -> Finding {
        let mut log = Vec::new();
        if received != self.last_received {
            self.last_received = received;
            self.last_frame = now;
            if std::mem::replace(&mut self.stalled, false) {
                log.push(format!("frames arrive again on {}", self.topic));
            }
        }
        let mut bad = Vec::new();
        for p in publishers {
            if let Some(fix) = incompatibility(&p.qos, &self.ours) {
                if self.warned.insert(p.node.clone()) {
                    log.push(format!("image publisher `{}` on {} cannot reach this node: {fix}", p.node, self.topic));
                }
                bad.push(format!("`{}`: {fix}", p.node));
            }
        }
        let reachable = publishers.len() - bad.len();
        let quiet = now.saturating_duration_since(self.last_frame);
        if !bad.is_empty() {
            let message = format!("QoS mismatch on {}: {}", self.topic, bad.join("; "));
            return Finding { level: DiagnosticStatus::WARN as u8, message, log };
        }
        if reachable > 0 && quiet >= self.stall_after {
            if !std::mem::replace(&mut self.stalled, true) {
                log.push(format!(
                    "{reachable} publisher(s) on {} but no frame for {:.0} s: is the camera streaming (or its frames too large for the transport)?",
                    self.topic,
                    quiet.as_secs_f64()
                ));
            }
            let message = format!("no frame for {:.0} s from {reachable} publisher(s) on {}", quiet.as_secs_f64(), self.topic);
            return Finding { level: DiagnosticStatus::WARN as u8, message, log };
        }
        let message = if publishers.is_empty() {
            format!("no publisher on {} yet", self.topic)
        } else {
            format!("{reachable} publisher(s) on {}, receiving", self.topic)
        };
        Finding { level: DiagnosticStatus::OK as u8, message, log }
    }
}

/// Checks the node's image input every second: logs what [`InputWatch`] finds and publishes it,
/// with the frame counters, on /diagnostics.
pub fn spawn(node: ros_edge::SharedNode, name: String, ours: QosProfile, counters: SharedCounters, stall_after: Duration) -> anyhow::Result<()> {
    let (topic, diag) = {
        let mut n = node.lock().expect("node lock");
        let args: Vec<String> = std::env::args().collect();
        let topic = ros_edge::resolve_topic("image", &n.name()?, &n.namespace()?, &args);
        (topic, n.create_publisher::<DiagnosticArray>("/diagnostics", QosProfile::default().keep_last(10))?)
    };
    tokio::spawn(async move {
        let mut watch = InputWatch::new(&topic, ours, stall_after, Instant::now());
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            let publishers = match node.lock().expect("node lock").get_publishers_info_by_topic(&topic, false) {
                Ok(v) => v.into_iter().map(|p| Publisher { node: format!("{}/{}", p.node_namespace.trim_end_matches('/'), p.node_name), qos: p.qos_profile }).collect(),
                Err(e) => {
                    tracing::debug!(error = %e, %topic, "publishers of the image topic not known");
                    Vec::new()
                }
            };
            let c = counters.lock().expect("counters lock").clone();
            let mut f = watch.check(Instant::now(), &publishers, c.received);
            if c.running_unarbitrated {
                f.level = f.level.max(DiagnosticStatus::WARN as u8);
                f.message = format!("running unarbitrated (the accelerator arbiter is unreachable); {}", f.message);
            }
            for line in &f.log {
                if f.level == DiagnosticStatus::OK as u8 {
                    tracing::info!(node = %name, "{line}");
                } else {
                    tracing::warn!(node = %name, "{line}");
                }
            }
            let kv = |k: &str, v: String| KeyValue { key: k.into(), value: v };
            let status = DiagnosticStatus {
                level: f.level,
                name: format!("{name}: image input"),
                message: f.message,
                hardware_id: String::new(),
                values: vec![
                    kv("topic", topic.clone()),
                    kv("publishers", publishers.len().to_string()),
                    kv("received", c.received.to_string()),
                    kv("published", c.published.to_string()),
                    kv("superseded", c.superseded.to_string()),
                    kv("bad_input", format!("{:?}", c.bad_input)),
                    kv("arbiter_dropped", format!("{:?}", c.arbiter_dropped)),
                    kv("arbiter", if c.running_unarbitrated { "running unarbitrated" } else { "ok" }.into()),
                    kv("unarbitrated", c.unarbitrated.to_string()),
                ],
            };
            let msg = DiagnosticArray { header: Default::default(), status: vec![status] };
            if let Err(e) = diag.publish(&msg) {
                tracing::debug!(error = %e, "publishing diagnostics failed");
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn best_effort() -> QosProfile {
        QosProfile::sensor_data()
    }

    fn reliable() -> QosProfile {
        QosProfile::default()
    }

    #[test]
    fn a_best_effort_camera_and_a_reliable_node_do_not_match_and_the_fix_is_named() {
        let why = incompatibility(&best_effort(), &reliable()).unwrap();
        assert!(why.contains("best effort") && why.contains("qos:=sensor_data"), "{why}");
        assert!(incompatibility(&reliable(), &best_effort()).is_none());
        assert!(incompatibility(&reliable(), &reliable()).is_none());
        let latched = QosProfile::default().transient_local();
        assert!(incompatibility(&reliable(), &latched).unwrap().contains("transient local"));
    }

    #[test]
    fn each_problem_is_logged_once_and_stays_on_diagnostics() {
        let t0 = Instant::now();
        let mut w = InputWatch::new("/cam/image", reliable(), Duration::from_secs(5), t0);
        let cam = Publisher { node: "/cam".into(), qos: best_effort() };
        let f = w.check(t0, &[cam.clone()], 0);
        assert_eq!(f.level, DiagnosticStatus::WARN as u8);
        assert_eq!(f.log.len(), 1);
        assert!(f.log[0].contains("`/cam`") && f.log[0].contains("qos:=sensor_data"), "{:?}", f.log);
        let again = w.check(t0 + Duration::from_secs(1), &[cam], 0);
        assert!(again.log.is_empty() && again.level == DiagnosticStatus::WARN as u8 && again.message.contains("QoS mismatch"));
    }

    #[test]
    fn publishers_without_frames_are_a_stall_until_frames_come() {
        let t0 = Instant::now();
        let mut w = InputWatch::new("/image", reliable(), Duration::from_secs(5), t0);
        let cam = [Publisher { node: "/cam".into(), qos: reliable() }];
        assert_eq!(w.check(t0 + Duration::from_secs(1), &cam, 3).level, DiagnosticStatus::OK as u8);
        assert_eq!(w.check(t0 + Duration::from_secs(4), &cam, 3).level, DiagnosticStatus::OK as u8);
        let stall = w.check(t0 + Duration::from_secs(7), &cam, 3);
        assert_eq!(stall.level, DiagnosticStatus::WARN as u8);
        assert!(stall.log[0].contains("no frame for 6 s"), "{:?}", stall.log);
        assert!(w.check(t0 + Duration::from_secs(8), &cam, 3).log.is_empty());
        let back = w.check(t0 + Duration::from_secs(9), &cam, 4);
        assert_eq!(back.level, DiagnosticStatus::OK as u8);
        assert!(back.log[0].contains("arrive again"));
        // No publisher at all is not a stall: the camera may just not be up yet.
        let mut w = InputWatch::new("/image", reliable(), Duration::from_secs(5), t0);
        assert_eq!(w.check(t0 + Duration::from_secs(60), &[], 0).level, DiagnosticStatus::OK as u8);
    }
}
