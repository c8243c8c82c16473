//! Deterministic rule parser that answers plain commands without the LLM.
//!
//! Order matters: stop words are checked before any rejection so that "STOP"
//! wrapped in noise still stops the robot; rule-change attempts are refused
//! before parsing so nothing in them can become a slot value.

use std::collections::BTreeMap;

use crate::command::{canonical_unit, Command, SlotValue, Source};
use crate::error::ValidationError;
use crate::numbers::{fraction_word, parse_number};
use crate::vocab::{dimension as dim, OutOfRange, SlotKind, Vocabulary, DIRECTION_SLOT, STOP_ACTION, TARGET_SLOT};

/// Result of the fast path for one utterance.
#[derive(Debug, Clone, PartialEq)]
pub enum FastPathOutcome {
    /// A validated command the node can publish without the LLM.
    Confident(Command),
    /// The grammar could not settle it; ask the LLM. The reason is for logs.
    NeedsLlm { reason: String },
    /// Input that must not reach the LLM (empty, too long, binary, not
    /// English, compound, rule-change attempts, rejected ranges).
    Unknown(Command),
}

impl FastPathOutcome {
    pub fn command(&self) -> Option<&Command> {
        match self {
            FastPathOutcome::Confident(c) | FastPathOutcome::Unknown(c) => Some(c),
            FastPathOutcome::NeedsLlm { .. } => None,
        }
    }
}

/// Bounds the work done on pathological input before the length check
/// rejects it; a stop word must still be found in the first part.
const SCAN_LIMIT_CHARS: usize = 4096;
/// Words that open an utterance to call someone: "hey robert find the cat", "oi kyle go".
pub(crate) const GREETINGS: [&str; 7] = ["hey", "ok", "okay", "oi", "yo", "hi", "hello"];
const BASE_CONFIDENCE: f32 = 0.95;
const TYPO_PENALTY: f32 = 0.05;

#[derive(Clone, Copy, PartialEq)]
enum Class {
    Digit,
    Other,
}

/// Lowercases, maps punctuation to spaces and splits "50cm" into "50 cm" so
/// units glued to numbers by the transcriber are still found.
pub fn normalize(text: &str) -> Vec<String> {
    let mut cleaned = String::with_capacity(text.len().min(SCAN_LIMIT_CHARS));
    for c in text.chars().take(SCAN_LIMIT_CHARS) {
        match c {
            '°' => cleaned.push_str(" deg "),
            '’' | '\'' => cleaned.push('\''),
            '.' | '/' => cleaned.push(c),
            c if c.is_alphanumeric() => cleaned.extend(c.to_lowercase()),
            _ => cleaned.push(' '),
        }
    }
    let mut out: Vec<String> = Vec::new();
    for raw in cleaned.split_whitespace() {
        // "1 .5 metres": a recogniser's space before a decimal point.
        let fraction = raw.strip_prefix('.').filter(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_digit()));
        if let (Some(f), Some(prev)) = (fraction, out.last_mut()) {
            if prev.chars().all(|c: char| c.is_ascii_digit()) {
                prev.push('.');
                prev.push_str(f);
                continue;
            }
        }
        let word = unstretched(raw.trim_matches(|c| c == '.' || c == '\'' || c == '/'));
        let word = word.as_str();
        if word.is_empty() {
            continue;
        }
        if is_code_or_ordinal(word) {
            out.push(word.to_string());
            continue;
        }
        let mut cur = String::new();
        let mut prev: Option<Class> = None;
        for c in word.chars() {
            let class =
                if c.is_ascii_digit() || ((c == '.' || c == '/') && prev == Some(Class::Digit)) {
                    Class::Digit
                } else {
                    Class::Other
                };
            if prev.is_some_and(|p| p != class) && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur.push(c);
            prev = Some(class);
        }
        let cur = cur.trim_matches(|c| c == '.' || c == '/').to_string();
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    out
}

/// "the 2nd door", "room 12b", "gate b12", "the 3d printer": an ordinal or a label is one word of a
/// name. A number joined to a unit's letter ("2m", "10s", "1h") is still split to be read.
fn is_code_or_ordinal(word: &str) -> bool {
    let tail = word.trim_start_matches(|c: char| c.is_ascii_digit());
    if tail.len() < word.len() {
        return matches!(tail, "st" | "nd" | "rd" | "th")
            || (tail.len() == 1 && tail.chars().all(|c| c.is_ascii_lowercase()) && !matches!(tail, "m" | "s" | "h"));
    }
    let mut chars = word.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && !chars.as_str().is_empty()
        && chars.as_str().chars().all(|c| c.is_ascii_digit())
}

/// "pleeease", "stooop", "nooo": a letter said long (three or more in a row, which no English
/// word has) is one letter. Digits keep their runs ("1000").
fn unstretched(word: &str) -> String {
    // "mmm", "zzz": one letter held is a sound, no word ("m" would be metres).
    let mut letters = word.chars();
    if word.len() >= 3 && letters.next().is_some_and(|c| c.is_alphabetic() && letters.all(|d| d == c)) {
        return "hmm".to_string();
    }
    let mut out = String::with_capacity(word.len());
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        let mut run = 1;
        while chars.next_if_eq(&c).is_some() {
            run += 1;
        }
        let kept = if run >= 3 && c.is_alphabetic() { 1 } else { run };
        out.extend(std::iter::repeat_n(c, kept));
    }
    out
}

/// Days said of a visit to come ("please stop by on tuesday at three").
const DAYS: [&str; 12] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "tomorrow", "weekend", "week", "today", "tonight"];

/// Adverbs that may stand between a speaker and what they tell of doing.
const REPORT_ADVERBS: [&str; 7] = ["already", "just", "also", "finally", "recently", "then", "never"];

/// What one calls a child or a pet to scold or praise them after "you" ("you little monkey", "you
/// silly dog"): said to them, not to the robot. Shared with the LLM answer check.
pub(crate) const SCOLDING: [&str; 7] = ["little", "cheeky", "naughty", "silly", "daft", "bad", "good"];

/// Words standing in for a name the speaker cannot find ("bring me the whatsit", "the thingy"):
/// they name no thing. Shared with the LLM answer check.
pub(crate) const PLACEHOLDERS: [&str; 10] = ["thingy", "whatsit", "doodah", "thingamajig", "whatchamacallit", "thingummy", "thingamabob", "doohickey", "thingummyjig", "whatnot"];

/// Titles said before a surname ("you can stop rinsing now mrs patel"): the word after one calls a
/// person by name, whatever the name.
pub(crate) const TITLES: [&str; 8] = ["mr", "mrs", "ms", "miss", "mister", "missus", "dr", "professor"];

/// Colours, materials and kinds that describe a toy or a creature ("the rubber duck", "the
/// speckled hen"): after one, a fond name that is a creature too names the thing.
const THING_DESCRIBERS: [&str; 30] = [
    "rubber", "plastic", "wooden", "wood", "toy", "stuffed", "soft", "cuddly", "bath", "baby", "little", "big", "mother", "red", "orange",
    "yellow", "green", "blue", "purple", "pink", "white", "black", "brown", "grey", "gray", "speckled", "spotted", "golden", "mallard", "wild",
];

/// "the rubber duck", "the speckled hen": a fond name that is a creature too (`last`), after a word
/// describing it (`before`), is the thing, not one spoken to. Shared with the LLM answer check.
pub(crate) fn described_creature(before: &str, last: &str) -> bool {
    matches!(last, "duck" | "hen" | "chuck") && THING_DESCRIBERS.contains(&before)
}

/// Sounds of hesitation, which say nothing wherever they fall.
pub(crate) const HESITATIONS: [&str; 7] = ["um", "uh", "er", "erm", "uhm", "umm", "hmm"];

/// Endings that make another form of the same word: "cups" is no restart of "cup".
const INFLECTIONS: &[&str] = &["es", "ed", "ing", "er", "ers", "est", "ly", "ies", "ful", "ness", "ish", "en"];

/// The utterance's words ([`normalize`]) with what speech recognition split or joined put back
/// as the vocabulary's `respellings` say ("go for word" -> "go forward", "turnleft" -> "turn
/// left"). Before anything else reads them, so the fast path and the answer check see the same
/// words.
pub(crate) fn words(vocab: &Vocabulary, text: &str) -> Vec<String> {
    let tokens: Vec<String> = normalize(text).into_iter().flat_map(|t| unjoined(vocab, t)).collect();
    let mut tokens = rejoined(vocab, tokens);
    // "wait 4 me here", "come 2 me": a digit written for the word it sounds like, before a
    // pronoun or an article, counts nothing.
    for i in 0..tokens.len().saturating_sub(1) {
        let next = tokens[i + 1].as_str();
        if matches!(next, "me" | "you" | "us" | "him" | "her" | "them" | "the" | "my" | "your") {
            match tokens[i].as_str() {
                "4" => tokens[i] = "for".into(),
                "2" => tokens[i] = "to".into(),
                _ => {}
            }
        }
        // "find me keys an bring them here": "an" before a request's word that opens with a
        // consonant is "and" as said in Scots and the North (the article goes before a vowel).
        let next = tokens[i + 1].as_str();
        let consonant = next.chars().next().is_some_and(|c| c.is_ascii_alphabetic() && !"aeiouh".contains(c));
        if tokens[i] == "an" && consonant && vocab.opens_an_action_phrase(next) {
            tokens[i] = "and".into();
        }
    }
    let mut out: Vec<String> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        match vocab.respellings.iter().find(|(heard, _)| tokens[i..].starts_with(heard)) {
            Some((heard, meant)) => {
                out.extend(meant.iter().cloned());
                i += heard.len();
            }
            None => {
                // "go go go to my bedroom": a stutter says a word once. Not a stop word or "no"
                // ("no no" is a stop phrase), nor a number ("two two" may be a misread "twenty two").
                let stutter = out.last() == Some(&tokens[i])
                    && !vocab.stop_words.contains(&tokens[i])
                    && !vocab.stop_phrases.iter().any(|p| p.len() == 2 && p[0] == tokens[i] && p[1] == tokens[i])
                    && tokens[i] != "no"
                    && !is_numeric(&tokens[i])
                    && !crate::numbers::NUMBER_WORDS.contains(&tokens[i].as_str());
                if !stutter {
                    out.push(tokens[i].clone());
                }
                i += 1;
            }
        }
    }
    // "bring me the re the remote": an article, a word broken off, the article again.
    let mut i = 0;
    while i + 3 < out.len() {
        let restart = vocab.strip_words.contains(&out[i])
            && out[i + 2] == out[i]
            && out[i + 1].len() < out[i + 3].len()
            && out[i + 3].starts_with(out[i + 1].as_str());
        if restart {
            out.drain(i..i + 2);
        } else {
            i += 1;
        }
    }
    // "t t turn left", "could you p p pick up the keys", "st stop": a stammer, a word's first sounds
    // said before it, is said once.
    let mut i = 0;
    while i + 1 < out.len() {
        let w = &out[i];
        let stammer = w.len() <= 2
            && w.chars().all(|c| c.is_ascii_lowercase())
            && !vocab.english_words.contains(w)
            && !vocab.known_words.contains(w)
            && !vocab.filler_words.contains(w)
            && !vocab.strip_words.contains(w)
            && !crate::numbers::NUMBER_WORDS.contains(&w.as_str())
            && out[i + 1].len() > w.len()
            && out[i + 1].starts_with(w.as_str());
        // A letter, said twice or more (the stutter rule above has said it once), is a stammer even
        // where it is also a unit ("m m move"), unless it follows a number ("2 m").
        let after_number = i > 0 && (is_numeric(&out[i - 1]) || crate::numbers::NUMBER_WORDS.contains(&out[i - 1].as_str()));
        let letter = w.len() == 1 && !matches!(w.as_str(), "a" | "i" | "u") && !after_number;
        // "go to the kit kitchen", "find my wall wallet": a word broken off and said again whole.
        // Not the word with an ending ("cup cups", "turn turning"), nor a little word of its own
        // ("the keys for forklift two").
        let broken_off = w.len() >= 3
            && !is_numeric(w)
            && !vocab.filler_words.contains(w)
            && !vocab.strip_words.contains(w)
            && !vocab.relation_words.contains(w)
            && out[i + 1].len() >= w.len() + 2
            && out[i + 1].starts_with(w.as_str())
            && !INFLECTIONS.contains(&&out[i + 1][w.len()..]);
        // "the usb c cable", "vitamin c capsules": a letter after a word no list knows is a name's.
        let in_name = i > 0 && !vocab.english_words.contains(&out[i - 1]) && !is_numeric(&out[i - 1]);
        if stammer || broken_off || (letter && !in_name && out[i + 1].len() > 1 && out[i + 1].starts_with(w.as_str())) {
            out.remove(i);
        } else {
            i += 1;
        }
    }
    // "mm just go to your charger": "mm" opening the utterance is a hesitation, not millimetres.
    while out.len() > 1 && matches!(out[0].as_str(), "mm" | "mmm" | "mhm") {
        out.remove(0);
    }
    // "bot three back up a touch", "roger bot three turn left ninety": a robot's call sign, its name
    // and its number, says which robot; the number measures nothing ("robot two metres forward" does).
    let mut k = 0;
    let mut called = false;
    while k + 2 < out.len() {
        let named = vocab.robot_names.contains(&out[k]) || out[k] == "unit";
        let number = is_number_word(&out[k + 1]) && !matches!(out[k + 1].as_str(), "a" | "an" | "point" | "half" | "quarter");
        // "bot three turn left ninety": "turn" before a direction is the action, not a unit.
        let turning = out[k + 2] == "turn" && out.get(k + 3).is_some_and(|w| matches!(w.as_str(), "left" | "right" | "around" | "round"));
        let unit = unit_at(vocab, &out, k + 2).is_some() && !turning;
        if named && number && !unit && !is_number_word(&out[k + 2]) && !is_numeric(&out[k + 2]) {
            out.remove(k + 1);
            called = true;
            // "unit two go to bay four": "unit" opening the call, unlike a robot's name, is no
            // word the rest of the parser knows to pass over.
            if out[k] == "unit" && out[..k].iter().all(|w| vocab.filler_words.contains(w) || GREETINGS.contains(&w.as_str())) {
                out.remove(k);
                continue;
            }
        }
        k += 1;
    }
    // "unit two forward two metres over": a radio call closes with "over" ("over and out"), not
    // after a word it goes with ("bot two roll over", "hand it over").
    if called && out.ends_with(&["over".to_string(), "and".to_string(), "out".to_string()]) {
        out.truncate(out.len() - 3);
    }
    let opens_phrase = |w: &str| vocab.actions.iter().flat_map(|a| &a.synonyms).any(|p| p.phrase.first().is_some_and(|f| f == w));
    if called && out.len() > 2 && out.last().is_some_and(|w| w == "over") && !opens_phrase(&out[out.len() - 2]) && !matches!(out[out.len() - 2].as_str(), "it" | "them" | "this" | "that" | "roll" | "hand" | "knock" | "tip" | "bend" | "lean" | "pull") {
        out.pop();
    }
    // "go to the lounge mm": closing it, after no number, too.
    while out.len() > 1
        && matches!(out[out.len() - 1].as_str(), "mm" | "mmm" | "mhm")
        && !is_number_word(&out[out.len() - 2])
        && !is_numeric(&out[out.len() - 2])
        && !vocab.number_homophones.contains_key(&out[out.len() - 2])
    {
        out.pop();
    }
    // "one uh metre", "back uh uh one": a hesitation inside an amount says nothing ("two um two
    // metres" is a stutter, said once above).
    let mut i = 1;
    while i + 1 < out.len() {
        if HESITATIONS.contains(&out[i].as_str()) && is_number_word(&out[i - 1]) && out[i + 1] != out[i - 1] {
            out.remove(i);
        } else {
            i += 1;
        }
    }
    // "won point five metres", "too hundred millimetres", "tree quarters of a metre", "won twenty
    // degrees": a word that sounds like a digit, right before more of a number, is the digit. Not a
    // filler ("wait for ten seconds") or a phrase's own words, nor a noun after a determiner ("a
    // full ninety degrees", "the tree two metres on").
    for i in 0..out.len().saturating_sub(1) {
        let Some(&value) = vocab.number_homophones.get(&out[i]) else { continue };
        let digit = value.fract() == 0.0 && (1.0..=9.0).contains(&value);
        let determined = i > 0 && (vocab.strip_words.contains(&out[i - 1]) || OBJECT_DETERMINERS.contains(&out[i - 1].as_str()));
        let more = |w: &str| {
            // The tens ("twenty" .. "ninety"), "hundred" and "thousand", and what needs a number
            // before it.
            matches!(w, "point" | "quarter" | "quarters" | "third" | "thirds") || crate::numbers::NUMBER_WORDS[20..30].contains(&w)
        };
        let commands_own = vocab.filler_words.contains(&out[i])
            || vocab.actions.iter().flat_map(|a| &a.synonyms).any(|s| s.phrase.windows(2).any(|p| p[0] == out[i] && p[1] == out[i + 1]));
        if digit && !determined && !commands_own && more(&out[i + 1]) {
            out[i] = crate::numbers::NUMBER_WORDS[value as usize].to_string();
        }
        // "turn right fordy five degree": a word that sounds like the tens, right before a digit,
        // is the tens.
        let tens = value.fract() == 0.0 && (20.0..=90.0).contains(&value) && value % 10.0 == 0.0;
        if tens && !determined && !commands_own && crate::numbers::NUMBER_WORDS[1..10].contains(&out[i + 1].as_str()) {
            out[i] = crate::numbers::NUMBER_WORDS[18 + (value / 10.0) as usize].to_string();
        }
    }
    // "carry um carry on", "turn uh turn left": a word, a hesitation, the word again is said once.
    let mut i = 0;
    while i + 2 < out.len() {
        let hesitation = HESITATIONS.contains(&out[i + 1].as_str());
        if hesitation && out[i] == out[i + 2] && !vocab.stop_words.contains(&out[i]) && out[i] != "no" {
            out.drain(i..i + 2);
        } else {
            i += 1;
        }
    }
    // "hey robert find the cat", "okay bought follow that guy": after a greeting that opens the
    // utterance, a word the vocabulary does not know right before an action's word is the robot's
    // name misheard; a person's name ("hey sam hand me that wrench") calls someone else.
    let opens_phrase = |w: &str| vocab.actions.iter().flat_map(|a| &a.synonyms).any(|p| p.phrase.first().is_some_and(|f| f == w));
    if out.len() > 3
        && GREETINGS.contains(&out[0].as_str())
        && !vocab.known_words.contains(&out[1])
        && !vocab.person_names.contains(&out[1])
        && !vocab.filler_words.contains(&out[1])
        && !vocab.strip_words.contains(&out[1])
        && opens_phrase(&out[2])
    {
        out.remove(1);
    }
    // "wait five seconds full stop": punctuation spoken to dictation ("come to a full stop" asks).
    if out.len() > 2 && out.ends_with(&["full".to_string(), "stop".to_string()]) && !matches!(out[out.len() - 3].as_str(), "a" | "the" | "to") {
        out.truncate(out.len() - 2);
    }
    // "crack on then", "come here then": a closing "then" joins nothing.
    while out.len() > 1 && out.last().is_some_and(|w| w == "then") {
        out.pop();
    }
    // "follow doggy follow doggy", "look at the birdie look at the birdie": a child says the
    // whole command twice; once is meant.
    let mut i = 0;
    while i < out.len() {
        // Not a stop phrase that is the repeat ("hold up hold up theres a pallet in the way").
        let repeated = (2..=MAX_REPEATED_SPAN).find(|&len| {
            i + 2 * len <= out.len()
                && out[i..i + len] == out[i + len..i + 2 * len]
                && !vocab.stop_phrases.iter().any(|p| out[i..i + 2 * len] == p[..])
        });
        match repeated {
            Some(len) => {
                out.drain(i + len..i + 2 * len);
            }
            None => i += 1,
        }
    }
    // "would you mind fetching my book", "how about picking up the cup": after these the verb of
    // a polite request comes as a gerund; read as the action's own word.
    let lead_in = |w: &str| matches!(w, "mind" | "about");
    for i in 1..out.len() {
        // One adverb may stand between: "would you mind awfully fetching".
        let adverb_between = i >= 2 && out[i - 1].ends_with("ly") && lead_in(&out[i - 2]);
        if lead_in(&out[i - 1]) || adverb_between {
            if let Some(stem) = action_stem(vocab, &out[i]) {
                out[i] = stem;
            }
        }
    }
    // "keep following me dont stop", "no dont stop carry on": a stop word negated (not "never":
    // "never stop being awesome" is a wish) with more said than "no" asks for no stop and names
    // nothing; the rest is the command. "dont stop" and "no dont stop" alone keep their reading
    // (`not_stop_utterances`; a false stop is safe).
    while let Some(i) = (1..out.len()).find(|&i| {
        vocab.stop_words.contains(&out[i])
            && matches!(out[i - 1].as_str(), "dont" | "don't" | "not")
            && out
                .iter()
                .enumerate()
                .any(|(k, t)| k != i && k + 1 != i && t != "no" && !vocab.filler_words.contains(t))
    }) {
        // "dont stop youre doing great": with only a remark after it and nothing before, the
        // negated stop is itself the request, to go on.
        let before = (0..i - 1).any(|k| out[k] != "no" && !vocab.filler_words.contains(&out[k]));
        let next = (i + 1..out.len()).find(|&k| out[k] != "now" && !vocab.filler_words.contains(&out[k]));
        if !before && next.is_some_and(|k| remark_starts(&out, k, false)) {
            out.splice(i - 1..=i, ["carry".to_string(), "on".to_string()]);
        } else {
            out.drain(i - 1..=i);
        }
    }
    out
}

/// The word an action phrase starts with that the gerund `w` is formed from ("fetching": fetch,
/// "coming": come, "grabbing": grab), if any. Never a stop word: "stopping" is talk of stopping.
fn action_stem(vocab: &Vocabulary, w: &str) -> Option<String> {
    w.strip_suffix("ing").filter(|b| b.len() >= 2)?;
    action_word_stems(vocab, w, "ing").next()
}

/// The words `w` may be formed from with `suffix` ("ing", "ed"): the bare stem, with an "e"
/// restored, or with a doubled consonant undone; in that order, only those (not stop words) that
/// start an action phrase.
pub(crate) fn action_word_stems<'v>(vocab: &'v Vocabulary, w: &str, suffix: &str) -> impl Iterator<Item = String> + 'v {
    let candidates = match w.strip_suffix(suffix) {
        Some(base) => {
            let doubled = base.len() >= 3 && base.as_bytes()[base.len() - 1] == base.as_bytes()[base.len() - 2];
            vec![Some(base.to_string()), Some(format!("{base}e")), doubled.then(|| base[..base.len() - 1].to_string())]
        }
        None => Vec::new(),
    };
    candidates.into_iter().flatten().filter(move |c| {
        !vocab.stop_words.contains(c) && vocab.opens_an_action_phrase(c)
    })
}

/// "stopnow", "putitdown", "moveforward": a word no vocabulary knows that is two or three of the
/// command vocabulary's own words run together is those words (a name such as "bathroom" is
/// left alone: "bath" is no command word).
fn unjoined(vocab: &Vocabulary, t: String) -> Vec<String> {
    let known = |w: &str| w.chars().count() >= 2 && vocab.known_words.contains(w);
    if t.chars().count() < 5
        || !t.chars().all(|c| c.is_ascii_lowercase())
        || vocab.english_words.contains(&t)
        || vocab.canonical_target(&t).is_some()
    {
        return vec![t];
    }
    // "go to thelaundry": an article run into the word after it ("theme", "thermos" are words).
    if let Some(rest) = t.strip_prefix("the").filter(|r| r.len() >= 3 && crate::english::is_word(r) && !crate::english::is_word(&t)) {
        return vec!["the".to_string(), rest.to_string()];
    }
    // The first word must be one of an action's, a direction's, a stop's or an amount's (no
    // filler: "pallet" is no "pal let").
    // Nor a copula: "arena" is no "are na".
    let leads = |w: &str| known(w) && !vocab.filler_words.contains(w) && !vocab.connectives.contains(w) && !matches!(w, "are" | "is");
    for i in 2..t.len() - 1 {
        let (a, rest) = t.split_at(i);
        if !leads(a) {
            continue;
        }
        // "waiter", "porter", "holder": a noun made with "-er", no "wait er".
        if known(rest) && !matches!(rest, "er" | "ers") {
            return vec![a.to_string(), rest.to_string()];
        }
        // After it, an article or a word of going may be run in too: "gotothe living room".
        let follows = |w: &str| known(w) || vocab.strip_words.contains(w) || vocab.destination_words.contains(w);
        for j in 2..rest.len().saturating_sub(1) {
            let (b, c) = rest.split_at(j);
            if follows(b) && follows(c) {
                return vec![a.to_string(), b.to_string(), c.to_string()];
            }
        }
    }
    vec![t]
}

/// "pick up the remo te", "find my slip pers", "go to the con servatory": two words of which one
/// is no word at all (neither English nor the vocabulary's) that
/// together make an English word are that word broken in two by speech recognition. Two words
/// that are each words keep their own meaning ("news paper", "for ward"), and a hesitation is
/// none of a word ("er go" is no "ergo", "le er right" no "leer").
fn rejoined(vocab: &Vocabulary, tokens: Vec<String>) -> Vec<String> {
    let known = |w: &str| {
        crate::english::is_word(w)
            || vocab.english_words.contains(w)
            || vocab.filler_words.contains(w)
            || vocab.person_names.contains(w)
            || crate::numbers::NUMBER_WORDS.contains(&w)
    };
    let letters = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase()) && !HESITATIONS.contains(&w);
    let mut out: Vec<String> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if let Some(next) = tokens.get(i + 1) {
            let (a, b) = (tokens[i].as_str(), next.as_str());
            let whole = format!("{a}{b}");
            if letters(a) && letters(b) && !(known(a) && known(b)) && crate::english::is_word(&whole) {
                out.push(whole);
                i += 2;
                continue;
            }
        }
        // "the linnen cupboard", "the hobb": a letter doubled in a word no list knows, where
        // the word with it once is one.
        let w = tokens[i].as_str();
        let undoubled = (w.len() >= 5 && letters(w) && !known(w) && !vocab.known_words.contains(w))
            .then(|| {
                (1..w.len()).filter(|&k| w.as_bytes()[k] == w.as_bytes()[k - 1]).find_map(|k| {
                    let once = format!("{}{}", &w[..k], &w[k + 1..]);
                    crate::english::is_word(&once).then_some(once)
                })
            })
            .flatten();
        // "bwing me my bwanket", "go to the pwayroom", "lilys woom": a child's w for r or l, in a
        // word no list knows, where the word with r or l is one.
        let unwed = || {
            // ("the eyewash station": two words run together is no child's word.)
            let compound = || (3..w.len().saturating_sub(2)).any(|k| crate::english::is_word(&w[..k]) && crate::english::is_word(&w[k..]));
            (w.len() >= 4 && w.contains('w') && letters(w) && !known(w) && !vocab.known_words.contains(w) && !compound()).then(|| {
                ["r", "l"].iter().find_map(|r| {
                    let all = w.replace('w', r);
                    if crate::english::is_word(&all) {
                        return Some(all);
                    }
                    w.match_indices('w').find_map(|(k, _)| {
                        let one = format!("{}{r}{}", &w[..k], &w[k + 1..]);
                        crate::english::is_word(&one).then_some(one)
                    })
                })
            })
            .flatten()
        };
        out.push(undoubled.or_else(unwed).unwrap_or_else(|| tokens[i].clone()));
        i += 1;
    }
    out
}

/// The first word of the action phrase `m` said with an ending that tells what someone does or
/// did ("the robot follows me", "the forklift moved forward"), not what is asked. A phrase-less
/// reading ("fwd two meters") starts past the last word and describes nothing.
pub(crate) fn described_doing(vocab: &Vocabulary, raw: &[String], m: &TriggerMatch) -> bool {
    let Some(said) = raw.get(m.start) else {
        return false;
    };
    let meant = &vocab.actions[m.action].synonyms[m.synonym].phrase[0];
    // A phrase itself in the past ("moved") asks only of the robot: "it would be great if you moved
    // back a little", not "the forklift moved forward two metres".
    let of_own_word = |stem: Option<&str>| {
        stem.is_some_and(|stem| vocab.actions[m.action].synonyms.iter().any(|s| s.phrase[0] == stem))
    };
    let past_of_another = (of_own_word(meant.strip_suffix('d')) || of_own_word(meant.strip_suffix("ed")))
        && m.start.checked_sub(1).is_some_and(|i| !matches!(raw[i].as_str(), "you" | "u" | "ya" | "ye"));
    // "the forklift is turning left": what another is doing now. Not "you are going forward one
    // meter now", a request in English learnt late.
    let doing = said.len() > 4 && said.ends_with("ing");
    let progressive_of_another = doing
        && m.start.checked_sub(1).is_some_and(|i| match raw[i].as_str() {
            "is" | "was" | "isnt" | "wasnt" => true,
            "are" | "were" => i.checked_sub(1).is_some_and(|s| !matches!(raw[s].as_str(), "you" | "u" | "ya" | "ye")),
            _ => false,
        });
    // "before someone steps on it": a verb in "-s" after another's name is what they do.
    let third_person = said.ends_with('s')
        && m.start.checked_sub(1).is_some_and(|i| {
            matches!(raw[i].as_str(), "someone" | "somebody" | "he" | "she" | "nobody" | "everyone" | "everybody" | "anyone" | "anybody")
        });
    // "it would be nice if you backed up a little": the past asks, after a polite condition.
    let asked = vocab.after_polite_condition(&raw[..m.start]);
    !asked
        && (past_of_another
        || progressive_of_another
        || third_person
        || (said != meant && ["s", "es", "ed", "d"].iter().any(|e| said.strip_suffix(e) == Some(meant.as_str()))))
}

/// "stop the music", "slow down the video", "pause the film": from `end`, past an article or a
/// possessive, a thing that plays or runs (`stop_objects`) is what the words act on.
pub(crate) fn runs_a_thing_after(vocab: &Vocabulary, tokens: &[String], end: usize) -> bool {
    let mut k = end;
    while tokens.get(k).is_some_and(|w| vocab.strip_words.contains(w)) {
        k += 1;
    }
    k > end && tokens.get(k..(k + 2).min(tokens.len())).is_some_and(|ws| ws.iter().any(|w| vocab.stop_objects.contains(w)))
}

/// "get this to the kitchen", "get it to mum": a word for a thing that, inside a going's phrase,
/// is sent somewhere while the robot stays.
pub(crate) fn is_thing_sent(w: &str) -> bool {
    matches!(w, "it" | "them" | "this" | "that" | "these" | "those")
}

