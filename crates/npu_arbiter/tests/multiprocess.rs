//! Cross-process tests: a real `npu-arbiterd` and several `npu-arbiter-probe`
//! processes. Timestamps are CLOCK_MONOTONIC, comparable across processes.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use npu_arbiter::monotonic_ns;
use serde_json::Value;

const ARBITERD: &str = env!("CARGO_BIN_EXE_npu-arbiterd");
const PROBE: &str = env!("CARGO_BIN_EXE_npu-arbiter-probe");
const MS: u64 = 1_000_000;

/// Kills the child on every path out of the test, including panics.
struct ChildGuard {
    child: std::process::Child,
    name: String,
}

impl ChildGuard {
    fn spawn(name: &str, cmd: &mut Command) -> ChildGuard {
        let child = cmd
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {name}: {e}"));
        ChildGuard { child, name: name.into() }
    }

    fn sigkill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for a clean exit, failing the test on timeout or non-zero status.
    fn wait_success(&mut self, timeout: Duration) {
        let start = Instant::now();
        loop {
            match self.child.try_wait() {
                Ok(Some(st)) => {
                    assert!(st.success(), "{} exited with {st}", self.name);
                    return;
                }
                Ok(None) if start.elapsed() < timeout => std::thread::sleep(Duration::from_millis(10)),
                Ok(None) => panic!("{} did not exit within {timeout:?}", self.name),
                Err(e) => panic!("wait {}: {e}", self.name),
            }
        }
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

struct TempDir(PathBuf);
impl TempDir {
    fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("npu_arbiter_{tag}_{}_{}", std::process::id(), monotonic_ns()));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn wait_for(what: &str, timeout: Duration, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < timeout, "timed out after {timeout:?} waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn start_arbiter(sock: &Path, lease_ms: u64) -> ChildGuard {
    let g = ChildGuard::spawn(
        "npu-arbiterd",
        Command::new(ARBITERD).arg("--socket").arg(sock).arg("--lease-ms").arg(lease_ms.to_string()),
    );
    wait_for("coordinator socket", Duration::from_secs(20), || UnixStream::connect(sock).is_ok());
    g
}

fn probe(name: &str, sock: &Path, out: &Path, extra: &[&str]) -> ChildGuard {
    ChildGuard::spawn(
        name,
        Command::new(PROBE).arg("--socket").arg(sock).arg("--name").arg(name).arg("--out").arg(out).args(extra),
    )
}

/// Complete lines only: a probe may be mid-write.
fn records(path: &Path) -> Vec<Value> {
    let Ok(s) = std::fs::read_to_string(path) else { return Vec::new() };
    s.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

fn of_kind<'a>(recs: &'a [Value], kind: &str) -> Vec<&'a Value> {
    recs.iter().filter(|r| r["kind"] == kind).collect()
}

fn intervals(recs: &[Value]) -> Vec<(u64, u64)> {
    of_kind(recs, "grant").iter().map(|r| (r["start_ns"].as_u64().unwrap(), r["end_ns"].as_u64().unwrap())).collect()
}

fn assert_no_overlap(mut iv: Vec<(u64, u64, String)>) -> usize {
    iv.sort();
    for w in iv.windows(2) {
        assert!(
            w[1].0 >= w[0].1,
            "grant intervals overlap: {} [{}, {}] and {} [{}, {}]",
            w[0].2,
            w[0].0,
            w[0].1,
            w[1].2,
            w[1].0,
            w[1].1
        );
    }
    iv.len()
}

#[test]
fn three_processes_never_overlap_and_every_job_ends() {
    let dir = TempDir::new("excl");
    let sock = dir.path("arb.sock");
    let _arb = start_arbiter(&sock, 500);
    let specs: [(&str, &[&str]); 4] = [
        ("p0", &["--jobs", "60", "--cost-ms", "1"]),
        ("p1", &["--jobs", "60", "--cost-ms", "1", "--class", "background"]),
        // Tight deadline: some frames will be dropped, and must say why.
        ("p2", &["--jobs", "60", "--cost-ms", "0.5", "--deadline-ms", "2"]),
        ("p3", &["--jobs", "30", "--cost-ms", "1", "--class", "command"]),
    ];
    let mut kids: Vec<(String, PathBuf, ChildGuard)> = specs
        .iter()
        .map(|(n, a)| {
            let out = dir.path(&format!("{n}.jsonl"));
            let g = probe(n, &sock, &out, a);
            (n.to_string(), out, g)
        })
        .collect();
    for (_, _, g) in kids.iter_mut() {
        g.wait_success(Duration::from_secs(120));
    }
    let mut all = Vec::new();
    let (mut completed, mut dropped) = (0, 0);
    for (name, out, _) in &kids {
        let recs = records(out);
        assert!(of_kind(&recs, "error").is_empty(), "{name} saw errors: {:?}", of_kind(&recs, "error"));
        let submitted: Vec<u64> = of_kind(&recs, "submitted").iter().map(|r| r["job"].as_u64().unwrap()).collect();
        let expected = if name == "p3" { 30 } else { 60 };
        assert_eq!(submitted.len(), expected, "{name}");
        for job in &submitted {
            let outs: Vec<&Value> = recs.iter().filter(|r| r["kind"] == "outcome" && r["job"] == *job).collect();
            assert_eq!(outs.len(), 1, "{name} job {job} must end exactly once");
            match outs[0]["outcome"].as_str().unwrap() {
                "completed" => completed += 1,
                "dropped" => {
                    dropped += 1;
                    assert!(!outs[0]["reason"].as_str().unwrap().is_empty(), "drop without a reason");
                }
                other => panic!("{name} job {job}: unexpected outcome {other}"),
            }
        }
        all.extend(intervals(&recs).into_iter().map(|(a, b)| (a, b, name.clone())));
    }
    let n = assert_no_overlap(all);
    assert_eq!(n, completed, "every completed job had exactly one grant interval");
    assert_eq!(completed + dropped, 210);
    eprintln!("exclusive: {n} grant intervals from 4 processes, {completed} completed, {dropped} dropped, no overlap");
}

#[test]
fn killed_or_hung_holder_loses_device_within_lease() {
    const LEASE_MS: u64 = 500;
    const SLACK_MS: u64 = 250;
    let dir = TempDir::new("lease");
    let sock = dir.path("arb.sock");
    let _arb = start_arbiter(&sock, LEASE_MS);

    // 1. SIGKILL while holding: the socket closes, the grant must move on.
    let h_out = dir.path("h.jsonl");
    let mut holder = probe("holder", &sock, &h_out, &["--hang"]);
    wait_for("holder grant", Duration::from_secs(20), || !of_kind(&records(&h_out), "holding").is_empty());
    let w_out = dir.path("w.jsonl");
    let mut waiter = probe("waiter", &sock, &w_out, &["--jobs", "3", "--cost-ms", "1"]);
    wait_for("waiter queued", Duration::from_secs(20), || !of_kind(&records(&w_out), "submitted").is_empty());
    let t_kill = monotonic_ns();
    holder.sigkill();
    waiter.wait_success(Duration::from_secs(20));
    let first = intervals(&records(&w_out))[0].0;
    let after_kill = first.saturating_sub(t_kill);
    eprintln!("SIGKILL: next grant {:.1} ms after kill (lease {LEASE_MS} ms)", after_kill as f64 / 1e6);
    assert!(first >= t_kill, "waiter granted while the holder still held the device");
    assert!(after_kill <= (LEASE_MS + SLACK_MS) * MS, "device freed {after_kill} ns after SIGKILL");

    // 2. Hung but alive (socket open): only the lease can free the device.
    let h2_out = dir.path("h2.jsonl");
    let _hung = probe("hung", &sock, &h2_out, &["--hang"]);
    wait_for("hung grant", Duration::from_secs(20), || !of_kind(&records(&h2_out), "holding").is_empty());
    let held_at = of_kind(&records(&h2_out), "holding")[0]["start_ns"].as_u64().unwrap();
    let w2_out = dir.path("w2.jsonl");
    let mut waiter2 = probe("waiter2", &sock, &w2_out, &["--jobs", "2", "--cost-ms", "1"]);
    waiter2.wait_success(Duration::from_secs(20));
    let first2 = intervals(&records(&w2_out))[0].0;
    let gap = first2 - held_at;
    eprintln!("hang: next grant {:.1} ms after the hung grant (lease {LEASE_MS} ms)", gap as f64 / 1e6);
    // Not before the lease (minus the holder's own receive latency)...
    assert!(gap >= (LEASE_MS - 50) * MS, "grant revoked early: {gap} ns");
    // ...and not much after.
    assert!(gap <= (LEASE_MS + SLACK_MS) * MS, "grant revoked late: {gap} ns");
}

#[test]
fn clients_keep_working_across_coordinator_restart() {
    let dir = TempDir::new("restart");
    let sock = dir.path("arb.sock");
    let stop = dir.path("stop");
    let mut arb = start_arbiter(&sock, 500);
    let stop_s = stop.to_str().unwrap().to_string();
    let mut kids: Vec<(PathBuf, ChildGuard)> = (0..3)
        .map(|i| {
            let out = dir.path(&format!("r{i}.jsonl"));
            let g = probe(
                &format!("r{i}"),
                &sock,
                &out,
                &["--stop-file", &stop_s, "--cost-ms", "1", "--timeout-ms", "1000"],
            );
            (out, g)
        })
        .collect();
    let grants_after = |out: &Path, t: u64| intervals(&records(out)).iter().filter(|iv| iv.0 > t).count();
    for (out, _) in &kids {
        wait_for("grants before restart", Duration::from_secs(30), || grants_after(out, 0) >= 5);
    }
    let t_kill = monotonic_ns();
    arb.sigkill();
    eprintln!("restart: killed coordinator");
    // Clients notice: they log errors while no coordinator is there.
    for (out, _) in &kids {
        wait_for("clients notice the loss", Duration::from_secs(30), || {
            records(out)
                .iter()
                .any(|r| r["t_ns"].as_u64().unwrap_or(0) > t_kill && (r["kind"] == "error" || r["outcome"] == "error"))
        });
    }
    eprintln!("restart: all clients saw the loss after {:.0} ms", (monotonic_ns() - t_kill) as f64 / 1e6);
    let _arb2 = start_arbiter(&sock, 500);
    let t_restart = monotonic_ns();
    for (out, _) in &kids {
        wait_for("grants after restart", Duration::from_secs(30), || grants_after(out, t_restart) >= 5);
    }
    eprintln!(
        "restart: all clients granted 5+ times within {:.0} ms of the restart",
        (monotonic_ns() - t_restart) as f64 / 1e6
    );
    std::fs::write(&stop, b"").unwrap();
    let mut post = Vec::new();
    for (i, (out, g)) in kids.iter_mut().enumerate() {
        g.wait_success(Duration::from_secs(30));
        post.extend(
            intervals(&records(out)).into_iter().filter(|iv| iv.0 > t_restart).map(|(a, b)| (a, b, format!("r{i}"))),
        );
    }
    let n = assert_no_overlap(post);
    eprintln!("restart: {n} non-overlapping grants after restart, same client processes");
}

#[test]
fn malformed_peer_is_disconnected_and_service_continues() {
    let dir = TempDir::new("garbage");
    let sock = dir.path("arb.sock");
    let _arb = start_arbiter(&sock, 500);
    for garbage in [&b"this is not json\n"[..], b"{\"op\":\"submit\",\"req\":1}\n", b"{\"op\":\"status\",\"req\":1}\n"]
    {
        let mut s = UnixStream::connect(&sock).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(garbage).unwrap();
        let mut buf = [0u8; 256];
        // The coordinator must hang up (EOF), not crash or ignore it.
        let n = s.read(&mut buf).unwrap();
        assert_eq!(n, 0, "expected disconnect after {:?}", String::from_utf8_lossy(garbage));
    }
    let out = dir.path("ok.jsonl");
    let mut p = probe("ok", &sock, &out, &["--jobs", "3"]);
    p.wait_success(Duration::from_secs(20));
    assert_eq!(intervals(&records(&out)).len(), 3);
}
