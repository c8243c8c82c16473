//! Resolving a spoken `target` against what the camera currently sees.

use serde::{Deserialize, Serialize};

/// One current detection, as the node receives it from the vision pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    pub label: String,
    pub id: String,
    pub score: f32,
    /// Bounding-box area in pixels²; larger usually means closer.
    pub box_area: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Grounding {
    /// The most prominent matching detection.
    InView { detection_id: String, label: String },
    /// Nothing visible matches; the node may search or ask.
    NotInView,
}

pub(crate) fn singular(w: &str) -> &str {
    if w.len() > 3
        && w.ends_with("es")
        && (w.ends_with("ches") || w.ends_with("shes") || w.ends_with("xes"))
    {
        &w[..w.len() - 2]
    } else if w.len() > 2 && w.ends_with('s') && !w.ends_with("ss") {
        &w[..w.len() - 1]
    } else {
        w
    }
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| singular(&w.to_lowercase()).to_string())
        .collect()
}

/// How well a detection label names the target: all label words must occur
/// in the target ("red cup" matches label "cup"; "cup" does not match
/// "coffee cup"). More matched words rank higher.
fn label_match(target: &[String], label: &str) -> Option<usize> {
    let lw = words(label);
    (!lw.is_empty() && lw.iter().all(|w| target.contains(w))).then_some(lw.len())
}

/// Picks the detection the target most plausibly means: best label match,
/// then highest `score × box_area` (confident and close). Detections below
/// `min_score`, or with non-finite numbers, are ignored.
pub fn ground_target(target: &str, detections: &[Detection], min_score: f32) -> Grounding {
    let t = words(target);
    let mut best: Option<(usize, f32, &Detection)> = None;
    for d in detections {
        if !(d.score.is_finite() && d.box_area.is_finite())
            || d.score < min_score
            || d.box_area < 0.0
        {
            continue;
        }
        let Some(m) = label_match(&t, &d.label) else {
            continue;
        };
        let prominence = d.score * d.box_area;
        let better = match best {
            None => true,
            Some((bm, bp, _)) => m > bm || (m == bm && prominence > bp),
        };
        if better {
            best = Some((m, prominence, d));
        }
    }
    match best {
        Some((_, _, d)) => Grounding::InView {
            detection_id: d.id.clone(),
            label: d.label.clone(),
        },
        None => Grounding::NotInView,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(label: &str, id: &str, score: f32, area: f32) -> Detection {
        Detection {
            label: label.into(),
            id: id.into(),
            score,
            box_area: area,
        }
    }

    #[test]
    fn picks_most_prominent_matching_instance() {
        let d = vec![
            det("cup", "c1", 0.9, 100.0),
            det("cup", "c2", 0.8, 900.0),
            det("person", "p1", 0.99, 5000.0),
            det("cup", "c3", f32::NAN, 1e9),
        ];
        assert_eq!(
            ground_target("red cups", &d, 0.3),
            Grounding::InView {
                detection_id: "c2".into(),
                label: "cup".into()
            }
        );
        assert_eq!(ground_target("ball", &d, 0.3), Grounding::NotInView);
        assert_eq!(ground_target("cup", &d, 0.95), Grounding::NotInView);
    }

    #[test]
    fn more_specific_label_wins() {
        let d = vec![
            det("cup", "a", 0.9, 1000.0),
            det("coffee cup", "b", 0.5, 10.0),
        ];
        assert_eq!(
            ground_target("the coffee cup", &d, 0.1),
            Grounding::InView {
                detection_id: "b".into(),
                label: "coffee cup".into()
            }
        );
    }
}
