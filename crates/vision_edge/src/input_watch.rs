//! The most common "no detections" cause is a QoS mismatch between the camera and the node, which
//! DDS reports to nobody: a reliable subscription never matches a best-effort publisher. The watch
//! asks the ROS graph for the image topic's publishers, warns once per publisher that cannot
//! reach the node (naming the fix), warns when publishers exist but no frame arrives, warns when
//! frames go missing on the way (gaps in the camera's stamps), and reports its finding on
//! /diagnostics every second.

use std::collections::{BTreeSet, VecDeque};
use std::time::{Duration, Instant, UNIX_EPOCH};

use r2r::builtin_interfaces::msg::Time;
use r2r::diagnostic_msgs::msg::{DiagnosticArray, DiagnosticStatus, KeyValue};
use r2r::qos::{DurabilityPolicy, ReliabilityPolicy};
use r2r::QosProfile;

use crate::stages::stamp_time;
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

/// Frames the camera sent that never reached the node, read from the gaps between the header
/// stamps of the frames that did. DDS counts nothing for a best-effort reader: a large frame whose
/// fragments are overwritten in the publisher's shared-memory segment simply never arrives, so
/// without this a node at a quarter of the camera's rate looks healthy. The camera's period is
/// taken from the received gaps themselves (roughly their 3rd percentile: a few consecutive frames
/// arrive even when most are lost, and a stray short gap or two does not count; then the median of
/// each gap over its count of periods), not from `expected_rate_hz`, which is the node's rate, not
/// the camera's. A gap of n periods is n - 1 frames missing; gaps over `PAUSE` periods are a camera
/// that paused, not losses; stamps that keep no period give no estimate.
#[derive(Debug, Default, Clone)]
pub struct StampGaps {
    last: Option<f64>,
    gaps: VecDeque<f64>,
}

impl StampGaps {
    /// Gaps kept: the window the estimate covers.
    const KEEP: usize = 100;
    /// Gaps needed before there is an estimate: few when most frames are lost, so it comes early.
    const MIN: usize = 10;
    /// A gap this many periods long is a camera that paused. Lower would hide heavy losses: with
    /// most of the replay's frames lost at 5 Hz, gaps of 27 periods were seen.
    const PAUSE: f64 = 100.0;

    /// A received frame's header stamp; unset and out-of-order stamps are skipped.
    pub fn push(&mut self, stamp: &Time) {
        let Some(stamp_s) = stamp_time(stamp).and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map(|d| d.as_secs_f64()) else {
            return;
        };
        match self.last {
            Some(last) if stamp_s <= last => return,
            Some(last) => {
                if self.gaps.len() == Self::KEEP {
                    self.gaps.pop_front();
                }
                self.gaps.push_back(stamp_s - last);
            }
            None => {}
        }
        self.last = Some(stamp_s);
    }

    /// (frames missing, frames received) over the window; `None` until it holds enough gaps.
    pub fn missing(&self) -> Option<(u64, u64)> {
        if self.gaps.len() < Self::MIN {
            return None;
        }
        let mut sorted: Vec<f64> = self.gaps.iter().copied().collect();
        sorted.sort_by(f64::total_cmp);
        let rough = sorted[sorted.len() / 33];
        // Refined over every gap (each divided by its count of rough periods): a long gap read
        // against a period 2 % short would be off by a third of a period.
        let mut each: Vec<f64> = self.gaps.iter().map(|g| g / (g / rough).round().max(1.0)).collect();
        each.sort_by(f64::total_cmp);
        let period = each[each.len() / 2];
        let periods: Vec<f64> = self.gaps.iter().map(|g| g / period).collect();
        // A publisher that sends when it likes (a snapshot on request) has no period to miss
        // frames of: most gaps of a camera are whole periods, give or take a quarter.
        let whole = periods.iter().filter(|r| (*r - r.round()).abs() <= 0.25).count();
        if whole * 5 < periods.len() * 4 {
            return None;
        }
        let missing = periods.iter().map(|r| r.round()).filter(|n| (2.0..=Self::PAUSE).contains(n)).map(|n| n as u64 - 1).sum();
        Some((missing, self.gaps.len() as u64))
    }
}

