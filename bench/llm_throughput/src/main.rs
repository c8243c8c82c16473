//! Time to first token and decode rate of `llm_engine`, driven the way the command parser
//! drives it: the node's prompt prefix cached once, its grammar, greedy decoding, the
//! utterances of the development set that the fast path hands to the LLM, one inference thread
//! pinned to the inference CPU set. No ROS and no arbiter: this is the engine alone.
//!
//! `--dump-prompt PATH` writes the exact prompt pieces, the GBNF and the utterances as JSON so
//! that a reference (bench/command_latency.py runs llama-cpp-python on it) decodes the same
//! tokens under the same grammar.
//!
//! `--serve` keeps the loaded engine and runs batches on request (a line `N` on stdin, one JSON
//! line of figures back), so that a driver can interleave it with a reference engine.
//!
//! Usage: `llm_throughput [--model GGUF] [--threads N] [--runs N] [--json PATH] [--dump-prompt PATH] [--serve] [--flash-attention] [--devset YAML]`
//! (model default: $AIHAT_LLM_MODEL; dev set default: the checkout this binary was built from)

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context};
use command_grammar::{fast_path, gbnf, gbnf_for, FastPathOutcome, Vocabulary};
use llm_engine::{prompt, EngineConfig, LlmEngine, PromptFormat, StepOutcome};
use serde_json::json;

struct Args {
    model: PathBuf,
    threads: usize,
    runs: usize,
    json: Option<PathBuf>,
    dump_prompt: Option<PathBuf>,
    serve: bool,
    flash_attention: bool,
    devset: PathBuf,
}

fn args() -> anyhow::Result<Args> {
    let mut a = Args {
        model: std::env::var_os("AIHAT_LLM_MODEL").map(PathBuf::from).unwrap_or_default(),
        threads: 0,
        runs: 60,
        json: None,
        dump_prompt: None,
        serve: false,
        flash_attention: false,
        // A binary may outlive its checkout (a shared target directory): drivers pass --devset.
        devset: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/commands_dev.yaml")),
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
            "--serve" => a.serve = true,
            "--flash-attention" => a.flash_attention = true,
            "--devset" => a.devset = v()?.into(),
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
fn llm_utterances(vocab: &Vocabulary, path: &std::path::Path) -> anyhow::Result<Vec<String>> {
    let dev: Vec<serde_yaml_ng::Value> =
        serde_yaml_ng::from_str(&std::fs::read_to_string(path).with_context(|| path.display().to_string())?)?;
    let texts: Vec<String> = dev
        .iter()
        .filter_map(|c| c.get("text")?.as_str().map(str::to_owned))
        .filter(|t| matches!(fast_path(vocab, t), FastPathOutcome::NeedsLlm { .. }))
        .collect();
    if texts.is_empty() {
        bail!("no utterance of {} goes to the LLM", path.display());
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
    let texts = llm_utterances(&vocab, &a.devset)?;
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
            // What llm_engine decodes under: the grammar narrowed to each utterance.
            "grammars": texts.iter().map(|t| gbnf_for(&vocab, t)).collect::<Vec<_>>(),
            "cpus": plan.inference_cpus,
            "threads": threads,
        });
        std::fs::write(path, serde_json::to_string_pretty(&dump)?)?;
    }

    let mut cfg = EngineConfig::new(&a.model);
    cfg.n_threads = threads as i32;
    cfg.flash_attention = a.flash_attention;
    let t = Instant::now();
    let mut engine = LlmEngine::load(cfg, vocab.clone())?;
    let load_ms = t.elapsed().as_secs_f64() * 1e3;
    let prefix_ms = engine.warm_up()?.as_secs_f64() * 1e3;
    // A few utterances unmeasured: first-touch page faults and allocator growth (not all of
    // them: ~200 of the dev set reach the LLM, minutes of decoding).
    for text in texts.iter().take(WARM_UP) {
        engine.generate(text)?;
    }
    let mut runs = Runs::default();
    let head = json!({
        "engine": "llm_engine (llama-cpp-2)",
        "model": a.model.file_name().map(|f| f.to_string_lossy().into_owned()),
        "threads": threads,
        "cpus": plan.inference_cpus,
        "utterances": texts.len(),
        "prefix_tokens": engine.prefix_token_count(),
        "load_ms": load_ms,
        "prefix_eval_ms": prefix_ms,
        "llama_system_info": llm_engine::system_info()?,
    });

    if a.serve {
        // One JSON line when ready, then per stdin line `N`, N more runs (the utterances keep
        // cycling) and one JSON line with their figures; EOF ends. bench/command_latency.py
        // alternates batches between this and the reference so that load drift hits both alike.
        let mut out = std::io::stdout().lock();
        writeln!(out, "{head}")?;
        out.flush()?;
        for line in std::io::stdin().lock().lines() {
            let n: usize = line?.trim().parse().context("serve: expected a run count")?;
            // The utterances keep cycling across batches.
            let mut batch = Runs { next: runs.next, ..Runs::default() };
            for _ in 0..n {
                batch.run(&mut engine, &texts)?;
            }
            runs.next = batch.next;
            writeln!(out, "{}", batch.to_json())?;
            out.flush()?;
        }
        return Ok(());
    }

    for _ in 0..a.runs {
        runs.run(&mut engine, &texts)?;
    }
    let mut summary = head.clone();
    summary["runs"] = json!(a.runs);
    if let (Some(obj), serde_json::Value::Object(r)) = (summary.as_object_mut(), runs.to_json()) {
        obj.extend(r);
    }
    println!(
        "llm_engine, {} thread(s) on cpus {:?}, {} runs over {} utterances (prefix {} tokens cached in {:.0} ms):",
        threads, plan.inference_cpus, a.runs, texts.len(), engine.prefix_token_count(), prefix_ms
    );
    println!(
        "  time to first token p50 {:.1} ms p99 {:.1} ms; decode p50 {:.1} tok/s; {:.0} tokens and {:.0} prompt tokens per reply (p50); reply p50 {:.0} ms",
        pct(&runs.ttft, 50.0), pct(&runs.ttft, 99.0), pct(&runs.rate, 50.0), pct(&runs.tokens, 50.0),
        pct(&runs.prompt_tokens, 50.0), pct(&runs.total, 50.0)
    );
    println!(
        "  stages p50 (ms): {}",
        STAGES.iter().zip(&runs.stages).map(|(k, v)| format!("{k} {:.2}", pct(v, 50.0))).collect::<Vec<_>>().join(", ")
    );
    println!("  llama.cpp system info: {}", llm_engine::system_info()?);
    if let Some(path) = &a.json {
        std::fs::write(path, serde_json::to_string_pretty(&summary)?)?;
    }
    Ok(())
}

