//! The tracker's behaviour through its public API, on synthetic scenes.

use tracker::{Detection, TrackState, Tracker, TrackerConfig, TrackerError};

const PERSON: usize = 0;
const CUP: usize = 41;

fn det(cx: f32, cy: f32, score: f32, class_id: usize) -> Detection {
    Detection {
        bbox: [cx - 20.0, cy - 40.0, cx + 20.0, cy + 40.0],
        score,
        class_id,
    }
}

fn tracker(cfg: TrackerConfig) -> Tracker {
    Tracker::new(cfg).expect("valid config")
}

#[test]
fn an_id_stays_the_same_across_a_linear_motion() {
    let cfg = TrackerConfig {
        min_hits: 3,
        confirm_first_frame: false,
        ..TrackerConfig::default()
    };
    let mut t = tracker(cfg);
    let mut ids = Vec::new();
    for f in 0..60 {
        let out = t.update(&[det(
            50.0 + 6.0 * f as f32,
            200.0 + 1.5 * f as f32,
            0.9,
            PERSON,
        )]);
        ids.push(out[0]);
    }
    // Confirmed at the third hit, then the same id to the end.
    assert_eq!(&ids[..2], &[None, None]);
    assert!(ids[2..].iter().all(|&i| i == Some(1)), "{ids:?}");
    let tr: Vec<_> = t.tracks().collect();
    assert_eq!(tr.len(), 1);
    assert_eq!(
        (tr[0].id, tr[0].hits, tr[0].state),
        (1, 60, TrackState::Tracked)
    );
    // The smoothed box follows the object.
    let cx = (tr[0].bbox[0] + tr[0].bbox[2]) / 2.0;
    assert!((cx - (50.0 + 6.0 * 59.0)).abs() < 2.0, "cx {cx}");
}

#[test]
fn two_crossing_objects_keep_their_ids() {
    // Same size, same height in the image, opposite directions: at the crossing both boxes are
    // the same box, and only the motion model can tell which is which.
    let mut t = tracker(TrackerConfig::default());
    let (mut a_id, mut b_id) = (None, None);
    for f in 0..60 {
        let xa = 100.0 + 8.0 * f as f32;
        let xb = 580.0 - 8.0 * f as f32;
        let out = t.update(&[det(xa, 240.0, 0.9, PERSON), det(xb, 240.0, 0.85, PERSON)]);
        if f == 5 {
            (a_id, b_id) = (out[0], out[1]);
            assert!(a_id.is_some() && b_id.is_some() && a_id != b_id);
        }
        if f > 5 {
            assert_eq!((out[0], out[1]), (a_id, b_id), "frame {f}: x {xa} and {xb}");
        }
    }
}

#[test]
fn a_short_miss_keeps_the_id_a_long_one_does_not() {
    let run = |missed: u32| {
        let cfg = TrackerConfig {
            lost_buffer_frames: 10,
            ..TrackerConfig::default()
        };
        let mut t = tracker(cfg);
        let mut first = None;
        for _ in 0..8 {
            first = t.update(&[det(300.0, 200.0, 0.9, PERSON)])[0];
        }
        for _ in 0..missed {
            t.update(&[]);
        }
        let mut back = None;
        for _ in 0..3 {
            back = t.update(&[det(300.0, 200.0, 0.9, PERSON)])[0];
        }
        (first.unwrap(), back.unwrap())
    };
    let (before, after) = run(9);
    assert_eq!(before, after, "missed 9 frames of a 10-frame buffer");
    let (before, after) = run(10);
    assert_eq!(before, after, "missed exactly the buffer");
    let (before, after) = run(11);
    assert_ne!(before, after, "missed 11 frames of a 10-frame buffer");
}

