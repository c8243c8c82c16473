//! Fast-path accuracy on the development set.

use std::path::Path;

use command_grammar::eval::{load_dev_set, matches_expectation};
use command_grammar::{fast_path, FastPathOutcome, Vocabulary};

/// Set a little below the measured figure so regressions fail the build.
const FAST_PATH_ACCURACY_FLOOR: f64 = 0.85;

#[test]
fn fast_path_accuracy_on_dev_set() {
    let vocab = Vocabulary::default_vocabulary().expect("default vocabulary loads");
    let path = Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo")).join("../../tests/data/commands_dev.yaml");
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
