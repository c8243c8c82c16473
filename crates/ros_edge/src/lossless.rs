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
//!
//! The bound must never fall below the channel's real fill, or the gate opens on a full channel.
//! An earlier gate cleared a "may hold messages" flag before every poll and skipped spins that
//! ran while it was clear; a spin that sent during the consumer's poll then went uncounted while
//! the take that followed was subtracted, so under load the bound drifted below the fill and r2r
//! dropped voice commands (a 300-utterance flood beside a 1.5B benchmark stalled with 18 never
//! delivered). Now every spin counts unless the consumer is *parked*: its last poll found the
//! channel empty and nothing has woken it since. Parking, the wake-up and the count share one
//! atomic word, so no interleaving can park a consumer that has a message waiting.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use futures::{Stream, StreamExt};

/// Slots in r2r's subscription channel: `mpsc::channel(10)` holds 10 plus one per sender.
const CHANNEL_SLOTS: usize = 11;
/// The spin thread waits once this many spins may have queued messages. The count is an upper
/// bound on the fill (a spin moves at most one message per subscription), so one slot would do;
/// the rest is margin.
const WAIT_AT: u64 = CHANNEL_SLOTS as u64 - 3;

/// One word for the gate's state, so that parking can be refused atomically when a wake-up or a
/// counted spin came between the consumer's poll and its decision to park.
mod word {
    pub const PARKED: u64 = 1 << 63;
    const GEN_SHIFT: u32 = 32;
    const GEN_MASK: u64 = (1 << 31) - 1;
    const SPINS_MASK: u64 = (1 << 32) - 1;

    pub fn parked(w: u64) -> bool {
        w & PARKED != 0
    }
    /// Wake-ups so far (wrapping): changes whenever r2r sent into a channel the consumer waits on.
    pub fn generation(w: u64) -> u64 {
        (w >> GEN_SHIFT) & GEN_MASK
    }
    /// Spins since the consumer last parked, less the messages it took: at least the fill.
    pub fn spins(w: u64) -> u64 {
        w & SPINS_MASK
    }
    pub fn make(parked: bool, generation: u64, spins: u64) -> u64 {
        (if parked { PARKED } else { 0 }) | ((generation & GEN_MASK) << GEN_SHIFT) | spins.min(SPINS_MASK)
    }
}

/// What the spin thread knows about one lossless stream's channel.
#[derive(Debug)]
pub struct Gate {
    topic: String,
    /// See [`word`]. Starts unparked: until the consumer's first poll no waker is registered to
    /// say that r2r sent something, so every spin counts.
    state: AtomicU64,
    closed: AtomicBool,
    /// Times the spin thread stopped waiting for this consumer (messages may have been lost).
    overruns: AtomicUsize,
}

impl Gate {
    fn new(topic: &str) -> Self {
        Self {
            topic: topic.to_string(),
            state: AtomicU64::new(word::make(false, 0, 0)),
            closed: AtomicBool::new(false),
            overruns: AtomicUsize::new(0),
        }
    }

    fn update(&self, f: impl Fn(u64) -> Option<u64>) {
        let _ = self.state.fetch_update(Ordering::SeqCst, Ordering::SeqCst, f);
    }

    fn near_full(&self) -> bool {
        let w = self.state.load(Ordering::SeqCst);
        !self.closed.load(Ordering::SeqCst) && !word::parked(w) && word::spins(w) >= WAIT_AT
    }

    /// A spin ran. A parked consumer's channel was empty and r2r did not send into it (a send
    /// would have woken and so unparked it), so only an unparked consumer's count grows.
    fn spun(&self) {
        self.update(|w| (!word::parked(w)).then(|| w + 1).filter(|&n| word::spins(n) > word::spins(w)));
    }

    /// r2r sent into the channel while the consumer waited on it.
    fn woken(&self) {
        self.update(|w| Some(word::make(false, word::generation(w) + 1, word::spins(w))));
    }

    /// The consumer took a message.
    fn took(&self) {
        self.update(|w| Some(word::make(false, word::generation(w), word::spins(w).saturating_sub(1))));
    }

