//! Hailo-10H backend for aihat_ros.
//!
//! Pure Rust, always built and unit-tested here:
//! * [`nms`]: HailoRT's on-chip NMS output (`HAILO_NMS_BY_CLASS`, float32) to `yolo::Detection`s;
//! * [`pose`]: the raw YOLOv8 pose head outputs (box DFL / score / keypoints per stride) of the
//!   model zoo's pose HEFs to `yolo::PoseDetection`s;
//! * [`depth`]: the model zoo's scdepthv3 / fast_depth output map to the depth node's `DepthMap`;
//! * [`llm_repair`]: the LLM command path's repair / validation / bounded retry (Hailo GenAI
//!   output cannot be constrained while decoding);
//! * [`preflight`]: the versions of HailoRT, its PCIe driver and the device's firmware, and the
//!   rule (library and firmware major.minor must match) the accelerator node checks at start;
//! * [`thermal`]: thermal and health policy from device telemetry, and a throughput watchdog
//!   (re-exported from `npu_arbiter::thermal`: the accelerator node runs it without this crate's
//!   model dependencies).
//!
//! Behind features (see `build.rs`):
//! * `hailo`: the native layer on a real device. The HailoRT **C** API (through `hailort-sys`)
//!   serves device scan, identity, temperature, power and health ([`device`]); inference and the
//!   LLM go through a thin C-ABI shim (`shim/hailo_shim.cpp`) over the C++ `InferModel` and
//!   `genai::LLM` APIs, which are the only inference paths on Hailo-10H.
//! * `hailo-double`: the same Rust code over a test double of the shim's C ABI
//!   (`tests/double/hailo_shim_double.c`) with simulated latencies and HailoRT-shaped buffers.
//!   Never a device result.

pub mod depth;
pub mod llm_repair;
pub mod nms;
pub mod pose;
pub mod preflight;
pub use npu_arbiter::thermal;

#[cfg(feature = "native")]
mod ffi;
#[cfg(feature = "native")]
pub mod native;
#[cfg(feature = "hailo")]
pub mod device;

/// Which native layer this build links: `Some("hailo")` (HailoRT through the shim),
/// `Some("hailo-double")` (the test double), or `None` (pure logic only).
pub const NATIVE_LAYER: Option<&str> = if cfg!(feature = "hailo-double") {
    Some("hailo-double")
} else if cfg!(feature = "hailo") {
    Some("hailo")
} else {
    None
};
