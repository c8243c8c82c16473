//! The Hailo LLM command path's output checking. Hailo GenAI (`hailort::genai::LLM`) has no
//! grammar, JSON schema or logit access, so unlike the llama.cpp path its output cannot be
//! constrained while decoding: it is repaired where the repair cannot change the meaning,
//! validated by `command_grammar` (the same gate as every other command: clamp or reject per
//! the vocabulary), and otherwise retried a bounded number of times, then answered `unknown`.
//! Nothing that fails validation is ever returned as a command.
//!
//! Repairs, each recorded:
//! * JSON inside prose or a code fence: the one object is taken (two objects = two commands:
//!   rejected, the robot does one thing at a time);
//! * JSON cut off (token limit, abort): open strings and objects are closed; an incomplete last
//!   member is dropped;
//! * an action name that is not the vocabulary's: mapped when it is a spelling variant of one
//!   action ("Pick-Up") or one of its vocabulary synonyms ("drive" -> move, with the synonym's
//!   implied slots); anything else is rejected, never guessed;
//! * a number sent as a JSON string ("1.5") for a number slot.

use std::sync::atomic::{AtomicBool, Ordering};

use command_grammar::vocab::SlotKind;
use command_grammar::{Command, JsonCommandError, Source, ValidationError, Vocabulary};
use serde_json::{Map, Value};

/// The Hailo path has no token probabilities: a clean reply gets this confidence, and each
/// repair costs [`REPAIR_PENALTY`], so consumers can tell a guessed-at command.
pub const BASE_CONFIDENCE: f32 = 0.8;
pub const REPAIR_PENALTY: f32 = 0.1;
/// Longest reply considered: a model looping on prose must not make us scan megabytes.
pub const MAX_REPLY_CHARS: usize = 4096;

#[derive(Debug, Clone, PartialEq)]
pub enum Repair {
    ExtractedFromProse,
    ClosedTruncated { dropped_tail: bool },
    ActionMapped { from: String, to: String },
    NumberFromString { slot: String },
    Clamped { slot: String, from: f64, to: f64 },
}

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum RepairError {
    #[error("the reply contains no JSON object")]
    NoJson,
    #[error("the reply contains more than one JSON object (several commands)")]
    SeveralObjects,
    #[error("the reply's JSON cannot be parsed or completed")]
    Unparseable,
    #[error("the reply is not a JSON object with a string \"action\"")]
    NoAction,
    #[error("action {0:?} is not in the vocabulary and is no synonym of one action")]
    UnknownAction(String),
    #[error("{0}")]
    Json(String),
    #[error("{0}")]
    Invalid(#[from] ValidationError),
}

impl From<JsonCommandError> for RepairError {
    fn from(e: JsonCommandError) -> Self {
        RepairError::Json(e.to_string())
    }
}

/// A command that passed validation, and what it took.
#[derive(Debug, Clone, PartialEq)]
pub struct Repaired {
    pub command: Command,
    pub repairs: Vec<Repair>,
}

/// Finds the JSON object in `reply`, closing it if it was cut off.
pub fn extract_json(reply: &str) -> Result<(Value, Vec<Repair>), RepairError> {
    let reply: &str = match reply.char_indices().nth(MAX_REPLY_CHARS) {
        Some((i, _)) => &reply[..i],
        None => reply,
    };
    let start = reply.find('{').ok_or(RepairError::NoJson)?;
    let body = &reply[start..];
    let mut repairs = Vec::new();
    if !reply[..start].trim().is_empty() {
        repairs.push(Repair::ExtractedFromProse);
    }
    // Byte offsets of commas outside strings, with the depth there: where a cut-off object can
    // be closed after dropping its incomplete last member.
    let mut commas: Vec<(usize, usize)> = Vec::new();
    let (mut depth, mut in_str, mut esc) = (0usize, false, false);
    for (i, c) in body.char_indices() {
        if in_str {
            match (esc, c) {
                (true, _) => esc = false,
                (false, '\\') => esc = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '{' | '[' => depth += 1,
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    let rest = &body[i + 1..];
                    if rest.contains('{') && rest[rest.find('{').unwrap_or(0)..].contains('}') {
                        return Err(RepairError::SeveralObjects);
                    }
                    if !rest.trim().is_empty() && !repairs.contains(&Repair::ExtractedFromProse) {
                        repairs.push(Repair::ExtractedFromProse);
                    }
                    let v = serde_json::from_str(&body[..=i]).map_err(|_| RepairError::Unparseable)?;
                    return Ok((v, repairs));
                }
            }
            ',' => commas.push((i, depth)),
            _ => {}
        }
    }
    // Cut off. First try closing exactly what is open; then drop trailing members one by one.
    let mut whole = body.trim_end().to_string();
    if in_str {
        if esc {
            whole.pop();
        }
        whole.push('"');
    }
    let close = |s: &str, d: usize| format!("{s}{}", "}".repeat(d));
    if let Ok(v) = serde_json::from_str::<Value>(&close(&whole, depth)) {
        repairs.push(Repair::ClosedTruncated { dropped_tail: false });
        return Ok((v, repairs));
    }
    for &(pos, d) in commas.iter().rev().take(16) {
        if let Ok(v) = serde_json::from_str::<Value>(&close(&body[..pos], d)) {
            repairs.push(Repair::ClosedTruncated { dropped_tail: true });
            return Ok((v, repairs));
        }
    }
    Err(RepairError::Unparseable)
}

