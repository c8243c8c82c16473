//! The scheduling policy: pure, deterministic, no I/O, no clock of its own.
//!
//! Every entry point takes `now` so the coordinator can feed it
//! `CLOCK_MONOTONIC` and the simulation bench can feed it simulated time:
//! both run exactly this code. Ordered maps are used throughout so that the
//! same inputs always give the same decisions.
//!
//! Decision rules, in order:
//! 1. Pending jobs whose deadline has passed (or, with `drop_infeasible`,
//!    cannot be met even if started now) are dropped as `DeadlineExpired`;
//!    running a frame nobody can use would only delay frames that still can be.
//!    "Cannot be met" is an estimate, so after `max_infeasible_in_a_row` such
//!    drops a stream's next job runs and measures again.
//! 2. The highest class with pending work wins (Command > Vision > Background);
//!    earliest deadline first inside a class.
//! 3. Slack stealing: a lower-class job with a deadline may run first when
//!    every higher-class job has a deadline and an EDF replay shows none of
//!    them would newly miss. This is what lets vision frames slip between LLM
//!    steps without costing the command its deadline.
//! 4. Grouping: when the measured switch cost is worth saving, a job for the
//!    model already loaded may run ahead of the EDF head, again only if the
//!    replay shows no deadline newly missed.
//!
//! Admission per class ([`Policy::set_admission`], fed by the thermal policy):
//! a reduced class admits only a share of each stream's submissions, a shed
//! class none; the rest are dropped as `Thermal` at submission. Command work
//! is never limited: a spoken "stop" must still be understood when hot.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tracing::{debug, info, warn};

use crate::stats::{
    ClientStatus, Counters, DropCounts, HolderStatus, LatencyWindow, ModelStatus, StatusSnapshot, StreamStatus,
};

/// Nanoseconds on the arbiter's monotonic clock.
pub type Nanos = u64;

macro_rules! id_type {
    ($name:ident) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}
id_type!(ClientId);
id_type!(StreamId);
id_type!(JobId);
id_type!(GrantId);

/// Priority class. Declaration order is the priority order (derive(Ord)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    Background,
    Vision,
    Command,
}

impl Class {
    pub const ALL_DESC: [Class; 3] = [Class::Command, Class::Vision, Class::Background];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    /// A newer frame of the same latest-frame-wins stream replaced it.
    Superseded,
    /// Its deadline passed (or could no longer be met) before it was granted.
    DeadlineExpired,
    /// The holder neither completed nor released within the lease.
    LeaseExpired,
    /// The submitting client disconnected.
    ClientGone,
    /// The client cancelled it.
    Cancelled,
    /// Its class is limited to cool the device (reduced rate, or shed).
    Thermal,
}

impl std::fmt::Display for DropReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = match self {
            DropReason::Superseded => "superseded",
            DropReason::DeadlineExpired => "deadline expired",
            DropReason::LeaseExpired => "lease expired",
            DropReason::ClientGone => "client gone",
            DropReason::Cancelled => "cancelled",
            DropReason::Thermal => "thermal limit",
        };
        f.write_str(s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum RejectReason {
    #[error("stream queue full (capacity {capacity})")]
    StreamQueueFull { capacity: u32 },
    #[error("client queue full (capacity {capacity})")]
    ClientQueueFull { capacity: u32 },
    #[error("unknown stream {0}")]
    UnknownStream(u64),
    #[error("unknown client {0}")]
    UnknownClient(u64),
    #[error("invalid job: {0}")]
    Invalid(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("unknown client {0}")]
    UnknownClient(ClientId),
    #[error("grant {0} is not the current grant (expired, released or never issued)")]
    StaleGrant(GrantId),
    #[error("invalid stream spec: {0}")]
    InvalidStream(String),
    #[error("invalid admission for {class:?}: {reason}")]
    InvalidAdmission { class: Class, reason: &'static str },
}

/// How much of a class's work the policy admits (set from the thermal band).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Admission {
    Full,
    /// Admit this share (0, 1) of each stream's submissions, evenly spread.
    Reduced { factor: f64 },
    /// Admit nothing.
    Shed,
}

impl std::fmt::Display for Admission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Admission::Full => f.write_str("full"),
            Admission::Reduced { factor } => write!(f, "reduced x{factor:.2}"),
            Admission::Shed => f.write_str("shed"),
        }
    }
}

/// What a node declares once per input stream / model use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamSpec {
    /// Unique per client; used to re-register after a coordinator restart.
    pub name: String,
    pub model: String,
    pub class: Class,
    /// Input period for periodic streams; also the default relative deadline.
    #[serde(default)]
    pub period_ns: Option<u64>,
    /// Overrides `period_ns` as the relative deadline.
    #[serde(default)]
    pub relative_deadline_ns: Option<u64>,
    /// Cost estimate used until the model has measurements.
    pub expected_cost_ns: u64,
    /// A newer job replaces a queued (not yet granted) older one.
    #[serde(default)]
    pub latest_frame_wins: bool,
    /// Jobs past their deadline are dropped rather than run late.
    #[serde(default = "default_true")]
    pub drop_expired: bool,
    /// Admission bound: pending (not running) jobs of this stream.
    #[serde(default = "default_stream_capacity")]
    pub queue_capacity: u32,
}