#[test]
fn a_lost_track_is_reported_lost_then_forgotten() {
    let cfg = TrackerConfig {
        lost_buffer_frames: 3,
        ..TrackerConfig::default()
    };
    let mut t = tracker(cfg);
    for _ in 0..4 {
        t.update(&[det(300.0, 200.0, 0.9, PERSON)]);
    }
    t.update(&[]);
    let tr: Vec<_> = t.tracks().cloned().collect();
    assert_eq!(
        (tr.len(), tr[0].state, tr[0].frames_since_seen),
        (1, TrackState::Lost, 1)
    );
    for _ in 0..3 {
        t.update(&[]);
    }
    assert_eq!(t.tracks().count(), 0);
}

#[test]
fn min_hits_delays_confirmation() {
    for min_hits in [1, 3, 5] {
        let cfg = TrackerConfig {
            min_hits,
            confirm_first_frame: false,
            ..TrackerConfig::default()
        };
        let mut t = tracker(cfg);
        let first_id = (1..=10)
            .find(|&f| t.update(&[det(100.0 + f as f32, 100.0, 0.9, PERSON)])[0].is_some())
            .unwrap();
        assert_eq!(first_id, min_hits, "min_hits {min_hits}");
    }
    // ByteTrack's first-frame rule: what is in view at the start is confirmed at once, what
    // appears later waits for its hits.
    let mut t = tracker(TrackerConfig {
        min_hits: 3,
        ..TrackerConfig::default()
    });
    assert_eq!(t.update(&[det(100.0, 100.0, 0.9, PERSON)]), vec![Some(1)]);
    assert_eq!(
        t.update(&[
            det(100.0, 100.0, 0.9, PERSON),
            det(400.0, 100.0, 0.9, PERSON)
        ]),
        vec![Some(1), None]
    );
    assert_eq!(
        t.update(&[
            det(100.0, 100.0, 0.9, PERSON),
            det(400.0, 100.0, 0.9, PERSON)
        ]),
        vec![Some(1), None]
    );
    assert_eq!(
        t.update(&[
            det(100.0, 100.0, 0.9, PERSON),
            det(400.0, 100.0, 0.9, PERSON)
        ]),
        vec![Some(1), Some(2)]
    );

    // A tentative track that misses more than tentative_miss_frames frames starts over.
    let hits_after_a_miss = |tentative_miss_frames: u32| {
        let cfg = TrackerConfig {
            min_hits: 3,
            tentative_miss_frames,
            ..TrackerConfig::default()
        };
        let mut t = tracker(cfg);
        t.update(&[]);
        t.update(&[det(100.0, 100.0, 0.9, PERSON)]);
        t.update(&[det(100.0, 100.0, 0.9, PERSON)]);
        t.update(&[]);
        (1..=5)
            .find(|_| t.update(&[det(100.0, 100.0, 0.9, PERSON)])[0].is_some())
            .unwrap()
    };
    assert_eq!(hits_after_a_miss(0), 3, "dropped: three new hits needed");
    assert_eq!(
        hits_after_a_miss(1),
        1,
        "kept through one miss: its third hit confirms it"
    );
}

#[test]
fn low_scores_continue_a_track_but_never_start_one() {
    let cfg = TrackerConfig::default();
    let low = (cfg.low_threshold + cfg.high_threshold) / 2.0;
    let mut t = tracker(cfg);
    for f in 0..20 {
        assert_eq!(
            t.update(&[det(100.0 + 2.0 * f as f32, 100.0, low, PERSON)]),
            vec![None]
        );
    }
    assert_eq!(t.tracks().count(), 0);

    // A confirmed track keeps its id through an occlusion that only yields weak detections.
    let mut t = tracker(TrackerConfig::default());
    let mut id = None;
    for f in 0..30 {
        let score = if (10..20).contains(&f) { low } else { 0.9 };
        let out = t.update(&[det(100.0 + 3.0 * f as f32, 100.0, score, PERSON)]);
        if f == 9 {
            id = out[0];
        }
        if f >= 9 {
            assert_eq!(out[0], id, "frame {f}, score {score}");
        }
    }
    // Below low_threshold a detection is ignored: the track goes lost.
    let out = t.update(&[det(190.0, 100.0, 0.05, PERSON)]);
    assert_eq!(out, vec![None]);
    assert_eq!(t.tracks().next().unwrap().state, TrackState::Lost);
    // High scores between high_threshold and new_track_threshold continue but do not start.
    let cfg = TrackerConfig {
        high_threshold: 0.5,
        new_track_threshold: 0.6,
        ..TrackerConfig::default()
    };
    let mut t = tracker(cfg);
    for f in 0..10 {
        assert_eq!(
            t.update(&[det(100.0 + 2.0 * f as f32, 100.0, 0.55, PERSON)]),
            vec![None]
        );
    }
}

