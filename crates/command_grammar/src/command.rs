//! The typed command and its compact JSON form.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::JsonCommandError;
use crate::grounding::Grounding;
use crate::vocab::{dimension as dim, SlotKind, Vocabulary, UNKNOWN_ACTION};

/// Which stage produced a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    FastPath,
    Llm,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::FastPath => "fast_path",
            Source::Llm => "llm",
        }
    }
}

/// A slot value. Numbers are always in the slot dimension's canonical unit
/// (metre, degree, second, metre/second), named in `unit` for readers.
#[derive(Debug, Clone, PartialEq)]
pub enum SlotValue {
    Number { value: f64, unit: String },
    Enum(String),
    Text(String),
}

/// Canonical unit label for a dimension, so logs and JSON readers know what a
/// bare number means without consulting the vocabulary.
pub fn canonical_unit(dimension: &str) -> &'static str {
    match dimension {
        dim::LENGTH => "m",
        dim::ANGLE => "deg",
        dim::DURATION => "s",
        dim::SPEED => "m/s",
        _ => "",
    }
}

impl SlotValue {
    pub(crate) fn from_yaml(kind: &SlotKind, v: &serde_yaml_ng::Value) -> Option<SlotValue> {
        match kind {
            SlotKind::Number { dimension, .. } => {
                v.as_f64()
                    .filter(|x| x.is_finite())
                    .map(|value| SlotValue::Number {
                        value,
                        unit: canonical_unit(dimension).into(),
                    })
            }
            SlotKind::Enum { values } => v
                .as_str()
                .filter(|s| values.contains_key(*s))
                .map(|s| SlotValue::Enum(s.into())),
            SlotKind::Text => v.as_str().map(|s| SlotValue::Text(s.into())),
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            SlotValue::Number { value, .. } => Some(*value),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            SlotValue::Enum(s) | SlotValue::Text(s) => Some(s),
            SlotValue::Number { .. } => None,
        }
    }

    fn to_json(&self) -> Value {
        match self {
            // Rounded so the published JSON does not carry float noise such as
            // 0.6095999999 for "two feet".
            SlotValue::Number { value, .. } => {
                let r = (value * 1000.0).round() / 1000.0;
                serde_json::Number::from_f64(r)
                    .map(Value::Number)
                    .unwrap_or(Value::Null)
            }
            SlotValue::Enum(s) | SlotValue::Text(s) => Value::String(s.clone()),
        }
    }
}

/// A robot command: what the node publishes after validation.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    /// A vocabulary action name, or `unknown`.
    pub action: String,
    pub slots: BTreeMap<String, SlotValue>,
    /// 0..=1; fast-path rules and LLM token probabilities feed it.
    pub confidence: f32,
    pub source: Source,
    /// The utterance this command came from (truncated for very long input).
    pub text: String,
    /// Why the command is `unknown`; `None` otherwise.
    pub reason: Option<String>,
    /// Set by [`Command::ground`] / [`Command::ground_in`] when detections are known.
    pub grounding: Option<Grounding>,
}

/// Published `text` is cut to this many chars: a 10 kB paste must not be
/// echoed into every log and topic.
const MAX_ECHO_CHARS: usize = 240;

pub(crate) fn echo_text(text: &str) -> String {
    text.chars()
        .take(MAX_ECHO_CHARS)
        .filter(|c| !c.is_control())
        .collect()
}

impl Command {
    pub fn new(action: impl Into<String>, source: Source, text: &str, confidence: f32) -> Self {
        Self {
            action: action.into(),
            slots: BTreeMap::new(),
            confidence,
            source,
            text: echo_text(text),
            reason: None,
            grounding: None,
        }
    }

    pub fn unknown(reason: impl Into<String>, source: Source, text: &str) -> Self {
        let mut c = Self::new(UNKNOWN_ACTION, source, text, 1.0);
        c.reason = Some(reason.into());
        c
    }

    pub fn is_unknown(&self) -> bool {
        self.action == UNKNOWN_ACTION
    }

    pub fn slot(&self, name: &str) -> Option<&SlotValue> {
        self.slots.get(name)
    }

