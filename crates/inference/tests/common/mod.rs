//! Shared helpers for the ONNX Runtime integration tests.
//!
//! Resources (override with env vars for other machines / CI):
//! * `ORT_DYLIB_PATH`      libonnxruntime from the onnxruntime 1.31.1 wheel
//! * `AIHAT_MODELS_DIR`    directory with yolov8n_w8f32.onnx and yolo11n-pose_w8f32.onnx
//! * `AIHAT_IMAGES_DIR`    directory with bus.jpg and zidane.jpg
#![allow(dead_code)]

use std::path::PathBuf;

use image::RgbImage;
use inference::OrtRuntime;

/// `shared/` (models, test data) sits beside the repository checkout; AIHAT_SHARED overrides.
fn shared() -> PathBuf {
    std::env::var_os("AIHAT_SHARED")
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo")).join("../../../shared"), PathBuf::from)
}

fn env_or(key: &str, default: PathBuf) -> PathBuf {
    std::env::var_os(key).filter(|v| !v.is_empty()).map_or(default, PathBuf::from)
}

pub fn runtime() -> OrtRuntime {
    // scripts/setup exports ORT_DYLIB_PATH (the library of the onnxruntime wheel).
    OrtRuntime::init(None).unwrap_or_else(|e| panic!("ONNX Runtime unavailable ({e}); run scripts/setup and source its env file"))
}

pub fn model(name: &str) -> PathBuf {
    env_or("AIHAT_MODELS_DIR", shared().join("models")).join(name)
}

pub fn image(name: &str) -> RgbImage {
    let path = env_or("AIHAT_IMAGES_DIR", shared().join("testdata/images")).join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // Same path as the node's CompressedImage subscriber.
    let format = if name.ends_with(".png") { "png" } else { "jpeg" };
    image_input::compressed_to_rgb(format, &bytes, &image_input::InputLimits::default()).unwrap()
}

pub fn fixture(name: &str) -> serde_json::Value {
    let p = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo")).join("../yolo/tests/fixtures").join(name);
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))).unwrap()
}
