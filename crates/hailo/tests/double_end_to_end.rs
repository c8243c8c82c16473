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
use hailo::native::{HailoDetector, HailoLlm, LlmConfig, ModelConfig};
use hailo::nms::{encode_nms_by_class, NmsBox, NmsShape};
use hailo::thermal::WatchdogConfig;
use inference::Detector;
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
