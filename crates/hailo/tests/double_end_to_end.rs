//! The Rust side end to end through the TEST DOUBLE of the shim ABI (tests/double): real FFI
//! calls, real buffers in HailoRT's layout, simulated latency; no device.
//!
//!     cargo test --release -p hailo --features hailo-double
#![cfg(feature = "hailo-double")]

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use command_grammar::{SlotValue, Vocabulary};
use hailo::llm_repair::{parse_command, ChatMessage, Outcome, RepairError, ReplySource};
use hailo::depth::DepthDecoding;
use hailo::native::{HailoDepth, HailoDetector, HailoLlm, HailoPose, LlmConfig, ModelConfig};
use hailo::nms::{encode_nms_by_class, NmsBox, NmsShape};
use hailo::pose::{encode_raw, PoseLayout, RawAnchor, TensorShape};
use hailo::thermal::WatchdogConfig;
use inference::{DepthEstimator, DepthOptions, Detector, PoseEstimator};
use yolo::DetectConfig;

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("aihat-hailo-double-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// A double "HEF": header then the NMS payload (see tests/double/hailo_shim_double.c).
fn double_model(name: &str, input: [u32; 3], shape: NmsShape, latency_us: u32, payload: &[f32]) -> PathBuf {
    let mut b = b"AIHATDBL".to_vec();
    for v in [input[0], input[1], input[2], shape.number_of_classes as u32, shape.max_bboxes_per_class as u32, latency_us] {
        b.extend(v.to_le_bytes());
    }
    for f in payload {
        b.extend(f.to_le_bytes());
    }
    let p = tmp(name);
    std::fs::write(&p, b).unwrap();
    p
}

/// A several-output double "HEF" ("AIHATDB2"): raw NHWC float32 tensors, one frame each.
fn double_tensors(name: &str, input: [u32; 3], latency_us: u32, shapes: &[TensorShape], frames: &[Vec<f32>]) -> PathBuf {
    let mut b = b"AIHATDB2".to_vec();
    for v in [input[0], input[1], input[2], latency_us, shapes.len() as u32] {
        b.extend(v.to_le_bytes());
    }
    for s in shapes {
        for v in [0, s.height as u32, s.width as u32, s.features as u32] {
            b.extend(v.to_le_bytes());
        }
    }
    for f in frames.iter().flatten() {
        b.extend(f.to_le_bytes());
    }
    let p = tmp(name);
    std::fs::write(&p, b).unwrap();
    p
}

fn ts(height: usize, width: usize, features: usize) -> TensorShape {
    TensorShape { height, width, features }
}

/// The model zoo's yolov8s_pose outputs (cfg/networks/yolov8s_pose.yaml, in its order).
fn yolov8s_pose_outputs() -> Vec<TensorShape> {
    [20, 40, 80].iter().flat_map(|&g| [ts(g, g, 64), ts(g, g, 1), ts(g, g, 51)]).collect()
}

const COCO: NmsShape = NmsShape { number_of_classes: 80, max_bboxes_per_class: 100 };

/// The same fixture as tests/test_hailo_double.py, checked by hand there and here.
fn fixture_boxes() -> Vec<NmsBox> {
    vec![
        NmsBox { class_id: 0, y_min: 0.25, x_min: 0.125, y_max: 0.75, x_max: 0.375, score: 0.9 },
        NmsBox { class_id: 0, y_min: 0.3, x_min: 0.6, y_max: 0.4, x_max: 0.7, score: 0.2 },
        NmsBox { class_id: 5, y_min: 0.5, x_min: 0.5, y_max: 0.875, x_max: 1.0, score: 0.75 },
    ]
}

#[test]
fn detector_through_the_double_matches_the_hand_checked_fixture() {
    let hef = double_model("det.hef", [640, 640, 3], COCO, 5_000, &encode_nms_by_class(&fixture_boxes(), COCO));
    let mut d = HailoDetector::load(&hef, &ModelConfig::default(), WatchdogConfig::default()).unwrap();
    assert_eq!((d.spec().input_w, d.spec().input_h), (640, 640));
    assert_eq!(d.spec().names[5], "bus");
    // 1280x720 -> gain 0.5, 140 px pad top: x = nx * 1280, y = ny * 1280 - 280, clipped.
    let r = d.detect(&image::RgbImage::new(1280, 720), &DetectConfig::default()).unwrap();
    let got: Vec<(usize, f32, [f32; 4])> =
        r.value.iter().map(|d| (d.class_id, d.score, [d.bbox.x1, d.bbox.y1, d.bbox.x2, d.bbox.y2])).collect();
    assert_eq!(got, vec![(0, 0.9, [160.0, 40.0, 480.0, 680.0]), (5, 0.75, [640.0, 360.0, 1280.0, 720.0])]);
    // The simulated device latency is what the timings report as inference.
    assert!(r.timings.inference >= Duration::from_millis(5), "{:?}", r.timings);
    // Run-time settings apply: a class filter and a higher threshold.
    let only_bus = DetectConfig { classes: Some(vec![5]), ..Default::default() };
    assert_eq!(d.detect(&image::RgbImage::new(1280, 720), &only_bus).unwrap().value.len(), 1);
    let strict = DetectConfig { conf_threshold: 0.95, ..Default::default() };
    assert!(d.detect(&image::RgbImage::new(64, 64), &strict).unwrap().value.is_empty());
    // An empty image is an error, not a device call.
    assert!(d.detect(&image::RgbImage::new(0, 0), &DetectConfig::default()).is_err());
}

#[test]
fn corrupt_device_output_is_an_error_not_detections() {
    // Class 0 claims 101 boxes (more than max_bboxes_per_class).
    let mut payload = encode_nms_by_class(&[], COCO);
    payload[0] = 101.0;
    let hef = double_model("corrupt.hef", [640, 640, 3], COCO, 0, &payload);
    let mut d = HailoDetector::load(&hef, &ModelConfig::default(), WatchdogConfig::default()).unwrap();
    let e = d.detect(&image::RgbImage::new(32, 32), &DetectConfig::default()).unwrap_err();
    assert!(e.to_string().contains("box count 101"), "{e}");
}

#[test]
fn bad_model_files_fail_at_load_with_the_reason() {
    let e = HailoDetector::load(&tmp("missing.hef"), &ModelConfig::default(), WatchdogConfig::default()).err().unwrap();
    assert!(matches!(e, inference::InferenceError::ModelNotFound(_)), "{e}");
    let junk = tmp("junk.hef");
    std::fs::write(&junk, b"not a hef").unwrap();
    let e = HailoDetector::load(&junk, &ModelConfig::default(), WatchdogConfig::default()).err().unwrap();
    assert!(e.to_string().contains("AIHATDBL"), "{e}");
    let gray = double_model("gray.hef", [640, 640, 1], COCO, 0, &[]);
    let e = HailoDetector::load(&gray, &ModelConfig::default(), WatchdogConfig::default()).err().unwrap();
    assert!(e.to_string().contains("not an RGB image input"), "{e}");
}

#[test]
fn sidecar_labels_name_the_classes() {
    let shape = NmsShape { number_of_classes: 2, max_bboxes_per_class: 4 };
    let hef = double_model("two.hef", [320, 320, 3], shape, 0, &[]);
    let mut sidecar = hef.clone().into_os_string();
    sidecar.push(".labels.txt");
    std::fs::write(&sidecar, "cone\nrobot\n").unwrap();
    let d = HailoDetector::load(&hef, &ModelConfig::default(), WatchdogConfig::default()).unwrap();
    assert_eq!(d.spec().names, vec!["cone", "robot"]);
}

fn llm_file(name: &str, token_ms: u32, replies: &[&str]) -> PathBuf {
    let p = tmp(name);
    std::fs::write(&p, format!("AIHATDBL-LLM {token_ms}\n{}\n", replies.join("\n%%\n"))).unwrap();
    p
}

/// The four malformed-output fixtures of the issue, each through the double's token stream.
#[test]
fn llm_fixtures_are_repaired_or_rejected_never_published_invalid() {
    let vocab = Vocabulary::default_vocabulary().unwrap();
    let no = AtomicBool::new(false);
    let fixtures: &[(&str, &str, Result<(&str, Option<(&str, f64)>), ()>)] = &[
        ("truncated JSON", r#"{"action":"turn","direction":"left","angle_deg":45"#, Ok(("turn", Some(("angle_deg", 45.0))))),
        (
            "extra prose",
            "Of course! The command is {\"action\": \"move\", \"direction\": \"forward\", \"distance_m\": 2} - drive safely.",
            Ok(("move", Some(("distance_m", 2.0)))),
        ),
        ("wrong action (synonym)", r#"{"action":"drive","direction":"left","distance_m":1}"#, Ok(("move", Some(("distance_m", 1.0))))),
        ("wrong action (none)", r#"{"action":"self_destruct"}"#, Err(())),
        ("out of range, clamp slot", r#"{"action":"wait","duration_s":9000}"#, Ok(("wait", Some(("duration_s", 600.0))))),
        ("out of range, reject slot", r#"{"action":"move","direction":"forward","distance_m":40}"#, Err(())),
    ];
    for (what, reply, want) in fixtures {
        // Every retry gets the same bad reply: a rejection must stay a rejection.
        let hef = llm_file(&format!("llm-{}.txt", what.replace(' ', "_")), 1, &[reply]);
        let mut llm = HailoLlm::load(&hef, LlmConfig::default()).unwrap();
        let outcome = parse_command(&mut llm, &vocab, "the utterance", 2, &no).unwrap();
        match (want, outcome) {
            (Ok((action, slot)), Outcome::Command { repaired, attempts }) => {
                assert_eq!(attempts, 1, "{what}");
                assert_eq!(repaired.command.action, *action, "{what}");
                if let Some((s, v)) = slot {
                    assert_eq!(repaired.command.slot(s).and_then(SlotValue::as_f64), Some(*v), "{what}");
                }
                vocab.check(&repaired.command).unwrap_or_else(|e| panic!("{what}: published invalid: {e}"));
            }
            (Err(()), Outcome::Rejected { command, attempts, .. }) => {
                assert_eq!(attempts, 2, "{what}");
                assert!(command.is_unknown(), "{what}");
                vocab.check(&command).unwrap();
            }
            (w, o) => panic!("{what}: wanted {w:?}, got {o:?}"),
        }
    }
}

#[test]
fn retry_recovers_and_max_tokens_truncation_is_closed() {
    let vocab = Vocabulary::default_vocabulary().unwrap();
    let no = AtomicBool::new(false);
    let hef = llm_file("retry.txt", 0, &["I am not sure what you mean.", r#"{"action":"come_here"}"#]);
    let mut llm = HailoLlm::load(&hef, LlmConfig::default()).unwrap();
    let o = parse_command(&mut llm, &vocab, "come over here", 3, &no).unwrap();
    assert!(matches!(&o, Outcome::Command { attempts: 2, repaired } if repaired.command.action == "come_here"), "{o:?}");

    // 10 tokens of 3 bytes: the reply is cut inside "kitchen" (30 bytes), as a token limit would.
    let hef = llm_file("maxtok.txt", 0, &[r#"{"action":"go_to","target":"kitchen"}"#]);
    let mut llm = HailoLlm::load(&hef, LlmConfig { max_tokens: 10, ..Default::default() }).unwrap();
    let msgs = [ChatMessage { role: "user", content: "x".into() }];
    let raw = llm.generate(&msgs, &no).unwrap().unwrap();
    assert_eq!(raw, r#"{"action":"go_to","target":"ki"#);
    let o = parse_command(&mut llm, &vocab, "go to the kitchen", 1, &no).unwrap();
    let Outcome::Command { repaired, .. } = o else { panic!("{o:?}") };
    assert_eq!(repaired.command.slot("target").and_then(SlotValue::as_str), Some("ki"));
}

#[test]
fn a_stop_aborts_generation_within_a_token() {
    let vocab = Vocabulary::default_vocabulary().unwrap();
    // 50 ms a token, ~13 tokens: 650 ms if not aborted.
    let hef = llm_file("slow.txt", 50, &[r#"{"action":"move","direction":"left"}"#]);
    let mut llm = HailoLlm::load(&hef, LlmConfig::default()).unwrap();
    let abort = std::sync::Arc::new(AtomicBool::new(false));
    let a = abort.clone();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(120));
        a.store(true, Ordering::Relaxed);
    });
    let started = std::time::Instant::now();
    let o = parse_command(&mut llm, &vocab, "go left", 2, &abort).unwrap();
    t.join().unwrap();
    assert_eq!(o, Outcome::Aborted);
    assert!(started.elapsed() < Duration::from_millis(400), "{:?}", started.elapsed());
}

#[test]
fn deadline_cuts_a_rambling_model() {
    let vocab = Vocabulary::default_vocabulary().unwrap();
    let no = AtomicBool::new(false);
    let hef = llm_file("ramble.txt", 20, &["Let me think about this carefully. There are many ways to interpret your request and I want to be sure."]);
    let cfg = LlmConfig { deadline: Duration::from_millis(100), max_tokens: 1000, ..Default::default() };
    let mut llm = HailoLlm::load(&hef, cfg).unwrap();
    let started = std::time::Instant::now();
    let o = parse_command(&mut llm, &vocab, "hmm", 2, &no).unwrap();
    assert!(matches!(o, Outcome::Rejected { last_error: RepairError::NoJson, .. }), "{o:?}");
    assert!(started.elapsed() < Duration::from_millis(600), "{:?}", started.elapsed());
}

/// Hand-checked pose fixture for a 1280x720 image into the 640x640 HEF (gain 0.5, 140 px pad top):
/// image x = 2 * input x, image y = 2 * (input y - 140).
#[test]
fn pose_through_the_double_matches_the_hand_checked_fixture() {
    let shapes = yolov8s_pose_outputs();
    let layout = PoseLayout::from_outputs(640, 640, &shapes).unwrap();
    // Person A, stride 16 (level 1), cell (20, 20): anchor ((20 + 0.5) * 16, same) = (328, 328).
    // DFL bins l 5, t 10, r 5, b 10 -> 80, 160, 80, 160 px: box x 248..408, y 168..488
    // -> image x 496..816, y 56..696. Keypoint j raw (0.25, 0.25 + j / 32, +-2):
    // x = 16 * (0.5 - 0.5) + 328 = 328 -> 656; y = 16 * (j / 16) + 328 = 328 + j -> 376 + 2j;
    // visibility sigmoid(2) = 0.8808 for even j, sigmoid(-2) = 0.1192 for odd j.
    let kpts_a: Vec<[f32; 3]> =
        (0..17).map(|j| [0.25, 0.25 + j as f32 / 32.0, if j % 2 == 0 { 2.0 } else { -2.0 }]).collect();
    // Person C, stride 32 (level 2), cell (2, 5): anchor (80, 176); 1 bin = 32 px each side:
    // box x 48..112, y 144..208 -> image x 96..224, y 8..136; keypoints on the anchor -> (160, 72).
    let kpts_c = vec![[0.25, 0.25, 0.0]; 17];
    let raw = encode_raw(
        &layout,
        &[
            RawAnchor { level: 1, gx: 20, gy: 20, dist_bins: [5, 10, 5, 10], score: 0.85, keypoints: &kpts_a },
            // Person B at stride 8 scores 0.2: below the default 0.25, never published.
            RawAnchor { level: 0, gx: 40, gy: 40, dist_bins: [3, 3, 3, 3], score: 0.2, keypoints: &kpts_c },
            RawAnchor { level: 2, gx: 2, gy: 5, dist_bins: [1, 1, 1, 1], score: 0.6, keypoints: &kpts_c },
        ],
    );
    let hef = double_tensors("pose.hef", [640, 640, 3], 3_000, &shapes, &raw);
    let mut m = HailoPose::load(&hef, &ModelConfig::default(), WatchdogConfig::default()).unwrap();
    assert_eq!((m.spec().input_w, m.spec().input_h, m.spec().kpt_shape), (640, 640, Some([17, 3])));
    assert_eq!(m.spec().names, vec!["person"]);
    let r = m.estimate(&image::RgbImage::new(1280, 720), &DetectConfig::default()).unwrap();
    assert!(r.timings.inference >= Duration::from_millis(3), "{:?}", r.timings);
    let close = |a: f32, e: f32| (a - e).abs() < 1e-3;
    assert_eq!(r.value.iter().map(|p| p.score).collect::<Vec<_>>(), vec![0.85, 0.6]);
    let (a, c) = (&r.value[0], &r.value[1]);
    let b = a.bbox;
    assert!(close(b.x1, 496.0) && close(b.y1, 56.0) && close(b.x2, 816.0) && close(b.y2, 696.0), "{b:?}");
    for (j, k) in a.keypoints.iter().enumerate() {
        let vis = if j % 2 == 0 { 0.880797 } else { 0.119203 };
        assert!(close(k.x, 656.0) && close(k.y, 376.0 + 2.0 * j as f32) && close(k.score, vis), "{j}: {k:?}");
    }
    let b = c.bbox;
    assert!(close(b.x1, 96.0) && close(b.y1, 8.0) && close(b.x2, 224.0) && close(b.y2, 136.0), "{b:?}");
    assert!(c.keypoints.iter().all(|k| close(k.x, 160.0) && close(k.y, 72.0) && close(k.score, 0.5)));
    // Run-time settings apply on the host: threshold and max_det.
    let strict = DetectConfig { conf_threshold: 0.7, ..Default::default() };
    assert_eq!(m.estimate(&image::RgbImage::new(1280, 720), &strict).unwrap().value.len(), 1);
    let one = DetectConfig { max_det: 1, conf_threshold: 0.1, ..Default::default() };
    assert_eq!(m.estimate(&image::RgbImage::new(1280, 720), &one).unwrap().value[0].score, 0.85);
}

#[test]
fn hefs_that_do_not_fit_the_task_fail_at_load_with_the_reason() {
    let det = double_model("det-for-pose.hef", [640, 640, 3], COCO, 0, &[]);
    let e = HailoPose::load(&det, &ModelConfig::default(), WatchdogConfig::default()).err().unwrap();
    assert!(e.to_string().contains("on-chip NMS output"), "{e}");
    let e = HailoDepth::load(&det, DepthDecoding::ScDepthV3, &ModelConfig::default(), WatchdogConfig::default()).err().unwrap();
    assert!(e.to_string().contains("on-chip NMS output"), "{e}");
    let depth = double_tensors("depth-for-pose.hef", [256, 320, 3], 0, &[ts(256, 320, 1)], &[]);
    let e = HailoPose::load(&depth, &ModelConfig::default(), WatchdogConfig::default()).err().unwrap();
    assert!(e.to_string().contains("not a YOLOv8 pose head"), "{e}");
    let e = HailoDetector::load(&depth, &ModelConfig::default(), WatchdogConfig::default()).err().unwrap();
    assert!(e.to_string().contains("expected one NMS-by-class output"), "{e}");
    let pose = double_tensors("pose-for-depth.hef", [640, 640, 3], 0, &yolov8s_pose_outputs(), &[]);
    let e = HailoDepth::load(&pose, DepthDecoding::FastDepth, &ModelConfig::default(), WatchdogConfig::default()).err().unwrap();
    assert!(e.to_string().contains("not a monocular depth HEF"), "{e}");
    // Stride 8 missing: the 80x80 maps are gone.
    let e = HailoPose::load(
        &double_tensors("pose-two-strides-and-junk.hef", [640, 640, 3], 0, &[ts(20, 20, 64), ts(20, 20, 1), ts(20, 20, 51), ts(80, 80, 64)], &[]),
        &ModelConfig::default(),
        WatchdogConfig::default(),
    )
    .err()
    .unwrap();
    assert!(e.to_string().contains("80x80 grid has no score"), "{e}");
}

/// scdepthv3 as the model zoo ships it: 256x320x3 in, 256x320x1 logits out.
#[test]
fn scdepthv3_through_the_double_matches_the_hand_checked_fixture() {
    // Top half logit 0 -> 10 * 0.5 + 0.009 = 5.009; bottom half logit ln 3 -> 10 * 0.75 + 0.009 = 7.509.
    let logits: Vec<f32> = (0..256 * 320).map(|i| if i / 320 < 128 { 0.0 } else { 3f32.ln() }).collect();
    let hef = double_tensors("scdepthv3.hef", [256, 320, 3], 2_000, &[ts(256, 320, 1)], &[logits]);
    let mut m = HailoDepth::load(&hef, DepthDecoding::ScDepthV3, &ModelConfig::default(), WatchdogConfig::default()).unwrap();
    assert_eq!(m.spec().fixed_input, Some((320, 256)));
    assert!(m.spec().stand_in.is_none());
    assert!(!m.decoding().metric());
    // A 640x512 image: exactly 2x; bilinear with half-pixel centres, so image row y samples map
    // row (y + 0.5) / 2 - 0.5: rows 0..=254 are within the top half, row 255 samples 127.25
    // (5.009 + 0.25 * 2.5 = 5.634), row 256 samples 127.75 (5.009 + 0.75 * 2.5 = 6.884).
    let r = m.estimate(&image::RgbImage::new(640, 512), &DepthOptions::default()).unwrap();
    assert!(r.timings.inference >= Duration::from_millis(2), "{:?}", r.timings);
    let d = &r.value;
    assert_eq!((d.width, d.height, d.data.len()), (640, 512, 640 * 512));
    let at = |x: usize, y: usize| d.data[y * 640 + x];
    let close = |a: f32, e: f32| (a - e).abs() < 1e-4;
    assert!(close(at(0, 0), 5.009) && close(at(639, 254), 5.009), "{} {}", at(0, 0), at(639, 254));
    assert!(close(at(100, 255), 5.634) && close(at(100, 256), 6.884), "{} {}", at(100, 255), at(100, 256));
    assert!(close(at(320, 257), 7.509) && close(at(639, 511), 7.509));
    // Any image size comes back at its own size (stretched to 320x256 on the way in).
    let r = m.estimate(&image::RgbImage::new(33, 17), &DepthOptions::default()).unwrap();
    assert_eq!((r.value.width, r.value.height), (33, 17));
    assert!(m.estimate(&image::RgbImage::new(0, 0), &DepthOptions::default()).is_err());
}

/// fast_depth: 224x224x3 in, metres out, passed through unchanged.
#[test]
fn fast_depth_through_the_double_gives_metres() {
    let metres: Vec<f32> = (0..224 * 224).map(|i| if i % 224 < 112 { 1.5 } else { 4.0 }).collect();
    let hef = double_tensors("fast_depth.hef", [224, 224, 3], 0, &[ts(224, 224, 1)], &[metres]);
    let mut m = HailoDepth::load(&hef, DepthDecoding::FastDepth, &ModelConfig::default(), WatchdogConfig::default()).unwrap();
    assert!(m.decoding().metric());
    // 448x224 image: columns 2x. Left half 1.5 m, right half 4.0 m away from the edge at x = 224.
    let d = m.estimate(&image::RgbImage::new(448, 224), &DepthOptions::default()).unwrap().value;
    assert_eq!((d.width, d.height), (448, 224));
    assert_eq!((d.data[0], d.data[222], d.data[225], d.data[447]), (1.5, 1.5, 4.0, 4.0));
}