#[test]
fn per_class_keeps_a_cup_from_taking_a_persons_id() {
    let run = |per_class: bool| {
        let mut t = tracker(TrackerConfig {
            per_class,
            ..TrackerConfig::default()
        });
        let mut person = None;
        for _ in 0..5 {
            person = t.update(&[det(300.0, 200.0, 0.9, PERSON)])[0];
        }
        let mut cup = Vec::new();
        for _ in 0..5 {
            cup.push(t.update(&[det(302.0, 201.0, 0.9, CUP)])[0]);
        }
        (person.unwrap(), cup)
    };
    let (person, cup) = run(true);
    assert!(
        cup.iter().all(|&c| c != Some(person)),
        "person {person}, cup {cup:?}"
    );
    assert!(
        cup[2].is_some(),
        "the cup gets its own id once confirmed: {cup:?}"
    );
    // Without per_class the same scene hands the person's id to the cup: the check above can fail.
    let (person, cup) = run(false);
    assert_eq!(cup[0], Some(person));
}

/// A camera that looks at a cat, then at a table in the same place (the cat's box on the table's),
/// then at the cat again: with per_class the cat keeps its id, since a table is no duplicate of
/// it (ByteTrack's class-blind duplicate rule dropped the lost cat track: the cat came back new).
#[test]
fn per_class_a_lost_track_is_no_duplicate_of_another_class() {
    const CAT: usize = 15;
    const TABLE: usize = 60;
    let big = |class_id| Detection { bbox: [10.0, 20.0, 620.0, 440.0], score: 0.85, class_id };
    let run = |per_class: bool| {
        let mut t = tracker(TrackerConfig { per_class, ..TrackerConfig::default() });
        let first = (0..5).map(|_| t.update(&[big(CAT)])[0]).last().flatten();
        for _ in 0..5 {
            t.update(&[big(TABLE)]);
        }
        let again = t.update(&[big(CAT)])[0];
        (first.expect("the cat has an id"), again)
    };
    let (cat, again) = run(true);
    assert_eq!(again, Some(cat));
}

#[test]
fn config_validation_names_the_field() {
    let field = |cfg: TrackerConfig| match cfg.validate() {
        Err(TrackerError::OutOfRange { field, .. }) => field,
        Ok(()) => "ok",
    };
    let d = TrackerConfig::default;
    assert_eq!(field(d()), "ok");
    assert_eq!(
        field(TrackerConfig {
            high_threshold: 1.5,
            ..d()
        }),
        "high_threshold"
    );
    assert_eq!(
        field(TrackerConfig {
            high_threshold: f32::NAN,
            ..d()
        }),
        "high_threshold"
    );
    assert_eq!(
        field(TrackerConfig {
            low_threshold: 0.7,
            ..d()
        }),
        "low_threshold"
    );
    assert_eq!(
        field(TrackerConfig {
            new_track_threshold: -0.1,
            ..d()
        }),
        "new_track_threshold"
    );
    assert_eq!(
        field(TrackerConfig {
            match_iou: 0.0,
            ..d()
        }),
        "match_iou"
    );
    assert_eq!(
        field(TrackerConfig {
            low_match_iou: 2.0,
            ..d()
        }),
        "low_match_iou"
    );
    assert_eq!(
        field(TrackerConfig {
            tentative_match_iou: 0.0,
            ..d()
        }),
        "tentative_match_iou"
    );
    assert_eq!(
        field(TrackerConfig {
            lost_buffer_frames: 1_000_000,
            ..d()
        }),
        "lost_buffer_frames"
    );
    assert_eq!(field(TrackerConfig { min_hits: 0, ..d() }), "min_hits");
    assert_eq!(
        field(TrackerConfig {
            tentative_miss_frames: 31,
            ..d()
        }),
        "tentative_miss_frames"
    );
    let err = Tracker::new(TrackerConfig { min_hits: 0, ..d() }).unwrap_err();
    assert!(err.to_string().contains("min_hits"), "{err}");

    // set_config refuses a bad config and keeps the old one; a good one keeps the tracks.
    let mut t = tracker(d());
    for _ in 0..3 {
        t.update(&[det(100.0, 100.0, 0.9, PERSON)]);
    }
    assert!(
        t.set_config(TrackerConfig {
            match_iou: -1.0,
            ..d()
        })
        .is_err()
    );
    assert_eq!(t.config(), &d());
    t.set_config(TrackerConfig {
        lost_buffer_frames: 5,
        ..d()
    })
    .unwrap();
    assert_eq!(t.update(&[det(100.0, 100.0, 0.9, PERSON)]), vec![Some(1)]);
}

