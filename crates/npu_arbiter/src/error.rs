use std::path::PathBuf;

use crate::policy::{DropReason, PolicyError, RejectReason};

#[derive(Debug, thiserror::Error)]
pub enum ArbiterError {
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("protocol error: {0}")]
    Protocol(String),
    #[error("job rejected: {0}")]
    Rejected(#[from] RejectReason),
    #[error("job dropped: {0}")]
    Dropped(DropReason),
    #[error("connection to the coordinator lost")]
    Disconnected,
    #[error("timed out waiting for the coordinator")]
    Timeout,
    #[error("policy error: {0}")]
    Policy(#[from] PolicyError),
    #[error("a coordinator already runs for {0}")]
    AlreadyRunning(PathBuf),
    #[error("unknown stream {0:?} (register it first)")]
    UnknownStream(String),
    #[error("coordinator error: {0}")]
    Remote(String),
}

pub type Result<T, E = ArbiterError> = std::result::Result<T, E>;
