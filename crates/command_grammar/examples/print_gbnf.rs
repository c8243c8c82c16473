//! Prints the GBNF grammar generated from a vocabulary file (default: the
//! bundled one), e.g. to try it with llama.cpp's own tools; with `--for TEXT`, the grammar
//! narrowed to that utterance's numbers, as the LLM engine uses it.
//!
//!     cargo run -p command_grammar --example print_gbnf -- [VOCABULARY.yaml] [--for "back up two feet"]

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (vocab_path, utterance) = match args.iter().position(|a| a == "--for") {
        Some(i) => (args[..i].first(), Some(args.get(i + 1).ok_or("--for needs an utterance")?)),
        None => (args.first(), None),
    };
    let vocab = match vocab_path {
        Some(p) => command_grammar::Vocabulary::load(std::path::Path::new(p))?,
        None => command_grammar::Vocabulary::default_vocabulary()?,
    };
    match utterance {
        Some(u) => print!("{}", command_grammar::gbnf_for(&vocab, u)),
        None => print!("{}", command_grammar::gbnf(&vocab)),
    }
    Ok(())
}
