//! Parity with Ultralytics `YOLO(...).predict()` on the same ONNX files.
//! Fixtures: `scripts/reference/ultralytics_predict.py` (conf 0.25, iou 0.7, imgsz 640).

mod common;

use inference::{load_detector, load_pose, Detector, InferenceError, PoseEstimator, SessionConfig};
use yolo::{BBox, DetectConfig};

const BOX_TOL_PX: f32 = 2.0;
const KPT_TOL_PX: f32 = 3.0;

/// Score tolerance. PNG inputs decode to the same pixels as cv2, and our letterbox is bit-exact with
/// cv2, so those must match within 0.01 (measured: exact). JPEGs are decoded by zune-jpeg (image
/// crate) while Ultralytics uses libjpeg-turbo via cv2: up to 4 levels per byte apart (mean 0.14 on
/// bus.jpg), which moves the weak 0.35 'tie' on zidane.jpg by 0.0145. Boxes and classes still match.
fn score_tol(image: &str) -> f32 {
    if image.ends_with(".png") {
        0.01
    } else {
        0.02
    }
}

fn ref_box(v: &serde_json::Value) -> BBox {
    let a: Vec<f32> = v["xyxy"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap() as f32).collect();
    BBox { x1: a[0], y1: a[1], x2: a[2], y2: a[3] }
}

fn max_corner_diff(a: &BBox, b: &BBox) -> f32 {
    [(a.x1 - b.x1), (a.y1 - b.y1), (a.x2 - b.x2), (a.y2 - b.y2)].iter().map(|d| d.abs()).fold(0.0, f32::max)
}

/// Index of the candidate with the highest IoU among those of the same class.
fn best_match(r: &BBox, cls: usize, cands: &[(BBox, usize)]) -> Option<usize> {
    cands
        .iter()
        .enumerate()
        .filter(|(_, (_, c))| *c == cls)
        .max_by(|a, b| r.iou(&a.1 .0).total_cmp(&r.iou(&b.1 .0)))
        .map(|(i, _)| i)
}

fn config(fx: &serde_json::Value) -> DetectConfig {
    DetectConfig {
        conf_threshold: fx["meta"]["conf"].as_f64().unwrap() as f32,
        iou_threshold: fx["meta"]["iou"].as_f64().unwrap() as f32,
        ..Default::default()
    }
}

#[test]
fn detect_matches_ultralytics() {
    let rt = common::runtime();
    let mut det = load_detector(&rt, &common::model("yolov8n_w8f32.onnx"), &SessionConfig::default()).unwrap();
    assert_eq!(det.spec().names[5], "bus");
    let fx = common::fixture("yolov8n_w8f32_detect.json");
    let cfg = config(&fx);
    let mut worst = (0.0f32, 0.0f32);
    for (img_name, r) in fx["images"].as_object().unwrap() {
        let img = common::image(img_name);
        let out = det.detect(&img, &cfg).unwrap().value;
        let refs = r["detections"].as_array().unwrap();
        let ours: Vec<(BBox, usize)> = out.iter().map(|d| (d.bbox, d.class_id)).collect();
        assert_eq!(out.len(), refs.len(), "{img_name}: ours {out:#?}");
        for rd in refs {
            let rb = ref_box(rd);
            let cls = rd["cls"].as_u64().unwrap() as usize;
            let i = best_match(&rb, cls, &ours).unwrap_or_else(|| panic!("{img_name}: no class {cls} match"));
            let (bd, sd) = (max_corner_diff(&rb, &out[i].bbox), (out[i].score - rd["score"].as_f64().unwrap() as f32).abs());
            println!("{img_name} {:<8} ref {:.3} ours {:.3} box diff {bd:.2}px", rd["name"].as_str().unwrap(), rd["score"], out[i].score);
            assert!(bd <= BOX_TOL_PX, "{img_name} class {cls}: box {:?} vs ref {rb:?}", out[i].bbox);
            assert!(sd <= score_tol(img_name), "{img_name} class {cls}: score {} vs ref {}", out[i].score, rd["score"]);
            worst = (worst.0.max(bd), worst.1.max(sd));
        }
    }
    println!("detect worst: box {:.2}px score {:.4}", worst.0, worst.1);
}