fn default_true() -> bool {
    true
}
fn default_stream_capacity() -> u32 {
    4
}

impl StreamSpec {
    /// A camera-like stream: deadline = period, newest frame wins.
    pub fn periodic(name: &str, model: &str, class: Class, period_ns: u64, expected_cost_ns: u64) -> Self {
        StreamSpec {
            name: name.into(),
            model: model.into(),
            class,
            period_ns: Some(period_ns),
            relative_deadline_ns: None,
            expected_cost_ns,
            latest_frame_wins: true,
            drop_expired: true,
            queue_capacity: 1,
        }
    }

    /// Request/response work (e.g. an LLM command parse): never superseded,
    /// run late rather than dropped.
    pub fn request(
        name: &str,
        model: &str,
        class: Class,
        relative_deadline_ns: Option<u64>,
        expected_cost_ns: u64,
    ) -> Self {
        StreamSpec {
            name: name.into(),
            model: model.into(),
            class,
            period_ns: None,
            relative_deadline_ns,
            expected_cost_ns,
            latest_frame_wins: false,
            drop_expired: false,
            queue_capacity: 4,
        }
    }

    fn relative_deadline(&self) -> Option<u64> {
        self.relative_deadline_ns.or(self.period_ns)
    }

    fn validate(&self) -> Result<(), PolicyError> {
        if self.name.is_empty() || self.model.is_empty() {
            return Err(PolicyError::InvalidStream("empty name or model".into()));
        }
        if self.queue_capacity == 0 {
            return Err(PolicyError::InvalidStream("queue_capacity must be >= 1".into()));
        }
        if self.period_ns == Some(0) || self.relative_deadline_ns == Some(0) {
            return Err(PolicyError::InvalidStream("zero period/deadline".into()));
        }
        Ok(())
    }
}

/// Per-job parameters; everything optional falls back to the stream's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JobSpec {
    /// When the input was captured; deadlines count from here, so time spent
    /// before submission is not forgotten. Defaults to submission time.
    #[serde(default)]
    pub arrival_ns: Option<Nanos>,
    /// Absolute deadline; overrides arrival + relative deadline.
    #[serde(default)]
    pub deadline_ns: Option<Nanos>,
    /// Absolute deadline for the first step only (e.g. LLM time to first token).
    #[serde(default)]
    pub first_step_deadline_ns: Option<Nanos>,
    /// Cost of the next step when the node knows better than the model EWMA
    /// (an LLM prefill costs far more than a decode step of the same model).
    #[serde(default)]
    pub next_step_cost_ns: Option<u64>,
    /// Cost of all remaining steps including the next one.
    #[serde(default)]
    pub remaining_cost_ns: Option<u64>,
}

/// Sent with a step completion to say that the job goes on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StepHint {
    pub next_step_cost_ns: Option<u64>,
    pub remaining_cost_ns: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CompletionReport {
    /// Device time the node measured for this grant.
    pub measured_ns: u64,
    /// Model switch time if the runtime reports it separately.
    #[serde(default)]
    pub switch_ns: Option<u64>,
    /// `Some` = the job has more steps; it re-queues and gets a new grant.
    #[serde(default)]
    pub next_step: Option<StepHint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grant {
    pub grant: GrantId,
    pub job: JobId,
    pub client: ClientId,
    pub stream: StreamId,
    pub model: String,
    pub step: u32,
    pub granted_at: Nanos,
    pub lease_until: Nanos,
    pub expected_cost_ns: u64,
    /// The device had another model loaded (or none): this run pays a switch.
    pub switch: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PolicyEvent {
    Granted(Grant),
    Dropped { job: JobId, client: ClientId, stream: StreamId, reason: DropReason },
    Completed { job: JobId, client: ClientId, stream: StreamId, late: bool },
}

#[derive(Debug, Clone, PartialEq)]
pub struct PolicyConfig {
    /// Minimum lease; the effective lease is max(this, lease_cost_factor x expected cost).
    pub lease_ns: u64,
    pub lease_cost_factor: u64,
    pub max_pending_per_client: u32,
    pub ewma_alpha: f64,
    /// Switch cost assumed before any switch has been measured.
    pub initial_switch_cost_ns: u64,
    /// Grouping only pays when switches cost at least this much.
    pub group_min_switch_ns: u64,
    pub enable_grouping: bool,
    pub enable_slack_stealing: bool,
    /// Drop a job that cannot finish by its deadline even if started now.
    pub drop_infeasible: bool,
    /// Extra time assumed when checking that a reordering keeps deadlines;
    /// absorbs cost estimate error.
    pub safety_margin_ns: u64,
    /// Relative padding of every cost in that check (run-time jitter
    /// accumulates over a long multi-step job).
    pub safety_margin_frac: f64,
    /// After this many jobs of a stream in a row dropped as infeasible on an idle device, the
    /// next one runs anyway. "Infeasible" rests on cost and switch estimates, and only running
    /// the stream re-measures them: an estimate too high would otherwise starve it for good.
    pub max_infeasible_in_a_row: u32,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            lease_ns: 2_000_000_000,
            lease_cost_factor: 4,
            max_pending_per_client: 64,
            ewma_alpha: 0.2,
            initial_switch_cost_ns: 0,
            group_min_switch_ns: 500_000,
            enable_grouping: true,
            enable_slack_stealing: true,
            drop_infeasible: true,
            safety_margin_ns: 5_000_000,
            safety_margin_frac: 0.05,
            max_infeasible_in_a_row: 5,
        }
    }
}

