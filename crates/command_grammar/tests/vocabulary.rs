use command_grammar::{gbnf, Command, SlotValue, Source, Vocabulary, VocabularyError};

const BASE: &str = include_str!("../../../params/vocabulary.yaml");

#[test]
fn default_vocabulary_has_the_required_actions() {
    let v = Vocabulary::default_vocabulary().unwrap();
    for a in [
        "stop",
        "move",
        "turn",
        "go_to",
        "follow",
        "find",
        "look_at",
        "pick_up",
        "put_down",
        "set_speed",
        "come_here",
        "wait",
        "resume",
        "describe_scene",
    ] {
        assert!(v.action(a).is_some(), "missing {a}");
    }
}

#[test]
fn bad_vocabularies_give_typed_errors() {
    let no_stop = BASE.replace(
        "  stop:\n    description: stop all motion immediately\n    synonyms: [[stop]]\n",
        "",
    );
    assert!(matches!(
        Vocabulary::from_yaml_str(&no_stop),
        Err(VocabularyError::MissingStop)
    ));
    let bad_range = BASE.replacen("max: 5.0", "max: -5.0", 1);
    assert!(matches!(
        Vocabulary::from_yaml_str(&bad_range),
        Err(VocabularyError::BadRange { .. })
    ));
    let bad_dim = BASE.replacen("dimension: length", "dimension: lenght", 1);
    assert!(matches!(
        Vocabulary::from_yaml_str(&bad_dim),
        Err(VocabularyError::UnknownDimension { .. })
    ));
    assert!(matches!(
        Vocabulary::from_yaml_str("version: [oops"),
        Err(VocabularyError::Yaml(_))
    ));
    let reserved = BASE.replace("  resume:\n", "  unknown:\n");
    assert!(matches!(
        Vocabulary::from_yaml_str(&reserved),
        Err(VocabularyError::ReservedAction(_))
    ));
    let bad_homophone = BASE.replacen("for: 4", "for: -4", 1);
    assert_ne!(bad_homophone, BASE);
    assert!(matches!(
        Vocabulary::from_yaml_str(&bad_homophone),
        Err(VocabularyError::InvalidLimit(_))
    ));
    assert!(matches!(
        Vocabulary::load(std::path::Path::new("/nonexistent/vocab.yaml")),
        Err(VocabularyError::Io { .. })
    ));
}

#[test]
fn validator_clamps_or_rejects_as_configured() {
    let v = Vocabulary::default_vocabulary().unwrap();
    let mut c = Command::new("move", Source::Llm, "x", 0.5);
    c.slots
        .insert("direction".into(), SlotValue::Enum("forward".into()));
    c.slots.insert(
        "speed_mps".into(),
        SlotValue::Number {
            value: 10.0,
            unit: "m/s".into(),
        },
    );
    let out = v.validate(c.clone()).unwrap();
    assert_eq!(out.slot("speed_mps").unwrap().as_f64(), Some(0.5));
    c.slots.insert(
        "distance_m".into(),
        SlotValue::Number {
            value: 50.0,
            unit: "m".into(),
        },
    );
    assert!(v.validate(c.clone()).is_err());
    assert!(v.finalize(c.clone()).is_unknown());
    c.slots.insert(
        "distance_m".into(),
        SlotValue::Number {
            value: f64::NAN,
            unit: "m".into(),
        },
    );
    assert!(v.validate(c.clone()).is_err());
    c.slots.remove("distance_m");
    c.slots
        .insert("direction".into(), SlotValue::Enum("up".into()));
    assert!(v.validate(c).is_err());
}

