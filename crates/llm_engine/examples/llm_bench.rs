//! Time to first token and tokens/s with and without the prefix cache.
//! Run: cargo run --release -p llm_engine --example llm_bench -- [model.gguf] [threads]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use command_grammar::Vocabulary;
use llm_engine::{EngineConfig, GenerationTimings, LlmEngine};

const INPUTS: &[&str] = &[
    "scoot forward a little",
    "could you um turn right a bit",
    "tell me a joke",
    "set it down gently",
    "take two steps back",
    "go over there",
    "make me a coffee",
    "face left",
];

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn run(engine: &mut LlmEngine, label: &str) -> Result<(), Box<dyn std::error::Error>> {
    let mut all: Vec<GenerationTimings> = Vec::new();
    for text in INPUTS {
        all.push(engine.generate(text)?.timings);
    }
    let ttft = median(
        all.iter()
            .map(|t| {
                t.time_to_first_token
                    .unwrap_or(Duration::ZERO)
                    .as_secs_f64()
                    * 1e3
            })
            .collect(),
    );
    let prefill = median(all.iter().map(|t| t.prefill.as_secs_f64() * 1e3).collect());
    let tps = median(
        all.iter()
            .map(GenerationTimings::tokens_per_second)
            .collect(),
    );
    let toks = median(
        all.iter()
            .map(|t| t.prompt_tokens_evaluated as f64)
            .collect(),
    );
    let total = median(all.iter().map(|t| t.total.as_secs_f64() * 1e3).collect());
    println!(
        "{label:<22} median: prompt tokens evaluated {toks:.0}, prefill {prefill:.1} ms, TTFT {ttft:.1} ms, decode {tps:.1} tok/s, total {total:.1} ms"
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let model = args.get(1).map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo"))
            .join("../../models")
            .join(llm_engine::DEFAULT_MODEL_FILE)
    });
    let threads: i32 = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(2);
    let vocab = Arc::new(Vocabulary::default_vocabulary()?);
    let mut cfg = EngineConfig::new(&model);
    cfg.n_threads = threads;
    let mut engine = LlmEngine::load(cfg, vocab)?;
    println!(
        "model {} threads {threads}, prefix {} tokens",
        model.display(),
        engine.prefix_token_count()
    );
    let warm = engine.warm_up()?;
    println!(
        "prefix evaluation (once): {:.1} ms",
        warm.as_secs_f64() * 1e3
    );
    // One untimed generation so both runs start with warm caches.
    engine.generate("turn left")?;
    run(&mut engine, "with prefix cache")?;
    engine.set_prefix_cache(false);
    run(&mut engine, "without prefix cache")?;
    Ok(())
}