fn words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| c == '_' || c == '-' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The vocabulary action a wrong name stands for, with the slots its synonym implies.
fn map_action(vocab: &Vocabulary, name: &str) -> Option<(String, Vec<(String, command_grammar::SlotValue)>)> {
    let w = words(name);
    if w.is_empty() {
        return None;
    }
    if let Some(a) = vocab.actions().iter().find(|a| words(&a.name) == w) {
        return Some((a.name.clone(), Vec::new()));
    }
    let hits: Vec<_> = vocab
        .actions()
        .iter()
        .flat_map(|a| a.synonyms.iter().map(move |s| (a, s)))
        .filter(|(_, s)| s.phrase.iter().map(|p| p.to_lowercase()).collect::<Vec<_>>() == w)
        .collect();
    // A phrase two actions share says nothing about which one was meant.
    match hits.as_slice() {
        [(a, s)] => Some((a.name.clone(), s.implied.iter().map(|(k, v)| (k.clone(), v.clone())).collect())),
        _ => None,
    }
}

/// Repairs and validates one LLM reply for utterance `text`.
pub fn repair_reply(vocab: &Vocabulary, reply: &str, text: &str) -> Result<Repaired, RepairError> {
    let (value, mut repairs) = extract_json(reply)?;
    let Value::Object(mut obj) = value else { return Err(RepairError::NoAction) };
    let action = obj.get("action").and_then(Value::as_str).ok_or(RepairError::NoAction)?.to_string();
    let mut implied = Vec::new();
    if action != "unknown" && vocab.action(&action).is_none() {
        let (to, imp) = map_action(vocab, &action).ok_or_else(|| RepairError::UnknownAction(action.clone()))?;
        repairs.push(Repair::ActionMapped { from: action.clone(), to: to.clone() });
        obj.insert("action".into(), Value::String(to));
        implied = imp;
    }
    let action = obj["action"].as_str().unwrap_or_default().to_string();
    if let Some(spec) = vocab.action(&action) {
        let mut fixed = Map::new();
        for (k, v) in obj {
            let v = match (spec.slot(&k).map(|s| &s.kind), &v) {
                (Some(SlotKind::Number { .. }), Value::String(s)) => match s.trim().parse::<f64>() {
                    Ok(x) if x.is_finite() => {
                        repairs.push(Repair::NumberFromString { slot: k.clone() });
                        serde_json::Number::from_f64(x).map(Value::Number).unwrap_or(v)
                    }
                    _ => v,
                },
                _ => v,
            };
            fixed.insert(k, v);
        }
        obj = fixed;
    }
    let confidence = (BASE_CONFIDENCE - REPAIR_PENALTY * repairs.len() as f32).max(0.3);
    let mut cmd = Command::from_llm_json(vocab, &Value::Object(obj).to_string(), text, confidence)?;
    debug_assert_eq!(cmd.source, Source::Llm);
    for (slot, v) in implied {
        cmd.slots.entry(slot).or_insert(v);
    }
    let before = cmd.slots.clone();
    let cmd = vocab.validate(cmd)?;
    for (slot, v) in &cmd.slots {
        if let (Some(from), Some(to)) = (before.get(slot).and_then(|b| b.as_f64()), v.as_f64()) {
            if from != to {
                repairs.push(Repair::Clamped { slot: slot.clone(), from, to });
            }
        }
    }
    Ok(Repaired { command: cmd, repairs })
}

/// One chat message for `hailort::genai::LLM::generate` (which takes them as JSON strings).
#[derive(Debug, Clone, PartialEq)]
pub struct ChatMessage {
    pub role: &'static str,
    pub content: String,
}

