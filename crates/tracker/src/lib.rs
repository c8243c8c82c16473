//! Multi-object tracking of the ByteTrack family (Zhang et al., ECCV 2022), pure Rust.
//!
//! Per frame ([`Tracker::update`]):
//! 1. every track's box is predicted by ByteTrack's constant-velocity Kalman filter;
//! 2. high-score detections (>= `high_threshold`) are matched to the confirmed tracks, seen and
//!    lost, by IoU (times the detection score when `fuse_score`), optimal assignment;
//! 3. low-score detections (>= `low_threshold`) are matched to the confirmed tracks still
//!    unmatched that were seen last frame: an occluded object keeps its id through a weak
//!    detection, but a weak detection never starts a track;
//! 4. tentative tracks (fewer than `min_hits` hits) are matched to the remaining high-score
//!    detections; a tentative track unmatched for more than `tentative_miss_frames` frames is
//!    dropped, one that reaches `min_hits` is confirmed and gets its id (in the very first frame
//!    at once when `confirm_first_frame`);
//! 5. the remaining high-score detections at or above `new_track_threshold` start tentative
//!    tracks; confirmed tracks unseen for more than `lost_buffer_frames` frames are dropped.
//!
//! Ids are u64 from 1, given at confirmation, never reused within one [`Tracker`].

mod assign;
mod kalman;

use assign::assign;
use kalman::BoxFilter;

/// Tracker parameters; [`TrackerConfig::validate`] gives their ranges.
///
/// The defaults are ByteTrack's as Ultralytics configures it for YOLOv8 (bytetrack.yaml:
/// track_high_thresh 0.25, track_low_thresh 0.1, new_track_thresh 0.25, track_buffer 30,
/// match_thresh 0.8, fuse_score), whose scores run lower than the YOLOX-on-MOT17 scores ByteTrack's
/// paper thresholds (0.5 / 0.6) were set for; with ByteTrack's confirmation at the second hit and
/// one missed frame forgiven to a tentative track (bench/tracking.py measures them).
#[derive(Clone, Debug, PartialEq)]
pub struct TrackerConfig {
    /// Detections at or above this score take part in the first association and may start
    /// tracks. Default 0.25 (ByteTrack's paper: 0.5).
    pub high_threshold: f32,
    /// Detections at or above this (and below `high_threshold`) only continue tracks that were
    /// seen last frame. Default 0.1 (ByteTrack's).
    pub low_threshold: f32,
    /// A new track starts only from an unmatched high-score detection at or above this.
    /// Default 0.25 (ByteTrack's paper: track_thresh + 0.1).
    pub new_track_threshold: f32,
    /// Similarity (IoU, times the score when `fuse_score`) a pair needs in the first stage.
    /// Default 0.2 (ByteTrack's match_thresh 0.8 is the distance 1 - 0.2).
    pub match_iou: f32,
    /// IoU a tracked track needs to take a low-score detection. Default 0.5 (fixed in ByteTrack).
    pub low_match_iou: f32,
    /// Similarity a tentative track needs to take a high-score detection. Default 0.3 (ByteTrack's
    /// fixed distance 0.7).
    pub tentative_match_iou: f32,
    /// Weigh the IoU by the detection score in the high-score stages (ByteTrack does, except on
    /// MOT20's crowds): a confident detection wins a contested track. Default true.
    pub fuse_score: bool,
    /// Frames a confirmed track stays alive, predicted, without a detection. Default 30.
    pub lost_buffer_frames: u32,
    /// Hits (matched frames, the first included) before a track is confirmed and gets an id;
    /// 1 confirms at once. Default 2 (ByteTrack activates a track at its second frame).
    pub min_hits: u32,
    /// Frames in a row a tentative track may go unmatched before it is dropped. ByteTrack: 0 (a
    /// new track that misses its second frame is gone and the object starts over, which a
    /// detector's flicker does often). Default 1.
    pub tentative_miss_frames: u32,
    /// Tracks started in the first frame (after `new` or `reset`) are confirmed at once, as in
    /// ByteTrack: at the start there is no earlier frame against which to doubt a detection, and
    /// waiting only withholds the ids of everything already in view. Default true.
    pub confirm_first_frame: bool,
    /// A track only takes detections of its own class. Default true.
    pub per_class: bool,
}

