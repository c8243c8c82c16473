//! Detections meet the depth frame of the same image.
//!
//! Both come from one camera image, so they carry its stamp; but they arrive in either order (the
//! detector usually finishes first), and the depth node does not compute every image (newest frame
//! wins while it is busy). So recent depth frames are kept in a small ring, detections whose frame
//! has not come yet wait in a bounded queue, and a detection message that can no longer be matched
//! is handed back as [`Resolution::Unmatched`] with the reason — never dropped without a trace.
//!
//! Depth frames are assumed to come in stamp order (they are computed newest-first from one
//! camera), which is what lets a waiting detection older than the newest frame be given up at once.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// A ROS stamp as nanoseconds since the epoch.
pub type StampNs = i64;

pub fn stamp_ns(sec: i32, nanosec: u32) -> StampNs {
    sec as i64 * 1_000_000_000 + nanosec as i64
}

/// Sizes and tolerances; may change at run time (parameters).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Depth frames kept.
    pub frames: usize,
    /// Detection messages waiting for their frame.
    pub pending: usize,
    /// How long a detection message may wait.
    pub max_wait: Duration,
    /// Stamps this close are the same image; 0 = exact.
    pub tolerance_ns: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Self { frames: 8, pending: 32, max_wait: Duration::from_secs(2), tolerance_ns: 0 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnmatchedReason {
    /// Depth frames newer than it exist but none of its image: the depth node skipped that image,
    /// or it is older than the ring holds.
    NoFrame,
    /// Waited `max_wait` and no depth frame at or after its stamp came.
    TimedOut,
    /// The waiting queue was full; the oldest waiter was given up.
    QueueFull,
}

impl UnmatchedReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoFrame => "no_depth_frame",
            Self::TimedOut => "timed_out",
            Self::QueueFull => "queue_full",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Resolution<D, F> {
    Matched { stamp: StampNs, detections: D, frame_stamp: StampNs, frame: F },
    Unmatched { stamp: StampNs, detections: D, reason: UnmatchedReason },
}

struct Waiting<D> {
    stamp: StampNs,
    since: Instant,
    detections: D,
}

/// Ring of depth frames `F` and queue of detection messages `D`, matched by stamp.
pub struct StampMatcher<F, D> {
    frames: VecDeque<(StampNs, F)>,
    waiting: VecDeque<Waiting<D>>,
    limits: Limits,
}

impl<F: Clone, D> StampMatcher<F, D> {
    pub fn new(limits: Limits) -> Self {
        Self { frames: VecDeque::new(), waiting: VecDeque::new(), limits: sanitize(limits) }
    }

    /// New limits; a smaller ring or queue is trimmed at the next frame or detection.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = sanitize(limits);
    }

    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    fn newest_frame(&self) -> Option<StampNs> {
        self.frames.back().map(|(s, _)| *s)
    }

    /// The kept frame of `stamp`: the exact one, else the nearest within the tolerance.
    pub fn lookup(&self, stamp: StampNs) -> Option<(StampNs, &F)> {
        lookup_in(&self.frames, stamp, self.limits.tolerance_ns)
    }

    /// A new depth frame: stored, and every waiting detection message it settles is returned —
    /// matched to it, or given up because its own image is now known to have no frame.
    pub fn push_frame(&mut self, stamp: StampNs, frame: F) -> Vec<Resolution<D, F>> {
        self.frames.push_back((stamp, frame));
        while self.frames.len() > self.limits.frames {
            self.frames.pop_front();
        }
        let mut out = Vec::new();
        let mut keep = VecDeque::with_capacity(self.waiting.len());
        for w in self.waiting.drain(..) {
            if let Some((frame_stamp, f)) = lookup_in(&self.frames, w.stamp, self.limits.tolerance_ns) {
                out.push(Resolution::Matched { stamp: w.stamp, detections: w.detections, frame_stamp, frame: f.clone() });
            } else if w.stamp < stamp - self.limits.tolerance_ns {
                out.push(Resolution::Unmatched { stamp: w.stamp, detections: w.detections, reason: UnmatchedReason::NoFrame });
            } else {
                keep.push_back(w);
            }
        }
        self.waiting = keep;
        out
    }

    /// A detection message: matched now, given up now, or queued (then settled by a later
    /// [`push_frame`](Self::push_frame) or [`expire`](Self::expire)). The returned list holds its
    /// own resolution if it has one, and any older waiter pushed out of a full queue.
    pub fn push_detections(&mut self, stamp: StampNs, detections: D, now: Instant) -> Vec<Resolution<D, F>> {
        if let Some((frame_stamp, f)) = self.lookup(stamp) {
            return vec![Resolution::Matched { stamp, detections, frame_stamp, frame: f.clone() }];
        }
        if self.newest_frame().is_some_and(|newest| stamp < newest - self.limits.tolerance_ns) {
            return vec![Resolution::Unmatched { stamp, detections, reason: UnmatchedReason::NoFrame }];
        }
        self.waiting.push_back(Waiting { stamp, since: now, detections });
        let mut out = Vec::new();
        while self.waiting.len() > self.limits.pending {
            if let Some(w) = self.waiting.pop_front() {
                out.push(Resolution::Unmatched { stamp: w.stamp, detections: w.detections, reason: UnmatchedReason::QueueFull });
            }
        }
        out
    }

    /// Gives up waiters older than `max_wait` (call it periodically: with no new depth frames,
    /// nothing else would).
    pub fn expire(&mut self, now: Instant) -> Vec<Resolution<D, F>> {
        let max_wait = self.limits.max_wait;
        let mut out = Vec::new();
        let mut keep = VecDeque::with_capacity(self.waiting.len());
        for w in self.waiting.drain(..) {
            if now.saturating_duration_since(w.since) >= max_wait {
                out.push(Resolution::Unmatched { stamp: w.stamp, detections: w.detections, reason: UnmatchedReason::TimedOut });
            } else {
                keep.push_back(w);
            }
        }
        self.waiting = keep;
        out
    }
}

