//! Development-set support shared by the accuracy tests of both crates.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::command::{Command, SlotValue};
use crate::error::VocabularyError;

/// Which part of the development set a case belongs to. The held-out part is
/// never used to tune the fast path or the LLM prompt, so its score shows how
/// the parser does on phrasings nobody wrote rules for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    #[default]
    Dev,
    Heldout,
}

impl Split {
    pub const ALL: [Split; 2] = [Split::Dev, Split::Heldout];

    pub fn as_str(self) -> &'static str {
        match self {
            Split::Dev => "dev",
            Split::Heldout => "heldout",
        }
    }
}

impl std::fmt::Display for Split {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct DevCase {
    pub text: String,
    #[serde(default)]
    pub tag: String,
    /// `dev` when absent.
    #[serde(default)]
    pub split: Split,
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

/// How far the answer check lets a number stray from one said (1 cm / 1 degree / 10 ms scale):
/// conversions such as feet to metres are not exact, and a model rounds.
pub(crate) const NUMBER_TOLERANCE: f64 = 0.011;

/// How far a published number may be from the expected one to score as a match: the ROS scorer's
/// (`tests/command_devset.py`), so the dev-set tests here count what the closing figures count (a
/// 1.01 m move for "one metre" matched here within [`NUMBER_TOLERANCE`] and missed there).
pub const SCORE_TOLERANCE: f64 = 1e-3;

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
            .is_some_and(|e| (e - value).abs() <= SCORE_TOLERANCE),
        Some(SlotValue::Enum(s)) | Some(SlotValue::Text(s)) => v.as_str() == Some(s.as_str()),
        None => false,
    })
}

/// The expected action (`unknown` included), or `None` for a case without one.
pub fn expected_action(expect: &BTreeMap<String, serde_yaml_ng::Value>) -> Option<&str> {
    expect.get("action").and_then(|v| v.as_str())
}

/// A command the robot would execute (not `unknown`) that is not the expected
/// one: worse than `unknown`, because nobody is asked to repeat.
pub fn is_wrong_valid(cmd: &Command, expect: &BTreeMap<String, serde_yaml_ng::Value>) -> bool {
    !cmd.is_unknown() && !matches_expectation(cmd, expect)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::Source;

    fn cases(yaml: &str) -> Vec<DevCase> {
        serde_yaml_ng::from_str(yaml).expect("cases parse")
    }

    #[test]
    fn split_defaults_to_dev_and_rejects_unknown_names() {
        let c = cases(
            "- {text: a, expect: {action: stop}}\n- {text: b, split: heldout, expect: {action: stop}}",
        );
        assert_eq!((c[0].split, c[1].split), (Split::Dev, Split::Heldout));
        assert!(serde_yaml_ng::from_str::<Vec<DevCase>>("- {text: a, split: test, expect: {action: stop}}").is_err());
    }

    #[test]
    fn wrong_valid_is_a_mismatching_command_that_is_not_unknown() {
        let expect = cases("- {text: a, expect: {action: stop}}").remove(0).expect;
        let unknown = Command::unknown("no parse", Source::FastPath, "a");
        assert!(!matches_expectation(&unknown, &expect));
        assert!(!is_wrong_valid(&unknown, &expect));
        let mut resume = unknown.clone();
        resume.action = "resume".into();
        resume.reason = None;
        assert!(is_wrong_valid(&resume, &expect));
        let mut stop = resume.clone();
        stop.action = "stop".into();
        assert!(!is_wrong_valid(&stop, &expect));
        assert_eq!(expected_action(&expect), Some("stop"));
    }

    #[test]
    fn numbers_match_as_the_ros_scorer_matches_them() {
        let expect = cases("- {text: a, expect: {action: move, distance_m: 1.0}}").remove(0).expect;
        let mut cmd = Command::unknown("", Source::Llm, "a");
        (cmd.action, cmd.reason) = ("move".into(), None);
        let with = |v: f64| {
            let mut c = cmd.clone();
            c.slots.insert("distance_m".into(), SlotValue::Number { value: v, unit: "m".into() });
            c
        };
        assert!(matches_expectation(&with(1.0005), &expect));
        assert!(!matches_expectation(&with(1.01), &expect), "within the check's tolerance, a miss for the ROS scorer");
        assert!(is_wrong_valid(&with(1.01), &expect));
    }
}
