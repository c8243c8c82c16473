//! Loading a vision node's model on the backend its `backend` parameter names.

use std::path::Path;

use inference::{DepthEstimator, Detector, OrtRuntime, PoseEstimator, SessionConfig};

/// ONNX Runtime and the session options for `backend`; the only backend built here is `cpu`.
/// A Hailo backend plugs in beside it, behind the same model-family traits.
fn ort_for(backend: &str, threads: usize) -> anyhow::Result<(OrtRuntime, SessionConfig)> {
    match backend {
        "cpu" => Ok((OrtRuntime::init(None)?, SessionConfig { intra_threads: threads, ..Default::default() })),
        other => anyhow::bail!("backend `{other}` is not built into this executable (build with --features hailo)"),
    }
}

/// An Ultralytics detect model on `backend`, with `threads` inference threads.
pub fn load_detector(backend: &str, path: &Path, threads: usize) -> anyhow::Result<Box<dyn Detector>> {
    let (rt, cfg) = ort_for(backend, threads)?;
    Ok(Box::new(inference::load_detector(&rt, path, &cfg)?))
}

/// An Ultralytics pose model on `backend`, with `threads` inference threads.
pub fn load_pose(backend: &str, path: &Path, threads: usize) -> anyhow::Result<Box<dyn PoseEstimator>> {
    let (rt, cfg) = ort_for(backend, threads)?;
    Ok(Box::new(inference::load_pose(&rt, path, &cfg)?))
}

/// A monocular depth model (Depth Anything V2 interface) on `backend`, with `threads` inference threads.
pub fn load_depth(backend: &str, path: &Path, threads: usize) -> anyhow::Result<Box<dyn DepthEstimator>> {
    let (rt, cfg) = ort_for(backend, threads)?;
    Ok(Box::new(inference::load_depth(&rt, path, &cfg)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unbuilt_backend_is_a_clear_error_before_anything_loads() {
        let e = load_pose("hailo", Path::new("/nonexistent.onnx"), 1).err().unwrap();
        assert!(e.to_string().contains("backend `hailo` is not built"), "{e}");
    }
}
