//! The command vocabulary: YAML schema, load-time checks and the compiled
//! lookup tables the fast path, validator and GBNF generator share.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde::Deserialize;

use crate::error::VocabularyError;

/// Words said before a person's name.
const PERSON_TITLES: [&str; 8] = ["mr", "mrs", "ms", "miss", "dr", "doctor", "nurse", "sister"];
/// What holds a thing and is carried with it ("the drum of solvent"): a refused thing inside one is refused.
const CONTAINERS: [&str; 26] = [
    "box", "boxes", "bag", "bags", "bottle", "bottles", "jar", "jars", "tin", "tins", "can", "cans", "drum", "drums", "tub", "tubs",
    "crate", "crates", "pack", "packet", "carton", "bucket", "barrel", "sack", "jug", "canister",
];

/// Action name reserved for input that maps to no command. It is built in
/// rather than declared in YAML so that no vocabulary can forget it.
pub const UNKNOWN_ACTION: &str = "unknown";
/// Action every vocabulary must declare: the fast path emits it for stop words.
pub const STOP_ACTION: &str = "stop";

/// Fewest letters (spaces aside) a target has for [`Vocabulary::known_target_near`] to read it as
/// a known one: in shorter words one letter more or less makes another word.
const MIN_SNAPPED_CHARS: usize = 6;
/// Slot name that grounding resolves against detections.
pub const TARGET_SLOT: &str = "target";
/// Enum slot whose words "to the left" names.
pub const DIRECTION_SLOT: &str = "direction";

/// Unit dimensions the parser reads a meaning into; a vocabulary may declare others.
pub mod dimension {
    pub const LENGTH: &str = "length";
    pub const ANGLE: &str = "angle";
    pub const DURATION: &str = "duration";
    pub const SPEED: &str = "speed";
}

