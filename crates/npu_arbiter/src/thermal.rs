//! Thermal/health policy and a throughput watchdog, from device telemetry. Pure: the caller
//! feeds readings and timestamps (real ones from HailoRT's C API or a sysfs thermal zone,
//! simulated ones in tests). Lives here rather than in the `hailo` crate (which re-exports it)
//! so that the accelerator node can run it without linking the model and HailoRT stack; the
//! arbiter [`crate::Policy`] enforces its decisions through [`ThermalPolicy::admission`].
//!
//! Policy bands (defaults; all configurable):
//! * below 60 C: full rate;
//! * from 60 C: reduced rate (a factor on each stream's nominal rate); back to full only
//!   below 60 - 3 C;
//! * from 80 C, or the device reports over-current protection: low-priority streams are shed
//!   (background ones, and vision ones if configured); back to reduced only below 75 C.
//!
//! The gaps between entering and leaving a band (hysteresis) and a minimum dwell time keep
//! a temperature hovering at a threshold from flapping the robot's perception on and off.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::policy::{Admission, Class};

/// One telemetry sample. `None` fields were not readable (not a reason to change state).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Telemetry {
    pub temperature_c: Option<f32>,
    /// The device throttles its own clock (`hailo_health_info_t.temperature_throttling_active`).
    pub throttling: bool,
    /// `overcurrent_protection_active`: treated like the shed band.
    pub overcurrent: bool,
    pub power_w: Option<f32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ThermalState {
    Full,
    Reduced,
    Shed,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ThermalConfig {
    /// Enter the reduced band at or above this.
    pub reduce_at_c: f32,
    /// Leave the reduced band (back to full) below `reduce_at_c - reduce_hysteresis_c`.
    pub reduce_hysteresis_c: f32,
    /// Enter the shed band at or above this.
    pub shed_at_c: f32,
    /// Leave the shed band (back to reduced) below this.
    pub unshed_below_c: f32,
    /// Rate factor in the reduced band (0, 1].
    pub reduced_rate_factor: f64,
    /// Shed vision streams too, not only background ones. Command (LLM) streams are never shed:
    /// a spoken "stop" must still be understood.
    pub shed_vision: bool,
    /// A state is held at least this long before relaxing to a cooler one (heating up always
    /// takes effect at once).
    pub min_dwell: Duration,
}

impl Default for ThermalConfig {
    fn default() -> Self {
        Self {
            reduce_at_c: 60.0,
            reduce_hysteresis_c: 3.0,
            shed_at_c: 80.0,
            unshed_below_c: 75.0,
            reduced_rate_factor: 0.5,
            shed_vision: false,
            min_dwell: Duration::from_secs(10),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ThermalConfigError {
    #[error("thermal thresholds must satisfy reduce_at - hysteresis < reduce_at <= unshed_below < shed_at (got {0})")]
    Thresholds(String),
    #[error("reduced_rate_factor {0} is not in (0, 1]")]
    Factor(f64),
}

impl ThermalConfig {
    pub fn validate(&self) -> Result<(), ThermalConfigError> {
        let ok = self.reduce_hysteresis_c > 0.0
            && self.reduce_at_c <= self.unshed_below_c
            && self.unshed_below_c < self.shed_at_c
            && [self.reduce_at_c, self.reduce_hysteresis_c, self.shed_at_c, self.unshed_below_c].iter().all(|v| v.is_finite());
        if !ok {
            return Err(ThermalConfigError::Thresholds(format!("{self:?}")));
        }
        if !(self.reduced_rate_factor > 0.0 && self.reduced_rate_factor <= 1.0) {
            return Err(ThermalConfigError::Factor(self.reduced_rate_factor));
        }
        Ok(())
    }
}

/// The policy's answer after a sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    pub state: ThermalState,
    /// The state differs from the one before this sample (log it).
    pub changed: bool,
}

#[derive(Debug, Clone)]
pub struct ThermalPolicy {
    cfg: ThermalConfig,
    state: ThermalState,
    since: Option<Instant>,
}

impl ThermalPolicy {
    pub fn new(cfg: ThermalConfig) -> Result<Self, ThermalConfigError> {
        cfg.validate()?;
        Ok(Self { cfg, state: ThermalState::Full, since: None })
    }

    pub fn state(&self) -> ThermalState {
        self.state
    }

    pub fn config(&self) -> &ThermalConfig {
        &self.cfg
    }

    /// The state the sample alone asks for, given the current state (hysteresis).
    fn target(&self, t: &Telemetry) -> ThermalState {
        let c = &self.cfg;
        let by_temp = match t.temperature_c {
            // No reading: keep the state rather than guess in either direction.
            None => self.state,
            Some(x) if x.is_nan() => self.state,
            Some(x) if x >= c.shed_at_c => ThermalState::Shed,
            Some(x) if self.state == ThermalState::Shed && x >= c.unshed_below_c => ThermalState::Shed,
            Some(x) if x >= c.reduce_at_c => ThermalState::Reduced,
            Some(x) if self.state >= ThermalState::Reduced && x >= c.reduce_at_c - c.reduce_hysteresis_c => {
                ThermalState::Reduced
            }
            Some(_) => ThermalState::Full,
        };
        let by_health = if t.overcurrent {
            ThermalState::Shed
        } else if t.throttling {
            ThermalState::Reduced
        } else {
            ThermalState::Full
        };
        by_temp.max(by_health)
    }

    /// Feed one sample taken at `now`.
    pub fn update(&mut self, t: &Telemetry, now: Instant) -> Decision {
        let target = self.target(t);
        let since = *self.since.get_or_insert(now);
        let next = if target > self.state {
            target
        } else if target < self.state && now.duration_since(since) >= self.cfg.min_dwell {
            target
        } else {
            self.state
        };
        let changed = next != self.state;
        if changed {
            self.state = next;
            self.since = Some(now);
        }
        Decision { state: self.state, changed }
    }

    /// The rate a stream of `class` with nominal rate `nominal_hz` may run at now; `None` = shed.
    pub fn stream_rate(&self, class: Class, nominal_hz: f64) -> Option<f64> {
        let shed_it = match class {
            Class::Command => false,
            Class::Vision => self.cfg.shed_vision,
            Class::Background => true,
        };
        match self.state {
            ThermalState::Full => Some(nominal_hz),
            ThermalState::Shed if shed_it => None,
            ThermalState::Reduced | ThermalState::Shed if class == Class::Command => Some(nominal_hz),
            ThermalState::Reduced | ThermalState::Shed => Some(nominal_hz * self.cfg.reduced_rate_factor),
        }
    }
    /// What the arbiter should admit of `class` now: [`Self::stream_rate`] as a share of each
    /// stream's offered frames, so it needs no declared rate and also limits request streams.
    pub fn admission(&self, class: Class) -> Admission {
        match self.stream_rate(class, 1.0) {
            None => Admission::Shed,
            Some(f) if f >= 1.0 => Admission::Full,
            Some(f) => Admission::Reduced { factor: f },
        }
    }
}

/// Frame gate for one stream: admits frames at no more than the policy's rate for it.
#[derive(Debug, Clone, Default)]
pub struct RateGate {
    last: Option<Instant>,
}

impl RateGate {
    /// `Some(rate)` = admit if at least 1/rate since the last admitted frame; `None` = shed.
    pub fn admit(&mut self, rate_hz: Option<f64>, nominal_hz: f64, now: Instant) -> bool {
        let Some(rate) = rate_hz else { return false };
        // At the nominal rate the camera paces the stream: no gate, so jitter never drops frames.
        if rate >= nominal_hz {
            self.last = Some(now);
            return true;
        }
        let period = Duration::from_secs_f64(1.0 / rate.max(1e-3));
        // 10 % slack: a camera at exactly twice the allowed rate must give every other frame.
        let ok = self.last.is_none_or(|l| now.duration_since(l) >= period.mul_f64(0.9));
        if ok {
            self.last = Some(now);
        }
        ok
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct WatchdogConfig {
    /// Expected device throughput for the model, frames per second of device time (e.g. the
    /// model zoo figure, or what this Pi measured when healthy). `None`: learn the baseline
    /// from the best window seen.
    pub expected_fps: Option<f64>,
    /// Sliding window over which the rate is measured.
    pub window: Duration,
    /// Degraded when capacity falls below this share of the expected figure...
    pub degrade_ratio: f64,
    /// ...and healthy again only above this share.
    pub recover_ratio: f64,
    /// Fewer samples than this in the window: no verdict.
    pub min_samples: usize,
}

impl Default for WatchdogConfig {
    fn default() -> Self {
        Self { expected_fps: None, window: Duration::from_secs(10), degrade_ratio: 0.6, recover_ratio: 0.8, min_samples: 20 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WatchdogEvent {
    /// Capacity dropped below `degrade_ratio` x expected.
    Degraded { capacity_fps: f64, expected_fps: f64 },
    /// Back above `recover_ratio` x expected.
    Recovered { capacity_fps: f64, expected_fps: f64 },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateReport {
    /// Completed inferences per wall-clock second over the window.
    pub achieved_hz: f64,
    /// Inferences per second of device-busy time: what the model could do if frames were
    /// waiting. This, not `achieved_hz`, is compared with the expectation (a slow camera is not
    /// a sick device).
    pub capacity_fps: f64,
    pub expected_fps: Option<f64>,
    pub degraded: bool,
}

/// Compares a model's achieved throughput with the expected figure. Users report a Pi 5 + AI
/// HAT+ 2 sliding from 125 to 41 FPS over minutes until reboot; this says so in the log.
#[derive(Debug, Clone)]
pub struct RateWatchdog {
    cfg: WatchdogConfig,
    samples: VecDeque<(Instant, Duration)>,
    learned: Option<f64>,
    degraded: bool,
}

impl RateWatchdog {
    pub fn new(cfg: WatchdogConfig) -> Self {
        Self { cfg, samples: VecDeque::new(), learned: None, degraded: false }
    }

    pub fn expected_fps(&self) -> Option<f64> {
        self.cfg.expected_fps.or(self.learned)
    }

    /// Record one inference that finished at `now` and kept the device busy for `busy`.
    pub fn record(&mut self, now: Instant, busy: Duration) -> Option<WatchdogEvent> {
        self.samples.push_back((now, busy));
        while self.samples.front().is_some_and(|(t, _)| now.duration_since(*t) > self.cfg.window) {
            self.samples.pop_front();
        }
        let r = self.report(now);
        if self.samples.len() < self.cfg.min_samples {
            return None;
        }
        // A learned baseline only ratchets up: a slow decline must not drag it down with it.
        if self.cfg.expected_fps.is_none() && self.learned.is_none_or(|l| r.capacity_fps > l) && r.capacity_fps.is_finite() {
            self.learned = Some(r.capacity_fps);
        }
        let expected = self.expected_fps()?;
        if !self.degraded && r.capacity_fps < expected * self.cfg.degrade_ratio {
            self.degraded = true;
            return Some(WatchdogEvent::Degraded { capacity_fps: r.capacity_fps, expected_fps: expected });
        }
        if self.degraded && r.capacity_fps >= expected * self.cfg.recover_ratio {
            self.degraded = false;
            return Some(WatchdogEvent::Recovered { capacity_fps: r.capacity_fps, expected_fps: expected });
        }
        None
    }

    pub fn report(&self, now: Instant) -> RateReport {
        let n = self.samples.len();
        let busy: f64 = self.samples.iter().map(|(_, b)| b.as_secs_f64()).sum();
        let span = self.samples.front().map_or(0.0, |(t, _)| now.duration_since(*t).as_secs_f64());
        RateReport {
            achieved_hz: if n > 1 && span > 0.0 { (n - 1) as f64 / span } else { 0.0 },
            capacity_fps: if busy > 0.0 { n as f64 / busy } else { 0.0 },
            expected_fps: self.expected_fps(),
            degraded: self.degraded,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(c: f32) -> Telemetry {
        Telemetry { temperature_c: Some(c), ..Default::default() }
    }

    /// Simulated telemetry: a temperature trace sampled once a second.
    fn run(policy: &mut ThermalPolicy, trace: &[f32]) -> Vec<ThermalState> {
        let t0 = Instant::now();
        trace.iter().enumerate().map(|(i, c)| policy.update(&temp(*c), t0 + Duration::from_secs(i as u64)).state).collect()
    }

    fn policy(dwell_s: u64) -> ThermalPolicy {
        ThermalPolicy::new(ThermalConfig { min_dwell: Duration::from_secs(dwell_s), ..Default::default() }).unwrap()
    }

    #[test]
    fn bands_follow_the_temperature() {
        use ThermalState::*;
        let mut p = policy(0);
        assert_eq!(run(&mut p, &[45.0, 59.9, 60.0, 70.0, 79.9, 80.0, 77.0, 74.9, 58.0, 56.9]),
            vec![Full, Full, Reduced, Reduced, Reduced, Shed, Shed, Reduced, Reduced, Full]);
    }

    #[test]
    fn hysteresis_and_dwell_stop_flapping() {
        use ThermalState::*;
        // Hovering around 60 C: without hysteresis this would flip every sample.
        let mut p = policy(0);
        let s = run(&mut p, &[60.1, 59.8, 60.2, 59.5, 60.0, 58.0]);
        assert_eq!(s, vec![Reduced; 6]);
        // Dwell: cooling below the exit threshold does not relax before 10 s in the state...
        let mut p = policy(10);
        let s = run(&mut p, &[61.0, 50.0, 50.0, 50.0, 50.0, 50.0, 50.0, 50.0, 50.0, 50.0, 50.0, 50.0]);
        assert_eq!(s[..10], [Reduced; 10]);
        assert_eq!(s[10], Full);
        // ...but heating up always acts at once.
        let mut p = policy(10);
        assert_eq!(run(&mut p, &[61.0, 85.0]), vec![Reduced, Shed]);
        let changes = {
            let mut p = policy(0);
            let t0 = Instant::now();
            [61.0, 62.0, 61.0].iter().enumerate().filter(|(i, c)| p.update(&temp(**c), t0 + Duration::from_secs(*i as u64)).changed).count()
        };
        assert_eq!(changes, 1);
    }

    #[test]
    fn missing_readings_keep_the_state_and_health_flags_escalate() {
        let mut p = policy(0);
        let t0 = Instant::now();
        p.update(&temp(82.0), t0);
        assert_eq!(p.update(&Telemetry::default(), t0 + Duration::from_secs(1)).state, ThermalState::Shed);
        assert_eq!(p.update(&temp(f32::NAN), t0 + Duration::from_secs(2)).state, ThermalState::Shed);
        let mut p = policy(0);
        let throttling = Telemetry { temperature_c: Some(40.0), throttling: true, ..Default::default() };
        assert_eq!(p.update(&throttling, t0).state, ThermalState::Reduced);
        let oc = Telemetry { overcurrent: true, ..Default::default() };
        assert_eq!(p.update(&oc, t0).state, ThermalState::Shed);
    }

    #[test]
    fn stream_rates_per_class() {
        let mut p = policy(0);
        let t0 = Instant::now();
        assert_eq!(p.stream_rate(Class::Background, 30.0), Some(30.0));
        p.update(&temp(65.0), t0);
        assert_eq!(p.stream_rate(Class::Vision, 30.0), Some(15.0));
        assert_eq!(p.stream_rate(Class::Command, 1.0), Some(1.0));
        p.update(&temp(81.0), t0);
        assert_eq!(p.stream_rate(Class::Background, 30.0), None);
        assert_eq!(p.stream_rate(Class::Vision, 30.0), Some(15.0));
        assert_eq!(p.stream_rate(Class::Command, 1.0), Some(1.0));
        let strict = ThermalPolicy::new(ThermalConfig { shed_vision: true, min_dwell: Duration::ZERO, ..Default::default() });
        let mut strict = strict.unwrap();
        strict.update(&temp(81.0), t0);
        assert_eq!(strict.stream_rate(Class::Vision, 30.0), None);
    }

    #[test]
    fn admission_per_class_follows_the_band() {
        let mut p = policy(0);
        let t0 = Instant::now();
        assert!(Class::ALL_DESC.iter().all(|c| p.admission(*c) == Admission::Full));
        p.update(&temp(65.0), t0);
        assert_eq!(p.admission(Class::Vision), Admission::Reduced { factor: 0.5 });
        assert_eq!(p.admission(Class::Background), Admission::Reduced { factor: 0.5 });
        assert_eq!(p.admission(Class::Command), Admission::Full);
        p.update(&temp(90.0), t0);
        assert_eq!(p.admission(Class::Background), Admission::Shed);
        assert_eq!(p.admission(Class::Vision), Admission::Reduced { factor: 0.5 });
        assert_eq!(p.admission(Class::Command), Admission::Full);
    }

    #[test]
    fn config_is_checked() {
        assert!(ThermalConfig { shed_at_c: 70.0, ..Default::default() }.validate().is_err());
        assert!(ThermalConfig { reduced_rate_factor: 0.0, ..Default::default() }.validate().is_err());
        assert!(ThermalConfig { reduce_at_c: f32::NAN, ..Default::default() }.validate().is_err());
        assert!(ThermalConfig::default().validate().is_ok());
    }

    #[test]
    fn rate_gate_halves_a_camera_stream() {
        let mut g = RateGate::default();
        let t0 = Instant::now();
        // 30 Hz camera, 15 Hz allowed: every other frame.
        let admitted = (0..30).filter(|i| g.admit(Some(15.0), 30.0, t0 + Duration::from_secs_f64(*i as f64 / 30.0))).count();
        assert_eq!(admitted, 15);
        assert!(!g.admit(None, 30.0, t0 + Duration::from_secs(5)));
        assert!(g.admit(Some(30.0), 30.0, t0 + Duration::from_secs(5)));
    }

    /// Feeds `n` inferences of `busy` each, one every `every`, starting at `t`.
    fn feed(w: &mut RateWatchdog, t: &mut Instant, n: usize, every: Duration, busy: Duration) -> Vec<WatchdogEvent> {
        let mut ev = Vec::new();
        for _ in 0..n {
            *t += every;
            ev.extend(w.record(*t, busy));
        }
        ev
    }

    #[test]
    fn watchdog_reports_the_125_to_41_fps_slide_and_recovery() {
        let mut w = RateWatchdog::new(WatchdogConfig { expected_fps: Some(125.0), ..Default::default() });
        let mut t = Instant::now();
        let frame = Duration::from_millis(33);
        assert!(feed(&mut w, &mut t, 300, frame, Duration::from_secs_f64(1.0 / 125.0)).is_empty());
        let r = w.report(t);
        assert!((r.capacity_fps - 125.0).abs() < 1.0 && (r.achieved_hz - 30.3).abs() < 0.5, "{r:?}");
        // The camera rate did not change; the device got slower: 41 FPS of device time.
        let ev = feed(&mut w, &mut t, 600, frame, Duration::from_secs_f64(1.0 / 41.0));
        assert_eq!(ev.len(), 1, "{ev:?}");
        assert!(matches!(ev[0], WatchdogEvent::Degraded { capacity_fps, .. } if (capacity_fps - 41.0).abs() < 35.0));
        assert!(w.report(t).degraded);
        // Hovering between the two ratios (90 FPS = 72 %) does not flap.
        assert!(feed(&mut w, &mut t, 600, frame, Duration::from_secs_f64(1.0 / 90.0)).is_empty());
        let ev = feed(&mut w, &mut t, 600, frame, Duration::from_secs_f64(1.0 / 120.0));
        assert!(matches!(ev[..], [WatchdogEvent::Recovered { .. }]), "{ev:?}");
    }

    #[test]
    fn watchdog_learns_a_baseline_when_no_figure_is_given() {
        let mut w = RateWatchdog::new(WatchdogConfig::default());
        let mut t = Instant::now();
        assert_eq!(w.expected_fps(), None);
        feed(&mut w, &mut t, 400, Duration::from_millis(33), Duration::from_millis(10));
        assert!((w.expected_fps().unwrap() - 100.0).abs() < 1.0);
        // A gradual slide does not drag the baseline down with it.
        let mut events = Vec::new();
        for ms in 11..=30 {
            events.extend(feed(&mut w, &mut t, 60, Duration::from_millis(33), Duration::from_millis(ms)));
        }
        assert!((w.expected_fps().unwrap() - 100.0).abs() < 1.0);
        assert!(matches!(events[..], [WatchdogEvent::Degraded { .. }]), "{events:?}");
        // Too few samples: no verdict at all.
        let mut w = RateWatchdog::new(WatchdogConfig { expected_fps: Some(100.0), ..Default::default() });
        let mut t = Instant::now();
        assert!(feed(&mut w, &mut t, 5, Duration::from_millis(33), Duration::from_secs(1)).is_empty());
    }
}
