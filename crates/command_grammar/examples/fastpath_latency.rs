//! Prints p50/p99 fast-path latency for stop-like and plain commands.
//! Run with: cargo run --release -p command_grammar --example fastpath_latency

use std::time::{Duration, Instant};

use command_grammar::{fast_path, FastPathOutcome, Vocabulary};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn measure(vocab: &Vocabulary, inputs: &[&str], rounds: usize) -> Vec<Duration> {
    let mut samples = Vec::with_capacity(inputs.len() * rounds);
    for _ in 0..rounds {
        for s in inputs {
            let t = Instant::now();
            let out = std::hint::black_box(fast_path(vocab, std::hint::black_box(s)));
            samples.push(t.elapsed());
            drop(out);
        }
    }
    samples.sort();
    samples
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let vocab = Vocabulary::default_vocabulary()?;
    let stops = [
        "stop",
        "STOP!",
        "halt",
        "freeze",
        "emergency",
        "wait no",
        "stop stop",
        "no no no",
        "please stop the robot right now",
        "whoa",
    ];
    for s in stops {
        match fast_path(&vocab, s) {
            FastPathOutcome::Confident(c) if c.action == "stop" => {}
            other => return Err(format!("{s:?} did not stop: {other:?}").into()),
        }
    }
    let plain = [
        "move forward two meters",
        "turn right ninety degrees",
        "go to the kitchen",
        "wait for two minutes",
        "trun rigth 30 degrees",
        "pick up the red cup",
    ];
    // Warm caches and the allocator before measuring.
    measure(&vocab, &stops, 200);
    let s = measure(&vocab, &stops, 5000);
    println!(
        "fast path, stop-like inputs: n={} p50={:?} p99={:?} max={:?}",
        s.len(),
        percentile(&s, 0.5),
        percentile(&s, 0.99),
        s[s.len() - 1]
    );
    let p = measure(&vocab, &plain, 5000);
    println!(
        "fast path, plain commands:   n={} p50={:?} p99={:?} max={:?}",
        p.len(),
        percentile(&p, 0.5),
        percentile(&p, 0.99),
        p[p.len() - 1]
    );
    Ok(())
}
