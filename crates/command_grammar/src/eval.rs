//! Development-set support shared by the accuracy tests of both crates.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::command::{Command, SlotValue};
use crate::error::VocabularyError;

#[derive(Debug, Clone, Deserialize)]
pub struct DevCase {
    pub text: String,
    #[serde(default)]
    pub tag: String,
    /// `action` plus expected slots, numbers in canonical units.
    pub expect: BTreeMap<String, serde_yaml_ng::Value>,
}

pub fn load_dev_set(path: &Path) -> Result<Vec<DevCase>, VocabularyError> {
    let text = std::fs::read_to_string(path).map_err(|source| VocabularyError::Io {
        path: path.display().to_string(),
        source,
    })?;
    Ok(serde_yaml_ng::from_str(&text)?)
}

/// Numbers match within 1 cm / 1 degree / 10 ms scale; conversions such as
/// feet to metres are not exact.
pub(crate) const NUMBER_TOLERANCE: f64 = 0.011;

/// Exact match on action and the full slot set; `unknown` matches any reason.
pub fn matches_expectation(cmd: &Command, expect: &BTreeMap<String, serde_yaml_ng::Value>) -> bool {
    let Some(action) = expect.get("action").and_then(|v| v.as_str()) else {
        return false;
    };
    if cmd.action != action {
        return false;
    }
    let expected_slots: Vec<(&String, &serde_yaml_ng::Value)> = expect
        .iter()
        .filter(|(k, _)| k.as_str() != "action")
        .collect();
    if expected_slots.len() != cmd.slots.len() {
        return false;
    }
    expected_slots.iter().all(|(k, v)| match cmd.slots.get(*k) {
        Some(SlotValue::Number { value, .. }) => v
            .as_f64()
            .is_some_and(|e| (e - value).abs() <= NUMBER_TOLERANCE * e.abs().max(1.0)),
        Some(SlotValue::Enum(s)) | Some(SlotValue::Text(s)) => v.as_str() == Some(s.as_str()),
        None => false,
    })
}
