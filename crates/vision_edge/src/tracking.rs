//! Persistent ids for a vision node's detections: the `tracker` crate behind the node's
//! `tracking.*` parameters.
//!
//! With tracking on, the detector runs down to `tracking.low_threshold` so that the tracker's
//! second association stage has the low-score detections of partly hidden objects to keep their
//! tracks with (ByteTrack's point): a person half hidden for a few frames keeps the id. What is
//! published is what the node's `score_threshold` lets through, exactly as without tracking
//! (so the output's boxes and scores do not depend on tracking), with the confirmed track's id,
//! or "" while the track is still tentative.

use r2r::RosParams;
use tracker::{Tracker, TrackerConfig};

/// `tracking.*` parameters (nested: r2r names them `tracking.enabled`, ...).
#[derive(RosParams, Clone, Debug, PartialEq)]
pub struct TrackingParams {
    /// Give each detection a persistent track id in Detection2D.id (ByteTrack family: Kalman-filtered boxes, two-stage association); false = ids `<frame>-<index>`, new every frame.
    pub enabled: bool,
    /// Detections at or above this score take part in the first association and may start tracks [0, 1].
    pub high_threshold: f64,
    /// Detections between this and high_threshold only continue tracks seen in the last frame (the detector then runs down to this score) [0, 1].
    pub low_threshold: f64,
    /// A new track starts only from an unmatched detection at or above this score [0, 1].
    pub new_track_threshold: f64,
    /// Overlap (IoU, weighted by the score) a detection needs with a track's predicted box to continue it [0.01, 1].
    pub match_iou: f64,
    /// Frames a track is kept, predicted, while its object is not detected; it gets its id back if seen again within them [0, 18000].
    pub lost_buffer_frames: i64,
    /// Frames an object must be detected in before its track is confirmed and gets an id [1, 1000].
    pub min_hits: i64,
    /// A track only takes detections of its own class.
    pub per_class: bool,
}

/// The f64 a person would write for an f32 default (0.1f32 as f64 is 0.10000000149...).
fn shortest(v: f32) -> f64 {
    v.to_string().parse().unwrap_or(v as f64)
}

impl Default for TrackingParams {
    fn default() -> Self {
        let c = TrackerConfig::default();
        Self {
            enabled: true,
            high_threshold: shortest(c.high_threshold),
            low_threshold: shortest(c.low_threshold),
            new_track_threshold: shortest(c.new_track_threshold),
            match_iou: shortest(c.match_iou),
            lost_buffer_frames: c.lost_buffer_frames as i64,
            min_hits: c.min_hits as i64,
            per_class: c.per_class,
        }
    }
}

impl TrackingParams {
    pub fn config(&self) -> TrackerConfig {
        TrackerConfig {
            high_threshold: self.high_threshold as f32,
            low_threshold: self.low_threshold as f32,
            new_track_threshold: self.new_track_threshold as f32,
            match_iou: self.match_iou as f32,
            lost_buffer_frames: self.lost_buffer_frames.clamp(0, u32::MAX as i64) as u32,
            min_hits: self.min_hits.clamp(0, u32::MAX as i64) as u32,
            per_class: self.per_class,
            ..TrackerConfig::default()
        }
    }

    /// Range checks for `NodeParams::validate`: `Err((parameter, reason))`.
    pub fn validate(&self) -> Result<(), (String, String)> {
        ros_edge::in_range("tracking.lost_buffer_frames", self.lost_buffer_frames, 0, tracker::MAX_LOST_BUFFER_FRAMES as i64)?;
        ros_edge::in_range("tracking.min_hits", self.min_hits, 1, tracker::MAX_MIN_HITS as i64)?;
        self.config().validate().map_err(|e| match e {
            tracker::TrackerError::OutOfRange { field, .. } => (format!("tracking.{field}"), e.to_string()),
        })
    }

    /// The score the detector must run down to for a node publishing from `score_threshold`.
    pub fn detect_threshold(&self, score_threshold: f64) -> f64 {
        if self.enabled { score_threshold.min(self.low_threshold) } else { score_threshold }
    }
}

/// One detection as the tracker sees it: corners in pixels, score, class.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observed {
    pub bbox: [f32; 4],
    pub score: f32,
    pub class_id: usize,
}

