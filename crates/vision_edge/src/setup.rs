//! What every vision node does the same way with its parameters: the input configuration and the
//! choice of backend. Here once so that detection, pose and depth cannot drift apart.

use std::time::Duration;

use image_input::InputLimits;

use crate::InputConfig;

impl InputConfig {
    /// From the vision nodes' common parameters (`qos`, `qos_depth`, `max_image_pixels`,
    /// `use_arbiter`, `arbiter_socket`, `expected_rate_hz`, `log_period_s`), already range-checked by
    /// the node's `validate()`.
    pub fn from_params(
        qos: &str,
        qos_depth: i64,
        max_image_pixels: i64,
        use_arbiter: bool,
        arbiter_socket: &str,
        expected_rate_hz: f64,
        log_period_s: f64,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            qos: ros_edge::qos_from_param(qos, qos_depth)?,
            limits: InputLimits { max_pixels: max_image_pixels.max(1) as u64 },
            use_arbiter,
            arbiter_socket: arbiter_socket.to_string(),
            expected_rate_hz,
            log_period: Duration::from_secs_f64(log_period_s),
        })
    }
}

/// ONNX Runtime and the session options for `threads` intra-op threads when `backend` is `cpu`; for
/// any other backend, the error the node stops with (this executable has no Hailo backend built in).
pub fn cpu_backend(backend: &str, threads: usize) -> anyhow::Result<(inference::OrtRuntime, inference::SessionConfig)> {
    match backend {
        "cpu" => {
            let rt = inference::OrtRuntime::init(None)?;
            Ok((rt, inference::SessionConfig { intra_threads: threads, ..Default::default() }))
        }
        other => anyhow::bail!("backend `{other}` is not built into this executable (build with --features hailo)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_config_from_params() {
        let c = InputConfig::from_params("reliable", 5, 1000, false, "/tmp/s", 10.0, 2.5).unwrap();
        assert_eq!(c.limits.max_pixels, 1000);
        assert_eq!(c.log_period, Duration::from_millis(2500));
        assert_eq!(c.arbiter_socket, "/tmp/s");
        assert!(InputConfig::from_params("no_such_qos", 5, 1000, false, "", 10.0, 2.5).is_err());
    }

    #[test]
    fn hailo_backend_is_a_clear_error() {
        let e = cpu_backend("hailo", 1).unwrap_err().to_string();
        assert!(e.contains("backend `hailo` is not built into this executable"), "{e}");
    }
}
