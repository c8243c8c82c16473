use super::*;

const MS: u64 = 1_000_000;

struct H {
    p: Policy,
    ev: Vec<PolicyEvent>,
}

impl H {
    fn new() -> H {
        Self::with(PolicyConfig::default())
    }
    fn with(cfg: PolicyConfig) -> H {
        H { p: Policy::new(cfg, 0), ev: Vec::new() }
    }
    fn client(&mut self, name: &str) -> ClientId {
        self.p.add_client(name, 0)
    }
    fn stream(&mut self, c: ClientId, spec: StreamSpec) -> StreamId {
        self.p.add_stream(c, spec).unwrap()
    }
    fn submit(&mut self, now: u64, c: ClientId, s: StreamId, spec: JobSpec) -> JobId {
        self.p.submit(now, c, s, spec, &mut self.ev).unwrap()
    }
    /// Polls and returns the grant, if any, clearing collected events.
    fn poll(&mut self, now: u64) -> Option<Grant> {
        self.p.poll(now, &mut self.ev);
        self.ev.iter().find_map(|e| match e {
            PolicyEvent::Granted(g) => Some(g.clone()),
            _ => None,
        })
    }
    fn finish(&mut self, now: u64, g: &Grant, measured: u64) {
        self.p
            .complete(
                now,
                g.client,
                g.grant,
                CompletionReport { measured_ns: measured, ..Default::default() },
                &mut self.ev,
            )
            .unwrap();
    }
    fn drops(&self) -> Vec<(JobId, DropReason)> {
        self.ev
            .iter()
            .filter_map(|e| match e {
                PolicyEvent::Dropped { job, reason, .. } => Some((*job, *reason)),
                _ => None,
            })
            .collect()
    }
}

fn vision(name: &str, model: &str, period_ms: u64, cost_ms: u64) -> StreamSpec {
    StreamSpec::periodic(name, model, Class::Vision, period_ms * MS, cost_ms * MS)
}

#[test]
fn higher_class_wins_regardless_of_deadline() {
    let mut h = H::new();
    let c = h.client("n");
    let bg = h.stream(c, StreamSpec::request("bg", "m", Class::Background, Some(5 * MS), MS));
    let vi = h.stream(c, vision("cam", "m", 100, 1));
    let cmd = h.stream(c, StreamSpec::request("cmd", "llm", Class::Command, None, MS));
    let _b = h.submit(0, c, bg, JobSpec::default());
    let _v = h.submit(0, c, vi, JobSpec::default());
    let k = h.submit(0, c, cmd, JobSpec::default());
    // Command has no deadline, so nothing may steal its time.
    let g = h.poll(0).unwrap();
    assert_eq!(g.job, k);
    assert_eq!(g.model, "llm");
}

#[test]
fn earliest_deadline_first_within_class_and_fifo_on_ties() {
    let mut h = H::new();
    let c = h.client("n");
    let a = h.stream(c, vision("a", "m", 100, 1));
    let b = h.stream(c, vision("b", "m", 50, 1));
    let d = h.stream(c, vision("d", "m", 50, 1));
    let ja = h.submit(0, c, a, JobSpec::default());
    let jb = h.submit(0, c, b, JobSpec::default());
    let jd = h.submit(0, c, d, JobSpec::default());
    let mut order = Vec::new();
    let mut t = 0;
    while let Some(g) = h.poll(t) {
        h.ev.clear();
        order.push(g.job);
        t += MS;
        h.finish(t, &g, MS);
    }
    assert_eq!(order, vec![jb, jd, ja]);
}

#[test]
fn newer_frame_supersedes_queued_one() {
    let mut h = H::new();
    let c = h.client("n");
    let blocker = h.stream(c, StreamSpec::request("blk", "other", Class::Command, None, 10 * MS));
    let cam = h.stream(c, vision("cam", "m", 33, 2));
    let _k = h.submit(0, c, blocker, JobSpec::default());
    let g = h.poll(0).unwrap();
    let f1 = h.submit(MS, c, cam, JobSpec::default());
    let f2 = h.submit(2 * MS, c, cam, JobSpec::default());
    assert_eq!(h.drops(), vec![(f1, DropReason::Superseded)]);
    h.ev.clear();
    h.finish(10 * MS, &g, 10 * MS);
    let g2 = h.poll(10 * MS).unwrap();
    assert_eq!(g2.job, f2);
    assert_eq!(h.p.snapshot(10 * MS).drops.superseded, 1);
}

#[test]
fn frame_past_deadline_is_dropped_before_grant() {
    let mut h = H::new();
    let c = h.client("n");
    let blocker = h.stream(c, StreamSpec::request("blk", "llm", Class::Command, None, 100 * MS));
    let cam = h.stream(c, vision("cam", "m", 33, 2));
    h.submit(0, c, blocker, JobSpec::default());
    let g = h.poll(0).unwrap();
    let f = h.submit(MS, c, cam, JobSpec::default());
    // Deadline is 34 ms; the next wakeup must be just after it so the node
    // hears about the drop promptly even while the device stays busy.
    assert_eq!(h.p.next_wakeup(), Some(34 * MS + 1));
    h.ev.clear();
    h.p.poll(34 * MS + 1, &mut h.ev);
    assert_eq!(h.drops(), vec![(f, DropReason::DeadlineExpired)]);
    h.ev.clear();
    h.finish(100 * MS, &g, 100 * MS);
    assert!(h.poll(100 * MS).is_none());
    let snap = h.p.snapshot(100 * MS);
    assert_eq!(snap.drops.deadline_expired, 1);
    assert_eq!(snap.deadline_misses, 1);
}

