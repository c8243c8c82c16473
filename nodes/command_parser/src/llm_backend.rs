//! The command parser's LLM path on the backend chosen at start (parameter `backend`):
//! * `cpu`: llama.cpp (`llm_engine`), decoding constrained by a grammar made from the
//!   vocabulary, one arbiter grant per decoding step;
//! * `hailo` (built with the `hailo` or `hailo-double` feature): Hailo GenAI, see [`hailo`].
//!
//! Both run on the node's LLM thread and end the same way ([`Parse`]), so the node's pipeline
//! (fast path, stop, busy and arbiter refusals, grounding, publishing, the dry-run service) is
//! written once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use command_grammar::{Command, Vocabulary};
use llm_engine::{EngineConfig, LlmEngine, StepOutcome};
use npu_arbiter::{ArbiterClient, JobSpec, StepHint, StreamHandle};

#[cfg(any(feature = "hailo", feature = "hailo-double"))]
mod hailo;

/// Whether this executable has the Hailo backend in it.
const HAILO_BUILT: bool = cfg!(any(feature = "hailo", feature = "hailo-double"));

/// Expected device time of one llama.cpp step, for the arbiter until it has measurements.
const CPU_STEP_COST: Duration = Duration::from_millis(150);

/// What the CPU LLM's steps cost, learned from its own runs, sent to the arbiter with each step.
/// The prompt step costs several decode steps; without hints the arbiter averaged the two and
/// took the prompt step's excess after a vision frame for a model switch, until every frame
/// looked too late to run and detection went blind.
#[derive(Debug, Clone, PartialEq)]
pub struct StepCosts {
    prompt: Duration,
    decode: Duration,
    /// Tokens in a reply, on average.
    reply_tokens: f64,
}

impl Default for StepCosts {
    fn default() -> Self {
        // A cold guess (a 0.5B model on one Pi 5 core) until the first parse measures them.
        StepCosts { prompt: CPU_STEP_COST * 3, decode: CPU_STEP_COST, reply_tokens: 16.0 }
    }
}

impl StepCosts {
    const ALPHA: f64 = 0.25;

    /// The hint for the next step: after the prompt step (`prompted`) and `generated` tokens.
    pub fn hint(&self, prompted: bool, generated: usize) -> StepHint {
        let tokens_left = (self.reply_tokens - generated as f64).max(1.0);
        let decodes = self.decode.mul_f64(tokens_left);
        let (next, rest) = if prompted { (self.decode, decodes) } else { (self.prompt, self.prompt + decodes) };
        StepHint { next_step_cost_ns: Some(next.as_nanos() as u64), remaining_cost_ns: Some(rest.as_nanos() as u64) }
    }

    /// Learns from one step: the prompt step or a decode step.
    pub fn learn_step(&mut self, prompt_step: bool, measured: Duration) {
        let e = if prompt_step { &mut self.prompt } else { &mut self.decode };
        *e = e.mul_f64(1.0 - Self::ALPHA) + measured.mul_f64(Self::ALPHA);
    }

    pub fn learn_reply(&mut self, tokens: usize) {
        self.reply_tokens += Self::ALPHA * (tokens as f64 - self.reply_tokens);
    }
}

/// Which backend, checked at start whether or not the LLM is used: a robot configured for
/// the Hailo must not quietly run something else.
pub fn ensure_built(backend: &str) -> anyhow::Result<()> {
    match backend {
        "cpu" => Ok(()),
        "hailo" if HAILO_BUILT => Ok(()),
        "hailo" => anyhow::bail!(
            "backend `hailo` is not built into this executable: build command_parser with `--features hailo` \
             (needs HailoRT 5.x, on a Raspberry Pi 5 with the AI HAT+ 2; see the README's Hailo-10H section), or set backend:=cpu"
        ),
        other => anyhow::bail!("backend `{other}` is not built into this executable (cpu or hailo)"),
    }
}

/// The model file for `backend`: `model_path`, or for the CPU backend `env_model`
/// ($AIHAT_LLM_MODEL). A GGUF fallback would be the wrong kind of file for the Hailo.
pub fn model_path(backend: &str, model_path: &str, env_model: Option<String>) -> anyhow::Result<String> {
    if !model_path.is_empty() {
        return Ok(model_path.to_string());
    }
    match backend {
        "hailo" => anyhow::bail!(
            "backend `hailo` needs `model_path`: the LLM HEF compiled for hailo10h (e.g. Qwen2.5-1.5B-Instruct from the Hailo model zoo), or use_llm:=false"
        ),
        _ => env_model.filter(|m| !m.is_empty()).ok_or_else(|| {
            anyhow::anyhow!("no LLM model: set `model_path` (a GGUF file) or AIHAT_LLM_MODEL, or use_llm:=false")
        }),
    }
}