#[test]
fn json_has_the_documented_shape() {
    let v = Vocabulary::default_vocabulary().unwrap();
    let c = match command_grammar::fast_path(&v, "go forward two feet") {
        command_grammar::FastPathOutcome::Confident(c) => c,
        o => panic!("{o:?}"),
    };
    assert_eq!(
        c.to_json(&v),
        r#"{"action":"move","direction":"forward","distance_m":0.61,"confidence":0.95,"source":"fast_path","text":"go forward two feet"}"#
    );
    let back = Command::from_llm_json(&v, r#"{"action":"go_to","target":"The Kitchen"}"#, "t", 0.8)
        .unwrap();
    assert_eq!(
        back.slot("target"),
        Some(&SlotValue::Text("kitchen".into()))
    );
    assert!(Command::from_llm_json(&v, r#"{"action":"fly"}"#, "t", 0.8).is_err());
    assert!(Command::from_llm_json(&v, r#"{"action":"move","altitude":3}"#, "t", 0.8).is_err());
}

#[test]
fn gbnf_names_every_action_slot_and_enum_value() {
    let v = Vocabulary::default_vocabulary().unwrap();
    let g = gbnf(&v);
    assert!(g.starts_with("root ::= "));
    for a in v.actions() {
        assert!(g.contains(&format!("\\\"{}\\\"", a.name)), "{}", a.name);
        for s in &a.slots {
            assert!(g.contains(&format!("\\\"{}\\\"", s.name)));
        }
    }
    assert!(g.contains("\\\"backward\\\""));
    assert!(g.contains("a-unknown"));
}

#[test]
fn the_grammar_for_an_utterance_offers_only_the_numbers_it_said() {
    let v = Vocabulary::default_vocabulary().unwrap();
    // What the grammar offers after each `"name":` (up to the closing parenthesis).
    let slot = |g: &str, name: &str| {
        let key = format!("\\\"{name}\\\"\" \":\" ws ");
        g.lines()
            .flat_map(|l| l.split(key.as_str()).skip(1).map(|rest| rest.split(')').next().unwrap_or("").to_string()).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    };
    // Converted to the slot's unit; no free digits anywhere.
    let g = command_grammar::gbnf_for(&v, "uh back up like two feet");
    assert_eq!(slot(&g, "distance_m"), ["(\"0.6096\""]);
    assert!(!g.contains("[0-9]{1,"), "{g}");
    // A phrase's implied number, and an integer with or without ".0".
    let g = command_grammar::gbnf_for(&v, "turn around");
    assert_eq!(slot(&g, "angle_deg"), ["(\"180\" (\".0\""]);
    // No number said: no number slot can be written; an action that needs one is gone.
    let g = command_grammar::gbnf_for(&v, "go to the kitchen");
    for name in ["distance_m", "angle_deg", "duration_s", "speed_mps"] {
        assert!(slot(&g, name).is_empty(), "{name}: {g}");
    }
    let g = command_grammar::gbnf_for(&v, "speed up");
    assert!(g.contains("a-set-speed ::= ") && slot(&g, "speed_mps").is_empty(), "set_speed keeps its level: {g}");
    // A bare number is offered only to slots that take bare numbers.
    let g = command_grammar::gbnf_for(&v, "forward three");
    assert_eq!(slot(&g, "distance_m"), ["(\"3\" (\".0\""]);
    // A number said must be written where one slot alone can hold it; an action that cannot
    // hold it is gone, stop never.
    let g = command_grammar::gbnf_for(&v, "turn around to the right");
    assert!(g.contains(r#"a-turn ::= "\"turn\"" "," ws "\"angle_deg\"" ":" ws ("180" (".0")?) ","#), "{g}");
    let g = command_grammar::gbnf_for(&v, "keep going for two metres");
    assert!(g.contains("action ::= a-move | a-stop | a-unknown\n"), "{g}");
    // Every action is still offered where it can hold the numbers said.
    let g = command_grammar::gbnf_for(&v, "go look for the remote");
    assert!(g.contains("a-go-to | a-look-at | a-move"), "{g}");
    // The unnarrowed grammar keeps free digits.
    assert!(gbnf(&v).contains("[0-9]{1,6}"));
}

#[test]
fn the_grammar_for_an_utterance_offers_only_the_slot_words_it_said() {
    let v = Vocabulary::default_vocabulary().unwrap();
    let rule = |g: &str, action: &str| {
        g.lines().find(|l| l.starts_with(&format!("a-{action} ::= "))).unwrap_or_default().to_string()
    };
    // "maximum" says fast: level normal, which the check refuses, is not offered.
    let g = command_grammar::gbnf_for(&v, "use maximum speed");
    assert!(rule(&g, "set-speed").contains(r#"("\"fast\"")"#), "{g}");
    // "so slow" complains, as "too slow" does: both phrases say fast.
    let g = command_grammar::gbnf_for(&v, "bro ur so slow speed up");
    assert!(rule(&g, "set-speed").ends_with(r#"("\"fast\""))"#), "{g}");
    // Rival levels said ("slow", and "speed up" implies fast): the check takes neither, so the
    // optional slot is left out (the check then refuses a set_speed without a level).
    let g = command_grammar::gbnf_for(&v, "slow speed up");
    assert_eq!(rule(&g, "set-speed"), r#"a-set-speed ::= "\"set_speed\"""#, "{g}");
    // A direction said narrows every action with a direction; one not said leaves the slot whole
    // (the check refuses what the model writes there).
    let g = command_grammar::gbnf_for(&v, "shift to the left a bit");
    assert!(rule(&g, "move").ends_with(r#"("\"left\"")"#), "{g}");
    assert!(rule(&g, "turn").ends_with(r#"("\"left\"")"#), "{g}");
    let g = command_grammar::gbnf_for(&v, "turn the lights on");
    assert!(rule(&g, "turn").contains("left") && rule(&g, "turn").contains("right"), "{g}");
    // A half turn said without a direction may take either: both stay offered.
    let g = command_grammar::gbnf_for(&v, "turn around");
    assert!(rule(&g, "turn").contains("left") && rule(&g, "turn").contains("right"), "{g}");
    // An optional word slot none of whose values was said is left out: the number said remains.
    let g = command_grammar::gbnf_for(&v, "set velocity to point two five metres per second");
    assert!(!rule(&g, "set-speed").contains("level") && rule(&g, "set-speed").contains("0.25"), "{g}");
    // The action list is never narrowed by slot words.
    assert_eq!(
        command_grammar::gbnf_for(&v, "use maximum speed").lines().find(|l| l.starts_with("action ::=")),
        command_grammar::gbnf_for(&v, "use speed").lines().find(|l| l.starts_with("action ::="))
    );
}

#[test]
fn llm_commands_must_be_supported_by_the_utterance() {
    let v = Vocabulary::default_vocabulary().unwrap();
    let c = |json: &str| Command::from_llm_json(&v, json, "t", 0.7).unwrap();
    let ok = |json: &str, text: &str| command_grammar::check_support(&v, text, &c(json)).is_ok();
    assert!(!ok(r#"{"action":"move","direction":"right"}"#, "move"));
    assert!(ok(
        r#"{"action":"move","direction":"forward"}"#,
        "scoot ahead"
    ));
    // "wiggle" is no word of `move`: the action is not supported by the words.
    assert!(!ok(
        r#"{"action":"move","direction":"forward"}"#,
        "wiggle ahead"
    ));
    assert!(ok(
        r#"{"action":"move","direction":"forward"}"#,
        "roll ahead"
    ));
    assert!(!ok(
        r#"{"action":"go_to","target":"door"}"#,
        "go over there"
    ));
    assert!(ok(
        r#"{"action":"go_to","target":"garage"}"#,
        "head over to the garage"
    ));
    assert!(!ok(
        r#"{"action":"move","direction":"forward","distance_m":3}"#,
        "go ahead"
    ));
    assert!(ok(
        r#"{"action":"move","direction":"forward","distance_m":3}"#,
        "go ahead three metres"
    ));
    assert!(ok(
        r#"{"action":"set_speed","level":"fast"}"#,
        "speed up a bit"
    ));
    assert!(ok(r#"{"action":"unknown","reason":"x"}"#, "anything"));
}