#[test]
fn infeasible_frame_is_dropped_when_device_frees() {
    let mut h = H::new();
    let c = h.client("n");
    let blocker = h.stream(c, StreamSpec::request("blk", "llm", Class::Command, None, 30 * MS));
    let cam = h.stream(c, vision("cam", "m", 33, 10));
    h.submit(0, c, blocker, JobSpec::default());
    let g = h.poll(0).unwrap();
    let f = h.submit(0, c, cam, JobSpec::default());
    h.ev.clear();
    h.finish(30 * MS, &g, 30 * MS);
    // 30 + 10 > 33: cannot make it, so it is not worth the device time.
    assert!(h.poll(30 * MS).is_none());
    assert_eq!(h.drops(), vec![(f, DropReason::DeadlineExpired)]);
}

#[test]
fn admission_control_rejects_with_reason() {
    let mut h = H::with(PolicyConfig { max_pending_per_client: 3, ..Default::default() });
    let c = h.client("n");
    let mut spec = StreamSpec::request("req", "m", Class::Background, None, MS);
    spec.queue_capacity = 2;
    let s = h.stream(c, spec);
    let s2 = h.stream(c, StreamSpec::request("req2", "m", Class::Background, None, MS));
    h.submit(0, c, s, JobSpec::default());
    h.submit(0, c, s, JobSpec::default());
    assert_eq!(h.p.submit(0, c, s, JobSpec::default(), &mut h.ev), Err(RejectReason::StreamQueueFull { capacity: 2 }));
    h.submit(0, c, s2, JobSpec::default());
    assert_eq!(h.p.submit(0, c, s2, JobSpec::default(), &mut h.ev), Err(RejectReason::ClientQueueFull { capacity: 3 }));
    assert_eq!(h.p.submit(0, c, StreamId(999), JobSpec::default(), &mut h.ev), Err(RejectReason::UnknownStream(999)));
    let other = h.client("o");
    // Another client's stream id is not usable.
    assert_eq!(h.p.submit(0, other, s, JobSpec::default(), &mut h.ev), Err(RejectReason::UnknownStream(s.0)));
    assert_eq!(h.p.snapshot(0).clients[0].rejected, 2);
}

#[test]
fn invalid_stream_specs_are_refused() {
    let mut h = H::new();
    let c = h.client("n");
    let mut s = vision("", "m", 10, 1);
    assert!(h.p.add_stream(c, s.clone()).is_err());
    s.name = "x".into();
    s.queue_capacity = 0;
    assert!(h.p.add_stream(c, s.clone()).is_err());
    s.queue_capacity = 1;
    s.period_ns = Some(0);
    assert!(h.p.add_stream(c, s).is_err());
    assert_eq!(h.p.add_stream(ClientId(77), vision("y", "m", 10, 1)), Err(PolicyError::UnknownClient(ClientId(77))));
}

#[test]
fn reregistering_a_stream_name_keeps_its_id() {
    let mut h = H::new();
    let c = h.client("n");
    let a = h.stream(c, vision("cam", "m", 33, 2));
    let b = h.stream(c, vision("cam", "m", 33, 3));
    assert_eq!(a, b);
}

#[test]
fn lease_expiry_revokes_and_regrants() {
    let mut h = H::with(PolicyConfig { lease_ns: 50 * MS, ..Default::default() });
    let a = h.client("a");
    let b = h.client("b");
    let sa = h.stream(a, StreamSpec::request("x", "m", Class::Vision, None, MS));
    let sb = h.stream(b, StreamSpec::request("y", "m", Class::Vision, None, MS));
    let ja = h.submit(0, a, sa, JobSpec::default());
    let ga = h.poll(0).unwrap();
    assert_eq!(ga.job, ja);
    assert_eq!(ga.lease_until, 50 * MS);
    let jb = h.submit(1, b, sb, JobSpec::default());
    h.ev.clear();
    assert!(h.poll(49 * MS).is_none());
    assert_eq!(h.p.next_wakeup(), Some(50 * MS));
    let gb = h.poll(50 * MS).unwrap();
    assert_eq!(gb.job, jb);
    assert_eq!(h.drops(), vec![(ja, DropReason::LeaseExpired)]);
    // The hung holder finishing late is refused.
    let late = h.p.complete(60 * MS, a, ga.grant, CompletionReport::default(), &mut h.ev);
    assert_eq!(late, Err(PolicyError::StaleGrant(ga.grant)));
    assert_eq!(h.p.snapshot(60 * MS).drops.lease_expired, 1);
}

#[test]
fn lease_grows_with_expected_cost() {
    let mut h = H::with(PolicyConfig { lease_ns: 10 * MS, lease_cost_factor: 4, ..Default::default() });
    let c = h.client("n");
    let s = h.stream(c, StreamSpec::request("x", "llm", Class::Command, None, 400 * MS));
    h.submit(0, c, s, JobSpec::default());
    assert_eq!(h.poll(0).unwrap().lease_until, 1600 * MS);
}

#[test]
fn only_the_holder_can_complete() {
    let mut h = H::new();
    let a = h.client("a");
    let b = h.client("b");
    let sa = h.stream(a, StreamSpec::request("x", "m", Class::Vision, None, MS));
    h.submit(0, a, sa, JobSpec::default());
    let g = h.poll(0).unwrap();
    assert_eq!(
        h.p.complete(1, b, g.grant, CompletionReport::default(), &mut h.ev),
        Err(PolicyError::StaleGrant(g.grant))
    );
    assert!(h.p.complete(1, a, g.grant, CompletionReport::default(), &mut h.ev).is_ok());
}