/// "get the kettle on", "get the washing in", "take the rubbish out", "get your head down": the
/// particle that closes the request right after the thing a fetching verb at `verb` (its phrase
/// ending at `phrase_end`) takes, if one does. It makes another verb of the phrase (switching on,
/// bringing in, putting out), no fetch ("get the cup off the table" fetches).
pub(crate) fn particle_closes<'a>(vocab: &Vocabulary, tokens: &'a [String], verb: usize, phrase_end: usize) -> Option<&'a str> {
    if !tokens.get(verb).is_some_and(|v| matches!(v.as_str(), "get" | "fetch" | "grab" | "take" | "bring" | "carry")) {
        return None;
    }
    let last = (phrase_end..tokens.len()).rev().find(|&i| !vocab.filler_words.contains(&tokens[i])).filter(|&l| l > phrase_end)?;
    let before = &tokens[last - 1];
    (matches!(tokens[last].as_str(), "on" | "off" | "in" | "out" | "down" | "away")
        && !vocab.strip_words.contains(before)
        && !vocab.relation_words.contains(before)
        && !vocab.filler_words.contains(before)
        // "straight away": how soon.
        && !matches!(before.as_str(), "straight" | "right"))
    .then_some(tokens[last].as_str())
}

/// "come to mummy", "come over to daddy": a parent calling the robot over names themself, after a
/// phrase of coming at `verb` ending at `phrase_end` ("go to mummy" is a going).
pub(crate) fn parent_calling(vocab: &Vocabulary, tokens: &[String], verb: usize, phrase_end: usize) -> bool {
    let after: Vec<&String> = tokens[phrase_end.min(tokens.len())..]
        .iter()
        .filter(|w| !vocab.filler_words.contains(*w) && !vocab.strip_words.contains(*w) && !matches!(w.as_str(), "to" | "over"))
        .collect();
    tokens.get(verb).is_some_and(|v| v == "come") && matches!(after[..], [w] if vocab.kin_words.contains(w.as_str()))
}

/// "the care home", "a dolls home": `w` before "home" makes one place of the two ("the kids
/// home" is where the kids go).
pub(crate) fn names_a_home(w: &str) -> bool {
    matches!(w, "care" | "nursing" | "old" | "peoples" | "mobile" | "holiday" | "second" | "family" | "retirement" | "funeral" | "childrens" | "dolls")
}

/// Places and things named by a verb and its particle ("the goods in", "the walk in", "the drop
/// off"): the particle is no dangling relation.
const PARTICLE_NOUNS: [(&str, &str); 8] =
    [("goods", "in"), ("goods", "out"), ("walk", "in"), ("check", "in"), ("drop", "off"), ("drive", "through"), ("lean", "to"), ("lay", "by")];

/// Words that open a noun phrase: an action word right after one names a thing.
pub(crate) const OBJECT_DETERMINERS: [&str; 6] = ["the", "my", "your", "our", "their", "his"];

/// Degrees of a half turn, whose direction is free.
pub(crate) const HALF_TURN_DEG: f64 = 180.0;

/// Longest span of words [`words`] reads as said twice by mistake.
const MAX_REPEATED_SPAN: usize = 8;

pub(crate) fn contains_phrase(tokens: &[String], phrase: &[String]) -> bool {
    !phrase.is_empty() && tokens.windows(phrase.len()).any(|w| w == phrase)
}

/// Objects that sit inside a phrasal verb ("back it up") without naming anything.
const PRONOUN_OBJECTS: [&str; 2] = ["it", "them"];

/// A number said as digits or as a word ("5", "five", "twenty").
pub(crate) fn is_number_word(tok: &str) -> bool {
    is_numeric(tok) || crate::numbers::NUMBER_WORDS.contains(&tok)
}

