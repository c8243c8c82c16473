//! GBNF grammar for llama.cpp constrained decoding, generated from the
//! vocabulary so the LLM can only emit one JSON object naming a real action
//! with that action's slot names and enum values.
//!
//! GBNF cannot express numeric ranges; the validator clamps or rejects.
//!
//! [`gbnf_for`] narrows the grammar to one utterance: a number slot offers only the numbers
//! its words said (in the slot's unit), so a small model cannot write 0.2 for "two metres" or
//! invent a distance nobody said; the answer check would refuse such an answer anyway, so the
//! narrowing turns refusals into right answers, never wrong ones into accepted ones. A word slot
//! (direction, level) of which a value was said offers only the values said ("use maximum speed"
//! cannot become level `normal`); an optional one of which none was said is left out. Word slots come after the action in the JSON, so this leaves the
//! model's choice of action as it was.

use crate::support::{NumberSlotSaid, WordSlotSaid};
use crate::vocab::{SlotKind, Vocabulary, STOP_ACTION, UNKNOWN_ACTION};

fn rule_name(prefix: &str, name: &str) -> String {
    format!("{prefix}-{}", name.replace('_', "-"))
}

fn lit(s: &str) -> String {
    // Names are checked to be [a-z0-9_] at load time, so only the JSON quotes
    // need escaping inside the GBNF literal.
    format!("\"\\\"{s}\\\"\"")
}

/// Integer digits the grammar allows. Deliberately not derived from the
/// slot's maximum: a model forced to write "20 m" in one digit writes "2",
/// an in-range wrong value the validator can no longer catch. Out-of-range
/// numbers must stay visible so `reject` rejects and `clamp` clamps.
const INTEGER_DIGITS: usize = 6;

/// Longest `reason` the LLM may write for `unknown`.
pub const MAX_REASON_CHARS: usize = 60;

/// Builds the grammar for any utterance; its root rule is `root`.
pub fn gbnf(vocab: &Vocabulary) -> String {
    build(vocab, None)
}

/// The grammar for one utterance: as [`gbnf`], with each number slot offering only the numbers
/// `utterance` said that it could hold ([`crate::support::numbers_said`]), and left out where
/// none was said.
pub fn gbnf_for(vocab: &Vocabulary, utterance: &str) -> String {
    let numbers = crate::support::numbers_said(vocab, utterance);
    let words = crate::support::words_said(vocab, utterance);
    build(vocab, Some((&numbers, &words)))
}

