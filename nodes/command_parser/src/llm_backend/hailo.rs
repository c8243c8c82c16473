//! The Hailo GenAI path. Its output cannot be constrained while decoding (no grammar or logit
//! access), so `hailo::llm_repair::parse_command` repairs, validates and retries it; a reply
//! that cannot be made valid becomes `unknown` with the reason. GenAI is not stepwise and the
//! LLM stays resident on the device, so each reply runs under one arbiter grant, released with
//! the time it took; a retry queues again, letting vision frames pass in between.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use command_grammar::Vocabulary;
use hailo::llm_repair::{self, ChatMessage, Outcome, ReplySource};
use hailo::native::{HailoLlm, LlmConfig};
use npu_arbiter::{ArbiterClient, JobOutcome, JobSpec, StreamHandle};

use super::{Parse, ParseJob};

pub struct HailoBackend {
    llm: HailoLlm,
    vocab: Arc<Vocabulary>,
}

impl HailoBackend {
    pub fn load(hef: &str, vocab: Arc<Vocabulary>) -> anyhow::Result<Self> {
        if hailo::NATIVE_LAYER == Some("hailo-double") {
            tracing::warn!("backend hailo runs on the TEST DOUBLE of the Hailo shim: canned replies, no device");
        }
        anyhow::ensure!(std::path::Path::new(hef).is_file(), "LLM HEF {hef:?} not found (parameter `model_path`)");
        let started = Instant::now();
        let llm = HailoLlm::load(hef.as_ref(), LlmConfig::default()).map_err(|e| anyhow::anyhow!("loading the LLM HEF {hef:?}: {e}"))?;
        tracing::info!(model = %hef, load_ms = started.elapsed().as_secs_f64() * 1e3, "LLM loaded on the Hailo (resident)");
        Ok(Self { llm, vocab })
    }

    pub fn parse(&mut self, job: ParseJob) -> anyhow::Result<Parse> {
        self.llm.cfg.deadline = job.deadline;
        let text = job.text;
        Ok(match run(&mut self.llm, &self.vocab, job)? {
            Outcome::Command { repaired, attempts } => {
                tracing::info!(json = %repaired.command.to_json(&self.vocab), attempts, repairs = repaired.repairs.len(),
                    tokens = self.llm.last_tokens, "LLM reply");
                Parse::Done(repaired.command)
            }
            Outcome::Rejected { command, attempts, last_error } => {
                tracing::warn!(%text, attempts, error = %last_error, "no usable LLM reply; answering unknown");
                Parse::Done(command)
            }
            Outcome::Aborted => Parse::Aborted { generated: self.llm.last_tokens as usize },
        })
    }
}

/// One utterance through the repair loop, over any reply source (the device, the double, or a
/// test's fake).
fn run<S>(src: &mut S, vocab: &Vocabulary, job: ParseJob) -> anyhow::Result<Outcome>
where
    S: ReplySource,
    S::Error: std::error::Error + Send + Sync + 'static,
{
    // The reply source polls this flag between tokens; a stop on the node's counter raises it.
    let abort = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (abort, mut stops, epoch) = (abort.clone(), job.stops.clone(), job.epoch);
        job.rt.spawn(async move {
            if stops.wait_for(|e| *e != epoch).await.is_ok() {
                abort.store(true, Ordering::Relaxed);
            }
        })
    };
    let deadline_ns = npu_arbiter::monotonic_ns() + job.deadline.as_nanos() as u64;
    let mut granted = Granted { src, arbiter: job.arbiter, rt: job.rt, stops: job.stops, epoch: job.epoch, deadline_ns };
    let outcome = llm_repair::parse_command(&mut granted, vocab, job.text, job.max_attempts, &abort);
    watcher.abort();
    outcome
}

/// A reply source whose every reply waits for, and runs inside, one arbiter grant.
struct Granted<'a, S> {
    src: &'a mut S,
    arbiter: Option<&'a (ArbiterClient, StreamHandle)>,
    rt: &'a tokio::runtime::Handle,
    stops: tokio::sync::watch::Receiver<u64>,
    epoch: u64,
    /// Absolute, for every attempt: retries do not extend the parse's deadline.
    deadline_ns: u64,
}

