//! Counters and latency windows behind the status snapshot.
//!
//! Kept separate from the scheduling decisions so the simulation and the
//! coordinator report the same figures the same way.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::policy::{Class, DropReason, Nanos};

/// Bounded window so a long-running coordinator keeps O(1) memory and the
/// percentiles describe recent behaviour rather than the whole uptime.
#[derive(Debug, Clone)]
pub struct LatencyWindow {
    samples: VecDeque<u64>,
    cap: usize,
    count: u64,
    max: u64,
}

impl Default for LatencyWindow {
    fn default() -> Self {
        Self::with_capacity(2048)
    }
}

impl LatencyWindow {
    pub fn with_capacity(cap: usize) -> Self {
        Self { samples: VecDeque::with_capacity(cap.min(4096)), cap: cap.max(1), count: 0, max: 0 }
    }

    pub fn record(&mut self, v: u64) {
        if self.samples.len() == self.cap {
            self.samples.pop_front();
        }
        self.samples.push_back(v);
        self.count += 1;
        self.max = self.max.max(v);
    }

    pub fn summary(&self) -> LatencySummary {
        let mut v: Vec<u64> = self.samples.iter().copied().collect();
        v.sort_unstable();
        LatencySummary {
            count: self.count,
            p50_ns: percentile_sorted(&v, 50.0),
            p99_ns: percentile_sorted(&v, 99.0),
            max_ns: self.max,
        }
    }
}

/// Nearest-rank percentile; `None` for an empty set so "no data" is not
/// confused with "zero latency".
pub fn percentile_sorted(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    let idx = rank.clamp(1, sorted.len()) - 1;
    Some(sorted[idx])
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatencySummary {
    /// Samples ever recorded (percentiles cover the most recent window only).
    pub count: u64,
    pub p50_ns: Option<u64>,
    pub p99_ns: Option<u64>,
    pub max_ns: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DropCounts {
    pub superseded: u64,
    pub deadline_expired: u64,
    pub lease_expired: u64,
    pub client_gone: u64,
    pub cancelled: u64,
    /// Refused by the thermal admission limit. Default: snapshots from an older coordinator.
    #[serde(default)]
    pub thermal: u64,
}

impl DropCounts {
    pub fn add(&mut self, r: DropReason) {
        match r {
            DropReason::Superseded => self.superseded += 1,
            DropReason::DeadlineExpired => self.deadline_expired += 1,
            DropReason::LeaseExpired => self.lease_expired += 1,
            DropReason::ClientGone => self.client_gone += 1,
            DropReason::Cancelled => self.cancelled += 1,
            DropReason::Thermal => self.thermal += 1,
        }
    }

    pub fn total(&self) -> u64 {
        self.superseded + self.deadline_expired + self.lease_expired + self.client_gone + self.cancelled + self.thermal
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Counters {
    pub submitted: u64,
    pub rejected: u64,
    pub granted: u64,
    pub completed: u64,
    pub completed_late: u64,
    pub drops: DropCounts,
    pub busy_ns: u64,
    pub grant_wait: LatencyWindow,
    pub run_time: LatencyWindow,
}

impl Counters {
    pub fn deadline_misses(&self) -> u64 {
        self.completed_late + self.drops.deadline_expired
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StreamStatus {
    pub id: u64,
    pub name: String,
    pub model: String,
    pub class: Class,
    pub queue_depth: u32,
    pub submitted: u64,
    pub completed: u64,
    pub deadline_misses: u64,
    pub drops: DropCounts,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ClientStatus {
    pub id: u64,
    pub name: String,
    pub queue_depth: u32,
    pub submitted: u64,
    pub rejected: u64,
    pub granted: u64,
    pub completed: u64,
    pub deadline_misses: u64,
    pub drops: DropCounts,
    /// Device time held by this client since it registered.
    pub busy_ns: u64,
    /// `busy_ns` over the time since the client registered: its share of the device.
    pub load_fraction: f64,
    pub grant_wait: LatencySummary,
    pub run_time: LatencySummary,
    pub streams: Vec<StreamStatus>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ModelStatus {
    pub name: String,
    pub runs: u64,
    /// Device time of all completed runs (with `runs`: the model's throughput per busy second).
    #[serde(default)]
    pub busy_ns: u64,
    pub ewma_cost_ns: Option<u64>,
    pub switches_in: u64,
    pub run_time: LatencySummary,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HolderStatus {
    pub client: u64,
    pub job: u64,
    pub model: String,
    pub step: u32,
    pub held_ns: u64,
}

/// Everything a ROS node needs to publish the arbiter status message.
/// `busy_ns_total` and `uptime_ns` let a publisher compute a windowed busy
/// fraction by differencing two snapshots.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StatusSnapshot {
    pub at_ns: Nanos,
    pub uptime_ns: u64,
    pub busy_ns_total: u64,
    pub busy_fraction: f64,
    pub model_switches: u64,
    pub switch_cost_ewma_ns: Option<u64>,
    pub temperature_c: Option<f32>,
    pub queue_depth: u32,
    pub deadline_misses: u64,
    pub drops: DropCounts,
    pub holder: Option<HolderStatus>,
    pub clients: Vec<ClientStatus>,
    pub models: Vec<ModelStatus>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_nearest_rank() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile_sorted(&v, 50.0), Some(50));
        assert_eq!(percentile_sorted(&v, 99.0), Some(99));
        assert_eq!(percentile_sorted(&v, 100.0), Some(100));
        assert_eq!(percentile_sorted(&[], 50.0), None);
        assert_eq!(percentile_sorted(&[7], 99.0), Some(7));
    }

    #[test]
    fn window_is_bounded_but_counts_everything() {
        let mut w = LatencyWindow::with_capacity(4);
        for i in 0..10 {
            w.record(i);
        }
        let s = w.summary();
        assert_eq!(s.count, 10);
        assert_eq!(s.max_ns, 9);
        // Only 6..=9 remain in the window.
        assert_eq!(s.p50_ns, Some(7));
    }
}