/// A number as the grammar offers it: at most four decimals, and an integer also with ".0".
fn number_lit(v: f64) -> String {
    let s = format!("{:.4}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    let s = if s == "-0" { "0" } else { s };
    if s.contains('.') {
        format!("\"{s}\"")
    } else {
        format!("\"{s}\" (\".0\")?")
    }
}

type Said<'a> = (&'a [(String, bool, Vec<NumberSlotSaid>)], &'a [WordSlotSaid]);

/// `said`: the numbers and slot words said, where the grammar is narrowed to one utterance. Actions are not
/// narrowed to those whose words were said: offered fewer, a small model chose `stop` (always
/// accepted) or another action the words allow for chit-chat and refusals (issue 13's note).
/// Measured again with the LLM's stop gated (2026-12-02, every dev deferral): offering only the
/// actions the check could accept gained 3 right answers and lost 2, and added 3 wrong-valid ones
/// ("hold the door for me" and "i cant wait for my shift to end" became wait).
fn build(vocab: &Vocabulary, said: Option<Said>) -> String {
    let mut rules: Vec<String> = Vec::new();
    let mut alts: Vec<String> = Vec::new();
    'actions: for action in vocab.actions() {
        let name = rule_name("a", &action.name);
        let of_action = said.map(|(s, _)| s.iter().find(|(a, _, _)| *a == action.name));
        let words_of = |slot: &str| {
            said.and_then(|(_, w)| w.iter().find(|w| w.action == action.name && w.slot == slot))
        };
        // An answer of this action would drop an amount said: the check refuses it (stop never).
        if let (Some(Some((_, false, _))), false) = (of_action, action.name == STOP_ACTION) {
            continue;
        }
        let mut parts: Vec<(String, bool, bool)> = Vec::new();
        for slot in &action.slots {
            let key = format!("\",\" ws {} \":\" ws", lit(&slot.name));
            let mut required = slot.required;
            let value = match &slot.kind {
                SlotKind::Number { .. } if said.is_some() => {
                    let numbers = of_action.flatten().and_then(|(_, _, slots)| slots.iter().find(|n| n.slot == slot.name));
                    let values = numbers.map_or(&[][..], |n| n.values.as_slice());
                    if values.is_empty() {
                        if slot.required {
                            continue 'actions;
                        }
                        continue;
                    }
                    required |= numbers.is_some_and(|n| n.required);
                    let alts: Vec<String> = values.iter().map(|v| number_lit(*v)).collect();
                    format!("({})", alts.join(" | "))
                }
                SlotKind::Number { min, .. } => {
                    let sign = if *min < 0.0 { "\"-\"? " } else { "" };
                    format!("{sign}[0-9]{{1,{INTEGER_DIGITS}}} (\".\" [0-9]{{1,2}})?")
                }
                SlotKind::Enum { values } => {
                    // None said: an optional slot is left out (any value would be refused); a
                    // required one stays whole, so the action, and the model's choice of it, stay
                    // as they were, and the check refuses the answer.
                    let v: Vec<String> = match words_of(&slot.name) {
                        Some(w) if !w.values.is_empty() => w.values.iter().map(|k| lit(k)).collect(),
                        Some(_) if !slot.required => continue,
                        _ => values.keys().map(|k| lit(k)).collect(),
                    };
                    format!("({})", v.join(" | "))
                }
                SlotKind::Text => "text".to_string(),
            };
            parts.push((
                format!("{key} {value}"),
                required,
                action.require_any.contains(&slot.name),
            ));
        }
        let seq = |forced: Option<usize>| -> String {
            let mut body = lit(&action.name);
            for (i, (part, required, _)) in parts.iter().enumerate() {
                if *required || forced == Some(i) {
                    body.push_str(&format!(" {part}"));
                } else {
                    body.push_str(&format!(" ({part})?"));
                }
            }
            body
        };
        // "At least one of" becomes one alternative per slot that may be the
        // present one, so the grammar cannot produce a bare `set_speed`.
        let any: Vec<usize> = parts
            .iter()
            .enumerate()
            .filter(|(_, p)| p.2)
            .map(|(i, _)| i)
            .collect();
        let body = if any.is_empty() {
            seq(None)
        } else {
            any.iter()
                .map(|&i| format!("({})", seq(Some(i))))
                .collect::<Vec<_>>()
                .join(" | ")
        };
        rules.push(format!("{name} ::= {body}"));
        alts.push(name);
    }
    alts.push("a-unknown".into());
    rules.push(format!(
        "a-unknown ::= {} \",\" ws {} \":\" ws \"\\\"\" [a-z0-9 ,'-]{{1,{MAX_REASON_CHARS}}} \"\\\"\"",
        lit(UNKNOWN_ACTION),
        lit("reason")
    ));
    let mut out = String::new();
    out.push_str(&format!(
        "root ::= \"{{\" ws {} \":\" ws action ws \"}}\"\n",
        lit("action")
    ));
    out.push_str(&format!("action ::= {}\n", alts.join(" | ")));
    for r in rules {
        out.push_str(&r);
        out.push('\n');
    }
    out.push_str(&format!(
        "text ::= \"\\\"\" [a-z0-9] [a-z0-9 '-]{{0,{}}} \"\\\"\"\n",
        vocab.text_max_chars.saturating_sub(1)
    ));
    out.push_str("ws ::= \" \"?\n");
    out
}