/// What to do with a number outside a slot's range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutOfRange {
    Clamp,
    Reject,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    version: u32,
    limits: RawLimits,
    stop_words: Vec<String>,
    #[serde(default)]
    stop_phrases: Vec<Vec<String>>,
    #[serde(default)]
    pause_phrases: Vec<Vec<String>>,
    #[serde(default)]
    stop_utterances: Vec<Vec<String>>,
    #[serde(default)]
    not_stop_utterances: Vec<Vec<String>>,
    #[serde(default)]
    stop_nouns: Vec<Vec<String>>,
    #[serde(default)]
    stop_activities: Vec<String>,
    #[serde(default)]
    praise_words: Vec<String>,
    #[serde(default)]
    stop_objects: Vec<String>,
    #[serde(default)]
    others_activities: Vec<String>,
    #[serde(default)]
    others_belongings: Vec<String>,
    #[serde(default)]
    word_names: Vec<String>,
    #[serde(default)]
    kin_words: Vec<String>,
    #[serde(default)]
    spelling_alphabet: Vec<String>,
    #[serde(default)]
    collision_objects: Vec<String>,
    #[serde(default)]
    group_addressees: Vec<Vec<String>>,
    #[serde(default)]
    llm_stop_cues: Vec<String>,
    #[serde(default)]
    question_auxiliaries: Vec<String>,
    #[serde(default)]
    homophones: BTreeMap<String, String>,
    #[serde(default)]
    number_homophones: BTreeMap<String, f64>,
    #[serde(default)]
    respellings: BTreeMap<String, String>,
    #[serde(default)]
    correction_markers: Vec<Vec<String>>,
    #[serde(default)]
    light_verbs: Vec<String>,
    #[serde(default)]
    vague_amounts: Vec<String>,
    #[serde(default)]
    label_nouns: Vec<String>,
    #[serde(default)]
    not_request_words: Vec<String>,
    #[serde(default)]
    report_subjects: Vec<String>,
    #[serde(default)]
    negation_words: Vec<String>,
    #[serde(default)]
    question_openers: Vec<String>,
    #[serde(default)]
    undecided_words: Vec<String>,
    #[serde(default)]
    stairs_words: Vec<String>,
    #[serde(default)]
    alone_phrases: Vec<Vec<String>>,
    #[serde(default)]
    outside_words: Vec<String>,
    #[serde(default)]
    polite_condition_words: Vec<String>,
    #[serde(default)]
    idiom_phrases: Vec<Vec<String>>,
    #[serde(default)]
    delay_phrases: Vec<Vec<String>>,
    #[serde(default)]
    serial_verbs: Vec<String>,
    #[serde(default)]
    filler_phrases: Vec<Vec<String>>,
    #[serde(default)]
    softening_amounts: Vec<Vec<String>>,
    #[serde(default)]
    remark_closers: Vec<Vec<String>>,
    #[serde(default)]
    polite_conditions: Vec<Vec<String>>,
    #[serde(default)]
    past_forms: BTreeMap<String, String>,
    #[serde(default)]
    encouragements: Vec<Vec<String>>,
    #[serde(default)]
    filler_words: Vec<String>,
    #[serde(default)]
    english_words: Vec<String>,
    #[serde(default)]
    person_names: Vec<String>,
    #[serde(default)]
    injection_phrases: Vec<Vec<String>>,
    #[serde(default)]
    compound_connectives: Vec<String>,
    units: BTreeMap<String, Vec<RawUnit>>,
    actions: BTreeMap<String, RawAction>,
    text_slots: RawTextSlots,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    max_input_chars: usize,
    min_ascii_letter_ratio: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUnit {
    names: Vec<String>,
    factor: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTextSlots {
    max_chars: usize,
    #[serde(default)]
    strip_words: Vec<String>,
    #[serde(default)]
    deictic_words: Vec<String>,
    #[serde(default)]
    relation_words: Vec<String>,
    #[serde(default)]
    destination_words: Vec<String>,
    #[serde(default)]
    choice_words: Vec<String>,
    #[serde(default)]
    exclusion_words: Vec<String>,
    #[serde(default)]
    cut_words: Vec<String>,
    #[serde(default)]
    inner_words: Vec<String>,
    #[serde(default)]
    path_words: Vec<String>,
    #[serde(default)]
    tails: Vec<Vec<String>>,
    #[serde(default)]
    addressees: Vec<Vec<String>>,
    #[serde(default)]
    not_objects: Vec<String>,
    #[serde(default)]
    idiom_verbs: Vec<String>,
    #[serde(default)]
    idiom_objects: Vec<String>,
    #[serde(default)]
    given_doings: Vec<String>,
    #[serde(default)]
    aliases: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    known_targets: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAction {
    #[serde(default)]
    description: String,
    #[serde(default)]
    synonyms: Vec<RawSynonym>,
    #[serde(default)]
    slots: BTreeMap<String, RawSlot>,
    #[serde(default)]
    require_any: Vec<String>,
    #[serde(default)]
    ignores_object: bool,
    #[serde(default)]
    refuses_unsafe_routes: bool,
    #[serde(default)]
    asked_as_question: bool,
    #[serde(default)]
    llm_cues: Vec<String>,
    #[serde(default)]
    to_speaker: Option<String>,
    #[serde(default)]
    refused_targets: Vec<String>,
    #[serde(default)]
    refused_modifiers: Vec<String>,
    #[serde(default)]
    harmless_modifiers: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum RawSynonym {
    Plain(Vec<String>),
    WithSlots {
        phrase: Vec<String>,
        #[serde(default)]
        slots: BTreeMap<String, serde_yaml_ng::Value>,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum RawSlot {
    Number {
        dimension: String,
        min: f64,
        max: f64,
        out_of_range: OutOfRange,
        #[serde(default)]
        required: bool,
        #[serde(default)]
        bare_number: bool,
    },
    Enum {
        values: BTreeMap<String, Vec<String>>,
        #[serde(default)]
        required: bool,
    },
    Text {
        #[serde(default)]
        required: bool,
    },
}

/// A typed slot specification.
#[derive(Debug, Clone, PartialEq)]
pub enum SlotKind {
    /// A number in the dimension's canonical unit (metre, degree, second, m/s).
    Number {
        dimension: String,
        min: f64,
        max: f64,
        out_of_range: OutOfRange,
        /// A number said without a unit fills this slot (e.g. "turn left 90").
        bare_number: bool,
    },
    /// One of a closed set of canonical values; the map holds spoken synonyms.
    Enum {
        values: BTreeMap<String, Vec<String>>,
    },
    /// Free text naming an object, person or place.
    Text,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SlotSpec {
    pub name: String,
    pub kind: SlotKind,
    pub required: bool,
}

/// A trigger phrase for an action, optionally implying slot values
/// ("turn around" is a turn of 180 degrees).
#[derive(Debug, Clone, PartialEq)]
pub struct Synonym {
    pub phrase: Vec<String>,
    pub implied: BTreeMap<String, crate::command::SlotValue>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ActionSpec {
    pub name: String,
    pub description: String,
    pub synonyms: Vec<Synonym>,
    /// Slots sorted by name: the JSON and GBNF use this order.
    pub slots: Vec<SlotSpec>,
    /// At least one of these slots must be present.
    pub require_any: Vec<String>,
    /// Words after the action phrase may name the object it acts on or
    /// where it goes ("release the ball", "place it on the table"): the
    /// action has no slot for them and they change nothing it does.
    pub ignores_object: bool,
    /// Done up or down stairs it would take the robot over a drop ("carry my suitcase down the
    /// stairs", "bring the luggage downstairs"), and out of the building alone it would leave the
    /// robot unwatched ("go outside on your own and get the post"): `unknown`
    /// ([`Vocabulary::stairs_said`], [`Vocabulary::out_alone_said`]).
    pub refuses_unsafe_routes: bool,
    /// Asked as a question ("what does the room look like"): question
    /// openers before its phrase do not make it no request.
    pub asked_as_question: bool,
    /// Words that let an LLM answer name this action though none of its phrases was said
    /// ("nip into the lounge" -> go_to), when no other action's phrase was said either and every
    /// slot is supported on its own. The fast path never acts on them.
    pub llm_cues: Vec<String>,
    /// The action meant where this one's target is the speaker ("head back over to me": go_to
    /// the speaker is come_here).
    pub to_speaker: Option<String>,
    /// Targets this action must not take ("pick up the baby"): the command is `unknown`.
    pub refused_targets: BTreeSet<String>,
    /// Words (or phrases) that refuse a target wherever they stand in it ("the hot pan", "the pan off
    /// the hob", "the broken glass").
    pub refused_modifiers: BTreeSet<String>,
    /// Words that make a refused head noun a thing safe to act on ("the toy car", "the toy dog").
    pub harmless_modifiers: BTreeSet<String>,
}

impl ActionSpec {
    pub fn slot(&self, name: &str) -> Option<&SlotSpec> {
        self.slots.iter().find(|s| s.name == name)
    }

    /// A hazard the speaker says of the thing, after naming it ("pick up the kettle its just
    /// boiled", "dont pick up that tray its hot"): one of this action's refused modifiers, or a
    /// word of heat, an edge or weight, after "its" / "theyre" / "it is" and any intensifier.
    /// Only after `from`, where the action's phrase ends ("its hot out here bring me a cold drink"
    /// says it of the weather). Also the place it is taken from, where that heats ("the soup from
    /// the stove").
    pub fn hazard_said_of_it<'t>(&self, tokens: &'t [String], from: usize) -> Option<&'t str> {
        if self.refused_modifiers.is_empty() {
            return None;
        }
        let at = |j: usize| tokens.get(j).map_or("", String::as_str);
        let held = self.refused_modifiers.contains("hot");
        (from..tokens.len()).find_map(|i| {
            // "take the soup from the stove": taken from where it heats.
            if held && matches!(at(i), "from" | "off") {
                let j = if matches!(at(i + 1), "the" | "a" | "that" | "this" | "my") { i + 2 } else { i + 1 };
                return (self.refused_modifiers.contains(at(j)) && matches!(at(j), "hob" | "stove" | "flame" | "flames" | "burner" | "fryer")).then(|| tokens[j].as_str());
            }
            let mut j = match at(i) {
                "its" | "it's" | "thats" | "that's" | "theyre" | "they're" => i + 1,
                "it" | "they" | "that" if matches!(at(i + 1), "is" | "are" | "s" | "was") => i + 2,
                _ => return None,
            };
            // ("its piping hot", "its just been poured".)
            while matches!(at(j), "just" | "still" | "very" | "really" | "too" | "so" | "super" | "proper" | "well" | "bloody" | "red" | "piping" | "been") {
                j += 1;
            }
            let w = at(j);
            // Heat, an edge and weight are hazards to what is held (an action refusing "hot"), not
            // to where one goes ("its hot out here go on to the tomato bed").
            (self.refused_modifiers.contains(w) || (held && matches!(w, "boiled" | "brewed" | "poured" | "sharp" | "heavy" | "burning")))
                .then(|| tokens[j].as_str())
        })
    }

    /// The word of `target` that this action refuses, if any: the target's head noun, its last
    /// word before a relation or inner word ("the cat by its tail": cat; "the baby wipes": wipes),
    /// or the whole target where it is an alias key ("person").
    pub fn refused_target<'t>(&self, vocab: &Vocabulary, target: &'t str) -> Option<&'t str> {
        if self.refused_targets.is_empty() {
            return None;
        }
        if self.refused_targets.contains(target) {
            return Some(target);
        }
        let words: Vec<&str> = target.split_whitespace().collect();
        // A modifier may be a phrase ("broken glass"): its words said in a row.
        let said_at = |m: &String| {
            let m: Vec<&str> = m.split_whitespace().collect();
            words.windows(m.len()).position(|w| w == m.as_slice())
        };
        if let Some(i) = self.refused_modifiers.iter().find_map(said_at) {
            return Some(words[i]);
        }
        // "mrs thompson", "dr patel": a name after a title is a person's, whatever the name;
        // "pick up wee jamie": a name alone is a person's too.
        if self.refused_targets.contains("person") {
            if let Some(title) = words.first().filter(|w| PERSON_TITLES.contains(w)) {
                return Some(title);
            }
            if let Some(name) = words.last().filter(|w| vocab.person_names.contains(**w)) {
                return Some(name);
            }
            // "go and get daddy for me": one of the family, fetched.
            if let Some(kin) = words.first().filter(|w| vocab.kin_words.contains(**w)) {
                if words.get(1).is_none_or(|w| matches!(*w, "for" | "to" | "from" | "and" | "please")) {
                    return Some(kin);
                }
            }
        }
        // "the drum of solvent", "a box of knives", "that bottle of bleach": what a container holds
        // comes with it ("a box of dog food" holds food: the last word of what it holds decides).
        if let Some(of) = words.iter().position(|w| *w == "of").filter(|&k| k > 0 && CONTAINERS.contains(&words[k - 1])) {
            let held: Vec<&str> = words[of + 1..].iter().copied().filter(|w| !matches!(*w, "the" | "a" | "an" | "some")).collect();
            if let Some(h) = vocab.head_noun(&held).filter(|h| self.refused_targets.contains(*h) || self.refused_targets.contains(crate::grounding::singular(h))) {
                return Some(h);
            }
        }
        let head = vocab.head_noun(&words)?;
        let singular = crate::grounding::singular(head);
        let harmless = words.iter().take_while(|w| **w != head).any(|w| self.harmless_modifiers.contains(*w));
        (!harmless && (self.refused_targets.contains(head) || self.refused_targets.contains(singular))).then_some(head)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub dimension: String,
    pub factor: f64,
}

/// What speakers call the robot ("robot pick me up", "tell the robot to stop"), before
/// [`Vocabulary::with_robot_names`] adds its own names.
/// A child's r said as w: "wobot".
const ROBOT_NAMES: &[&str] = &["robot", "bot", "robo", "rowbot", "robbie", "robby", "wobot", "wobo"];

/// A loaded, checked vocabulary. Construct with [`Vocabulary::from_yaml_str`]
/// or [`Vocabulary::load`].
#[derive(Debug, Clone)]
pub struct Vocabulary {
    pub max_input_chars: usize,
    pub min_ascii_letter_ratio: f64,
    pub text_max_chars: usize,
    pub(crate) actions: Vec<ActionSpec>,
    pub(crate) stop_words: BTreeSet<String>,
    pub(crate) stop_phrases: Vec<Vec<String>>,
    /// Stop phrases that, with a time said right after, ask for a timed wait.
    pub(crate) pause_phrases: Vec<Vec<String>>,
    pub(crate) stop_utterances: Vec<Vec<String>>,
    /// Whole utterances that contain a stop word and do not ask for a stop.
    pub(crate) not_stop_utterances: Vec<Vec<String>>,
    /// Noun compounds in which a stop word names a thing ("bus stop", "stop sign").
    pub(crate) stop_nouns: Vec<Vec<String>>,
    /// Activities whose stopping is a stop request: "stop moving" (see `fast_path::is_stop`).
    pub(crate) stop_activities: BTreeSet<String>,
    /// Words that praise the asking when said after a request ("... that would be lovely"), read
    /// by `fast_path::praise_tail`.
    pub(crate) praise_words: BTreeSet<String>,
    /// Things other than the robot a stop word can be said to: "stop the music" asks no stop.
    pub(crate) stop_objects: BTreeSet<String>,
    /// What people and pets do and a robot never does ("stop barking", "stop crying"): a stop word
    /// before one asks the robot for nothing.
    pub(crate) others_activities: BTreeSet<String>,
    /// What a person has and a robot does not: after "your" ("pick up your toys", "find your
    /// shoes") the request is said to a child.
    pub(crate) others_belongings: BTreeSet<String>,
    /// Given names that are words too ("jack", "ruby"): a name only where a stop opens with one
    /// and goes on ("jack stop running on the pontoon").
    pub(crate) word_names: BTreeSet<String>,
    /// What a family calls its own ("mum", "grandad"): opening a request, the one asked.
    pub(crate) kin_words: BTreeSet<String>,
    /// The radio spelling alphabet ("bravo"): after a label noun, which one ("gate bravo").
    pub(crate) spelling_alphabet: BTreeSet<String>,
    /// What moving "into" is a collision with ("go full speed into the wall"): the LLM answer
    /// check refuses any motion asked that way.
    pub(crate) collision_objects: BTreeSet<String>,
    /// Words without which an LLM's stop is refused (`support::refusal`).
    pub(crate) llm_stop_cues: BTreeSet<String>,
    /// Auxiliaries that, after a question word, ask about stopping: "why did you stop".
    pub(crate) question_auxiliaries: BTreeSet<String>,
    /// Misheard word to the word meant ("write" -> "right").
    pub(crate) homophones: BTreeMap<String, String>,
    /// Words that sound like a number, read as one directly before a unit.
    pub(crate) number_homophones: BTreeMap<String, f64>,
    /// Words speech recognition split or joined, to the words meant ("for word" -> "forward",
    /// "turnleft" -> "turn left"); longest first.
    pub(crate) respellings: Vec<(Vec<String>, Vec<String>)>,
    /// Phrases after which a speaker replaces the value said just before.
    pub(crate) correction_markers: Vec<Vec<String>>,
    /// Verbs that name no action when a unit names one ("take a step").
    pub(crate) light_verbs: BTreeSet<String>,
    /// Words that make a quantity vague ("a few metres").
    pub(crate) vague_amounts: BTreeSet<String>,
    /// Nouns a number after them names, not counts ("aisle five", "bed four").
    pub(crate) label_nouns: BTreeSet<String>,
    /// Before an action phrase, these make it no request: negations,
    /// question openers ("don't go to the kitchen", "did you find my keys").
    pub(crate) not_request_words: BTreeSet<String>,
    /// Right before an action phrase, these make it a report ("i went to").
    pub(crate) report_subjects: BTreeSet<String>,
    /// Those of `not_request_words` that negate only up to the next action phrase ("dont go
    /// anywhere wait here" asks to wait).
    pub(crate) negation_words: BTreeSet<String>,
    /// Before an action phrase, these make a question of it ("did you find my keys").
    pub(crate) question_openers: BTreeSet<String>,
    /// Anywhere outside filler phrases, these leave the command undecided ("turn left or right").
    pub(crate) undecided_words: BTreeSet<String>,
    /// Words for a flight of stairs; "down" or "up" before one, or a word such as "downstairs"
    /// at the end of the request, takes the robot over a drop.
    pub(crate) stairs_words: BTreeSet<String>,
    /// Said of the robot, "by yourself", "on your own"; with one of `outside_words` the request
    /// sends it out of the building alone.
    pub(crate) alone_phrases: Vec<Vec<String>>,
    pub(crate) outside_words: BTreeSet<String>,
    /// The only words of an "if" clause that asks leave ("if it wouldnt be too much bother"):
    /// politeness, no condition.
    pub(crate) polite_condition_words: BTreeSet<String>,
    /// Phrases that make an idiom of the utterance ("watch out for the cat").
    pub(crate) idiom_phrases: Vec<Vec<String>>,
    /// A while no number measures ("in a bit go to the hall"): the request is for later, at a
    /// time no one said.
    pub(crate) delay_phrases: Vec<Vec<String>>,
    /// One-word phrases that only lead into another action's phrase right after them ("go get
    /// my teddy", "come look at this").
    pub(crate) serial_verbs: BTreeSet<String>,
    pub(crate) filler_phrases: Vec<Vec<String>>,
    /// Amounts that only soften a request when its action has no slot for them: "come here a
    /// minute" asks for no minute; "wait a minute" still waits one.
    pub(crate) softening_amounts: Vec<Vec<String>>,
    /// Words that close a remark before the request ("lovely day anyway go to the kitchen").
    pub(crate) remark_closers: Vec<Vec<String>>,
    /// "it would help me if you": a request said as how good it would be (filler phrases too).
    pub(crate) polite_conditions: Vec<Vec<String>>,
    /// A verb's past form right after one of `polite_conditions` is the verb asked for ("came").
    pub(crate) past_forms: BTreeMap<String, String>,
    /// Another action's phrase said after a request only to urge it on ("find the ball go on").
    pub(crate) encouragements: Vec<Vec<String>>,
    pub(crate) filler_words: BTreeSet<String>,
    pub(crate) injection_phrases: Vec<Vec<String>>,
    pub(crate) connectives: BTreeSet<String>,
    pub(crate) strip_words: BTreeSet<String>,
    /// Words that point rather than name ("there", "that way"): a target
    /// made only of these (and strip words) names nothing to ground.
    pub(crate) deictic_words: BTreeSet<String>,
    /// Prepositions and particles: a target that starts with one names a
    /// relation or a path ("over to the table"), not a thing.
    pub(crate) relation_words: BTreeSet<String>,
    /// Relation words that lead to where one goes ("nip into the lounge"), not along or past it.
    pub(crate) destination_words: BTreeSet<String>,
    /// In a target, a choice or exclusion the speaker left open ("the kitchen or the bathroom").
    pub(crate) choice_words: BTreeSet<String>,
    /// In a target, the thing named before one of these is the one meant ("the kitchen not the
    /// bathroom").
    pub(crate) exclusion_words: BTreeSet<String>,
    /// A target ends before one of these ("the toy car from the floor").
    pub(crate) cut_words: BTreeSet<String>,
    /// Filler words kept between two words of a target ("bottle of water").
    pub(crate) inner_words: BTreeSet<String>,
    /// Inside a target, with a thing named on either side, a path or a delivery ("bring the
    /// knife to the baby"): the fast path leaves it to the LLM.
    pub(crate) path_words: BTreeSet<String>,
    /// Word sequences dropped from the end of a target ("where's my wallet got to", "the man
    /// over there"); longest first.
    pub(crate) target_tails: Vec<Vec<String>>,
    /// Who is spoken to, said after the target ("look at me good boy", "go to your charger
    /// buddy"); longest first.
    pub(crate) addressees: Vec<Vec<String>>,
    /// Several people spoken to ("pick up your toys kids", "follow me everyone"): a robot is one,
    /// so the words are for others.
    pub(crate) group_addressees: Vec<Vec<String>>,
    /// Nouns that make an idiom of an action phrase, not an object ("take a seat", "look at the time").
    pub(crate) not_objects: BTreeSet<String>,
    /// Action words after which `idiom_objects` make an idiom ("take a seat").
    pub(crate) idiom_verbs: BTreeSet<String>,
    pub(crate) idiom_objects: BTreeSet<String>,
    /// Nouns that, given ("give me a hug", "give us a push"), are something done, not a thing.
    pub(crate) given_doings: BTreeSet<String>,
    /// Target phrase (as words) to the target it stands for ("me" -> person).
    pub(crate) target_aliases: Vec<(Vec<String>, String)>,
    /// Places and things a misheard target is read as when it is one of them misspelt
    /// ([`Vocabulary::known_target_near`]), each to its letters without spaces, which the
    /// misheard one is measured against on every target ("frnt door" to "frontdoor").
    pub(crate) known_targets: BTreeMap<String, String>,
    /// Unit phrases (as word sequences) to unit; longest phrases first.
    pub(crate) units: Vec<(Vec<String>, Unit)>,
    /// One-word names of distances and angles that are no ordinary word nor an action's phrase.
    pub(crate) unit_words: BTreeSet<String>,
    dimensions: BTreeSet<String>,
    /// Every word the vocabulary knows: typo correction snaps to these.
    pub(crate) known_words: BTreeSet<String>,
    /// `known_words` plus general English: used to tell English from noise.
    pub(crate) english_words: BTreeSet<String>,
    /// People's given names that are no word the vocabulary knows: someone else spoken to
    /// ("jamie grab the onions"), or a person as a thing to carry ("pick up dave").
    pub(crate) person_names: BTreeSet<String>,
    /// Words that call this robot ("robot", "bot", and the names set with
    /// [`Vocabulary::with_robot_names`]): said before or after a request they address the robot,
    /// and they are no part of a target.
    pub(crate) robot_names: BTreeSet<String>,
    /// Canonical action name to index in `actions`.
    index: HashMap<String, usize>,
}

fn lower_all(v: Vec<String>) -> Vec<String> {
    v.into_iter().map(|w| w.trim().to_lowercase()).collect()
}

fn check_phrase(context: &str, phrase: &[String]) -> Result<(), VocabularyError> {
    if phrase.is_empty()
        || phrase
            .iter()
            .any(|w| w.is_empty() || w.contains(char::is_whitespace))
    {
        return Err(VocabularyError::BadPhrase {
            context: context.to_string(),
            phrase: phrase.join(" "),
        });
    }
    Ok(())
}

fn is_identifier(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.starts_with(|c: char| c.is_ascii_lowercase())
}

impl Vocabulary {
    /// Whether `words[i]` starts a path or a delivery ("bring the knife to the baby"). Not after a
    /// word of position: "the pen next to the laptop", "the chair close to the door" name one thing.
    pub(crate) fn is_path_at<S: AsRef<str>>(&self, words: &[S], i: usize) -> bool {
        self.path_words.contains(words[i].as_ref()) && !self.is_relation_after_position(words, i)
    }

    /// `words[i]` is the "to" of a position: "next to", "close to", "closest to".
    pub(crate) fn is_relation_after_position<S: AsRef<str>>(&self, words: &[S], i: usize) -> bool {
        words[i].as_ref() == "to"
            && i > 0
            && matches!(words[i - 1].as_ref(), "next" | "close" | "closest" | "nearest" | "adjacent" | "beside")
    }

    /// Loads and checks a vocabulary file.
    #[tracing::instrument(level = "debug")]
    pub fn load(path: &Path) -> Result<Self, VocabularyError> {
        let text = std::fs::read_to_string(path).map_err(|source| VocabularyError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_yaml_str(&text)
    }

    /// A flight of stairs the request goes up or down ("down the stairs", "down the back stairs",
    /// "down into the inspection pit"), or a floor it ends on ("bring the luggage downstairs";
    /// "the downstairs bathroom" names a room).
    pub(crate) fn stairs_said<'t>(&self, tokens: &'t [String]) -> Option<&'t str> {
        let content: Vec<&'t String> = tokens.iter().filter(|t| !self.filler_words.contains(*t)).collect();
        content.iter().enumerate().find_map(|(k, w)| {
            if !self.stairs_words.contains(*w) {
                return None;
            }
            // Back over the words naming it ("the back stairs") to the article, then over "into".
            let article = (k.saturating_sub(3)..k).rev().find(|&j| matches!(content[j].as_str(), "the" | "a"));
            let mut j = article.unwrap_or(k);
            if j > 0 && matches!(content[j - 1].as_str(), "into" | "in") {
                j -= 1;
            }
            let before = j.checked_sub(1).map(|i| content[i].as_str());
            // "go to the top of the stairs": at the head of a flight, one wheel from falling.
            // ("of" is a filler, gone from `content`.)
            let head = matches!(before, Some("top" | "head" | "edge"));
            let flight = matches!(before, Some("down" | "up")) || head;
            let floor_word = w.starts_with("down") || w.starts_with("up");
            let floor = floor_word && k + 1 == content.len();
            // "go downstairs to the basement": a floor word right after a going verb.
            let going = floor_word
                && k.checked_sub(1).is_some_and(|i| matches!(content[i].as_str(), "go" | "head" | "drive" | "walk" | "come" | "move" | "pop" | "nip" | "run" | "roll"));
            (flight || floor || going).then_some(w.as_str())
        })
    }

    /// Out of the building alone ("go outside on your own and fetch the post", "leave the hotel and
    /// go to the taxi stand by yourself"): the word that says out. "go to the bedroom by yourself"
    /// stays inside; "alone" said of something else ("leave the cat alone") is not of the robot.
    pub(crate) fn out_alone_said<'t>(&self, tokens: &'t [String]) -> Option<&'t str> {
        let alone = self.alone_phrases.iter().any(|p| crate::fast_path::contains_phrase(tokens, p))
            || tokens.windows(2).any(|w| w[1] == "alone" && (self.outside_words.contains(&w[0]) || matches!(w[0].as_str(), "go" | "walk" | "drive")));
        alone.then(|| tokens.iter().find(|t| self.outside_words.contains(*t)).map(String::as_str)).flatten()
    }

    /// The vocabulary shipped in `params/vocabulary.yaml`, compiled in so tests
    /// and tools agree with the default deployment.
    pub fn default_vocabulary() -> Result<Self, VocabularyError> {
        Self::from_yaml_str(include_str!("../../../params/vocabulary.yaml"))
    }

    /// Adds names this robot answers to ("max", "rosie"): "max go to the kitchen" asks the robot,
    /// where a person's name opening a request otherwise means someone else is spoken to and the
    /// LLM's answer becomes `unknown`. A name must be one word of ASCII letters and no word that
    /// names an action, a stop, or a slot value.
    pub fn with_robot_names<S: AsRef<str>>(mut self, names: &[S]) -> Result<Self, VocabularyError> {
        for name in names {
            let name = name.as_ref().trim().to_ascii_lowercase();
            let bad = |why| Err(VocabularyError::BadRobotName { name: name.clone(), why });
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphabetic()) {
                return bad("one word of ASCII letters");
            }
            if self.stop_words.contains(&name) || self.known_words.contains(&name) {
                return bad("a word the commands use (an action, a stop or a slot value)");
            }
            self.person_names.remove(&name);
            self.filler_words.insert(name.clone());
            self.robot_names.insert(name);
        }
        Ok(self)
    }

    pub fn from_yaml_str(text: &str) -> Result<Self, VocabularyError> {
        let raw: RawFile = serde_yaml_ng::from_str(text)?;
        Self::compile(raw)
    }

    fn compile(raw: RawFile) -> Result<Self, VocabularyError> {
        if raw.version != 1 {
            return Err(VocabularyError::UnsupportedVersion(raw.version));
        }
        if raw.limits.max_input_chars == 0 {
            return Err(VocabularyError::InvalidLimit(
                "max_input_chars must be > 0".into(),
            ));
        }
        if !(0.0..=1.0).contains(&raw.limits.min_ascii_letter_ratio) {
            return Err(VocabularyError::InvalidLimit(
                "min_ascii_letter_ratio must be within 0..=1".into(),
            ));
        }
        if raw.text_slots.max_chars == 0 {
            return Err(VocabularyError::InvalidLimit(
                "text_slots.max_chars must be > 0".into(),
            ));
        }

        let mut units: Vec<(Vec<String>, Unit)> = Vec::new();
        let mut seen_unit_names = BTreeSet::new();
        for (dimension, list) in &raw.units {
            if !is_identifier(dimension) {
                return Err(VocabularyError::BadName(dimension.clone()));
            }
            for u in list {
                if !(u.factor.is_finite() && u.factor > 0.0) {
                    return Err(VocabularyError::BadUnitFactor {
                        dimension: dimension.clone(),
                        factor: u.factor,
                    });
                }
                for name in &u.names {
                    let phrase: Vec<String> =
                        name.split_whitespace().map(str::to_lowercase).collect();
                    check_phrase("unit", &phrase)?;
                    if !seen_unit_names.insert(phrase.clone()) {
                        return Err(VocabularyError::DuplicateUnit(name.clone()));
                    }
                    units.push((
                        phrase,
                        Unit {
                            dimension: dimension.clone(),
                            factor: u.factor,
                        },
                    ));
                }
            }
        }
        // Longest first so "meters per second" wins over "meters".
        units.sort_by_key(|u| std::cmp::Reverse(u.0.len()));
        let dimensions: BTreeSet<String> = raw.units.keys().cloned().collect();

        let mut actions = Vec::new();
        let mut index = HashMap::new();
        for (name, ra) in raw.actions {
            if !is_identifier(&name) {
                return Err(VocabularyError::BadName(name));
            }
            if name == UNKNOWN_ACTION {
                return Err(VocabularyError::ReservedAction(name));
            }
            let mut slots = Vec::new();
            for (slot_name, rs) in ra.slots {
                if !is_identifier(&slot_name)
                    || matches!(
                        slot_name.as_str(),
                        "action" | "confidence" | "source" | "text" | "reason"
                    )
                {
                    return Err(VocabularyError::BadSlotName {
                        action: name.clone(),
                        slot: slot_name,
                    });
                }
                let (kind, required) = match rs {
                    RawSlot::Number {
                        dimension,
                        min,
                        max,
                        out_of_range,
                        required,
                        bare_number,
                    } => {
                        if !dimensions.contains(&dimension) {
                            return Err(VocabularyError::UnknownDimension {
                                action: name.clone(),
                                slot: slot_name,
                                dimension,
                            });
                        }
                        if !(min.is_finite() && max.is_finite() && min <= max) {
                            return Err(VocabularyError::BadRange {
                                action: name.clone(),
                                slot: slot_name,
                                min,
                                max,
                            });
                        }
                        (
                            SlotKind::Number {
                                dimension,
                                min,
                                max,
                                out_of_range,
                                bare_number,
                            },
                            required,
                        )
                    }
                    RawSlot::Enum { values, required } => {
                        if values.is_empty() {
                            return Err(VocabularyError::EmptyEnum {
                                action: name.clone(),
                                slot: slot_name,
                            });
                        }
                        let mut out = BTreeMap::new();
                        for (value, syns) in values {
                            if !is_identifier(&value) {
                                return Err(VocabularyError::BadName(value));
                            }
                            let mut syns = lower_all(syns);
                            if !syns.contains(&value) {
                                syns.push(value.clone());
                            }
                            check_phrase("enum synonym", &syns)?;
                            out.insert(value, syns);
                        }
                        (SlotKind::Enum { values: out }, required)
                    }
                    RawSlot::Text { required } => {
                        if slot_name != TARGET_SLOT {
                            // Grounding, the GBNF and the JSON shape all assume
                            // one text slot called `target`.
                            return Err(VocabularyError::BadSlotName {
                                action: name.clone(),
                                slot: slot_name,
                            });
                        }
                        (SlotKind::Text, required)
                    }
                };
                slots.push(SlotSpec {
                    name: slot_name,
                    kind,
                    required,
                });
            }
            for r in &ra.require_any {
                if !slots.iter().any(|s| &s.name == r) {
                    return Err(VocabularyError::UnknownSlot {
                        action: name.clone(),
                        slot: r.clone(),
                    });
                }
            }
            let mut synonyms = Vec::new();
            for syn in ra.synonyms {
                let (phrase, implied_raw) = match syn {
                    RawSynonym::Plain(p) => (lower_all(p), BTreeMap::new()),
                    RawSynonym::WithSlots { phrase, slots } => (lower_all(phrase), slots),
                };
                check_phrase(&format!("synonym of {name}"), &phrase)?;
                let mut implied = BTreeMap::new();
                for (slot_name, value) in implied_raw {
                    let spec = slots.iter().find(|s| s.name == slot_name).ok_or_else(|| {
                        VocabularyError::UnknownSlot {
                            action: name.clone(),
                            slot: slot_name.clone(),
                        }
                    })?;
                    let v = crate::command::SlotValue::from_yaml(&spec.kind, &value).ok_or_else(
                        || VocabularyError::BadImpliedValue {
                            action: name.clone(),
                            slot: slot_name.clone(),
                        },
                    )?;
                    implied.insert(slot_name, v);
                }
                synonyms.push(Synonym { phrase, implied });
            }
            index.insert(name.clone(), actions.len());
            actions.push(ActionSpec {
                name,
                description: ra.description,
                synonyms,
                slots,
                require_any: ra.require_any,
                ignores_object: ra.ignores_object,
                refuses_unsafe_routes: ra.refuses_unsafe_routes,
                asked_as_question: ra.asked_as_question,
                llm_cues: lower_all(ra.llm_cues),
                to_speaker: ra.to_speaker,
                refused_targets: lower_all(ra.refused_targets).into_iter().collect(),
                refused_modifiers: lower_all(ra.refused_modifiers).into_iter().collect(),
                harmless_modifiers: lower_all(ra.harmless_modifiers).into_iter().collect(),
            });
        }
        for a in &actions {
            if let Some(to) = &a.to_speaker {
                let ok = actions.iter().any(|b| b.name == *to && b.slots.iter().all(|s| !s.required));
                if !ok {
                    return Err(VocabularyError::InvalidLimit(format!(
                        "action {}: to_speaker {to:?} must name an action with no required slot",
                        a.name
                    )));
                }
            }
        }
        if !index.contains_key(STOP_ACTION) {
            return Err(VocabularyError::MissingStop);
        }

        let stop_words: BTreeSet<String> = lower_all(raw.stop_words).into_iter().collect();
        if stop_words.is_empty() {
            return Err(VocabularyError::MissingStop);
        }
        let phrase_lists =
            |v: Vec<Vec<String>>, ctx: &str| -> Result<Vec<Vec<String>>, VocabularyError> {
                v.into_iter()
                    .map(|p| {
                        let p = lower_all(p);
                        check_phrase(ctx, &p)?;
                        Ok(p)
                    })
                    .collect()
            };
        let stop_phrases = phrase_lists(raw.stop_phrases, "stop phrase")?;
        let pause_phrases = phrase_lists(raw.pause_phrases, "pause phrase")?;
        if let Some(p) = pause_phrases.iter().find(|p| !stop_phrases.contains(p)) {
            return Err(VocabularyError::PauseNotStop(p.join(" ")));
        }
        let stop_utterances = phrase_lists(raw.stop_utterances, "stop utterance")?;
        let not_stop_utterances = phrase_lists(raw.not_stop_utterances, "not-stop utterance")?;
        let stop_nouns = phrase_lists(raw.stop_nouns, "stop noun")?;
        let stop_activities: BTreeSet<String> = lower_all(raw.stop_activities).into_iter().collect();
        let praise_words: BTreeSet<String> = lower_all(raw.praise_words).into_iter().collect();
        let stop_objects: BTreeSet<String> = lower_all(raw.stop_objects).into_iter().collect();
        let others_activities: BTreeSet<String> = lower_all(raw.others_activities).into_iter().collect();
        let others_belongings: BTreeSet<String> = lower_all(raw.others_belongings).into_iter().collect();
        let word_names: BTreeSet<String> = lower_all(raw.word_names).into_iter().collect();
        let kin_words: BTreeSet<String> = lower_all(raw.kin_words).into_iter().collect();
        let spelling_alphabet: BTreeSet<String> = lower_all(raw.spelling_alphabet).into_iter().collect();
        let collision_objects: BTreeSet<String> = lower_all(raw.collision_objects).into_iter().collect();
        let llm_stop_cues: BTreeSet<String> = lower_all(raw.llm_stop_cues).into_iter().collect();
        let question_auxiliaries: BTreeSet<String> = lower_all(raw.question_auxiliaries).into_iter().collect();
        let mut correction_markers = phrase_lists(raw.correction_markers, "correction marker")?;
        correction_markers.sort_by_key(|p| std::cmp::Reverse(p.len()));
        let mut homophones = BTreeMap::new();
        for (heard, meant) in raw.homophones {
            let (heard, meant) = (heard.trim().to_lowercase(), meant.trim().to_lowercase());
            check_phrase("homophone", &[heard.clone(), meant.clone()])?;
            homophones.insert(heard, meant);
        }
        let mut respellings = Vec::new();
        for (heard, meant) in raw.respellings {
            let heard: Vec<String> = heard.split_whitespace().map(str::to_lowercase).collect();
            let meant: Vec<String> = meant.split_whitespace().map(str::to_lowercase).collect();
            check_phrase("respelling", &heard)?;
            check_phrase("respelling", &meant)?;
            respellings.push((heard, meant));
        }
        respellings.sort_by_key(|(heard, _)| std::cmp::Reverse(heard.len()));
        let mut number_homophones = BTreeMap::new();
        for (heard, value) in raw.number_homophones {
            if !(value.is_finite() && value > 0.0) {
                return Err(VocabularyError::InvalidLimit(format!(
                    "number homophone {heard:?} must be a positive number"
                )));
            }
            number_homophones.insert(heard.trim().to_lowercase(), value);
        }
        let light_verbs: BTreeSet<String> = lower_all(raw.light_verbs).into_iter().collect();
        let vague_amounts: BTreeSet<String> = lower_all(raw.vague_amounts).into_iter().collect();
        let label_nouns: BTreeSet<String> = lower_all(raw.label_nouns).into_iter().collect();
        let not_request_words: BTreeSet<String> = lower_all(raw.not_request_words).into_iter().collect();
        let report_subjects: BTreeSet<String> = lower_all(raw.report_subjects).into_iter().collect();
        let negation_words: BTreeSet<String> = lower_all(raw.negation_words).into_iter().collect();
        let question_openers: BTreeSet<String> = lower_all(raw.question_openers).into_iter().collect();
        let undecided_words: BTreeSet<String> = lower_all(raw.undecided_words).into_iter().collect();
        let stairs_words: BTreeSet<String> = lower_all(raw.stairs_words).into_iter().collect();
        let alone_phrases = phrase_lists(raw.alone_phrases, "alone phrase")?;
        let outside_words: BTreeSet<String> = lower_all(raw.outside_words).into_iter().collect();
        let polite_condition_words: BTreeSet<String> = lower_all(raw.polite_condition_words).into_iter().collect();
        let idiom_phrases = phrase_lists(raw.idiom_phrases, "idiom phrase")?;
        let delay_phrases = phrase_lists(raw.delay_phrases, "delay phrase")?;
        let serial_verbs: BTreeSet<String> = lower_all(raw.serial_verbs).into_iter().collect();
        let polite_conditions = phrase_lists(raw.polite_conditions, "polite condition")?;
        let past_forms: BTreeMap<String, String> =
            raw.past_forms.into_iter().map(|(past, verb)| (past.trim().to_lowercase(), verb.trim().to_lowercase())).collect();
        let mut filler_phrases = phrase_lists(raw.filler_phrases, "filler phrase")?;
        filler_phrases.extend(polite_conditions.iter().cloned());
        filler_phrases.sort_by_key(|p| std::cmp::Reverse(p.len()));
        let injection_phrases = phrase_lists(raw.injection_phrases, "injection phrase")?;
        let softening_amounts = phrase_lists(raw.softening_amounts, "softening amount")?;
        let remark_closers = phrase_lists(raw.remark_closers, "remark closer")?;
        let encouragements = phrase_lists(raw.encouragements, "encouragement")?;
        let filler_words: BTreeSet<String> = lower_all(raw.filler_words).into_iter().collect();
        let connectives: BTreeSet<String> =
            lower_all(raw.compound_connectives).into_iter().collect();
        let strip_words: BTreeSet<String> =
            lower_all(raw.text_slots.strip_words).into_iter().collect();
        let deictic_words: BTreeSet<String> =
            lower_all(raw.text_slots.deictic_words).into_iter().collect();
        let relation_words: BTreeSet<String> =
            lower_all(raw.text_slots.relation_words).into_iter().collect();
        let destination_words: BTreeSet<String> = lower_all(raw.text_slots.destination_words).into_iter().collect();
        let choice_words: BTreeSet<String> = lower_all(raw.text_slots.choice_words).into_iter().collect();
        let exclusion_words: BTreeSet<String> = lower_all(raw.text_slots.exclusion_words).into_iter().collect();
        let cut_words: BTreeSet<String> = lower_all(raw.text_slots.cut_words).into_iter().collect();
        let inner_words: BTreeSet<String> = lower_all(raw.text_slots.inner_words).into_iter().collect();
        let path_words: BTreeSet<String> = lower_all(raw.text_slots.path_words).into_iter().collect();
        let mut target_tails = phrase_lists(raw.text_slots.tails, "target tail")?;
        target_tails.sort_by_key(|p| std::cmp::Reverse(p.len()));
        let mut addressees = phrase_lists(raw.text_slots.addressees, "addressee")?;
        addressees.sort_by_key(|p| std::cmp::Reverse(p.len()));
        let group_addressees = phrase_lists(raw.group_addressees, "group addressee")?;
        let not_objects: BTreeSet<String> = lower_all(raw.text_slots.not_objects).into_iter().collect();
        let idiom_verbs: BTreeSet<String> = lower_all(raw.text_slots.idiom_verbs).into_iter().collect();
        let idiom_objects: BTreeSet<String> = lower_all(raw.text_slots.idiom_objects).into_iter().collect();
        let given_doings: BTreeSet<String> = lower_all(raw.text_slots.given_doings).into_iter().collect();
        let known_targets: BTreeMap<String, String> =
            lower_all(raw.text_slots.known_targets).into_iter().map(|t| (t.clone(), t.replace(' ', ""))).collect();
        if let Some(bad) = known_targets.keys().find(|t| t.is_empty() || t.trim() != t.as_str() || !t.chars().all(|c| c.is_ascii_lowercase() || c == ' ')) {
            return Err(VocabularyError::BadName(bad.clone()));
        }
        let mut target_aliases = Vec::new();
        for (canonical, phrases) in raw.text_slots.aliases {
            let canon_ok = !canonical.is_empty()
                && canonical.chars().count() <= raw.text_slots.max_chars
                && canonical
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == ' ');
            if !canon_ok || canonical.trim() != canonical {
                return Err(VocabularyError::BadName(canonical));
            }
            for p in phrases {
                let phrase: Vec<String> = p.split_whitespace().map(str::to_lowercase).collect();
                check_phrase(&format!("alias of target {canonical}"), &phrase)?;
                target_aliases.push((phrase, canonical.clone()));
            }
        }

        // Names of distances and angles that are no ordinary word nor an action's: a unit said
        // without a number ("infinity metres") leaves an amount unread.
        let plain_english: BTreeSet<String> = lower_all(raw.english_words.clone()).into_iter().collect();
        let unit_words: BTreeSet<String> = units
            .iter()
            .filter(|(p, u)| p.len() == 1 && matches!(u.dimension.as_str(), dimension::LENGTH | dimension::ANGLE))
            .map(|(p, _)| p[0].clone())
            .filter(|w| {
                !plain_english.contains(w)
                    && !actions.iter().any(|a| a.llm_cues.contains(w) || a.synonyms.iter().any(|s| s.phrase.contains(w)))
            })
            .collect();
        let mut known_words = BTreeSet::new();
        for a in &actions {
            known_words.extend(a.name.split('_').map(str::to_string));
            for s in &a.synonyms {
                known_words.extend(s.phrase.iter().cloned());
            }
            for s in &a.slots {
                if let SlotKind::Enum { values } = &s.kind {
                    for syns in values.values() {
                        known_words.extend(syns.iter().cloned());
                    }
                }
            }
        }
        for (p, _) in &units {
            known_words.extend(p.iter().cloned());
        }
        known_words.extend(crate::numbers::NUMBER_WORDS.iter().map(|w| w.to_string()));
        known_words.extend(filler_words.iter().cloned());
        known_words.extend(connectives.iter().cloned());
        let mut english_words = known_words.clone();
        english_words.extend(lower_all(raw.english_words));
        english_words.extend(stop_words.iter().cloned());
        english_words.extend(strip_words.iter().cloned());
        english_words.extend(deictic_words.iter().cloned());
        english_words.extend(relation_words.iter().cloned());
        english_words.extend(homophones.keys().cloned());
        english_words.extend(respellings.iter().flat_map(|(heard, _)| heard.iter().cloned()));
        english_words.extend(number_homophones.keys().cloned());
        english_words.extend(vague_amounts.iter().cloned());
        for w in [&stop_activities, &stop_objects, &others_activities, &others_belongings, &question_auxiliaries, &not_request_words, &report_subjects, &question_openers, &undecided_words, &polite_condition_words, &choice_words, &not_objects, &idiom_verbs, &idiom_objects, &exclusion_words, &path_words] {
            english_words.extend(w.iter().cloned());
        }
        for p in stop_phrases
            .iter()
            .chain(&stop_utterances)
            .chain(&not_stop_utterances)
            .chain(&stop_nouns)
            .chain(&correction_markers)
            .chain(&filler_phrases)
            .chain(&softening_amounts)
            .chain(&remark_closers)
            .chain(&encouragements)
            .chain(&injection_phrases)
            .chain(&idiom_phrases)
            .chain(&addressees)
            .chain(&group_addressees)
        {
            english_words.extend(p.iter().cloned());
        }
        // A name that is also a word the vocabulary knows ("max speed", "robbie" said to the
        // robot) is read as that word.
        let person_names = lower_all(raw.person_names).into_iter().filter(|n| !english_words.contains(n)).collect();

        Ok(Self {
            max_input_chars: raw.limits.max_input_chars,
            min_ascii_letter_ratio: raw.limits.min_ascii_letter_ratio,
            text_max_chars: raw.text_slots.max_chars,
            actions,
            stop_words,
            stop_phrases,
            pause_phrases,
            stop_utterances,
            not_stop_utterances,
            stop_nouns,
            stop_activities,
            praise_words,
            stop_objects,
            others_activities,
            others_belongings,
            word_names,
            kin_words,
            spelling_alphabet,
            collision_objects,
            llm_stop_cues,
            question_auxiliaries,
            homophones,
            number_homophones,
            respellings,
            correction_markers,
            light_verbs,
            vague_amounts,
            label_nouns,
            not_request_words,
            report_subjects,
            negation_words,
            question_openers,
            undecided_words,
            stairs_words,
            alone_phrases,
            outside_words,
            polite_condition_words,
            idiom_phrases,
            delay_phrases,
            serial_verbs,
            filler_phrases,
            softening_amounts,
            remark_closers,
            polite_conditions,
            past_forms,
            encouragements,
            filler_words,
            injection_phrases,
            connectives,
            strip_words,
            deictic_words,
            relation_words,
            destination_words,
            choice_words,
            exclusion_words,
            cut_words,
            inner_words,
            path_words,
            target_tails,
            addressees,
            group_addressees,
            not_objects,
            idiom_verbs,
            idiom_objects,
            given_doings,
            target_aliases,
            known_targets,
            units,
            unit_words,
            dimensions,
            known_words,
            english_words,
            person_names,
            robot_names: ROBOT_NAMES.iter().map(|n| n.to_string()).collect(),
            index,
        })
    }

    /// Declared actions (without the built-in `unknown`).
    pub fn actions(&self) -> &[ActionSpec] {
        &self.actions
    }

    pub fn action(&self, name: &str) -> Option<&ActionSpec> {
        self.index.get(name).map(|&i| &self.actions[i])
    }

    pub fn units(&self) -> impl Iterator<Item = (&[String], &Unit)> {
        self.units.iter().map(|(p, u)| (p.as_slice(), u))
    }
}