/// Utterances decoded, unmeasured, before the measured runs (the reference does the same).
const WARM_UP: usize = 8;

/// Per stage, ms per reply: which part of the time to first token and of the decode is whose
/// (the per-token ones are averages over the reply's tokens).
const STAGES: [&str; 7] = [
    "tokenize", "prompt_eval", "sampler_reset", "first_sample",
    "sample_per_token", "confidence_per_token", "token_eval_per_token",
];

/// Figures of a series of generations.
#[derive(Default)]
struct Runs {
    next: usize,
    ttft: Vec<f64>,
    rate: Vec<f64>,
    tokens: Vec<f64>,
    total: Vec<f64>,
    prompt_tokens: Vec<f64>,
    stages: [Vec<f64>; 7],
    outputs: Vec<serde_json::Value>,
}

impl Runs {
    fn run(&mut self, engine: &mut LlmEngine, texts: &[String]) -> anyhow::Result<()> {
        let i = self.next;
        self.next += 1;
        let text = &texts[i % texts.len()];
        let mut g = engine.start(text);
        let reply = loop {
            if let StepOutcome::Finished(r) = g.step()? {
                break r;
            }
        };
        let tm = &reply.timings;
        let first = tm.time_to_first_token.context("no token generated")?.as_secs_f64();
        self.ttft.push(first * 1e3);
        // Between the first and the last sampled token, the same span the reference measures.
        if tm.generated_tokens > 1 {
            self.rate.push((tm.generated_tokens - 1) as f64 / (tm.total.as_secs_f64() - first));
        }
        self.tokens.push(tm.generated_tokens as f64);
        self.total.push(tm.total.as_secs_f64() * 1e3);
        self.prompt_tokens.push(tm.prompt_tokens_evaluated as f64);
        let st = &tm.stages;
        let n = tm.generated_tokens.max(1) as f64;
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
        // Besides the prefill, the time to first token holds the first token's sampling.
        let first_sample = first * 1e3 - ms(tm.prefill);
        for (v, x) in self.stages.iter_mut().zip([
            ms(st.tokenize), ms(st.prompt_eval), ms(st.sampler_reset), first_sample,
            ms(st.sample) / n, ms(st.confidence) / n, ms(st.token_eval) / (n - 1.0).max(1.0),
        ]) {
            v.push(x);
        }
        if i < texts.len() {
            self.outputs.push(json!({"text": text, "json": reply.json}));
        }
        Ok(())
    }

    fn to_json(&self) -> serde_json::Value {
        json!({
            "ttft_ms": self.ttft,
            "decode_tok_s": self.rate,
            "generated_tokens": self.tokens,
            "total_ms": self.total,
            "prompt_tokens_evaluated": self.prompt_tokens,
            "stages_ms": STAGES.iter().zip(&self.stages).map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "outputs": self.outputs,
        })
    }
}
