//! Resolving a spoken `target` against what the robot has seen: a short-lived world state of the
//! objects the vision pipeline reports (track id -> label, box, 3D position, last seen), kept from
//! the detection and 3D detection topics, and the rule that picks one of them.
//!
//! With tracking on, an object keeps its id while it stays tracked, so two commands naming it
//! resolve to the same id. The rule: the best label match; among those, objects in view before
//! ones only remembered; then the nearest when distances are known, else the most prominent
//! (score x box area: confident and large).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// One object in the latest detections, as the node receives it from the vision pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    pub label: String,
    /// Detection2D.id: the track id when the detection node tracks.
    pub id: String,
    pub score: f32,
    /// Bounding-box area in pixels²; larger usually means closer.
    pub box_area: f32,
}

/// Where an object was seen in space (from a 3D detection).
#[derive(Debug, Clone, PartialEq)]
pub struct Position {
    /// Metres in `frame_id` (the camera's optical frame: x right, y down, z forward).
    pub xyz: [f64; 3],
    pub frame_id: String,
    /// Stamp of the image it was seen in (sec, nanosec).
    pub stamp: (i32, u32),
}

impl Position {
    pub fn distance(&self) -> f64 {
        self.xyz.iter().map(|v| v * v).sum::<f64>().sqrt()
    }
}

/// The object a target resolved to.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub id: String,
    pub label: String,
    /// In the latest detections.
    pub in_view: bool,
    pub position: Option<Position>,
    /// Seconds since it was last seen.
    pub last_seen_s: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Grounding {
    Found(Target),
    /// Nothing seen recently matches; the robot may search or ask.
    NotInView,
}

#[derive(Debug, Clone)]
struct Object {
    label: String,
    score: f32,
    box_area: f32,
    last_seen: Instant,
    position: Option<Position>,
}

/// What the robot has seen lately, by object id.
#[derive(Debug, Default)]
pub struct WorldState {
    objects: HashMap<String, Object>,
    /// When the latest detections message came: objects seen then are in view.
    latest: Option<Instant>,
}

impl WorldState {
    /// A detections message: the objects in view now. Others stay remembered until [`Self::forget_older_than`].
    pub fn observe(&mut self, now: Instant, detections: &[Detection]) {
        self.latest = Some(now);
        for d in detections {
            if !(d.score.is_finite() && d.box_area.is_finite()) || d.id.is_empty() {
                continue;
            }
            let o = self.objects.entry(d.id.clone()).or_insert_with(|| Object {
                label: d.label.clone(),
                score: d.score,
                box_area: d.box_area,
                last_seen: now,
                position: None,
            });
            o.label.clone_from(&d.label);
            (o.score, o.box_area, o.last_seen) = (d.score, d.box_area, now);
        }
    }

    /// A 3D detection of object `id` (matched to the object by id; an id not seen in 2D yet is
    /// remembered with the label given here).
    pub fn place(&mut self, now: Instant, id: &str, label: &str, position: Position) {
        if id.is_empty() || !position.xyz.iter().all(|v| v.is_finite()) {
            return;
        }
        let o = self.objects.entry(id.to_string()).or_insert_with(|| Object {
            label: label.to_string(),
            score: 0.0,
            box_area: 0.0,
            last_seen: now,
            position: None,
        });
        o.position = Some(position);
    }

    /// Forgets objects not seen for `max_age`: the world state is short-lived on purpose, a robot
    /// must not drive to where something was a minute ago.
    pub fn forget_older_than(&mut self, now: Instant, max_age: Duration) {
        self.objects.retain(|_, o| now.saturating_duration_since(o.last_seen) <= max_age);
    }

    pub fn len(&self) -> usize {
        self.objects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// Labels are looked up late (the node's label map may arrive after the detections).
    pub fn relabel(&mut self, mut name_of: impl FnMut(&str) -> Option<String>) {
        for o in self.objects.values_mut() {
            if let Some(n) = name_of(&o.label) {
                o.label = n;
            }
        }
    }

    /// The object `target` most plausibly means among those seen within `max_age` with at
    /// least `min_score`.
    pub fn ground(&self, target: &str, now: Instant, max_age: Duration, min_score: f32) -> Grounding {
        let t = words(target);
        // (label match, in view, nearness or prominence) - larger is better.
        let mut best: Option<((usize, bool, f64), &String, &Object)> = None;
        let any_distance = self.objects.values().any(|o| o.position.is_some());
        for (id, o) in &self.objects {
            let age = now.saturating_duration_since(o.last_seen);
            if age > max_age || o.score < min_score {
                continue;
            }
            let Some(m) = label_match(&t, &o.label) else { continue };
            let in_view = self.latest == Some(o.last_seen);
            let rank = match (&o.position, any_distance) {
                (Some(p), true) => -p.distance(),
                // Without a distance an object ranks behind every one with one.
                (None, true) => f64::NEG_INFINITY,
                (_, false) => (o.score * o.box_area) as f64,
            };
            let key = (m, in_view, rank);
            let better = match &best {
                None => true,
                Some((bk, bid, _)) => key.partial_cmp(bk) == Some(std::cmp::Ordering::Greater) || (key == *bk && id < *bid),
            };
            if better {
                best = Some((key, id, o));
            }
        }
        match best {
            Some(((_, in_view, _), id, o)) => Grounding::Found(Target {
                id: id.clone(),
                label: o.label.clone(),
                in_view,
                position: o.position.clone(),
                last_seen_s: now.saturating_duration_since(o.last_seen).as_secs_f64(),
            }),
            None => Grounding::NotInView,
        }
    }
}

pub(crate) fn singular(w: &str) -> &str {
    if w.len() > 3 && w.ends_with("es") && (w.ends_with("ches") || w.ends_with("shes") || w.ends_with("xes")) {
        &w[..w.len() - 2]
    } else if w.len() > 2 && w.ends_with('s') && !w.ends_with("ss") {
        &w[..w.len() - 1]
    } else {
        w
    }
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| singular(&w.to_lowercase()).to_string()).collect()
}