#[test]
fn bad_input_is_skipped_and_counted() {
    let mut t = tracker(TrackerConfig {
        min_hits: 1,
        ..TrackerConfig::default()
    });
    let good = det(100.0, 100.0, 0.9, PERSON);
    let bad = [
        Detection {
            bbox: [f32::NAN, 0.0, 10.0, 10.0],
            ..good
        },
        Detection {
            bbox: [0.0, 0.0, f32::INFINITY, 10.0],
            ..good
        },
        Detection {
            score: f32::NAN,
            ..good
        },
        Detection {
            bbox: [10.0, 10.0, 10.0, 30.0],
            ..good
        },
        Detection {
            bbox: [10.0, 30.0, 20.0, 10.0],
            ..good
        },
    ];
    let mut input = bad.to_vec();
    input.push(good);
    let out = t.update(&input);
    assert_eq!(out, vec![None, None, None, None, None, Some(1)]);
    assert_eq!(t.skipped_detections(), 5);
    assert!(t.tracks().all(|tr| tr.bbox.iter().all(|v| v.is_finite())));
}

#[test]
fn ids_are_never_reused_even_after_reset() {
    let mut t = tracker(TrackerConfig {
        min_hits: 1,
        ..TrackerConfig::default()
    });
    assert_eq!(t.update(&[det(100.0, 100.0, 0.9, PERSON)]), vec![Some(1)]);
    t.reset();
    assert_eq!(t.tracks().count(), 0);
    assert_eq!(t.update(&[det(100.0, 100.0, 0.9, PERSON)]), vec![Some(2)]);
}

#[test]
fn many_objects_keep_their_ids() {
    // A grid of 40 objects drifting together, each missed now and then: no id changes.
    let mut t = tracker(TrackerConfig::default());
    let mut first: Vec<Option<u64>> = vec![None; 40];
    for f in 0..80u32 {
        let dets: Vec<_> = (0..40)
            .map(|k| {
                det(
                    60.0 + 70.0 * (k % 8) as f32 + 2.0 * f as f32,
                    60.0 + 110.0 * (k / 8) as f32,
                    0.9,
                    PERSON,
                )
            })
            .collect();
        // Object k is missed at frames where (f + k) % 13 == 0.
        let keep: Vec<usize> = (0..40)
            .filter(|k| f < 5 || !(f as usize + k).is_multiple_of(13))
            .collect();
        let input: Vec<_> = keep.iter().map(|&k| dets[k]).collect();
        let out = t.update(&input);
        for (&k, id) in keep.iter().zip(out) {
            if f >= 2 {
                let want = *first[k].get_or_insert(id.expect("confirmed"));
                assert_eq!(id, Some(want), "object {k} at frame {f}");
            }
        }
    }
    assert_eq!(t.tracks().count(), 40);
}
