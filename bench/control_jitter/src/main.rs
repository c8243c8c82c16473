//! 1 kHz control loop jitter with and without a CPU inference load.
//!
//! The control loop runs on the reserved core (the last one, per
//! `npu_arbiter::cpuset`), sleeping to absolute deadlines with
//! `clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)`. Cases:
//! * idle;
//! * load pinned to the inference set (threads = set size) — the intended setup;
//! * load unpinned, one thread per CPU, free to land on the control core.
//!
//! Pinning the inference threads only keeps *them* off the reserved core.
//! Other processes can still land there; on the robot either keep them off
//! too (systemd `CPUAffinity=`, a cgroup cpuset) or run the loop SCHED_FIFO.
//! Both scheduling classes are measured for that reason.
//!
//! The load is pluggable ([`InferenceLoad`]); the built-in one is a
//! cache-sized f32 matrix multiply standing in for ONNX Runtime + YOLOv8n.
//!
//! Usage: `control_jitter [--seconds S] [--reserved N] [--fifo | --other] [--matrix N] [--rounds R]`
//! (`--seconds` per case, split into `--rounds` interleaved segments)
//! (default: both scheduling classes for the control thread)

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use npu_arbiter::cpuset::{allowed_cpus, pin_current_thread, plan_from_system, CpuPlan};

const PERIOD_NS: u64 = 1_000_000;

/// Something that burns CPU like an inference backend.
pub trait InferenceLoad: Send + Sync {
    fn name(&self) -> String;
    /// Per-thread state; each call of the returned closure is one "inference".
    fn worker(&self, thread: usize) -> Box<dyn FnMut() + Send>;
}

/// Naive f32 matrix multiply, n x n, ikj order (streams through memory like a
/// conv layer's im2col GEMM would).
pub struct MatMulLoad {
    pub n: usize,
}

impl InferenceLoad for MatMulLoad {
    fn name(&self) -> String {
        format!("f32 matmul {n}x{n}", n = self.n)
    }
    fn worker(&self, thread: usize) -> Box<dyn FnMut() + Send> {
        let n = self.n;
        let a: Vec<f32> = (0..n * n).map(|i| ((i * 7 + thread) % 13) as f32 * 0.1).collect();
        let b: Vec<f32> = (0..n * n).map(|i| ((i * 3 + thread) % 11) as f32 * 0.1).collect();
        let mut c = vec![0f32; n * n];
        Box::new(move || {
            c.iter_mut().for_each(|x| *x = 0.0);
            for i in 0..n {
                for k in 0..n {
                    let aik = a[i * n + k];
                    let brow = &b[k * n..(k + 1) * n];
                    let crow = &mut c[i * n..(i + 1) * n];
                    for (cv, bv) in crow.iter_mut().zip(brow) {
                        *cv += aik * bv;
                    }
                }
            }
            std::hint::black_box(&c);
        })
    }
}

/// The real CPU-backend load: YOLOv8n detection through ONNX Runtime on a 640x480 frame,
/// one single-threaded session per load thread (ORT then runs on the calling, pinned thread).
pub struct YoloLoad {
    pub model: std::path::PathBuf,
}

impl InferenceLoad for YoloLoad {
    fn name(&self) -> String {
        format!("ONNX Runtime detection {}", self.model.display())
    }
    fn worker(&self, _thread: usize) -> Box<dyn FnMut() + Send> {
        let rt = inference::OrtRuntime::init(None).expect("ONNX Runtime (set ORT_DYLIB_PATH: source the env file)");
        let cfg = inference::SessionConfig { intra_threads: 1, ..Default::default() };
        let mut det = inference::load_detector(&rt, &self.model, &cfg).expect("loading the detection model");
        let frame = image::RgbImage::from_fn(640, 480, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]));
        let dcfg = yolo::DetectConfig::default();
        Box::new(move || {
            use inference::Detector;
            let r = det.detect(&frame, &dcfg).expect("inference");
            std::hint::black_box(r);
        })
    }
}

struct LoadRun {
    stop: Arc<AtomicBool>,
    done: Arc<AtomicU64>,
    threads: Vec<JoinHandle<()>>,
}

