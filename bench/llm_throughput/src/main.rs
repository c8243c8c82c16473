//! Time to first token and decode rate of `llm_engine`, driven the way the command parser
//! drives it: the node's prompt prefix cached once, its grammar, greedy decoding, the
//! utterances of the development set that the fast path hands to the LLM, one inference thread
//! pinned to the inference CPU set. No ROS and no arbiter: this is the engine alone.
//!
//! `--dump-prompt PATH` writes the exact prompt pieces, the GBNF and the utterances as JSON so
//! that a reference (bench/command_latency.py runs llama-cpp-python on it) decodes the same
//! tokens under the same grammar.
//!
//! Usage: `llm_throughput [--model GGUF] [--threads N] [--runs N] [--json PATH] [--dump-prompt PATH]`
//! (model default: $AIHAT_LLM_MODEL)

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context};
use command_grammar::{fast_path, gbnf, FastPathOutcome, Vocabulary};
use llm_engine::{prompt, EngineConfig, LlmEngine, PromptFormat, StepOutcome};
use serde_json::json;

struct Args {
    model: PathBuf,
    threads: usize,
    runs: usize,
    json: Option<PathBuf>,
    dump_prompt: Option<PathBuf>,
}

fn args() -> anyhow::Result<Args> {
    let mut a = Args {
        model: std::env::var_os("AIHAT_LLM_MODEL").map(PathBuf::from).unwrap_or_default(),
        threads: 0,
        runs: 60,
        json: None,
        dump_prompt: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut v = || it.next().with_context(|| format!("{k} needs a value"));
        match k.as_str() {
            "--model" => a.model = v()?.into(),
            "--threads" => a.threads = v()?.parse()?,
            "--runs" => a.runs = v()?.parse()?,
            "--json" => a.json = Some(v()?.into()),
            "--dump-prompt" => a.dump_prompt = Some(v()?.into()),
            "-h" | "--help" => {
                println!("{}", include_str!("main.rs").lines().take_while(|l| l.starts_with("//!")).map(|l| l.trim_start_matches("//! ").trim_start_matches("//!")).collect::<Vec<_>>().join("\n"));
                std::process::exit(0);
            }
            _ => bail!("unknown argument {k} (--help)"),
        }
    }
    if a.model.as_os_str().is_empty() {
        bail!("no model: pass --model or set AIHAT_LLM_MODEL (source ~/.cache/aihat_ros/env.sh)");
    }
    Ok(a)
}

/// The development-set utterances the fast path does not parse: what reaches the LLM.
fn llm_utterances(vocab: &Vocabulary) -> anyhow::Result<Vec<String>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/commands_dev.yaml");
    let dev: Vec<serde_yaml_ng::Value> = serde_yaml_ng::from_str(&std::fs::read_to_string(path).context(path)?)?;
    let texts: Vec<String> = dev
        .iter()
        .filter_map(|c| c.get("text")?.as_str().map(str::to_owned))
        .filter(|t| matches!(fast_path(vocab, t), FastPathOutcome::NeedsLlm { .. }))
        .collect();
    if texts.is_empty() {
        bail!("no utterance of {path} goes to the LLM");
    }
    Ok(texts)
}

fn pct(v: &[f64], p: f64) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return f64::NAN;
    }
    let i = ((p / 100.0 * v.len() as f64 + 0.5).round() as usize).clamp(1, v.len()) - 1;
    v[i]
}

fn main() -> anyhow::Result<()> {
    let a = args()?;
    let vocab = Arc::new(Vocabulary::default_vocabulary()?);
    let texts = llm_utterances(&vocab)?;
    // The node's CPU plan on this machine: the inference set, the last core left to the robot.
    let plan = npu_arbiter::cpuset::plan_from_system(1)?;
    npu_arbiter::cpuset::pin_current_thread(&plan.inference_cpus)?;
    let threads = if a.threads > 0 { a.threads } else { plan.inference_threads() };

    let fmt = PromptFormat::default();
    if let Some(path) = &a.dump_prompt {
        let dump = json!({
            "prefix": prompt::prefix(&vocab, &fmt),
            "user_texts": texts.iter().map(|t| prompt::user_text(t)).collect::<Vec<_>>(),
            "texts": texts,
            "turn_close": prompt::turn_close(&fmt),
            "grammar": gbnf(&vocab),
            "cpus": plan.inference_cpus,
            "threads": threads,
        });
        std::fs::write(path, serde_json::to_string_pretty(&dump)?)?;
    }

    let mut cfg = EngineConfig::new(&a.model);
    cfg.n_threads = threads as i32;
    let t = Instant::now();
    let mut engine = LlmEngine::load(cfg, vocab.clone())?;
    let load_ms = t.elapsed().as_secs_f64() * 1e3;
    let prefix_ms = engine.warm_up()?.as_secs_f64() * 1e3;
    // One pass over the utterances unmeasured: first-touch page faults and allocator growth.
    for text in &texts {
        engine.generate(text)?;
    }

    let (mut ttft, mut rate, mut tokens, mut total, mut prompt_tokens) = (vec![], vec![], vec![], vec![], vec![]);
    let mut outputs = Vec::new();
    for i in 0..a.runs {
        let text = &texts[i % texts.len()];
        let mut g = engine.start(text);
        let reply = loop {
            if let StepOutcome::Finished(r) = g.step()? {
                break r;
            }
        };
        let tm = &reply.timings;
        let first = tm.time_to_first_token.context("no token generated")?.as_secs_f64();
        ttft.push(first * 1e3);
        // Between the first and the last sampled token, the same span the reference measures.
        if tm.generated_tokens > 1 {
            rate.push((tm.generated_tokens - 1) as f64 / (tm.total.as_secs_f64() - first));
        }
        tokens.push(tm.generated_tokens as f64);
        total.push(tm.total.as_secs_f64() * 1e3);
        prompt_tokens.push(tm.prompt_tokens_evaluated as f64);
        if i < texts.len() {
            outputs.push(json!({"text": text, "json": reply.json}));
        }
    }
    let summary = json!({
        "engine": "llm_engine (llama-cpp-2)",
        "model": a.model.file_name().map(|f| f.to_string_lossy().into_owned()),
        "threads": threads,
        "cpus": plan.inference_cpus,
        "runs": a.runs,
        "utterances": texts.len(),
        "prefix_tokens": engine.prefix_token_count(),
        "load_ms": load_ms,
        "prefix_eval_ms": prefix_ms,
        "ttft_ms": ttft,
        "decode_tok_s": rate,
        "generated_tokens": tokens,
        "total_ms": total,
        "prompt_tokens_evaluated": prompt_tokens,
        "outputs": outputs,
    });
    println!(
        "llm_engine, {} thread(s) on cpus {:?}, {} runs over {} utterances (prefix {} tokens cached in {:.0} ms):",
        threads, plan.inference_cpus, a.runs, texts.len(), engine.prefix_token_count(), prefix_ms
    );
    println!(
        "  time to first token p50 {:.1} ms p99 {:.1} ms; decode p50 {:.1} tok/s; {:.0} tokens and {:.0} prompt tokens per reply (p50); reply p50 {:.0} ms",
        pct(&ttft, 50.0), pct(&ttft, 99.0), pct(&rate, 50.0), pct(&tokens, 50.0), pct(&prompt_tokens, 50.0), pct(&total, 50.0)
    );
    if let Some(path) = &a.json {
        std::fs::write(path, serde_json::to_string_pretty(&summary)?)?;
    }
    Ok(())
}