impl ChatMessage {
    pub fn to_json(&self) -> String {
        serde_json::json!({ "role": self.role, "content": self.content }).to_string()
    }
}

/// The system prompt: the vocabulary's actions and slots, and the answer format. The
/// llama.cpp path enforces the format with a grammar; here it can only be asked for.
pub fn system_prompt(vocab: &Vocabulary) -> String {
    let mut s = String::from(
        "You turn one spoken robot command into one JSON object and nothing else: no prose, no code fence.\n\
         Format: {\"action\":\"<action>\",<slot>:<value>,...}. Numbers are plain JSON numbers in the unit given.\n\
         If the text is not exactly one of these commands, answer {\"action\":\"unknown\",\"reason\":\"<why>\"}.\nActions:\n",
    );
    for a in vocab.actions() {
        let slots: Vec<String> = a
            .slots
            .iter()
            .map(|sl| {
                let kind = match &sl.kind {
                    SlotKind::Number { dimension, min, max, .. } => {
                        format!("number in {}, {min} to {max}", command_grammar::command::canonical_unit(dimension))
                    }
                    SlotKind::Enum { values } => format!("one of {}", values.keys().cloned().collect::<Vec<_>>().join("|")),
                    SlotKind::Text => "short lowercase text".to_string(),
                };
                format!("{}{} ({kind})", sl.name, if sl.required { "" } else { "?" })
            })
            .collect();
        s.push_str(&format!("- {}: {}. Slots: {}\n", a.name, a.description, if slots.is_empty() { "none".into() } else { slots.join(", ") }));
    }
    s
}

/// What produced the text: the Hailo LLM through the shim, the test double, or a test fake.
pub trait ReplySource {
    type Error: std::fmt::Display;
    /// Generates one reply to `messages` from a fresh context. Returns `None` when `abort` was
    /// set during generation.
    fn generate(&mut self, messages: &[ChatMessage], abort: &AtomicBool) -> Result<Option<String>, Self::Error>;
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Valid: publish (after grounding).
    Command { repaired: Repaired, attempts: u32 },
    /// Every attempt failed: an `unknown` command saying why, which is valid to publish.
    Rejected { command: Command, attempts: u32, last_error: RepairError },
    /// A stop arrived: publish nothing for this utterance.
    Aborted,
}

/// Generates, repairs and validates, retrying with the validation error fed back at most
/// `max_attempts` times in all.
pub fn parse_command<S: ReplySource>(
    src: &mut S,
    vocab: &Vocabulary,
    text: &str,
    max_attempts: u32,
    abort: &AtomicBool,
) -> Result<Outcome, S::Error> {
    let mut messages = vec![
        ChatMessage { role: "system", content: system_prompt(vocab) },
        ChatMessage { role: "user", content: text.to_string() },
    ];
    let mut last_error = RepairError::NoJson;
    let attempts = max_attempts.max(1);
    for attempt in 1..=attempts {
        if abort.load(Ordering::Relaxed) {
            return Ok(Outcome::Aborted);
        }
        let Some(reply) = src.generate(&messages, abort)? else { return Ok(Outcome::Aborted) };
        match repair_reply(vocab, &reply, text) {
            Ok(repaired) => {
                if !repaired.repairs.is_empty() {
                    tracing::info!(attempt, repairs = ?repaired.repairs, "LLM reply repaired");
                }
                return Ok(Outcome::Command { repaired, attempts: attempt });
            }
            Err(e) => {
                tracing::warn!(attempt, error = %e, reply = %reply.chars().take(200).collect::<String>(), "LLM reply rejected");
                messages.truncate(2);
                messages.push(ChatMessage { role: "assistant", content: reply.chars().take(400).collect() });
                messages.push(ChatMessage {
                    role: "user",
                    content: format!("That answer was rejected: {e}. Answer again with exactly one JSON object for: {text}"),
                });
                last_error = e;
            }
        }
    }
    let command = vocab.finalize(Command::unknown(format!("rejected: {last_error}"), Source::Llm, text));
    Ok(Outcome::Rejected { command, attempts, last_error })
}

#[cfg(test)]
mod tests {
    use super::*;
    use command_grammar::SlotValue;

    fn vocab() -> Vocabulary {
        Vocabulary::default_vocabulary().unwrap()
    }

    fn num(c: &Command, slot: &str) -> f64 {
        c.slot(slot).and_then(SlotValue::as_f64).unwrap()
    }