#[test]
fn removing_a_client_frees_the_device_and_its_queue() {
    let mut h = H::new();
    let a = h.client("a");
    let b = h.client("b");
    let sa = h.stream(a, StreamSpec::request("x", "m", Class::Vision, None, MS));
    let sb = h.stream(b, StreamSpec::request("y", "m", Class::Vision, None, MS));
    let ja1 = h.submit(0, a, sa, JobSpec::default());
    let ja2 = h.submit(0, a, sa, JobSpec::default());
    let jb = h.submit(0, b, sb, JobSpec::default());
    assert_eq!(h.poll(0).unwrap().job, ja1);
    h.ev.clear();
    h.p.remove_client(a, 5, &mut h.ev);
    let mut d = h.drops();
    d.sort_by_key(|x| x.0);
    assert_eq!(d, vec![(ja1, DropReason::ClientGone), (ja2, DropReason::ClientGone)]);
    h.ev.clear();
    assert_eq!(h.poll(5).unwrap().job, jb);
}

#[test]
fn cancel_pending_and_running() {
    let mut h = H::new();
    let c = h.client("n");
    let s = h.stream(c, StreamSpec::request("x", "m", Class::Vision, None, MS));
    let j1 = h.submit(0, c, s, JobSpec::default());
    let j2 = h.submit(0, c, s, JobSpec::default());
    assert_eq!(h.poll(0).unwrap().job, j1);
    h.ev.clear();
    h.p.cancel(1, c, j2, &mut h.ev);
    h.p.cancel(1, c, j1, &mut h.ev);
    assert_eq!(h.drops(), vec![(j2, DropReason::Cancelled), (j1, DropReason::Cancelled)]);
    assert!(h.p.holder().is_none());
}

/// An LLM parse as 1 prefill step + decode steps, each a separate grant.
fn llm_job(h: &mut H, c: ClientId, s: StreamId, now: u64, deadline: Option<u64>) -> JobId {
    h.submit(
        now,
        c,
        s,
        JobSpec {
            deadline_ns: deadline,
            next_step_cost_ns: Some(40 * MS),
            remaining_cost_ns: Some(40 * MS + 3 * 14 * MS),
            ..Default::default()
        },
    )
}

#[test]
fn vision_frames_slip_between_llm_steps_when_command_has_slack() {
    let mut h = H::new();
    let c = h.client("n");
    let llm = h.stream(c, StreamSpec::request("cmd", "llm", Class::Command, None, 14 * MS));
    let cam = h.stream(c, vision("cam", "det", 33, 3));
    // 82 ms of work, 300 ms deadline: plenty of slack.
    let k = llm_job(&mut h, c, llm, 0, Some(300 * MS));
    let g = h.poll(0).unwrap();
    assert_eq!((g.job, g.step), (k, 0));
    let f = h.submit(10 * MS, c, cam, JobSpec::default());
    h.ev.clear();
    h.p.complete(
        40 * MS,
        c,
        g.grant,
        CompletionReport {
            measured_ns: 40 * MS,
            switch_ns: None,
            next_step: Some(StepHint { next_step_cost_ns: Some(14 * MS), remaining_cost_ns: Some(42 * MS) }),
        },
        &mut h.ev,
    )
    .unwrap();
    let g2 = h.poll(40 * MS).unwrap();
    assert_eq!(g2.job, f, "frame with a live deadline goes before the next decode step");
    h.ev.clear();
    h.finish(43 * MS, &g2, 3 * MS);
    let g3 = h.poll(43 * MS).unwrap();
    assert_eq!((g3.job, g3.step), (k, 1));
}

#[test]
fn no_stealing_when_it_would_cost_the_command_its_deadline() {
    let mut h = H::with(PolicyConfig { safety_margin_ns: 0, safety_margin_frac: 0.0, ..Default::default() });
    let c = h.client("n");
    let llm = h.stream(c, StreamSpec::request("cmd", "llm", Class::Command, None, 14 * MS));
    let cam = h.stream(c, vision("cam", "det", 33, 3));
    // 82 ms of work, deadline 84 ms: a 3 ms frame would break it.
    let k = llm_job(&mut h, c, llm, 0, Some(84 * MS));
    let g = h.poll(0).unwrap();
    let _f = h.submit(10 * MS, c, cam, JobSpec::default());
    h.ev.clear();
    h.p.complete(
        40 * MS,
        c,
        g.grant,
        CompletionReport {
            measured_ns: 40 * MS,
            switch_ns: None,
            next_step: Some(StepHint { next_step_cost_ns: Some(14 * MS), remaining_cost_ns: Some(42 * MS) }),
        },
        &mut h.ev,
    )
    .unwrap();
    let g2 = h.poll(40 * MS).unwrap();
    assert_eq!((g2.job, g2.step), (k, 1));
}

#[test]
fn first_step_deadline_is_protected() {
    let mut h = H::with(PolicyConfig { safety_margin_ns: 0, safety_margin_frac: 0.0, ..Default::default() });
    let c = h.client("n");
    let llm = h.stream(c, StreamSpec::request("cmd", "llm", Class::Command, None, 14 * MS));
    let cam = h.stream(c, vision("cam", "det", 33, 3));
    let f = h.submit(0, c, cam, JobSpec::default());
    // Whole parse has lots of slack, but the first token is due in 41 ms.
    let k = h.submit(
        0,
        c,
        llm,
        JobSpec {
            deadline_ns: Some(3000 * MS),
            first_step_deadline_ns: Some(41 * MS),
            next_step_cost_ns: Some(40 * MS),
            remaining_cost_ns: Some(82 * MS),
            ..Default::default()
        },
    );
    assert_eq!(h.poll(0).unwrap().job, k);
    let _ = f;
}