fn lookup_in<F>(frames: &VecDeque<(StampNs, F)>, stamp: StampNs, tol: i64) -> Option<(StampNs, &F)> {
    frames
        .iter()
        .map(|(s, f)| ((s - stamp).abs(), *s, f))
        .filter(|(d, _, _)| *d <= tol)
        .min_by_key(|(d, _, _)| *d)
        .map(|(_, s, f)| (s, f))
}

fn sanitize(l: Limits) -> Limits {
    Limits { frames: l.frames.max(1), pending: l.pending.max(1), max_wait: l.max_wait, tolerance_ns: l.tolerance_ns.max(0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    type M = StampMatcher<&'static str, u32>;

    fn kinds(r: &[Resolution<u32, &'static str>]) -> Vec<String> {
        r.iter()
            .map(|r| match r {
                Resolution::Matched { detections, frame, .. } => format!("{detections}->{frame}"),
                Resolution::Unmatched { detections, reason, .. } => format!("{detections}:{}", reason.as_str()),
            })
            .collect()
    }

    #[test]
    fn detections_after_their_frame_match_at_once() {
        let now = Instant::now();
        let mut m = M::new(Limits::default());
        assert!(m.push_frame(100, "f100").is_empty());
        assert!(m.push_frame(200, "f200").is_empty());
        assert_eq!(kinds(&m.push_detections(100, 1, now)), ["1->f100"]);
        assert_eq!(kinds(&m.push_detections(200, 2, now)), ["2->f200"]);
        // Between two frames, exact matching: that image was skipped by the depth node.
        assert_eq!(kinds(&m.push_detections(150, 3, now)), ["3:no_depth_frame"]);
        assert_eq!(m.waiting(), 0);
    }

    #[test]
    fn detections_before_their_frame_wait_for_it() {
        let now = Instant::now();
        let mut m = M::new(Limits::default());
        m.push_frame(100, "f100");
        assert!(m.push_detections(300, 3, now).is_empty());
        assert!(m.push_detections(200, 2, now).is_empty());
        assert_eq!(m.waiting(), 2);
        // Frame 300 arrives: 3 matches; 2 (older, never coming: newest-first) is given up.
        let r = m.push_frame(300, "f300");
        assert_eq!(kinds(&r), ["3->f300", "2:no_depth_frame"]);
        assert_eq!(m.waiting(), 0);
        // A waiter newer than every frame stays.
        assert!(m.push_detections(500, 5, now).is_empty());
        assert!(m.push_frame(400, "f400").is_empty());
        assert_eq!(m.waiting(), 1);
    }

    #[test]
    fn waiting_is_bounded_in_time_and_count() {
        let t0 = Instant::now();
        let limits = Limits { pending: 2, max_wait: Duration::from_millis(500), ..Default::default() };
        let mut m = M::new(limits);
        assert!(m.push_detections(1, 1, t0).is_empty());
        assert!(m.push_detections(2, 2, t0 + Duration::from_millis(300)).is_empty());
        assert_eq!(kinds(&m.push_detections(3, 3, t0 + Duration::from_millis(400))), ["1:queue_full"]);
        assert!(m.expire(t0 + Duration::from_millis(700)).is_empty());
        assert_eq!(kinds(&m.expire(t0 + Duration::from_millis(800))), ["2:timed_out"]);
        assert_eq!(kinds(&m.expire(t0 + Duration::from_secs(5))), ["3:timed_out"]);
    }

    #[test]
    fn ring_forgets_old_frames_and_tolerance_picks_the_nearest() {
        let now = Instant::now();
        let mut m = M::new(Limits { frames: 2, ..Default::default() });
        m.push_frame(100, "a");
        m.push_frame(200, "b");
        m.push_frame(300, "c");
        assert_eq!(kinds(&m.push_detections(100, 1, now)), ["1:no_depth_frame"]);
        assert_eq!(kinds(&m.push_detections(200, 2, now)), ["2->b"]);
        m.set_limits(Limits { frames: 2, tolerance_ns: 60, ..Default::default() });
        assert_eq!(kinds(&m.push_detections(260, 3, now)), ["3->c"]);
        assert_eq!(kinds(&m.push_detections(230, 4, now)), ["4->b"]);
        match &m.push_detections(310, 5, now)[0] {
            Resolution::Matched { frame_stamp, stamp, .. } => assert_eq!((*frame_stamp, *stamp), (300, 310)),
            other => panic!("{other:?}"),
        }
        assert_eq!(stamp_ns(2, 5), 2_000_000_005);
        assert_eq!(stamp_ns(-1, 0), -1_000_000_000);
    }
}
