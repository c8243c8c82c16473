//! The fast path's answer to each line of standard input: the command's JSON, or why it is left
//! to the LLM. For vocabulary authors (does a new phrase parse, and what does it change?).
//!
//!     printf 'scoot forward a tad\nmosey forward a tad\n' | cargo run -p command_grammar --example fast_path_lines

use std::io::BufRead;

use command_grammar::{fast_path, FastPathOutcome, Vocabulary};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let vocab = match std::env::args().nth(1) {
        Some(path) => Vocabulary::load(std::path::Path::new(&path))?,
        None => Vocabulary::default_vocabulary()?,
    };
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let answer = match fast_path(&vocab, &line) {
            FastPathOutcome::NeedsLlm { reason } => format!("needs LLM: {reason}"),
            o => o.command().map(|c| c.to_json(&vocab)).unwrap_or_default(),
        };
        println!("{line} -> {answer}");
    }
    Ok(())
}
