//! A command submitted while lower-priority streams saturate the device is
//! granted within one in-flight job's time. Checked in-process and over the
//! Unix socket (same engine, different transport).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use npu_arbiter::{
    ArbiterClient, Class, ClientConfig, Coordinator, CoordinatorConfig, Endpoint, EngineHandle, JobOutcome, JobSpec,
    MonotonicClock, PolicyConfig, StreamSpec,
};

const LOW_JOB: Duration = Duration::from_millis(20);
/// Scheduling slack on a loaded 2-core machine; a correctness bound, not a speed test.
const SLACK: Duration = Duration::from_millis(40);

async fn saturate(client: ArbiterClient, class: Class, name: String, stop: Arc<AtomicBool>) -> u64 {
    let stream = client
        .register_stream(StreamSpec::request(&name, &format!("m-{name}"), class, None, LOW_JOB.as_nanos() as u64))
        .await
        .unwrap();
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        // Two in flight per client keeps the queue non-empty at every decision.
        let a = client.submit(&stream, JobSpec::default()).await.unwrap();
        let b = client.submit(&stream, JobSpec::default()).await.unwrap();
        for p in [a, b] {
            let g = p.wait_grant().await.unwrap();
            tokio::time::sleep(LOW_JOB).await;
            assert_eq!(g.finish(LOW_JOB).await.unwrap(), JobOutcome::Completed { late: false });
            n += 1;
        }
    }
    n
}

async fn check(endpoint: Endpoint) {
    let stop = Arc::new(AtomicBool::new(false));
    let mut lows = Vec::new();
    for (i, class) in [Class::Vision, Class::Background, Class::Vision].into_iter().enumerate() {
        let c = ArbiterClient::connect(ClientConfig::new(endpoint.clone(), &format!("low{i}"))).await.unwrap();
        lows.push(tokio::spawn(saturate(c, class, format!("s{i}"), stop.clone())));
    }
    let cmd = ArbiterClient::connect(ClientConfig::new(endpoint.clone(), "cmd")).await.unwrap();
    let s = cmd.register_stream(StreamSpec::request("parse", "llm", Class::Command, None, 5_000_000)).await.unwrap();
    // Let the low-priority streams fill the queue.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut worst = Duration::ZERO;
    for _ in 0..8 {
        let t0 = Instant::now();
        let g = cmd.submit(&s, JobSpec::default()).await.unwrap().wait_grant().await.unwrap();
        let wait = t0.elapsed();
        worst = worst.max(wait);
        g.finish(Duration::from_millis(1)).await.unwrap();
        // Land the next submission at a different phase of the low jobs.
        tokio::time::sleep(Duration::from_millis(37)).await;
    }
    let snap = cmd.status().await.unwrap();
    stop.store(true, Ordering::Relaxed);
    let mut low_done = 0;
    for h in lows {
        low_done += h.await.unwrap();
    }
    eprintln!(
        "worst command grant wait {worst:?} (in-flight job {LOW_JOB:?}), low jobs done {low_done}, busy {:.2}",
        snap.busy_fraction
    );
    assert!(low_done > 10, "low-priority streams did not saturate the device");
    assert!(worst <= LOW_JOB + SLACK, "command waited {worst:?} > {LOW_JOB:?} + {SLACK:?}");
    assert!(snap.busy_fraction > 0.5, "device was not saturated: {}", snap.busy_fraction);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn command_preempts_saturating_vision_in_process() {
    let engine = EngineHandle::spawn(PolicyConfig::default(), MonotonicClock);
    check(Endpoint::InProcess(engine)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn command_preempts_saturating_vision_over_socket() {
    let path = std::env::temp_dir().join(format!(
        "npu_arbiter_prio_{}_{}.sock",
        std::process::id(),
        npu_arbiter::monotonic_ns()
    ));
    let coord =
        Coordinator::bind(CoordinatorConfig { socket_path: path.clone(), policy: PolicyConfig::default() }).unwrap();
    let server = tokio::spawn(coord.run());
    check(Endpoint::Unix(path.clone())).await;
    server.abort();
    let _ = std::fs::remove_file(&path);
    let mut lock = path.into_os_string();
    lock.push(".lock");
    let _ = std::fs::remove_file(lock);
}