impl Default for TrackerConfig {
    fn default() -> Self {
        Self {
            high_threshold: 0.25,
            low_threshold: 0.1,
            new_track_threshold: 0.25,
            match_iou: 0.2,
            low_match_iou: 0.5,
            tentative_match_iou: 0.3,
            fuse_score: true,
            lost_buffer_frames: 30,
            min_hits: 2,
            tentative_miss_frames: 1,
            confirm_first_frame: true,
            per_class: true,
        }
    }
}

/// Upper bound of `lost_buffer_frames`: ten minutes at 30 fps; beyond it a lost track is a ghost.
pub const MAX_LOST_BUFFER_FRAMES: u32 = 18_000;
/// Upper bound of `min_hits`.
pub const MAX_MIN_HITS: u32 = 1_000;
/// Upper bound of `tentative_miss_frames`.
pub const MAX_TENTATIVE_MISS_FRAMES: u32 = 30;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrackerError {
    #[error("tracker parameter {field} = {value} is out of range: {expected}")]
    OutOfRange {
        field: &'static str,
        value: String,
        expected: &'static str,
    },
}

impl TrackerConfig {
    /// Checks every parameter's range; the error names the first field that is out of range.
    pub fn validate(&self) -> Result<(), TrackerError> {
        let bad = |field, value: &dyn std::fmt::Display, expected| {
            Err(TrackerError::OutOfRange {
                field,
                value: value.to_string(),
                expected,
            })
        };
        let unit = |v: f32| v.is_finite() && (0.0..=1.0).contains(&v);
        let open_unit = |v: f32| v.is_finite() && v > 0.0 && v <= 1.0;
        if !unit(self.high_threshold) {
            return bad("high_threshold", &self.high_threshold, "0 to 1");
        }
        if !unit(self.low_threshold) {
            return bad("low_threshold", &self.low_threshold, "0 to 1");
        }
        if self.low_threshold > self.high_threshold {
            return bad(
                "low_threshold",
                &self.low_threshold,
                "at most high_threshold",
            );
        }
        if !unit(self.new_track_threshold) {
            return bad("new_track_threshold", &self.new_track_threshold, "0 to 1");
        }
        if !open_unit(self.match_iou) {
            return bad("match_iou", &self.match_iou, "above 0, at most 1");
        }
        if !open_unit(self.low_match_iou) {
            return bad("low_match_iou", &self.low_match_iou, "above 0, at most 1");
        }
        if !open_unit(self.tentative_match_iou) {
            return bad(
                "tentative_match_iou",
                &self.tentative_match_iou,
                "above 0, at most 1",
            );
        }
        if self.lost_buffer_frames > MAX_LOST_BUFFER_FRAMES {
            return bad("lost_buffer_frames", &self.lost_buffer_frames, "0 to 18000");
        }
        if !(1..=MAX_MIN_HITS).contains(&self.min_hits) {
            return bad("min_hits", &self.min_hits, "1 to 1000");
        }
        if self.tentative_miss_frames > MAX_TENTATIVE_MISS_FRAMES {
            return bad(
                "tentative_miss_frames",
                &self.tentative_miss_frames,
                "0 to 30",
            );
        }
        Ok(())
    }
}

/// One detection of one frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Detection {
    /// x1, y1, x2, y2 in pixels.
    pub bbox: [f32; 4],
    /// Detector confidence, 0 to 1.
    pub score: f32,
    pub class_id: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrackState {
    /// Matched in the latest frame.
    Tracked,
    /// Not matched in the latest frame; kept (predicted) for `lost_buffer_frames` frames.
    Lost,
}

/// A confirmed track as [`Tracker::tracks`] shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Track {
    pub id: u64,
    pub class_id: usize,
    /// The Kalman-smoothed box (x1, y1, x2, y2); for a lost track its prediction.
    pub bbox: [f32; 4],
    /// Score of the last detection it took.
    pub score: f32,
    /// Detections it took.
    pub hits: u32,
    /// Frames since its last detection (0: seen in the latest frame).
    pub frames_since_seen: u32,
    pub state: TrackState,
}

#[derive(Clone, Debug)]
struct Slot {
    /// `id` is 0 while the track is tentative.
    track: Track,
    kf: BoxFilter,
}

impl Slot {
    fn new(d: &Detection) -> Self {
        let kf = BoxFilter::new(f64_box(d.bbox));
        let track = Track {
            id: 0,
            class_id: d.class_id,
            bbox: d.bbox,
            score: d.score,
            hits: 1,
            frames_since_seen: 0,
            state: TrackState::Tracked,
        };
        Self { track, kf }
    }

