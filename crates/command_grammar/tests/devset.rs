//! Fast-path accuracy on the development set.

use std::path::Path;

use command_grammar::eval::{load_dev_set, matches_expectation};
use command_grammar::{check_support, fast_path, Command, FastPathOutcome, SlotKind, SlotValue, Vocabulary};

/// Set a little below the measured figure so regressions fail the build.
const FAST_PATH_ACCURACY_FLOOR: f64 = 0.85;

#[test]
fn fast_path_accuracy_on_dev_set() {
    let vocab = Vocabulary::default_vocabulary().expect("default vocabulary loads");
    let path = Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo"))
        .join("../../tests/data/commands_dev.yaml");
    let cases = load_dev_set(&path).expect("dev set loads");
    assert!(cases.len() >= 80, "dev set has only {} cases", cases.len());
    let mut hits = 0;
    let mut needs_llm = 0;
    for case in &cases {
        let outcome = fast_path(&vocab, &case.text);
        let ok = match &outcome {
            FastPathOutcome::Confident(c) | FastPathOutcome::Unknown(c) => {
                vocab.check(c).expect("fast path output validates");
                matches_expectation(c, &case.expect)
            }
            FastPathOutcome::NeedsLlm { .. } => {
                needs_llm += 1;
                false
            }
        };
        if ok {
            hits += 1;
        } else {
            let shown = match &outcome {
                FastPathOutcome::NeedsLlm { reason } => format!("needs LLM ({reason})"),
                o => o.command().map(|c| c.to_json(&vocab)).unwrap_or_default(),
            };
            println!(
                "MISS [{}] {:?}: got {} expected {:?}",
                case.tag, case.text, shown, case.expect
            );
        }
    }
    let acc = hits as f64 / cases.len() as f64;
    println!(
        "fast path alone: {hits}/{} exact = {:.1}% ({needs_llm} deferred to LLM)",
        cases.len(),
        acc * 100.0
    );
    assert!(
        acc >= FAST_PATH_ACCURACY_FLOOR,
        "fast-path accuracy {acc:.3} below floor"
    );
}

/// The LLM answer check must never refuse a right answer: every dev-set
/// answer the fast path gets right is also supported by its words.
#[test]
fn right_fast_path_answers_are_supported_by_their_words() {
    let vocab = Vocabulary::default_vocabulary().expect("default vocabulary loads");
    let path = Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo"))
        .join("../../tests/data/commands_dev.yaml");
    let cases = load_dev_set(&path).expect("dev set loads");
    let (mut right, mut commands) = (0, 0);
    let mut refused = Vec::new();
    for case in &cases {
        let Some(c) = fast_path(&vocab, &case.text).command().cloned() else {
            continue;
        };
        if !matches_expectation(&c, &case.expect) {
            continue;
        }
        right += 1;
        commands += usize::from(!c.is_unknown() && c.action != "stop");
        if let Err(e) = check_support(&vocab, &case.text, &c) {
            refused.push(format!("{:?} -> {}: {e}", case.text, c.to_json(&vocab)));
        }
    }
    println!(
        "support check: {} of {right} right fast-path answers refused ({commands} of them neither unknown nor stop)",
        refused.len()
    );
    for r in &refused {
        println!("REFUSED {r}");
    }
    assert!(commands >= 60, "only {commands} right commands to check");
    assert!(
        refused.is_empty(),
        "{} right answers refused",
        refused.len()
    );
}

/// The other side of the check: a right answer with one slot changed (another
/// enum value, twice the number) is refused, so the check is not vacuous.
#[test]
fn right_answers_with_one_slot_changed_are_refused() {
    let vocab = Vocabulary::default_vocabulary().expect("default vocabulary loads");
    let path = Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo"))
        .join("../../tests/data/commands_dev.yaml");
    let cases = load_dev_set(&path).expect("dev set loads");
    let (mut variants, mut accepted) = (0, Vec::new());
    for case in &cases {
        let Some(c) = fast_path(&vocab, &case.text).command().cloned() else {
            continue;
        };
        if !matches_expectation(&c, &case.expect) || c.is_unknown() || c.action == "stop" {
            continue;
        }
        let spec = vocab.action(&c.action).expect("published action exists");
        for (name, value) in &c.slots {
            let slot = spec.slot(name).expect("published slot exists");
            let changed: Vec<SlotValue> = match (&slot.kind, value) {
                (SlotKind::Enum { values }, SlotValue::Enum(v)) => values
                    .keys()
                    .filter(|k| *k != v)
                    .map(|k| SlotValue::Enum(k.clone()))
                    .collect(),
                (SlotKind::Number { .. }, SlotValue::Number { value, unit }) => {
                    vec![SlotValue::Number {
                        value: value * 2.0,
                        unit: unit.clone(),
                    }]
                }
                _ => Vec::new(),
            };
            for new in changed {
                let mut wrong = c.clone();
                wrong.slots.insert(name.clone(), new);
                let wrong = vocab.finalize(wrong);
                // Clamped back to the same value, or out of range: not a different answer.
                if wrong == c || wrong.is_unknown() {
                    continue;
                }
                // Either way round is the same half turn.
                let half_turn = wrong.action == "turn"
                    && name == "direction"
                    && wrong.slot("angle_deg").and_then(SlotValue::as_f64) == Some(180.0);
                if half_turn {
                    continue;
                }
                variants += 1;
                if check_support(&vocab, &case.text, &wrong).is_ok() {
                    accepted.push(format!("{:?} -> {}", case.text, wrong.to_json(&vocab)));
                }
            }
        }
    }
    println!(
        "support check: {} of {variants} one-slot-wrong answers accepted",
        accepted.len()
    );
    for a in &accepted {
        println!("ACCEPTED {a}");
    }
    assert!(variants >= 50, "only {variants} variants");
    assert!(
        accepted.is_empty(),
        "{} wrong answers accepted",
        accepted.len()
    );
}

/// Every dev-set expectation, as if the LLM had answered it, is supported by
/// its words: this covers the utterances the fast path leaves to the LLM.
#[test]
fn every_expected_answer_is_supported_by_its_words() {
    let vocab = Vocabulary::default_vocabulary().expect("default vocabulary loads");
    let path = Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo")).join("../../tests/data/commands_dev.yaml");
    let cases = load_dev_set(&path).expect("dev set loads");
    let (mut checked, mut deferred, mut refused) = (0, 0, Vec::new());
    for case in &cases {
        let json = serde_json::to_string(&case.expect).expect("expectation is JSON-shaped");
        let answer = Command::from_llm_json(&vocab, &json, &case.text, 0.9).expect("expectation parses");
        let answer = vocab.finalize(answer);
        if answer.is_unknown() || answer.action == "stop" {
            continue;
        }
        checked += 1;
        deferred += usize::from(matches!(fast_path(&vocab, &case.text), FastPathOutcome::NeedsLlm { .. }));
        if let Err(e) = check_support(&vocab, &case.text, &answer) {
            refused.push(format!("{:?} -> {}: {e}", case.text, answer.to_json(&vocab)));
        }
    }
    println!(
        "support check: {} of {checked} expected answers refused ({deferred} of them left to the LLM by the fast path)",
        refused.len()
    );
    for r in &refused {
        println!("REFUSED {r}");
    }
    assert!(checked >= 60, "only {checked} expected answers");
    assert!(refused.is_empty(), "{} expected answers refused", refused.len());
}