impl<S> ReplySource for Granted<'_, S>
where
    S: ReplySource,
    S::Error: std::error::Error + Send + Sync + 'static,
{
    type Error = anyhow::Error;

    fn generate(&mut self, messages: &[ChatMessage], abort: &AtomicBool) -> anyhow::Result<Option<String>> {
        let Some((client, stream)) = self.arbiter else { return Ok(self.src.generate(messages, abort)?) };
        let pending = self.rt.block_on(client.submit(stream, JobSpec { deadline_ns: Some(self.deadline_ns), ..Default::default() }))?;
        let epoch = self.epoch;
        let stops = &mut self.stops;
        // A stop must not wait for the vision job holding the device.
        let granted = self.rt.block_on(async {
            tokio::select! {
                g = pending.wait_grant() => Some(g),
                _ = stops.wait_for(|e| *e != epoch) => None,
            }
        });
        // Dropping the pending job cancels it at the arbiter.
        let Some(grant) = granted else { return Ok(None) };
        let grant = grant?;
        let started = Instant::now();
        let reply = self.src.generate(messages, abort);
        let measured = started.elapsed();
        match self.rt.block_on(grant.finish(measured)) {
            Ok(JobOutcome::Completed { .. }) => {}
            // The reply is still good: the device work is done; the arbiter only learns late.
            Ok(JobOutcome::Dropped(reason)) => {
                tracing::warn!(%reason, ms = measured.as_millis() as u64, "the arbiter ended the LLM grant before the reply did")
            }
            Err(e) => tracing::warn!(error = %e, "releasing the LLM grant failed"),
        }
        Ok(reply?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;
    use std::time::Duration;

    use command_grammar::SlotValue;

    /// Serves canned replies in order; counts calls; optionally generates slowly, polling the
    /// abort flag like the device wrapper does between tokens.
    struct Canned {
        replies: Vec<&'static str>,
        calls: usize,
        slow: Option<Duration>,
    }

    impl ReplySource for Canned {
        type Error = Infallible;
        fn generate(&mut self, _: &[ChatMessage], abort: &AtomicBool) -> Result<Option<String>, Infallible> {
            let reply = self.replies[self.calls % self.replies.len()];
            self.calls += 1;
            if let Some(total) = self.slow {
                let started = Instant::now();
                while started.elapsed() < total {
                    if abort.load(Ordering::Relaxed) {
                        return Ok(None);
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
            Ok(Some(reply.to_string()))
        }
    }

    fn canned(replies: &[&'static str]) -> Canned {
        Canned { replies: replies.to_vec(), calls: 0, slow: None }
    }

    fn job<'a>(rt: &'a tokio::runtime::Handle, stops: tokio::sync::watch::Receiver<u64>, max_attempts: u32) -> ParseJob<'a> {
        ParseJob { text: "the utterance", stops, epoch: 0, arbiter: None, rt, deadline: Duration::from_secs(3), max_attempts }
    }

    fn setup() -> (tokio::runtime::Runtime, Vocabulary, tokio::sync::watch::Sender<u64>) {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        (rt, Vocabulary::default_vocabulary().unwrap(), tokio::sync::watch::channel(0).0)
    }

    #[test]
    fn a_repaired_reply_is_a_valid_llm_command() {
        let (rt, vocab, stop) = setup();
        let mut src = canned(&[r#"Sure: {"action":"drive","direction":"left","distance_m":1} ok"#]);
        let o = run(&mut src, &vocab, job(rt.handle(), stop.subscribe(), 2)).unwrap();
        let Outcome::Command { repaired, attempts: 1 } = o else { panic!("{o:?}") };
        assert_eq!(repaired.command.action, "move");
        assert_eq!(repaired.command.slot("distance_m").and_then(SlotValue::as_f64), Some(1.0));
        assert_eq!(repaired.command.source, command_grammar::Source::Llm);
        vocab.check(&repaired.command).unwrap();
        assert_eq!(src.calls, 1);
    }

    #[test]
    fn retries_are_bounded_by_max_attempts_then_unknown() {
        let (rt, vocab, stop) = setup();
        for attempts in [1, 3] {
            let mut src = canned(&[r#"{"action":"self_destruct"}"#]);
            let o = run(&mut src, &vocab, job(rt.handle(), stop.subscribe(), attempts)).unwrap();
            let Outcome::Rejected { command, .. } = o else { panic!("{o:?}") };
            assert!(command.is_unknown() && command.reason.as_deref().is_some_and(|r| r.contains("self_destruct")), "{command:?}");
            vocab.check(&command).unwrap();
            assert_eq!(src.calls, attempts as usize);
        }
    }

    #[test]
    fn a_stop_on_the_counter_aborts_the_reply_in_progress() {
        let (rt, vocab, stop) = setup();
        let stops = stop.subscribe();
        let mut src = Canned { replies: vec![r#"{"action":"come_here"}"#], calls: 0, slow: Some(Duration::from_secs(5)) };
        let stopper = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            stop.send_modify(|e| *e += 1);
            stop
        });
        let started = Instant::now();
        let o = run(&mut src, &vocab, job(rt.handle(), stops, 2)).unwrap();
        let _stop = stopper.join().unwrap();
        assert_eq!(o, Outcome::Aborted);
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
        // No retry after a stop.
        assert_eq!(src.calls, 1);
    }

    #[test]
    fn a_stop_heard_before_the_parse_began_aborts_it_at_once() {
        let (rt, vocab, stop) = setup();
        let stops = stop.subscribe();
        stop.send_modify(|e| *e += 1);
        let mut src = Canned { replies: vec![r#"{"action":"come_here"}"#], calls: 0, slow: Some(Duration::from_secs(5)) };
        let started = Instant::now();
        // Started under epoch 0; the counter is already 1.
        let o = run(&mut src, &vocab, job(rt.handle(), stops, 2)).unwrap();
        assert_eq!(o, Outcome::Aborted);
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    }
}