/// Loads model A with one 2 ms job whose first load costs a measured 5 ms
/// switch, then queues B (relative deadline `b_rel_ms`) and a second A job.
/// Returns which job runs next.
fn grouping_case(b_rel_ms: u64) -> (bool, Grant) {
    let mut h = H::with(PolicyConfig { safety_margin_ns: 0, safety_margin_frac: 0.0, ..Default::default() });
    let c = h.client("n");
    let a = h.stream(c, vision("a", "A", 100, 2));
    let a2 = h.stream(c, vision("a2", "A", 100, 2));
    let b = h.stream(c, StreamSpec { relative_deadline_ns: Some(b_rel_ms * MS), ..vision("b", "B", 100, 2) });
    h.submit(0, c, a, JobSpec::default());
    let g = h.poll(0).unwrap();
    let jb = h.submit(MS, c, b, JobSpec::default());
    let ja2 = h.submit(MS, c, a2, JobSpec::default());
    h.ev.clear();
    // 2 ms of work + 5 ms switch: the policy learns switches cost 5 ms.
    h.finish(7 * MS, &g, 7 * MS);
    assert_eq!(h.p.snapshot(7 * MS).switch_cost_ewma_ns, Some(5 * MS));
    let next = h.poll(7 * MS).unwrap();
    assert!(next.job == jb || next.job == ja2);
    (next.job == ja2, next)
}

#[test]
fn grouping_runs_loaded_model_first_when_switches_are_expensive() {
    // B due at 21 ms: A2 (2) + switch (5) + B (2) from 7 ms ends at 16 ms.
    let (grouped, g) = grouping_case(20);
    assert!(grouped, "same-model job grouped ahead of the switch");
    assert!(!g.switch);
}

#[test]
fn grouping_never_makes_a_deadline_miss() {
    // B due at 15 ms: grouping would finish it at 16 ms, B first at 14 ms.
    let (grouped, g) = grouping_case(14);
    assert!(!grouped);
    assert!(g.switch);
}

#[test]
fn no_grouping_when_switches_are_cheap() {
    let mut h = H::with(PolicyConfig { safety_margin_ns: 0, safety_margin_frac: 0.0, ..Default::default() });
    let c = h.client("n");
    let a = h.stream(c, vision("a", "A", 100, 2));
    let a2 = h.stream(c, vision("a2", "A", 100, 2));
    let b = h.stream(c, vision("b", "B", 50, 2));
    h.submit(0, c, a, JobSpec::default());
    let g = h.poll(0).unwrap();
    let jb = h.submit(MS, c, b, JobSpec::default());
    h.submit(MS, c, a2, JobSpec::default());
    h.ev.clear();
    h.finish(2 * MS, &g, 2 * MS);
    assert_eq!(h.poll(2 * MS).unwrap().job, jb, "plain EDF when switching is free");
}

#[test]
fn learns_model_cost_and_switch_cost() {
    let mut h = H::with(PolicyConfig { ewma_alpha: 0.5, ..Default::default() });
    let c = h.client("n");
    let a = h.stream(c, StreamSpec::request("a", "A", Class::Vision, None, 4 * MS));
    let b = h.stream(c, StreamSpec::request("b", "B", Class::Vision, None, 5 * MS));
    let mut t = 0;
    let run = |h: &mut H, t: &mut u64, s: StreamId, measured: u64| {
        h.submit(*t, c, s, JobSpec::default());
        let g = h.poll(*t).unwrap();
        h.ev.clear();
        *t += measured;
        h.finish(*t, &g, measured);
        g
    };
    // First load of A: 10 ms against a declared 4 ms = 6 ms of switch.
    assert!(run(&mut h, &mut t, a, 10 * MS).switch);
    assert_eq!(h.p.snapshot(t).switch_cost_ewma_ns, Some(6 * MS));
    assert_eq!(h.p.snapshot(t).models[0].ewma_cost_ns, None, "switch runs don't set the model cost");
    run(&mut h, &mut t, a, 4 * MS);
    run(&mut h, &mut t, a, 2 * MS);
    assert_eq!(h.p.snapshot(t).models[0].ewma_cost_ns, Some(3 * MS));
    // Switch to B: declared 5 ms, measured 7 ms -> 2 ms sample; EWMA (6+2)/2.
    run(&mut h, &mut t, b, 7 * MS);
    assert_eq!(h.p.snapshot(t).switch_cost_ewma_ns, Some(4 * MS));
    // Back to A: 3 ms learned + 6 ms -> 6 ms sample; EWMA (4+6)/2.
    assert!(run(&mut h, &mut t, a, 9 * MS).switch);
    let snap = h.p.snapshot(t);
    assert_eq!(snap.switch_cost_ewma_ns, Some(5 * MS));
    assert_eq!(snap.models[0].ewma_cost_ns, Some(3 * MS), "switch time kept out of the model cost");
    assert_eq!(snap.model_switches, 3);
    // An explicit switch report is used as is.
    h.submit(t, c, b, JobSpec::default());
    let g = h.poll(t).unwrap();
    h.p.complete(
        t + 9 * MS,
        c,
        g.grant,
        CompletionReport { measured_ns: 9 * MS, switch_ns: Some(3 * MS), next_step: None },
        &mut h.ev,
    )
    .unwrap();
    let snap = h.p.snapshot(t + 9 * MS);
    assert_eq!(snap.switch_cost_ewma_ns, Some(4 * MS));
    assert_eq!(snap.models[1].ewma_cost_ns, Some(6 * MS));
}