#[derive(Debug, Clone)]
struct Job {
    id: JobId,
    client: ClientId,
    stream: StreamId,
    model: String,
    class: Class,
    /// Admission order; FIFO tie-break so equal deadlines are fair.
    seq: u64,
    /// When this step became eligible (submission or previous step end);
    /// grant wait is measured from here.
    ready_at: Nanos,
    deadline: Option<Nanos>,
    first_step_deadline: Option<Nanos>,
    next_cost_hint: Option<u64>,
    remaining_cost_hint: Option<u64>,
    steps_done: u32,
    drop_expired: bool,
}

#[derive(Debug, Clone)]
struct Stream {
    client: ClientId,
    spec: StreamSpec,
    counters: Counters,
    pending: u32,
    /// Admissions owed under a reduced class: +factor per submission, -1 per admitted one.
    /// Spreads the admitted share evenly (0.5 = every other frame) without a declared rate.
    admit_credit: f64,
    /// Jobs dropped as infeasible since this stream last had a grant.
    infeasible_in_a_row: u32,
}

#[derive(Debug, Clone)]
struct Client {
    name: String,
    registered_at: Nanos,
    counters: Counters,
    pending: u32,
}

#[derive(Debug, Clone, Default)]
struct Model {
    ewma_cost: Option<f64>,
    runs: u64,
    /// Device time held by completed grants of this model.
    busy_ns: u64,
    switches_in: u64,
    run_time: LatencyWindow,
}

pub struct Policy {
    cfg: PolicyConfig,
    started_at: Nanos,
    next_id: u64,
    next_seq: u64,
    clients: BTreeMap<ClientId, Client>,
    streams: BTreeMap<StreamId, Stream>,
    pending: BTreeMap<JobId, Job>,
    running: Option<(Grant, Job)>,
    loaded_model: Option<String>,
    models: BTreeMap<String, Model>,
    switch_ewma: Option<f64>,
    model_switches: u64,
    busy_ns: u64,
    global: Counters,
    temperature_c: Option<f32>,
    /// Indexed by `Class as usize`.
    admission: [Admission; 3],
}

impl Policy {
    pub fn new(cfg: PolicyConfig, now: Nanos) -> Self {
        Policy {
            cfg,
            started_at: now,
            next_id: 1,
            next_seq: 0,
            clients: BTreeMap::new(),
            streams: BTreeMap::new(),
            pending: BTreeMap::new(),
            running: None,
            loaded_model: None,
            models: BTreeMap::new(),
            switch_ewma: None,
            model_switches: 0,
            busy_ns: 0,
            global: Counters::default(),
            temperature_c: None,
            admission: [Admission::Full; 3],
        }
    }

    pub fn config(&self) -> &PolicyConfig {
        &self.cfg
    }

    fn fresh_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    pub fn add_client(&mut self, name: &str, now: Nanos) -> ClientId {
        let id = ClientId(self.fresh_id());
        self.clients.insert(
            id,
            Client { name: name.to_string(), registered_at: now, counters: Counters::default(), pending: 0 },
        );
        info!(client = %id, name, "client registered");
        id
    }

    /// Removes the client, dropping its queued jobs and freeing the device if
    /// it held it: a dead node must not keep the NPU.
    pub fn remove_client(&mut self, client: ClientId, now: Nanos, out: &mut Vec<PolicyEvent>) {
        if self.clients.remove(&client).is_none() {
            return;
        }
        if self.running.as_ref().is_some_and(|(g, _)| g.client == client) {
            if let Some((g, job)) = self.running.take() {
                self.account_busy(&g, now);
                self.drop_job(job, DropReason::ClientGone, out);
            }
        }
        let ids: Vec<JobId> = self.pending.values().filter(|j| j.client == client).map(|j| j.id).collect();
        for id in ids {
            if let Some(job) = self.pending.remove(&id) {
                self.drop_job(job, DropReason::ClientGone, out);
            }
        }
        self.streams.retain(|_, s| s.client != client);
        info!(client = %client, "client removed");
    }

    pub fn add_stream(&mut self, client: ClientId, spec: StreamSpec) -> Result<StreamId, PolicyError> {
        spec.validate()?;
        if !self.clients.contains_key(&client) {
            return Err(PolicyError::UnknownClient(client));
        }
        // Re-registering the same name replaces the spec, so a node can
        // update its declared costs without a new stream id churn.
        if let Some((&id, s)) = self.streams.iter_mut().find(|(_, s)| s.client == client && s.spec.name == spec.name) {
            s.spec = spec;
            return Ok(id);
        }
        let id = StreamId(self.fresh_id());
        self.streams.insert(id, Stream { client, spec, counters: Counters::default(), pending: 0, admit_credit: 1.0, infeasible_in_a_row: 0 });
        Ok(id)
    }