    /// The consumer's poll, which began when the state was `before`, found the channel empty and
    /// registered its waker. It parks unless it was woken in between: then a message may be
    /// waiting, and the count (an over-estimate now) stands until the consumer takes it.
    fn found_empty(&self, before: u64) {
        self.update(|w| {
            (word::generation(w) == word::generation(before)).then(|| word::make(true, word::generation(w), 0))
        });
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
            g.spun();
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

/// Unparks the gate whenever the sender wakes the consumer.
struct FlagWaker {
    gate: Arc<Gate>,
    inner: Waker,
}

impl Wake for FlagWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.gate.woken();
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
        let before = this.gate.state.load(Ordering::SeqCst);
        match this.inner.poll_next_unpin(&mut Context::from_waker(ours)) {
            Poll::Ready(Some(m)) => {
                this.gate.took();
                Poll::Ready(Some(m))
            }
            Poll::Ready(None) => {
                this.gate.closed.store(true, Ordering::SeqCst);
                Poll::Ready(None)
            }
            Poll::Pending => {
                this.gate.found_empty(before);
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

    /// r2r's side, one spin at a time and in the test's thread, so that a test can place a spin
    /// at any point of the consumer's poll. A spin the gate holds back sends nothing.
    struct Spinner {
        gates: Gates,
        /// None once r2r is done, which ends the stream.
        tx: Option<mpsc::Sender<u64>>,
        sent: u64,
        lost: u64,
        held: u64,
    }

    impl Spinner {
        fn spin(&mut self) {
            let Some(tx) = self.tx.as_mut() else { return };
            if self.gates.live().iter().any(|g| g.near_full()) {
                self.held += 1;
                return;
            }
            if tx.try_send(self.sent).is_err() {
                self.lost += 1;
            }
            self.sent += 1;
            self.gates.after_spin();
        }
    }

    /// A stream that lets r2r spin just before it looks at the channel, or just after it found
    /// it empty: the two places where the spin thread and the consumer race.
    struct Racing {
        rx: mpsc::Receiver<u64>,
        spinner: Arc<Mutex<Spinner>>,
        spin_before: bool,
        spin_after_empty: bool,
    }

    impl Stream for Racing {
        type Item = u64;
        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<u64>> {
            if self.spin_before {
                self.spinner.lock().unwrap().spin();
            }
            let r = self.rx.poll_next_unpin(cx);
            if r.is_pending() && self.spin_after_empty {
                self.spinner.lock().unwrap().spin();
            }
            r
        }
    }

    fn racing(spin_before: bool, spin_after_empty: bool) -> (Lossless<Racing>, Arc<Mutex<Spinner>>) {
        let (tx, rx) = mpsc::channel::<u64>(10);
        let gates = Gates::default();
        let spinner = Arc::new(Mutex::new(Spinner { gates: gates.clone(), tx: Some(tx), sent: 0, lost: 0, held: 0 }));
        (gates.lossless("voice_command", Racing { rx, spinner: spinner.clone(), spin_before, spin_after_empty }), spinner)
    }

    #[test]
    fn a_spin_during_the_consumers_poll_is_counted() {
        // Each round r2r sends once while the consumer polls and once after it took a message:
        // the channel fills by one a round unless the gate holds r2r back. The old gate did not
        // count the first send and subtracted the take, so its bound stayed near 0 while the
        // channel filled, and r2r dropped the 12th message.
        let (mut stream, spinner) = racing(true, false);
        let waker = futures::task::noop_waker();
        let mut got = Vec::new();
        for _ in 0..200 {
            if let Poll::Ready(Some(m)) = Pin::new(&mut stream).poll_next(&mut Context::from_waker(&waker)) {
                got.push(m);
            }
            spinner.lock().unwrap().spin();
        }
        let s = spinner.lock().unwrap();
        assert_eq!(s.lost, 0, "r2r dropped messages: the gate opened on a full channel");
        assert!(s.held > 0, "the gate never held r2r back, so this did not test it");
        assert_eq!(got, (0..got.len() as u64).collect::<Vec<_>>());
    }

    #[test]
    fn a_wake_between_an_empty_poll_and_parking_keeps_the_count() {
        // r2r sends right after the consumer found the channel empty, before the consumer could
        // park; then the consumer is slow to come back while r2r keeps spinning.
        let (mut stream, spinner) = racing(false, true);
        let waker = futures::task::noop_waker();
        assert!(Pin::new(&mut stream).poll_next(&mut Context::from_waker(&waker)).is_pending());
        for _ in 0..50 {
            spinner.lock().unwrap().spin();
        }
        let s = spinner.lock().unwrap();
        assert_eq!(s.lost, 0, "r2r dropped messages: the consumer parked with a message waiting");
        assert!(s.held > 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_consumer_that_races_r2r_on_every_poll_loses_nothing() {
        // The same races on real threads: spins inside the consumer's polls and beside them.
        let (mut stream, spinner) = racing(true, true);
        let beside = {
            let spinner = spinner.clone();
            std::thread::spawn(move || {
                for _ in 0..2000 {
                    spinner.lock().unwrap().spin();
                    std::thread::yield_now();
                }
                spinner.lock().unwrap().tx = None;
            })
        };
        let mut got = Vec::new();
        while let Some(i) = stream.next().await {
            std::thread::sleep(Duration::from_micros(50));
            got.push(i);
        }
        beside.join().unwrap();
        let s = spinner.lock().unwrap();
        assert_eq!(s.lost, 0);
        assert_eq!(got, (0..s.sent).collect::<Vec<_>>());
    }

    #[test]
    fn a_dropped_stream_is_forgotten() {
        let (_tx, rx) = mpsc::channel::<u64>(10);
        let gates = Gates::default();
        drop(gates.lossless("voice_command", rx));
        assert!(gates.live().is_empty());
    }
}
