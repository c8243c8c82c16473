//! Subscriptions that must not lose a message between r2r and the node.
//!
//! r2r (0.9) hands each subscription's messages to its stream through a channel of 10 slots and,
//! when that channel is full, drops the message with nothing but a `log::debug!`. Its spin takes
//! one message per subscription per `spin_once`, which is faster than a consumer that logs and
//! publishes an answer per message: a burst of 300 voice commands lost 144 that way. For image
//! topics losing the oldest frame is what the node wants anyway; for voice commands and service
//! requests it is not.
//!
//! A [`Lossless`] stream lets the spin thread see how full its channel may be, and the spin
//! thread waits for the consumer before it could overflow it. Messages then wait in the DDS
//! reader's queue (its QoS depth), where they belong.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use futures::{Stream, StreamExt};

/// Slots in r2r's subscription channel: `mpsc::channel(10)` holds 10 plus one per sender.
const CHANNEL_SLOTS: usize = 11;
/// The spin thread waits once this many spins may have queued messages: one spin more can add
/// one, and a race between the consumer and the spin thread can hide one.
const WAIT_AT: usize = CHANNEL_SLOTS - 3;

/// What the spin thread knows about one lossless stream's channel.
#[derive(Debug)]
pub struct Gate {
    topic: String,
    /// Set when the channel may hold messages: by the consumer's waker (r2r sent into the empty
    /// channel) and by each message the consumer takes; cleared just before the consumer polls.
    maybe_queued: AtomicBool,
    /// Spins since the channel was last seen empty: an upper bound on the messages in it, as a
    /// spin moves at most one message per subscription.
    spins: AtomicUsize,
    closed: AtomicBool,
    /// Times the spin thread stopped waiting for this consumer (messages may have been lost).
    overruns: AtomicUsize,
}

impl Gate {
    fn new(topic: &str) -> Self {
        Self {
            topic: topic.to_string(),
            // Until the consumer's first poll no waker is registered to say that r2r sent
            // something: count every spin from the start.
            maybe_queued: AtomicBool::new(true),
            spins: AtomicUsize::new(0),
            closed: AtomicBool::new(false),
            overruns: AtomicUsize::new(0),
        }
    }

    fn near_full(&self) -> bool {
        !self.closed.load(Ordering::SeqCst)
            && self.maybe_queued.load(Ordering::SeqCst)
            && self.spins.load(Ordering::SeqCst) >= WAIT_AT
    }
}

/// The lossless streams of one node, watched by its spin thread.
#[derive(Clone, Default)]
pub struct Gates(Arc<Mutex<Vec<Weak<Gate>>>>);

impl Gates {
    /// Wraps a subscription (or service) stream so that the spin thread waits for its consumer.
    pub fn lossless<S: Stream + Unpin>(&self, topic: &str, inner: S) -> Lossless<S> {
        let gate = Arc::new(Gate::new(topic));
        self.0.lock().expect("gates lock").push(Arc::downgrade(&gate));
        Lossless { inner, gate, waker: None }
    }

    fn live(&self) -> Vec<Arc<Gate>> {
        let mut gates = self.0.lock().expect("gates lock");
        gates.retain(|g| g.strong_count() > 0);
        gates.iter().filter_map(Weak::upgrade).collect()
    }

    /// Call after each `spin_once`.
    pub fn after_spin(&self) {
        for g in self.live() {
            if g.maybe_queued.load(Ordering::SeqCst) {
                g.spins.fetch_add(1, Ordering::SeqCst);
            }
        }
    }

    /// Call before each `spin_once`: waits, at most `max_wait`, while one more spin could
    /// overflow a lossless stream's channel. A consumer that does not come back in that time
    /// is stuck, and the node must go on spinning: that is counted and logged.
    pub fn wait_for_room(&self, max_wait: Duration) {
        let gates = self.live();
        if !gates.iter().any(|g| g.near_full()) {
            return;
        }
        let start = Instant::now();
        while gates.iter().any(|g| g.near_full()) {
            if start.elapsed() >= max_wait {
                for g in gates.iter().filter(|g| g.near_full()) {
                    let n = g.overruns.fetch_add(1, Ordering::SeqCst) + 1;
                    tracing::warn!(topic = %g.topic, waited_ms = max_wait.as_millis() as u64, overruns = n,
                        "the consumer of this topic is not keeping up; spinning on, so r2r may drop its messages");
                }
                return;
            }
            std::thread::sleep(Duration::from_micros(100));
        }
    }
}

/// A stream whose channel from r2r is never allowed to overflow (see the module docs).
pub struct Lossless<S> {
    inner: S,
    gate: Arc<Gate>,
    /// The consumer's waker and ours around it, rebuilt only when the consumer's changes.
    waker: Option<(Waker, Waker)>,
}

impl<S> Lossless<S> {
    /// Times the spin thread gave up waiting for this stream's consumer.
    pub fn overruns(&self) -> usize {
        self.gate.overruns.load(Ordering::SeqCst)
    }
}

/// Marks the channel as possibly non-empty whenever the sender wakes the consumer.
struct FlagWaker {
    gate: Arc<Gate>,
    inner: Waker,
}