#[test]
fn snapshot_reports_load_and_queue() {
    let mut h = H::new();
    let c = h.client("n");
    let s = h.stream(c, StreamSpec::request("x", "m", Class::Vision, None, MS));
    h.submit(0, c, s, JobSpec::default());
    h.submit(0, c, s, JobSpec::default());
    let g = h.poll(0).unwrap();
    h.finish(25 * MS, &g, 25 * MS);
    let snap = h.p.snapshot(100 * MS);
    assert!((snap.busy_fraction - 0.25).abs() < 1e-9);
    assert_eq!(snap.queue_depth, 1);
    assert_eq!(snap.clients[0].queue_depth, 1);
    assert_eq!(snap.clients[0].completed, 1);
    assert_eq!(snap.clients[0].run_time.p50_ns, Some(25 * MS));
    assert_eq!(snap.clients[0].grant_wait.p50_ns, Some(0));
    assert!((snap.clients[0].load_fraction - 0.25).abs() < 1e-9);
    // Serializable for the ROS status publisher.
    let j = serde_json::to_string(&snap).unwrap();
    let back: StatusSnapshot = serde_json::from_str(&j).unwrap();
    assert_eq!(back, snap);
}

/// Tiny deterministic generator so the property test needs no extra crate.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn random_run(seed: u64) -> (Vec<String>, usize) {
    let mut h = H::with(PolicyConfig {
        lease_ns: 30 * MS,
        lease_cost_factor: 1,
        initial_switch_cost_ns: MS,
        ..Default::default()
    });
    let mut rng = Lcg(seed);
    let clients: Vec<ClientId> = (0..3).map(|i| h.client(&format!("c{i}"))).collect();
    let mut streams = Vec::new();
    for (i, &c) in clients.iter().enumerate() {
        streams.push((c, h.stream(c, vision(&format!("v{i}"), ["A", "B"][i % 2], 20 + 10 * i as u64, 2))));
        streams
            .push((c, h.stream(c, StreamSpec::request(&format!("r{i}"), "L", Class::Command, Some(200 * MS), 5 * MS))));
        streams.push((c, h.stream(c, StreamSpec::request(&format!("b{i}"), "A", Class::Background, None, 3 * MS))));
    }
    let mut accepted = std::collections::BTreeSet::new();
    let mut terminal: BTreeMap<JobId, usize> = BTreeMap::new();
    let mut log = Vec::new();
    let mut t = 0u64;
    let mut holder: Option<Grant> = None;
    let mut removed = false;
    for _ in 0..4000 {
        t += rng.below(3 * MS);
        match rng.below(10) {
            0..=4 => {
                let (c, s) = streams[rng.below(streams.len() as u64) as usize];
                let steps = rng.below(3);
                let spec = JobSpec { remaining_cost_ns: Some((steps + 1) * 5 * MS), ..Default::default() };
                if let Ok(j) = h.p.submit(t, c, s, spec, &mut h.ev) {
                    accepted.insert(j);
                }
            }
            5..=7 => {
                if let Some(g) = holder.clone() {
                    // Sometimes the holder "hangs" (no completion): the lease handles it.
                    if rng.below(20) != 0 {
                        holder = None;
                        let more = g.model == "L" && rng.below(2) == 0;
                        let report = CompletionReport {
                            measured_ns: t - g.granted_at,
                            switch_ns: None,
                            next_step: more.then(StepHint::default),
                        };
                        let _ = h.p.complete(t, g.client, g.grant, report, &mut h.ev);
                    }
                }
            }
            8 if !removed && rng.below(50) == 0 => {
                h.p.remove_client(clients[0], t, &mut h.ev);
                removed = true;
            }
            _ => {}
        }
        h.p.poll(t, &mut h.ev);
        for e in h.ev.drain(..) {
            match &e {
                PolicyEvent::Granted(g) => {
                    assert!(h.p.holder().is_some());
                    holder = Some(g.clone());
                }
                PolicyEvent::Dropped { job, .. } | PolicyEvent::Completed { job, .. } => {
                    *terminal.entry(*job).or_default() += 1;
                    if holder.as_ref().is_some_and(|g| g.job == *job) {
                        holder = None;
                    }
                }
            }
            log.push(format!("{t} {e:?}"));
        }
        // The policy's holder and ours agree: at most one grant outstanding.
        assert_eq!(h.p.holder().map(|g| g.grant), holder.as_ref().map(|g| g.grant));
    }
    // Drain: finish everything still queued.
    for _ in 0..100_000 {
        if h.p.pending_len() == 0 && h.p.holder().is_none() {
            break;
        }
        t += MS;
        if let Some(g) = h.p.holder().cloned() {
            h.p.complete(t, g.client, g.grant, CompletionReport { measured_ns: MS, ..Default::default() }, &mut h.ev)
                .unwrap();
        }
        h.p.poll(t, &mut h.ev);
        for e in h.ev.drain(..) {
            if let PolicyEvent::Dropped { job, .. } | PolicyEvent::Completed { job, .. } = e {
                *terminal.entry(job).or_default() += 1;
            }
        }
    }
    for j in &accepted {
        assert_eq!(terminal.get(j), Some(&1), "job {j} must end exactly once");
    }
    assert_eq!(terminal.len(), accepted.len());
    (log, accepted.len())
}

#[test]
fn every_job_ends_exactly_once_and_runs_are_deterministic() {
    for seed in [1, 7, 42, 1234] {
        let (a, n) = random_run(seed);
        let (b, _) = random_run(seed);
        assert!(n > 100);
        assert_eq!(a, b, "same inputs, same decisions");
    }
}

