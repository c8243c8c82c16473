//! Prints the GBNF grammar generated from a vocabulary file (default: the
//! bundled one), e.g. to try it with llama.cpp's own tools.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let vocab = match std::env::args().nth(1) {
        Some(p) => command_grammar::Vocabulary::load(std::path::Path::new(&p))?,
        None => command_grammar::Vocabulary::default_vocabulary()?,
    };
    print!("{}", command_grammar::gbnf(&vocab));
    Ok(())
}