/// Expected device time of one arbiter grant: a decoding step on the CPU backend; on the Hailo
/// a whole reply, which the reply deadline cuts off, so the deadline bounds it (and the lease,
/// a multiple of this, never ends a reply in progress before it has been measured).
pub fn grant_cost(backend: &str, deadline: Duration) -> Duration {
    if backend == "hailo" {
        deadline
    } else {
        CPU_STEP_COST
    }
}

/// How an LLM parse ended.
pub enum Parse {
    /// Validated, or `unknown` with a reason.
    Done(Command),
    /// A stop came first; `generated` tokens had been produced.
    Aborted { generated: usize },
}

/// One utterance for the LLM thread, with what it needs from the node.
pub struct ParseJob<'a> {
    pub text: &'a str,
    /// The stop counter; the parse gives up once it differs from `epoch`.
    pub stops: tokio::sync::watch::Receiver<u64>,
    pub epoch: u64,
    pub arbiter: Option<&'a (ArbiterClient, StreamHandle)>,
    pub rt: &'a tokio::runtime::Handle,
    /// Whole-parse deadline for the arbiter; on the Hailo also each reply's.
    pub deadline: Duration,
    /// Hailo: replies asked for before answering `unknown`.
    #[cfg_attr(not(any(feature = "hailo", feature = "hailo-double")), allow(dead_code))]
    pub max_attempts: u32,
}

/// The loaded LLM; lives on the LLM thread.
pub enum Backend {
    Cpu(LlmEngine, StepCosts),
    #[cfg(any(feature = "hailo", feature = "hailo-double"))]
    Hailo(hailo::HailoBackend),
}

impl Backend {
    /// Loads the model (seconds: done once, at start).
    pub fn load(backend: &str, model: &str, threads: usize, vocab: Arc<Vocabulary>) -> anyhow::Result<Self> {
        ensure_built(backend)?;
        #[cfg(any(feature = "hailo", feature = "hailo-double"))]
        if backend == "hailo" {
            return Ok(Backend::Hailo(hailo::HailoBackend::load(model, vocab)?));
        }
        // Which SIMD kernels llama.cpp runs (AVX2 on x86, NEON / ARM_FMA / DOTPROD on a Pi 5): a
        // build without them is several times slower and says so nowhere else.
        tracing::info!("llama.cpp system info: {}", llm_engine::system_info()?);
        let mut cfg = EngineConfig::new(model);
        cfg.n_threads = threads as i32;
        let mut engine = LlmEngine::load(cfg, vocab)?;
        // The fixed prompt prefix is evaluated once here; every command reuses its KV cache.
        let t = engine.warm_up()?;
        tracing::info!(model = %model, prefix_ms = t.as_secs_f64() * 1e3, "LLM loaded, prompt prefix cached");
        Ok(Backend::Cpu(engine, StepCosts::default()))
    }

    pub fn parse(&mut self, job: ParseJob) -> anyhow::Result<Parse> {
        tracing::info!(text = %job.text, "LLM parse started");
        match self {
            Backend::Cpu(engine, costs) => generate_stepwise(engine, costs, job),
            #[cfg(any(feature = "hailo", feature = "hailo-double"))]
            Backend::Hailo(h) => h.parse(job),
        }
    }
}

