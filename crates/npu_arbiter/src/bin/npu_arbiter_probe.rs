//! Diagnostic client: submits jobs to a running coordinator, "runs" each for
//! a fixed busy time, and logs every grant interval with `CLOCK_MONOTONIC`
//! timestamps (comparable across processes) as JSON lines. Used by the
//! multi-process tests; also handy to poke a live system.
//!
//! ```text
//! npu-arbiter-probe --socket PATH --name N --out FILE
//!     [--jobs N | --stop-file PATH] [--cost-ms F] [--class vision|command|background]
//!     [--deadline-ms D] [--hang] [--timeout-ms T]
//! ```
//! `--hang` takes the first grant and never reports completion, to exercise
//! the lease.

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use npu_arbiter::{
    monotonic_ns, ArbiterClient, ArbiterError, Class, ClientConfig, Endpoint, JobOutcome, JobSpec, StreamSpec,
};
use serde_json::json;

struct Args {
    socket: PathBuf,
    name: String,
    out: PathBuf,
    jobs: Option<u64>,
    stop_file: Option<PathBuf>,
    cost: Duration,
    class: Class,
    deadline_ms: Option<u64>,
    hang: bool,
    timeout: Duration,
}

fn usage(msg: &str) -> ! {
    eprintln!("npu-arbiter-probe: {msg}\nusage: npu-arbiter-probe --socket PATH --name N --out FILE [--jobs N | --stop-file PATH] [--cost-ms F] [--class vision|command|background] [--deadline-ms D] [--hang] [--timeout-ms T]");
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut a = Args {
        socket: npu_arbiter::default_socket_path(),
        name: format!("probe-{}", std::process::id()),
        out: PathBuf::new(),
        jobs: None,
        stop_file: None,
        cost: Duration::from_millis(2),
        class: Class::Vision,
        deadline_ms: None,
        hang: false,
        timeout: Duration::from_secs(5),
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut v = || it.next().unwrap_or_else(|| usage(&format!("{k} needs a value")));
        match k.as_str() {
            "--socket" => a.socket = v().into(),
            "--name" => a.name = v(),
            "--out" => a.out = v().into(),
            "--jobs" => a.jobs = Some(v().parse().unwrap_or_else(|_| usage("bad --jobs"))),
            "--stop-file" => a.stop_file = Some(v().into()),
            "--cost-ms" => {
                a.cost = Duration::from_secs_f64(v().parse::<f64>().unwrap_or_else(|_| usage("bad --cost-ms")) / 1e3)
            }
            "--deadline-ms" => a.deadline_ms = Some(v().parse().unwrap_or_else(|_| usage("bad --deadline-ms"))),
            "--class" => {
                a.class = match v().as_str() {
                    "vision" => Class::Vision,
                    "command" => Class::Command,
                    "background" => Class::Background,
                    _ => usage("bad --class"),
                }
            }
            "--hang" => a.hang = true,
            "--timeout-ms" => {
                a.timeout = Duration::from_millis(v().parse().unwrap_or_else(|_| usage("bad --timeout-ms")))
            }
            _ => usage(&format!("unknown argument {k}")),
        }
    }
    if a.out.as_os_str().is_empty() {
        usage("--out is required");
    }
    if a.jobs.is_none() && a.stop_file.is_none() && !a.hang {
        usage("give --jobs or --stop-file");
    }
    a
}

struct Log(File);
impl Log {
    fn rec(&mut self, v: serde_json::Value) {
        // Flushed per line: the tests read these files while we run, and a
        // SIGKILL must not lose what was already observed.
        let _ = writeln!(self.0, "{v}");
        let _ = self.0.flush();
    }
}

/// Busy-wait so the "device time" is really spent while holding the grant.
fn spin(d: Duration) {
    let end = monotonic_ns() + d.as_nanos() as u64;
    while monotonic_ns() < end {
        std::hint::spin_loop();
    }
}