    fn predict(&mut self) {
        self.kf.predict(self.track.state == TrackState::Lost);
        self.track.bbox = f32_box(self.kf.xyxy());
        self.track.frames_since_seen = self.track.frames_since_seen.saturating_add(1);
    }

    fn take(&mut self, d: &Detection) {
        self.kf.update(f64_box(d.bbox));
        let t = &mut self.track;
        t.bbox = f32_box(self.kf.xyxy());
        t.score = d.score;
        t.class_id = d.class_id;
        t.hits = t.hits.saturating_add(1);
        t.frames_since_seen = 0;
        t.state = TrackState::Tracked;
    }
}

/// The tracker: feed it every frame's detections with [`Tracker::update`].
#[derive(Clone, Debug)]
pub struct Tracker {
    cfg: TrackerConfig,
    /// Confirmed tracks, tracked and lost.
    confirmed: Vec<Slot>,
    tentative: Vec<Slot>,
    last_id: u64,
    skipped: u64,
    /// Frames since `new` or `reset`.
    frames: u64,
}

impl Tracker {
    pub fn new(cfg: TrackerConfig) -> Result<Self, TrackerError> {
        cfg.validate()?;
        Ok(Self {
            cfg,
            confirmed: Vec::new(),
            tentative: Vec::new(),
            last_id: 0,
            skipped: 0,
            frames: 0,
        })
    }

    /// Changes the parameters at run time; tracks and ids are kept.
    pub fn set_config(&mut self, cfg: TrackerConfig) -> Result<(), TrackerError> {
        cfg.validate()?;
        self.cfg = cfg;
        Ok(())
    }

    pub fn config(&self) -> &TrackerConfig {
        &self.cfg
    }

    /// Forgets every track. Ids keep counting: an id never names two objects.
    pub fn reset(&mut self) {
        self.confirmed.clear();
        self.tentative.clear();
        self.frames = 0;
    }

    /// Confirmed tracks (tracked and lost).
    pub fn tracks(&self) -> impl Iterator<Item = &Track> {
        self.confirmed.iter().map(|s| &s.track)
    }

    /// Detections skipped so far because their box or score was not finite, or the box was
    /// empty (x2 <= x1 or y2 <= y1).
    pub fn skipped_detections(&self) -> u64 {
        self.skipped
    }

