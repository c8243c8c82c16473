use command_grammar::{fast_path, FastPathOutcome, Vocabulary};
fn main() {
    let v = Vocabulary::default_vocabulary().unwrap();
    for t in std::env::args().skip(1) {
        match fast_path(&v, &t) {
            FastPathOutcome::NeedsLlm { reason } => println!("{t:?} -> NEEDS LLM ({reason})"),
            o => println!("{t:?} -> {}", o.command().unwrap().to_json(&v)),
        }
    }
}