#[test]
fn late_command_is_not_delayed_further() {
    let mut h = H::with(PolicyConfig { safety_margin_ns: 0, safety_margin_frac: 0.0, ..Default::default() });
    let c = h.client("n");
    let llm = h.stream(c, StreamSpec::request("cmd", "llm", Class::Command, None, 14 * MS));
    let cam = h.stream(c, vision("cam", "det", 33, 3));
    // 82 ms of work, 60 ms deadline: late whatever happens.
    let k = llm_job(&mut h, c, llm, 0, Some(60 * MS));
    let g = h.poll(0).unwrap();
    h.submit(10 * MS, c, cam, JobSpec::default());
    h.ev.clear();
    h.p.complete(
        40 * MS,
        c,
        g.grant,
        CompletionReport {
            measured_ns: 40 * MS,
            switch_ns: None,
            next_step: Some(StepHint { next_step_cost_ns: Some(14 * MS), remaining_cost_ns: Some(42 * MS) }),
        },
        &mut h.ev,
    )
    .unwrap();
    assert_eq!(h.poll(40 * MS).unwrap().job, k);
}

#[test]
fn absurd_client_values_do_not_panic() {
    let mut h = H::new();
    let c = h.client("n");
    let s = h.stream(c, StreamSpec::request("x", "m", Class::Vision, Some(u64::MAX), u64::MAX));
    let v = h.stream(c, vision("v", "m2", 33, 1));
    let huge = JobSpec {
        arrival_ns: Some(0),
        deadline_ns: Some(u64::MAX),
        first_step_deadline_ns: Some(u64::MAX),
        next_step_cost_ns: Some(u64::MAX),
        remaining_cost_ns: Some(u64::MAX),
    };
    h.submit(0, c, s, huge.clone());
    h.submit(0, c, v, JobSpec::default());
    h.submit(0, c, s, JobSpec::default());
    let t = u64::MAX / 2;
    let g = h.poll(t).unwrap();
    h.p.complete(
        t,
        c,
        g.grant,
        CompletionReport {
            measured_ns: u64::MAX,
            switch_ns: Some(u64::MAX),
            next_step: Some(StepHint { next_step_cost_ns: Some(u64::MAX), remaining_cost_ns: Some(u64::MAX) }),
        },
        &mut h.ev,
    )
    .unwrap();
    h.p.poll(u64::MAX, &mut h.ev);
    let _ = h.p.next_wakeup();
    let _ = h.p.snapshot(u64::MAX);
    assert_eq!(
        h.p.submit(0, c, s, JobSpec { arrival_ns: Some(u64::MAX), ..huge }, &mut h.ev),
        Err(RejectReason::Invalid("arrival time far in the future".into()))
    );
}

/// Submits one camera frame every `period` from `start` to `stream`, runs whatever gets granted
/// to completion at once (cost 1 ms) and returns how many frames completed.
fn run_camera(h: &mut H, c: ClientId, s: StreamId, start: u64, period: u64, frames: u64) -> u64 {
    let mut done = 0;
    for i in 0..frames {
        let t = start + i * period;
        h.submit(t, c, s, JobSpec::default());
        if let Some(g) = h.poll(t) {
            h.finish(t + MS, &g, MS);
            done += 1;
        }
        h.ev.clear();
    }
    done
}

fn stream_status(h: &H, now: u64, name: &str) -> crate::stats::StreamStatus {
    h.p.snapshot(now).clients.iter().flat_map(|c| c.streams.clone()).find(|s| s.name == name).unwrap()
}

#[test]
fn reduced_class_admits_the_share_evenly_and_counts_thermal_drops() {
    let mut h = H::new();
    let c = h.client("det");
    let cam = h.stream(c, vision("cam", "yolo", 33, 1));
    assert_eq!(run_camera(&mut h, c, cam, 0, 33 * MS, 30), 30);
    h.p.set_admission(Class::Vision, Admission::Reduced { factor: 0.5 }, &mut h.ev).unwrap();
    // Every other frame: never two refused in a row, so the stream's latency stays bounded.
    let mut pattern = Vec::new();
    for i in 0..30u64 {
        let t = 10_000 * MS + i * 33 * MS;
        h.ev.clear();
        h.submit(t, c, cam, JobSpec::default());
        let refused = h.drops().iter().any(|(_, r)| *r == DropReason::Thermal);
        if let Some(g) = h.poll(t) {
            h.finish(t + MS, &g, MS);
        }
        pattern.push(!refused);
    }
    assert_eq!(pattern.iter().filter(|a| **a).count(), 15);
    assert!(pattern.windows(2).all(|w| w[0] != w[1]), "{pattern:?}");
    let st = stream_status(&h, 20_000 * MS, "cam");
    assert_eq!((st.submitted, st.completed, st.drops.thermal), (60, 45, 15));
    assert_eq!(h.p.snapshot(20_000 * MS).drops.thermal, 15);
    // A share that is not a divisor of 1 still comes out right over time.
    h.p.set_admission(Class::Vision, Admission::Reduced { factor: 0.3 }, &mut h.ev).unwrap();
    assert_eq!(run_camera(&mut h, c, cam, 30_000 * MS, 33 * MS, 100), 30);
    // Back to full: every frame again.
    h.p.set_admission(Class::Vision, Admission::Full, &mut h.ev).unwrap();
    assert_eq!(run_camera(&mut h, c, cam, 40_000 * MS, 33 * MS, 20), 20);
}

#[test]
fn a_refused_frame_does_not_supersede_the_queued_one() {
    let mut h = H::new();
    let c = h.client("det");
    let busy = h.stream(c, StreamSpec::request("llm", "llm", Class::Command, None, 500 * MS));
    let cam = h.stream(c, vision("cam", "yolo", 1000, 1));
    h.submit(0, c, busy, JobSpec::default());
    let g = h.poll(0).unwrap();
    h.p.set_admission(Class::Vision, Admission::Reduced { factor: 0.5 }, &mut h.ev).unwrap();
    let queued = h.submit(1, c, cam, JobSpec::default());
    let refused = h.submit(2, c, cam, JobSpec::default());
    assert_eq!(h.drops(), vec![(refused, DropReason::Thermal)]);
    h.finish(10 * MS, &g, 10 * MS);
    h.ev.clear();
    assert_eq!(h.poll(10 * MS).unwrap().job, queued);
}