/// Runs one llama.cpp generation step by step, each step under its own arbiter grant. The
/// generation gives up as soon as it sees a stop count other than the one it started under,
/// between steps or while it waits for a grant (vision may hold the device for a whole
/// inference, and the stop must not wait for it).
fn generate_stepwise(engine: &mut LlmEngine, costs: &mut StepCosts, job: ParseJob) -> anyhow::Result<Parse> {
    let ParseJob { text, mut stops, epoch, arbiter, rt, deadline, .. } = job;
    let mut generation = engine.start(text);
    let mut pending = match arbiter {
        Some((client, stream)) => {
            let first = costs.hint(false, 0);
            let job = JobSpec {
                deadline_ns: Some(npu_arbiter::monotonic_ns() + deadline.as_nanos() as u64),
                next_step_cost_ns: first.next_step_cost_ns,
                remaining_cost_ns: first.remaining_cost_ns,
                ..Default::default()
            };
            Some(rt.block_on(client.submit(stream, job))?)
        }
        None => None,
    };
    loop {
        if *stops.borrow() != epoch {
            // Dropping the pending job or grant cancels it at the arbiter.
            return Ok(Parse::Aborted { generated: generation.abort().generated_tokens });
        }
        let grant = match pending.take() {
            Some(p) => {
                let granted = rt.block_on(async {
                    tokio::select! {
                        g = p.wait_grant() => Some(g),
                        _ = stops.wait_for(|e| *e != epoch) => None,
                    }
                });
                match granted {
                    Some(g) => Some(g?),
                    None => return Ok(Parse::Aborted { generated: generation.abort().generated_tokens }),
                }
            }
            None => None,
        };
        let started = Instant::now();
        let outcome = generation.step()?;
        let measured = started.elapsed();
        costs.learn_step(matches!(outcome, StepOutcome::Prefilled), measured);
        match (outcome, grant) {
            (StepOutcome::Finished(reply), g) => {
                if let Some(g) = g {
                    let _ = rt.block_on(g.finish(measured));
                }
                costs.learn_reply(reply.timings.generated_tokens);
                tracing::info!(json = %reply.json, ttft_ms = reply.timings.time_to_first_token.map(|d| d.as_secs_f64() * 1e3),
                    tok_per_s = reply.timings.tokens_per_second(), "LLM reply");
                return Ok(Parse::Done(reply.command));
            }
            (_, Some(g)) => {
                let next = costs.hint(true, generation.timings().generated_tokens);
                pending = Some(rt.block_on(g.finish_step(measured, next))?);
            }
            (_, None) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hailo_is_refused_at_start_unless_built_in() {
        assert!(ensure_built("cpu").is_ok());
        let r = ensure_built("hailo");
        if HAILO_BUILT {
            assert!(r.is_ok());
        } else {
            let e = r.unwrap_err().to_string();
            assert!(e.contains("not built") && e.contains("--features hailo"), "{e}");
        }
        assert!(ensure_built("tpu").is_err());
    }

    #[test]
    fn hailo_needs_its_own_model_path() {
        // $AIHAT_LLM_MODEL names a GGUF: never used as a HEF.
        let e = model_path("hailo", "", Some("/m/default.gguf".into())).unwrap_err().to_string();
        assert!(e.contains("model_path") && e.contains("HEF"), "{e}");
        assert_eq!(model_path("hailo", "/m/qwen.hef", None).unwrap(), "/m/qwen.hef");
        assert_eq!(model_path("cpu", "", Some("/m/default.gguf".into())).unwrap(), "/m/default.gguf");
        assert_eq!(model_path("cpu", "/m/other.gguf", Some("/m/default.gguf".into())).unwrap(), "/m/other.gguf");
        for env in [None, Some(String::new())] {
            let e = model_path("cpu", "", env).unwrap_err().to_string();
            assert!(e.contains("AIHAT_LLM_MODEL"), "{e}");
        }
    }

    #[test]
    fn step_hints_tell_the_prompt_step_from_decode_steps() {
        let ms = Duration::from_millis;
        let mut c = StepCosts::default();
        for _ in 0..40 {
            c.learn_step(true, ms(380));
            c.learn_step(false, ms(100));
            c.learn_reply(12);
        }
        let near = |a: Option<u64>, b: Duration| a.unwrap().abs_diff(b.as_nanos() as u64) < 2_000_000;
        let first = c.hint(false, 0);
        assert!(near(first.next_step_cost_ns, ms(380)), "{first:?}");
        assert!(near(first.remaining_cost_ns, ms(380 + 12 * 100)), "{first:?}");
        let mid = c.hint(true, 4);
        assert!(near(mid.next_step_cost_ns, ms(100)) && near(mid.remaining_cost_ns, ms(8 * 100)), "{mid:?}");
        // A reply longer than usual still has at least one step to go.
        assert_eq!(c.hint(true, 30).remaining_cost_ns, c.hint(true, 30).next_step_cost_ns);
    }

    #[test]
    fn a_hailo_grant_covers_a_whole_reply() {
        let d = Duration::from_secs(3);
        assert_eq!(grant_cost("hailo", d), d);
        assert!(grant_cost("cpu", d) < d);
    }
}
