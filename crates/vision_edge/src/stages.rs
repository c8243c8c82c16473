//! Where a frame's time goes between the camera's stamp and our publish, per stage, so that a
//! latency figure can be split into transport, waiting and work (issue: a robot reacting to a
//! person needs the frame's age at publish time to be close to the work done on it).
//!
//! Stages, in order:
//! - `transport`: camera stamp -> the frame reaches the node (DDS, the spin thread, r2r's channel);
//! - `queued`: in the latest-frame slot while the previous frame was being worked on;
//! - `decode`: ROS image -> RGB;
//! - `wait`: waiting for the accelerator's turn (arbiter);
//! - `infer`: the model call on the inference thread, pre- and post-processing included;
//! - `publish`: result -> message -> published (tracking, 3D, serialisation);
//! - `age`: camera stamp -> published, the sum of the above.

use std::collections::VecDeque;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use r2r::builtin_interfaces::msg::Time;

pub const STAGES: [&str; 7] = ["transport", "queued", "decode", "wait", "infer", "publish", "age"];

/// One frame's clock readings, filled in as it moves through the loop.
#[derive(Debug, Clone, Copy)]
pub struct FrameClock {
    /// Stamp -> arrival, from the wall clock (the stamp is the only time the camera gives us);
    /// `None` when the stamp is zero or in the future (another machine's clock, a replayed bag).
    pub transport: Option<Duration>,
    pub received: Instant,
    pub taken: Option<Instant>,
    pub decoded: Option<Instant>,
    pub granted: Option<Instant>,
    pub inferred: Option<Instant>,
}

impl FrameClock {
    /// The clock of a frame arriving now with this header stamp.
    pub fn arrived(stamp: &Time) -> Self {
        Self { transport: age_of(stamp, SystemTime::now()), received: Instant::now(), taken: None, decoded: None, granted: None, inferred: None }
    }

    /// Each stage's duration in ms, `STAGES` order, for a frame published at `published`; `None`
    /// for a stage whose clock reading is missing.
    pub fn stages_ms(&self, published: Instant) -> [Option<f64>; 7] {
        let ms = |a: Option<Instant>, b: Option<Instant>| match (a, b) {
            (Some(a), Some(b)) => Some(b.saturating_duration_since(a).as_secs_f64() * 1e3),
            _ => None,
        };
        let transport = self.transport.map(|d| d.as_secs_f64() * 1e3);
        let since_arrival = published.saturating_duration_since(self.received).as_secs_f64() * 1e3;
        [
            transport,
            ms(Some(self.received), self.taken),
            ms(self.taken, self.decoded),
            ms(self.decoded, self.granted),
            ms(self.granted, self.inferred),
            ms(self.inferred, Some(published)),
            transport.map(|t| t + since_arrival),
        ]
    }
}

/// A header stamp as wall-clock time; `None` when unset (a driver that never fills the header).
pub fn stamp_time(stamp: &Time) -> Option<SystemTime> {
    if stamp.sec <= 0 && stamp.nanosec == 0 {
        return None;
    }
    Some(UNIX_EPOCH + Duration::new(stamp.sec.max(0) as u64, stamp.nanosec))
}

/// `now - stamp`, if the stamp is set and not ahead of `now`.
pub fn age_of(stamp: &Time, now: SystemTime) -> Option<Duration> {
    now.duration_since(stamp_time(stamp)?).ok()
}

/// The last `capacity` published frames' stages, summarised as p50 / p99 per stage.
#[derive(Debug)]
pub struct StageStats {
    frames: VecDeque<[Option<f64>; 7]>,
    capacity: usize,
    total: u64,
}

impl Default for StageStats {
    fn default() -> Self {
        Self::with_capacity(600)
    }
}

impl StageStats {
    pub fn with_capacity(capacity: usize) -> Self {
        Self { frames: VecDeque::with_capacity(capacity.min(4096)), capacity: capacity.max(1), total: 0 }
    }

    pub fn push(&mut self, stages: [Option<f64>; 7]) {
        if self.frames.len() == self.capacity {
            self.frames.pop_front();
        }
        self.frames.push_back(stages);
        self.total += 1;
    }

    /// Frames summarised (the window) and seen in all.
    pub fn counts(&self) -> (usize, u64) {
        (self.frames.len(), self.total)
    }

    /// `(stage, p50, p99)` in ms for each stage with readings in the window.
    pub fn percentiles(&self) -> Vec<(&'static str, f64, f64)> {
        STAGES
            .iter()
            .enumerate()
            .filter_map(|(i, name)| {
                let mut v: Vec<f64> = self.frames.iter().filter_map(|f| f[i]).collect();
                if v.is_empty() {
                    return None;
                }
                v.sort_by(f64::total_cmp);
                Some((*name, percentile(&v, 50.0), percentile(&v, 99.0)))
            })
            .collect()
    }

    /// One log-friendly line: `transport=3/9 queued=0/120 ... age=250/700` (p50/p99, ms).
    pub fn summary(&self) -> String {
        self.percentiles().iter().map(|(n, p50, p99)| format!("{n}={p50:.0}/{p99:.0}")).collect::<Vec<_>>().join(" ")
    }
}

/// Linear interpolation between closest ranks (numpy's default), on sorted `v`.
fn percentile(v: &[f64], q: f64) -> f64 {
    let pos = (v.len() - 1) as f64 * q / 100.0;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_add_up_to_the_age() {
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let clock = FrameClock {
            transport: Some(Duration::from_millis(7)),
            received: t0,
            taken: Some(at(100)),
            decoded: Some(at(103)),
            granted: Some(at(150)),
            inferred: Some(at(290)),
        };
        let s = clock.stages_ms(at(295));
        let v: Vec<f64> = s.iter().map(|x| x.unwrap().round()).collect();
        assert_eq!(v, vec![7.0, 100.0, 3.0, 47.0, 140.0, 5.0, 302.0]);
        assert_eq!(v[..6].iter().sum::<f64>(), v[6]);
    }

    #[test]
    fn a_missing_reading_leaves_its_stage_out() {
        let clock = FrameClock { transport: None, received: Instant::now(), taken: None, decoded: None, granted: None, inferred: None };
        let s = clock.stages_ms(Instant::now());
        assert!(s[0].is_none() && s[1].is_none() && s[6].is_none());
        assert!(s[5].is_none());
    }

    #[test]
    fn stamps_unset_or_ahead_have_no_age() {
        let now = UNIX_EPOCH + Duration::from_secs(1000);
        assert_eq!(age_of(&Time { sec: 0, nanosec: 0 }, now), None);
        assert_eq!(age_of(&Time { sec: 1001, nanosec: 0 }, now), None);
        assert_eq!(age_of(&Time { sec: 999, nanosec: 500_000_000 }, now), Some(Duration::from_millis(500)));
    }

    #[test]
    fn percentiles_follow_numpy_and_the_window_slides() {
        let mut s = StageStats::with_capacity(100);
        for i in 0..200 {
            s.push([Some(i as f64), None, None, None, None, None, None]);
        }
        assert_eq!(s.counts(), (100, 200));
        let p = s.percentiles();
        assert_eq!(p.len(), 1);
        // The window holds 100..199: numpy.percentile(range(100, 200), [50, 99]) = 149.5, 198.01.
        assert_eq!(p[0].0, "transport");
        assert!((p[0].1 - 149.5).abs() < 1e-9 && (p[0].2 - 198.01).abs() < 1e-9, "{p:?}");
        assert_eq!(s.summary(), "transport=150/198");
    }
}