#[test]
fn shed_class_is_refused_and_its_queue_dropped_but_command_is_never_limited() {
    let mut h = H::new();
    let c = h.client("n");
    let cmd = h.stream(c, StreamSpec::request("parse", "llm", Class::Command, None, 5 * MS));
    let bg = h.stream(c, StreamSpec::request("bg", "embed", Class::Background, None, MS));
    let cam = h.stream(c, vision("cam", "yolo", 100, 1));
    let hold = h.submit(0, c, cmd, JobSpec::default());
    assert_eq!(h.poll(0).unwrap().job, hold);
    let queued_bg = h.submit(1, c, bg, JobSpec::default());
    h.ev.clear();
    h.p.set_admission(Class::Background, Admission::Shed, &mut h.ev).unwrap();
    assert_eq!(h.drops(), vec![(queued_bg, DropReason::Thermal)]);
    h.ev.clear();
    let refused = h.submit(2, c, bg, JobSpec::default());
    assert_eq!(h.drops(), vec![(refused, DropReason::Thermal)]);
    assert_eq!(h.p.pending_len(), 0);
    // Vision (not shed here) and command still go through.
    let v = h.submit(3, c, cam, JobSpec::default());
    let k = h.submit(3, c, cmd, JobSpec::default());
    assert_eq!(h.p.pending_len(), 2);
    let g = h.p.holder().cloned().unwrap();
    h.finish(5 * MS, &g, 5 * MS);
    h.ev.clear();
    assert_eq!(h.poll(5 * MS).unwrap().job, k);
    let _ = v;
    // Command cannot be limited, and nonsense factors are refused with a reason.
    for a in [Admission::Shed, Admission::Reduced { factor: 0.5 }] {
        assert!(matches!(
            h.p.set_admission(Class::Command, a, &mut h.ev),
            Err(PolicyError::InvalidAdmission { class: Class::Command, .. })
        ));
    }
    for f in [0.0, -1.0, f64::NAN] {
        assert!(h.p.set_admission(Class::Vision, Admission::Reduced { factor: f }, &mut h.ev).is_err(), "{f}");
    }
    assert_eq!(h.p.admission(Class::Command), Admission::Full);
    // A factor of 1 or more is no limit.
    h.p.set_admission(Class::Vision, Admission::Reduced { factor: 1.0 }, &mut h.ev).unwrap();
    assert_eq!(h.p.admission(Class::Vision), Admission::Full);
}

/// The thermal policy driving the arbiter on a simulated temperature trace (injected clock:
/// one sample a second): hot = background shed, vision halved; warm = both halved; command
/// untouched throughout; cooling takes effect only after the dwell.
#[test]
fn thermal_policy_drives_admission_on_a_temperature_trace() {
    use crate::thermal::{Telemetry, ThermalConfig, ThermalPolicy};
    use std::time::{Duration, Instant};
    let mut thermal =
        ThermalPolicy::new(ThermalConfig { min_dwell: Duration::from_secs(2), ..Default::default() }).unwrap();
    let mut h = H::new();
    let c = h.client("n");
    let cmd = h.stream(c, StreamSpec::request("parse", "llm", Class::Command, None, MS));
    let bg = h.stream(c, StreamSpec::request("bg", "embed", Class::Background, None, MS));
    let cam = h.stream(c, vision("cam", "yolo", 33, 1));
    let t0 = Instant::now();
    let trace = [50.0, 85.0, 50.0, 50.0, 70.0, 50.0, 50.0];
    let mut per_second = Vec::new();
    for (i, celsius) in trace.iter().enumerate() {
        let d = thermal.update(&Telemetry { temperature_c: Some(*celsius), ..Default::default() }, t0 + Duration::from_secs(i as u64));
        for class in Class::ALL_DESC {
            h.p.set_admission(class, thermal.admission(class), &mut h.ev).unwrap();
        }
        let base = i as u64 * 1000 * MS;
        let cam_done = run_camera(&mut h, c, cam, base, 33 * MS, 30);
        let bg_done = run_camera(&mut h, c, bg, base + 990 * MS, MS, 1);
        let cmd_done = run_camera(&mut h, c, cmd, base + 995 * MS, MS, 1);
        per_second.push((d.state, cam_done, bg_done, cmd_done));
    }
    use crate::thermal::ThermalState::*;
    assert_eq!(
        per_second,
        vec![
            (Full, 30, 1, 1),
            (Shed, 15, 0, 1),
            // Cool already, but the 2 s dwell holds the band.
            (Shed, 15, 0, 1),
            (Full, 30, 1, 1),
            // Warm: background gets every other request too (the second one is refused).
            (Reduced, 15, 1, 1),
            (Reduced, 15, 0, 1),
            (Full, 30, 1, 1),
        ]
    );
}

#[test]
fn model_device_time_is_in_the_snapshot() {
    let mut h = H::new();
    let c = h.client("n");
    let cam = h.stream(c, vision("cam", "yolo", 100, 1));
    for i in 0..3u64 {
        h.ev.clear();
        h.submit(i * 100 * MS, c, cam, JobSpec::default());
        let g = h.poll(i * 100 * MS).unwrap();
        h.finish(i * 100 * MS + 7 * MS, &g, 7 * MS);
    }
    let m = h.p.snapshot(1000 * MS).models.into_iter().find(|m| m.name == "yolo").unwrap();
    assert_eq!((m.runs, m.busy_ns), (3, 21 * MS));
}