pub(crate) fn is_numeric(tok: &str) -> bool {
    tok.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// Snaps a misheard or mistyped word to the vocabulary word within a small
/// edit distance. Short words and words that already exist are left alone:
/// they produce far more false corrections than fixes.
fn correct_typo(vocab: &Vocabulary, tok: &str) -> Option<String> {
    let len = tok.chars().count();
    if len < 4 || vocab.english_words.contains(tok) || is_numeric(tok) {
        return None;
    }
    // A word of the language is corrected only within one edit ("fallow me"): two edits turn
    // real words into others ("minimum" into "maximum", a speed the other way).
    let max = if len <= 6 || crate::english::is_word(tok) { 1 } else { 2 };
    let first = tok.chars().next()?;
    let mut best: Option<(usize, &String)> = None;
    let mut tie = false;
    for cand in &vocab.known_words {
        let clen = cand.chars().count();
        if clen < 4 || clen.abs_diff(len) > max || !cand.starts_with(first) || cand.contains(' ') {
            continue;
        }
        // "golden retriever", "a grabber": a noun for what does the action is no typo of its verb
        // (radio's "niner" is still nine).
        if tok.strip_prefix(cand.as_str()).is_some_and(|rest| matches!(rest, "r" | "er")) && !is_number_word(cand) {
            continue;
        }
        let d = strsim::damerau_levenshtein(tok, cand);
        if d > max {
            continue;
        }
        match best {
            Some((bd, _)) if d > bd => {}
            Some((bd, _)) if d == bd => tie = true,
            _ => {
                best = Some((d, cand));
                tie = false;
            }
        }
    }
    match (best, tie) {
        (Some((_, w)), false) => Some(w.clone()),
        (None, _) if len >= 5 => {
            // "ackwards one meter": the first sound lost, which the same-first-letter search above
            // cannot find. Only a longer word, and only one candidate.
            let mut lost_first = vocab.known_words.iter().filter(|c| c.chars().skip(1).eq(tok.chars()));
            match (lost_first.next(), lost_first.next()) {
                (Some(w), None) => Some(w.clone()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `tokens` with every misheard word replaced by the one meant and every
/// typo corrected; also how many were changed.
pub(crate) fn corrected(vocab: &Vocabulary, tokens: Vec<String>) -> (Vec<String>, usize) {
    let mut corrections = 0usize;
    // "go two the kitchen": a number word right before an article is the preposition that
    // sounds like it (and "too meters" is 2, see `number_homophones`).
    let before_article = |i: usize| tokens.get(i + 1).is_some_and(|n| matches!(n.as_str(), "the" | "a" | "an" | "my" | "your"));
    let fixed: Vec<String> = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| {
            // "lose some weight", "follow the pig": a homophone after a determiner is the noun it
            // spells ("to the rite" still turns right).
            let determined = i > 0
                && matches!(tokens[i - 1].as_str(), "the" | "a" | "an" | "my" | "your" | "his" | "her" | "our" | "their" | "some" | "this" | "that");
            let noun = determined && vocab.homophones.get(t).is_some_and(|h| !matches!(h.as_str(), "right" | "left"));
            // "it would help me if you moved forward a foot": right after a request said as how
            // good it would be, a verb's past form is the verb asked for.
            let past = vocab.past_forms.get(t).filter(|_| vocab.after_polite_condition(&tokens[..i]));
            let heard = match t.as_str() {
                _ if noun => None,
                "two" | "too" | "2" if before_article(i) => Some("to".to_string()),
                // "were late go forward", "robot were running late please go to video village":
                // opening a statement, "we're" written without its apostrophe ("were you" asks).
                "were"
                    if (0..i).all(|k| vocab.filler_words.contains(&tokens[k]))
                        && tokens.get(i + 1).is_some_and(|n| {
                            !matches!(n.as_str(), "you" | "u" | "ya" | "we" | "they" | "i" | "it" | "he" | "she" | "there" | "the" | "a" | "an" | "your" | "my" | "those" | "these" | "all" | "going")
                        }) =>
                {
                    Some("we're".to_string())
                }
                // "wait four me", "weight here four a moment": a number's homophone before a pronoun
                // or an article is the preposition.
                "four" | "fore" if tokens.get(i + 1).is_some_and(|n| matches!(n.as_str(), "me" | "us" | "you" | "him" | "her" | "them" | "it" | "a" | "an")) => {
                    Some("for".to_string())
                }
                // "set speed too slow", "set speed two slow": after a speed word, "too" is "to", and
                // so is "two" before a level (a bare "set speed two" may be a number).
                "too" | "two" | "2"
                    if i > 0
                        && matches!(tokens[i - 1].as_str(), "speed" | "pace" | "velocity")
                        && (t == "too" || tokens.get(i + 1).is_some_and(|n| matches!(n.as_str(), "slow" | "fast" | "normal"))) =>
                {
                    Some("to".to_string())
                }
                _ if past.is_some() => past.cloned(),
                // "find the hole punch": after a determiner an English word is the noun it spells,
                // no typo of a command word ("hold"). A word that is none ("the kitchn") still is
                // one, and so is a unit's ("half a minuet").
                _ if determined && crate::english::is_word(t) => vocab.homophones.get(t).cloned().or_else(|| {
                    correct_typo(vocab, t).filter(|w| vocab.units.iter().any(|(names, _)| names.contains(w)))
                }),
                // ("minh turn left": a given name is no typo of "mins".)
                _ => vocab.homophones.get(t).cloned().or_else(|| correct_typo(vocab, t).filter(|_| !vocab.person_names.contains(t))),
            };
            match heard {
                Some(fixed) => {
                    corrections += 1;
                    fixed
                }
                None => t.clone(),
            }
        })
        .collect();
    (fixed, corrections)
}

/// "the bus stop", "a stop sign": a stop word inside a noun compound names a thing.
fn in_stop_noun(vocab: &Vocabulary, tokens: &[String], i: usize) -> bool {
    vocab.stop_nouns.iter().any(|p| {
        (0..p.len()).any(|k| i >= k && tokens.get(i - k..i - k + p.len()).is_some_and(|w| w == p.as_slice()))
    })
}

/// Whether a stop is asked for: now, only under a condition the robot cannot wait on, or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StopSaid {
    Now,
    OnCondition,
    No,
}

fn stop_said(vocab: &Vocabulary, tokens: &[String]) -> StopSaid {
    let content = || -> Vec<String> {
        tokens
            .iter()
            .filter(|t| !vocab.filler_words.contains(*t))
            .cloned()
            .collect()
    };
    let in_compound = |i: usize| in_stop_noun(vocab, tokens, i);
    let content_at: Vec<usize> = (0..tokens.len()).filter(|&i| !vocab.filler_words.contains(&tokens[i])).collect();
    let said_before = |i: usize| content_at.first().is_some_and(|&f| f < i);
    // "the tap wont stop dripping": words before it, and an activity after it the robot does not do.
    let about_an_activity = |i: usize| {
        said_before(i)
            && tokens.get(i + 1).is_some_and(|n| {
                n.len() > 4 && n.ends_with("ing") && !vocab.stop_activities.contains(n) && !vocab.stop_words.contains(n)
            })
    };
    // "why did you stop", "did you stop charging": a question about stopping, with no negation.
    let asked_about = |i: usize| {
        let Some(&f) = content_at.first() else {
            return false;
        };
        let opener = vocab.question_openers.contains(&tokens[f])
            || matches!(tokens[f].as_str(), "what" | "when" | "where" | "how" | "is" | "has" | "do")
            || vocab.question_auxiliaries.contains(&tokens[f]);
        let aux = (f..i).rev().take(5).any(|k| vocab.question_auxiliaries.contains(&tokens[k]));
        let negated = tokens[..i].iter().any(|t| {
            (vocab.not_request_words.contains(t) && !matches!(t.as_str(), "when" | "if" | "whenever" | "once" | "after" | "before" | "until" | "unless"))
                || matches!(t.as_str(), "wont" | "didnt" | "cant" | "couldnt" | "isnt" | "arent" | "doesnt" | "havent" | "still")
        });
        opener && aux && !negated
    };
    // "i told the kids to stop", "someone on the tv just said stop": another's words reported.
    // Not "i told you to stop", "i said stop": the speaker's own; nor "tell it robot stop", "tell
    // the robot to stop": said to the robot all the same.
    let reported = |i: usize| {
        (i.saturating_sub(4)..i).any(|k| match tokens[k].as_str() {
            "told" | "tells" | "asked" | "asks" | "tell" | "ask" => {
                let object = (k + 1..i).find(|&j| !vocab.strip_words.contains(&tokens[j]));
                object.is_some_and(|j| !matches!(tokens[j].as_str(), "you" | "it" | "yourself") && !vocab.robot_names.contains(&tokens[j]))
            }
            // ("sorry to shout but stop": the speaker's own, in a clause of its own.)
            "said" | "says" | "saying" | "shout" | "shouted" | "shouting" | "yell" | "yelled" | "yelling" | "roared" | "screamed" | "cried" | "whispered"
                if !tokens[k + 1..i].iter().any(|w| w == "but") =>
            {
                let subject = (0..k).rev().find(|&j| !matches!(tokens[j].as_str(), "just" | "only" | "then" | "already"));
                subject.is_some_and(|j| !matches!(tokens[j].as_str(), "i" | "i've") && !game_call(tokens, k))
            }
            _ => false,
        })
    };
    // "stop the blender", "please stop the music": said of another thing, named right after it.
    let of_another_thing = |i: usize| runs_a_thing_after(vocab, tokens, i + 1);
    // "stop is the magic word", "halt was his favourite word", "the whistle means stop for the
    // players": the word named, not said to anyone.
    let mentioned = |i: usize| {
        let explained = i > 0 && matches!(tokens[i - 1].as_str(), "means" | "meaning");
        // "how you say stop in korean", "how do you say halt in french": the word asked about.
        let asked_how = i > 0 && tokens[i - 1] == "say" && tokens[..i - 1].iter().any(|w| w == "how");
        explained
            || asked_how
            || (matches!(tokens[i].as_str(), "stop" | "halt" | "freeze")
                && tokens.get(i + 1).is_some_and(|n| matches!(n.as_str(), "is" | "was" | "means" | "isnt"))
                // "stop is that you", "halt is it on fire": a stop, then a question.
                && !tokens.get(i + 2).is_some_and(|n| matches!(n.as_str(), "that" | "this" | "it" | "he" | "she" | "you" | "there" | "someone")))
    };
    // "stop me if youve heard this one before": a figure of speech, not a stop asked now.
    let stop_me_if = |i: usize| tokens.get(i + 1).is_some_and(|w| w == "me") && tokens.get(i + 2).is_some_and(|w| w == "if");
    // "you dont have to stop every time", "theres no need to stop": no stop needed.
    let not_needed = |i: usize| {
        i >= 2
            && tokens[i - 1] == "to"
            && matches!(tokens[i - 2].as_str(), "have" | "need" | "needs" | "has")
            && tokens[i.saturating_sub(4)..i - 2]
                .iter()
                .any(|w| matches!(w.as_str(), "dont" | "don't" | "doesnt" | "no" | "not" | "never"))
    };
    // "freeze the peas", "freeze some bread": freezing food. A stop is "freeze" said alone or with
    // the robot ("freeze robot", "freeze that", "freeze right there").
    let freezes_a_thing = |i: usize| {
        tokens[i] == "freeze"
            && tokens.get(i + 1).is_some_and(|n| matches!(n.as_str(), "the" | "a" | "an" | "some" | "my" | "those" | "these" | "our"))
            && tokens.get(i + 2).is_some_and(|n| !matches!(n.as_str(), "robot" | "bot" | "wheels" | "motors" | "arm" | "base" | "everything"))
    };
    // "stop barking rex", "kids stop hitting each other": what people and pets do.
    // "oi number nine stop pulling her shirt": a doing done to another person.
    let done_to_another = |i: usize| {
        tokens.get(i + 1).is_some_and(|n| n.len() > 4 && n.ends_with("ing") && !vocab.stop_activities.contains(n))
            && tokens.get(i + 2).is_some_and(|w| matches!(w.as_str(), "her" | "his" | "their" | "each"))
    };
    // "the conveyor stop again", "my shift stop at six", "the delivery van need to stop at gate b":
    // a thing named first, its stopping told, in English learnt late. Not the robot ("the robot
    // stop"), nor a warning with nothing told after it ("the baby stop").
    let thing_stops = |i: usize| {
        let Some(&f) = content_at.first() else {
            return false;
        };
        let named = |to: usize| {
            matches!(tokens[f].as_str(), "the" | "my" | "our" | "his" | "her" | "their" | "this" | "that")
                && f + 1 < to
                && i - f <= 6
                && (f + 1..to).all(|k| !vocab.stop_words.contains(&tokens[k]) && !vocab.robot_names.contains(&tokens[k]) && !matches!(tokens[k].as_str(), "you" | "u" | "it" | "please"))
        };
        // "the lift it stop between floor two and three": the thing named, then said again as
        // "it", its stopping told.
        if i >= 2 && tokens[i - 1] == "it" && named(i - 1) {
            return true;
        }
        if !named(i) {
            return false;
        }
        tokens[i + 1..].iter().any(|w| matches!(w.as_str(), "again" | "anymore" | "yesterday" | "every" | "always" | "sometimes" | "usually"))
            || (tokens.get(i + 1).is_some_and(|w| w == "at") && tokens.get(i + 2).is_some_and(|w| is_number_word(w) || is_numeric(w) || w == "gate"))
            || matches!(tokens[i - 1].as_str(), "doesnt" | "didnt" | "wont" | "to")
            // "the bus no stop here": "doesnt", in English learnt late, where it stops ("the baby no
            // stop" is a warning, and stops).
            || (tokens[i - 1] == "no" && tokens.get(i + 1).is_some_and(|w| matches!(w.as_str(), "here" | "there" | "at")))
    };
    // "e stop on line three is sticking again": the button, and what is wrong with it.
    let faulty_button = |i: usize| {
        i > 0
            && matches!(tokens[i - 1].as_str(), "e" | "emergency")
            && (i + 1..tokens.len().min(i + 6)).any(|k| {
                matches!(tokens[k].as_str(), "is" | "was" | "keeps" | "isnt" | "wasnt" | "s")
                    && tokens.get(k + 1).is_some_and(|w| matches!(w.as_str(), "sticking" | "stuck" | "broken" | "jammed" | "faulty" | "playing" | "not" | "dead"))
            })
    };
    // ("stop that barking", "stop all that whining": with what points at it between.)
    let others_activity = |i: usize| {
        let mut k = i + 1;
        while tokens.get(k).is_some_and(|w| matches!(w.as_str(), "that" | "this" | "your" | "yer" | "all" | "the")) && k < i + 3 {
            k += 1;
        }
        // ("stop yer skrikin": the g dropped.)
        tokens.get(k).is_some_and(|n| vocab.others_activities.contains(n) || (n.ends_with("in") && vocab.others_activities.contains(&format!("{n}g"))))
    };
    // "go to the kitchen without stop(ping)", "ill stop by the chemist": no stop asked of the robot.
    // "we can stop by the hardware store later", "three more reps and then we stop": the
    // speaker's own plan.
    let not_asked = |i: usize| {
        let before = (0..i).rev().find(|&k| !matches!(tokens[k].as_str(), "just" | "quickly" | "probably" | "maybe"));
        before.is_some_and(|k| match tokens[k].as_str() {
            "without" | "ill" | "i'll" | "we'll" | "we" | "lets" | "let's" => true,
            // "khalas i stop the gym", "my daughter she stop the school": a subject's own
            // stopping, told in English learnt late.
            "i" | "he" | "she" | "they" => k + 1 == i,
            "will" | "can" | "could" | "should" | "gotta" | "must" => k > 0 && matches!(tokens[k - 1].as_str(), "i" | "we"),
            _ => false,
        })
    };
    // "can you stop by the bakery on your way home", "please stop by on tuesday at three": calling
    // in somewhere on the way or another day.
    let calls_in = |i: usize| {
        tokens.get(i + 1).is_some_and(|n| matches!(n.as_str(), "by" | "off" | "in" | "at"))
            && (tokens[i + 1..].windows(2).any(|w| matches!((w[0].as_str(), w[1].as_str()), ("your" | "yer" | "the" | "my", "way")))
                || tokens[i + 2..].iter().any(|w| DAYS.contains(&w.as_str()) || matches!(w.as_str(), "later" | "sometime" | "someday" | "after" | "tomorrow" | "tonight")))
    };
    // "remind me to stop at the hardware shop": a reminder asked for, the stop the speaker's own
    // and later.
    let reminder = |i: usize| {
        (i.saturating_sub(5)..i).any(|k| matches!(tokens[k].as_str(), "remind" | "reminder") && tokens[k + 1..i].iter().any(|w| w == "to"))
    };
    // "jack stop running on the pontoon", "kids stop running in the kitchen", "stop the engine
    // dave": a stop said to a person or to people by name, and the robot named nowhere, is
    // theirs. A robot called by a person's name is named with the `robot_names` parameter.
    // Only groups a robot is never one of: "everyone stop" stops it too.
    let to_someone_else = |i: usize| {
        let called = |k: usize| {
            let word = tokens[k].as_str();
            // ... and a horse or a dog: "whoa there girl easy", "stop that you bold pup".
            let group = matches!(word, "kids" | "children" | "students" | "pupils" | "lads" | "lasses" | "girls" | "boys" | "ladies")
                || matches!(word, "girl" | "boy" | "pup" | "puppy" | "doggy" | "kitty")
                || (word == "two" && k > 0 && tokens[k - 1] == "you");
            let named = vocab.calls_by_name(word) || (k > 0 && TITLES.contains(&tokens[k - 1].as_str()));
            // "down girl", "good boy": said to a dog.
            let dog = matches!(word, "girl" | "boy") && k > 0 && matches!(tokens[k - 1].as_str(), "down" | "good");
            dog || (group || named)
                && (k == 0 || !(vocab.strip_words.contains(&tokens[k - 1]) || vocab.relation_words.contains(&tokens[k - 1])
                    || matches!(tokens[k - 1].as_str(), "and" | "of" | "for" | "with" | "at" | "to" | "tell" | "ask")))
        };
        let opens = i == 1 || (i > 1 && GREETINGS.contains(&tokens[i - 2].as_str()));
        let before = opens && (called(i - 1) || (vocab.word_names.contains(&tokens[i - 1]) && i + 1 < tokens.len()));
        // "mavis love stop picking at your dressing", "sunil kindly stop by the bank": a name that
        // opens it, fond or polite words between it and the stop.
        let before = before
            || (i >= 2 && vocab.calls_by_name(&tokens[0]) && (1..i).all(|k| vocab.filler_words.contains(&tokens[k]) || vocab.is_addressee(&tokens[k]) || tokens[k] == "kindly"));
        // The name closes the stop's words: last, or before another sentence starts.
        // ("stop it poppy thats mine": a name that is a word too, before another sentence.)
        let after_at = (i + 1..tokens.len().min(i + 5)).find(|&k| {
            // A name no list knows ("stop it now tiddles youre frightening the budgie", "stop that
            // barking bess get down"), or one that is a word too, before what is said to them.
            let said_to = |n: &str| matches!(n, "thats" | "that's" | "its" | "it's" | "youre" | "you're");
            // "stop it biscuit you silly dog": a name, then what they are called to scold them.
            let scolded = tokens.get(k + 1).is_some_and(|n| n == "you") && tokens.get(k + 2).is_some_and(|a| SCOLDING.contains(&a.as_str()));
            let pets_call = |n: &str| said_to(n) || matches!(n, "get" | "sit" | "down" | "leave" | "drop");
            let unheard = |w: &str| {
                w.len() > 2
                    && w.chars().all(|c| c.is_ascii_lowercase())
                    && !vocab.english_words.contains(w)
                    && !vocab.known_words.contains(w)
                    && !vocab.filler_words.contains(w)
                    && !vocab.robot_names.contains(w)
            };
            // "stop it jack": a name that is a word too, last, right after what is to stop.
            let last_after_it = k + 1 == tokens.len() && matches!(tokens[k - 1].as_str(), "it" | "that") && tokens[k] != "buddy";
            // The robot called next, with a request of its own: "hold on a sec mum robot turn right
            // a bit" (a family word alone may call the robot: "mum stop" stops).
            let robot_asked_next = tokens.get(k + 1).is_some_and(|n| vocab.robot_names.contains(n)) && k + 2 < tokens.len();
            (called(k)
                || (vocab.kin_words.contains(&tokens[k]) && robot_asked_next)
                || (vocab.word_names.contains(&tokens[k]) && (last_after_it || scolded || tokens.get(k + 1).is_some_and(|n| said_to(n))))
                || (unheard(&tokens[k]) && tokens.get(k + 1).is_some_and(|n| pets_call(n))))
                && tokens.get(k + 1).is_none_or(|n| {
                    matches!(n.as_str(), "thats" | "that's" | "its" | "it's" | "walk" | "please" | "now" | "right" | "easy" | "youre" | "you're")
                        // Another request to them: "whoa whoa bessie get back here".
                        || matches!(n.as_str(), "get" | "come" | "sit" | "leave" | "drop")
                        || robot_asked_next
                        || scolded
                        // A sentence of its own: "hold your horses harold the bus isnt due yet".
                        || (matches!(n.as_str(), "the" | "your" | "my" | "we" | "you" | "i" | "it")
                            && tokens[k + 2..tokens.len().min(k + 6)].iter().any(|w| COPULAS.contains(&w.as_str())))
                        // Told what they do to the robot: "stop it carlos you make the robot confused".
                        || (n == "you" && tokens[k + 2..].windows(2).any(|w| w[0] == "the" && vocab.robot_names.contains(&w[1])))
                })
        });
        // "oh do stop it biscuit you silly dog": the one stopped called what they are, to scold them.
        let scolded = tokens[i + 1..].windows(3).any(|w| {
            w[0] == "you" && SCOLDING.contains(&w[1].as_str()) && !vocab.robot_names.contains(&w[2]) && !matches!(w[2].as_str(), "thing" | "machine" | "contraption")
        });
        // "stop it the pair of you", "you lot stop that": two or more people, and no robot among them.
        let pair = tokens.windows(3).any(|w| matches!(w[0].as_str(), "pair" | "lot") && w[1] == "of" && w[2] == "you")
            || tokens.windows(2).any(|w| w[0] == "you" && w[1] == "lot");
        let after = after_at.is_some();
        // ("ahmed stop immediately the robot is behind you": the robot spoken of, not called.)
        // ("stop stop stop kevin thats a foul robot bring the ice pack": the robot called only
        // after the one the stop was said to, with a request of its own.)
        let asked_after = |k: usize| !(before || pair) && after_at.is_some_and(|a| k > a) && k + 1 < tokens.len();
        let robot_called = (0..tokens.len()).any(|k| {
            vocab.robot_names.contains(&tokens[k])
                && !asked_after(k)
                && !(k > 0
                    && matches!(tokens[k - 1].as_str(), "the" | "that" | "this" | "a" | "my" | "your")
                    && tokens.get(k + 1).is_some_and(|w| matches!(w.as_str(), "is" | "s" | "was" | "has" | "will" | "behind" | "coming")))
        });
        (before || after || pair || scolded) && !robot_called
    };
    // "press stop on the microwave", "press the emergency stop on the lathe": a button on another
    // thing.
    let button_on = |i: usize| {
        // Past the button's own name: "emergency stop".
        let on = (i + 1..tokens.len()).find(|&k| !vocab.stop_words.contains(&tokens[k]));
        i > 0
            && (i.saturating_sub(3)..i).any(|k| matches!(tokens[k].as_str(), "press" | "push" | "hit" | "click" | "tap" | "pressed" | "pushed"))
            && on.is_some_and(|k| {
                tokens[k] == "on"
                    && !tokens[k + 1..(k + 3).min(tokens.len())]
                        .iter()
                        .any(|w| matches!(w.as_str(), "you" | "your" | "yourself" | "robot" | "bot" | "it"))
            })
    };
    // "stop at the door", "follow that trolley and stop at the lift": where to stop, on the way
    // somewhere: no stop now. "stop at once" stops.
    // ("stop in two metres", "stop after ninety degrees", "stop five metres before the wall": a
    // stop measured ahead, as far off as a place.)
    let amount_at = |k: usize| tokens.get(k).is_some_and(|w| (is_number_word(w) && !matches!(w.as_str(), "a" | "an")) || is_numeric(w)) && unit_at(vocab, tokens, k + 1).is_some();
    let measured_ahead = |i: usize| {
        (tokens.get(i + 1).is_some_and(|w| matches!(w.as_str(), "in" | "after")) && amount_at(i + 2))
            || (amount_at(i + 1) && tokens[i + 2..].iter().take(3).any(|w| matches!(w.as_str(), "before" | "from" | "short")))
    };
    let stops_somewhere = |i: usize| {
        measured_ahead(i)
            || tokens.get(i + 1).is_some_and(|w| w == "at")
            && tokens.get(i + 2).is_some_and(|w| matches!(w.as_str(), "the" | "a" | "an" | "your" | "my" | "that" | "this"))
            && tokens.get(i + 3).is_some_and(|w| !matches!(w.as_str(), "moment" | "instant" | "point" | "time" | "second"))
    };
    // "why you stop": a question about stopping, in English learnt late (no auxiliary).
    let why_asked = |i: usize| {
        // "who told you to stop" asks as "why did you stop" does.
        let who = content_at.first().is_some_and(|&f| tokens[f] == "who" && f < i && tokens.get(f + 1).is_some_and(|w| matches!(w.as_str(), "told" | "tell" | "said" | "says" | "asked")));
        who || content_at.first().is_some_and(|&f| tokens[f] == "why" && f < i)
            && !tokens[..i].iter().any(|t| vocab.not_request_words.contains(t) || matches!(t.as_str(), "wont" | "didnt" | "cant" | "still" | "not"))
    };
    // "take me to the stop for the airport shuttle", "we need to test the e stop": after a
    // determiner, the noun. "hit the emergency stop" still urges one (a button on another thing,
    // "press the stop button on the microwave", is `button_on`'s).
    let a_noun = |i: usize| {
        // ("which stop do i get down for the clinic": the stop asked which.)
        let det = |k: usize| matches!(tokens[k].as_str(), "the" | "a" | "an" | "next" | "my" | "your" | "our" | "this" | "last" | "first" | "his" | "their" | "which");
        let k = if i >= 1 && matches!(tokens[i - 1].as_str(), "e" | "emergency") { i - 1 } else { i };
        // ("who hit the e stop": asked who did.)
        let asked_who = content_at.first().is_some_and(|&f| tokens[f] == "who");
        let urged = k >= 2 && matches!(tokens[k - 2].as_str(), "hit" | "press" | "push" | "smash" | "slam" | "use") && !asked_who;
        k >= 1 && det(k - 1) && !urged
    };
    // "i wish this rain would stop", "the music will stop soon", "the rain wont stop at all": what
    // another thing will do or will not.
    // "would you stop", "robot will you stop" ask it of the robot.
    let others_will = |i: usize| {
        i >= 2
            && matches!(tokens[i - 1].as_str(), "would" | "will" | "should" | "might" | "wont" | "won't")
            && !matches!(tokens[i - 2].as_str(), "you" | "u" | "ya" | "ye" | "yourself" | "please")
            // "the other robot wont stop beeping": another robot.
            && (!vocab.robot_names.contains(&tokens[i - 2]) || (i >= 3 && matches!(tokens[i - 3].as_str(), "other" | "another" | "that")))
    };
    // "start again from where you stop": the place of a stop, not one asked for.
    let where_stopped = |i: usize| i >= 2 && tokens[i - 1] == "you" && tokens[i - 2] == "where";
    // "i cant stop laughing", "you cant stop me": what cannot be stopped, no stop asked. ("cant
    // you stop" asks: the subject comes between.)
    let cannot = |i: usize| i >= 1 && matches!(tokens[i - 1].as_str(), "cant" | "can't" | "cannot" | "couldnt" | "couldn't");
    // "if you see the dog stop", "when the timer goes off stop": a stop asked for later, under a
    // condition the robot cannot wait on, like any other command under one. "if you could stop"
    // only asks leave, and "if you can hear me stop" is met by being heard: both stop now.
    let conditioned = |i: usize| {
        let Some(&f) = content_at.first() else {
            return false;
        };
        let opener = match tokens[f].as_str() {
            "if" | "when" | "whenever" => Some(f + 1),
            // Not "once again stop", "once more please stop".
            "once" if tokens.get(f + 1).is_none_or(|w| !matches!(w.as_str(), "again" | "more" | "and")) => Some(f + 1),
            "as" if tokens.get(f + 1..f + 3).is_some_and(|w| w[0] == "soon" && w[1] == "as") => Some(f + 3),
            _ => None,
        };
        let asks_later = |clause: &[String]| {
            let polite = clause.iter().all(|w| vocab.polite_condition_words.contains(w) || vocab.filler_words.contains(w));
            let met_by_hearing = clause.iter().any(|w| matches!(w.as_str(), "hear" | "understand" | "understood" | "listening" | "copy"));
            !polite && !met_by_hearing
        };
        // "stop when you reach the lift", "you stop when the music stops": the condition after the
        // stop, as binding as one before it. Not "stop when you can", "stop once its safe": now.
        let after = || {
            let mut k = i + 1;
            while tokens.get(k).is_some_and(|w| matches!(w.as_str(), "there" | "here" | "right") || vocab.filler_words.contains(w)) {
                k += 1;
            }
            let clause_at = match tokens.get(k).map(String::as_str) {
                Some("when" | "whenever") => Some(k + 1),
                Some("once") if tokens.get(k + 1).is_some_and(|w| !matches!(w.as_str(), "again" | "more" | "and")) => Some(k + 1),
                Some("as") if tokens.get(k + 1..k + 3).is_some_and(|w| w[0] == "soon" && w[1] == "as") => Some(k + 3),
                _ => None,
            };
            clause_at.is_some_and(|c| {
                let clause = tokens.get(c..).unwrap_or_default();
                !clause.is_empty() && asks_later(clause) && !clause.iter().any(|w| matches!(w.as_str(), "safe" | "able"))
            })
        };
        opener.is_some_and(|c| c < i && asks_later(&tokens[c..i])) || after()
    };
    // "you never stop do you", "never stop learning", "dont you ever stop beeping": a habit or a
    // wish, no stop now.
    // ("you didnt stop yesterday when i say": a complaint of the past.)
    // ("would you ever stop", Irish for "please stop", asks.)
    let asked_ever = |i: usize| i >= 3 && tokens[i - 1] == "ever" && tokens[i - 2] == "you" && matches!(tokens[i - 3].as_str(), "would" | "will" | "could" | "can");
    let never = |i: usize| i > 0 && matches!(tokens[i - 1].as_str(), "never" | "ever" | "didnt" | "didn't") && !asked_ever(i);
    // "no stop continue please", "don stop keep going": "dont stop" misheard or cut short, then
    // going on asked for at once. Only a stop that opens the utterance or follows a no, right
    // before the going on ("stop stop ok now carry on" stops).
    let goes_on_after = |i: usize| {
        let opens = (0..i).all(|k| vocab.filler_words.contains(&tokens[k]) || matches!(tokens[k].as_str(), "no" | "nah" | "na" | "don" | "do"));
        // "stop no carry on", "stop correction carry on": the stop taken back at once.
        let taken_back = (i + 1..tokens.len()).take_while(|&k| matches!(tokens[k].as_str(), "no" | "nah" | "correction" | "sorry")).count();
        let next = |k: usize| tokens.get(i + taken_back + k).map(String::as_str);
        opens
            && matches!(
                (next(1), next(2)),
                (Some("continue" | "resume"), _) | (Some("keep"), Some("going" | "moving")) | (Some("carry" | "go"), Some("on"))
            )
    };
    // "lets play stop and go": a game's name; "mummy make him stop": another made to stop.
    let game = |i: usize| (1..i).any(|k| tokens[k] == "play" && matches!(tokens[k - 1].as_str(), "lets" | "let's" | "we" | "wanna" | "to" | "can"));
    let made_to = |i: usize| i >= 2 && tokens[i - 2] == "make" && matches!(tokens[i - 1].as_str(), "him" | "her" | "them");
    let quoted = quoted_speech(vocab, tokens).is_some();
    // "can someone stop that trolley": asked of whoever is near, not of the robot.
    // ("someone stop the robot" stops it.)
    let someone_asked = |i: usize| i > 0 && matches!(tokens[i - 1].as_str(), "someone" | "somebody" | "anyone" | "anybody") && !robot_named_in(vocab, tokens);
    // "emergency stop is on the left panel": the button named, and where it is.
    let button_told = |i: usize| {
        tokens[i] == "emergency"
            && tokens.get(i + 1).is_some_and(|w| matches!(w.as_str(), "stop" | "button" | "brake" | "exit"))
            && tokens.get(i + 2).is_some_and(|w| matches!(w.as_str(), "is" | "was" | "isnt" | "button"))
    };
    // "ah stop youre too kind", "oh stop it you youre making me blush": praise waved away.
    let modest = tokens.windows(2).any(|w| w[0] == "too" && w[1] == "kind")
        || tokens.windows(3).any(|w| w[0] == "making" && w[1] == "me" && w[2] == "blush")
        || tokens.iter().any(|w| matches!(w.as_str(), "flatterer" | "charmer"));
    // "ah stop would you she never said that", "ah stop go way she had twins": Irish disbelief at
    // what someone else did or said ("ah stop would ye youre going to run over the cat" stops).
    let disbelief = tokens.len() > 4
        && tokens[0] == "ah"
        && tokens[1] == "stop"
        && matches!((tokens[2].as_str(), tokens[3].as_str()), ("would", "you" | "ye" | "ya") | ("go", "way" | "away"))
        && matches!(tokens[4].as_str(), "she" | "he" | "they" | "thats" | "that")
        && !tokens[4..].iter().any(|w| matches!(w.as_str(), "you" | "ye" | "ya" | "youre" | "youll" | "your" | "it" | "its") || vocab.robot_names.contains(w));
    let quoted = quoted || modest || disbelief || names_a_title(tokens);
    // "you stop there yesterday no": a stop told of, on a day gone.
    let told_of_the_past = |i: usize| {
        i > 0
            && matches!(tokens[i - 1].as_str(), "you" | "i" | "we" | "he" | "she" | "they")
            && tokens[i + 1..].iter().any(|w| matches!(w.as_str(), "yesterday" | "yday" | "yesterdy"))
    };
    let requested = |i: usize| {
        !quoted
            && !done_to_another(i)
            && !someone_asked(i)
            && !button_told(i)
            && !thing_stops(i)
            && !faulty_button(i)
            && !never(i)
            && !game(i)
            && !made_to(i)
            && !goes_on_after(i)
            && !others_activity(i)
            && !a_noun(i)
            && !others_will(i)
            && !cannot(i)
            && !where_stopped(i)
            && !calls_in(i)
            && !reminder(i)
            && !to_someone_else(i)
            && !stops_somewhere(i)
            && !not_asked(i)
            && !button_on(i)
            && !why_asked(i)
            && !in_compound(i)
            && !about_an_activity(i)
            && !asked_about(i)
            && !reported(i)
            && !of_another_thing(i)
            && !mentioned(i)
            && !not_needed(i)
            && !stop_me_if(i)
            && !freezes_a_thing(i)
            && !told_of_the_past(i)
            && !past_day_opens(vocab, tokens, i)
    };
    // A stop asked for now, or (`on_condition`) one said under a condition too.
    let said = |on_condition: bool| {
        let requested = |i: usize| (on_condition || !conditioned(i)) && requested(i);
        tokens.iter().enumerate().any(|(i, t)| vocab.stop_words.contains(t) && requested(i))
        || vocab.stop_phrases.iter().any(|p| {
            // "turn left no no right", "find the ball wait no the frisbee": a stop phrase that is
            // also a correction marker, with a value it corrects on both sides, corrects it.
            let corrects = |i: usize| {
                vocab.correction_markers.contains(p) && replaced_value(vocab, tokens, &vec![true; tokens.len()], i, i + p.len()).is_some()
            };
            // "no no dont turn around", "dont move forward": a negated request of its own, which
            // asks nothing now, as "no dont turn left" does ("no no not there", "dont move" stop).
            let negated_request = |end: usize| {
                let direction = |w: &String| matches!(w.as_str(), "forward" | "forwards" | "back" | "backward" | "backwards" | "left" | "right");
                if p.len() == 2 && p[1] == "move" && vocab.negation_words.contains(&p[0]) {
                    return tokens.get(end).is_some_and(direction);
                }
                let mut k = end;
                while tokens.get(k).is_some_and(|w| w == "no") {
                    k += 1;
                }
                p.iter().all(|w| w == "no")
                    && tokens.get(k).is_some_and(|w| matches!(w.as_str(), "dont" | "don't"))
                    && triggers(vocab, tokens, &vec![false; tokens.len()])
                        .iter()
                        .any(|m| m.start == k + 1 && !matches!(vocab.actions[m.action].name.as_str(), "stop" | "resume"))
            };
            (0..tokens.len().saturating_sub(p.len() - 1)).any(|i| {
                tokens[i..i + p.len()] == p[..]
                    && !quoted
                    // "hold on to the rail mam": a grip, not a pause.
                    && !(p.len() == 2 && matches!(p[0].as_str(), "hold" | "hang") && p[1] == "on"
                        && tokens.get(i + 2).is_some_and(|w| w == "to" || w == "onto")
                        && tokens.get(i + 3).is_some_and(|w| matches!(w.as_str(), "the" | "that" | "this" | "it" | "me" | "my" | "your" | "them" | "him" | "her")))
                    && !corrects(i)
                    && !negated_request(i + p.len())
                    && (on_condition || !conditioned(i))
                    && !timed_pause(vocab, tokens, p, i + p.len())
                    && !speakers_own_wait(vocab, tokens, p, i + p.len())
                    // "hold your horses harold the bus isnt due yet": said to the one named after it.
                    && !(p.len() > 1 && to_someone_else(i + p.len() - 1))
            })
        })
        || {
            let mut content = content();
            // "enough lah enough", "ok ok enough robot enough already": said again around fillers.
            content.dedup();
            // "hold up robot hold up": a phrase said again is said once.
            let again = |u: &Vec<String>| content.len() > u.len() && content.len() % u.len() == 0 && content.chunks(u.len()).all(|c| c == u.as_slice());
            vocab
                .stop_utterances
                .iter()
                .any(|u| *u == content || *u == tokens || again(u))
        }
    };
    // Only a whole utterance that is a clear negation ("dont stop") is no
    // stop: "no dont stop" or a stop word anywhere else still stops. The
    // cheap test first: stops are answered in well under a microsecond.
    let negation = || {
        vocab.not_stop_utterances.iter().any(|u| tokens.contains(&u[0])) && {
            let content = content();
            vocab
                .not_stop_utterances
                .iter()
                .any(|u| *u == content || *u == tokens)
        }
    };
    if negation() {
        StopSaid::No
    } else if said(false) {
        StopSaid::Now
    } else if said(true) {
        StopSaid::OnCondition
    } else {
        StopSaid::No
    }
}

/// "hold on thirty seconds", "hold your horses for twenty seconds": a pause phrase with a time
/// said right after it asks for a timed wait, which halts the robot as well. "hold on a sec" is
/// still a stop: "a sec" softens, it does not time.
fn timed_pause(vocab: &Vocabulary, tokens: &[String], phrase: &[String], after: usize) -> bool {
    if !vocab.pause_phrases.iter().any(|p| p.as_slice() == phrase) {
        return false;
    }
    let mut i = after;
    // "hold on there for forty five seconds": where the robot is held says no less a time.
    while tokens.get(i).is_some_and(|w| vocab.filler_words.contains(w) || w == "for" || w == "there") {
        i += 1;
    }
    // "for a minute" times the wait; "a sec" alone softens the stop.
    let counted = i > after && tokens[i - 1] == "for" && tokens.get(i).is_some_and(|w| matches!(w.as_str(), "a" | "an"));
    // "hold on for a few minutes": a vague time still times the wait (which is refused as vague).
    let article = usize::from(tokens.get(i).is_some_and(|w| matches!(w.as_str(), "a" | "an")));
    let vague = tokens.get(i + article).is_some_and(|w| vocab.vague_amounts.contains(w));
    let Some(i) = (if vague {
        Some(i + article + 1)
    } else if counted {
        Some(i + 1)
    } else {
        crate::numbers::parse_number(tokens, i).map(|(_, n)| i + n)
    }) else {
        return false;
    };
    // "hold on for half an hour": the article between the half and its unit.
    let i = i + usize::from(i > 0 && tokens[i - 1] == "half" && tokens.get(i).is_some_and(|w| matches!(w.as_str(), "a" | "an")));
    vocab.units.iter().any(|(words, unit)| unit.dimension == dim::DURATION && tokens.get(i..i + words.len()).is_some_and(|w| w == words.as_slice()))
}

/// The robot is called somewhere in the utterance, by any of its names.
pub(crate) fn robot_named_in(vocab: &Vocabulary, tokens: &[String]) -> bool {
    tokens.iter().any(|w| vocab.robot_names.contains(w))
}

/// "hold on let me check the calendar", "hold on a sec sarah im just parking", "hold on im on the
/// phone robot go to the kitchen": a pause phrase asking whoever hears it to wait while the speaker
/// does something, no stop of the robot. A request after it is still read.
fn speakers_own_wait(vocab: &Vocabulary, tokens: &[String], phrase: &[String], after: usize) -> bool {
    // ("wait let me check" too: the speaker's pause, no wait of the robot's.)
    (phrase == ["wait"] || vocab.pause_phrases.iter().any(|p| p.as_slice() == phrase)) && speaker_busy_after(vocab, tokens, after)
}

/// After a "hold on" or "hang on" at `after`: the speaker says what they are doing ("let me
/// check", "sarah im just parking").
pub(crate) fn speaker_busy_after(vocab: &Vocabulary, tokens: &[String], after: usize) -> bool {
    let mut i = after;
    if let Some(p) = vocab.softening_amounts.iter().find(|p| tokens.get(i..i + p.len()).is_some_and(|w| w == p.as_slice())) {
        i += p.len();
    }
    if tokens.get(i).is_some_and(|w| vocab.person_names.contains(w)) {
        i += 1;
    }
    let next = |k: usize| tokens.get(i + k).map(String::as_str);
    matches!(
        (next(0), next(1)),
        (Some("let"), Some("me")) | (Some("lemme"), _) | (Some("im" | "i'm" | "ill" | "i'll"), Some("just" | "on"))
    )
}

/// "stap", "stopp": an utterance of one word (fillers aside), not a word the
/// vocabulary knows, one edit from a stop word. Typo correction leaves it
/// alone when it is as close to another word ("stap": "step"), but a missed
/// stop is worse than a spurious one. Only a lone word, or one word said again ("hault robot
/// hault"), so "shop" inside a sentence is not a stop.
fn is_misspelt_stop(vocab: &Vocabulary, tokens: &[String]) -> bool {
    let mut content = tokens.iter().filter(|t| !vocab.filler_words.contains(*t));
    let Some(word) = content.next() else {
        return false;
    };
    if !content.all(|t| t == word) {
        return false;
    }
    word.chars().count() >= 4
        && !vocab.english_words.contains(word)
        && vocab
            .stop_words
            .iter()
            .any(|s| s.chars().count() >= 4 && strsim::damerau_levenshtein(word, s) <= 1)
}

/// A number said with a unit, in the unit dimension's canonical unit.
pub(crate) struct Quantity {
    pub value: f64,
    pub dimension: String,
    /// Said as one of the vocabulary's `softening_amounts` ("come here a minute"): no amount
    /// where the action has no slot for it.
    pub softening: bool,
    /// Token positions said, start and end.
    pub span: (usize, usize),
}

/// An action trigger phrase found in the utterance.
#[derive(Clone)]
pub(crate) struct TriggerMatch {
    pub action: usize,
    pub synonym: usize,
    pub start: usize,
    pub end: usize,
    words: usize,
}

/// What the rule parser reads from an utterance before it picks slots: the
/// numbers said (with and without units) and the action phrases. Shared with
/// the LLM answer check ([`crate::support`]) so both read the words alike.
pub(crate) struct Reading {
    /// Tokens consumed by filler phrases and quantities.
    pub used: Vec<bool>,
    /// Tokens inside filler phrases ("right now" names no direction).
    pub filler: Vec<bool>,
    pub quantities: Vec<Quantity>,
    /// Tokens inside quantities ("right" in "a right angle" names no direction).
    pub in_quantity: Vec<bool>,
    /// Numbers said without a unit: (value, first token, end token).
    pub bare: Vec<(f64, usize, usize)>,
    /// Non-overlapping trigger phrases (longest first, then earliest), sorted
    /// by position. Their tokens are not marked in `used`.
    pub triggers: Vec<TriggerMatch>,
}

/// Matches `phrase` at `start`, letting articles and possessives sit between
/// its words ("set the speed", "pick the cup up" is not supported), and
/// filler phrases where `skip` marks them ("go a little faster").
fn match_phrase(
    vocab: &Vocabulary,
    tokens: &[String],
    used: &[bool],
    skip: Option<&[bool]>,
    start: usize,
    phrase: &[String],
) -> Option<usize> {
    let mut j = start;
    for (k, w) in phrase.iter().enumerate() {
        if k > 0 {
            while j < tokens.len()
                && (skip.is_some_and(|s| s[j])
                    || (!used[j] && vocab.strip_words.contains(&tokens[j]) && tokens[j] != *w))
            {
                j += 1;
            }
            // A phrasal verb takes a pronoun object between verb and particle: "back it up",
            // "pick them up". Only the first word: "back up" is the phrase, "it" its object.
            if k == 1 && j < tokens.len() && !used[j] && PRONOUN_OBJECTS.contains(&tokens[j].as_str()) && tokens[j] != *w {
                j += 1;
            }
        }
        if j >= tokens.len() || used[j] || tokens[j] != *w {
            return None;
        }
        j += 1;
    }
    Some(j)
}

/// Why a stop said under a condition is not published: the robot would stop now, not when the
/// condition is met.
const CONDITIONED_STOP: &str = "a stop under a condition (\"if ... stop\"): commands cannot wait on one; say \"stop\" to stop now";

/// Runs the rule parser. Never blocks and never allocates more than a few
/// copies of the (bounded) token list.
#[tracing::instrument(level = "debug", skip(vocab, text), fields(len = text.len()))]
pub fn fast_path(vocab: &Vocabulary, text: &str) -> FastPathOutcome {
    let unknown =
        |reason: &str| FastPathOutcome::Unknown(Command::unknown(reason, Source::FastPath, text));
    if text.trim().is_empty() {
        return unknown("empty input");
    }
    let tokens = words(vocab, text);
    match stop_said(vocab, &tokens) {
        StopSaid::Now => return FastPathOutcome::Confident(Command::new(STOP_ACTION, Source::FastPath, text, 1.0)),
        StopSaid::OnCondition => return unknown(CONDITIONED_STOP),
        StopSaid::No => {}
    }
    if text
        .chars()
        .any(|c| (c.is_control() && !c.is_whitespace()) || c == '\u{FFFD}')
    {
        return unknown("input contains binary or control characters");
    }
    if text.chars().count() > vocab.max_input_chars {
        return unknown(&format!(
            "input longer than {} characters",
            vocab.max_input_chars
        ));
    }
    let (letters, ascii) = text
        .chars()
        .filter(|c| c.is_alphabetic())
        .fold((0usize, 0usize), |(l, a), c| {
            (l + 1, a + usize::from(c.is_ascii_alphabetic()))
        });
    if letters > 0 && (ascii as f64) < vocab.min_ascii_letter_ratio * letters as f64 {
        return unknown("input is not English");
    }
    if tokens.is_empty() {
        return unknown("no words in input");
    }

    if is_misspelt_stop(vocab, &tokens) {
        return FastPathOutcome::Confident(Command::new(STOP_ACTION, Source::FastPath, text, 0.9));
    }
    // Targets keep the words as said: typo correction snaps to vocabulary
    // words, and "pace" is no misspelt "place".
    let raw = tokens.clone();
    let (tokens, corrections) = corrected(vocab, tokens);
    if corrections > 0 {
        match stop_said(vocab, &tokens) {
            StopSaid::Now => return FastPathOutcome::Confident(Command::new(STOP_ACTION, Source::FastPath, text, 0.9)),
            StopSaid::OnCondition => return unknown(CONDITIONED_STOP),
            StopSaid::No => {}
        }
    }
    if !tokens
        .iter()
        .any(|t| vocab.english_words.contains(t) || is_numeric(t))
    {
        return unknown("no English vocabulary words");
    }
    if vocab
        .injection_phrases
        .iter()
        .any(|p| contains_phrase(&tokens, p))
    {
        return unknown("request tries to change the robot's rules");
    }
    if let Some(c) = request_after_robot_name(vocab, text, &tokens, &raw, corrections) {
        return FastPathOutcome::Confident(c);
    }
    let (mut tokens, mut raw) = (tokens, raw);
    if let Some(k) = purpose_clause(vocab, &tokens) {
        tokens.truncate(k);
        raw.truncate(k);
    }
    let (tokens, raw) = as_corrected(vocab, tokens, raw);
    match parse_command(vocab, text, tokens, &raw, corrections) {
        // The stop reading above found no stop asked of the robot ("ah stop youre too kind"); a
        // stop the rules read from what is left is the LLM's and its check's to settle.
        FastPathOutcome::Confident(c) if c.action == STOP_ACTION => FastPathOutcome::NeedsLlm {
            reason: "a stop word not asked of the robot, read as a stop".into(),
        },
        outcome => outcome,
    }
}

/// "kids stand back robot back up half a metre", "sorry to bother you robot where is my handbag":
/// words to others, then the robot called and a whole request of its own. The request after the
/// last call of the robot's name is the one asked of it, when it reads as one confidently; what
/// came before is not read ("the robot" or "my robot" is spoken of, not called).
fn request_after_robot_name(vocab: &Vocabulary, text: &str, tokens: &[String], raw: &[String], corrections: usize) -> Option<Command> {
    let k = robot_called_at(vocab, tokens)?;
    let (rest, raw) = as_corrected(vocab, tokens[k + 1..].to_vec(), raw[k + 1..].to_vec());
    match parse_command(vocab, text, rest, &raw, corrections) {
        FastPathOutcome::Confident(c) => Some(c),
        _ => None,
    }
}

/// Where the robot is called by name after other words, with words after it: the last such call.
/// Not "the robot" or "my robot" (spoken of), nor after a condition ("if the door is open robot
/// go to the kitchen" still asks under it) or a choice left open. Shared with the LLM answer check.
pub(crate) fn robot_called_at(vocab: &Vocabulary, tokens: &[String]) -> Option<usize> {
    let k = (1..tokens.len().saturating_sub(1)).rev().find(|&k| {
        vocab.robot_names.contains(&tokens[k])
            && !matches!(tokens[k - 1].as_str(), "the" | "a" | "an" | "my" | "your" | "our" | "this" | "that" | "other" | "another")
    })?;
    let open = |w: &String| {
        vocab.undecided_words.contains(w)
            || matches!(w.as_str(), "if" | "when" | "whenever" | "once" | "unless" | "after" | "before" | "until" | "till" | "soon")
            // ("yesterday robot go to the laundry alone": told of a day gone by.)
            || w == "yesterday"
    };
    (!tokens[..k].iter().any(open)).then_some(k)
}

/// "scoot back a foot so i can open the dishwasher", "turn around so that we can see your screen":
/// a purpose clause says why, and what it names ("get", "open") is the speaker's to do, not a
/// second command. Where an action phrase comes before it, only that part is read.
fn purpose_clause(vocab: &Vocabulary, tokens: &[String]) -> Option<usize> {
    let at = |j: usize| tokens.get(j).map_or("", String::as_str);
    (1..tokens.len())
        .find(|&k| {
            let subject = if at(k + 1) == "that" { k + 2 } else { k + 1 };
            at(k) == "so"
                && matches!(at(subject), "i" | "we")
                && matches!(at(subject + 1), "can" | "could" | "may" | "might" | "will" | "dont" | "wont" | "cant")
        })
        .filter(|&k| !read(vocab, &tokens[..k]).triggers.is_empty())
}

/// Where praise of the asking, said after the request, begins: "go to the kitchen that would be
/// lovely", "find my glasses thatd be a great help", "... thats very kind of you", "... much
/// appreciated", "... ta very much", "... lovely". From there to the end nothing is asked or
/// named, so none of it joins a target ("kitchen that lovely" before).
pub(crate) fn praise_tail(vocab: &Vocabulary, tokens: &[String]) -> Option<usize> {
    let praise = |w: &str| vocab.praise_words.contains(w);
    let thanks = |w: &str| matches!(w, "thank" | "thanks" | "ta" | "cheers" | "bless");
    let more = |w: &str| {
        matches!(w, "a" | "an" | "very" | "really" | "so" | "ever" | "most" | "truly" | "absolutely" | "such" | "just" | "real" | "big" | "huge" | "much" | "lot" | "million" | "bunch" | "muchly" | "indeed" | "help")
    };
    // What it is said of, run into its verb ("thatd be lovely", "its very kind").
    let said_of = |w: &str| matches!(w, "thatd" | "that'd" | "thats" | "that's" | "thatll" | "that'll" | "twould" | "itd" | "it'd" | "its" | "it's");
    // ... or before it ("that would be", "what a star").
    let subject = |w: &str| matches!(w, "that" | "it" | "this" | "which" | "what" | "youre" | "you're");
    // What may open it: the praise itself, or what it is said of.
    let opener = |k: usize| {
        let w = tokens[k].as_str();
        let next = tokens.get(k + 1).map_or("", String::as_str);
        praise(w)
            || thanks(w)
            || said_of(w)
            || matches!(w, "much" | "very" | "really" | "so" | "most" | "absolutely" | "truly")
            || (matches!(w, "that" | "it" | "this" | "which") && matches!(next, "would" | "will" | "is" | "was" | "be"))
            || (matches!(w, "what" | "youre" | "you're") && matches!(next, "a" | "an"))
    };
    let in_tail = |w: &str| {
        praise(w) || thanks(w) || more(w) || said_of(w) || subject(w) || vocab.filler_words.contains(w)
            || matches!(w, "would" | "will" | "be" | "is" | "was" | "of" | "you" | "ya")
    };
    let mut from = tokens.len();
    while from > 0 && in_tail(&tokens[from - 1]) {
        from -= 1;
    }
    let start = (from..tokens.len()).find(|&k| opener(k))?;
    let said = &tokens[start..];
    // "find the good one" names it, "look for something nice" too; "youre doing great" and "my
    // eyes are no good" say how someone does. The request's own words come right before it.
    let of_another = start.checked_sub(1).is_none_or(|p| {
        matches!(
            tokens[p].as_str(),
            "the" | "a" | "an" | "my" | "your" | "his" | "her" | "our" | "their" | "some" | "something" | "anything" | "somewhere" | "anywhere"
                | "very" | "so" | "really" | "no" | "not" | "doing" | "done" | "going" | "looking" | "looks" | "look" | "feel" | "feels" | "feeling"
                | "sounds" | "seems" | "seem" | "is" | "are" | "was" | "were" | "youre" | "you're" | "im" | "i'm" | "get" | "got" | "been" | "being"
                | "pretty" | "quite" | "too" | "more" | "less" | "most"
        )
    });
    (!of_another && said.iter().any(|w| praise(w) || thanks(w))).then_some(start)
}

/// Reads filler phrases, quantities and action phrases from `tokens`.
pub(crate) fn read(vocab: &Vocabulary, tokens: &[String]) -> Reading {
    let n = tokens.len();
    let mut used = vec![false; n];

    // An action phrase longer than a filler phrase it overlaps wins: "what can
    // you see" asks for a description, "can you" alone is politeness.
    let mut protected = vec![false; n];
    if vocab.filler_phrases.iter().any(|p| contains_phrase(tokens, p)) {
        for m in triggers(vocab, tokens, &used) {
            if m.words >= 3 {
                protected[m.start..m.end].iter_mut().for_each(|p| *p = true);
            }
        }
    }
    for phrase in &vocab.filler_phrases {
        let mut i = 0;
        while i + phrase.len() <= n {
            let span = i..i + phrase.len();
            if tokens[span.clone()] == phrase[..]
                && !used[span.clone()].iter().any(|u| *u)
                && !protected[span.clone()].iter().any(|p| *p)
            {
                used[span].iter_mut().for_each(|u| *u = true);
                i += phrase.len();
            } else {
                i += 1;
            }
        }
    }
    // "right lad turn left", "okay right so go forward": "right" opening the utterance before a
    // filler says "well", when a direction is said later.
    if let Some(f) = (0..n).find(|&i| !used[i] && !vocab.filler_words.contains(&tokens[i])) {
        if tokens[f] == "right"
            && tokens.get(f + 1).is_some_and(|w| vocab.filler_words.contains(w) && !is_direction_word(vocab, w))
            && tokens[f + 2..].iter().any(|w| is_direction_word(vocab, w))
        {
            used[f] = true;
        }
    }
    if let Some(k) = praise_tail(vocab, tokens).filter(|&k| k > 0) {
        used[k..].iter_mut().for_each(|u| *u = true);
    }
    let filler = used.clone();
    let mut in_quantity = vec![false; n];

    // Quantities first: "a quarter turn" must read "turn" as a unit, not an action.
    let mut quantities: Vec<Quantity> = Vec::new();
    let mut bare: Vec<(f64, usize, usize)> = Vec::new();
    // Where the last quantity ended, and its unit's factor: "two feet six inches", "three minutes
    // and twenty seconds" are one amount, a larger unit then a smaller one.
    let mut last: Option<(usize, f64)> = None;
    let mut i = 0;
    while i < n {
        if used[i] {
            i += 1;
            continue;
        }
        // "make a turn of ninety degrees", "take a turn to the right", "have a turn" (half a turn
        // misheard): a light verb's "a turn" is the turning itself, no amount of one full turn.
        let turning_itself = i > 0
            && (vocab.light_verbs.contains(&tokens[i - 1]) || tokens[i - 1] == "have")
            && tokens.get(i + 1).is_some_and(|t| matches!(t.as_str(), "turn" | "spin"));
        // "wait here for the next hour", "for the next ten minutes": "the next" before a time is
        // its article, or nothing before its number.
        let next_time = i > 0 && tokens[i] == "next" && tokens[i - 1] == "the";
        let duration_at = |j: usize| unit_at(vocab, tokens, j).is_some_and(|(_, d, _)| d == dim::DURATION);
        if next_time && parse_number(tokens, i + 1).is_some_and(|(_, span)| duration_at(i + 1 + span)) {
            used[i] = true;
            i += 1;
            continue;
        }
        let (value, span) = match parse_number(tokens, i) {
            Some(v) => v,
            None if (matches!(tokens[i].as_str(), "a" | "an") && !turning_itself) || (next_time && duration_at(i + 1)) => (1.0, 1),
            // "too meters", "for feet": a homophone right before a unit.
            None => match number_homophone(vocab, tokens, i) {
                Some(v) => v,
                None => {
                    i += 1;
                    continue;
                }
            },
        };
        let mut j = i + span;
        // "half a metre", "a couple of feet", "3/4 of a meter", "a full turn"; "five more minutes",
        // "another minute" (read "an other minute").
        for skip in [1, 2] {
            let joiners = tokens.get(j..j + skip).unwrap_or(&[]);
            if joiners.len() == skip
                && joiners
                    .iter()
                    .all(|t| matches!(t.as_str(), "a" | "an" | "of" | "full" | "whole" | "more" | "extra" | "other"))
                && unit_at(vocab, tokens, j + skip).is_some()
            {
                j += skip;
                break;
            }
        }
        match unit_at(vocab, tokens, j) {
            Some((len, dimension, factor)) => {
                let mut end = j + len;
                let mut value = value;
                // "a metre and a half": the fraction follows the unit.
                if let Some(f) = fraction_after_unit(tokens, end) {
                    value += f;
                    end += 3;
                } else if let Some((extra, e)) = smaller_unit_unsaid(vocab, tokens, end, &dimension, factor) {
                    value += extra;
                    end = e;
                }
                let continues = |(last_end, last_factor): (usize, f64)| {
                    let joined = last_end == i || (last_end + 1 == i && tokens[last_end] == "and");
                    joined && last_factor > factor
                };
                match quantities.last_mut() {
                    Some(q) if q.dimension == dimension && last.is_some_and(continues) => {
                        q.value += value * factor;
                        q.span.1 = end;
                        used[last.map_or(i, |(e, _)| e)..i].iter_mut().for_each(|u| *u = true);
                    }
                    _ => quantities.push(Quantity {
                        value: value * factor,
                        dimension,
                        softening: softening_amount(vocab, tokens, i, end),
                        span: (i, end),
                    }),
                }
                last = Some((end, factor));
                used[i..end].iter_mut().for_each(|u| *u = true);
                in_quantity[i..end].iter_mut().for_each(|u| *u = true);
                i = end;
            }
            // "rotate ccw pi over two": pi counts radians, unit said or not.
            None if tokens[i..i + span].iter().any(|t| t == "pi") => {
                quantities.push(Quantity { value: value.to_degrees(), dimension: dim::ANGLE.into(), softening: false, span: (i, i + span) });
                used[i..i + span].iter_mut().for_each(|u| *u = true);
                in_quantity[i..i + span].iter_mut().for_each(|u| *u = true);
                i += span;
            }
            None if !matches!(tokens[i].as_str(), "a" | "an") => {
                // "go forward two paces", "three tiles": a number that counts things no unit
                // measures is no bare amount of the slot's unit.
                // A share is no amount either: "speed up by ten percent".
                let counts_things = tokens.get(i + span).is_some_and(|n| {
                    (n.len() > 3
                        && n.ends_with('s')
                        && crate::english::is_word(n)
                        && !vocab.known_words.contains(n)
                        && !vocab.filler_words.contains(n))
                        || matches!(n.as_str(), "percent" | "per" | "%" | "pc" | "times")
                });
                if !(counts_things || (i > 0 && vocab.label_nouns.contains(&tokens[i - 1]))) {
                    bare.push((value, i, i + span));
                }
                i += span;
            }
            None => i += 1,
        }
    }

    // "one sec im on the phone wait there for five minutes": a softening amount beside an amount
    // of its kind asked for is no second amount.
    let asked: Vec<String> = quantities.iter().filter(|q| !q.softening).map(|q| q.dimension.clone()).collect();
    quantities.retain(|q| !(q.softening && asked.contains(&q.dimension)));
    mark_relative_direction(vocab, tokens, &mut used);
    let triggers = triggers_skipping(vocab, tokens, &used, Some(&filler));
    let triggers = quantity_takers(vocab, tokens, &used, &quantities, triggers);
    Reading {
        used,
        filler,
        quantities,
        in_quantity,
        bare,
        triggers,
    }
}

/// Words before an amount that make it a time asked for, not a softener: "follow me for a
/// minute" follows only that long, "turn left in a minute" turns later.
const TIME_PREPOSITIONS: [&str; 5] = ["for", "in", "after", "within", "about"];

/// A verb "to be" or an auxiliary that opens a clause's verb ("the bus isnt due yet").
const COPULAS: [&str; 18] = ["is", "isnt", "are", "arent", "was", "wasnt", "were", "werent", "will", "wont", "has", "hasnt", "have", "havent", "cant", "can", "aint", "im"];

/// Words that, inside a target after its first word, correct it ("the cup no the other one", "bay
/// four correction bay five").
const TARGET_CORRECTIONS: [&str; 5] = ["no", "sorry", "nah", "correction", "negative"];

/// The correction inside a target's `words`, past its first word: one of [`TARGET_CORRECTIONS`],
/// or "i mean", "or rather", "make that" with more said after it ("bay four i mean bay five";
/// said last, "i mean" is a hedge, a target tail).
pub(crate) fn correction_in_target<S: AsRef<str>>(words: &[S]) -> Option<String> {
    let w = |i: usize| words.get(i).map(AsRef::as_ref);
    (1..words.len()).find_map(|i| {
        if TARGET_CORRECTIONS.contains(&words[i].as_ref()) {
            return Some(words[i].as_ref().to_string());
        }
        let pair = matches!((w(i), w(i + 1)), (Some("i"), Some("mean" | "meant")) | (Some("or"), Some("rather")) | (Some("make"), Some("that")));
        (pair && i + 2 < words.len()).then(|| format!("{} {}", words[i].as_ref(), words[i + 1].as_ref()))
    })
}

/// A verb of another request inside a target's `words`, with what it acts on after it: "the ball
/// put in the basket", "the cup take it to the sink" (two requests, the connective left out).
/// Not a verb in a thing's name ("the stop sign", "the take away").
pub(crate) fn verb_in_target<S: AsRef<str>>(words: &[S]) -> Option<String> {
    (1..words.len().saturating_sub(1)).find_map(|i| {
        let verb = matches!(
            words[i].as_ref(),
            "put" | "go" | "come" | "turn" | "move" | "bring" | "take" | "find" | "look" | "follow" | "drop" | "place" | "leave" | "give" | "fetch" | "carry"
                | "tell" | "ask"
        );
        let object = matches!(
            words[i + 1].as_ref(),
            "in" | "on" | "into" | "onto" | "inside" | "it" | "the" | "to" | "them" | "this" | "that" | "a" | "my" | "your" | "him" | "her"
        );
        // "go to the market buy tomatoes": an errand's second verb, whatever its object.
        let errand = matches!(words[i].as_ref(), "buy" | "purchase");
        (verb && object || errand).then(|| words[i].as_ref().to_string())
    })
}

/// How many words at the end of a target's `words` are one of the vocabulary's target tails
/// ("tea straight away", "bay four confirm"), said after the thing and naming none of it.
/// `relative`: the target holds a relative clause, whose verb ends it ("the corner where the plant is").
pub(crate) fn target_tail<S: AsRef<str>>(vocab: &Vocabulary, words: &[S], relative: bool) -> Option<usize> {
    vocab
        .target_tails
        .iter()
        .find(|t| {
            words.len() > t.len()
                && words[words.len() - t.len()..].iter().zip(t.iter()).all(|(w, t)| w.as_ref() == t)
                && !(relative && matches!(t.as_slice(), [v] if v == "is" || v == "are"))
                // "go to room too", "go to bay ten four": a number (or one misheard) after a
                // label's noun is the label's.
                && !((matches!(t.as_slice(), [v] if v == "too") || t.iter().all(|w| is_number_word(w)))
                    && vocab.label_nouns.contains(words[words.len() - t.len() - 1].as_ref()))
        })
        .map(Vec::len)
}

/// `tokens[start..end]` is one of the vocabulary's `softening_amounts`, not led by a time
/// preposition.
fn softening_amount(vocab: &Vocabulary, tokens: &[String], start: usize, end: usize) -> bool {
    vocab.softening_amounts.iter().any(|p| tokens[start..end] == p[..])
        && !start.checked_sub(1).is_some_and(|b| TIME_PREPOSITIONS.contains(&tokens[b].as_str()))
}

/// Action `ai` has a number slot for the dimension of every quantity said.
pub(crate) fn takes_every_quantity(vocab: &Vocabulary, ai: usize, quantities: &[Quantity]) -> bool {
    quantities.iter().all(|q| {
        vocab.actions[ai]
            .slots
            .iter()
            .any(|s| matches!(&s.kind, SlotKind::Number { dimension, .. } if *dimension == q.dimension))
    })
}

/// "keep going straight for 2 meters": a phrase whose action takes none of
/// the quantities said ("keep going": resume) gives way to a phrase inside it
/// whose action takes them all ("going": move), over the same words.
fn quantity_takers(
    vocab: &Vocabulary,
    tokens: &[String],
    used: &[bool],
    quantities: &[Quantity],
    found: Vec<TriggerMatch>,
) -> Vec<TriggerMatch> {
    let takes_all = |ai: usize| takes_every_quantity(vocab, ai, quantities);
    if quantities.is_empty() {
        return found;
    }
    found
        .into_iter()
        .map(|t| {
            if t.words < 2 || takes_all(t.action) {
                return t;
            }
            let inner = vocab.actions.iter().enumerate().filter(|(ai, _)| takes_all(*ai)).find_map(|(ai, a)| {
                a.synonyms.iter().enumerate().find_map(|(si, syn)| {
                    (t.start..t.end)
                        .any(|st| match_phrase(vocab, tokens, used, None, st, &syn.phrase).is_some_and(|e| e <= t.end))
                        .then_some((ai, si))
                })
            });
            match inner {
                Some((action, synonym)) => TriggerMatch { action, synonym, ..t },
                None => t,
            }
        })
        .collect()
}

/// The number a homophone at `i` stands for, and the words it spans, when a unit follows it
/// ("too meters", "for feet"), also after a fraction ("too and a half meters"). Units that are
/// also action words ("steps", "turn") are left out: "go to turn" is not two turns.
fn number_homophone(vocab: &Vocabulary, tokens: &[String], i: usize) -> Option<(f64, usize)> {
    let value = *vocab.number_homophones.get(&tokens[i])?;
    let (value, span) = match fraction_after_unit(tokens, i + 1) {
        Some(f) => (value + f, 4),
        None => (value, 1),
    };
    let (len, _, _) = unit_at(vocab, tokens, i + span)?;
    let unit = &tokens[i + span..i + span + len];
    let is_action_word = vocab
        .actions
        .iter()
        .flat_map(|a| &a.synonyms)
        // A phrase's first word: "foot" in "put your foot down" is no verb ("reverse for foot").
        .any(|s| unit.iter().any(|w| s.phrase.first() == Some(w)));
    // "to step", "for turns": a filler word before an action's word is that word; "tree steps" is 3.
    // "go backward to steps", "take for steps forward": after "to" or "for" a plural is counted,
    // never a verb.
    let filler = vocab.filler_words.contains(&tokens[i]) && !(matches!(tokens[i].as_str(), "to" | "for") && unit.len() == 1 && unit[0].ends_with('s'));
    (!(is_action_word && filler) && unit.iter().all(|w| w.chars().count() >= 3)).then_some((value, span))
}

/// "to the left", "to your right": a direction, not a place to go to. The
/// "to" and its article are marked used so "go to" cannot match; only when
/// nothing but a quantity follows, so "go to the left door" stays a place.
fn mark_relative_direction(vocab: &Vocabulary, tokens: &[String], used: &mut [bool]) {
    let n = tokens.len();
    for i in 0..n {
        if used[i] || tokens[i] != "to" {
            continue;
        }
        let mut d = i + 1;
        if d < n && !used[d] && matches!(tokens[d].as_str(), "the" | "your" | "my" | "its") {
            d += 1;
        }
        // "move to your left quick": a manner word after it adds nothing.
        let manner = |w: &str| matches!(w, "quick" | "fast" | "slow");
        let ends_here = (d + 1..n).all(|k| used[k] || vocab.filler_words.contains(&tokens[k]) || manner(&tokens[k]));
        // "go to the window to your left": after a thing named it says which one, for the target.
        let after_thing = i > 0
            && !used[i - 1]
            && !vocab.known_words.contains(&tokens[i - 1])
            && !vocab.filler_words.contains(&tokens[i - 1])
            && !is_numeric(&tokens[i - 1])
            && !matches!(tokens[i - 1].as_str(), "bit" | "little" | "tad" | "touch" | "more" | "further" | "way" | "yourself" | "itself" | "over" | "round" | "around");
        if d < n && !used[d] && is_direction_word(vocab, &tokens[d]) && ends_here && !after_thing {
            // "scoot over to the left": "over" goes with the direction.
            let from = if i > 0 && !used[i - 1] && tokens[i - 1] == "over" { i - 1 } else { i };
            used[from..d].iter_mut().for_each(|u| *u = true);
        }
    }
}

fn is_direction_word(vocab: &Vocabulary, w: &str) -> bool {
    vocab
        .actions
        .iter()
        .flat_map(|a| &a.slots)
        .filter(|s| s.name == DIRECTION_SLOT)
        .any(|s| match &s.kind {
            SlotKind::Enum { values } => values.values().any(|syns| syns.iter().any(|x| x == w)),
            _ => false,
        })
}

/// Self-corrections: "left no right", "two i mean three", "the kitchen i mean
/// the living room". Returns which tokens to keep: the value before a
/// correction marker and the marker are dropped when the words after it give
/// a value of the same kind; anything else is left alone.
pub(crate) fn self_corrections(vocab: &Vocabulary, tokens: &[String]) -> Vec<bool> {
    let n = tokens.len();
    let mut keep = vec![true; n];
    let mut m = 0;
    while m < n {
        let Some(e) = correction_marker_at(vocab, tokens, m) else {
            m += 1;
            continue;
        };
        // "left uh no right", "four metres no i mean three": a hesitation or a "no" before the
        // marker belongs to it, and so does one after it ("one metre no um one and a half").
        let mut from = m;
        while from > 0 && keep[from - 1] && (vocab.filler_words.contains(&tokens[from - 1]) || matches!(tokens[from - 1].as_str(), "no" | "nah")) {
            from -= 1;
        }
        if let Some(start) = replaced_value(vocab, tokens, &keep, from, e) {
            // "forward one metre sorry backward": only the value is taken back when no amount
            // follows the new one; the metre stands.
            let amount_between =
                start + 1 < from && is_enum_word(vocab, &tokens[start]) && tokens[start + 1..from].iter().any(|w| is_number_word(w));
            let amount_again = tokens[e..].iter().take(4).any(|w| is_number_word(w));
            if amount_between && !amount_again {
                keep[start] = false;
                keep[from..e].iter_mut().for_each(|k| *k = false);
            } else {
                keep[start..e].iter_mut().for_each(|k| *k = false);
            }
        }
        m = e;
    }
    let found = triggers(vocab, tokens, &vec![false; n]);
    // "my back is killing me so could you pick up the remote", "lovely day isnt it anyway could you
    // move forward", "where was i oh yes go to the conservatory": a remark closed by one of the
    // vocabulary's `remark_closers` before the request says why, and asks nothing (unless it holds
    // a negation, a condition or a word that leaves the request open).
    if let Some(first) = found.first() {
        if let Some((start, m)) = last_closer(vocab, tokens, 0, first.start) {
            // "my son said i could ask you things so could you please follow that gentleman": a
            // request put to the robot after the closer leaves what the remark reports behind.
            let put_to_robot = m + 1 < first.start && request_frame_at(tokens, m + 1);
            // ("what was i saying oh yes turn around": the speaker's own saying is no report.)
            let own_saying = |k: usize| matches!(tokens[k].as_str(), "said" | "saying" | "say") && k > 0 && tokens[k - 1] == "i";
            let harmless = tokens[..start].iter().enumerate().all(|(k, w)| {
                !vocab.stop_words.contains(w)
                    && (put_to_robot || own_saying(k) || (!vocab.not_request_words.contains(w) && !vocab.undecided_words.contains(w)))
            });
            let then_request = put_to_robot || (m + 1..first.start).all(|i| vocab.filler_words.contains(&tokens[i]));
            if harmless && then_request {
                keep[..=m].iter_mut().for_each(|k| *k = false);
            }
        }
        // "could you wait er what was it oh yes wait thirty seconds": the request begun, a remark
        // closed, and the same request said again whole; the first try is left behind.
        if let Some(again) = found.iter().skip(1).find(|t| t.action == first.action && t.start > first.end) {
            if let Some((start, m)) = last_closer(vocab, tokens, first.end, again.start) {
                let harmless = tokens[first.end..start].iter().all(|w| {
                    !vocab.stop_words.contains(w) && !vocab.not_request_words.contains(w) && !vocab.undecided_words.contains(w)
                });
                let nothing_else = found.iter().all(|t| t.start >= again.start || t.start == first.start);
                let then_request = (m + 1..again.start).all(|i| vocab.filler_words.contains(&tokens[i]));
                if harmless && nothing_else && then_request && start > first.end {
                    keep[..=m].iter_mut().for_each(|k| *k = false);
                }
            }
        }
    }
    // "turn not left but right", "go left not right": a value said with "not" is the one not meant,
    // where another of the same slot is said.
    let rival = |i: usize, j: usize| {
        vocab.actions.iter().flat_map(|a| &a.slots).any(|s| match &s.kind {
            SlotKind::Enum { values } => {
                let of = |w: &String| values.iter().find(|(_, syns)| syns.contains(w)).map(|(k, _)| k);
                of(&tokens[i]).is_some_and(|a| of(&tokens[j]).is_some_and(|b| a != b))
            }
            _ => false,
        })
    };
    for i in 0..n.saturating_sub(1) {
        if tokens[i] == "not" && keep[i] && (0..n).any(|j| j != i + 1 && keep[j] && rival(i + 1, j)) {
            keep[i] = false;
            keep[i + 1] = false;
            if tokens.get(i + 2).is_some_and(|w| w == "but") {
                keep[i + 2] = false;
            }
            if i > 0 && tokens[i - 1] == "but" {
                keep[i - 1] = false;
            }
        }
    }
    // "go right uh left", "turn right er left": a value, a hesitation, then a rival value of the
    // same slot, with no marker: the speaker's repair.
    for i in 0..n.saturating_sub(2) {
        if keep[i] && keep[i + 2] && (HESITATIONS.contains(&tokens[i + 1].as_str()) || matches!(tokens[i + 1].as_str(), "eh" | "ah")) && rival(i, i + 2) {
            keep[i] = false;
            keep[i + 1] = false;
        }
    }
    // "right go to the kitchen", "right so move back one metre": "right" opening the utterance
    // before a discourse word, or before an action that takes no direction, is "all right".
    if let Some(f) = (0..n).find(|&i| keep[i] && !vocab.filler_words.contains(&tokens[i])) {
        let discourse = tokens.get(f + 1).is_some_and(|w| {
            matches!(w.as_str(), "so" | "well" | "okay" | "ok" | "sorry" | "then" | "now" | "lets" | "um" | "er" | "uh" | "yes" | "oh")
        });
        let takes_right = |a: usize| {
            vocab.actions[a].slots.iter().any(|s| matches!(&s.kind, SlotKind::Enum { values } if values.values().any(|v| v.iter().any(|x| x == "right"))))
        };
        let no_direction = found.iter().find(|t| t.start == f + 1).is_some_and(|t| !takes_right(t.action));
        if tokens[f] == "right" && f + 1 < n && (discourse || no_direction) {
            keep[f] = false;
        }
    }
    // "dont go anywhere wait here", "dont turn left turn right": a negated action phrase with
    // another after it says what not to do, then what to do; the negated part says nothing.
    for (k, t) in found.iter().enumerate() {
        let mut i = t.start;
        while i > 0 && matches!(tokens[i - 1].as_str(), "just" | "please") {
            i -= 1;
        }
        let negated = i > 0 && vocab.negation_words.contains(&tokens[i - 1]) && !vocab.stop_words.contains(&tokens[t.start]);
        if let (true, Some(next)) = (negated, found.get(k + 1)) {
            keep[i - 1..next.start].iter_mut().for_each(|k| *k = false);
        }
    }
    keep
}

/// The words as the speaker meant them after their own corrections: a corrected number keeps its
/// unit ([`units_carried`]) and what was taken back is dropped ([`self_corrections`]), from
/// `tokens` and the parallel `raw` alike.
pub(crate) fn as_corrected(vocab: &Vocabulary, tokens: Vec<String>, raw: Vec<String>) -> (Vec<String>, Vec<String>) {
    let (tokens, raw) = units_carried(vocab, tokens, raw);
    let keep = self_corrections(vocab, &tokens);
    (kept(tokens, &keep), kept(raw, &keep))
}

/// A correction marker ("no", "sorry", "i mean") at `m`: where the words after it start, past
/// any hesitation ("one metre no um one and a half").
fn correction_marker_at(vocab: &Vocabulary, tokens: &[String], m: usize) -> Option<usize> {
    let marker = vocab.correction_markers.iter().find(|p| tokens.get(m..m + p.len()) == Some(&p[..]))?;
    let mut e = m + marker.len();
    while e + 1 < tokens.len() && HESITATIONS.contains(&tokens[e].as_str()) {
        e += 1;
    }
    Some(e)
}

/// "ten centimetres no three", "two minutes sorry three": a number said again after a correction
/// marker without a unit of its own keeps the unit of the amount it takes back (alone, "three"
/// would be three metres or three seconds: a hundred times the distance meant). The unit is said
/// again after the new number in `tokens` and in the parallel `raw`, before
/// [`self_corrections`] drops the amount taken back.
fn units_carried(vocab: &Vocabulary, mut tokens: Vec<String>, mut raw: Vec<String>) -> (Vec<String>, Vec<String>) {
    let mut m = 0;
    while m < tokens.len() {
        let Some(e) = correction_marker_at(vocab, &tokens, m) else {
            m += 1;
            continue;
        };
        let mut from = m;
        while from > 0 && (vocab.filler_words.contains(&tokens[from - 1]) || matches!(tokens[from - 1].as_str(), "no" | "nah")) {
            from -= 1;
        }
        // With a unit of its own, even after "a" ("half a metre"), the new amount needs none.
        let new_number = parse_number(&tokens, e).filter(|&(_, span)| (e + span..e + span + 3).all(|j| unit_at(vocab, &tokens, j).is_none()));
        let old_unit = (from.saturating_sub(6)..from).find_map(|s| {
            let (_, span) = parse_number(&tokens, s)?;
            let (len, _, _) = unit_at(vocab, &tokens, s + span)?;
            (s + span + len == from).then_some(s + span..from)
        });
        // "wait ten seconds no minutes": a unit said again alone, of the same kind, keeps the
        // number it corrects.
        let old_number = (from.saturating_sub(6)..from).find_map(|s| {
            let (_, span) = parse_number(&tokens, s)?;
            let (len, dimension, _) = unit_at(vocab, &tokens, s + span)?;
            (s + span + len == from).then_some((s..s + span, dimension))
        });
        let new_unit = unit_at(vocab, &tokens, e).filter(|(len, _, _)| parse_number(&tokens, e).is_none() && unit_at(vocab, &tokens, e + len).is_none());
        let unit_again = old_number.filter(|(_, d)| new_unit.as_ref().is_some_and(|(_, nd, _)| nd == d)).map(|(number, _)| number);
        if let (Some((_, span)), Some(unit)) = (new_number, old_unit) {
            let at = e + span;
            let (t, r): (Vec<String>, Vec<String>) = (tokens[unit.clone()].to_vec(), raw[unit].to_vec());
            tokens.splice(at..at, t);
            raw.splice(at..at, r);
            m = at;
        } else if let Some(number) = unit_again {
            let (t, r): (Vec<String>, Vec<String>) = (tokens[number.clone()].to_vec(), raw[number].to_vec());
            tokens.splice(e..e, t);
            raw.splice(e..e, r);
            m = e;
        } else {
            m = e;
        }
    }
    (tokens, raw)
}

/// Where the value replaced by the words after the marker `m..e` starts.
fn replaced_value(vocab: &Vocabulary, tokens: &[String], keep: &[bool], m: usize, e: usize) -> Option<usize> {
    if m == 0 || e >= tokens.len() || !keep[m - 1] {
        return None;
    }
    // "left one metre i mean right one metre", "clockwise ninety no anticlockwise": the value
    // taken back may stand before the amount said with it.
    let mut v = m - 1;
    while v > 0 && keep[v - 1] && (parse_number(tokens, v).is_some() || is_number_word(&tokens[v]) || unit_at(vocab, tokens, v).is_some() || tokens[v] == "a") && m - v <= 4 {
        v -= 1;
    }
    let after = &tokens[e];
    let same_slot = |before: &String| {
        vocab.actions.iter().flat_map(|a| &a.slots).any(|s| match &s.kind {
            SlotKind::Enum { values } => {
                let of = |w: &String| values.iter().find(|(_, syns)| syns.contains(w)).map(|(k, _)| k);
                of(before).is_some_and(|a| of(after).is_some_and(|b| a != b))
            }
            _ => false,
        })
    };
    if same_slot(&tokens[m - 1]) {
        return Some(m - 1);
    }
    if v < m - 1 && same_slot(&tokens[v]) {
        return Some(v);
    }
    // "half a metre no a quarter metre", "six inches make that a foot", "no just a metre": an
    // amount said with "a" corrects as one said with a number.
    let new_at = (e..tokens.len()).find(|&i| tokens[i] != "just").unwrap_or(e);
    let a_amount = |i: usize| {
        matches!(tokens[i].as_str(), "a" | "an")
            && i + 1 < tokens.len()
            && (parse_number(tokens, i + 1).is_some() || unit_at(vocab, tokens, i + 1).is_some())
    };
    if parse_number(tokens, e).is_some() || (new_at < tokens.len() && a_amount(new_at)) {
        // "two no three metres", and with the unit said twice, "one metre no two metres".
        let ends_at_marker = |s: usize, span: usize| {
            s + span == m || unit_at(vocab, tokens, s + span).is_some_and(|(len, _, _)| s + span + len == m)
        };
        // "a metre and a half no": the whole amount said, whatever its words.
        let amount_to_marker = |s: usize| {
            let r = read(vocab, &tokens[s..m]);
            r.quantities.len() == 1 && r.in_quantity.iter().all(|&q| q)
        };
        return (m.saturating_sub(6)..m)
            .find(|&s| keep[s] && (parse_number(tokens, s).is_some_and(|(_, span)| ends_at_marker(s, span)) || amount_to_marker(s)));
    }
    // A target: the words from the end of the action phrase to the marker,
    // when they hold no number or setting and the words after it name no action.
    let before_marker = triggers(vocab, &tokens[..m], &vec![false; m]);
    let t = before_marker.last()?;
    // "follow the dog i mean follow me", "go left scratch that go right": the action phrase said
    // again after the marker replaces the first one whole (another action only after a marker of
    // more than one word: a bare "no" before an action is too often an answer).
    let again = triggers(vocab, &tokens[e..], &vec![false; tokens.len() - e]);
    let opens_after = |a: &&TriggerMatch| (e..e + a.start).all(|i| vocab.filler_words.contains(&tokens[i]));
    if let Some(a) = again.first().filter(opens_after) {
        if t.end <= m && (a.action == t.action || e - m > 1) && keep[t.start..m].iter().all(|k| *k) {
            return Some(t.start);
        }
    }
    // A bare "no" before a new target is too often something else ("no matter"), unless an
    // article or possessive opens the new one ("the kitchen sorry the bathroom").
    let opens_target = tokens.get(e).is_some_and(|w| vocab.strip_words.contains(w))
        && !tokens[e..].iter().all(|w| vocab.strip_words.contains(w) || vocab.deictic_words.contains(w) || w == "other");
    // "sorry", "actually", "rather" mid-utterance correct; "no" and "nah" need the article.
    let plain_marker = !matches!(tokens[m].as_str(), "no" | "nah")
        && !vocab.filler_words.contains(&tokens[e])
        && !vocab.correction_markers.iter().any(|p| tokens[e..].starts_with(p));
    let takes_target = vocab.actions[t.action].slot(TARGET_SLOT).is_some() && (m + 1 < e || opens_target || plain_marker);
    let replaced = &tokens[t.end..m];
    let plain = |w: &String| parse_number(std::slice::from_ref(w), 0).is_none() && !is_enum_word(vocab, w);
    let after_words = &tokens[e..];
    let no_action_after = triggers(vocab, after_words, &vec![false; after_words.len()]).is_empty();
    // "the back door sorry the front door": with an article opening the new target, a direction
    // word in the old one is part of its name.
    let plain_enough = replaced.iter().all(plain) || (opens_target && replaced.iter().all(|w| parse_number(std::slice::from_ref(w), 0).is_none()));
    (takes_target && !replaced.is_empty() && plain_enough && no_action_after && keep[t.end..m].iter().all(|k| *k))
        .then_some(t.end)
}

/// Where a remark or a reason starts after a target ("find the cat shes hiding again", "pick up my
/// pen i dropped it", "go to the charging dock your battery is low", "look at the window i think
/// its raining"): a clause of its own, not a description of the thing. A clause that describes it
/// stays ("the keys i dropped this morning", "the dog thats barking"): it refers back to the
/// thing by no pronoun and opens with no contraction.
fn remark_after_target(vocab: &Vocabulary, words: &[&String]) -> Option<usize> {
    let named = |w: &String| {
        (!vocab.filler_words.contains(w) && !vocab.strip_words.contains(w)) || matches!(w.as_str(), "me" | "us" | "him" | "her")
    };
    let first = words.iter().position(|w| named(w))?;
    // After a person said as a pronoun no clause describes a thing: "follow me we need to get the
    // washing in". After the one a thing is for and the thing, a clause still describes the thing:
    // "bring me the plate i was using".
    let pronoun = |w: &String| matches!(w.as_str(), "me" | "us" | "him" | "her");
    let thing_before = |k: usize| words[first..k].iter().any(|w| named(w) && !pronoun(w));
    // Nor does an article right after that one: the action already takes a thing ("find me the
    // plate i was using"; "follow me the dog is barking" never gets here).
    let opens = |k: usize| opens_the_thing(words, k) || (pronoun(words[first]) && words[k].as_str() == "the");
    (first + 1..words.len()).find(|&k| !(k == first + 1 && opens(k)) && remark_starts(words, k, thing_before(k)))
}

/// Where a remark starts after the command's first action phrase and at least one word after it
/// ([`remark_starts`]), or the utterance's length. Shared with the LLM answer check, which takes no
/// support from a remark's words ("find my slippers my feet are freezing" says no amount).
pub(crate) fn remark_after_command(vocab: &Vocabulary, tokens: &[String], reading: &Reading) -> usize {
    // After the first action phrase: a remark may name another action ("follow me im going slowly").
    let Some(end) = reading.triggers.first().map(|m| m.end) else {
        return tokens.len();
    };
    let content = |i: usize| {
        (!vocab.filler_words.contains(&tokens[i]) && !vocab.strip_words.contains(&tokens[i]))
            || matches!(tokens[i].as_str(), "me" | "us" | "him" | "her")
    };
    // Not inside a filler phrase: "if you would be so kind", "you know". After an amount or a
    // direction no thing was named: "move forward four metres the table is at the end" says where
    // the table is.
    let after_a_thing = |k: usize| !(reading.in_quantity[k - 1] || is_direction_word(vocab, &tokens[k - 1]));
    (end..tokens.len())
        .find(|&k| {
            // "slow down dear youll give me a heart attack": a subject and its verb in one word open
            // a clause of their own, even with nothing named before it ("hold on im on the phone
            // robot go to the kitchen" still goes on to its request).
            let own_clause = matches!(tokens[k].as_str(), "youll" | "you'll" | "youre" | "you're" | "im" | "i'm" | "ill" | "i'll")
                && !robot_named_in(vocab, &tokens[k..]);
            let first_thing = (end..k - 1).all(|i| !content(i)) && opens_the_thing(tokens, k);
            !reading.filler[k] && !first_thing && (own_clause || (end..k).any(content)) && remark_starts(tokens, k, after_a_thing(k))
        })
        .unwrap_or(tokens.len())
}

/// "bring me my keys i need them": a possessive right after the one a thing is for (at `k - 1`,
/// the first named after the action phrase) opens the thing, no clause about it.
fn opens_the_thing<S: AsRef<str>>(words: &[S], k: usize) -> bool {
    k > 0
        && matches!(words[k - 1].as_ref(), "me" | "us" | "him" | "her")
        && matches!(words[k].as_ref(), "my" | "your" | "his" | "our" | "their")
}

/// Whether a clause of its own (a remark, a reason) starts at `words[k]`. `after_a_thing`: right
/// after a target, where "thats barking" and "the dog was chewing" still describe it.
fn remark_starts<S: AsRef<str>>(words: &[S], k: usize, after_a_thing: bool) -> bool {
    let w = words[k].as_ref();
    // "when youre done": the subject of a condition, which says more than a remark.
    let after_condition = k > 0
        && matches!(words[k - 1].as_ref(), "if" | "when" | "whenever" | "once" | "unless" | "after" | "before" | "until" | "till");
    if after_condition {
        return false;
    }
    let rest = &words[k + 1..];
    let refers_back = rest.iter().any(|r| matches!(r.as_ref(), "it" | "them" | "him" | "her"));
    let copula_soon = rest.iter().take(3).any(|r| matches!(r.as_ref(), "is" | "are" | "was" | "were" | "cant" | "wont" | "isnt" | "arent"));
    match w {
        "its" | "it's" | "shes" | "hes" | "theyre" | "theres" | "there's" | "im" | "i'm" | "youre" | "you're" | "youll"
        | "you'll" | "isnt" | "thank" | "thanks" | "cheers" | "while" | "whilst" | "ill" | "i'll" | "someones" | "somebodys"
        | "everyones" | "nobodys" | "youve" | "you've" | "weve" | "we've" | "ive" | "i've" | "theyve" | "they've" => true,
        "thats" => !after_a_thing,
        // "bring me my tea dont spill it": a warning of its own after the thing.
        "dont" | "don't" => after_a_thing,
        // "the cup it was on the table": where the thing is, said of it again.
        "it" => after_a_thing && rest.first().is_some_and(|n| matches!(n.as_ref(), "is" | "was" | "s" | "isnt" | "wasnt")),
        // "find your shoes were late": "we're", not the shoes.
        "were" => !after_a_thing || rest.first().is_some_and(|n| n.as_ref() == "late"),
        // "the drip stand is it beeping": a question of its own about the thing.
        "is" | "are" | "was" | "does" | "did" | "has" | "have" if after_a_thing => {
            rest.first().is_some_and(|n| matches!(n.as_ref(), "it" | "that" | "this" | "they" | "he" | "she" | "there"))
        }
        // "the book i was reading", "the file i need" describe the thing; "the pen i dropped it",
        // "the window i think its raining" do not; nor "my son he is somewhere in the museum".
        "i" | "you" | "he" | "she" | "we" | "they" => {
            let where_they_are = matches!(w, "he" | "she" | "they")
                && rest.first().is_some_and(|n| matches!(n.as_ref(), "is" | "was" | "are" | "were" | "s"))
                && rest.get(1).is_some_and(|n| {
                    matches!(n.as_ref(), "somewhere" | "probably" | "in" | "at" | "outside" | "upstairs" | "downstairs" | "out" | "still" | "around" | "lost" | "hiding")
                });
            // "the lounge i really need a coffee": a wish of the speaker's own.
            let wish = w == "i"
                && rest.first().is_some_and(|n| matches!(n.as_ref(), "really" | "badly" | "desperately"))
                && rest.get(1).is_some_and(|n| matches!(n.as_ref(), "need" | "want" | "must" | "have"));
            // "go back to your charger you look tired": how the one spoken to seems.
            let seems = w == "you" && rest.first().is_some_and(|n| matches!(n.as_ref(), "look" | "seem" | "sound" | "deserve" | "poor"));
            where_they_are
                || wish
                || seems
                || refers_back
                || rest.first().is_some_and(|n| {
                    let modal = matches!(
                        n.as_ref(),
                        "think" | "cant" | "cannot" | "dont" | "guess" | "reckon" | "know" | "hope" | "wish" | "must" | "will" | "would"
                            | "can" | "could" | "should" | "said" | "says" | "told"
                    );
                    modal || (!after_a_thing && matches!(n.as_ref(), "need" | "want" | "am" | "are" | "was" | "were" | "is" | "have" | "had"))
                })
        }
        // "the back door pet i think thats the milkman", "me slippers hinny me feet are like ice": a
        // fond name that is a word too, then a remark of the speaker's ("the pet food" is a thing).
        "pet" | "love" | "luv" | "duck" | "hen" | "flower" | "petal" | "hinny" | "chuck" | "lovey" | "dearie" | "mate" if after_a_thing => {
            rest.first().is_some_and(|n| {
                matches!(n.as_ref(), "i" | "im" | "ive" | "id" | "me" | "my" | "we" | "were" | "thats" | "its" | "theres" | "youre" | "hes" | "shes" | "theyre")
            })
        }
        // "the stopwatch my son needs it for sports day": the thing again, as the object of a clause.
        "my" | "your" | "his" | "our" | "their" => copula_soon || refers_back,
        "the" => !after_a_thing && copula_soon,
        // "the stapler janet nicked it again": someone, what they did, and the thing again.
        _ => {
            after_a_thing
                && !matches!(w, "and" | "then" | "but" | "plus" | "also" | "or" | "to")
                && rest.get(1).is_some_and(|r| matches!(r.as_ref(), "it" | "them"))
                && rest.first().is_some_and(|v| {
                    let v = v.as_ref();
                    v.ends_with("ed")
                        || matches!(v, "took" | "has" | "had" | "needs" | "wants" | "stole" | "broke" | "left" | "put" | "got" | "hid" | "keeps" | "lost")
                })
        }
    }
}

/// A word after which an article opens a noun phrase inside the same target: a preposition ("the
/// book on the table", "the cup with the red handle"), a relative word ("the toy that the dog
/// chewed"), a verb of a describing clause ("the keys i left on the table" has none).
pub(crate) fn links_a_phrase(vocab: &Vocabulary, w: &str) -> bool {
    vocab.relation_words.contains(w)
        || vocab.inner_words.contains(w)
        || vocab.cut_words.contains(w)
        || vocab.path_words.contains(w)
        || vocab.exclusion_words.contains(w)
        || matches!(
            w,
            "of" | "for" | "with" | "from" | "to" | "at" | "by" | "near" | "beside" | "behind" | "between" | "above" | "below"
                | "inside" | "outside" | "like" | "than" | "that" | "which" | "who" | "whose" | "where" | "about" | "against"
                | "toward" | "towards" | "beneath" | "in" | "on" | "under" | "into" | "onto" | "is" | "was" | "are" | "were"
                | "called" | "named" | "labelled" | "labeled" | "marked" | "and" | "or" | "not" | "but" | "as" | "all"
                | "off" | "up" | "down" | "out" | "over" | "through" | "across" | "around" | "along" | "past" | "thats"
                | "front" | "side" | "top" | "bottom" | "back" | "end" | "middle" | "edge" | "corner"
        )
        // "the book i put on the table", "the one you had": a describing clause's verb.
        || w.ends_with("ed")
        || CLAUSE_PASTS.contains(&w)
}

/// Past forms without "-ed" that a clause saying which thing is meant ends on or opens with
/// ("the book my mum gave", "the keys i left in the car").
pub(crate) const CLAUSE_PASTS: [&str; 18] = [
    "left", "put", "had", "got", "saw", "said", "made", "took", "brought", "gave", "found", "hid", "kept", "set", "bought", "lost",
    "broke", "wore",
];

/// The words after a noun phrase's article make a clause that ends on its verb, so it describes
/// a thing before it: "the dog was chewing", "my mum gave".
pub(crate) fn clause_ends_on_its_verb(rest: &[&str]) -> bool {
    let n = rest.len();
    n >= 2 && {
        let last = rest[n - 1];
        let aux = matches!(rest[n - 2], "was" | "is" | "were" | "are" | "been");
        (last.ends_with("ing") && aux) || (n <= 3 && (last.ends_with("ed") || CLAUSE_PASTS.contains(&last)))
    }
}

/// Articles and possessives before an amount that is part of a thing's name.
const NAME_ARTICLES: [&str; 10] = ["the", "a", "an", "my", "your", "that", "this", "those", "these", "our"];

/// "bring me the ten mil socket", "fetch the five metre tape": the amount at `span`, between an
/// article and a word that goes on with the name, is in the thing's name (read so only for an
/// action that takes a thing). `amount_at(i)`: another amount starts at word `i` ("the two
/// metre three metre"), which is a list, not a name.
pub(crate) fn amount_in_a_name(vocab: &Vocabulary, tokens: &[String], (s, e): (usize, usize), amount_at: impl Fn(usize) -> bool) -> bool {
    s > 0
        && NAME_ARTICLES.contains(&tokens[s - 1].as_str())
        && tokens.get(e).is_some_and(|w| !vocab.filler_words.contains(w) && !vocab.connectives.contains(w) && !amount_at(e))
}

/// `tokens` without the ones [`self_corrections`] drops.
pub(crate) fn kept(tokens: Vec<String>, keep: &[bool]) -> Vec<String> {
    tokens
        .into_iter()
        .zip(keep)
        .filter_map(|(t, k)| k.then_some(t))
        .collect()
}

/// Action phrases among the tokens not `used`: non-overlapping, the longest
/// first ("go to" over "go"), then the earliest; sorted by position.
pub(crate) fn triggers(vocab: &Vocabulary, tokens: &[String], used: &[bool]) -> Vec<TriggerMatch> {
    triggers_skipping(vocab, tokens, used, None)
}

/// [`triggers`], letting the tokens `skip` marks sit inside a phrase.
fn triggers_skipping(
    vocab: &Vocabulary,
    tokens: &[String],
    used: &[bool],
    skip: Option<&[bool]>,
) -> Vec<TriggerMatch> {
    let n = tokens.len();
    let mut matches: Vec<TriggerMatch> = Vec::new();
    for (ai, action) in vocab.actions.iter().enumerate() {
        for (si, syn) in action.synonyms.iter().enumerate() {
            for start in 0..n {
                // "find the door stop": the stop word of a thing named is no stop phrase.
                if action.name == STOP_ACTION && in_stop_noun(vocab, tokens, start) {
                    continue;
                }
                if let Some(end) = match_phrase(vocab, tokens, used, skip, start, &syn.phrase) {
                    // "get this to the kitchen", "get it to mum": a thing sent somewhere sits inside
                    // the phrase of going, which is then no going of the robot.
                    let sent = action.name == "go_to"
                        && end - start > syn.phrase.len()
                        && tokens[start..end].iter().any(|w| is_thing_sent(w));
                    if sent {
                        continue;
                    }
                    matches.push(TriggerMatch {
                        action: ai,
                        synonym: si,
                        start,
                        end,
                        words: syn.phrase.len(),
                    });
                }
            }
        }
    }
    matches.sort_by(|a, b| b.words.cmp(&a.words).then(a.start.cmp(&b.start)));
    let mut chosen: Vec<TriggerMatch> = Vec::new();
    for m in matches {
        if chosen.iter().all(|c| m.end <= c.start || m.start >= c.end) {
            chosen.push(m);
        }
    }
    chosen.sort_by_key(|m| m.start);
    chosen
}

/// "one metre twenty", "five foot six", "one meter and twenty", "two meter half", "a minute
/// thirty": a number after a length in metres or feet or a time in minutes or hours, with no unit
/// of its own, in the next smaller unit (centimetres, inches, seconds, minutes), or a fraction of
/// the unit said. The amount to add, in the unit said, and where the words end.
fn smaller_unit_unsaid(vocab: &Vocabulary, tokens: &[String], end: usize, dimension: &str, factor: f64) -> Option<(f64, usize)> {
    let sixtieths = dimension == dim::DURATION && ((factor - 60.0).abs() < 1e-9 || (factor - 3600.0).abs() < 1e-9);
    if dimension != dim::LENGTH && !sixtieths {
        return None;
    }
    let k = if tokens.get(end).is_some_and(|t| t == "and") { end + 1 } else { end };
    let (n, span) = parse_number(tokens, k)?;
    let after = k + span;
    if unit_at(vocab, tokens, after).is_some() || tokens.get(after).is_some_and(|t| is_numeric(t)) {
        return None;
    }
    // "no sorry one metre one is plenty": a number a verb follows opens a clause of its own, not
    // 1.01 m ("two foot six would you" is asked).
    if tokens.get(after).is_some_and(|t| matches!(t.as_str(), "is" | "isnt" | "was" | "are" | "should")) {
        return None;
    }
    let whole = n.fract() == 0.0 && n >= 1.0;
    let metre = (factor - 1.0).abs() < 1e-9;
    let foot = (factor - 0.3048).abs() < 1e-9;
    if n < 1.0 && (metre || foot || sixtieths) && fraction_word(&tokens[k]).is_some() {
        return Some((n, after));
    }
    if sixtieths && whole && n < 60.0 {
        return Some((n / 60.0, after));
    }
    if metre && whole && n < 100.0 {
        return Some((n / 100.0, after));
    }
    if foot && whole && n < 12.0 {
        return Some((n / 12.0, after));
    }
    None
}

/// "and a half" / "and a quarter" right after a unit: its value.
fn fraction_after_unit(tokens: &[String], j: usize) -> Option<f64> {
    let t = |k: usize| tokens.get(k).map(String::as_str);
    if t(j) != Some("and") || !matches!(t(j + 1), Some("a" | "an")) {
        return None;
    }
    t(j + 2).and_then(fraction_word)
}

fn parse_command(
    vocab: &Vocabulary,
    text: &str,
    tokens: Vec<String>,
    raw: &[String],
    mut corrections: usize,
) -> FastPathOutcome {
    let needs = |reason: String| FastPathOutcome::NeedsLlm { reason };
    let idiom = |w: &str| {
        FastPathOutcome::Unknown(Command::unknown(format!("an idiom, not a thing to act on: {w}"), Source::FastPath, text))
    };
    let n = tokens.len();
    let Reading {
        mut used,
        quantities,
        bare,
        triggers: chosen,
        ..
    } = read(vocab, &tokens);
    // A number inside an action phrase ("do a one eighty") is the phrase's, not a bare number.
    let bare: Vec<(f64, usize, usize)> =
        bare.into_iter().filter(|&(_, s, e)| !chosen.iter().any(|m| s < m.end && m.start < e)).collect();
    if let Some(what) = vague_amount(vocab, &tokens) {
        return FastPathOutcome::Unknown(Command::unknown(format!("vague amount: {what}"), Source::FastPath, text));
    }
    // "move forward to", "go to bay for": cut off, or a number misheard as the last word after a
    // label's noun; the LLM and its check settle which.
    if n > 1 {
        let last = tokens[n - 1].as_str();
        let label_number = vocab.number_homophones.contains_key(last) && vocab.label_nouns.contains(tokens[n - 2].as_str());
        if (cut_off_last(vocab, &tokens).is_some() && !used[n - 1]) || label_number {
            return needs(format!("the last word may be cut off or misheard: {last}"));
        }
    }
    let chosen = match unit_named_action(vocab, &tokens, &used, &quantities, chosen) {
        Ok((chosen, verbs)) => {
            verbs.into_iter().for_each(|i| used[i] = true);
            chosen
        }
        Err(chosen) => chosen,
    };
    // "go and find my keys": a bare verb right before a connective is an idiom, no first
    // command ("turn around and come back" is two). The LLM answer check reads it alike.
    // "go find the cat", "come look at this": a verb of going right before another action's
    // phrase names no action of its own (`serial_verbs`).
    let idiom_verb = |k: usize, m: &TriggerMatch| {
        chosen.get(k + 1).is_some_and(|next| {
            next.action != m.action
                && ((next.start == m.end + 1 && idiom_connective(vocab, tokens.as_slice(), m))
                    || (next.start == m.end && serial_verb(vocab, tokens.as_slice(), m)))
        })
    };
    let mut kept_triggers = Vec::with_capacity(chosen.len());
    for (k, m) in chosen.iter().enumerate() {
        if idiom_verb(k, m) {
            used[m.start..=m.end].iter_mut().for_each(|u| *u = true);
        } else {
            kept_triggers.push(m.clone());
        }
    }
    // "find the head chef", "go to the walk in fridge", "follow the waiter": another action's
    // word right after a determiner inside the first action's object is a noun of that object.
    // "take the lift", "get the grab bag": after a one-word idiom verb and an article, the same
    // action's word is the noun taken ("pick the pick up the bottle" says the phrase again).
    let light_then_noun = |m: &TriggerMatch| {
        let f = &kept_triggers[0];
        f.words == 1
            && m.words == 1
            && vocab.idiom_verbs.contains(&tokens[f.start])
            && m.start == f.end + 1
            && OBJECT_DETERMINERS.contains(&tokens[f.end].as_str())
    };
    let mut chosen: Vec<TriggerMatch> = kept_triggers
        .iter()
        .enumerate()
        .filter(|&(k, m)| {
            // "look at the stop watch": a word of a stop noun names the thing.
            let of_stop_noun = k > 0 && in_stop_noun(vocab, &tokens, m.start);
            !of_stop_noun
                && (k == 0
                    || (m.action == kept_triggers[0].action && !light_then_noun(m))
                    || !(m.start > kept_triggers[k - 1].end && tokens.get(m.start - 1).is_some_and(|w| OBJECT_DETERMINERS.contains(&w.as_str()))))
        })
        .map(|(_, m)| m.clone())
        .collect();
    if chosen.is_empty() {
        chosen.extend(verbless(vocab, &tokens, &used, &quantities));
    }
    let Some(first) = chosen.first() else {
        return needs("no action recognised".into());
    };
    for w in chosen.windows(2) {
        if w[0].action != w[1].action {
            let between = &tokens[w[0].end..w[1].start];
            if between.iter().any(|t| vocab.connectives.contains(t)) {
                return FastPathOutcome::Unknown(Command::unknown(
                    "compound command: please give one command at a time",
                    Source::FastPath,
                    text,
                ));
            }
            return needs("several actions mentioned".into());
        }
    }
    // "the robot follows me everywhere": the action's word in another form tells what it does.
    if described_doing(vocab, raw, first) {
        return FastPathOutcome::Unknown(Command::unknown(
            format!("a description, not a request: {:?}", raw[first.start]),
            Source::FastPath,
            text,
        ));
    }
    if let Some(why) = not_a_request(vocab, &tokens, &used, first) {
        return FastPathOutcome::Unknown(Command::unknown(why, Source::FastPath, text));
    }
    let action = &vocab.actions[first.action];
    for m in &chosen {
        used[m.start..m.end].iter_mut().for_each(|u| *u = true);
    }
    // Once the action is known, skipped articles inside its phrase are used too.
    let mut slots: BTreeMap<String, SlotValue> = action.synonyms[first.synonym].implied.clone();
    // "swing round left a wee bit", "turn yourself round to the right a tiny bit": round a little
    // way, no half turn (which way must then be said).
    if a_little_way(&tokens) && slots.contains_key("angle_deg") && action.slot("angle_deg").is_some() {
        if !tokens.iter().any(|w| matches!(w.as_str(), "left" | "right" | "clockwise" | "anticlockwise" | "counterclockwise")) {
            return needs("round a little way, and which way not said".into());
        }
        slots.remove("angle_deg");
        slots.remove(DIRECTION_SLOT);
    }
    // "set the speed back to normal": every phrase of the action said adds what it implies.
    for m in chosen.iter().skip(1) {
        for (k, v) in &action.synonyms[m.synonym].implied {
            match slots.get(k) {
                Some(existing) if existing != v => return needs(format!("conflicting values for {k}")),
                _ => {
                    slots.insert(k.clone(), v.clone());
                }
            }
        }
    }

    let quantity_starts: Vec<usize> = quantities.iter().map(|q| q.span.0).collect();
    let quantities_at = |i: usize| quantity_starts.contains(&i);
    for q in quantities {
        let Some(slot) = action.slots.iter().find(
            |s| matches!(&s.kind, SlotKind::Number { dimension, .. } if *dimension == q.dimension),
        ) else {
            if q.softening {
                continue;
            }
            if action.slot(TARGET_SLOT).is_some() && amount_in_a_name(vocab, &tokens, q.span, quantities_at) {
                used[q.span.0..q.span.1].iter_mut().for_each(|u| *u = false);
                continue;
            }
            return needs(format!(
                "a {} does not fit action {}",
                q.dimension, action.name
            ));
        };
        if slots.contains_key(&slot.name) {
            return needs(format!("{} given twice", slot.name));
        }
        slots.insert(
            slot.name.clone(),
            SlotValue::Number {
                value: q.value,
                unit: canonical_unit(&q.dimension).into(),
            },
        );
    }

    // A direction said overrides the one a half-turn phrase implies by convention ("turn around
    // to the right"): either way ends at the same heading.
    let mut said_enums: Vec<String> = Vec::new();
    let half_turn = |slots: &BTreeMap<String, SlotValue>| {
        action.slots.iter().any(|s| {
            matches!(&s.kind, SlotKind::Number { dimension, .. } if dimension == dim::ANGLE)
                && slots.get(&s.name).and_then(SlotValue::as_f64) == Some(HALF_TURN_DEG)
        })
    };
    for (idx, tok) in tokens.iter().enumerate() {
        if used[idx] {
            continue;
        }
        for slot in &action.slots {
            let SlotKind::Enum { values } = &slot.kind else {
                continue;
            };
            let Some((canon, _)) = values.iter().find(|(_, syns)| syns.contains(tok)) else {
                continue;
            };
            let conventional = !said_enums.contains(&slot.name) && half_turn(&slots);
            said_enums.push(slot.name.clone());
            match slots.get(&slot.name) {
                Some(SlotValue::Enum(existing)) if existing != canon && !conventional => {
                    return needs(format!("conflicting values for {}", slot.name));
                }
                _ => {
                    slots.insert(slot.name.clone(), SlotValue::Enum(canon.clone()));
                }
            }
            used[idx] = true;
            break;
        }
    }

    let bare_slot = action.slots.iter().find(|s| {
        matches!(
            s.kind,
            SlotKind::Number {
                bare_number: true,
                ..
            }
        ) && !slots.contains_key(&s.name)
    });
    if let Some(slot) = bare_slot {
        if bare.len() > 1 {
            return needs("several numbers without units".into());
        }
        if let Some(&(value, s, e)) = bare.first() {
            // "set speed to five": with no unit, a number past the range is not one that is clamped
            // (a level on some scale, another unit) but one not understood.
            if let SlotKind::Number { max, out_of_range: OutOfRange::Clamp, dimension, .. } = &slot.kind {
                if value > *max && dimension == dim::SPEED && slots.is_empty() {
                    return FastPathOutcome::Unknown(Command::unknown(
                        format!("{value} without a unit is past the {} range (at most {max})", slot.name),
                        Source::FastPath,
                        text,
                    ));
                }
            }
            if let SlotKind::Number { dimension, .. } = &slot.kind {
                slots.insert(
                    slot.name.clone(),
                    SlotValue::Number {
                        value: bare_value(&tokens[s..e], value, dimension),
                        unit: canonical_unit(dimension).into(),
                    },
                );
                used[s..e].iter_mut().for_each(|u| *u = true);
            }
        }
    }

    let has_target = action.slot(TARGET_SLOT).is_some();
    let content = |i: usize| {
        !used[i] && !vocab.filler_words.contains(&tokens[i]) && !vocab.strip_words.contains(&tokens[i])
    };
    if has_target && !slots.contains_key(TARGET_SLOT) {
        let at: Vec<usize> = (0..n).filter(|&i| !used[i]).collect();
        // "follow me the meeting rooms round the corner": the speaker, right after the phrase, is
        // who is followed; a place named after says where, which the LLM and its check settle.
        let speaker_first = at.iter().copied().find(|&i| i >= first.end && (!vocab.filler_words.contains(&tokens[i]) || matches!(tokens[i].as_str(), "me" | "us")));
        if matches!(action.name.as_str(), "follow" | "look_at")
            && speaker_first.is_some_and(|i| {
                matches!(tokens[i].as_str(), "me" | "us") && tokens.get(i + 1).is_some_and(|w| matches!(w.as_str(), "the" | "my" | "your"))
            })
        {
            return needs("a thing named after the speaker".into());
        }
        // As said, except a homophone of a function word ("pleas go to kitchen"); a typo's
        // correction is only a guess, and the target keeps the word.
        let heard_as_function_word =
            |i: usize| vocab.homophones.contains_key(&raw[i]) && (vocab.filler_words.contains(&tokens[i]) || vocab.strip_words.contains(&tokens[i]));
        let mut leftovers: Vec<&String> = at.iter().map(|&i| if heard_as_function_word(i) { &tokens[i] } else { &raw[i] }).collect();
        if action.name == "pick_up" {
            if let Some(p) = particle_closes(vocab, &tokens, first.start, first.end) {
                return needs(format!("a particle after the thing: {p}"));
            }
        }
        let names = |w: &String| !vocab.filler_words.contains(w) && !vocab.strip_words.contains(w);
        // "the kitchen not the bathroom": the thing named first is meant; "the toy car from the
        // floor": the thing, not where it is taken from.
        // Anything but filler before it: "her wherever she goes" is her ("please go to ..." cuts nothing).
        // "the third desk from the end", "the second shelf from the top": after a count of places,
        // where it is counted from says which.
        let counted_from = |k: usize| {
            leftovers[k] == "from"
                && leftovers[..k].iter().any(|w| matches!(w.as_str(), "first" | "second" | "third" | "fourth" | "fifth" | "sixth" | "last" | "1st" | "2nd" | "3rd" | "4th" | "5th"))
                && leftovers.get(k + 1).is_some_and(|w| w.as_str() == "the")
                && leftovers.get(k + 2).is_some_and(|w| matches!(w.as_str(), "end" | "left" | "right" | "top" | "bottom" | "front" | "back" | "door" | "window" | "wall" | "entrance"))
                && k + 3 == leftovers.len()
        };
        let cut = (0..leftovers.len()).find(|&k| {
            let w = leftovers[k];
            (vocab.exclusion_words.contains(w) || vocab.cut_words.contains(w))
                && leftovers[..k].iter().any(|w| !vocab.filler_words.contains(*w))
                && !counted_from(k)
        });
        if let Some(k) = cut {
            leftovers.truncate(k);
        }
        if let Some(k) = remark_after_target(vocab, &leftovers) {
            leftovers.truncate(k);
        }
        // "go back to the front desk someone is waiting": someone new, doing something, starts a
        // remark ("the crisp packet someone left" says which packet).
        if let Some(k) = (1..leftovers.len()).find(|&k| {
            matches!(leftovers[k].as_str(), "someone" | "somebody" | "everyone" | "everybody")
                && leftovers.get(k + 1).is_some_and(|n| !n.ends_with("ed") && !CLAUSE_PASTS.contains(&n.as_str()))
        }) {
            leftovers.truncate(k);
        }
        // "go to the kitchen daddy is there", "find my cup mum is waiting": someone called, then
        // what they are, after the thing; "watch the baby for me i am cooking": for whom, then
        // what the speaker does.
        if let Some(k) = (1..leftovers.len()).find(|&k| {
            let someone = (vocab.kin_words.contains(leftovers[k]) || vocab.person_names.contains(leftovers[k]))
                && !matches!(leftovers[k - 1].as_str(), "my" | "your" | "his" | "her" | "our" | "their" | "the" | "a" | "of" | "for" | "to" | "and" | "with" | "s")
                && tokens.get(at[k] + 1).is_some_and(|w| COPULAS.contains(&w.as_str()) && w.as_str() != "im");
            let for_me = leftovers[k] == "for"
                && leftovers.get(k + 1).is_some_and(|w| w.as_str() == "me")
                && leftovers.get(k + 2).is_some_and(|w| matches!(w.as_str(), "i" | "im" | "we" | "were" | "ill" | "ive" | "id"));
            (someone || for_me) && leftovers[..k].iter().any(|w| names(w))
        }) {
            leftovers.truncate(k);
        }
        // "go to the study tom will meet you there", "fetch the ball rex wont give it back", "go to
        // the kitchen your dad wants you": someone else and what they will or want start a remark
        // ("the ball will you" asks; "the stuff i dont need" says which stuff).
        if let Some(k) = (1..leftovers.len()).find(|&k| {
            let kin = matches!(leftovers[k].as_str(), "my" | "your" | "his" | "her" | "our" | "their")
                && leftovers.get(k + 1).is_some_and(|w| vocab.kin_words.contains(*w));
            let v = if kin { k + 2 } else { k + 1 };
            let modal = leftovers.get(v).is_some_and(|w| {
                matches!(w.as_str(), "will" | "wont" | "cant" | "shall" | "should" | "must" | "might" | "wouldnt" | "couldnt" | "shouldnt" | "doesnt" | "didnt")
            });
            // "your dad wants you": what they want, of whoever is spoken to, is still a remark.
            let wants = kin && leftovers.get(v).is_some_and(|w| matches!(w.as_str(), "wants" | "needs"));
            (modal || wants)
                && !matches!(leftovers[k].as_str(), "i" | "we" | "you" | "it" | "that" | "this" | "which" | "who")
                && !(modal && leftovers.get(v + 1).is_some_and(|w| matches!(w.as_str(), "you" | "ya" | "ye" | "u")))
                && leftovers[..k].iter().any(|w| names(w))
        }) {
            leftovers.truncate(k);
        }
        // "go to table sixteen the family are waiting": after a label noun and its number the
        // thing is named whole; an article starts what the speaker says next.
        if let Some(k) = (2..leftovers.len()).find(|&k| {
            matches!(leftovers[k].as_str(), "the" | "a" | "an")
                && is_number_word(leftovers[k - 1])
                && (k.saturating_sub(4)..k - 1).any(|j| vocab.label_nouns.contains(leftovers[j]))
        }) {
            leftovers.truncate(k);
        }
        // "look at me good boy", "get my slippers po": who is spoken to, after a thing named.
        let named_or_person = |w: &String| names(w) || matches!(w.as_str(), "me" | "us" | "him" | "her");
        while let Some(t) = vocab.addressees.iter().find(|t| {
            leftovers.len() > t.len()
                && leftovers[leftovers.len() - t.len()..].iter().zip(t.iter()).all(|(w, t)| *w == t)
                // "the knife to my son": a relation's object, not who is spoken to.
                && !matches!(leftovers[leftovers.len() - t.len() - 1].as_str(), "my" | "your" | "his" | "her" | "our" | "their" | "the" | "to")
                // "fetch the rubber duck", "the speckled hen": a fond name that is a creature too,
                // described, is the thing ("the clipboard duck" is said to the robot).
                && !(t.len() == 1 && described_creature(&leftovers[leftovers.len() - 2], &t[0]))
                && leftovers[..leftovers.len() - t.len()].iter().any(|w| named_or_person(w))
        }) {
            leftovers.truncate(leftovers.len() - t.len());
        }
        // "fetch the ball for the dog", "the honey for this lady": "for" and someone living, last
        // after a thing named, says who it is for, no part of its name ("the remote for the telly",
        // "the key card for room 108" keep theirs).
        let living = |w: &str| {
            let one = w.strip_suffix('s').filter(|_| w.len() > 3).unwrap_or(w);
            vocab.person_names.contains(w)
                || vocab.kin_words.contains(w)
                || vocab.actions.iter().any(|a| a.refused_targets.contains(w) || a.refused_targets.contains(one))
        };
        if let Some(k) = (1..leftovers.len()).find(|&k| {
            let mut j = k + 1;
            while leftovers.get(j).is_some_and(|w| {
                OBJECT_DETERMINERS.contains(&w.as_str()) || matches!(w.as_str(), "a" | "an" | "her" | "our" | "this" | "that" | "these" | "those")
            }) {
                j += 1;
            }
            leftovers[k] == "for" && j + 1 == leftovers.len() && living(leftovers[j]) && leftovers[..k].iter().any(|w| names(w))
        }) {
            leftovers.truncate(k);
        }
        // "follow me duck": said with "me" alone ("the rubber duck" is a thing), "me" is still
        // the one named.
        if let [me, said] = leftovers[..] {
            if me == "me" && vocab.addressees.iter().any(|t| matches!(&t[..], [m, w] if m == "me" && w == said)) {
                leftovers.truncate(1);
            }
        }
        // "fetch the cup sir its on the table", "take a seat sir someone will be with you": a word
        // only ever said to someone, after a thing named, ends the target; what follows is a remark.
        let vocative = |w: &str| {
            // ("pick up the remote la": Scouse, said to someone, after a thing named.)
            matches!(w, "sir" | "maam" | "madam" | "darling" | "sweetheart" | "sweetie" | "honey" | "dude" | "bro" | "buddy" | "pal" | "yaar" | "bhai" | "bhaiya" | "habibi" | "dear" | "la")
        };
        if let Some(k) = (1..leftovers.len()).find(|&k| {
            vocative(leftovers[k])
                && !matches!(leftovers[k - 1].as_str(), "my" | "your" | "his" | "her" | "our" | "their" | "the" | "to" | "a")
                && leftovers[..k].iter().any(|w| named_or_person(w))
        }) {
            leftovers.truncate(k);
        }
        // "bring me the colander ella get off the counter": someone named, then a request of their
        // own, after the thing.
        if let Some(k) = (1..leftovers.len()).find(|&k| {
            vocab.person_names.contains(leftovers[k])
                && tokens.get(at[k] + 1).is_some_and(|w| vocab.opens_an_action_phrase(w))
                && leftovers[..k].iter().any(|w| names(w))
        }) {
            leftovers.truncate(k);
        }
        // "go to the front door yes mum", "the blue one okay dad": an answer to someone else,
        // after the thing named.
        if let Some(k) = (1..leftovers.len()).find(|&k| {
            matches!(leftovers[k].as_str(), "yes" | "yeah" | "yep" | "ok" | "okay" | "coming")
                && k + 1 < leftovers.len()
                && leftovers[k + 1..].iter().all(|w| vocab.kin_words.contains(*w) || vocab.person_names.contains(*w))
                && leftovers[..k].iter().any(|w| names(w))
        }) {
            leftovers.truncate(k);
        }
        // "run to my room run run run": the phrase's own verb said again after the thing named
        // urges, as a child does; it names nothing.
        let verb = &tokens[first.start];
        if let Some(k) = (1..leftovers.len())
            .find(|&k| leftovers[k..].iter().all(|w| *w == verb) && leftovers[..k].iter().any(|w| names(w)))
        {
            leftovers.truncate(k);
        }
        // "find the the keys my car keys", "the box the small box": the thing said again more
        // exactly, on the same noun, after a determiner: the second saying is meant.
        let mut at = at;
        if let Some(k) = (1..leftovers.len()).find(|&k| {
            matches!(leftovers[k].as_str(), "the" | "a" | "an" | "my" | "your" | "our" | "his" | "her" | "their")
                && leftovers.last() == Some(&leftovers[k - 1])
                && leftovers.len() >= k + 3
                && !leftovers[..k - 1].contains(&leftovers[k - 1])
                && !vocab.relation_words.contains(leftovers[k + 1])
                && !vocab.deictic_words.contains(leftovers[k + 1])
        }) {
            leftovers.drain(..=k);
            at.drain(..=k);
        }
        // "go to the kitchen i think the toast is burning", "go to the hall you know the postman is
        // here": the speaker's "i think" between the thing and a clause of its own makes the clause a
        // remark; without it the clause may say which thing ("the toy the dog was chewing").
        let hedged = |k: usize| {
            at[k] >= 2
                && matches!(
                    (tokens[at[k] - 2].as_str(), tokens[at[k] - 1].as_str()),
                    ("i", "think" | "reckon" | "guess" | "believe" | "suppose" | "bet") | ("you", "know")
                )
        };
        // ("the front door i think thats the postman": the copula in the first word.)
        if let Some(k) = (1..leftovers.len()).find(|&k| {
            let clause = matches!(leftovers[k].as_str(), "the" | "a" | "an" | "my" | "your" | "his" | "her" | "our" | "their")
                && leftovers[k + 1..].iter().take(3).any(|w| matches!(w.as_str(), "is" | "are" | "was" | "were" | "s" | "isnt" | "arent" | "has" | "keeps"));
            let copula_said = matches!(leftovers[k].as_str(), "thats" | "its" | "theres" | "shes" | "hes" | "theyre") && k + 1 < leftovers.len();
            (clause || copula_said) && hedged(k) && leftovers[..k].iter().any(|w| names(w))
        }) {
            leftovers.truncate(k);
        }
        // "off you go to the dining room now dinners at twelve": "now" after the thing named ends
        // the request; what follows is the speaker's news.
        // ("pick up the book now the blue one" may say which book: left to the rules below.)
        let determiner = |w: &str| matches!(w, "the" | "a" | "an" | "my" | "your" | "that" | "this" | "those" | "these");
        if let Some(k) = (1..leftovers.len()).find(|&k| {
            leftovers[k] == "now" && leftovers.get(k + 1).is_some_and(|n| !determiner(n)) && leftovers[..k].iter().any(|w| names(w))
        }) {
            leftovers.truncate(k);
        }
        // "the kitchen the cat knocked something over", "the dummy the babys crying": a second noun
        // phrase joined by no preposition or relative word is another clause or a correction.
        // A clause that ends on its verb describes the thing ("the toy the dog was chewing", "the
        // book my mum gave"): the thing is that verb's object.
        // A place is not so described ("the kitchen the kettles boiled" is news of it): where it
        // is, its clause ends on a preposition ("the room the party is in").
        let describes = |k: usize| action.name != "go_to" && clause_ends_on_its_verb(&leftovers[k + 1..].iter().map(|w| w.as_str()).collect::<Vec<_>>());
        if let Some(k) = (1..leftovers.len()).find(|&k| {
            matches!(leftovers[k].as_str(), "the" | "a" | "an")
                && (0..k).any(|j| at[j] >= first.end && names(leftovers[j]) && !matches!(leftovers[j].as_str(), "the" | "a" | "an"))
                && !links_a_phrase(vocab, leftovers[k - 1])
                && !describes(k)
        }) {
            return needs(format!("target holds a second noun phrase: {} {}", leftovers[k - 1], leftovers[k]));
        }
        // "follow her down the corridor": a pronoun, then where the person goes, is the person.
        if leftovers.len() > 1
            && matches!(leftovers[0].as_str(), "him" | "her" | "them")
            && vocab.relation_words.contains(leftovers[1])
        {
            leftovers.truncate(1);
        }
        // "find the red crayon for jayden", "grab a towel for her", "bring the water bottle for my
        // mum": whom it is for, not which thing ("the skull for hamlet", "the keys for the shed"
        // say which).
        let beneficiary = |w: &str| vocab.calls_someone(w) || matches!(w, "him" | "her" | "them" | "us");
        let n = leftovers.len();
        if n > 2 && leftovers[n - 2].as_str() == "for" && beneficiary(leftovers[n - 1]) {
            leftovers.truncate(n - 2);
        } else if n > 3
            && leftovers[n - 3].as_str() == "for"
            && matches!(leftovers[n - 2].as_str(), "my" | "your" | "his" | "her" | "our")
            && vocab.kin_words.contains(leftovers[n - 1].as_str())
        {
            leftovers.truncate(n - 3);
        }
        // Checked before filler removal because "and" is also a filler word.
        if leftovers.iter().any(|w| vocab.connectives.contains(*w)) {
            return needs("target text joins several things".into());
        }
        // Words of the target: after the action phrase.
        // "the sink behind you", "the cup in front of me": the robot or the speaker as the object of
        // a place word inside the target names where the thing is ("bring the cup to me" says where
        // it goes: a bare "to" is no place word).
        let place_object = |k: usize| {
            matches!(leftovers[k].as_str(), "you" | "me" | "us")
                && k >= 2
                && names(leftovers[k - 2])
                && (matches!(leftovers[k - 1].as_str(), "behind" | "beside" | "near" | "by")
                    || (matches!(leftovers[k - 1].as_str(), "of" | "to") && matches!(leftovers[k - 2].as_str(), "front" | "next" | "close")))
        };
        let named_at: Vec<usize> =
            (0..leftovers.len()).filter(|&k| at[k] >= first.end && (names(leftovers[k]) || place_object(k))).collect();
        if let (Some(&first_named), Some(&last_named)) = (named_at.first(), named_at.last()) {
            if let Some(k) = (first_named..last_named).find(|&k| vocab.is_path_at(&leftovers, k)) {
                return needs(format!("target holds a path: {}", leftovers[k]));
            }
        }
        // A target is what follows the action phrase ("try to find the cat"
        // must not look for "try the cat"); words before it are not understood.
        let before: Vec<&str> = (0..first.start).filter(|&i| content(i)).map(|i| tokens[i].as_str()).collect();
        if let Some(w) = leftovers.iter().find(|w| vocab.choice_words.contains(**w)) {
            return needs(format!("target leaves a choice open: {w}"));
        }
        // "the cup no the other one": a correction the rules above could not settle.
        if let Some(w) = correction_in_target(&leftovers) {
            return needs(format!("target holds a correction: {w}"));
        }
        if let Some(w) = verb_in_target(&leftovers) {
            return needs(format!("target holds another request: {w}"));
        }
        if !before.is_empty() {
            return needs(format!("words before the action: {}", before.join(" ")));
        }
        if let Some(i) = relation_after(vocab, raw, &used, first.end) {
            return needs(format!("target starts with a relation word: {}", raw[i]));
        }
        // A filler inside a name stays: "a bottle of water".
        let inside = |k: usize| named_at.first().is_some_and(|&f| f < k) && named_at.last().is_some_and(|&l| k < l);
        let mut words: Vec<&String> = leftovers
            .iter()
            .enumerate()
            // Before the action phrase only words that say nothing stand ("you couldnt bring me
            // the parcel": a typo's guess, not part of the thing).
            .filter(|&(k, _)| at[k] >= first.end)
            .filter(|&(k, t)| {
                // "the oil can", "a soda can": after a thing named and not asking ("can you"), a can.
                let a_can = t.as_str() == "can"
                    && k > 0
                    && names(leftovers[k - 1])
                    && leftovers.get(k + 1).is_none_or(|n| !matches!(n.as_str(), "you" | "u" | "ya" | "i" | "we"));
                // "a can of pop", "the can of beans": after an article and before "of", a can too,
                // and its "of" stays.
                let can_of = |j: usize| {
                    leftovers[j].as_str() == "can"
                        && j > 0
                        && matches!(leftovers[j - 1].as_str(), "a" | "the" | "that" | "this" | "another" | "one" | "my")
                        && leftovers.get(j + 1).is_some_and(|n| n.as_str() == "of")
                };
                let a_can = a_can || can_of(k) || (t.as_str() == "of" && k > 0 && can_of(k - 1));
                // "the robot arm", "the small robot car": a robot named inside the target is a kind
                // of thing, not the one spoken to.
                let robot_kind = vocab.robot_names.contains(*t)
                    && k > 0
                    && (names(leftovers[k - 1]) || vocab.strip_words.contains(leftovers[k - 1]))
                    && leftovers.get(k + 1).is_some_and(|n| names(n));
                // "follow my mate": after a possessive, a word said to address someone names them.
                let addressed_as = k > 0
                    && matches!(leftovers[k - 1].as_str(), "my" | "your" | "his" | "our" | "their" | "the" | "that" | "this")
                    && vocab.is_addressee(t);
                // "the mug with the chip in it", "the bag with the shopping in": what a thing has in
                // or on it ends its description.
                let has_it = matches!(t.as_str(), "it" | "them")
                    && k + 1 == leftovers.len()
                    && k >= 2
                    && matches!(leftovers[k - 1].as_str(), "in" | "on")
                    && leftovers[..k - 1].iter().any(|w| w.as_str() == "with");
                !vocab.filler_words.contains(*t)
                    || addressed_as
                    || has_it
                    || a_can
                    || robot_kind
                    || place_object(k)
                    || ((vocab.inner_words.contains(*t) || vocab.is_relation_after_position(&leftovers, k)) && inside(k))
                    // "the bolt i just dropped": inside the clause that says which thing.
                    || (t.as_str() == "just"
                        && inside(k)
                        && leftovers.get(k + 1).is_some_and(|n| !vocab.deictic_words.contains(*n) && !vocab.filler_words.contains(*n)))
            })
            .map(|(_, t)| *t)
            .collect();
        let said = words
            .iter()
            .map(|w| w.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        // ("oi follow me yeah": a tail after the speaker names no one else.)
        let only_tail = vocab.target_tails.iter().any(|t| t.len() == words.len() && t.iter().zip(&words).all(|(a, b)| a == *b));
        let speaker = leftovers.iter().find(|t| matches!(t.as_str(), "me" | "us")).filter(|_| words.is_empty() || only_tail);
        // "follow me i suppose", "follow me somewhere safe": more words after the speaker followed
        // are no thing to follow instead (they read "suppose"); the LLM and its check settle them.
        if speaker.is_none()
            && matches!(action.name.as_str(), "follow" | "look_at")
            && leftovers.first().is_some_and(|t| matches!(t.as_str(), "me" | "us"))
        {
            return needs(format!("words after the speaker: {said}"));
        }
        let parent = parent_calling(vocab, &tokens, first.start, first.end);
        if let (true, Some(to)) = (speaker.is_some() || parent, &action.to_speaker) {
            // "head back over to me": going to the speaker is coming here.
            let confidence = (BASE_CONFIDENCE - TYPO_PENALTY * corrections as f32).max(0.5);
            return match vocab.validate(Command::new(to.clone(), Source::FastPath, text, confidence)) {
                Ok(c) => FastPathOutcome::Confident(c),
                Err(e) => needs(format!("incomplete: {e}")),
            };
        }
        if let Some(w) = speaker {
            // "follow me", "follow us": the speakers are the target ("me", "us" are filler words).
            slots.insert(TARGET_SLOT.into(), SlotValue::Text(w.to_string()));
        } else if let Some(c) = vocab.canonical_target(&said) {
            // Before stripping: "her" is also a possessive strip word.
            slots.insert(TARGET_SLOT.into(), SlotValue::Text(c.into()));
        } else {
            let mut article = false;
            while words
                .first()
                .is_some_and(|w| vocab.strip_words.contains(*w))
            {
                words.remove(0);
                article = true;
            }
            // "kindly bring one bottle of water": "one" before a thing named is its article.
            if words.len() > 1 && words[0] == "one" && names(words[1]) && !matches!(words[1].as_str(), "of" | "more") && !vocab.relation_words.contains(words[1]) && !is_number_word(words[1]) {
                words.remove(0);
                article = true;
            }
            // "the corner where the plant is": a relative clause's verb is the clause's, not a tail.
            let relative = words.iter().any(|w| matches!(w.as_str(), "where" | "that" | "which" | "who" | "whose"));
            while let Some(t) = target_tail(vocab, &words, relative) {
                words.truncate(words.len() - t);
                // "grab the stapler for me yeah": whom it is for, bared by the tail.
                if words.len() > 1 && words.last().is_some_and(|w| w.as_str() == "for") {
                    words.pop();
                }
            }
            // "bring me my phone my daughter might ring" read "phone my": a possessive closing the
            // target opens a clause of its own, which the LLM and its check settle.
            if words.len() > 1 && words.last().is_some_and(|w| matches!(w.as_str(), "my" | "your" | "his" | "her" | "our" | "their")) {
                return needs(format!("target ends on a possessive: {}", words.iter().map(|w| w.as_str()).collect::<Vec<_>>().join(" ")));
            }
            // "go to bay four say again bay four": a radio operator says the place twice.
            let half = words.len() / 2;
            if half > 0 && words.len().is_multiple_of(2) && words[..half] == words[half..] {
                words.truncate(half);
            }
            // "take the wheelchair to the lift" read as lifting "the wheelchair the": an article
            // last opens a noun the reading took for something else.
            if words.len() > 1 && words.last().is_some_and(|w| matches!(w.as_str(), "the" | "a" | "an")) {
                return needs(format!("target ends on an article: {}", words.last().map_or("", |w| w.as_str())));
            }
            // "bring the kids home", "take the shopping home": where it goes, no part of the thing
            // ("the care home" is one place).
            let n = words.len();
            if n > 1 && words[n - 1] == "home" && !names_a_home(words[n - 2]) {
                return needs(format!("target holds where it goes: {} home", words[n - 2]));
            }
            // "the same place as before" with its time word cut: a comparison with nothing.
            if words.len() > 1 && words.last().is_some_and(|w| matches!(w.as_str(), "as" | "than")) {
                return needs(format!("target ends on a comparison: {}", words.last().map_or("", |w| w.as_str())));
            }
            // "face left" names a direction, not an object: a different action
            // was probably meant.
            // "turn towards right side": a direction and words that point, no thing either.
            if words.iter().any(|w| is_enum_word(vocab, w))
                && words.iter().all(|w| is_enum_word(vocab, w) || vocab.deictic_words.contains(*w))
            {
                return needs("target is only a direction or setting word".into());
            }
            // "where are staying my glasses", "where is being my phone": a verb of where a thing is,
            // in English learnt late, before the thing.
            if words.len() > 2
                && WHERE_VERBS.contains(&words[0].as_str())
                && vocab.strip_words.contains(words[1])
            {
                words.remove(0);
                while words.len() > 1 && vocab.strip_words.contains(words[0]) {
                    words.remove(0);
                }
            }
            // "give me five", "bring me two": a number alone is no thing or place.
            if !words.is_empty() && words.iter().all(|w| is_number_word(w)) {
                return FastPathOutcome::Unknown(Command::unknown(
                    "target is only a number: please say what",
                    Source::FastPath,
                    text,
                ));
            }
            // "off to the kitchen with you": a preposition left dangling
            // once its object ("you") was a filler names nothing.
            // After an article it is a noun: "the box at the back".
            // "the bag with the shopping in" keeps what it has in it.
            let has_in = |words: &[&String]| words.last().is_some_and(|w| matches!(w.as_str(), "in" | "on")) && words.iter().any(|w| w.as_str() == "with");
            // "proceed to goods in over": a place named by a verb and its particle.
            let particle_noun = |words: &[&String]| {
                words.len() > 1 && PARTICLE_NOUNS.iter().any(|(v, p)| words[words.len() - 2] == v && words[words.len() - 1] == p)
            };
            while words.len() > 1
                && words.last().is_some_and(|w| vocab.relation_words.contains(*w))
                && !vocab.strip_words.contains(words[words.len() - 2])
                && !has_in(&words)
                && !particle_noun(&words)
            {
                words.pop();
            }
            // "get over to the table": a path or relation, so the action
            // phrase was probably part of a longer one. After an article it is a name's first
            // word: "the back door".
            if words.first().is_some_and(|w| vocab.relation_words.contains(*w)) && !(article && words.len() > 1) {
                return needs(format!("target starts with a relation word: {}", words[0]));
            }
            // "bring us the um the thingy": a word standing in for the name, which is never said.
            let placeholder = words.first().is_some_and(|w| PLACEHOLDERS.contains(&w.as_str())) && words.get(1).is_none_or(|w| *w == "for");
            if !words.is_empty() && (placeholder || words.iter().all(|w| vocab.is_deictic_target(w))) {
                return FastPathOutcome::Unknown(Command::unknown(
                    "target names no thing or place: please say what",
                    Source::FastPath,
                    text,
                ));
            }
            // The head noun makes the idiom: "take the patients temperature".
            let plain: Vec<&str> = words.iter().map(|w| w.as_str()).collect();
            if let Some(w) = vocab.idiom_word(&tokens[first.start..first.end], &plain) {
                return idiom(w);
            }
            // "go to the kitchen right": a tag asking agreement, or a turn after the place? ("the
            // door on the right", "stage right", "bottom left" name the side.)
            let n = words.len();
            if n > 1
                && matches!(words[n - 1].as_str(), "right" | "left")
                && !matches!(
                    words[n - 2].as_str(),
                    "the" | "your" | "my" | "his" | "her" | "their" | "our" | "on" | "to" | "at" | "far" | "hard" | "bottom" | "top" | "upper"
                        | "lower" | "front" | "back" | "rear" | "stage" | "camera" | "house" | "centre" | "center" | "middle" | "extreme"
                        // "the crisp packet someone left": the verb.
                        | "someone" | "somebody" | "i" | "you" | "he" | "she" | "we" | "they" | "who" | "that" | "which"
                )
            {
                return needs(format!("target ends on a direction: {} {}", words[n - 2], words[n - 1]));
            }
            if !words.is_empty() {
                let target = words
                    .iter()
                    .map(|w| w.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                // "follow the man over there": an alias once its tail is gone.
                let target = vocab.canonical_target(&target).map_or(target.clone(), str::to_string);
                // "go to the kitchin": read as the place misheard, with a typo's doubt.
                let target = match vocab.known_target_near(&target) {
                    Some(known) => {
                        corrections += 1;
                        known.to_string()
                    }
                    None => target,
                };
                slots.insert(TARGET_SLOT.into(), SlotValue::Text(target));
            }
        }
    } else {
        // "slow down its night time", "move back a bit youre too close": a clause of its own after
        // the whole command says why; it asks nothing more.
        let why_from = (first.end..n).find(|&i| remark_starts(&tokens, i, false) && (i..n).all(|k| !used[k])).unwrap_or(n);
        let rest: Vec<&String> = (0..why_from)
            .filter(|&i| !used[i])
            .map(|i| &tokens[i])
            .filter(|t| !vocab.filler_words.contains(*t) && !vocab.strip_words.contains(*t))
            .collect();
        // "release the ball": words after the phrase naming the object or
        // where it goes, when the action has no slot for them. Anything else
        // (a number, a direction, a word before the phrase) is still unparsed.
        if let Some(w) = rest.iter().find(|w| action.ignores_object && vocab.not_objects.contains(**w)) {
            return idiom(w);
        }
        let object_words = action.ignores_object
            && (0..first.start).all(|i| !content(i))
            && rest.iter().all(|w| {
                !is_enum_word(vocab, w)
                    && parse_number(std::slice::from_ref(*w), 0).is_none()
                    && !vocab.not_objects.contains(*w)
            });
        if !rest.is_empty() && !object_words {
            let words: Vec<&str> = rest.iter().map(|s| s.as_str()).collect();
            return needs(format!("unparsed words: {}", words.join(" ")));
        }
    }

    // "slow down to ten centimetres a second": a number said is more exact than the level the
    // phrase implies, which gives way to it (the LLM answer check allows either).
    let implied = &action.synonyms[first.synonym].implied;
    if action.require_any.iter().any(|k| matches!(slots.get(k), Some(SlotValue::Number { .. }))) {
        for k in &action.require_any {
            if matches!(slots.get(k), Some(SlotValue::Enum(_))) && slots.get(k) == implied.get(k) {
                slots.remove(k);
            }
        }
    }
    if let Some(w) = slots.get(TARGET_SLOT).and_then(SlotValue::as_str).and_then(|t| action.refused_target(vocab, t)) {
        return FastPathOutcome::Unknown(Command::unknown(format!("unsafe: {} {w}", action.name), Source::FastPath, text));
    }
    if let Some(w) = action.hazard_said_of_it(raw, first.end) {
        return FastPathOutcome::Unknown(Command::unknown(format!("unsafe: {} {w}", action.name), Source::FastPath, text));
    }
    if let Some(w) = action.refuses_unsafe_routes.then(|| vocab.stairs_said(&tokens).or_else(|| vocab.out_alone_said(&tokens))).flatten() {
        return FastPathOutcome::Unknown(Command::unknown(format!("unsafe: {} {w}", action.name), Source::FastPath, text));
    }
    fill_by_convention(action, &mut slots);
    let confidence = (BASE_CONFIDENCE - TYPO_PENALTY * corrections as f32).max(0.5);
    let mut cmd = Command::new(action.name.clone(), Source::FastPath, text, confidence);
    cmd.slots = slots;
    let said_amounts = cmd.clone();
    match vocab.validate(cmd) {
        Ok(c) => FastPathOutcome::Confident(c),
        // A said-out-loud value the vocabulary rejects is final: the LLM
        // would only be asked to reinterpret an explicit number.
        Err(e @ ValidationError::OutOfRange { .. }) => FastPathOutcome::Unknown(Command::unknown(
            format!("rejected: {e}"),
            Source::FastPath,
            text,
        )),
        // A direction or target that was not said: an LLM answer supplying
        // one would be refused by the support check anyway (wrong is worse
        // than unknown), so ask again now.
        Err(e @ ValidationError::MissingSlot { .. })
            if missing_word_slot(vocab, &e) =>
        {
            match amounts_alone(vocab, &said_amounts) {
                Some(c) => FastPathOutcome::Confident(c),
                None => FastPathOutcome::Unknown(Command::unknown(
                    format!("incomplete: {e}"),
                    Source::FastPath,
                    text,
                )),
            }
        }
        Err(e) => needs(format!("incomplete: {e}")),
    }
}

/// "drive at half a metre per second": the action said lacks a word slot (move, no direction), but
/// its slots, all numbers, are everything one other action needs, and that action needs no word
/// slot: the speaker meant that one (set_speed). The LLM answer check reads it alike
/// (`amounts_fit_only_this`).
fn amounts_alone(vocab: &Vocabulary, said: &Command) -> Option<Command> {
    if said.slots.is_empty() || !said.slots.values().all(|v| matches!(v, SlotValue::Number { .. })) {
        return None;
    }
    let mut fitting = vocab.actions.iter().filter(|a| {
        a.name != said.action
            && !needs_word_slot(a)
            && said.slots.keys().all(|k| a.slot(k).is_some())
    });
    let (action, None) = (fitting.next()?, fitting.next()) else { return None };
    let mut cmd = said.clone();
    cmd.action = action.name.clone();
    vocab.validate(cmd).ok()
}

/// The action has a required slot only words can fill (an enum or a target).
pub(crate) fn needs_word_slot(action: &crate::vocab::ActionSpec) -> bool {
    action.slots.iter().any(|s| s.required && !matches!(s.kind, SlotKind::Number { .. }))
}

/// The one-word phrase `m` is one of the vocabulary's `serial_verbs` ("go", "come"): right before
/// another action's phrase it only leads into it ("go get my teddy").
pub(crate) fn serial_verb(vocab: &Vocabulary, tokens: &[String], m: &TriggerMatch) -> bool {
    m.end == m.start + 1 && vocab.serial_verbs.contains(&tokens[m.start])
}

/// "fwd two m", "left ninety degrees" (an operator's shorthand): no action phrase, but a
/// direction word and amounts whose units only one action takes, as a phrase of it with no
/// words of its own, placed after everything (so a negation anywhere still counts). The
/// LLM answer check accepts such an action alike (`only_unit_of_it`).
fn verbless(vocab: &Vocabulary, tokens: &[String], used: &[bool], quantities: &[Quantity]) -> Option<TriggerMatch> {
    if quantities.is_empty() {
        return None;
    }
    let mut fitting = (0..vocab.actions.len()).filter(|&ai| takes_every_quantity(vocab, ai, quantities));
    let (ai, None) = (fitting.next()?, fitting.next()) else { return None };
    let action = &vocab.actions[ai];
    let direction_said = action.slot("direction").is_some_and(|s| match &s.kind {
        SlotKind::Enum { values } => (0..tokens.len()).any(|i| !used[i] && values.values().any(|w| w.contains(&tokens[i]))),
        _ => false,
    });
    let synonym = action.synonyms.iter().position(|s| s.implied.is_empty())?;
    let n = tokens.len();
    direction_said.then_some(TriggerMatch { action: ai, synonym, start: n, end: n, words: 0 })
}

/// The one-word phrase `m` is followed by a connective: "go and", "come and" start one command.
pub(crate) fn idiom_connective(vocab: &Vocabulary, tokens: &[String], m: &TriggerMatch) -> bool {
    // "go on and fetch me that bucket": a verb of going with "on" is as bare.
    let bare = m.end == m.start + 1
        || (m.end == m.start + 2 && tokens[m.start + 1] == "on" && vocab.serial_verbs.contains(&tokens[m.start]));
    bare && tokens.get(m.end).is_some_and(|w| vocab.connectives.contains(w))
}

/// A relation word that opens what follows an action phrase ending at `end`, once words
/// such as "yourself" or "me" are passed over: "get yourself to the hallway", "get me to the
/// station" name a path, not a thing to fetch ("to" is also a filler word, so the target's own
/// check never sees it). Only with an object after it: "follow me around" is an adverb.
/// Shared with the LLM answer check.
/// Returns the relation word's position.
pub(crate) fn relation_after(vocab: &Vocabulary, tokens: &[String], used: &[bool], end: usize) -> Option<usize> {
    let free: Vec<usize> = (end..tokens.len()).filter(|&i| !used[i]).collect();
    let word = |k: usize| tokens[free[k]].as_str();
    let mut at = (0..free.len()).find(|&k| !vocab.filler_words.contains(word(k)) || vocab.relation_words.contains(word(k)))?;
    // "take this to the kitchen", "bring those over to the table": a pointed-at thing, then where
    // it goes; the place is no thing fetched.
    if matches!(word(at), "this" | "that" | "these" | "those") && at + 1 < free.len() && vocab.relation_words.contains(word(at + 1)) {
        at += 1;
    }
    let has_object = (at + 1..free.len()).any(|k| !vocab.filler_words.contains(word(k)));
    (vocab.relation_words.contains(word(at)) && has_object).then_some(free[at])
}

/// "simon says turn left", "robot says look at the ceiling": the children's game, whose calls are
/// requests (the game is lost by obeying the others, which a robot need not know).
fn game_call(tokens: &[String], k: usize) -> bool {
    tokens[k] == "says" && k.checked_sub(1).is_some_and(|j| matches!(tokens[j].as_str(), "simon" | "robot"))
}

/// The last of the vocabulary's `remark_closers` lying wholly within `tokens[from..to]`: where it
/// starts and where it ends.
fn last_closer(vocab: &Vocabulary, tokens: &[String], from: usize, to: usize) -> Option<(usize, usize)> {
    (from..to).rev().find_map(|end| {
        vocab
            .remark_closers
            .iter()
            .find(|p| end + 1 >= from + p.len() && tokens[end + 1 - p.len()..=end] == p[..])
            .map(|p| (end + 1 - p.len(), end))
    })
}

/// "yesterday robot go to the laundry alone", "yesterday robot stop in middle of corridor": what
/// happened, told in English learnt late: a day gone by opens the utterance before `at`.
fn past_day_opens(vocab: &Vocabulary, tokens: &[String], at: usize) -> bool {
    let first = tokens.iter().position(|w| !vocab.filler_words.contains(w));
    first.is_some_and(|f| {
        f < at
            && (tokens[f] == "yesterday"
                || (tokens[f] == "last" && tokens.get(f + 1).is_some_and(|w| matches!(w.as_str(), "night" | "week" | "month" | "year" | "weekend"))))
    })
}

/// "go to the kitchen would you jack", "bring me the cup please tom": a name after the request's
/// polite close (past `from`, where the request's own words end) is no part of what it takes, even
/// one an action refuses or one that is a word too: the request was for the one named. Shared with
/// the LLM answer check.
pub(crate) fn named_after_polite_close(vocab: &Vocabulary, tokens: &[String], from: usize) -> Option<String> {
    let last = tokens.len().checked_sub(1).filter(|&l| l > from + 1)?;
    let w = &tokens[last];
    let polite_close = tokens[last - 1] == "please"
        || (last >= 2 && matches!(tokens[last - 2].as_str(), "would" | "will" | "could" | "can") && matches!(tokens[last - 1].as_str(), "you" | "ya" | "ye" | "u"));
    let named = (vocab.person_names.contains(w) || vocab.word_names.contains(w)) && !vocab.filler_words.contains(w) && !vocab.robot_names.contains(w);
    (polite_close && named && !robot_named_in(vocab, tokens)).then(|| format!("said to someone else: {w:?} closes it"))
}

/// "could you", "would you", "can you", "will you" at `k`: a request put to the robot starts here.
fn request_frame_at(tokens: &[String], k: usize) -> bool {
    matches!(tokens[k].as_str(), "could" | "would" | "can" | "will")
        && tokens.get(k + 1).is_some_and(|w| matches!(w.as_str(), "you" | "u" | "ya" | "ye"))
}

/// "come to me love he used to shout every teatime", "stop right there shouted the detective",
/// "and i said to him ooh stop there": words quoted from a story or a broadcast, asked of no one
/// here. The place of the words after which the quote is attributed or reported, if any.
pub(crate) fn quoted_speech(vocab: &Vocabulary, tokens: &[String]) -> Option<usize> {
    const SAYING: [&str; 10] = ["say", "said", "says", "shout", "shouted", "yelled", "cried", "screamed", "whispered", "sing"];
    let someone = |w: &str| {
        matches!(w, "the" | "a" | "he" | "she" | "they" | "his" | "her" | "my" | "our" | "their" | "him" | "them")
            || vocab.person_names.contains(w)
            || vocab.kin_words.contains(w)
    };
    (1..tokens.len()).find(|&k| {
        let w = tokens[k].as_str();
        // "he used to shout", "my mum used to say".
        let habit = k >= 2 && tokens[k - 2] == "used" && tokens[k - 1] == "to" && (SAYING.contains(&w) || matches!(w, "tell" | "call" | "yell"));
        // "... shouted the detective", "... said my dad": attributed after the quote.
        let attributed = matches!(w, "said" | "says" | "shouted" | "yelled" | "cried" | "screamed" | "whispered")
            && !matches!(tokens[k - 1].as_str(), "i" | "you" | "u" | "just" | "already" | "ive" | "youve")
            && tokens.get(k + 1).is_some_and(|n| someone(n))
            && k + 4 >= tokens.len();
        // "i said to him ...": told to another, then quoted.
        let told = w == "said" && tokens.get(k + 1).is_some_and(|n| n == "to") && tokens.get(k + 2).is_some_and(|n| matches!(n.as_str(), "him" | "her" | "them") || vocab.calls_someone(n));
        habit || attributed || told
    })
}

/// "move forward to", "go left for", "wait for for", "go right i mean": the utterance cut off
/// before what the last word leads to (an amount, a place, the value meant instead). Shared with
/// the LLM answer check.
pub(crate) fn cut_off_last(vocab: &Vocabulary, tokens: &[String]) -> Option<String> {
    let n = tokens.len();
    if n < 2 {
        return None;
    }
    let last = tokens[n - 1].as_str();
    let before = tokens[n - 2].as_str();
    let leads_on = matches!(last, "to" | "for") && (is_enum_word(vocab, before) || (last == "for" && matches!(before, "for" | "wait")));
    let correction_left_open = before == "i" && last == "mean" && n > 2;
    // "go to ward uh": a label's number never said.
    let label_left_open = HESITATIONS.contains(&last) && vocab.label_nouns.contains(before);
    (leads_on || correction_left_open || label_left_open).then(|| format!("cut off after {:?}", tokens[n - 2..].join(" ")))
}

/// "a bit", "a wee bit", "a touch", "slightly": a little way, which a half turn the phrase
/// implies ("swing round left a wee bit") is not. Shared with the LLM answer check.
pub(crate) fn a_little_way<S: AsRef<str>>(tokens: &[S]) -> bool {
    let t: Vec<&str> = tokens.iter().map(|w| w.as_ref()).collect();
    t.windows(2).any(|w| w[0] == "a" && matches!(w[1], "bit" | "touch" | "tad"))
        || t.windows(3).any(|w| w[0] == "a" && matches!(w[1], "wee" | "tiny" | "little" | "small") && w[2] == "bit")
        || t.contains(&"slightly")
}

/// "where are staying my glasses", "where is being my phone": verbs of where a thing is, said
/// before it in English learnt late; the fast path and the answer check pass over them alike.
pub(crate) const WHERE_VERBS: [&str; 7] = ["being", "staying", "lying", "sitting", "standing", "hiding", "keeping"];

/// "pick up sticks is my favourite game", "halt and catch fire is a great show": the words are a
/// game's, a show's or a song's name, told of.
pub(crate) fn names_a_title(tokens: &[String]) -> bool {
    let kind = |w: &str| matches!(w, "game" | "show" | "film" | "movie" | "song" | "series" | "programme" | "program" | "book" | "tune" | "band");
    (1..tokens.len()).any(|k| {
        matches!(tokens[k].as_str(), "is" | "was" | "s")
            && tokens.get(k + 1).is_some_and(|w| matches!(w.as_str(), "a" | "my" | "the" | "our" | "me"))
            && (tokens.get(k + 2).is_some_and(|w| kind(w)) || tokens.get(k + 3).is_some_and(|w| kind(w)))
    })
}

/// Why the action phrase `m` is no request, if it is not: a negation or a
/// question opener before it ("don't go to the kitchen", "did you find my
/// keys"; an action asked as a question takes question openers), or a
/// subject right before it ("i went to the kitchen"). Shared with the LLM
/// answer check.
pub(crate) fn not_a_request(vocab: &Vocabulary, tokens: &[String], used: &[bool], m: &TriggerMatch) -> Option<String> {
    let start = m.start;
    if names_a_title(tokens) {
        return Some("a title named, no request (\"... is my favourite game\")".into());
    }
    // "pick up the phone its grandma": the caller named, the phone to be answered, not fetched.
    let caller_named = tokens[m.end..].windows(3).any(|w| {
        matches!(w[0].as_str(), "phone" | "telephone")
            && matches!(w[1].as_str(), "its" | "it's")
            && (vocab.kin_words.contains(&w[2]) || vocab.person_names.contains(&w[2]))
    });
    // ("bring me the phone its grandma" fetches it, to be answered.)
    if tokens[m.start..m.end] == ["pick", "up"] && caller_named {
        return Some("a call to answer, not a thing to fetch: \"the phone its ...\"".into());
    }
    // "dont stop me now im having such a good time": the speaker not to be stopped, no going on.
    if vocab.actions[m.action].name == "resume"
        && tokens.get(m.end.wrapping_sub(1)).is_some_and(|w| w == "stop")
        && tokens.get(m.end).is_some_and(|w| matches!(w.as_str(), "me" | "us" | "him" | "her" | "them"))
    {
        return Some(format!("someone not to be stopped, no going on: \"stop {}\"", tokens[m.end]));
    }
    // "that clutch is proper knackered", "the lift is broken": after a determiner, the action's
    // one word is a noun, a thing told of.
    if m.end == m.start + 1 && start > 0 && matches!(tokens[start - 1].as_str(), "the" | "that" | "this" | "a" | "an" | "those" | "these") && tokens.get(m.end).is_some_and(|w| COPULAS.contains(&w.as_str())) {
        return Some(format!("a thing told of, not a request: {:?}", tokens[start - 1..=m.end].join(" ")));
    }
    // "hold this for me", "hold these a second": a thing held out to be held, no wait ("hold it"
    // and "hold that" stay what they were).
    if vocab.actions[m.action].name == "wait"
        && tokens[m.start..m.end] == ["hold"]
        && tokens.get(m.end).is_some_and(|w| matches!(w.as_str(), "this" | "these" | "the" | "a" | "an" | "my" | "his" | "her" | "our"))
    {
        return Some(format!("a thing to hold, no wait: \"hold {}\"", tokens[m.end]));
    }
    if vocab.actions[m.action].name == "wait" {
        let phrase = &tokens[m.start..m.end];
        let next = |k: usize| tokens.get(m.end + k).map_or("", String::as_str);
        let det = |w: &str| matches!(w, "the" | "a" | "an" | "this" | "that" | "my" | "your" | "his" | "her" | "our" | "it");
        // "hold up the cable love", "hold on to the rail mam": a thing held up or held on to.
        let held = (phrase == ["hold"] && next(0) == "up" && det(next(1)))
            || (matches!(phrase.first().map(String::as_str), Some("hold" | "hang")) && (next(0) == "onto" || (next(0) == "on" && next(1) == "to") || (phrase.last().is_some_and(|w| w == "on") && next(0) == "to")));
        // "i cant wait for my shift to end": longing; "wait on table nine": serving.
        let longing = start > 0 && matches!(tokens[start - 1].as_str(), "cant" | "can't" | "couldnt" | "couldn't");
        let serving = phrase == ["wait"] && next(0) == "on" && matches!(next(1), "table" | "tables" | "customers" | "guests");
        // "biscuit stay stay good boy", "sit stay": said to a dog.
        let to_a_dog = phrase == ["stay"]
            && (tokens.windows(2).any(|w| w[0] == "good" && matches!(w[1].as_str(), "boy" | "girl" | "dog")) || tokens.windows(2).any(|w| w[0] == "sit" && w[1] == "stay"));
        if held || longing || serving || to_a_dog {
            return Some(format!("no wait asked of the robot: {:?}", tokens[m.start..(m.end + 2).min(tokens.len())].join(" ")));
        }
    }
    // "the treadmill is too fast", "ugh this robot is so slow": how a thing is, said of it, asks
    // nothing ("youre too slow" says it to the robot, and asks).
    let said_of_a_thing = start > 0
        && tokens.get(start).is_some_and(|w| matches!(w.as_str(), "too" | "so"))
        && matches!(tokens[start - 1].as_str(), "is" | "was");
    if said_of_a_thing {
        return Some(format!("a statement of how something is: {:?}", tokens[start - 1..m.end.min(tokens.len())].join(" ")));
    }
    if let Some(k) = quoted_speech(vocab, tokens) {
        return Some(format!("words quoted from a story, not a request: {:?}", tokens[k]));
    }
    if past_day_opens(vocab, tokens, start) {
        return Some("a report of the past: a day gone by opens it".into());
    }
    // "unit two come in over", "come in its open": a radio call answered or a door answered.
    if vocab.actions[m.action].name == "come_here"
        && tokens[m.start..m.end] == ["come"]
        && tokens.get(m.end).is_some_and(|w| w == "in")
        && tokens.get(m.end + 1).is_none_or(|w| matches!(w.as_str(), "over" | "its" | "it's" | "please" | "the" | "then"))
    {
        return Some("\"come in\": a call answered or a door, not to the speaker".into());
    }
    // "gata now we can go home", "i can go to the shop": what the speaker (and others) can do.
    if start >= 2 && matches!(tokens[start - 2].as_str(), "we" | "i") && matches!(tokens[start - 1].as_str(), "can" | "could" | "will" | "should" | "must" | "might") {
        return Some(format!("the speaker's own doing: {:?} before the action", tokens[start - 2..start].join(" ")));
    }
    // "id quite like to go home", "id give anything to go to the seaside": the speaker's own wish
    // ("id like you to go" asks it of the robot; "i would like to go to the gate" is how a
    // second-language speaker asks).
    let wish_at = |k: usize| matches!(tokens[k].as_str(), "like" | "love" | "prefer" | "hate" | "anything") && tokens.get(k + 1).is_some_and(|w| w == "to");
    if start >= 3 && wish_at(start - 2) && (start.saturating_sub(6)..start - 2).any(|k| matches!(tokens[k].as_str(), "id" | "i'd" | "wed" | "we'd")) {
        return Some(format!("the speaker's own wish: {:?} before the action", tokens[start - 2..start].join(" ")));
    }
    // "come 2 me at four", "go to the canteen at twelve thirty": a time of day to do it, later.
    let clock = |w: &str| matches!(w, "one" | "two" | "three" | "four" | "five" | "six" | "seven" | "eight" | "nine" | "ten" | "eleven" | "twelve" | "noon" | "midnight" | "midday")
        || w.parse::<u32>().is_ok_and(|n| (1..=24).contains(&n));
    let at_a_time = (m.end..tokens.len()).any(|k| {
        tokens[k] == "at"
            && tokens.get(k + 1).is_some_and(|w| clock(w))
            && tokens.get(k + 2).is_none_or(|w| matches!(w.as_str(), "oclock" | "pm" | "am" | "thirty" | "fifteen" | "sharp" | "today" | "tonight" | "tomorrow" | "please"))
            && !(k > 0 && vocab.label_nouns.contains(&tokens[k - 1]))
            // ("go to the dining room now dinners at twelve": now, and a remark of when.)
            && !(m.end..k).any(|j| tokens[j] == "now")
    });
    if at_a_time {
        return Some("a request for later: a time of day said".into());
    }
    let question = !vocab.actions[m.action].asked_as_question;
    // "do you follow football", "do you go to school": what the robot does at all, asked; a
    // request keeps a verb of its own between ("do you think you could", "do you mind going").
    if question && start >= 2 && tokens[start - 2] == "do" && matches!(tokens[start - 1].as_str(), "you" | "u" | "ya") {
        return Some("a question, not a request: \"do you\" right before the action".into());
    }
    // "slow down the video", "speed up the download": the speed of a thing that plays or runs,
    // not the robot's (as "stop the music" stops no robot).
    if vocab.actions[m.action].name == "set_speed" && runs_a_thing_after(vocab, tokens, m.end) {
        return Some("the speed of another thing, not the robot's".into());
    }
    // A copula after a subject states, and a request can follow: "my hands are full can you grab
    // the keys". It asks where it opens the utterance or a subject follows it ("are you going to
    // the kitchen"), and a statement with no request after it is a report ("the robot was turning
    // left").
    let asks = |i: usize| {
        let copula = matches!(tokens[i].as_str(), "are" | "were" | "was" | "is" | "am");
        let opens = (0..i).all(|k| used[k] || vocab.filler_words.contains(&tokens[k]));
        let subject_after = tokens.get(i + 1).is_some_and(|w| {
            matches!(w.as_str(), "you" | "i" | "we" | "it" | "he" | "she" | "they" | "ya" | "u" | "there")
        });
        let request_after = (i + 1..start).any(|k| {
            matches!(tokens[k].as_str(), "can" | "could" | "would" | "will" | "please")
                && (tokens[k] == "please" || tokens.get(k + 1).is_some_and(|w| w == "you"))
        });
        // "the kids are screaming turn right", "the bottles are behind you back up": the copula's
        // own predicate stands between it and the action phrase, which starts a clause of its own
        // ("the robot was going to turn left" is still a report).
        let predicate_between = (i + 1..start).any(|k| {
            let w = tokens[k].as_str();
            !used[k]
                && ((w.len() > 4 && w.ends_with("ing") && tokens.get(k + 1).is_none_or(|n| n != "to"))
                    || (w != "to" && vocab.relation_words.contains(w) && k + 1 < start))
        });
        if copula && !opens && !subject_after && predicate_between {
            return false;
        }
        !copula || opens || subject_after || !request_after
    };
    // "have you put it down yet", "have you found my keys": opening the utterance, a question about
    // what is done ("have you seen my keys" asks to find them, "have a look" asks).
    let asks_done = |i: usize| {
        matches!(tokens[i].as_str(), "have" | "has")
            && (0..i).all(|k| used[k] || vocab.filler_words.contains(&tokens[k]))
            && tokens.get(i + 1).is_some_and(|w| matches!(w.as_str(), "you" | "it" | "we" | "they" | "ya" | "u"))
            && tokens.get(i + 2).is_some_and(|w| !matches!(w.as_str(), "seen" | "scene" | "by" | "got" | "any" | "to"))
    };
    let blocks = |i: usize| {
        let w = &tokens[i];
        vocab.not_request_words.contains(w) || (question && vocab.question_openers.contains(w) && asks(i)) || asks_done(i)
    };
    // A negation reaches up to the next action phrase: in "dont go anywhere wait here" it
    // negates the going, not the waiting ("dont go left go right": the second going). A question
    // ends on its action phrase when the request follows it at once ("why did you stop carry on",
    // not "how long does it take you to get there"). A condition reaches over the whole utterance.
    let scoped_out = |i: usize| {
        let ends_before = |t: &TriggerMatch| {
            (t.end - 1..start).all(|k| tokens[k] != "to") && (t.end..start).all(|k| vocab.filler_words.contains(&tokens[k]))
        };
        let negation = vocab.negation_words.contains(&tokens[i]);
        let all = triggers(vocab, tokens, used);
        // "dad its not listening robot come here": a verb of its own after the negation is what
        // it negates.
        let negates_a_verb = negation
            && tokens.get(i + 1).is_some_and(|w| w.len() > 4 && w.ends_with("ing"))
            && i + 1 < start
            && !all.iter().any(|t| (t.start..t.end).contains(&(i + 1)));
        // "not you harold the robot go to the kitchen": who is not meant, not what.
        let not_you = tokens[i] == "not" && tokens.get(i + 1).is_some_and(|w| w == "you") && i + 2 < start;
        negates_a_verb
            || not_you
            || ((negation || vocab.question_openers.contains(&tokens[i]))
                && all.iter().any(|t| t.start > i && t.end <= start && (negation || ends_before(t))))
    };
    // "i said turn left" repeats the speaker's own command; "my wife said to go" reports another's.
    let own_repeat = |i: usize| matches!(tokens[i].as_str(), "said" | "saying" | "say") && i > 0 && tokens[i - 1] == "i";
    // "if it wouldnt be too much bother could you ...": an "if" with only politeness up to the
    // request is no condition, where it asks leave: a request follows it, or it names the bother
    // ("if you wouldnt mind moving"); "what happens if you go to the kitchen" asks neither.
    // "it would be nice if you came over here", "id love it if you moved back a bit": a wish put
    // to the robot, which asks as "could you" does ("it would be nice if it stopped raining" is
    // still a condition).
    let wished = |i: usize| {
        let nice = |w: &str| {
            matches!(w, "nice" | "best" | "great" | "good" | "lovely" | "helpful" | "ideal" | "wonderful" | "brilliant" | "grand" | "perfect" | "better" | "super" | "handy"
                | "grateful" | "thankful" | "obliged" | "happy" | "glad" | "pleased")
        };
        tokens[i] == "if"
            && tokens.get(i + 1).is_some_and(|w| matches!(w.as_str(), "you" | "u" | "ya"))
            && i >= 2
            && ((nice(&tokens[i - 1]) && matches!(tokens[i - 2].as_str(), "be" | "its" | "it's" | "so" | "really" | "very"))
                // "it would help if you moved forward a metre".
                || (tokens[i - 1] == "help" && matches!(tokens[i - 2].as_str(), "would" | "might" | "itd" | "it'd" | "really"))
                || (tokens[i - 1] == "it" && matches!(tokens[i - 2].as_str(), "like" | "love" | "appreciate" | "prefer")))
    };
    let polite_if = |i: usize| {
        wished(i) || tokens[i] == "if" && {
            let frame = (i + 1..start).find(|&k| request_frame_at(tokens, k));
            let end = frame.unwrap_or(start);
            let leave = |w: &str| matches!(w, "mind" | "bother" | "trouble" | "problem" | "okay" | "ok" | "alright" | "possible" | "convenient");
            // "if youd just pick up the glove", "if you would follow me": a wish put as a condition.
            let would = |k: usize| matches!(tokens[k].as_str(), "youd" | "you'd") || (tokens[k] == "would" && tokens[k - 1] == "you");
            (i + 1..end).all(|k| used[k] || vocab.polite_condition_words.contains(&tokens[k]))
                && (frame.is_some() || (i + 1..end).any(|k| leave(&tokens[k]) || would(k)))
        }
    };
    // "im not as young as i used to be um could you pick up the ball": a request put to the robot
    // starts a clause of its own; a negation, report or question before it is in another. A
    // condition still reaches over it ("if the door is open could you go in").
    // "did you see that okay robot come here": the robot called right before the action phrase
    // opens the request too ("did the robot go to the kitchen" names it in the question).
    let robot_called = |k: usize| {
        k + 1 == start
            && vocab.robot_names.contains(&tokens[k])
            && k.checked_sub(1).is_none_or(|j| !vocab.strip_words.contains(&tokens[j]))
    };
    let frame = (0..start).rev().find(|&k| request_frame_at(tokens, k) || robot_called(k));
    let before_frame = |i: usize| {
        frame.is_some_and(|k| i < k)
            && !matches!(tokens[i].as_str(), "if" | "when" | "whenever" | "unless" | "once" | "until" | "after" | "before" | "soon")
    };
    // "say me what you see": a second language's "tell me".
    let tell_me = |i: usize| tokens[i] == "say" && tokens.get(i + 1).is_some_and(|w| w == "me");
    // "im so sorry to shout but stop at once", "i hate to ask but could you find my glasses": "but"
    // opens a clause of its own; what comes before it does not reach the request, except a
    // condition.
    let before_but = |i: usize| {
        (i + 1..start).any(|k| tokens[k] == "but")
            && !matches!(tokens[i].as_str(), "if" | "when" | "whenever" | "unless" | "once" | "until" | "after" | "before" | "soon")
    };
    // Filler phrases ("when you are ready") are no condition.
    if let Some(i) = (0..start)
        .filter(|&i| !used[i])
        .find(|&i| blocks(i) && !scoped_out(i) && !own_repeat(i) && !polite_if(i) && !before_frame(i) && !tell_me(i) && !before_but(i) && !game_call(tokens, i))
    {
        return Some(format!("not a request: {:?} before the action", tokens[i]));
    }
    // "i saw it go to the shed earlier", "we watched the cat turn left": what was seen done.
    let seen = (start.saturating_sub(4)..start).find(|&i| {
        !used[i]
            && matches!(tokens[i].as_str(), "saw" | "seen" | "watched" | "heard" | "noticed" | "spotted")
            && !before_frame(i)
            && !(i + 1..start).any(|k| request_frame_at(tokens, k))
    });
    if let Some(i) = seen {
        return Some(format!("a report of what was seen: {:?} before the action", tokens[i]));
    }
    // "that tractor needs to go to the shed", "we need to move forward with the new menu": what
    // another must do. "you have to find my sister" asks it of the robot.
    let others_need = start >= 3
        && tokens[start - 1] == "to"
        && matches!(tokens[start - 2].as_str(), "needs" | "need" | "has" | "have" | "wants" | "want" | "ought" | "got")
        && !used[start - 2]
        && !matches!(tokens[start - 3].as_str(), "you" | "u" | "ya" | "ye" | "robot" | "bot" | "dont" | "don't" | "no");
    // "she likes to follow me everywhere": another's habit ("i would like to go" still asks).
    let habit = start >= 3
        && tokens[start - 1] == "to"
        && matches!(tokens[start - 2].as_str(), "like" | "likes" | "love" | "loves" | "tends")
        && matches!(tokens[start - 3].as_str(), "she" | "he" | "they" | "it");
    // "i wanna go to the park", "we gotta find the cat": said as one word.
    let fused_need = start >= 2
            && matches!(tokens[start - 1].as_str(), "wanna" | "gotta" | "hafta" | "needa" | "wants")
            && !used[start - 1]
            && matches!(tokens[start - 2].as_str(), "i" | "we" | "he" | "she" | "they" | "it" | "im" | "dad" | "mum" | "mom");
    if others_need || habit || fused_need {
        let what = if habit { "habit" } else { "need" };
        let said = if fused_need { &tokens[start - 1] } else { &tokens[start - 2] };
        return Some(format!("another's {what}, not a request: {said:?} before the action"));
    }
    // "madam went to the hospital this morning": someone's going, told ("you went to kitchen" is
    // a second language's request).
    // ("madam went ...": a filler word that names a person is the one who went.)
    let a_person = |w: &str| matches!(w, "madam" | "sir" | "maam" | "mate" | "lad" | "lass" | "pal" | "dear" | "love" | "darling");
    if tokens.get(start).is_some_and(|w| w == "went")
        && start > 0
        && !(0..start).all(|i| (vocab.filler_words.contains(&tokens[i]) && !a_person(&tokens[i])) || vocab.robot_names.contains(&tokens[i]))
    {
        return Some(format!("a report of what {:?} did: \"went\"", tokens[start - 1]));
    }
    // "can it go to the kitchen", "will he follow me": asked of someone or something else.
    let said_before: Vec<&str> = (0..start).map(|i| tokens[i].as_str()).filter(|w| !HESITATIONS.contains(w) && !matches!(*w, "so" | "but" | "and")).collect();
    if let [aux, who] = said_before.as_slice() {
        if matches!(*aux, "can" | "could" | "will" | "would" | "should" | "might" | "does" | "did" | "is") && matches!(*who, "it" | "he" | "she" | "they") {
            return Some(format!("a question about another: \"{aux} {who}\" before the action"));
        }
    }
    // "hang on mark let me find the email": the speaker will do it. "tell the driver to go round
    // to terminal 2", "ask your brother to fetch it": asked of another. "in the test it should
    // turn left here", "the robot will go to the dock": what the robot is to do, told to others.
    let lets_me = start >= 2 && tokens[start - 2] == "let" && matches!(tokens[start - 1].as_str(), "me" | "us");
    let lemme = start >= 1 && tokens[start - 1] == "lemme";
    if lets_me || lemme {
        return Some("the speaker's own doing: \"let me\" before the action".into());
    }
    let told_to = start >= 3 && tokens[start - 1] == "to" && (start.saturating_sub(5)..start - 2).any(|k| {
        matches!(tokens[k].as_str(), "tell" | "ask" | "told" | "asked" | "get")
            && tokens[k + 1..start - 1].iter().any(|w| !vocab.strip_words.contains(w) && !matches!(w.as_str(), "you" | "yourself" | "it" | "robot" | "bot" | "them" | "him" | "her"))
            && !tokens[k + 1..start - 1].iter().any(|w| matches!(w.as_str(), "you" | "yourself" | "robot" | "bot"))
    });
    if told_to {
        return Some("asked of another: \"tell ... to\" before the action".into());
    }
    let spoken_of = start >= 2
        && matches!(tokens[start - 1].as_str(), "should" | "will" | "would" | "must" | "might" | "shall")
        && (tokens[start - 2] == "it" || (vocab.robot_names.contains(&tokens[start - 2]) && start >= 3 && tokens[start - 3] == "the"));
    if spoken_of {
        return Some(format!("said of the robot, not to it: {:?} before the action", tokens[start - 2]));
    }
    // "the kitten went to the x ray room": a phrase said in the past ("went to", kept for "you
    // went to kitchen" in English learnt late) after someone else named tells what they did.
    // (A command read from its amounts alone has no phrase: `start` is then past the words.)
    // "the robot drove forward two metres last run": the past verb right before a phrase too.
    let past = |w: &String| matches!(w.as_str(), "went" | "came" | "drove" | "ran" | "walked" | "moved" | "turned" | "rolled");
    let past_at = if tokens.get(start).is_some_and(past) {
        Some(start)
    } else {
        start.checked_sub(1).filter(|&k| past(&tokens[k]))
    };
    // "it would be nice if you came over here": the past of a wish asks.
    let wished_past = |p: usize| p >= 2 && matches!(tokens[p - 1].as_str(), "you" | "u" | "ya") && wished(p - 2);
    if let Some(p) = past_at.filter(|&p| !wished_past(p)) {
        // "the robot went to bay four earlier": the robot after a determiner is told of, not called.
        let told_of = |k: usize| k.checked_sub(1).is_some_and(|d| matches!(tokens[d].as_str(), "the" | "this" | "that" | "our" | "my"));
        let other = (0..p).find(|&k| {
            !used[k]
                && (told_of(k)
                    || (!vocab.filler_words.contains(&tokens[k])
                        && !vocab.strip_words.contains(&tokens[k])
                        && !matches!(tokens[k].as_str(), "you" | "u" | "ya" | "ye")
                        && !vocab.robot_names.contains(&tokens[k])))
        });
        if let Some(k) = other {
            return Some(format!("a report of what {:?} did, not a request", tokens[k]));
        }
    }
    // "the man in bed nine kept trying to pick up his drip", "she tried to turn left": an attempt
    // told of ("keep trying to find it" still asks).
    let attempt = start >= 3
        && tokens[start - 1] == "to"
        && (tokens[start - 2] == "tried"
            || (tokens[start - 2] == "trying"
                && matches!(tokens[start - 3].as_str(), "kept" | "keeps" | "was" | "were" | "is" | "are" | "been" | "am" | "im" | "hes" | "shes" | "theyre")));
    if attempt {
        return Some(format!("a report of an attempt: {:?} before the action", tokens[start - 2]));
    }
    // "ill ask you to fetch the washing just now": a request to come, not made yet.
    let asks_later = start >= 4
        && tokens[start - 3..start] == ["ask", "you", "to"]
        && matches!(tokens[start - 4].as_str(), "ill" | "i'll" | "will" | "shall" | "gonna" | "might" | "may");
    if asks_later {
        return Some("a request to come: \"ask you to\" before the action".into());
    }
    // "someone pick up the phone", "can somebody get the door": asked of whoever is in the room.
    let anyone = (start.saturating_sub(3)..start).find(|&i| {
        matches!(tokens[i].as_str(), "someone" | "somebody" | "anyone" | "anybody" | "everyone" | "everybody")
            && (i + 1..start).all(|k| matches!(tokens[k].as_str(), "can" | "could" | "will" | "would" | "please" | "just" | "go"))
            && (i == 0 || !matches!(tokens[i - 1].as_str(), "if" | "when" | "before" | "until" | "theres" | "there's" | "let" | "help" | "tell" | "ask" | "to" | "for" | "like"))
    });
    if let Some(i) = anyone {
        return Some(format!("said to the people around: {:?} before the action", tokens[i]));
    }
    // "can you go to the kitchen or not": "or not" closing the utterance presses for an answer
    // and leaves nothing to choose. A word before the request's own frame belongs to a remark
    // ("ugh its so busy tonight ok robot go to the bar").
    let tag_or_not = |i: usize| tokens[i] == "or" && i + 2 == tokens.len() && tokens[i + 1] == "not";
    // "find the sunday paper", "go to the saturday market": a day after an article names a thing.
    // "this sunday" is a time.
    let in_a_name = |i: usize| DAYS.contains(&tokens[i].as_str()) && i > 0 && OBJECT_DETERMINERS.contains(&tokens[i - 1].as_str());
    // "later on can you find my glasses", "tomorrow could you go to the shop": a time opening the
    // utterance times the request its frame opens, not a remark before it ("its so busy tonight
    // ok robot go to the bar").
    let times_the_frame = |i: usize| {
        frame.is_some_and(|k| {
            let timing = |j: usize| {
                matches!(tokens[j].as_str(), "on" | "then" | "today" | "morning" | "afternoon" | "evening" | "night" | "lunchtime" | "first" | "thing")
                    || vocab.filler_words.contains(&tokens[j])
            };
            // ("first thing monday could you ...", "later on love could you ...")
            (0..i).all(timing) && (i + 1..k).all(timing)
        })
    };
    if let Some(w) = (0..tokens.len())
        .filter(|&i| !used[i] && !tag_or_not(i) && (!before_frame(i) || times_the_frame(i)) && !in_a_name(i))
        .map(|i| &tokens[i])
        .find(|w| vocab.undecided_words.contains(*w))
    {
        return Some(format!("left undecided: {w:?}"));
    }
    if let Some(p) = vocab.idiom_phrases.iter().find(|p| contains_phrase(tokens, p)) {
        return Some(format!("an idiom, no command: {:?}", p.join(" ")));
    }
    // "in a bit of paper" says what a thing is in; "go to the kitchen ill be there in a tick", the
    // speaker's own while.
    let speakers_own = |i: usize| (start..i).any(|k| matches!(tokens[k].as_str(), "i" | "ill" | "i'll" | "im" | "i'm" | "we" | "well" | "we'll" | "be"));
    let delay = vocab.delay_phrases.iter().find(|p| {
        (0..tokens.len()).any(|i| tokens[i..].starts_with(p) && tokens.get(i + p.len()).is_none_or(|w| w != "of") && !speakers_own(i))
    });
    if let Some(p) = delay {
        return Some(format!("for later, at no time said: {:?}", p.join(" ")));
    }
    // "can you follow people", "can you find things in the dark": what the robot can do, asked
    // of things in general (no article, possessive or number before them).
    let generic = |w: &String| matches!(w.as_str(), "people" | "things" | "objects" | "stuff" | "anything" | "faces" | "animals" | "colours" | "colors" | "obstacles");
    let ability = start >= 2
        && matches!(tokens[start - 2].as_str(), "can" | "could" | "do")
        && matches!(tokens[start - 1].as_str(), "you" | "u")
        && (0..start - 2).all(|i| vocab.filler_words.contains(&tokens[i]))
        && tokens[m.start..(m.end + 1).min(tokens.len())].iter().any(generic);
    // "do you know how to turn around", "are you able to follow people": asked, not requested.
    let know_how = tokens[..start].ends_with(&["know".to_string(), "how".to_string(), "to".to_string()])
        || tokens[..start].ends_with(&["able".to_string(), "to".to_string()]);
    // ("you know how to pick up eggs": asked without "do".)
    let asked = (0..start).find(|&i| !vocab.filler_words.contains(&tokens[i]) || matches!(tokens[i].as_str(), "do" | "are" | "can" | "could"))
        .is_some_and(|i| matches!(tokens[i].as_str(), "do" | "are" | "can" | "could"))
        || (start >= 4 && tokens[start - 4] == "you" && (0..start - 4).all(|i| vocab.filler_words.contains(&tokens[i])));
    if know_how && asked {
        return Some("a question of what the robot can do: \"how to\" before the action".into());
    }
    if ability {
        return Some(format!("a question of what the robot can do: {:?}", tokens[m.end]));
    }
    if let Some(p) = group_spoken_to(vocab, tokens, m) {
        return Some(format!("said to several people: {:?}", p.join(" ")));
    }
    // "harness on bella good girl now find the door", "come here rex good boy": praised by name,
    // a dog or a child is told, not the robot (named nowhere).
    // ("good boy now follow jayden": the name after the phrase is whom to follow.)
    // ("biscuit come here boy come here": called as a dog is, "here boy", by a name first.)
    let praised_at = tokens.windows(2).position(|w| matches!(w[0].as_str(), "good" | "here") && matches!(w[1].as_str(), "boy" | "girl"));
    if let Some(good) = praised_at.filter(|_| !robot_named_in(vocab, tokens)) {
        if let Some(name) = tokens[..start].iter().find(|w| vocab.person_names.contains(*w)) {
            return Some(format!("said to someone else: {name:?}, praised or called like a pet"));
        }
        // "biscuit come here good boy", "come by here now taffy good boy": a pet's name no list
        // knows, opening the request or right before the praise of one that takes no target
        // ("fetch the ball good boy": the ball is the target).
        let a_name = |w: &String| !vocab.filler_words.contains(w) && !vocab.robot_names.contains(w) && w.chars().all(|c| c.is_ascii_lowercase()) && w.len() > 2;
        let opener = start == 1 && a_name(&tokens[0]) && !GREETINGS.contains(&tokens[0].as_str());
        let untargeted = vocab.actions[m.action].slot("target").is_none();
        let before_praise = untargeted
            && good > m.end
            && tokens.get(good - 1).is_some_and(|w| a_name(w) && ((!vocab.english_words.contains(w) && !crate::english::is_word(w)) || vocab.word_names.contains(w)));
        if opener || before_praise {
            return Some(format!("said to a pet: {:?}, praised or called like one", if opener { &tokens[0] } else { &tokens[good - 1] }));
        }
    }
    // "maria go to room five", "jack pick up your lego", "mum follow me": a person's name or a
    // family word opening the request, right before its words, calls that one; a robot is called
    // by its own name. Not a stop ("jack stop" still stops: stopping is never wrong to do); a
    // name that is a word too only said alone first ("hey buddy swing by the mailroom" is friendly).
    // ("max speed": a word of the request's own slots is no name.)
    let own_word = |w: &str| {
        vocab.actions[m.action].slots.iter().any(|s| matches!(&s.kind, SlotKind::Enum { values } if values.values().any(|syns| syns.iter().any(|x| x == w))))
    };
    let called_first = start >= 1
        && !own_word(&tokens[start - 1])
        && (0..start - 1).all(|i| vocab.filler_words.contains(&tokens[i]))
        && tokens.get(start - 1).is_some_and(|w| {
            vocab.calls_someone(w) || (start == 1 && vocab.word_names.contains(w))
        });
    if called_first && vocab.actions[m.action].name != "stop" && !robot_named_in(vocab, tokens) {
        return Some(format!("said to someone else: {:?} opens it", tokens[start - 1]));
    }
    // "pick up your toys please", "find your shoes were late", "go and find your other shoe": what a
    // child has, not the robot.
    if let Some(k) = (m.end..tokens.len()).find(|&k| !vocab.filler_words.contains(&tokens[k])) {
        let described = |j: usize| (k + 1..j).all(|i| matches!(tokens[i].as_str(), "other" | "new" | "old" | "school" | "best" | "clean" | "dirty" | "wet" | "muddy" | "left" | "right"));
        if let Some(j) = (k + 1..tokens.len().min(k + 4)).find(|&j| vocab.others_belongings.contains(&tokens[j]) && described(j)).filter(|_| tokens[k] == "your") {
            return Some(format!("said to someone else: \"your {}\"", tokens[k + 1..=j].join(" ")));
        }
    }
    // "turn around love let me do your zip", "come here till i fix your hair": the speaker tending
    // to what a person has, after the request.
    let tended = (m.end + 1..tokens.len()).find(|&k| {
        tokens[k] == "your"
            && tokens.get(k + 1).is_some_and(|w| vocab.others_belongings.contains(w))
            && tokens[k.saturating_sub(3)..k].iter().any(|w| matches!(w.as_str(), "me" | "i" | "ill"))
    });
    if let Some(k) = tended {
        return Some(format!("said to someone else: the speaker tends to \"your {}\"", tokens[k + 1]));
    }
    // "drop it rex", "leave it bella leave", "drop it max thats not yours": a name right after a
    // phrase that holds its own object calls a dog or a child; a robot is called by its own
    // ("drop it robot"), and ordinary words after it say how or where ("drop it gently").
    let action = &vocab.actions[m.action];
    // "go on over yonder", "go on out": a way to go, not going on with the task; with somewhere
    // named it is a going ("go on over yonder to the window": go_to's phrases read it).
    if action.name == "resume"
        && tokens[m.start..m.end] == ["go", "on"]
        && tokens.get(m.end).is_some_and(|w| matches!(w.as_str(), "over" | "out" | "up" | "down" | "in" | "round" | "across" | "through"))
    {
        return Some(format!("a way to go, no going on: \"go on {}\"", tokens[m.end]));
    }
    // "hold on im just getting the door": a wait asked of whoever hears while the speaker does
    // something, not a wait of the robot's (nor a stop: `speakers_own_wait`).
    if m.end > m.start && speakers_own_wait(vocab, tokens, &tokens[m.start..m.end], m.end) {
        return Some(format!("the speaker's own doing after {:?}", tokens[m.start..m.end].join(" ")));
    }
    // ("put it down murphy thats my slipper": the object inside the phrase.)
    let object_in = |ws: &[String]| {
        ws.iter().any(|w| matches!(w.as_str(), "it" | "that" | "this")) && ws.last().is_some_and(|w| matches!(w.as_str(), "down" | "up" | "away" | "back" | "out" | "off"))
    };
    if action.ignores_object && m.end > m.start && (matches!(tokens[m.end - 1].as_str(), "it" | "that" | "this") || object_in(&tokens[m.start..m.end])) {
        if let Some(w) = tokens.get(m.end) {
            let next = tokens.get(m.end + 1).map(String::as_str);
            // "drop it boy", "leave it kitty": what a dog or a cat is called.
            let pet = matches!(w.as_str(), "boy" | "girl" | "doggy" | "doggie" | "pup" | "puppy" | "kitty" | "puss" | "pussycat");
            let named = vocab.person_names.contains(w)
                || vocab.word_names.contains(w)
                || pet
                || (!vocab.english_words.contains(w)
                    && !vocab.robot_names.contains(w)
                    && !is_numeric(w)
                    && (next.is_none() || next == Some(tokens[m.start].as_str())));
            if named && !vocab.filler_words.contains(w) {
                return Some(format!("said to someone else: {w:?} after the action"));
            }
        }
        // "drop it drop it good boy", "leave it good girl": a dog's drill (a thing let go of, said
        // the way a dog is told), then praise as a dog is praised.
        let praised = tokens.len() >= 2
            && tokens[tokens.len() - 2] == "good"
            && matches!(tokens[tokens.len() - 1].as_str(), "boy" | "girl" | "dog" | "doggy" | "pup");
        if praised {
            return Some(format!("said to a dog: {:?}, then praise", tokens[m.start..m.end].join(" ")));
        }
    }
    // "slow down youll give yourself a heart attack george", "go to the kitchen george": a person's
    // name closing the utterance, past the action's words and with the robot named nowhere, says
    // whom it was all for. Not a name the request takes ("follow kayla", "take it to george",
    // "find the keys for maria"), nor one an action refuses as its object ("pick up wee jamie" is
    // unsafe, and says so).
    // "fetch the stick milo fetch": a name, then the request said again to the one named (a dog's game).
    let phrase = &tokens[m.start..m.end];
    if m.end > m.start && tokens.len() > phrase.len() + 1 {
        let k = tokens.len() - phrase.len() - 1;
        let named = vocab.person_names.contains(&tokens[k]) || vocab.word_names.contains(&tokens[k]);
        if k > m.end && named && tokens[k + 1..] == *phrase && !robot_named_in(vocab, tokens) {
            return Some(format!("said to someone else: {:?}, then the request again", tokens[k]));
        }
    }
    if let Some(reason) = named_after_polite_close(vocab, tokens, m.end) {
        return Some(reason);
    }
    let carries = action.refused_targets.contains("person");
    // A name the word before it takes ("take it to george", "find the keys for maria").
    let name_taken = |k: usize| {
        let before = tokens[k - 1].as_str();
        vocab.strip_words.contains(before)
            || vocab.relation_words.contains(before)
            || matches!(before, "and" | "or" | "of" | "for" | "with" | "to" | "at" | "by" | "from" | "tell" | "ask" | "call" | "called" | "named")
    };
    if let Some(last) = tokens.len().checked_sub(1).filter(|&l| l > m.end && !carries) {
        // "where is zara find zara": the same request said again takes the name.
        let taken_again = || triggers(vocab, tokens, &vec![false; tokens.len()]).iter().any(|t| t.action == m.action && t.end == last);
        // ("... mrs patel": a surname after a title.)
        let titled = TITLES.contains(&tokens[last - 1].as_str()) && last - 1 > m.end && !name_taken(last - 1);
        if (titled || (vocab.person_names.contains(&tokens[last]) && !name_taken(last))) && !robot_named_in(vocab, tokens) && !taken_again() {
            return Some(format!("said to someone else: {:?} closes it", tokens[last]));
        }
    }
    // "what can you see out there sandra me eyes arent what they were": a person's name closing the
    // request, then a remark of the speaker's own.
    if !carries && !robot_named_in(vocab, tokens) {
        let remark_after = |k: usize| {
            tokens.get(k + 1).is_some_and(|n| {
                matches!(n.as_str(), "i" | "im" | "ive" | "id" | "me" | "my" | "we" | "were" | "thats" | "its" | "theres" | "youre" | "hes" | "shes" | "theyre")
            })
        };
        let closing = (m.end + 1..tokens.len().saturating_sub(1)).find(|&k| vocab.person_names.contains(&tokens[k]) && !name_taken(k) && remark_after(k));
        if let Some(k) = closing {
            return Some(format!("said to someone else: {:?} closes it", tokens[k]));
        }
    }
    // "go to the kitchen not you", "... not you robot", "... not the robot": after the request, the
    // robot left out of it; it was for someone else ("the kitchen not the bathroom" still goes).
    if let Some(k) = (m.end..tokens.len()).find(|&k| tokens[k] == "not") {
        let rest: Vec<&str> = tokens[k + 1..].iter().map(String::as_str).filter(|w| *w != "the").collect();
        let robot = |w: &str| vocab.robot_names.contains(w) || vocab.filler_words.contains(w);
        let you = matches!(rest.first(), Some(&("you" | "u"))) && rest[1..].iter().all(|w| robot(w));
        if you || (!rest.is_empty() && rest.iter().all(|w| vocab.robot_names.contains(*w))) {
            return Some("said to someone else: not the robot".into());
        }
    }
    // "go forward until you hit the wall": an end the robot cannot check leaves the amount open
    // (an action that takes a duration waits "till i say go"; "go till the front door" names a
    // place).
    let clause_after = |i: usize| matches!(tokens[i].as_str(), "until" | "till" | "til")
        && tokens.get(i + 1).is_some_and(|w| matches!(w.as_str(), "you" | "i" | "we" | "it" | "he" | "she" | "they" | "theres" | "there"));
    let takes_a_duration = vocab.actions[m.action]
        .slots
        .iter()
        .any(|s| matches!(&s.kind, SlotKind::Number { dimension, .. } if dimension == dim::DURATION));
    // "keep going until i say so": with no amount to hold, nothing is left open.
    if !takes_a_duration && !vocab.actions[m.action].slots.is_empty() {
        if let Some(i) = (m.end..tokens.len()).find(|&i| clause_after(i)) {
            return Some(format!("left open: {:?} ...", tokens[i]));
        }
    }
    // "i need to go to the kitchen": the speaker's own plan ("i need you to go" asks).
    let own_plan = start >= 3
        && ((tokens[start - 3] == "i" && matches!(tokens[start - 2].as_str(), "need" | "want" | "have" | "got"))
            || (matches!(tokens[start - 3].as_str(), "id" | "i'd") && tokens[start - 2] == "like"))
        && tokens[start - 1] == "to";
    if own_plan {
        return Some(format!("the speaker's own plan: \"i {} to\" before the action", tokens[start - 2]));
    }
    // "come to me when youre done", "turn left once you reach the door": a condition after the
    // action, with its own subject, makes it later too.
    let subject_word = |w: &str| matches!(w, "you" | "youre" | "you're" | "i" | "im" | "i'm" | "we" | "it" | "its" | "the" | "he" | "she" | "they" | "theres");
    // "turn left every time you see a girl": a habit asked for, not a request now.
    let every_time = |i: usize| {
        tokens[i] == "everytime" || (tokens[i] == "time" && i > 0 && matches!(tokens[i - 1].as_str(), "every" | "each" | "next"))
    };
    // ("have a look at the printer when jens finished with it": someone named as the subject, "jens"
    // for "jen's".)
    let named = |w: &str| {
        let one = w.strip_suffix('s').unwrap_or(w);
        vocab.calls_someone(w) || (one.len() > 2 && vocab.calls_someone(one))
    };
    if let Some(i) = (m.end..tokens.len()).find(|&i| {
        !used[i]
            && (matches!(tokens[i].as_str(), "if" | "when" | "whenever" | "once" | "unless" | "after" | "before") || every_time(i))
            && (tokens.get(i + 1).is_some_and(|w| subject_word(w) || (named(w) && tokens.len() > i + 2))
                // "go to gate b 12 when boarding closes": a thing and what it does.
                || (matches!(tokens[i].as_str(), "when" | "once" | "until" | "till")
                    && tokens.get(i + 2).is_some_and(|w| {
                        matches!(w.as_str(), "is" | "are" | "opens" | "closes" | "starts" | "ends" | "finishes" | "rings" | "arrives" | "comes" | "goes" | "stops" | "boils" | "beeps")
                    })))
    }) {
        return Some(format!("not a request now: {:?} after the action", tokens[i]));
    }
    // "pick up milk on the way home", "stop by the bakery on your way in": an errand for a trip
    // still to come.
    if let Some(i) = (m.end..tokens.len().saturating_sub(2)).find(|&i| {
        tokens[i] == "on" && matches!(tokens[i + 1].as_str(), "the" | "your" | "my" | "our" | "yer") && tokens[i + 2] == "way"
    }) {
        return Some(format!("not a request now: {:?} after the action", tokens[i..i + 3].join(" ")));
    }
    // "the left turn by the bar is tight": a side or a setting word between the determiner and
    // the action word describes the noun ("to the right turn thirty degrees" says a direction).
    let described = start >= 2
        && !used[start - 2]
        && is_enum_word(vocab, &tokens[start - 1])
        && !(start >= 3 && tokens[start - 3] == "to");
    let mut subject_at = start.checked_sub(if described { 2 } else { 1 }).filter(|&i| !used[i]);
    // "i already went to the post room", "we just went to the shop": an adverb between.
    if let Some(i) = subject_at.filter(|&i| i > 0 && REPORT_ADVERBS.contains(&tokens[i].as_str()) && vocab.report_subjects.contains(&tokens[i - 1])) {
        subject_at = Some(i - 1);
    }
    let subject = subject_at.map(|i| &tokens[i]);
    // "the wait for a table is twenty minutes", "its your turn": after a determiner that opens
    // the utterance the action word is a noun ("change the speed" names the action by a verb).
    let opens = |i: usize| (0..i).all(|k| vocab.filler_words.contains(&tokens[k]) || matches!(tokens[k].as_str(), "its" | "is" | "was" | "thats"));
    let determiner = |w: &String| matches!(w.as_str(), "the" | "your" | "my" | "his" | "her" | "their" | "our");
    if let Some(w) = subject_at.filter(|&i| determiner(&tokens[i]) && opens(i)).map(|i| &tokens[i]) {
        return Some(format!("a noun, not a request: {w:?} before the action word"));
    }
    // "the cat wont come here", "the driver will come here at seven", "is it gonna pick up the
    // fossil": someone else's doing, told or asked about, a modal between them and the action.
    let modal = |w: &str| {
        matches!(w, "will" | "wont" | "won't" | "gonna" | "would" | "wouldnt" | "wouldn't" | "doesnt" | "doesn't" | "didnt" | "didn't" | "should" | "might")
    };
    if start >= 2 && modal(&tokens[start - 1]) {
        let who = &tokens[start - 2];
        let named_thing = start >= 3
            && matches!(tokens[start - 3].as_str(), "the" | "my" | "your" | "his" | "her" | "their" | "our" | "this" | "that")
            && !vocab.robot_names.contains(who)
            && !vocab.filler_words.contains(who);
        if matches!(who.as_str(), "it" | "he" | "she" | "they") || vocab.person_names.contains(who) || named_thing {
            return Some(format!("about someone else: {who:?} {:?} before the action", tokens[start - 1]));
        }
    }
    // "miss can the robot look at the dinosaur": a question about the robot, put to someone else.
    if start >= 3 && vocab.robot_names.contains(&tokens[start - 1]) && tokens[start - 2] == "the" {
        if let Some(w) = Some(&tokens[start - 3]).filter(|w| matches!(w.as_str(), "can" | "could" | "may" | "will" | "would" | "does" | "did")) {
            return Some(format!("a question about the robot: {w:?} \"the {}\" before the action", tokens[start - 1]));
        }
    }
    subject
        .filter(|w| vocab.report_subjects.contains(*w))
        .map(|w| format!("a report, not a request: {w:?} before the action"))
}

/// Several people spoken to ("pick up your toys kids", "follow me everyone", "everyone follow
/// me"), not named as the object: not right after the action phrase or an article, possessive or
/// preposition ("find the kids", "look at everyone"), and "you two" not before a unit.
fn group_spoken_to<'v>(vocab: &'v Vocabulary, tokens: &[String], m: &TriggerMatch) -> Option<&'v Vec<String>> {
    vocab.group_addressees.iter().find(|p| {
        (0..tokens.len().saturating_sub(p.len() - 1)).any(|i| {
            tokens[i..i + p.len()] == p[..]
                // Right after the action phrase they are its object ("find the kids" aside, "follow
                // everyone"), unless the action takes none ("come here kids dinner is ready").
                && (i != m.end || vocab.actions[m.action].slot(TARGET_SLOT).is_none())
                // "kids be quiet robot go to the bedroom": the robot named after them is spoken to.
                && !(i + p.len() <= m.start && tokens[i + p.len()..m.start].iter().any(|w| matches!(w.as_str(), "robot" | "bot")))
                && (i == 0 || !(vocab.strip_words.contains(&tokens[i - 1]) || vocab.relation_words.contains(&tokens[i - 1])
                    || matches!(tokens[i - 1].as_str(), "of" | "for" | "with" | "at" | "to" | "all" | "tell" | "ask" | "show")
                    // "slow down theres kids about": they are told of, not spoken to.
                    || matches!(tokens[i - 1].as_str(), "theres" | "there's" | "are" | "were" | "any" | "no" | "many")))
                && tokens.get(i + p.len()).is_none_or(|n| !vocab.unit_words.contains(n) && !is_numeric(n))
        })
    })
}

/// "take a step back", "do half a turn": a light verb (or no action phrase
/// at all) names no action when a unit said is itself an action word of an
/// action that takes every quantity said. Returns that action's trigger and the light verbs'
/// positions, or the triggers unchanged.
fn unit_named_action(
    vocab: &Vocabulary,
    tokens: &[String],
    used: &[bool],
    quantities: &[Quantity],
    chosen: Vec<TriggerMatch>,
) -> Result<(Vec<TriggerMatch>, Vec<usize>), Vec<TriggerMatch>> {
    let light = |m: &TriggerMatch| m.words == 1 && vocab.light_verbs.contains(&tokens[m.start]);
    if quantities.is_empty() || !chosen.iter().all(light) {
        return Err(chosen);
    }
    let takes_all = |ai: usize| takes_every_quantity(vocab, ai, quantities);
    if chosen.first().is_some_and(|m| takes_all(m.action)) {
        return Err(chosen);
    }
    // With no action phrase at all ("do half a turn", "two steps forward")
    // the light verbs said are not triggers: find them as words.
    let verbs: Vec<usize> = if chosen.is_empty() {
        (0..tokens.len())
            .filter(|&i| !used[i] && vocab.light_verbs.contains(&tokens[i]))
            .collect()
    } else {
        chosen.iter().map(|m| m.start).collect()
    };
    let free: Vec<bool> = (0..tokens.len()).map(|i| verbs.contains(&i)).collect();
    let named: Vec<TriggerMatch> = triggers(vocab, tokens, &free)
        .into_iter()
        .filter(|m| (m.start..m.end).all(|i| used[i]) && takes_all(m.action))
        .collect();
    match named.first() {
        Some(m) if named.iter().all(|o| o.action == m.action) => {
            Ok((named.into_iter().take(1).collect(), verbs))
        }
        _ => Err(chosen),
    }
}

/// "do a half turn": a required slot left unsaid takes the value a synonym implies
/// together with the values that were said (the vocabulary's "turn around"
/// is 180 degrees to the left by convention; either way ends the same).
fn fill_by_convention(action: &crate::vocab::ActionSpec, slots: &mut BTreeMap<String, SlotValue>) {
    let fill = action.synonyms.iter().find_map(|syn| {
        let agrees = syn.implied.iter().any(|(k, v)| slots.get(k) == Some(v))
            && syn.implied.iter().all(|(k, v)| slots.get(k).is_none_or(|s| s == v));
        agrees.then(|| syn.implied.clone())
    });
    if let Some(implied) = fill {
        // Only a required slot: "turn left" must not become a half turn.
        for (k, v) in implied {
            if action.slot(&k).is_some_and(|s| s.required) {
                slots.entry(k).or_insert(v);
            }
        }
    }
}

/// The missing slot of `e` is one only words can fill (an enum or a target).
fn missing_word_slot(vocab: &Vocabulary, e: &ValidationError) -> bool {
    let ValidationError::MissingSlot { action, slot } = e else {
        return false;
    };
    vocab
        .action(action)
        .and_then(|a| a.slot(slot))
        .is_some_and(|s| !matches!(s.kind, SlotKind::Number { .. }))
}

/// Longest unit phrase starting at `j`: (words, dimension, factor).
fn unit_at(vocab: &Vocabulary, tokens: &[String], j: usize) -> Option<(usize, String, f64)> {
    vocab.units.iter().find_map(|(phrase, unit)| {
        let end = j + phrase.len();
        (end <= tokens.len() && tokens[j..end] == phrase[..])
            .then(|| (phrase.len(), unit.dimension.clone(), unit.factor))
    })
}

pub(crate) fn is_enum_word(vocab: &Vocabulary, w: &str) -> bool {
    vocab
        .actions
        .iter()
        .flat_map(|a| &a.slots)
        .any(|s| match &s.kind {
            SlotKind::Enum { values } => values.values().any(|syns| syns.iter().any(|x| x == w)),
            _ => false,
        })
}

/// Words for how far that no number can hold: "a metre and a bit", "a few metres", "a good few
/// paces", "a boat length" (no slot takes them: `unknown`, for the fast path and the LLM's answer).
pub(crate) fn vague_amount(vocab: &Vocabulary, tokens: &[String]) -> Option<String> {
    let n = tokens.len();
    // A length measured by a thing's size or a stride: how long is not said.
    let measure_noun = |i: usize| tokens.get(i).is_some_and(|w| matches!(w.as_str(), "pace" | "paces" | "length" | "lengths"));
    let and_a_bit = |i: usize| {
        i > 0
            && tokens[i] == "and"
            && unit_at(vocab, tokens, i - 1).is_some()
            && matches!(tokens.get(i + 1).map(String::as_str), Some("a" | "bit"))
            && tokens[i + 1..].iter().take(3).any(|w| matches!(w.as_str(), "bit" | "little" | "smidge" | "tad"))
    };
    if let Some(i) = (0..n).find(|&i| and_a_bit(i)) {
        return Some(format!("{} and a bit", tokens[i - 1]));
    }
    if let Some(i) = (0..n).find(|&i| vocab.vague_amounts.contains(&tokens[i]) && (unit_at(vocab, tokens, i + 1).is_some() || measure_noun(i + 1))) {
        return Some(format!("{} {}", tokens[i], tokens[i + 1]));
    }
    // "a smidge over a metre", "just under a metre", "a bit more than forty five": a bound, not
    // the amount ("move over to the left" and "turn over a new leaf" bound nothing).
    let amount_at = |i: usize| {
        tokens.get(i).is_some_and(|w| is_numeric(w) || (is_number_word(w) && w != "a"))
            || (tokens.get(i).is_some_and(|w| matches!(w.as_str(), "a" | "an" | "half")) && unit_at(vocab, tokens, i + 1).is_some())
    };
    // ("pi over two", "three over four": a fraction.)
    let fraction = |i: usize| i > 0 && (tokens[i - 1] == "pi" || is_number_word(&tokens[i - 1]));
    let bound = (0..n).find_map(|i| match tokens[i].as_str() {
        "over" | "under" if amount_at(i + 1) && !fraction(i) => Some((i, i + 1)),
        "nearly" | "almost" if amount_at(i + 1) => Some((i, i + 1)),
        "more" | "less" | "fewer" if tokens.get(i + 1).is_some_and(|w| w == "than") && amount_at(i + 2) => Some((i, i + 2)),
        _ => None,
    });
    if let Some((i, j)) = bound {
        return Some(format!("{} {}", tokens[i..j].join(" "), tokens[j]));
    }
    // "bide there a minute or two", "two or three metres": a range, no amount ("a metre or so"
    // is about a metre).
    let amount_before = |i: usize| i > 0 && (is_number_word(&tokens[i - 1]) || unit_at(vocab, tokens, i - 1).is_some_and(|(len, _, _)| len == 1));
    let range = (1..n.saturating_sub(1)).find(|&i| {
        tokens[i] == "or"
            && amount_before(i)
            && tokens.get(i + 1).is_some_and(|w| is_number_word(w) && !matches!(w.as_str(), "a" | "an"))
    });
    if let Some(i) = range {
        return Some(format!("{} or {}", tokens[i - 1], tokens[i + 1]));
    }
    // "move forward a boat length", "back up an arm s length please": "a", a word or two, then
    // "length" closing the request ("find the full length mirror" names a thing).
    let closes = |i: usize| tokens.get(i + 1).is_none_or(|w| vocab.filler_words.contains(w) || is_enum_word(vocab, w));
    (2..n)
        .find(|&i| {
            matches!(tokens[i].as_str(), "length" | "lengths")
                && closes(i)
                && (i.saturating_sub(3)..i - 1).any(|a| matches!(tokens[a].as_str(), "a" | "an"))
        })
        .map(|i| format!("{} {}", tokens[i - 1], tokens[i]))
}

/// A number said without a unit, as the slot of `dimension` reads it: "turn left a quarter" is a
/// quarter of a turn (90 degrees), not a quarter of a degree. Digits ("0.5") stay as said.
pub(crate) fn bare_value(words: &[String], value: f64, dimension: &str) -> f64 {
    let fraction_word = words.iter().any(|w| matches!(w.as_str(), "half" | "quarter" | "quarters" | "third" | "thirds"));
    if dimension == dim::ANGLE && fraction_word && value > 0.0 && value < 1.0 {
        value * 360.0
    } else {
        value
    }
}