    /// Compact JSON with slots in the vocabulary's declaration order:
    /// `{"action":..,<slots>,"confidence":..,"source":..,"text":..}`.
    pub fn to_json_value(&self, vocab: &Vocabulary) -> Value {
        let mut m = Map::new();
        m.insert("action".into(), Value::String(self.action.clone()));
        let order: Vec<&str> = vocab
            .action(&self.action)
            .map(|a| a.slots.iter().map(|s| s.name.as_str()).collect())
            .unwrap_or_default();
        for name in &order {
            if let Some(v) = self.slots.get(*name) {
                m.insert((*name).to_string(), v.to_json());
            }
        }
        // Slots the vocabulary does not know only exist on unvalidated
        // commands; they are still shown so debugging output is faithful.
        for (k, v) in &self.slots {
            if !order.contains(&k.as_str()) {
                m.insert(k.clone(), v.to_json());
            }
        }
        if let Some(g) = &self.grounding {
            match g {
                Grounding::Found(t) => {
                    m.insert("target_id".into(), Value::String(t.id.clone()));
                    m.insert("target_in_view".into(), Value::Bool(t.in_view));
                    if let Some(p) = &t.position {
                        let xyz = p.xyz.iter().map(|v| serde_json::Number::from_f64((v * 1000.0).round() / 1000.0).map_or(Value::Null, Value::Number));
                        m.insert("target_position".into(), Value::Array(xyz.collect()));
                        m.insert("target_frame".into(), Value::String(p.frame_id.clone()));
                        let d = (p.distance() * 1000.0).round() / 1000.0;
                        m.insert("target_distance_m".into(), serde_json::Number::from_f64(d).map_or(Value::Null, Value::Number));
                    }
                }
                Grounding::NotInView => {
                    m.insert("target_in_view".into(), Value::Bool(false));
                }
            }
        }
        if let Some(r) = &self.reason {
            m.insert("reason".into(), Value::String(r.clone()));
        }
        let conf = ((self.confidence as f64) * 100.0).round() / 100.0;
        m.insert(
            "confidence".into(),
            serde_json::Number::from_f64(conf)
                .map(Value::Number)
                .unwrap_or(Value::Null),
        );
        m.insert("source".into(), Value::String(self.source.as_str().into()));
        m.insert("text".into(), Value::String(self.text.clone()));
        Value::Object(m)
    }

    pub fn to_json(&self, vocab: &Vocabulary) -> String {
        self.to_json_value(vocab).to_string()
    }

    /// Parses the LLM's JSON reply (`{"action":..,<slots>}` as the GBNF
    /// allows) into an unvalidated command. Numbers are taken to be in the
    /// slot's canonical unit, which is what the prompt asks for.
    pub fn from_llm_json(
        vocab: &Vocabulary,
        json: &str,
        text: &str,
        confidence: f32,
    ) -> Result<Command, JsonCommandError> {
        let v: Value = serde_json::from_str(json)?;
        let obj = v.as_object().ok_or(JsonCommandError::NotObject)?;
        let action = obj
            .get("action")
            .and_then(Value::as_str)
            .ok_or(JsonCommandError::NoAction)?
            .to_string();
        let mut cmd = Command::new(action.clone(), Source::Llm, text, confidence);
        if action == UNKNOWN_ACTION {
            let reason = obj
                .get("reason")
                .and_then(Value::as_str)
                .filter(|r| !r.trim().is_empty())
                .unwrap_or("the model could not map the request to a command");
            cmd.reason = Some(reason.chars().take(120).collect());
            return Ok(cmd);
        }
        let spec = vocab
            .action(&action)
            .ok_or_else(|| JsonCommandError::UnknownAction(action.clone()))?;
        for (field, value) in obj {
            if field == "action" {
                continue;
            }
            let slot = spec
                .slot(field)
                .ok_or_else(|| JsonCommandError::UnknownField {
                    action: action.clone(),
                    field: field.clone(),
                })?;
            let wrong = || JsonCommandError::WrongType {
                field: field.clone(),
            };
            let sv = match &slot.kind {
                SlotKind::Number { dimension, .. } => SlotValue::Number {
                    value: value.as_f64().ok_or_else(wrong)?,
                    unit: canonical_unit(dimension).into(),
                },
                SlotKind::Enum { .. } => SlotValue::Enum(value.as_str().ok_or_else(wrong)?.into()),
                SlotKind::Text => {
                    let lowered = value.as_str().ok_or_else(wrong)?.trim().to_lowercase();
                    // Same normal form as the fast path: no leading article ("a and e" is a name).
                    let mut words: Vec<&str> = lowered.split_whitespace().collect();
                    while words.len() > 1 && vocab.strip_words.contains(words[0]) && words[1] != "and" {
                        words.remove(0);
                    }
                    SlotValue::Text(words.join(" "))
                }
            };
            cmd.slots.insert(field.clone(), sv);
        }
        Ok(cmd)
    }
}
