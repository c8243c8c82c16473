//! The parameters every vision node declares under the same names and with the same ranges.
//!
//! r2r's `RosParams` derive prefixes the fields of a nested struct (`input.qos`), so a shared
//! struct cannot be embedded without renaming the nodes' parameters. Each node keeps the fields
//! in its own flat struct and lends them here once, for the checks and the input set-up.

use std::time::Duration;

use image_input::InputLimits;
use ros_edge::{in_range, qos_from_param};

use crate::InputConfig;

/// Inference backends a vision node accepts as its `backend` parameter.
pub const BACKENDS: [&str; 2] = ["cpu", "hailo"];

/// The shared parameters, borrowed from a node's parameter struct.
#[derive(Debug, Clone, Copy)]
pub struct VisionParams<'a> {
    pub backend: &'a str,
    pub qos: &'a str,
    pub qos_depth: i64,
    pub max_image_pixels: i64,
    pub reserved_cores: i64,
    pub inference_threads: i64,
    pub use_arbiter: bool,
    pub arbiter_socket: &'a str,
    pub arbiter_fallback_s: f64,
    pub expected_rate_hz: f64,
    pub log_period_s: f64,
}

impl VisionParams<'_> {
    /// Range checks for `NodeParams::validate`: `Err((parameter, reason))`.
    pub fn validate(&self) -> Result<(), (String, String)> {
        in_range("qos_depth", self.qos_depth, 1, 100)?;
        in_range("max_image_pixels", self.max_image_pixels, 1, 100_000_000)?;
        in_range("reserved_cores", self.reserved_cores, 0, 64)?;
        in_range("inference_threads", self.inference_threads, 0, 64)?;
        in_range("expected_rate_hz", self.expected_rate_hz, 0.1, 240.0)?;
        in_range("log_period_s", self.log_period_s, 1.0, 3600.0)?;
        in_range("arbiter_fallback_s", self.arbiter_fallback_s, 0.1, 60.0)?;
        qos_from_param(self.qos, self.qos_depth).map_err(|e| ("qos".into(), e.to_string()))?;
        ros_edge::one_of("backend", self.backend, &BACKENDS)?;
        Ok(())
    }

    /// How the node takes its input ([`crate::FrameLoop::start`]).
    pub fn input(&self) -> anyhow::Result<InputConfig> {
        Ok(InputConfig {
            qos: qos_from_param(self.qos, self.qos_depth)?,
            limits: InputLimits { max_pixels: self.max_image_pixels as u64 },
            use_arbiter: self.use_arbiter,
            arbiter_socket: self.arbiter_socket.to_string(),
            arbiter_fallback: Duration::from_secs_f64(self.arbiter_fallback_s),
            expected_rate_hz: self.expected_rate_hz,
            log_period: Duration::from_secs_f64(self.log_period_s),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> VisionParams<'static> {
        VisionParams {
            backend: "cpu",
            qos: "sensor_data",
            qos_depth: 1,
            max_image_pixels: 1000,
            reserved_cores: 1,
            inference_threads: 0,
            use_arbiter: false,
            arbiter_socket: "",
            arbiter_fallback_s: 1.0,
            expected_rate_hz: 15.0,
            log_period_s: 10.0,
        }
    }

    #[test]
    fn ranges_name_the_parameter() {
        assert!(good().validate().is_ok());
        let e = VisionParams { expected_rate_hz: 0.0, ..good() }.validate().unwrap_err();
        assert_eq!(e.0, "expected_rate_hz");
        assert_eq!(VisionParams { backend: "gpu", ..good() }.validate().unwrap_err().0, "backend");
        assert_eq!(VisionParams { qos: "fast", ..good() }.validate().unwrap_err().0, "qos");
        let input = good().input().unwrap();
        assert_eq!(input.limits.max_pixels, 1000);
        assert_eq!(input.log_period, Duration::from_secs(10));
    }
}