/// How well a detection label names the target: all label words must occur
/// in the target ("red cup" matches label "cup"; "cup" does not match
/// "coffee cup"). More matched words rank higher.
fn label_match(target: &[String], label: &str) -> Option<usize> {
    let lw = words(label);
    (!lw.is_empty() && lw.iter().all(|w| target.contains(w))).then_some(lw.len())
}

/// Picks among one frame's detections only (no memory, no positions): best label match, then
/// the most prominent. Detections below `min_score`, or with non-finite numbers, are ignored.
pub fn ground_target(target: &str, detections: &[Detection], min_score: f32) -> Grounding {
    let now = Instant::now();
    let mut w = WorldState::default();
    w.observe(now, detections);
    w.ground(target, now, Duration::ZERO, min_score)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(label: &str, id: &str, score: f32, area: f32) -> Detection {
        Detection { label: label.into(), id: id.into(), score, box_area: area }
    }

    fn found(g: Grounding) -> Target {
        match g {
            Grounding::Found(t) => t,
            Grounding::NotInView => panic!("not grounded"),
        }
    }

    fn at(x: f64, z: f64) -> Position {
        Position { xyz: [x, 0.0, z], frame_id: "cam".into(), stamp: (1, 0) }
    }

    #[test]
    fn picks_most_prominent_matching_instance() {
        let d = vec![det("cup", "c1", 0.9, 100.0), det("cup", "c2", 0.8, 900.0), det("person", "p1", 0.99, 5000.0), det("cup", "c3", f32::NAN, 1e9)];
        let t = found(ground_target("red cups", &d, 0.3));
        assert_eq!((t.id.as_str(), t.label.as_str(), t.in_view), ("c2", "cup", true));
        assert_eq!(ground_target("ball", &d, 0.3), Grounding::NotInView);
        assert_eq!(ground_target("cup", &d, 0.95), Grounding::NotInView);
    }

    #[test]
    fn more_specific_label_wins() {
        let d = vec![det("cup", "a", 0.9, 1000.0), det("coffee cup", "b", 0.5, 10.0)];
        assert_eq!(found(ground_target("the coffee cup", &d, 0.1)).id, "b");
    }

    #[test]
    fn the_nearest_instance_wins_when_distances_are_known() {
        let t0 = Instant::now();
        let mut w = WorldState::default();
        // The far person has the bigger box (a close-up photo on a wall, say): distance decides.
        w.observe(t0, &[det("person", "1", 0.9, 9000.0), det("person", "2", 0.9, 1000.0), det("chair", "3", 0.9, 500.0)]);
        w.place(t0, "1", "person", at(0.5, 4.0));
        w.place(t0, "2", "person", at(-0.3, 1.5));
        let t = found(w.ground("person", t0, Duration::from_secs(2), 0.3));
        assert_eq!(t.id, "2");
        assert!((t.position.unwrap().distance() - (0.09f64 + 2.25).sqrt()).abs() < 1e-12);
        // The same object while it stays tracked: the same id on the next command.
        let t1 = t0 + Duration::from_millis(500);
        w.observe(t1, &[det("person", "1", 0.9, 9000.0), det("person", "2", 0.9, 1100.0)]);
        w.place(t1, "2", "person", at(-0.3, 1.4));
        assert_eq!(found(w.ground("person", t1, Duration::from_secs(2), 0.3)).id, "2");
    }

    #[test]
    fn remembered_objects_ground_but_are_not_in_view_and_are_forgotten() {
        let t0 = Instant::now();
        let mut w = WorldState::default();
        w.observe(t0, &[det("chair", "7", 0.8, 100.0)]);
        let t1 = t0 + Duration::from_secs(1);
        w.observe(t1, &[det("person", "1", 0.9, 100.0)]);
        let chair = found(w.ground("the chair", t1, Duration::from_secs(2), 0.3));
        assert_eq!((chair.id.as_str(), chair.in_view), ("7", false));
        assert!((chair.last_seen_s - 1.0).abs() < 1e-9);
        assert!(found(w.ground("person", t1, Duration::from_secs(2), 0.3)).in_view);
        // In view beats remembered for the same label.
        w.observe(t1 + Duration::from_millis(100), &[det("chair", "9", 0.5, 10.0)]);
        assert_eq!(found(w.ground("chair", t1 + Duration::from_millis(100), Duration::from_secs(2), 0.3)).id, "9");
        let late = t1 + Duration::from_secs(5);
        assert_eq!(w.ground("chair", late, Duration::from_secs(2), 0.3), Grounding::NotInView);
        w.forget_older_than(late, Duration::from_secs(2));
        assert!(w.is_empty());
    }

    #[test]
    fn bad_input_is_ignored() {
        let t0 = Instant::now();
        let mut w = WorldState::default();
        w.observe(t0, &[det("cup", "", 0.9, 10.0), det("cup", "x", f32::INFINITY, 10.0)]);
        w.place(t0, "y", "cup", Position { xyz: [f64::NAN, 0.0, 1.0], frame_id: String::new(), stamp: (0, 0) });
        assert!(w.is_empty());
    }
}