/// More than this share of the frames sent missing is worth a warning.
const MISSING_WARN: f64 = 0.2;

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
    losing: bool,
}

impl InputWatch {
    pub fn new(topic: &str, ours: QosProfile, stall_after: Duration, now: Instant) -> Self {
        Self { topic: topic.into(), ours, stall_after, warned: BTreeSet::new(), last_received: 0, last_frame: now, stalled: false, losing: false }
    }

    /// `missing`: [`StampGaps::missing`] of the frames received so far.
    pub fn check(&mut self, now: Instant, publishers: &[Publisher], received: u64, missing: Option<(u64, u64)>) -> Finding {
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
        let share = missing.map_or(0.0, |(m, got)| m as f64 / (m + got) as f64);
        if share > MISSING_WARN {
            let (m, got) = missing.unwrap_or_default();
            if !std::mem::replace(&mut self.losing, true) {
                log.push(format!(
                    "{m} of the last {} frames on {} never arrived (gaps in the camera's stamps): a large best-effort image is lost on one host when its publisher has Fast DDS's default 512 kB shared-memory segment; start the camera with params/fastdds.xml (FASTRTPS_DEFAULT_PROFILES_FILE), or use reliable QoS on both sides, or image/compressed (or the camera drops frames itself)",
                    m + got,
                    self.topic
                ));
            }
            let message = format!("{m} of the last {} frames on {} missing ({:.0} %)", m + got, self.topic, share * 100.0);
            return Finding { level: DiagnosticStatus::WARN as u8, message, log };
        }
        if missing.is_some() && std::mem::replace(&mut self.losing, false) {
            log.push(format!("frames on {} arrive without gaps again", self.topic));
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
            let missing = c.stamp_gaps.missing();
            let mut f = watch.check(Instant::now(), &publishers, c.received, missing);
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
                    // Of the last (up to) 100 frames the camera sent, by the gaps in their stamps.
                    kv("missing", missing.map_or("not known yet".into(), |(m, got)| format!("{m} of {}", m + got))),
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
        let f = w.check(t0, &[cam.clone()], 0, None);
        assert_eq!(f.level, DiagnosticStatus::WARN as u8);
        assert_eq!(f.log.len(), 1);
        assert!(f.log[0].contains("`/cam`") && f.log[0].contains("qos:=sensor_data"), "{:?}", f.log);
        let again = w.check(t0 + Duration::from_secs(1), &[cam], 0, None);
        assert!(again.log.is_empty() && again.level == DiagnosticStatus::WARN as u8 && again.message.contains("QoS mismatch"));
    }

    #[test]
    fn publishers_without_frames_are_a_stall_until_frames_come() {
        let t0 = Instant::now();
        let mut w = InputWatch::new("/image", reliable(), Duration::from_secs(5), t0);
        let cam = [Publisher { node: "/cam".into(), qos: reliable() }];
        assert_eq!(w.check(t0 + Duration::from_secs(1), &cam, 3, None).level, DiagnosticStatus::OK as u8);
        assert_eq!(w.check(t0 + Duration::from_secs(4), &cam, 3, None).level, DiagnosticStatus::OK as u8);
        let stall = w.check(t0 + Duration::from_secs(7), &cam, 3, None);
        assert_eq!(stall.level, DiagnosticStatus::WARN as u8);
        assert!(stall.log[0].contains("no frame for 6 s"), "{:?}", stall.log);
        assert!(w.check(t0 + Duration::from_secs(8), &cam, 3, None).log.is_empty());
        let back = w.check(t0 + Duration::from_secs(9), &cam, 4, None);
        assert_eq!(back.level, DiagnosticStatus::OK as u8);
        assert!(back.log[0].contains("arrive again"));
        // No publisher at all is not a stall: the camera may just not be up yet.
        let mut w = InputWatch::new("/image", reliable(), Duration::from_secs(5), t0);
        assert_eq!(w.check(t0 + Duration::from_secs(60), &[], 0, None).level, DiagnosticStatus::OK as u8);
    }

    /// A header stamp `s` seconds after the epoch.
    fn at(s: f64) -> Time {
        let ns = (s * 1e9).round() as i64;
        Time { sec: ns.div_euclid(1_000_000_000) as i32, nanosec: ns.rem_euclid(1_000_000_000) as u32 }
    }

    /// A 5 Hz camera's stamps (with 2 ms of jitter) for `n` frames, keeping those `keep` says.
    fn stamps(n: usize, keep: impl Fn(usize) -> bool) -> StampGaps {
        let mut g = StampGaps::default();
        for i in (0..n).filter(|&i| keep(i)) {
            g.push(&at(1000.0 + i as f64 * 0.2 + if i % 2 == 0 { 0.002 } else { -0.002 }));
        }
        g
    }

    #[test]
    fn missing_frames_are_read_from_the_gaps_in_the_stamps() {
        // Every frame: nothing missing.
        assert_eq!(stamps(60, |_| true).missing(), Some((0, 59)));
        // Three in four lost (one kept in four, and a few neighbours so the period shows).
        let (m, got) = stamps(400, |i| i % 4 == 0 || i % 23 == 1).missing().unwrap();
        let share = m as f64 / (m + got) as f64;
        assert!((0.6..0.8).contains(&share), "{m} of {}", m + got);
        // Too few gaps yet: no estimate.
        assert_eq!(stamps(10, |_| true).missing(), None);
        // Most lost, with gaps of many periods: still read.
        let (m, got) = stamps(300, |i| i % 25 == 0 || i % 25 == 1 || i % 25 == 7).missing().unwrap();
        assert_eq!((m, got), (283 - 36, 35)); // frames 0-282 sent, 36 arrived
        // A pause (the camera stopped for 30 s) is not a loss; unset and repeated stamps are skipped.
        let mut g = stamps(30, |_| true);
        g.push(&at(1000.0 + 30.0 * 0.2 + 30.0));
        g.push(&at(0.0));
        g.push(&at(1000.0));
        assert_eq!(g.missing(), Some((0, 30)));
        // Frames sent on request, at no rate: no estimate, not a loss.
        let mut g = StampGaps::default();
        let mut t = 1000.0;
        for i in 0..60u32 {
            t += 0.1 + f64::from(i.wrapping_mul(2_654_435_761) % 1000) / 1000.0;
            g.push(&at(t));
        }
        assert_eq!(g.missing(), None);
    }

    #[test]
    fn frames_missing_on_the_way_are_warned_once_and_shown_until_they_stop() {
        let t0 = Instant::now();
        let mut w = InputWatch::new("/image", best_effort(), Duration::from_secs(5), t0);
        let cam = [Publisher { node: "/cam".into(), qos: best_effort() }];
        let f = w.check(t0, &cam, 30, Some((75, 25)));
        assert_eq!(f.level, DiagnosticStatus::WARN as u8);
        assert!(f.message.contains("75 of the last 100 frames on /image missing"), "{}", f.message);
        assert_eq!(f.log.len(), 1);
        assert!(f.log[0].contains("params/fastdds.xml"), "{:?}", f.log);
        let again = w.check(t0 + Duration::from_secs(1), &cam, 31, Some((74, 26)));
        assert!(again.log.is_empty() && again.level == DiagnosticStatus::WARN as u8);
        // A few missing (a camera's own hiccup) is not worth a warning.
        let whole = w.check(t0 + Duration::from_secs(2), &cam, 60, Some((5, 95)));
        assert_eq!(whole.level, DiagnosticStatus::OK as u8);
        assert!(whole.log[0].contains("without gaps again"), "{:?}", whole.log);
    }
}
