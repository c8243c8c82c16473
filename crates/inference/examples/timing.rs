//! Where the time goes for one 640x480 frame: decode/convert (image_input), letterbox, ONNX Runtime,
//! decode+NMS. Not a benchmark harness, just numbers for the report / a quick check on the robot.
//!
//!   ORT_DYLIB_PATH=.../libonnxruntime.so.1.31.1 cargo run --release -p inference --example timing -- \
//!       [MODELS_DIR] [IMAGE] [INTRA_THREADS] [ITERATIONS]
use std::path::PathBuf;
use std::time::{Duration, Instant};

use image_input::{compressed_to_rgb, raw_to_rgb, InputLimits, RawImage};
use inference::{load_detector, load_pose, Detector, OrtRuntime, PoseEstimator, SessionConfig, Timings};
use yolo::DetectConfig;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn report(name: &str, t: &[Timings]) {
    let col = |f: fn(&Timings) -> Duration| median(t.iter().map(|x| ms(f(x))).collect());
    let (pre, inf, post) = (col(|x| x.preprocess), col(|x| x.inference), col(|x| x.postprocess));
    println!(
        "{name:<7} median of {}: preprocess {pre:.2} ms | inference {inf:.2} ms | postprocess {post:.3} ms | pre+post = {:.1}% of total",
        t.len(),
        (pre + post) / (pre + inf + post) * 100.0
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().collect();
    let models = PathBuf::from(a.get(1).map_or("../shared/models", String::as_str));
    let img_path = PathBuf::from(a.get(2).map_or("../shared/testdata/images/zidane.jpg", String::as_str));
    let threads: usize = a.get(3).map_or(Ok(2), |s| s.parse())?;
    let iters: usize = a.get(4).map_or(Ok(20), |s| s.parse())?;

    // A 640x480 frame with people in it: centre crop of the test image, scaled.
    let src = image::open(&img_path)?.into_rgb8();
    let frame = image::imageops::resize(&src, 640, 480, image::imageops::FilterType::Triangle);

    // Camera-side conversions the node does before inference.
    let lim = InputLimits::default();
    let mut jpeg = Vec::new();
    frame.write_to(&mut std::io::Cursor::new(&mut jpeg), image::ImageFormat::Jpeg)?;
    let bgr: Vec<u8> = frame.as_raw().chunks_exact(3).flat_map(|p| [p[2], p[1], p[0]]).collect();
    let raw = RawImage { encoding: "bgr8", width: 640, height: 480, step: 640 * 3, is_bigendian: false, data: &bgr };
    let (mut tj, mut tr) = (Vec::new(), Vec::new());
    for _ in 0..iters {
        let t = Instant::now();
        std::hint::black_box(compressed_to_rgb("jpeg", &jpeg, &lim)?);
        tj.push(ms(t.elapsed()));
        let t = Instant::now();
        std::hint::black_box(raw_to_rgb(&raw, &lim)?);
        tr.push(ms(t.elapsed()));
    }
    println!("input   median of {iters}: JPEG 640x480 ({} KiB) decode {:.2} ms | bgr8 -> RgbImage {:.3} ms", jpeg.len() / 1024, median(tj), median(tr));

    let rt = OrtRuntime::init(None)?;
    let cfg = SessionConfig { intra_threads: threads, ..Default::default() };
    println!("ORT from {} | intra_threads {threads}, inter 1, opt All", rt.library().display());
    let dc = DetectConfig::default();

    let mut det = load_detector(&rt, &models.join("yolov8n_w8f32.onnx"), &cfg)?;
    for _ in 0..3 {
        det.detect(&frame, &dc)?;
    }
    let mut t = Vec::new();
    let mut n = 0;
    for _ in 0..iters {
        let r = det.detect(&frame, &dc)?;
        n = r.value.len();
        t.push(r.timings);
    }
    report("detect", &t);
    println!("        ({n} detections)");

    let mut pose = load_pose(&rt, &models.join("yolo11n-pose_w8f32.onnx"), &cfg)?;
    for _ in 0..3 {
        pose.estimate(&frame, &dc)?;
    }
    let mut t = Vec::new();
    for _ in 0..iters {
        let r = pose.estimate(&frame, &dc)?;
        n = r.value.len();
        t.push(r.timings);
    }
    report("pose", &t);
    println!("        ({n} persons)");
    Ok(())
}