    #[test]
    fn clean_reply_passes_unchanged() {
        let r = repair_reply(&vocab(), r#"{"action":"move","direction":"forward","distance_m":1.5}"#, "go forward 1.5 m").unwrap();
        assert!(r.repairs.is_empty());
        assert_eq!(r.command.action, "move");
        assert_eq!(num(&r.command, "distance_m"), 1.5);
        assert_eq!(r.command.confidence, BASE_CONFIDENCE);
    }

    #[test]
    fn fixture_extra_prose() {
        let reply = "Sure! Here is the command:\n```json\n{\"action\": \"turn\", \"direction\": \"left\", \"angle_deg\": 90}\n```\nLet me know if you need anything else.";
        let r = repair_reply(&vocab(), reply, "turn left 90").unwrap();
        assert_eq!(r.command.action, "turn");
        assert_eq!(num(&r.command, "angle_deg"), 90.0);
        assert_eq!(r.repairs, vec![Repair::ExtractedFromProse]);
        assert!(r.command.confidence < BASE_CONFIDENCE);
    }

    #[test]
    fn fixture_truncated_json() {
        let v = vocab();
        // Cut inside a string value: closed.
        let r = repair_reply(&v, r#"{"action":"go_to","target":"kitchen"#, "go to the kitchen").unwrap();
        assert_eq!(r.command.slot("target").and_then(SlotValue::as_str), Some("kitchen"));
        assert_eq!(r.repairs, vec![Repair::ClosedTruncated { dropped_tail: false }]);
        // Cut after a key: the incomplete member is dropped, the rest kept.
        let r = repair_reply(&v, r#"{"action":"move","direction":"backward","distance_m":"#, "back up").unwrap();
        assert_eq!(r.command.slot("direction").and_then(SlotValue::as_str), Some("backward"));
        assert!(r.command.slot("distance_m").is_none());
        assert_eq!(r.repairs, vec![Repair::ClosedTruncated { dropped_tail: true }]);
        // Cut before the action is known: nothing to publish.
        assert_eq!(repair_reply(&v, r#"{"act"#, "x"), Err(RepairError::Unparseable));
        assert_eq!(repair_reply(&v, r#"{"speed":1,"act"#, "x"), Err(RepairError::NoAction));
        assert_eq!(repair_reply(&v, r#"{"action":"#, "x"), Err(RepairError::Unparseable));
        // A truncated required slot makes the command invalid, not a default.
        let e = repair_reply(&v, r#"{"action":"move","dire"#, "move").unwrap_err();
        assert!(matches!(e, RepairError::Invalid(ValidationError::MissingSlot { .. })), "{e:?}");
    }

    #[test]
    fn fixture_wrong_action_name() {
        let v = vocab();
        // A synonym of exactly one action, with the slots it implies.
        let r = repair_reply(&v, r#"{"action":"reverse","distance_m":1}"#, "reverse a metre").unwrap();
        assert_eq!(r.command.action, "move");
        assert_eq!(r.command.slot("direction").and_then(SlotValue::as_str), Some("backward"));
        assert_eq!(r.repairs[0], Repair::ActionMapped { from: "reverse".into(), to: "move".into() });
        // A spelling variant of the name.
        let r = repair_reply(&v, r#"{"action":"Pick-Up","target":"cup"}"#, "grab the cup").unwrap();
        assert_eq!(r.command.action, "pick_up");
        // Anything else is rejected, not guessed at.
        let e = repair_reply(&v, r#"{"action":"teleport","target":"moon"}"#, "teleport").unwrap_err();
        assert_eq!(e, RepairError::UnknownAction("teleport".into()));
        let e = repair_reply(&v, r#"{"action":"fly"}"#, "fly").unwrap_err();
        assert_eq!(e, RepairError::UnknownAction("fly".into()));
    }

    #[test]
    fn fixture_out_of_range_number() {
        let v = vocab();
        // distance_m is `reject` in the default vocabulary (0.05..=5): refused.
        let e = repair_reply(&v, r#"{"action":"move","direction":"forward","distance_m":50}"#, "go 50 m").unwrap_err();
        assert!(matches!(e, RepairError::Invalid(ValidationError::OutOfRange { .. })), "{e:?}");
        // A clamp slot is clamped, and the clamp is recorded.
        let clamp = v
            .actions()
            .iter()
            .flat_map(|a| a.slots.iter().map(move |s| (a, s)))
            .find_map(|(a, s)| match &s.kind {
                SlotKind::Number { max, out_of_range: command_grammar::OutOfRange::Clamp, .. } if a.slots.iter().all(|o| !o.required || o.name == s.name) => {
                    Some((a.name.clone(), s.name.clone(), *max))
                }
                _ => None,
            });
        let (action, slot, max) = clamp.expect("the default vocabulary has a clamped number slot");
        let reply = format!(r#"{{"action":"{action}","{slot}":{}}}"#, max * 10.0);
        let r = repair_reply(&v, &reply, "x").unwrap();
        assert_eq!(num(&r.command, &slot), max);
        assert!(r.repairs.contains(&Repair::Clamped { slot, from: max * 10.0, to: max }));
        // Strings holding numbers are read as numbers; junk strings are not.
        let r = repair_reply(&v, r#"{"action":"move","direction":"forward","distance_m":"2"}"#, "x").unwrap();
        assert_eq!(num(&r.command, "distance_m"), 2.0);
        assert!(repair_reply(&v, r#"{"action":"move","direction":"forward","distance_m":"far"}"#, "x").is_err());
    }

    #[test]
    fn structural_rejections() {
        let v = vocab();
        assert_eq!(repair_reply(&v, "I cannot do that.", "x"), Err(RepairError::NoJson));
        assert_eq!(repair_reply(&v, r#"{"action":"stop"} {"action":"move","direction":"left"}"#, "x"), Err(RepairError::SeveralObjects));
        assert_eq!(repair_reply(&v, r#"[1, 2]"#, "x"), Err(RepairError::NoJson));
        assert_eq!(repair_reply(&v, r#"{"action": 3}"#, "x"), Err(RepairError::NoAction));
        assert!(matches!(repair_reply(&v, r#"{"action":"move","direction":"up"}"#, "x"), Err(RepairError::Invalid(_))));
        assert!(matches!(repair_reply(&v, r#"{"action":"move","direction":"left","warp":9}"#, "x"), Err(RepairError::Json(_))));
        let long = format!("{}{}", "x".repeat(10_000), r#"{"action":"stop"}"#);
        assert_eq!(repair_reply(&v, &long, "x"), Err(RepairError::NoJson));
        // An `unknown` reply is a valid answer (it carries a reason).
        let r = repair_reply(&v, r#"{"action":"unknown","reason":"not a command"}"#, "sing").unwrap();
        assert!(r.command.is_unknown());
    }

    /// A scripted reply source (the test double over the shim lives in tests/).
    struct Script(Vec<&'static str>, Vec<Vec<ChatMessage>>);

    impl ReplySource for Script {
        type Error = String;
        fn generate(&mut self, messages: &[ChatMessage], _abort: &AtomicBool) -> Result<Option<String>, String> {
            self.1.push(messages.to_vec());
            if self.0.is_empty() {
                return Err("script exhausted".into());
            }
            Ok(Some(self.0.remove(0).to_string()))
        }
    }

    #[test]
    fn retries_are_bounded_and_carry_the_error() {
        let v = vocab();
        let abort = AtomicBool::new(false);
        let mut s = Script(vec!["no idea", r#"{"action":"move","direction":"left"}"#], vec![]);
        let o = parse_command(&mut s, &v, "go left", 3, &abort).unwrap();
        assert!(matches!(&o, Outcome::Command { attempts: 2, repaired } if repaired.command.action == "move"), "{o:?}");
        let second = &s.1[1];
        assert_eq!(second.len(), 4);
        assert!(second[3].content.contains("no JSON object"), "{second:?}");

        let mut s = Script(vec!["{\"action\":\"fly\"}", "{\"action\":\"fly\"}", "never read"], vec![]);
        let o = parse_command(&mut s, &v, "fly", 2, &abort).unwrap();
        let Outcome::Rejected { command, attempts, last_error } = o else { panic!("{o:?}") };
        assert_eq!((attempts, last_error), (2, RepairError::UnknownAction("fly".into())));
        assert!(command.is_unknown() && v.check(&command).is_ok());
        assert_eq!(s.0, vec!["never read"]);

        abort.store(true, Ordering::Relaxed);
        assert_eq!(parse_command(&mut s, &v, "x", 2, &abort).unwrap(), Outcome::Aborted);
    }

    #[test]
    fn prompt_lists_every_action_and_messages_are_json() {
        let v = vocab();
        let p = system_prompt(&v);
        for a in v.actions() {
            assert!(p.contains(&format!("- {}:", a.name)), "{}", a.name);
        }
        let m = ChatMessage { role: "user", content: "say \"hi\"".into() }.to_json();
        let back: Value = serde_json::from_str(&m).unwrap();
        assert_eq!(back["content"], "say \"hi\"");
    }
}