fn main() {
    npu_arbiter::init_tracing();
    let args = parse_args();
    let file = File::create(&args.out).unwrap_or_else(|e| usage(&format!("cannot create {}: {e}", args.out.display())));
    let mut log = Log(file);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| usage(&format!("runtime: {e}")));
    let code = rt.block_on(run(args, &mut log));
    std::process::exit(code);
}

async fn run(args: Args, log: &mut Log) -> i32 {
    let mut cfg = ClientConfig::new(Endpoint::Unix(args.socket.clone()), &args.name);
    cfg.reconnect_max = Duration::from_millis(200);
    cfg.request_timeout = args.timeout;
    let client = match ArbiterClient::connect(cfg).await {
        Ok(c) => c,
        Err(e) => {
            log.rec(json!({"kind": "fatal", "error": e.to_string()}));
            return 1;
        }
    };
    let cost_ns = args.cost.as_nanos() as u64;
    let spec = match args.deadline_ms {
        Some(d) => StreamSpec::periodic("probe", &format!("model-{}", args.name), args.class, d * 1_000_000, cost_ns),
        None => StreamSpec::request("probe", &format!("model-{}", args.name), args.class, None, cost_ns),
    };
    let stream = match client.register_stream(spec).await {
        Ok(s) => s,
        Err(e) => {
            log.rec(json!({"kind": "fatal", "error": e.to_string()}));
            return 1;
        }
    };
    log.rec(json!({"kind": "ready", "pid": std::process::id(), "t_ns": monotonic_ns()}));
    let (mut submitted, mut completed, mut dropped, mut errors) = (0u64, 0u64, 0u64, 0u64);
    loop {
        if args.jobs.is_some_and(|n| submitted >= n) {
            break;
        }
        if args.stop_file.as_ref().is_some_and(|p| p.exists()) {
            break;
        }
        let pending = match client.submit(&stream, JobSpec::default()).await {
            Ok(p) => p,
            Err(e) => {
                errors += 1;
                log.rec(json!({"kind": "error", "stage": "submit", "error": e.to_string(), "t_ns": monotonic_ns()}));
                // Don't spin while the coordinator is away.
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        submitted += 1;
        let job = pending.id().0;
        log.rec(json!({"kind": "submitted", "job": job, "t_ns": monotonic_ns()}));
        let grant = match pending.wait_grant().await {
            Ok(g) => g,
            Err(ArbiterError::Dropped(reason)) => {
                dropped += 1;
                log.rec(json!({"kind": "outcome", "job": job, "outcome": "dropped", "reason": reason.to_string(), "granted": false, "t_ns": monotonic_ns()}));
                continue;
            }
            Err(e) => {
                errors += 1;
                log.rec(json!({"kind": "error", "stage": "wait", "job": job, "error": e.to_string(), "t_ns": monotonic_ns()}));
                continue;
            }
        };
        let start = monotonic_ns();
        if args.hang {
            log.rec(
                json!({"kind": "holding", "job": job, "start_ns": start, "lease_ns": grant.lease().as_nanos() as u64}),
            );
            loop {
                std::thread::sleep(Duration::from_secs(3600));
            }
        }
        spin(args.cost);
        let end = monotonic_ns();
        let res = grant.finish(Duration::from_nanos(end - start)).await;
        let (outcome, reason) = match res {
            Ok(JobOutcome::Completed { late }) => {
                completed += 1;
                ("completed", if late { "late" } else { "" }.to_string())
            }
            Ok(JobOutcome::Dropped(r)) => {
                dropped += 1;
                ("dropped", r.to_string())
            }
            Err(e) => {
                errors += 1;
                ("error", e.to_string())
            }
        };
        log.rec(json!({"kind": "grant", "job": job, "start_ns": start, "end_ns": end}));
        log.rec(json!({"kind": "outcome", "job": job, "outcome": outcome, "reason": reason, "granted": true, "t_ns": monotonic_ns()}));
    }
    log.rec(json!({"kind": "summary", "submitted": submitted, "completed": completed, "dropped": dropped, "errors": errors}));
    0
}