impl Wake for FlagWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.gate.maybe_queued.store(true, Ordering::SeqCst);
        self.inner.wake_by_ref();
    }
}

impl<S: Stream + Unpin> Stream for Lossless<S> {
    type Item = S::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let this = &mut *self;
        if !this.waker.as_ref().is_some_and(|(theirs, _)| theirs.will_wake(cx.waker())) {
            let ours = Waker::from(Arc::new(FlagWaker { gate: this.gate.clone(), inner: cx.waker().clone() }));
            this.waker = Some((cx.waker().clone(), ours));
        }
        let ours = &this.waker.as_ref().expect("set above").1;
        // Cleared before the poll: a message sent after the poll found the channel empty wakes
        // `ours`, which sets it again.
        this.gate.maybe_queued.store(false, Ordering::SeqCst);
        match this.inner.poll_next_unpin(&mut Context::from_waker(ours)) {
            Poll::Ready(Some(m)) => {
                this.gate.maybe_queued.store(true, Ordering::SeqCst);
                let _ = this.gate.spins.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| Some(n.saturating_sub(1)));
                Poll::Ready(Some(m))
            }
            Poll::Ready(None) => {
                this.gate.closed.store(true, Ordering::SeqCst);
                Poll::Ready(None)
            }
            Poll::Pending => {
                this.gate.spins.store(0, Ordering::SeqCst);
                Poll::Pending
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::channel::mpsc;
    use std::sync::atomic::AtomicU64;

    /// r2r's side, as it is: a channel of 10, one `try_send` per ready subscription per spin,
    /// a failed send is a lost message.
    fn spin_thread(
        gates: Gates,
        mut tx: mpsc::Sender<u64>,
        n: u64,
        lost: Arc<AtomicU64>,
        max_wait: Duration,
    ) -> std::thread::JoinHandle<()> {
        std::thread::spawn(move || {
            for i in 0..n {
                gates.wait_for_room(max_wait);
                if tx.try_send(i).is_err() {
                    lost.fetch_add(1, Ordering::SeqCst);
                }
                gates.after_spin();
            }
        })
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_slow_consumer_loses_nothing() {
        let (tx, rx) = mpsc::channel::<u64>(10);
        let gates = Gates::default();
        let mut stream = gates.lossless("voice_command", rx);
        let lost = Arc::new(AtomicU64::new(0));
        let spin = spin_thread(gates.clone(), tx, 300, lost.clone(), Duration::from_secs(5));
        let mut got = Vec::new();
        while let Some(i) = stream.next().await {
            // Far slower than the spin thread, as a consumer that logs and publishes is.
            std::thread::sleep(Duration::from_micros(300));
            got.push(i);
        }
        spin.join().unwrap();
        assert_eq!(lost.load(Ordering::SeqCst), 0);
        assert_eq!(got, (0..300).collect::<Vec<_>>());
        assert_eq!(stream.overruns(), 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn without_the_gate_the_same_burst_loses_messages() {
        // The reason for the module: the same channel and consumer, not gated.
        let (tx, mut rx) = mpsc::channel::<u64>(10);
        let lost = Arc::new(AtomicU64::new(0));
        let spin = spin_thread(Gates::default(), tx, 300, lost.clone(), Duration::from_secs(5));
        let mut got = 0;
        while rx.next().await.is_some() {
            std::thread::sleep(Duration::from_micros(300));
            got += 1;
        }
        spin.join().unwrap();
        assert!(lost.load(Ordering::SeqCst) > 0);
        assert_eq!(got + lost.load(Ordering::SeqCst), 300);
    }

    #[test]
    fn an_idle_stream_never_holds_the_spin_thread() {
        let (_tx, rx) = mpsc::channel::<u64>(10);
        let gates = Gates::default();
        let mut stream = gates.lossless("voice_command", rx);
        // The consumer waits on the empty stream, as the node's loop does.
        let waker = futures::task::noop_waker();
        assert!(Pin::new(&mut stream).poll_next(&mut Context::from_waker(&waker)).is_pending());
        for _ in 0..1000 {
            assert!(!gates.live().iter().any(|g| g.near_full()));
            gates.wait_for_room(Duration::from_millis(1));
            gates.after_spin();
        }
        assert_eq!(stream.overruns(), 0);
    }

    #[test]
    fn a_stuck_consumer_is_waited_for_a_bounded_time_and_counted() {
        let (mut tx, rx) = mpsc::channel::<u64>(10);
        let gates = Gates::default();
        let mut stream = gates.lossless("voice_command", rx);
        // The consumer takes one message and never polls again.
        tx.try_send(0).unwrap();
        let waker = futures::task::noop_waker();
        assert!(matches!(Pin::new(&mut stream).poll_next(&mut Context::from_waker(&waker)), Poll::Ready(Some(0))));
        for i in 1..=20 {
            gates.wait_for_room(Duration::from_millis(20));
            let _ = tx.try_send(i);
            gates.after_spin();
        }
        assert!(stream.overruns() > 0);
    }

    #[test]
    fn a_dropped_stream_is_forgotten() {
        let (_tx, rx) = mpsc::channel::<u64>(10);
        let gates = Gates::default();
        drop(gates.lossless("voice_command", rx));
        assert!(gates.live().is_empty());
    }
}
