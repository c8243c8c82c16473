//! General English words, for telling a word from a piece of one. The vocabulary knows the
//! command words; this knows the rest of the language (data/english_words.txt, from SCOWL).

use std::collections::HashSet;
use std::sync::OnceLock;

static WORDS: OnceLock<HashSet<&'static str>> = OnceLock::new();

/// Whether `w` (lower case) is an English word.
pub(crate) fn is_word(w: &str) -> bool {
    WORDS
        .get_or_init(|| {
            include_str!("../data/english_words.txt").lines().filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
        })
        .contains(w)
}

#[cfg(test)]
mod tests {
    use super::is_word;

    #[test]
    fn words_and_pieces_of_words() {
        for w in ["remote", "conservatory", "slippers", "telephone", "kitchen", "news", "paper"] {
            assert!(is_word(w), "{w}");
        }
        for w in ["remo", "servatory", "pers", "spaper", "splorn", ""] {
            assert!(!is_word(w), "{w}");
        }
    }
}