#[test]
fn pose_matches_ultralytics() {
    let rt = common::runtime();
    let mut pose = load_pose(&rt, &common::model("yolo11n-pose_w8f32.onnx"), &SessionConfig::default()).unwrap();
    assert_eq!(pose.spec().kpt_shape, Some([17, 3]));
    let fx = common::fixture("yolo11n-pose_w8f32_pose.json");
    let cfg = config(&fx);
    let mut worst = (0.0f32, 0.0f32, 0.0f32);
    for (img_name, r) in fx["images"].as_object().unwrap() {
        let img = common::image(img_name);
        let out = pose.estimate(&img, &cfg).unwrap().value;
        let refs = r["detections"].as_array().unwrap();
        assert_eq!(out.len(), refs.len(), "{img_name}: person count");
        let ours: Vec<(BBox, usize)> = out.iter().map(|d| (d.bbox, 0)).collect();
        for rd in refs {
            let rb = ref_box(rd);
            let i = best_match(&rb, 0, &ours).unwrap();
            let p = &out[i];
            let bd = max_corner_diff(&rb, &p.bbox);
            let sd = (p.score - rd["score"].as_f64().unwrap() as f32).abs();
            assert!(bd <= BOX_TOL_PX, "{img_name}: box {:?} vs {rb:?}", p.bbox);
            assert!(sd <= score_tol(img_name), "{img_name}: score {} vs {}", p.score, rd["score"]);
            let rk = rd["keypoints"].as_array().unwrap();
            assert_eq!(rk.len(), p.keypoints.len());
            let mut kd_max = 0.0f32;
            for (k, ours) in rk.iter().zip(&p.keypoints) {
                let k: Vec<f32> = k.as_array().unwrap().iter().map(|v| v.as_f64().unwrap() as f32).collect();
                if k[2] > 0.5 {
                    let d = (k[0] - ours.x).abs().max((k[1] - ours.y).abs());
                    assert!(d <= KPT_TOL_PX, "{img_name}: keypoint {ours:?} vs {k:?}");
                    kd_max = kd_max.max(d);
                }
            }
            println!("{img_name} person ref {:.3} ours {:.3} box diff {bd:.2}px kpt diff {kd_max:.2}px", rd["score"], p.score);
            worst = (worst.0.max(bd), worst.1.max(sd), worst.2.max(kd_max));
        }
    }
    println!("pose worst: box {:.2}px score {:.4} keypoint {:.2}px", worst.0, worst.1, worst.2);
}

#[test]
fn wrong_model_is_a_clear_error() {
    let rt = common::runtime();
    let pose_path = common::model("yolo11n-pose_w8f32.onnx");
    let e = load_detector(&rt, &pose_path, &SessionConfig::default()).err().expect("pose model accepted as detector");
    let msg = e.to_string();
    assert!(matches!(e, InferenceError::Model(_)));
    assert!(msg.contains(&*pose_path.to_string_lossy()), "{msg}");
    assert!(msg.contains("expected an Ultralytics detect model") && msg.contains("got task 'pose'") && msg.contains("[1, 56, 8400]"), "{msg}");

    let det_path = common::model("yolov8n_w8f32.onnx");
    let e = load_pose(&rt, &det_path, &SessionConfig::default()).err().unwrap();
    assert!(e.to_string().contains("got task 'detect'") && e.to_string().contains("[1, 84, 8400]"), "{e}");

    let missing = common::model("does_not_exist.onnx");
    assert!(matches!(load_detector(&rt, &missing, &SessionConfig::default()), Err(InferenceError::ModelNotFound(_))));

    // A file that is not an ONNX model at all.
    let bogus = std::env::temp_dir().join(format!("aihat_bogus_{}.onnx", std::process::id()));
    std::fs::write(&bogus, b"not a model").unwrap();
    let e = load_detector(&rt, &bogus, &SessionConfig::default()).err().unwrap();
    let _ = std::fs::remove_file(&bogus);
    assert!(matches!(e, InferenceError::ModelLoad { .. }), "{e}");
}
