//! Scores a file of labelled utterances (the dev set's format) against the fast path and the LLM
//! answer check, case by case: for a new batch, before it joins the dev set. Held-out cases are
//! counted, never listed (reading them would be tuning on them).
//!
//!     cargo run -p command_grammar --example score_cases -- batch.yaml [vocabulary.yaml]
//!
//! Each dev case gets one line: `HIT`, `WRONG-VALID` (a command other than the expected one),
//! `WRONG-UNKNOWN` (unknown where a command was expected), or `LLM` (left to the model), and
//! `REFUSED` when the check would refuse the expected answer had the LLM given it.

use std::path::Path;

use command_grammar::eval::{expected_action, is_wrong_valid, load_dev_set, matches_expectation, Split};
use command_grammar::{check_support, fast_path, Command, FastPathOutcome, Vocabulary};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let cases = args.next().ok_or("usage: score_cases CASES.yaml [VOCABULARY.yaml]")?;
    let vocab = match args.next() {
        Some(path) => Vocabulary::load(Path::new(&path))?,
        None => Vocabulary::default_vocabulary()?,
    };
    let (mut hits, mut wrong_valid, mut deferred, mut refused, mut dev, mut heldout) = (0, 0, 0, 0, 0, 0);
    for case in load_dev_set(Path::new(&cases))? {
        if case.split != Split::Dev {
            heldout += 1;
            continue;
        }
        dev += 1;
        let outcome = fast_path(&vocab, &case.text);
        let status = match outcome.command() {
            Some(c) if matches_expectation(c, &case.expect) => "HIT",
            Some(c) if is_wrong_valid(c, &case.expect) => "WRONG-VALID",
            Some(_) => "WRONG-UNKNOWN",
            None => "LLM",
        };
        hits += usize::from(status == "HIT");
        wrong_valid += usize::from(status == "WRONG-VALID");
        deferred += usize::from(status == "LLM");
        let shown = match &outcome {
            FastPathOutcome::NeedsLlm { reason } => format!("({reason})"),
            o => o.command().map(|c| c.to_json(&vocab)).unwrap_or_default(),
        };
        let check = expected_refusal(&vocab, &case.text, &case.expect);
        refused += usize::from(check.is_some());
        println!(
            "{status}{} [{}] {:?} -> {shown}; expected {}",
            check.map(|e| format!(" REFUSED({e})")).unwrap_or_default(),
            case.tag,
            case.text,
            serde_json::to_string(&case.expect)?
        );
    }
    println!(
        "dev {dev}: fast path right {hits}, wrong-valid {wrong_valid}, left to the LLM {deferred}; \
         expected answers the check refuses {refused}; held-out cases skipped {heldout}"
    );
    Ok(())
}

/// Why the check would refuse the expected answer, had the LLM given it (`None`: accepted, or
/// nothing to check: unknown and stop are always accepted).
fn expected_refusal(
    vocab: &Vocabulary,
    text: &str,
    expect: &std::collections::BTreeMap<String, serde_yaml_ng::Value>,
) -> Option<String> {
    if matches!(expected_action(expect), Some("unknown" | "stop") | None) {
        return None;
    }
    let json = serde_json::to_string(expect).ok()?;
    let answer = vocab.finalize(Command::from_llm_json(vocab, &json, text, 0.9).ok()?);
    check_support(vocab, text, &answer).err().map(|e| e.to_string())
}
