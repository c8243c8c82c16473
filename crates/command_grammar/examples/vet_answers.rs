//! Re-checks recorded LLM answers against the current answer check, offline: for changing the
//! check without running the model again (the model takes ~20 minutes over every dev deferral;
//! this takes a second). Input: the output of llm_engine's dev-set test run over every deferral,
//! whose `LLM ...` lines hold each utterance and the raw reply:
//!
//!     AIHAT_LLM_SAMPLE=1 cargo test --release -p llm_engine --test llm dev_set_accuracy -- --nocapture > llm.out
//!     cargo run --release -p command_grammar --example vet_answers -- llm.out tests/data/commands_dev.yaml
//!
//! Or the answers `bench/command_accuracy.py --answers FILE` recorded over ROS (one JSON object a
//! line): each LLM answer the check let through, as published, is vetted again; what the check
//! refused there has no reply on record and is left out (a looser check needs the model run).
//!
//! Each reply is vetted as the engine vets it and scored against the dev set's expectation, one
//! line each (`RIGHT`, `WRONG-VALID`, `UNKNOWN`), then the totals. Held-out utterances are
//! skipped (never listed). The replies came from the grammar of the recorded run: a change to
//! what the grammar offers needs the model run again.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

use command_grammar::eval::{is_wrong_valid, load_dev_set, matches_expectation, Split};
use command_grammar::{vet_llm_answer, Command, Vocabulary};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let answers = args.next().ok_or("usage: vet_answers ANSWERS.jsonl DEV.yaml")?;
    let cases = args.next().ok_or("usage: vet_answers ANSWERS.jsonl DEV.yaml")?;
    let vocab = Vocabulary::default_vocabulary()?;
    let dev: HashMap<String, _> = load_dev_set(Path::new(&cases))?
        .into_iter()
        .map(|c| (c.text.clone(), c))
        .collect();
    let (mut n, mut right, mut wrong_valid) = (0, 0, 0);
    for line in std::io::BufReader::new(std::fs::File::open(&answers)?).lines() {
        let line = line?;
        let Some((text, raw)) = recorded(&line).or_else(|| published(&line)) else { continue };
        let (text, raw) = (text.as_str(), raw.as_str());
        let Some(case) = dev.get(text).filter(|c| c.split == Split::Dev) else { continue };
        n += 1;
        let cmd = match Command::from_llm_json(&vocab, raw, text, 1.0) {
            Ok(c) => vet_llm_answer(&vocab, text, vocab.finalize(c), 0.0),
            Err(e) => Command::unknown(e.to_string(), command_grammar::Source::Llm, text),
        };
        let status = if matches_expectation(&cmd, &case.expect) {
            "RIGHT"
        } else if is_wrong_valid(&cmd, &case.expect) {
            "WRONG-VALID"
        } else {
            "UNKNOWN"
        };
        right += usize::from(status == "RIGHT");
        wrong_valid += usize::from(status == "WRONG-VALID");
        println!("{status} {text:?} -> {} ; raw {raw}; expected {}", cmd.to_json(&vocab), serde_json::to_string(&case.expect)?);
    }
    println!("dev LLM answers {n}: right {right}, wrong-valid {wrong_valid}, unknown {}", n - right - wrong_valid);
    Ok(())
}

/// The utterance and raw reply of one `LLM ok   [tag] "text" -> raw {...} -> published ...` line.
fn recorded(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix("LLM ")?;
    let quoted = &rest[rest.find("] \"")? + 2..];
    let (text, rest) = quoted.split_once("\" -> raw ")?;
    let raw = rest.split_once(" -> published ")?.0;
    // The text is Rust's Debug form of the utterance: quotes and backslashes escaped.
    let text = text.strip_prefix('"')?.replace("\\\"", "\"").replace("\\\\", "\\");
    Some((text, raw.to_string()))
}

/// The utterance and the LLM answer the check let through, from one line of the benchmark's
/// `--answers` file, as the model's reply: the action and its slots, without what the node adds
/// (confidence, source, grounding).
fn published(line: &str) -> Option<(String, String)> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    let got = v.get("got")?.as_object()?;
    if got.get("source")?.as_str()? != "llm" || got.get("action")?.as_str()? == "unknown" {
        return None;
    }
    let added = ["confidence", "source", "text", "reason", "target_in_view", "target_id", "target_position", "target_frame", "target_distance_m"];
    let reply: serde_json::Map<String, serde_json::Value> = got.iter().filter(|(k, _)| !added.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect();
    Some((v.get("text")?.as_str()?.to_string(), serde_json::Value::Object(reply).to_string()))
}