impl Vocabulary {
    /// The target a spoken target phrase stands for when the vocabulary
    /// declares it an alias ("me", "someone" -> "person"), so grounding gets
    /// a name the detector uses. Leading strip words are ignored ("the
    /// person"), except the last word ("her").
    pub fn canonical_target(&self, target: &str) -> Option<&str> {
        let mut words: Vec<&str> = target.split_whitespace().collect();
        while words.len() > 1 && self.strip_words.contains(words[0]) {
            words.remove(0);
        }
        self.target_aliases
            .iter()
            .find(|(p, c)| {
                *c == words.join(" ") || p.iter().map(String::as_str).eq(words.iter().copied())
            })
            .map(|(_, c)| c.as_str())
    }

    /// "go to the kitchin", "head to the frnt door", "go to the livingroom": a target holding a
    /// word no dictionary or list knows, one letter (two from eight letters on; spaces aside) from
    /// exactly one of `known_targets`, is that one misheard or mistyped. "go to the kit chin",
    /// "go to the front dour": speech recognition splits and mishears into real words too, so a
    /// target of two or more known words exactly one letter from one known target is that one,
    /// unless its last word is a known place or thing itself ("the sports hall" is no misheard
    /// sports ball), a word is a letter ("table b" is a table of many), its letters are a known
    /// one's split otherwise ("tooth brush" stays as said) or its plural ("the wine glasses").
    /// A single known word is kept as said ("clipboard" is no misheard cupboard), and so is a
    /// target further off ("remort"), or as near two known ones.
    pub fn known_target_near(&self, target: &str) -> Option<&str> {
        let letters = |w: &str| w.chars().all(|c| c.is_ascii_lowercase());
        let unknown = |w: &str| {
            letters(w)
                && !self.english_words.contains(w)
                && !self.person_names.contains(w)
                && !crate::english::is_word(w)
        };
        if self.known_targets.contains_key(target) {
            return None;
        }
        let words: Vec<&str> = target.split_whitespace().collect();
        let misheard_word = words.iter().any(|w| unknown(w));
        let misheard_words = !misheard_word
            && words.len() >= 2
            && words.iter().all(|w| letters(w) && w.len() > 1)
            && words.last().is_some_and(|w| !self.known_targets.contains_key(*w));
        if !misheard_word && !misheard_words {
            return None;
        }
        let joined: String = words.concat();
        let n = joined.chars().count();
        if n < MIN_SNAPPED_CHARS {
            return None;
        }
        let limit = if misheard_words || n < 8 { 1 } else { 2 };
        let near: Vec<(usize, &String, &String)> = self
            .known_targets
            .iter()
            .map(|(k, k_joined)| (strsim::damerau_levenshtein(&joined, k_joined), k, k_joined))
            .filter(|(d, _, _)| *d <= limit)
            .collect();
        let least = near.iter().map(|(d, _, _)| *d).min()?;
        if misheard_words && least == 0 {
            return None;
        }
        match near.iter().filter(|(d, _, _)| *d == least).collect::<Vec<_>>()[..] {
            [(_, k, k_joined)] if !(misheard_words && joined.strip_suffix('s') == Some(k_joined.as_str())) => {
                Some(k.as_str())
            }
            _ => None,
        }
    }