/// The node's tracker, rebuilt when its parameters change.
#[derive(Default)]
pub struct TrackIds {
    tracker: Option<(TrackingParams, Tracker)>,
}

impl TrackIds {
    /// Which of one frame's detections to publish, with their ids: `(index, id)` in input order.
    pub fn assign(&mut self, p: &TrackingParams, dets: &[Observed], frame: u64, score_threshold: f32) -> Vec<(usize, String)> {
        if !p.enabled {
            self.tracker = None;
            return (0..dets.len()).filter(|&i| dets[i].score >= score_threshold).map(|i| (i, format!("{frame}-{i}"))).collect();
        }
        // A run-time change keeps the tracks and their ids; only a first start builds a tracker.
        let kept = match &mut self.tracker {
            Some((applied, _)) if applied == p => true,
            Some((applied, t)) => {
                let ok = t.set_config(p.config()).is_ok();
                if ok {
                    *applied = p.clone();
                }
                ok
            }
            None => false,
        };
        if !kept {
            match Tracker::new(p.config()) {
                Ok(t) => self.tracker = Some((p.clone(), t)),
                Err(e) => {
                    // validate() refuses such values; should one get through, no ids beat a panic.
                    tracing::warn!(error = %e, "tracker not started");
                    return (0..dets.len()).filter(|&i| dets[i].score >= score_threshold).map(|i| (i, String::new())).collect();
                }
            }
        }
        let (_, tracker) = self.tracker.as_mut().expect("tracker set above");
        let input: Vec<tracker::Detection> =
            dets.iter().map(|d| tracker::Detection { bbox: d.bbox, score: d.score, class_id: d.class_id }).collect();
        let ids = tracker.update(&input);
        ids.into_iter()
            .enumerate()
            .filter(|(i, _)| dets[*i].score >= score_threshold)
            .map(|(i, id)| (i, id.map(|id| id.to_string()).unwrap_or_default()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(x: f32, score: f32) -> Observed {
        Observed { bbox: [x, 10.0, x + 50.0, 110.0], score, class_id: 0 }
    }

    #[test]
    fn ids_persist_through_low_score_frames_and_only_the_threshold_decides_what_is_published() {
        let p = TrackingParams::default();
        let mut t = TrackIds::default();
        let first = t.assign(&p, &[det(0.0, 0.9), det(300.0, 0.15)], 1, 0.25);
        // Confirmed at once in the first frame; the low-score one starts nothing and is not published.
        assert_eq!(first, vec![(0, "1".to_string())]);
        // The object moves and its score drops below the publishing threshold for two frames: not
        // published then, but its track continues on the low-score detection ...
        assert_eq!(t.assign(&p, &[det(5.0, 0.2)], 2, 0.25), vec![]);
        assert_eq!(t.assign(&p, &[det(10.0, 0.15)], 3, 0.25), vec![]);
        // ... so it has its id when it is confident again.
        assert_eq!(t.assign(&p, &[det(10.0, 0.8)], 4, 0.25), vec![(0, "1".to_string())]);
        // A new object: tentative (no id yet) until its second hit, but published at its score.
        assert_eq!(t.assign(&p, &[det(15.0, 0.8), det(400.0, 0.9)], 5, 0.25), vec![(0, "1".into()), (1, String::new())]);
        assert_eq!(t.assign(&p, &[det(20.0, 0.8), det(402.0, 0.9)], 6, 0.25), vec![(0, "1".into()), (1, "2".into())]);
    }

    #[test]
    fn off_means_frame_ids_and_the_plain_threshold() {
        let p = TrackingParams { enabled: false, ..Default::default() };
        assert_eq!(p.detect_threshold(0.25), 0.25);
        assert_eq!(TrackingParams::default().detect_threshold(0.25), 0.1);
        let mut t = TrackIds::default();
        assert_eq!(t.assign(&p, &[det(0.0, 0.9), det(300.0, 0.1)], 7, 0.25), vec![(0, "7-0".to_string())]);
    }

    #[test]
    fn ranges_name_the_parameter() {
        assert!(TrackingParams::default().validate().is_ok());
        assert_eq!(TrackingParams { min_hits: 0, ..Default::default() }.validate().unwrap_err().0, "tracking.min_hits");
        assert_eq!(TrackingParams { high_threshold: 2.0, ..Default::default() }.validate().unwrap_err().0, "tracking.high_threshold");
    }
}
