//! `npu_arbiter`: shares one NPU (Hailo-10H on a Raspberry Pi 5) between
//! several ROS 2 nodes.
//!
//! * [`policy`]: the pure scheduling policy (priority classes, EDF, latest
//!   frame wins, slack stealing, same-model grouping, admission control,
//!   cost/switch learning). No I/O; time is passed in.
//! * [`coordinator`]: owns the policy; serves clients over a Unix socket
//!   (JSON lines) or in-process channels; revokes grants after a lease.
//! * [`client`]: async client with reconnect/re-register.
//! * [`cpuset`]: CPU set for CPU inference backends, leaving reserved cores.
//! * [`stats`]: the serializable status snapshot.
//! * [`thermal`]: thermal bands and a throughput watchdog; the policy enforces the bands per class.
//!
//! Design notes (policy rules, who starts the coordinator, failure handling)
//! are in the crate README.

pub mod client;
pub mod clock;
pub mod coordinator;
pub mod cpuset;
pub mod error;
pub mod policy;
pub mod protocol;
pub mod stats;
pub mod thermal;

pub use client::{ArbiterClient, ClientConfig, DeviceGrant, Endpoint, JobOutcome, PendingJob, StreamHandle};
pub use clock::{monotonic_ns, Clock, ManualClock, MonotonicClock};
pub use coordinator::{default_socket_path, Coordinator, CoordinatorConfig, EngineHandle};
pub use cpuset::{CpuPlan, CpuSetError};
pub use error::{ArbiterError, Result};
pub use policy::{
    Admission, Class, ClientId, CompletionReport, DropReason, GrantId, JobId, JobSpec, Nanos, Policy, PolicyConfig, PolicyEvent,
    RejectReason, StepHint, StreamId, StreamSpec,
};
pub use stats::StatusSnapshot;

/// Installs a `tracing` subscriber driven by `RUST_LOG` (default `info`).
/// For the bundled binaries; ROS nodes usually have their own.
pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

/// Compiles the README's examples so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