    pub fn set_temperature(&mut self, celsius: Option<f32>) {
        self.temperature_c = celsius;
    }

    pub fn admission(&self, class: Class) -> Admission {
        self.admission[class as usize]
    }

    /// Limits what `class` may submit from now on. Shedding a class also drops its queued
    /// jobs (a running one finishes): work queued before the device got hot would otherwise
    /// still run. Command is never limited.
    pub fn set_admission(
        &mut self,
        class: Class,
        admission: Admission,
        out: &mut Vec<PolicyEvent>,
    ) -> Result<(), PolicyError> {
        let admission = match admission {
            Admission::Reduced { factor } if factor >= 1.0 => Admission::Full,
            Admission::Reduced { factor } if !(factor > 0.0) => {
                return Err(PolicyError::InvalidAdmission { class, reason: "reduced factor must be in (0, 1]" });
            }
            a => a,
        };
        if class == Class::Command && admission != Admission::Full {
            return Err(PolicyError::InvalidAdmission { class, reason: "command work is never limited" });
        }
        let before = std::mem::replace(&mut self.admission[class as usize], admission);
        if before != admission {
            info!(?class, from = %before, to = %admission, "class admission changed");
        }
        if admission == Admission::Shed {
            let doomed: Vec<JobId> = self.pending.values().filter(|j| j.class == class).map(|j| j.id).collect();
            for id in doomed {
                if let Some(job) = self.pending.remove(&id) {
                    self.drop_job(job, DropReason::Thermal, out);
                }
            }
        }
        Ok(())
    }

    /// Whether a new submission on `stream` passes its class's admission; updates the
    /// stream's credit.
    fn thermal_admit(&mut self, stream: StreamId, class: Class) -> bool {
        let admission = self.admission(class);
        let Some(s) = self.streams.get_mut(&stream) else { return false };
        match admission {
            Admission::Full => {
                // Entering a reduced band admits the first frame at once.
                s.admit_credit = 1.0;
                true
            }
            Admission::Shed => false,
            Admission::Reduced { factor } => {
                let ok = s.admit_credit >= 1.0;
                if ok {
                    s.admit_credit -= 1.0;
                }
                s.admit_credit += factor;
                ok
            }
        }
    }