    /// One frame. Returns, for each input detection (same order), the id of the confirmed track
    /// it was assigned to, or None (taken by a tentative track, unmatched, or a low score that
    /// started nothing).
    pub fn update(&mut self, dets: &[Detection]) -> Vec<Option<u64>> {
        self.frames += 1;
        let cfg = &self.cfg;
        let mut out = vec![None; dets.len()];
        let (mut high, mut low) = (Vec::new(), Vec::new());
        for (i, d) in dets.iter().enumerate() {
            let b = d.bbox;
            if !(d.score.is_finite()
                && b.iter().all(|v| v.is_finite())
                && b[2] > b[0]
                && b[3] > b[1])
            {
                self.skipped += 1;
            } else if d.score >= cfg.high_threshold {
                high.push(i);
            } else if d.score >= cfg.low_threshold {
                low.push(i);
            }
        }
        for s in self.confirmed.iter_mut().chain(self.tentative.iter_mut()) {
            s.predict();
        }
        let class_ok = |t: &Track, d: &Detection| !cfg.per_class || t.class_id == d.class_id;
        let fused = |t: &Track, d: &Detection| {
            let iou = iou(t.bbox, d.bbox);
            if cfg.fuse_score {
                iou * f64::from(d.score.clamp(0.0, 1.0))
            } else {
                iou
            }
        };

        // 1. High-score detections against all confirmed tracks.
        let mut high_used = vec![false; high.len()];
        let mut matched = vec![false; self.confirmed.len()];
        let pairs = assign(
            self.confirmed.len(),
            high.len(),
            f64::from(cfg.match_iou),
            |t, j| {
                let (t, d) = (&self.confirmed[t].track, &dets[high[j]]);
                class_ok(t, d).then(|| fused(t, d))
            },
        );
        for (t, j) in pairs {
            let d = &dets[high[j]];
            self.confirmed[t].take(d);
            (matched[t], high_used[j]) = (true, true);
            out[high[j]] = Some(self.confirmed[t].track.id);
        }

        // 2. Low-score detections against the confirmed tracks seen last frame and unmatched
        // (an unmatched track's state is still last frame's).
        let rest: Vec<usize> = (0..self.confirmed.len())
            .filter(|&t| !matched[t] && self.confirmed[t].track.state == TrackState::Tracked)
            .collect();
        let pairs = assign(
            rest.len(),
            low.len(),
            f64::from(cfg.low_match_iou),
            |a, j| {
                let (t, d) = (&self.confirmed[rest[a]].track, &dets[low[j]]);
                class_ok(t, d).then(|| iou(t.bbox, d.bbox))
            },
        );
        for (a, j) in pairs {
            let (t, d) = (rest[a], &dets[low[j]]);
            self.confirmed[t].take(d);
            matched[t] = true;
            out[low[j]] = Some(self.confirmed[t].track.id);
        }
        for (s, m) in self.confirmed.iter_mut().zip(&matched) {
            if !m {
                s.track.state = TrackState::Lost;
            }
        }

        // 3. Tentative tracks against the high-score detections left.
        let left: Vec<usize> = (0..high.len())
            .filter(|&j| !high_used[j])
            .map(|j| high[j])
            .collect();
        let mut left_used = vec![false; left.len()];
        let pairs = assign(
            self.tentative.len(),
            left.len(),
            f64::from(cfg.tentative_match_iou),
            |t, j| {
                let (t, d) = (&self.tentative[t].track, &dets[left[j]]);
                class_ok(t, d).then(|| fused(t, d))
            },
        );
        let mut took = vec![None; self.tentative.len()];
        for (t, j) in pairs {
            self.tentative[t].take(&dets[left[j]]);
            (took[t], left_used[j]) = (Some(left[j]), true);
        }
        // A tentative track unmatched for more than tentative_miss_frames frames is dropped.
        let patience = cfg.tentative_miss_frames;
        let mut alive: Vec<(Slot, Option<usize>)> = std::mem::take(&mut self.tentative)
            .into_iter()
            .zip(took)
            .filter(|(s, d)| d.is_some() || s.track.frames_since_seen <= patience)
            .collect();
        for j in (0..left.len()).filter(|&j| !left_used[j]) {
            let d = &dets[left[j]];
            if d.score >= cfg.new_track_threshold {
                alive.push((Slot::new(d), Some(left[j])));
            }
        }
        let at_once = cfg.confirm_first_frame && self.frames == 1;
        for (mut s, d) in alive {
            // Only a track that took a detection this frame can reach min_hits now.
            if let (Some(d), true) = (d, at_once || s.track.hits >= cfg.min_hits) {
                self.last_id += 1;
                s.track.id = self.last_id;
                out[d] = Some(s.track.id);
                self.confirmed.push(s);
            } else {
                if d.is_none() {
                    s.track.state = TrackState::Lost;
                }
                self.tentative.push(s);
            }
        }

        // 4. Forget tracks lost too long, and lost tracks that a tracked one now covers (the
        // object came back under a new id; the stale copy would only steal detections later).
        let buffer = cfg.lost_buffer_frames;
        self.confirmed
            .retain(|s| s.track.frames_since_seen <= buffer);
        // With `per_class`, a cat and the table under it are two objects, not one tracked twice:
        // only a tracked box of the lost track's own class makes it a duplicate (a camera that
        // looks from a cat to a table would otherwise forget the cat).
        let seen: Vec<([f32; 4], usize)> = self
            .confirmed
            .iter()
            .filter(|s| s.track.state == TrackState::Tracked)
            .map(|s| (s.track.bbox, s.track.class_id))
            .collect();
        self.confirmed.retain(|s| {
            s.track.state == TrackState::Tracked
                || seen.iter().all(|&(b, c)| (cfg.per_class && c != s.track.class_id) || iou(b, s.track.bbox) <= DUPLICATE_IOU)
        });
        out
    }
}

/// ByteTrack's duplicate rule: IoU above 0.85 (distance below 0.15) between a tracked and a lost
/// track.
const DUPLICATE_IOU: f64 = 0.85;

fn f64_box(b: [f32; 4]) -> [f64; 4] {
    b.map(f64::from)
}

fn f32_box(b: [f64; 4]) -> [f32; 4] {
    b.map(|v| v as f32)
}

/// Intersection over union; 0 for empty or degenerate boxes.
fn iou(a: [f32; 4], b: [f32; 4]) -> f64 {
    let [a, b] = [f64_box(a), f64_box(b)];
    let iw = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let ih = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let inter = iw * ih;
    let area = |b: [f64; 4]| (b[2] - b[0]).max(0.0) * (b[3] - b[1]).max(0.0);
    let union = area(a) + area(b) - inter;
    if union > 0.0 { inter / union } else { 0.0 }
}