impl LoadRun {
    /// `pin = Some(set)`: every load thread is pinned to `set`.
    fn start(load: &dyn InferenceLoad, threads: usize, pin: Option<Vec<usize>>) -> LoadRun {
        let stop = Arc::new(AtomicBool::new(false));
        let done = Arc::new(AtomicU64::new(0));
        let handles = (0..threads)
            .map(|t| {
                let mut work = load.worker(t);
                let stop = stop.clone();
                let done = done.clone();
                let pin = pin.clone();
                std::thread::spawn(move || {
                    if let Some(set) = pin {
                        if let Err(e) = pin_current_thread(&set) {
                            eprintln!("load thread {t}: cannot pin to {set:?}: {e}");
                        }
                    }
                    while !stop.load(Ordering::Relaxed) {
                        work();
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        LoadRun { stop, done, threads: handles }
    }

    fn stop(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        for h in self.threads {
            let _ = h.join();
        }
        self.done.load(Ordering::Relaxed)
    }
}

fn now_ns() -> u64 {
    npu_arbiter::monotonic_ns()
}

fn sleep_until(t: u64) {
    let ts =
        libc::timespec { tv_sec: (t / 1_000_000_000) as libc::time_t, tv_nsec: (t % 1_000_000_000) as libc::c_long };
    loop {
        // SAFETY: valid timespec; remaining-time pointer may be null with TIMER_ABSTIME.
        let rc =
            unsafe { libc::clock_nanosleep(libc::CLOCK_MONOTONIC, libc::TIMER_ABSTIME, &ts, std::ptr::null_mut()) };
        if rc != libc::EINTR {
            return;
        }
    }
}

struct LoopStats {
    /// |actual period - 1 ms|
    jitter: Vec<u64>,
    /// wake time - intended wake time
    wake: Vec<u64>,
    overruns: u64,
}

fn control_loop(cpu: usize, seconds: f64, fifo: bool) -> LoopStats {
    std::thread::spawn(move || {
        if let Err(e) = pin_current_thread(&[cpu]) {
            eprintln!("control loop: cannot pin to CPU {cpu}: {e}");
        }
        // Default timer slack (50 µs) would dominate a 1 kHz loop's wake-up error.
        // SAFETY: prctl with integer args on the calling thread.
        unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong, 0, 0, 0) };
        if fifo {
            let p = libc::sched_param { sched_priority: 80 };
            // SAFETY: plain syscall on the calling thread with a valid param.
            if unsafe { libc::sched_setscheduler(0, libc::SCHED_FIFO, &p) } != 0 {
                eprintln!(
                    "control loop: SCHED_FIFO refused ({}); running SCHED_OTHER",
                    std::io::Error::last_os_error()
                );
            }
        }
        let iters = (seconds * 1e9 / PERIOD_NS as f64) as usize;
        let mut st = LoopStats { jitter: Vec::with_capacity(iters), wake: Vec::with_capacity(iters), overruns: 0 };
        // Warm-up so page faults and migration settle before measuring.
        let mut next = now_ns() + PERIOD_NS;
        for _ in 0..200 {
            sleep_until(next);
            next += PERIOD_NS;
        }
        let mut prev = now_ns();
        next = prev + PERIOD_NS;
        for _ in 0..iters {
            sleep_until(next);
            let t = now_ns();
            st.wake.push(t.saturating_sub(next));
            st.jitter.push((t - prev).abs_diff(PERIOD_NS));
            prev = t;
            next += PERIOD_NS;
            // The "control work" is trivial; a real loop does ~tens of µs here.
            if t > next {
                // Missed a whole period: skip ahead instead of bursting to catch up.
                st.overruns += 1;
                next = t + PERIOD_NS;
            }
        }
        st
    })
    .join()
    .expect("control loop thread panicked")
}

fn pct(v: &mut [u64], p: f64) -> u64 {
    if v.is_empty() {
        return 0;
    }
    v.sort_unstable();
    let idx = ((p / 100.0 * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
    v[idx]
}

fn main() {
    let mut seconds = 5.0f64;
    let mut reserved = 1usize;
    let mut modes = vec![false, true];
    let mut matrix = 256usize;
    let mut rounds = 5usize;
    let mut model: Option<std::path::PathBuf> = None;
    let mut json: Option<String> = None;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seconds" => seconds = it.next().and_then(|v| v.parse().ok()).unwrap_or(seconds),
            "--reserved" => reserved = it.next().and_then(|v| v.parse().ok()).unwrap_or(reserved),
            "--rounds" => rounds = it.next().and_then(|v| v.parse().ok()).unwrap_or(rounds).max(1),
            "--matrix" => matrix = it.next().and_then(|v| v.parse().ok()).unwrap_or(matrix),
            "--model" => model = it.next().map(Into::into),
            "--json" => json = it.next(),
            "--fifo" => modes = vec![true],
            "--other" => modes = vec![false],
            _ => {
                eprintln!(
                    "usage: control_jitter [--seconds S] [--reserved N] [--fifo | --other] [--matrix N | --model YOLO.onnx] [--rounds R] [--json PATH]"
                );
                std::process::exit(2);
            }
        }
    }
    let plan: CpuPlan = match plan_from_system(reserved) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("control_jitter: {e}");
            std::process::exit(1);
        }
    };
    let all = allowed_cpus().unwrap_or_default();
    let control_cpu = *plan.reserved_cpus.last().expect("plan reserves at least one CPU");
    let load: Box<dyn InferenceLoad> = match model {
        Some(m) => Box::new(YoloLoad { model: m }),
        None => Box::new(MatMulLoad { n: matrix }),
    };
    println!("# control_jitter: 1 kHz loop, {seconds} s per case in {rounds} interleaved segments");
    println!();
    println!(
        "CPUs allowed {all:?}; inference set {:?} ({} threads); control loop on CPU {control_cpu}; load: {}",
        plan.inference_cpus,
        plan.inference_threads(),
        load.name()
    );
    println!("jitter = |actual period - 1 ms|; wake = wake-up time - absolute deadline.");
    // Other processes on the host disturb SCHED_OTHER results; say how busy it was.
    if let Ok(l) = std::fs::read_to_string("/proc/loadavg") {
        println!("host load average at start: {}", l.trim());
    }
    if std::fs::read_to_string("/proc/cpuinfo").is_ok_and(|c| c.contains(" hypervisor")) {
        println!("running under a hypervisor: vCPU scheduling adds jitter a bare Pi 5 does not have");
    }
    let mut rows = Vec::new();
    for fifo in modes {
        println!();
        println!("## control thread {}", if fifo { "SCHED_FIFO 80" } else { "SCHED_OTHER (default nice 0)" });
        println!();
        rows.extend(run_cases(&plan, &all, control_cpu, load.as_ref(), seconds, rounds, fifo));
    }
    if let Some(path) = json {
        // The shape bench/run_all gathers: metric, value, unit, reference and its value.
        let rows: Vec<String> = rows
            .iter()
            .map(|(metric, v, idle)| {
                format!("{{\"metric\":\"{metric}\",\"value\":{v:.1},\"unit\":\"µs\",\"reference\":\"idle\",\"ref_value\":{idle:.1}}}")
            })
            .collect();
        if let Err(e) = std::fs::write(&path, format!("{{\"bench\":\"control_jitter\",\"rows\":[{}]}}\n", rows.join(","))) {
            eprintln!("cannot write {path}: {e}");
            std::process::exit(1);
        }
    }
}

fn run_cases(
    plan: &CpuPlan,
    all: &[usize],
    control_cpu: usize,
    load: &dyn InferenceLoad,
    seconds: f64,
    rounds: usize,
    fifo: bool,
) -> Vec<(String, f64, f64)> {
    // (label, Some((load threads, pin set)))
    type Case<'a> = (&'a str, Option<(usize, Option<Vec<usize>>)>);
    let cases: [Case; 3] = [
        ("idle", None),
        ("load pinned to inference set", Some((plan.inference_threads(), Some(plan.inference_cpus.clone())))),
        ("load unpinned (all CPUs)", Some((all.len(), None))),
    ];
    // Cases run interleaved in short segments and samples are pooled, so
    // other tenants' bursts on a shared host hit every case alike instead of
    // whichever case happened to run during the burst.
    let mut pooled: Vec<(LoopStats, u64, f64)> =
        cases.iter().map(|_| (LoopStats { jitter: Vec::new(), wake: Vec::new(), overruns: 0 }, 0, 0.0)).collect();
    let segment = seconds / rounds as f64;
    for _ in 0..rounds {
        for (i, (_, spec)) in cases.iter().enumerate() {
            let run = spec.as_ref().map(|(n, pin)| LoadRun::start(load, *n, pin.clone()));
            // Let the load reach steady state (caches, frequency).
            if run.is_some() {
                std::thread::sleep(std::time::Duration::from_millis(300));
            }
            let t0 = now_ns();
            let start_done = run.as_ref().map_or(0, |r| r.done.load(Ordering::Relaxed));
            let st = control_loop(control_cpu, segment, fifo);
            let elapsed = (now_ns() - t0) as f64 / 1e9;
            let done = run.map_or(0, |r| r.stop()).saturating_sub(start_done);
            let p = &mut pooled[i];
            p.0.jitter.extend(st.jitter);
            p.0.wake.extend(st.wake);
            p.0.overruns += st.overruns;
            p.1 += done;
            p.2 += elapsed;
        }
    }
    println!("| case | load threads | jitter p50 µs | jitter p99 µs | jitter max µs | wake p50 µs | wake p99 µs | overruns | p99 vs idle | load inferences/s |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let mut idle_p99 = None;
    let mut rows = Vec::new();
    for ((name, spec), (mut st, done, elapsed)) in cases.iter().zip(pooled) {
        let j50 = pct(&mut st.jitter, 50.0);
        let j99 = pct(&mut st.jitter, 99.0);
        let jmax = *st.jitter.last().unwrap_or(&0);
        let w50 = pct(&mut st.wake, 50.0);
        let w99 = pct(&mut st.wake, 99.0);
        let base = *idle_p99.get_or_insert(j99);
        let ratio = if base == 0 { "-".to_string() } else { format!("{:.2}", j99 as f64 / base as f64) };
        let us = |v: u64| format!("{:.1}", v as f64 / 1e3);
        println!(
            "| {name} | {} | {} | {} | {} | {} | {} | {} | {ratio} | {:.0} |",
            spec.as_ref().map_or(0, |s| s.0),
            us(j50),
            us(j99),
            us(jmax),
            us(w50),
            us(w99),
            st.overruns,
            if elapsed > 0.0 { done as f64 / elapsed } else { 0.0 },
        );
        if spec.is_some() {
            let policy = if fifo { "SCHED_FIFO" } else { "SCHED_OTHER" };
            rows.push((format!("1 kHz loop p99 jitter, {policy}, {name}"), j99 as f64 / 1e3, base as f64 / 1e3));
        }
    }
    rows
}