    /// Whether `words` end on one of `polite_conditions` ("it would help me if you").
    pub(crate) fn after_polite_condition(&self, words: &[String]) -> bool {
        self.polite_conditions.iter().any(|p| words.ends_with(p))
    }

    /// The noun a target is about: its last word before a relation ("the instructions in the
    /// manual": instructions).
    pub(crate) fn head_noun<'t>(&self, words: &[&'t str]) -> Option<&'t str> {
        let end = words
            .iter()
            .position(|w| self.relation_words.contains(*w) || self.inner_words.contains(*w) || self.cut_words.contains(*w))
            .unwrap_or(words.len());
        words[..end].last().copied()
    }

    /// `w` calls a person by a given name: one of `person_names`, not one said in an oath
    /// ("jesus stop", "oh lord hold on").
    pub(crate) fn calls_by_name(&self, w: &str) -> bool {
        self.person_names.contains(w) && !matches!(w, "jesus" | "christ" | "god" | "lord")
    }

    /// `w` calls someone: by a given name ([`Self::calls_by_name`]) or by what they are to the
    /// speaker ("mum", "grandad").
    pub(crate) fn calls_someone(&self, w: &str) -> bool {
        self.calls_by_name(w) || self.kin_words.contains(w)
    }

    /// `w` alone is one of `addressees`: who is spoken to, said after a thing ("hen", "buddy").
    pub(crate) fn is_addressee(&self, w: &str) -> bool {
        self.addressees.iter().any(|a| a.len() == 1 && a[0] == w)
    }

    /// `w` is the first word of some action's phrase ("take", "pick", "go").
    pub(crate) fn opens_an_action_phrase(&self, w: &str) -> bool {
        self.actions.iter().flat_map(|a| &a.synonyms).any(|s| s.phrase.first().is_some_and(|p| p == w))
    }

    /// The word of a target `words` that makes an idiom of the action phrase `phrase`, if one
    /// does: its last word ("take a seat"), or the noun before a phrase of its own ("follow the
    /// instructions in the manual"), not before a relation word inside a name ("the walk in
    /// freezer").
    pub(crate) fn idiom_word<'t>(&self, phrase: &[String], words: &[&'t str]) -> Option<&'t str> {
        // "the tab for table nine": "of" and "for" end the head noun with or without an article.
        let relation = words.iter().position(|w| self.relation_words.contains(*w) || matches!(*w, "of" | "for"));
        let head = relation.and_then(|end| {
            let opens_phrase = matches!(words[end], "of" | "for") || words.get(end + 1).is_some_and(|w| self.strip_words.contains(*w));
            if opens_phrase { words[..end].last().copied() } else { None }
        });
        // "the muster point", "the pick up point": a place named by what happens there.
        // (Not the action's own words: "go to the pick up point" is no pick_up of a point.)
        let place_point = |w: &str| {
            w == "point"
                && words.iter().filter(|x| !self.strip_words.contains(**x)).count() >= 2
                && !words.iter().any(|x| phrase.iter().any(|p| p == x))
        };
        // After a relation word the last word says where the thing is, not what it is: "take the
        // book on the left", "the big box in corner you take". Not after an action's own word, whose
        // particle is part of a name: "the pick up point".
        let particle = |end: usize| self.opens_an_action_phrase(words[end - 1]);
        let last = if relation.is_some_and(|end| end > 0 && !particle(end)) { None } else { words.last().copied() };
        head.into_iter().chain(last).find(|w| self.is_idiom_target(phrase, w) && !place_point(w))
    }

    /// `target` (one word, or the head noun of a longer target) after the action phrase `phrase` makes an idiom
    /// ("take a seat", "look at the time"), not a thing to act on.
    pub(crate) fn is_idiom_target(&self, phrase: &[String], target: &str) -> bool {
        self.not_objects.contains(target)
            || (phrase.first().is_some_and(|v| self.idiom_verbs.contains(v))
                && phrase[1..].iter().all(|w| matches!(w.as_str(), "me" | "us"))
                && self.idiom_objects.contains(target))
            || (phrase.first().is_some_and(|v| matches!(v.as_str(), "give" | "giz" | "gis" | "gimme")) && self.given_doings.contains(target))
    }

    /// A target of pointing words only ("there", "that way", "it"): nothing
    /// a detector or map could find.
    pub fn is_deictic_target(&self, target: &str) -> bool {
        target.split_whitespace().all(|w| {
            let w = w.to_lowercase();
            self.deictic_words.contains(&w) || self.strip_words.contains(&w)
        })
    }

    /// Alias phrases of the canonical target `canonical`.
    pub(crate) fn target_alias_phrases<'a>(
        &'a self,
        canonical: &'a str,
    ) -> impl Iterator<Item = &'a [String]> + 'a {
        self.target_aliases
            .iter()
            .filter(move |(_, c)| c == canonical)
            .map(|(p, _)| p.as_slice())
    }
}

impl Vocabulary {
    /// Declared unit dimensions (length, angle, ...).
    pub fn dimensions(&self) -> impl Iterator<Item = &str> {
        self.dimensions.iter().map(String::as_str)
    }
}