/// The command parser's CPU LLM next to a detection node, as the nodes drive the policy: the
/// LLM's first step (prompt evaluation) costs several decode steps, vision frames are
/// submitted one at a time with deadline max(period, 2 x cost). Returns the frames granted
/// while parses run and in an idle second after the last one.
fn llm_beside_vision(llm_hints: bool) -> (u64, u64) {
    let mut h = H::new();
    let c = h.client("n");
    let llm = h.stream(c, StreamSpec::request("cmd", "llm", Class::Command, None, 150 * MS));
    let cam = h.stream(c, vision("cam", "det", 100, 90));
    let (prefill, decode, tokens) = (380 * MS, 100 * MS, 12u64);
    let hint = |step: u64| {
        let next = if step == 0 { prefill } else { decode };
        let rest = next + decode * (tokens - step.min(tokens));
        (Some(next), Some(rest))
    };
    let mut vision_waiting = false;
    let mut holder: Option<(Grant, u64)> = None;
    let (mut during, mut after) = (0, 0);
    let parses = [1000 * MS, 3000 * MS, 5000 * MS];
    let end = 10_000 * MS;
    let mut t = 0;
    while t < end {
        if parses.contains(&t) {
            let (next, rest) = if llm_hints { hint(0) } else { (None, None) };
            let spec = JobSpec {
                deadline_ns: Some(t + 3000 * MS),
                next_step_cost_ns: next,
                remaining_cost_ns: rest,
                ..Default::default()
            };
            h.submit(t, c, llm, spec);
        }
        if t % (100 * MS) == 0 && !vision_waiting && holder.as_ref().is_none_or(|(g, ..)| g.stream != cam) {
            let spec =
                JobSpec { deadline_ns: Some(t + 180 * MS), next_step_cost_ns: Some(90 * MS), ..Default::default() };
            h.submit(t, c, cam, spec);
            vision_waiting = true;
        }
        if let Some((g, until)) = holder.clone() {
            if t >= until {
                holder = None;
                let more = g.stream == llm && u64::from(g.step) < tokens;
                let next_step = more.then(|| {
                    let (next, rest) = if llm_hints { hint(u64::from(g.step) + 1) } else { (None, None) };
                    StepHint { next_step_cost_ns: next, remaining_cost_ns: rest }
                });
                let report = CompletionReport { measured_ns: until - g.granted_at, switch_ns: None, next_step };
                h.p.complete(t, c, g.grant, report, &mut h.ev).unwrap();
            }
        }
        h.p.poll(t, &mut h.ev);
        for e in h.ev.drain(..) {
            match e {
                PolicyEvent::Granted(g) if g.stream == cam => {
                    vision_waiting = false;
                    if t < 6000 * MS {
                        during += 1;
                    } else if t >= 9000 * MS {
                        after += 1;
                    }
                    holder = Some((g, t + 90 * MS));
                }
                PolicyEvent::Granted(g) => {
                    let cost = if g.step == 0 { prefill } else { decode };
                    holder = Some((g, t + cost));
                }
                PolicyEvent::Dropped { stream, .. } if stream == cam => vision_waiting = false,
                _ => {}
            }
        }
        t += MS;
    }
    (during, after)
}

#[test]
fn vision_keeps_running_beside_a_cpu_llm() {
    for hints in [false, true] {
        let (during, after) = llm_beside_vision(hints);
        // Six seconds with three parses of 1.6 s of device time each: about half the device is
        // left for 90 ms frames every 100 ms. Before the fix, an LLM without step hints taught
        // the policy a 110 ms "switch" (its prompt step over its decode average) and vision
        // got 19 frames here, then none at all once the parses were over.
        assert!(during >= 25, "hints {hints}: {during} frames granted while the LLM parsed");
        // An idle device runs every frame.
        assert!(after >= 9, "hints {hints}: {after} frames granted in the idle second after");
    }
}

#[test]
fn a_stream_the_estimates_call_infeasible_still_runs_now_and_then() {
    // A first load that took 500 ms longer than declared teaches a 500 ms switch: from then on
    // every frame looks infeasible, and only running one can show otherwise.
    let mut h = H::new();
    let c = h.client("n");
    let llm = h.stream(c, StreamSpec::request("cmd", "llm", Class::Command, None, 50 * MS));
    let cam = h.stream(c, vision("cam", "det", 100, 20));
    h.submit(0, c, llm, JobSpec::default());
    let g = h.poll(0).unwrap();
    h.finish(550 * MS, &g, 550 * MS);
    assert_eq!(h.p.snapshot(550 * MS).switch_cost_ewma_ns, Some(500 * MS));
    let mut t = 600 * MS;
    let limit = h.p.config().max_infeasible_in_a_row;
    for i in 0..limit {
        h.ev.clear();
        let f = h.submit(t, c, cam, JobSpec::default());
        assert!(h.poll(t).is_none(), "frame {i}");
        assert_eq!(h.drops(), vec![(f, DropReason::DeadlineExpired)]);
        t += 100 * MS;
    }
    // The next one runs and shows the switch to be cheap; the model stays loaded, so every
    // frame after it runs.
    for _ in 0..3 {
        h.ev.clear();
        let f = h.submit(t, c, cam, JobSpec::default());
        let g = h.poll(t).unwrap();
        assert_eq!(g.job, f);
        h.finish(t + 20 * MS, &g, 20 * MS);
        t += 100 * MS;
    }
    assert_eq!(h.p.snapshot(t).switch_cost_ewma_ns, Some(400 * MS), "one switch-free sample learned");
}