    pub fn holder(&self) -> Option<&Grant> {
        self.running.as_ref().map(|(g, _)| g)
    }

    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }

    pub fn submit(
        &mut self,
        now: Nanos,
        client: ClientId,
        stream: StreamId,
        spec: JobSpec,
        out: &mut Vec<PolicyEvent>,
    ) -> Result<JobId, RejectReason> {
        let Some(s) = self.streams.get(&stream) else {
            return Err(RejectReason::UnknownStream(stream.0));
        };
        if s.client != client {
            // Another client's stream id: treat as unknown rather than leak it.
            return Err(RejectReason::UnknownStream(stream.0));
        }
        let Some(c) = self.clients.get(&client) else {
            return Err(RejectReason::UnknownClient(client.0));
        };
        let sspec = s.spec.clone();
        let stream_pending = s.pending;
        let client_pending = c.pending;

        let arrival = spec.arrival_ns.unwrap_or(now);
        if arrival > now.saturating_add(60_000_000_000) {
            return Err(RejectReason::Invalid("arrival time far in the future".into()));
        }
        let deadline = spec.deadline_ns.or_else(|| sspec.relative_deadline().map(|d| arrival.saturating_add(d)));

        // Before latest-frame-wins: a frame refused for heat must not also take the queued one
        // with it.
        let admitted = self.thermal_admit(stream, sspec.class);

        // Latest frame wins: the queued older frame is worth less than the new
        // one, so it goes first and frees the admission slot.
        let mut superseded = Vec::new();
        if sspec.latest_frame_wins {
            superseded =
                self.pending.values().filter(|j| j.stream == stream && j.steps_done == 0).map(|j| j.id).collect();
        }
        let mut job = Job {
            id: JobId(self.fresh_id()),
            client,
            stream,
            model: sspec.model.clone(),
            class: sspec.class,
            seq: 0,
            ready_at: now,
            deadline,
            first_step_deadline: spec.first_step_deadline_ns,
            next_cost_hint: spec.next_step_cost_ns,
            remaining_cost_hint: spec.remaining_cost_ns,
            steps_done: 0,
            drop_expired: sspec.drop_expired,
        };
        let id = job.id;
        if !admitted {
            // Counted as submitted and dropped, so submitted = completed + dropped + queued holds.
            self.count_submitted(client, stream);
            self.adjust_pending(client, stream, 1);
            self.drop_job(job, DropReason::Thermal, out);
            return Ok(id);
        }
        let stream_after = stream_pending - superseded.len() as u32;
        let client_after = client_pending - superseded.len() as u32;
        if stream_after >= sspec.queue_capacity {
            self.count_reject(client, stream);
            return Err(RejectReason::StreamQueueFull { capacity: sspec.queue_capacity });
        }
        if client_after >= self.cfg.max_pending_per_client {
            self.count_reject(client, stream);
            return Err(RejectReason::ClientQueueFull { capacity: self.cfg.max_pending_per_client });
        }
        for id in superseded {
            if let Some(job) = self.pending.remove(&id) {
                self.drop_job(job, DropReason::Superseded, out);
            }
        }

        // Only admitted jobs take a place in the FIFO order.
        job.seq = self.next_seq;
        self.next_seq += 1;
        self.pending.insert(id, job);
        self.adjust_pending(client, stream, 1);
        self.count_submitted(client, stream);
        debug!(job = %id, client = %client, stream = %stream, ?deadline, "job admitted");
        Ok(id)
    }

    pub fn cancel(&mut self, now: Nanos, client: ClientId, job: JobId, out: &mut Vec<PolicyEvent>) {
        if let Some(j) = self.pending.get(&job) {
            if j.client == client {
                if let Some(j) = self.pending.remove(&job) {
                    self.drop_job(j, DropReason::Cancelled, out);
                }
            }
            return;
        }
        if self.running.as_ref().is_some_and(|(g, _)| g.job == job && g.client == client) {
            if let Some((g, j)) = self.running.take() {
                self.account_busy(&g, now);
                self.drop_job(j, DropReason::Cancelled, out);
            }
        }
    }

    /// The holder reports the end of its grant. With `next_step` the job goes
    /// back in the queue: each step competes afresh, which is how long LLM
    /// generation yields to vision frames.
    pub fn complete(
        &mut self,
        now: Nanos,
        client: ClientId,
        grant: GrantId,
        report: CompletionReport,
        out: &mut Vec<PolicyEvent>,
    ) -> Result<(), PolicyError> {
        match &self.running {
            Some((g, _)) if g.grant == grant && g.client == client => {}
            _ => return Err(PolicyError::StaleGrant(grant)),
        }
        let Some((g, mut job)) = self.running.take() else {
            return Err(PolicyError::StaleGrant(grant));
        };
        let held = self.account_busy(&g, now);
        self.learn_cost(&g, &report, job.next_cost_hint.is_some());
        if let Some(c) = self.clients.get_mut(&g.client) {
            c.counters.run_time.record(held);
        }
        self.global.run_time.record(held);
        if let Some(m) = self.models.get_mut(&g.model) {
            m.run_time.record(held);
            m.busy_ns += held;
        }

        if let Some(hint) = report.next_step {
            job.steps_done += 1;
            job.ready_at = now;
            job.next_cost_hint = hint.next_step_cost_ns;
            job.remaining_cost_hint = hint.remaining_cost_ns;
            job.first_step_deadline = None;
            // Keeps its original seq: an older job stays ahead of newer
            // equal-deadline ones.
            self.pending.insert(job.id, job);
            return Ok(());
        }

        let late = job.deadline.is_some_and(|d| now > d);
        self.adjust_pending(job.client, job.stream, -1);
        for c in self.counters_for(job.client, job.stream) {
            c.completed += 1;
            if late {
                c.completed_late += 1;
            }
        }
        debug!(job = %job.id, client = %job.client, model = %g.model, held_ns = held, late, "job completed");
        out.push(PolicyEvent::Completed { job: job.id, client: job.client, stream: job.stream, late });
        Ok(())
    }

    /// Advances the policy to `now`: expires the lease, drops jobs that can no
    /// longer be useful, and grants the device if it is idle.
    pub fn poll(&mut self, now: Nanos, out: &mut Vec<PolicyEvent>) {
        if self.running.as_ref().is_some_and(|(g, _)| now >= g.lease_until) {
            if let Some((g, job)) = self.running.take() {
                warn!(job = %g.job, client = %g.client, grant = %g.grant, "lease expired; revoking grant");
                self.account_busy(&g, now);
                self.drop_job(job, DropReason::LeaseExpired, out);
            }
        }
        self.expire(now, out);
        if self.running.is_some() {
            return;
        }
        let Some(id) = self.pick(now) else { return };
        let Some(job) = self.pending.remove(&id) else { return };
        let cost = self.next_cost(&job);
        let switch = self.loaded_model.as_deref() != Some(job.model.as_str());
        if switch {
            self.model_switches += 1;
            self.models.entry(job.model.clone()).or_default().switches_in += 1;
            self.loaded_model = Some(job.model.clone());
        }
        let lease = self.cfg.lease_ns.max(cost.saturating_mul(self.cfg.lease_cost_factor));
        let grant = Grant {
            grant: GrantId(self.fresh_id()),
            job: job.id,
            client: job.client,
            stream: job.stream,
            model: job.model.clone(),
            step: job.steps_done,
            granted_at: now,
            lease_until: now.saturating_add(lease),
            expected_cost_ns: cost,
            switch,
        };
        let wait = now.saturating_sub(job.ready_at);
        if let Some(s) = self.streams.get_mut(&job.stream) {
            s.infeasible_in_a_row = 0;
        }
        self.global.granted += 1;
        self.global.grant_wait.record(wait);
        for c in self.counters_for(job.client, job.stream) {
            c.granted += 1;
            c.grant_wait.record(wait);
        }
        debug!(job = %job.id, client = %job.client, model = %job.model, step = job.steps_done, wait_ns = wait, switch, "grant");
        out.push(PolicyEvent::Granted(grant.clone()));
        self.running = Some((grant, job));
    }

    /// When the coordinator must call `poll` again even without input: lease
    /// expiry or the next pending deadline (so expired frames are reported
    /// promptly to their nodes).
    pub fn next_wakeup(&self) -> Option<Nanos> {
        let lease = self.running.as_ref().map(|(g, _)| g.lease_until);
        let dl = self
            .pending
            .values()
            .filter(|j| j.drop_expired && j.steps_done == 0)
            .filter_map(|j| j.deadline.map(|d| d.saturating_add(1)))
            .min();
        match (lease, dl) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn expire(&mut self, now: Nanos, out: &mut Vec<PolicyEvent>) {
        let mut doomed = Vec::new();
        let mut guessed = Vec::new();
        for j in self.pending.values() {
            if !j.drop_expired || j.steps_done > 0 {
                continue;
            }
            let Some(d) = j.deadline else { continue };
            // With an idle device a job whose cost (plus the switch to its model)
            // no longer fits is already lost, and running it would only steal time
            // from frames that can still make it. While the device is busy only a
            // passed deadline is certain.
            let infeasible = self.cfg.drop_infeasible
                && self.running.is_none()
                && now
                    .saturating_add(self.switch_between(self.loaded_model.as_deref(), &j.model))
                    .saturating_add(self.next_cost(j))
                    > d;
            if now > d {
                doomed.push(j.id);
            } else if infeasible {
                guessed.push(j.id);
            }
        }
        for id in guessed {
            let Some(s) = self.pending.get(&id).and_then(|j| self.streams.get_mut(&j.stream)) else { continue };
            if s.infeasible_in_a_row < self.cfg.max_infeasible_in_a_row {
                s.infeasible_in_a_row += 1;
                doomed.push(id);
            } else {
                debug!(job = %id, stream = %s.spec.name, "running a job the estimates call infeasible, to measure them again");
            }
        }
        for id in doomed {
            if let Some(job) = self.pending.remove(&id) {
                self.drop_job(job, DropReason::DeadlineExpired, out);
            }
        }
    }

    fn pick(&self, now: Nanos) -> Option<JobId> {
        let top = self.pending.values().map(|j| j.class).max()?;
        if self.cfg.enable_slack_stealing {
            for class in Class::ALL_DESC.into_iter().filter(|c| *c < top) {
                // Slack is only defined if every higher-class job has a deadline.
                if self.pending.values().any(|j| j.class > class && j.deadline.is_none()) {
                    break;
                }
                let head = self
                    .pending
                    .values()
                    .filter(|j| j.class == class && j.deadline.is_some())
                    .min_by_key(|j| edf_key(j));
                let Some(head) = head else { continue };
                if let Some(alt) = self.grouping_alternative(now, class, head) {
                    return Some(alt);
                }
                if self.safe_to_run_first(now, head) {
                    return Some(head.id);
                }
            }
        }
        let head = self.pending.values().filter(|j| j.class == top).min_by_key(|j| edf_key(j))?;
        Some(self.grouping_alternative(now, top, head).unwrap_or(head.id))
    }

    fn grouping_alternative(&self, now: Nanos, class: Class, head: &Job) -> Option<JobId> {
        if !self.cfg.enable_grouping {
            return None;
        }
        let loaded = self.loaded_model.as_deref()?;
        if head.model == loaded || self.switch_estimate() < self.cfg.group_min_switch_ns {
            return None;
        }
        let alt = self
            .pending
            .values()
            .filter(|j| j.class == class && j.model == loaded && j.id != head.id)
            .min_by_key(|j| edf_key(j))?;
        if class < Class::Command && alt.deadline.is_none() && head.deadline.is_some() {
            // A deadline-less job must not overtake one with a deadline on a
            // guess about switch costs.
            return None;
        }
        self.safe_to_run_first(now, alt).then_some(alt.id)
    }

    /// Is it safe to run `x` now, ahead of the policy's normal order? Replays
    /// the normal order (class, then EDF) with estimated costs, with and
    /// without `x` first:
    /// * every job of a higher class than `x` must still be on time (an
    ///   already-late command is not delayed further either: priority wins);
    /// * a same-class job that was on time must stay on time.
    ///
    /// The replay with `x` is padded (fixed margin plus a fraction of each
    /// cost) because being wrong costs a higher-priority deadline.
    fn safe_to_run_first(&self, now: Nanos, x: &Job) -> bool {
        let mut others: Vec<&Job> = self.pending.values().filter(|j| j.class >= x.class && j.id != x.id).collect();
        others.sort_by_key(|j| (std::cmp::Reverse(j.class), edf_key(j)));
        let loaded = self.loaded_model.as_deref();
        let base = self.replay(now, loaded, &others, 0.0);
        let x_cost = self
            .switch_between(loaded, &x.model)
            .saturating_add(self.next_cost(x))
            .saturating_add(self.cfg.safety_margin_ns);
        let with_x =
            self.replay(now.saturating_add(x_cost), Some(x.model.as_str()), &others, self.cfg.safety_margin_frac);
        others.iter().zip(base.iter().zip(with_x.iter())).all(|(j, (&late_before, &late_after))| {
            if j.class > x.class {
                late_after == 0
            } else {
                late_after == 0 || late_before > 0
            }
        })
    }

    /// Lateness (0 = on time) of each job in `order` if run back-to-back from
    /// `start`, costs inflated by `pad_frac`.
    fn replay(&self, start: Nanos, loaded: Option<&str>, order: &[&Job], pad_frac: f64) -> Vec<u64> {
        // Saturating throughout: costs and deadlines come from clients.
        let pad = |c: u64| c.saturating_add((c as f64 * pad_frac) as u64);
        let mut t = start;
        let mut model = loaded;
        let mut res = Vec::with_capacity(order.len());
        for j in order {
            t = t.saturating_add(pad(self.switch_between(model, &j.model)));
            model = Some(j.model.as_str());
            let first_end = t.saturating_add(pad(self.next_cost(j)));
            let end = t.saturating_add(pad(self.remaining_cost(j)));
            let late_first = j.first_step_deadline.map_or(0, |d| first_end.saturating_sub(d));
            let late_all = j.deadline.map_or(0, |d| end.saturating_sub(d));
            res.push(late_first.max(late_all));
            t = end;
        }
        res
    }

    fn switch_between(&self, from: Option<&str>, to: &str) -> u64 {
        if from == Some(to) {
            0
        } else {
            self.switch_estimate()
        }
    }

    fn switch_estimate(&self) -> u64 {
        self.switch_ewma.map_or(self.cfg.initial_switch_cost_ns, |v| v.round() as u64)
    }

    fn model_cost(&self, job: &Job) -> u64 {
        let ewma = self.models.get(&job.model).and_then(|m| m.ewma_cost).map(|v| v.round() as u64);
        ewma.or_else(|| self.streams.get(&job.stream).map(|s| s.spec.expected_cost_ns)).unwrap_or(0)
    }

    fn next_cost(&self, job: &Job) -> u64 {
        job.next_cost_hint.unwrap_or_else(|| self.model_cost(job))
    }

    fn remaining_cost(&self, job: &Job) -> u64 {
        job.remaining_cost_hint.unwrap_or_else(|| self.next_cost(job)).max(self.next_cost(job))
    }

    fn learn_cost(&mut self, g: &Grant, report: &CompletionReport, hinted: bool) {
        let alpha = self.cfg.ewma_alpha;
        let measured = report.measured_ns as f64;
        let model_ewma = self.models.get(&g.model).and_then(|m| m.ewma_cost);
        // The steps of one job differ in cost (an LLM's prompt step against a decode step), so
        // without a hint the excess of one step over the model's average is not a switch.
        let multi_step = g.step > 0 || report.next_step.is_some();
        let (cost_sample, switch_sample) = match (g.switch, report.switch_ns) {
            (false, _) => (Some(measured), None),
            (true, None) if multi_step && !hinted => (None, None),
            (true, Some(sw)) => (Some((measured - sw as f64).max(0.0)), Some(sw as f64)),
            // Switch time not reported: the excess over the model's usual cost is
            // the switch. Until the model has a clean (switch-free) sample, its
            // declared or hinted cost is the baseline; a model that only ever runs
            // after a switch would otherwise absorb the switch into its own cost
            // and make switches look free.
            (true, None) => {
                let base =
                    if hinted { g.expected_cost_ns as f64 } else { model_ewma.unwrap_or(g.expected_cost_ns as f64) };
                (None, Some((measured - base).max(0.0)))
            }
        };
        // Steps with explicit cost hints (LLM prefill vs decode) would poison a
        // per-model average; the node's hint is authoritative for them.
        let m = self.models.entry(g.model.clone()).or_default();
        m.runs += 1;
        if let (Some(s), false) = (cost_sample, hinted) {
            m.ewma_cost = Some(m.ewma_cost.map_or(s, |e| e + alpha * (s - e)));
        }
        if let Some(s) = switch_sample {
            self.switch_ewma = Some(self.switch_ewma.map_or(s, |e| e + alpha * (s - e)));
        }
    }

    fn account_busy(&mut self, g: &Grant, now: Nanos) -> u64 {
        let held = now.saturating_sub(g.granted_at);
        self.busy_ns += held;
        if let Some(c) = self.clients.get_mut(&g.client) {
            c.counters.busy_ns += held;
        }
        if let Some(s) = self.streams.get_mut(&g.stream) {
            s.counters.busy_ns += held;
        }
        held
    }

    fn adjust_pending(&mut self, client: ClientId, stream: StreamId, delta: i32) {
        if let Some(c) = self.clients.get_mut(&client) {
            c.pending = c.pending.saturating_add_signed(delta);
        }
        if let Some(s) = self.streams.get_mut(&stream) {
            s.pending = s.pending.saturating_add_signed(delta);
        }
    }

    fn counters_for(&mut self, client: ClientId, stream: StreamId) -> Vec<&mut Counters> {
        let mut v: Vec<&mut Counters> = vec![&mut self.global];
        if let Some(c) = self.clients.get_mut(&client) {
            v.push(&mut c.counters);
        }
        if let Some(s) = self.streams.get_mut(&stream) {
            v.push(&mut s.counters);
        }
        v
    }

    fn count_submitted(&mut self, client: ClientId, stream: StreamId) {
        for c in self.counters_for(client, stream) {
            c.submitted += 1;
        }
    }

    fn count_reject(&mut self, client: ClientId, stream: StreamId) {
        for c in self.counters_for(client, stream) {
            c.rejected += 1;
        }
    }

    fn drop_job(&mut self, job: Job, reason: DropReason, out: &mut Vec<PolicyEvent>) {
        self.adjust_pending(job.client, job.stream, -1);
        for c in self.counters_for(job.client, job.stream) {
            c.drops.add(reason);
        }
        // Superseded/expired frames are routine at camera rates; the rest
        // point at a misbehaving or departed node.
        match reason {
            DropReason::Superseded | DropReason::DeadlineExpired | DropReason::Thermal => {
                debug!(job = %job.id, client = %job.client, model = %job.model, %reason, "job dropped")
            }
            _ => info!(job = %job.id, client = %job.client, model = %job.model, %reason, "job dropped"),
        }
        out.push(PolicyEvent::Dropped { job: job.id, client: job.client, stream: job.stream, reason });
    }

    pub fn snapshot(&self, now: Nanos) -> StatusSnapshot {
        let uptime = now.saturating_sub(self.started_at);
        let running_held = self.running.as_ref().map_or(0, |(g, _)| now.saturating_sub(g.granted_at));
        let busy_total = self.busy_ns + running_held;
        let clients = self
            .clients
            .iter()
            .map(|(&id, c)| {
                let since = now.saturating_sub(c.registered_at);
                let mut busy = c.counters.busy_ns;
                if self.running.as_ref().is_some_and(|(g, _)| g.client == id) {
                    busy += running_held;
                }
                ClientStatus {
                    id: id.0,
                    name: c.name.clone(),
                    queue_depth: c.pending,
                    submitted: c.counters.submitted,
                    rejected: c.counters.rejected,
                    granted: c.counters.granted,
                    completed: c.counters.completed,
                    deadline_misses: c.counters.deadline_misses(),
                    drops: c.counters.drops,
                    busy_ns: busy,
                    load_fraction: if since == 0 { 0.0 } else { busy as f64 / since as f64 },
                    grant_wait: c.counters.grant_wait.summary(),
                    run_time: c.counters.run_time.summary(),
                    streams: self
                        .streams
                        .iter()
                        .filter(|(_, s)| s.client == id)
                        .map(|(&sid, s)| StreamStatus {
                            id: sid.0,
                            name: s.spec.name.clone(),
                            model: s.spec.model.clone(),
                            class: s.spec.class,
                            queue_depth: s.pending,
                            submitted: s.counters.submitted,
                            completed: s.counters.completed,
                            deadline_misses: s.counters.deadline_misses(),
                            drops: s.counters.drops,
                        })
                        .collect(),
                }
            })
            .collect();
        let models = self
            .models
            .iter()
            .map(|(name, m)| ModelStatus {
                name: name.clone(),
                runs: m.runs,
                busy_ns: m.busy_ns,
                ewma_cost_ns: m.ewma_cost.map(|v| v.round() as u64),
                switches_in: m.switches_in,
                run_time: m.run_time.summary(),
            })
            .collect();
        StatusSnapshot {
            at_ns: now,
            uptime_ns: uptime,
            busy_ns_total: busy_total,
            busy_fraction: if uptime == 0 { 0.0 } else { (busy_total as f64 / uptime as f64).min(1.0) },
            model_switches: self.model_switches,
            switch_cost_ewma_ns: self.switch_ewma.map(|v| v.round() as u64),
            temperature_c: self.temperature_c,
            queue_depth: self.pending.len() as u32,
            deadline_misses: self.global.deadline_misses(),
            drops: self.global.drops,
            holder: self.running.as_ref().map(|(g, _)| HolderStatus {
                client: g.client.0,
                job: g.job.0,
                model: g.model.clone(),
                step: g.step,
                held_ns: running_held,
            }),
            clients,
            models,
        }
    }

    /// Total drops so far, for callers that only need the counts.
    pub fn drop_counts(&self) -> DropCounts {
        self.global.drops
    }

    pub fn model_switches(&self) -> u64 {
        self.model_switches
    }

    pub fn busy_ns(&self) -> u64 {
        self.busy_ns
    }
}

fn edf_key(j: &Job) -> (Nanos, u64) {
    let d = match (j.first_step_deadline, j.deadline) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b).unwrap_or(Nanos::MAX),
    };
    (d, j.seq)
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
