use thiserror::Error;

/// Why a vocabulary file was refused at load time.
#[derive(Debug, Error)]
pub enum VocabularyError {
    #[error("cannot read vocabulary {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("vocabulary YAML is malformed: {0}")]
    Yaml(#[from] serde_yaml_ng::Error),
    #[error("unsupported vocabulary version {0} (expected 1)")]
    UnsupportedVersion(u32),
    #[error("invalid limit: {0}")]
    InvalidLimit(String),
    #[error("name {0:?} must be lowercase ascii letters, digits and underscores")]
    BadName(String),
    #[error("robot name {name:?}: {why}")]
    BadRobotName { name: String, why: &'static str },
    #[error("action name {0:?} is reserved")]
    ReservedAction(String),
    #[error("the vocabulary must declare a `stop` action and at least one stop word")]
    MissingStop,
    #[error("action {action}: invalid slot name {slot:?}")]
    BadSlotName { action: String, slot: String },
    #[error("action {action}: slot {slot} uses undeclared unit dimension {dimension:?}")]
    UnknownDimension {
        action: String,
        slot: String,
        dimension: String,
    },
    #[error("action {action}: slot {slot} has invalid range {min}..={max}")]
    BadRange {
        action: String,
        slot: String,
        min: f64,
        max: f64,
    },
    #[error("action {action}: enum slot {slot} has no values")]
    EmptyEnum { action: String, slot: String },
    #[error("action {action}: refers to undeclared slot {slot:?}")]
    UnknownSlot { action: String, slot: String },
    #[error("action {action}: synonym implies an invalid value for slot {slot}")]
    BadImpliedValue { action: String, slot: String },
    #[error("{context}: invalid phrase {phrase:?} (empty, or a word containing whitespace)")]
    BadPhrase { context: String, phrase: String },
    #[error("unit {dimension}: factor {factor} must be finite and positive")]
    BadUnitFactor { dimension: String, factor: f64 },
    #[error("unit name {0:?} is declared twice")]
    DuplicateUnit(String),
    #[error("pause phrase {0:?} is not a stop phrase")]
    PauseNotStop(String),
}

/// Why a command does not satisfy the vocabulary.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ValidationError {
    #[error("unknown action {0:?}")]
    UnknownAction(String),
    #[error("action {action} has no slot {slot:?}")]
    UnknownSlot { action: String, slot: String },
    #[error("action {action}: slot {slot} has the wrong type")]
    WrongType { action: String, slot: String },
    #[error("action {action}: required slot {slot} is missing")]
    MissingSlot { action: String, slot: String },
    #[error("action {action}: needs one of {slots:?}")]
    MissingAnyOf { action: String, slots: Vec<String> },
    #[error("action {action}: {slot}={value} is outside {min}..={max}")]
    OutOfRange {
        action: String,
        slot: String,
        value: f64,
        min: f64,
        max: f64,
    },
    #[error("action {action}: {slot} is not a finite number")]
    NotFinite { action: String, slot: String },
    #[error("action {action}: {slot} has value {value:?}, not one of the allowed values")]
    BadEnumValue {
        action: String,
        slot: String,
        value: String,
    },
    #[error("action {action}: target text is empty, too long or has disallowed characters")]
    BadText { action: String },
    #[error("an unknown command must carry a reason and no slots")]
    BadUnknown,
    #[error("confidence {0} is outside 0..=1")]
    BadConfidence(f32),
}

/// Why an LLM JSON reply could not be turned into a command.
#[derive(Debug, Error)]
pub enum JsonCommandError {
    #[error("reply is not JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("reply is not a JSON object")]
    NotObject,
    #[error("reply has no string field \"action\"")]
    NoAction,
    #[error("reply names unknown action {0:?}")]
    UnknownAction(String),
    #[error("reply has field {field:?} that action {action} does not take")]
    UnknownField { action: String, field: String },
    #[error("reply field {field:?} has the wrong JSON type")]
    WrongType { field: String },
}
