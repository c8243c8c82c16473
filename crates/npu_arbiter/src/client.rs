//! Async client used by the ROS nodes.
//!
//! A supervisor task owns the connection. When the coordinator goes away it
//! fails everything in flight with [`ArbiterError::Disconnected`], reconnects
//! with exponential backoff, says hello again and re-registers every stream by
//! name, so a restarted coordinator is rejoined without restarting the node.
//!
//! ```no_run
//! # async fn f() -> npu_arbiter::Result<()> {
//! use npu_arbiter::{ArbiterClient, ClientConfig, Class, JobSpec, StreamSpec};
//! let client = ArbiterClient::connect(ClientConfig::unix_default("detector")).await?;
//! let cam = client
//!     .register_stream(StreamSpec::periodic("cam0", "yolov8n", Class::Vision, 33_333_333, 2_650_000))
//!     .await?;
//! let grant = client.submit(&cam, JobSpec::default()).await?.wait_grant().await?;
//! let t0 = std::time::Instant::now();
//! // ... run the model on the NPU ...
//! let outcome = grant.finish(t0.elapsed()).await?;
//! # let _ = outcome; Ok(()) }
//! ```

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use tokio::net::UnixStream;
use tokio::sync::{mpsc, oneshot, watch};
use tracing::{debug, info, warn};

use crate::coordinator::{default_socket_path, EngineHandle};
use crate::error::{ArbiterError, Result};
use crate::policy::{ClientId, CompletionReport, DropReason, GrantId, JobId, JobSpec, StepHint, StreamId, StreamSpec};
use crate::protocol::{parse, write_msg, ClientMsg, LineReader, ServerMsg, PROTOCOL_VERSION};
use crate::stats::StatusSnapshot;

#[derive(Clone)]
pub enum Endpoint {
    Unix(PathBuf),
    InProcess(EngineHandle),
}

#[derive(Clone)]
pub struct ClientConfig {
    pub endpoint: Endpoint,
    pub name: String,
    pub reconnect_initial: Duration,
    pub reconnect_max: Duration,
    /// How long a request waits for a (re)connected coordinator and its reply.
    pub request_timeout: Duration,
}

impl ClientConfig {
    pub fn new(endpoint: Endpoint, name: &str) -> Self {
        ClientConfig {
            endpoint,
            name: name.into(),
            reconnect_initial: Duration::from_millis(20),
            reconnect_max: Duration::from_secs(1),
            request_timeout: Duration::from_secs(5),
        }
    }

    pub fn unix_default(name: &str) -> Self {
        Self::new(Endpoint::Unix(default_socket_path()), name)
    }
}

/// What finally happened to a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOutcome {
    Completed { late: bool },
    Dropped(DropReason),
}

/// A registered stream, identified by name so it survives reconnects.
#[derive(Debug, Clone)]
pub struct StreamHandle {
    name: String,
}

impl StreamHandle {
    pub fn name(&self) -> &str {
        &self.name
    }
}

type JobTx = mpsc::UnboundedSender<ServerMsg>;

#[derive(Default)]
struct Shared {
    /// Bumped on every (re)connection; handles from an older epoch are dead.
    epoch: u64,
    conn: Option<mpsc::UnboundedSender<ClientMsg>>,
    ready: bool,
    client_id: Option<ClientId>,
    next_req: u64,
    reqs: HashMap<u64, oneshot::Sender<Reply>>,
    jobs: HashMap<JobId, JobTx>,
    streams: BTreeMap<String, (StreamSpec, Option<StreamId>)>,
}

enum Reply {
    Msg(ServerMsg),
    Accepted(JobId, mpsc::UnboundedReceiver<ServerMsg>),
}

struct Inner {
    cfg: ClientConfig,
    shared: Mutex<Shared>,
    ready_tx: watch::Sender<u64>,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, Shared> {
        // A panic while holding the lock leaves plain data behind; keep going.
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[derive(Clone)]
pub struct ArbiterClient {
    inner: Arc<Inner>,
    _alive: Arc<oneshot::Sender<()>>,
}

impl ArbiterClient {
    /// Starts the client and waits (up to `request_timeout`) for the first
    /// connection. The client keeps reconnecting in the background for its
    /// whole life.
    pub async fn connect(cfg: ClientConfig) -> Result<Self> {
        let c = Self::start(cfg);
        c.wait_ready().await?;
        Ok(c)
    }

    /// Starts the client without waiting for the coordinator; requests wait
    /// for it instead. Useful when nodes start before the coordinator.
    pub fn start(cfg: ClientConfig) -> Self {
        let (ready_tx, _) = watch::channel(0);
        let inner = Arc::new(Inner { cfg, shared: Mutex::new(Shared::default()), ready_tx });
        let (alive_tx, alive_rx) = oneshot::channel();
        tokio::spawn(supervise(Arc::downgrade(&inner), alive_rx));
        ArbiterClient { inner, _alive: Arc::new(alive_tx) }
    }

    pub fn is_connected(&self) -> bool {
        self.inner.lock().ready
    }

    pub fn client_id(&self) -> Option<ClientId> {
        self.inner.lock().client_id
    }

    async fn wait_ready(&self) -> Result<()> {
        let mut rx = self.inner.ready_tx.subscribe();
        let fut = async {
            loop {
                if self.inner.lock().ready {
                    return Ok(());
                }
                if rx.changed().await.is_err() {
                    return Err(ArbiterError::Disconnected);
                }
            }
        };
        tokio::time::timeout(self.inner.cfg.request_timeout, fut).await.map_err(|_| ArbiterError::Timeout)?
    }

    pub async fn register_stream(&self, spec: StreamSpec) -> Result<StreamHandle> {
        let name = spec.name.clone();
        self.inner.lock().streams.insert(name.clone(), (spec.clone(), None));
        self.wait_ready().await?;
        match request(&self.inner, |req| ClientMsg::RegisterStream { req, spec }, true).await? {
            Reply::Msg(ServerMsg::StreamRegistered { stream, .. }) => {
                let mut s = self.inner.lock();
                if let Some(e) = s.streams.get_mut(&name) {
                    e.1 = Some(stream);
                }
                drop(s);
                Ok(StreamHandle { name })
            }
            Reply::Msg(ServerMsg::Error { message, .. }) => {
                self.inner.lock().streams.remove(&name);
                Err(ArbiterError::Remote(message))
            }
            _ => Err(ArbiterError::Protocol("unexpected reply to register_stream".into())),
        }
    }

    /// Submits one job. `Err(Rejected)` carries the admission-control reason.
    pub async fn submit(&self, stream: &StreamHandle, job: JobSpec) -> Result<PendingJob> {
        self.wait_ready().await?;
        let (sid, epoch) = {
            let s = self.inner.lock();
            let sid = s.streams.get(&stream.name).ok_or_else(|| ArbiterError::UnknownStream(stream.name.clone()))?.1;
            (sid, s.epoch)
        };
        let sid = sid.ok_or(ArbiterError::Disconnected)?;
        match request(&self.inner, |req| ClientMsg::Submit { req, stream: sid, job }, true).await? {
            Reply::Accepted(job, events) => Ok(PendingJob { handle: JobHandle::new(&self.inner, job, epoch), events }),
            Reply::Msg(ServerMsg::Rejected { reason, .. }) => Err(ArbiterError::Rejected(reason)),
            Reply::Msg(ServerMsg::Error { message, .. }) => Err(ArbiterError::Remote(message)),
            _ => Err(ArbiterError::Protocol("unexpected reply to submit".into())),
        }
    }

    pub async fn status(&self) -> Result<StatusSnapshot> {
        self.wait_ready().await?;
        match request(&self.inner, |req| ClientMsg::Status { req }, true).await? {
            Reply::Msg(ServerMsg::Status { snapshot, .. }) => Ok(*snapshot),
            _ => Err(ArbiterError::Protocol("unexpected reply to status".into())),
        }
    }

    /// Lets a node that can read the accelerator temperature share it.
    pub fn set_temperature(&self, celsius: Option<f32>) -> Result<()> {
        send(&self.inner, ClientMsg::SetTemperature { celsius })
    }
}

fn send(inner: &Inner, msg: ClientMsg) -> Result<()> {
    let s = inner.lock();
    let conn = s.conn.as_ref().ok_or(ArbiterError::Disconnected)?;
    conn.send(msg).map_err(|_| ArbiterError::Disconnected)
}

async fn request(inner: &Arc<Inner>, make: impl FnOnce(u64) -> ClientMsg, need_ready: bool) -> Result<Reply> {
    let rx = {
        let mut s = inner.lock();
        if need_ready && !s.ready {
            return Err(ArbiterError::Disconnected);
        }
        let conn = s.conn.clone().ok_or(ArbiterError::Disconnected)?;
        s.next_req += 1;
        let req = s.next_req;
        let (tx, rx) = oneshot::channel();
        s.reqs.insert(req, tx);
        conn.send(make(req)).map_err(|_| ArbiterError::Disconnected)?;
        rx
    };
    match tokio::time::timeout(inner.cfg.request_timeout, rx).await {
        Ok(Ok(r)) => Ok(r),
        // Sender dropped: the connection died and the supervisor failed us.
        Ok(Err(_)) => Err(ArbiterError::Disconnected),
        Err(_) => Err(ArbiterError::Timeout),
    }
}

/// Releases the device/queue slot if the node drops a job without finishing
/// it (e.g. a panic in the inference code), instead of waiting for the lease.
struct JobHandle {
    inner: Weak<Inner>,
    job: JobId,
    epoch: u64,
    armed: bool,
}

impl JobHandle {
    fn new(inner: &Arc<Inner>, job: JobId, epoch: u64) -> Self {
        JobHandle { inner: Arc::downgrade(inner), job, epoch, armed: true }
    }

    fn live_inner(&self) -> Result<Arc<Inner>> {
        let inner = self.inner.upgrade().ok_or(ArbiterError::Disconnected)?;
        if inner.lock().epoch != self.epoch {
            return Err(ArbiterError::Disconnected);
        }
        Ok(inner)
    }

    fn disarm(mut self) -> (Weak<Inner>, JobId, u64) {
        self.armed = false;
        (self.inner.clone(), self.job, self.epoch)
    }
}

impl Drop for JobHandle {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        if let Some(inner) = self.inner.upgrade() {
            let s = inner.lock();
            if s.epoch == self.epoch {
                if let Some(conn) = &s.conn {
                    let _ = conn.send(ClientMsg::Cancel { job: self.job });
                }
            }
        }
    }
}

/// A job waiting for the device.
pub struct PendingJob {
    handle: JobHandle,
    events: mpsc::UnboundedReceiver<ServerMsg>,
}

impl PendingJob {
    pub fn id(&self) -> JobId {
        self.handle.job
    }

    /// Waits for the grant. A job dropped before being granted (superseded,
    /// deadline expired, ...) returns `Err(Dropped(reason))`.
    pub async fn wait_grant(mut self) -> Result<DeviceGrant> {
        loop {
            match self.events.recv().await {
                Some(ServerMsg::Granted { grant, step, lease_ns, expected_cost_ns, .. }) => {
                    let received_at = Instant::now();
                    return Ok(DeviceGrant {
                        handle: self.handle,
                        events: self.events,
                        grant,
                        step,
                        lease: Duration::from_nanos(lease_ns),
                        expected_cost: Duration::from_nanos(expected_cost_ns),
                        received_at,
                    });
                }
                Some(ServerMsg::Dropped { reason, .. }) => {
                    self.handle.disarm();
                    return Err(ArbiterError::Dropped(reason));
                }
                Some(other) => debug!(?other, "ignoring unexpected job event"),
                None => {
                    self.handle.disarm();
                    return Err(ArbiterError::Disconnected);
                }
            }
        }
    }
}

/// Exclusive use of the device until `finish`, `finish_step` or drop.
pub struct DeviceGrant {
    handle: JobHandle,
    events: mpsc::UnboundedReceiver<ServerMsg>,
    grant: GrantId,
    step: u32,
    lease: Duration,
    expected_cost: Duration,
    received_at: Instant,
}

impl DeviceGrant {
    pub fn job(&self) -> JobId {
        self.handle.job
    }
    pub fn grant_id(&self) -> GrantId {
        self.grant
    }
    pub fn step(&self) -> u32 {
        self.step
    }
    pub fn lease(&self) -> Duration {
        self.lease
    }
    pub fn expected_cost(&self) -> Duration {
        self.expected_cost
    }
    /// Time left before the coordinator revokes the grant.
    pub fn lease_remaining(&self) -> Duration {
        self.lease.saturating_sub(self.received_at.elapsed())
    }

    fn send_complete(&self, report: CompletionReport) -> Result<Arc<Inner>> {
        let inner = self.handle.live_inner()?;
        send(&inner, ClientMsg::Complete { grant: self.grant, report })?;
        Ok(inner)
    }

    /// Reports the final step and waits for the coordinator's verdict.
    pub async fn finish(self, measured: Duration) -> Result<JobOutcome> {
        self.finish_with(CompletionReport { measured_ns: measured.as_nanos() as u64, switch_ns: None, next_step: None })
            .await
    }

    pub async fn finish_with(mut self, mut report: CompletionReport) -> Result<JobOutcome> {
        report.next_step = None;
        self.send_complete(report)?;
        self.handle.disarm();
        loop {
            match self.events.recv().await {
                Some(ServerMsg::Completed { late, .. }) => return Ok(JobOutcome::Completed { late }),
                Some(ServerMsg::Dropped { reason, .. }) => return Ok(JobOutcome::Dropped(reason)),
                Some(_) => continue,
                None => return Err(ArbiterError::Disconnected),
            }
        }
    }

    /// Ends this step and queues the next one: the device is released in
    /// between so a deadline-bound frame can pass.
    pub async fn finish_step(self, measured: Duration, next: StepHint) -> Result<PendingJob> {
        self.send_complete(CompletionReport {
            measured_ns: measured.as_nanos() as u64,
            switch_ns: None,
            next_step: Some(next),
        })?;
        let DeviceGrant { handle, events, .. } = self;
        let (inner, job, epoch) = handle.disarm();
        Ok(PendingJob { handle: JobHandle { inner, job, epoch, armed: true }, events })
    }
}

async fn supervise(weak: Weak<Inner>, mut alive: oneshot::Receiver<()>) {
    let mut backoff = match weak.upgrade() {
        Some(i) => i.cfg.reconnect_initial,
        None => return,
    };
    loop {
        let Some(inner) = weak.upgrade() else { return };
        let cfg = inner.cfg.clone();
        drop(inner);
        let transport = tokio::select! {
            t = open(&cfg.endpoint) => t,
            _ = &mut alive => return,
        };
        match transport {
            Ok((tx, rx)) => {
                backoff = cfg.reconnect_initial;
                tokio::select! {
                    _ = run_connection(&weak, tx, rx) => {}
                    _ = &mut alive => { reset(&weak); return; }
                }
                reset(&weak);
            }
            Err(e) => debug!(error = %e, "coordinator not reachable"),
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = &mut alive => return,
        }
        backoff = (backoff * 2).min(cfg.reconnect_max);
    }
}

/// Fails everything tied to the dead connection.
fn reset(weak: &Weak<Inner>) {
    let Some(inner) = weak.upgrade() else { return };
    let mut s = inner.lock();
    s.epoch += 1;
    s.conn = None;
    s.ready = false;
    s.client_id = None;
    s.reqs.clear();
    s.jobs.clear();
    for e in s.streams.values_mut() {
        e.1 = None;
    }
    drop(s);
    warn!("lost connection to the NPU arbiter; will reconnect");
    inner.ready_tx.send_modify(|v| *v += 1);
}

type Transport = (mpsc::UnboundedSender<ClientMsg>, mpsc::UnboundedReceiver<ServerMsg>);

async fn open(ep: &Endpoint) -> Result<Transport> {
    match ep {
        Endpoint::InProcess(engine) => engine.connect_channels(),
        Endpoint::Unix(path) => {
            let stream = UnixStream::connect(path).await?;
            let (out_tx, mut out_rx) = mpsc::unbounded_channel::<ClientMsg>();
            let (in_tx, in_rx) = mpsc::unbounded_channel::<ServerMsg>();
            tokio::spawn(async move {
                let (rd, mut wr) = stream.into_split();
                let mut reader = LineReader::new(rd);
                loop {
                    tokio::select! {
                        line = reader.next_line() => match line {
                            Ok(Some(line)) => match parse::<ServerMsg>(&line) {
                                Ok(m) => { if in_tx.send(m).is_err() { break; } }
                                Err(e) => { warn!(error = %e, "malformed message from coordinator; disconnecting"); break; }
                            },
                            Ok(None) => break,
                            Err(e) => { debug!(error = %e, "read from coordinator failed"); break; }
                        },
                        msg = out_rx.recv() => match msg {
                            Some(m) => if write_msg(&mut wr, &m).await.is_err() { break; },
                            None => break,
                        },
                    }
                }
            });
            Ok((out_tx, in_rx))
        }
    }
}

async fn run_connection(
    weak: &Weak<Inner>,
    tx: mpsc::UnboundedSender<ClientMsg>,
    mut rx: mpsc::UnboundedReceiver<ServerMsg>,
) {
    let Some(inner) = weak.upgrade() else { return };
    let hello = ClientMsg::Hello { name: inner.cfg.name.clone(), pid: std::process::id(), version: PROTOCOL_VERSION };
    if tx.send(hello).is_err() {
        return;
    }
    let timeout = inner.cfg.request_timeout;
    drop(inner);
    let client = match tokio::time::timeout(timeout, rx.recv()).await {
        Ok(Some(ServerMsg::Welcome { client, .. })) => client,
        Ok(other) => {
            warn!(?other, "coordinator did not welcome us");
            return;
        }
        Err(_) => {
            warn!("no welcome from coordinator");
            return;
        }
    };
    let streams: Vec<(String, StreamSpec)> = {
        let Some(inner) = weak.upgrade() else { return };
        let mut s = inner.lock();
        s.conn = Some(tx.clone());
        s.client_id = Some(client);
        s.streams.iter().map(|(n, (spec, _))| (n.clone(), spec.clone())).collect()
    };
    // Re-register before declaring the connection ready, so no submit can
    // race ahead with a stream id from the previous coordinator.
    for (i, (name, spec)) in streams.into_iter().enumerate() {
        let req = u64::MAX - i as u64;
        if tx.send(ClientMsg::RegisterStream { req, spec }).is_err() {
            return;
        }
        match tokio::time::timeout(timeout, rx.recv()).await {
            Ok(Some(ServerMsg::StreamRegistered { req: r, stream })) if r == req => {
                let Some(inner) = weak.upgrade() else { return };
                let mut s = inner.lock();
                if let Some(e) = s.streams.get_mut(&name) {
                    e.1 = Some(stream);
                }
            }
            other => {
                warn!(?other, stream = %name, "re-registering stream failed");
                return;
            }
        }
    }
    {
        let Some(inner) = weak.upgrade() else { return };
        inner.lock().ready = true;
        inner.ready_tx.send_modify(|v| *v += 1);
        info!(client = %client, "connected to NPU arbiter");
    }
    while let Some(msg) = rx.recv().await {
        let Some(inner) = weak.upgrade() else { return };
        dispatch(&inner, msg);
    }
}

fn dispatch(inner: &Inner, msg: ServerMsg) {
    let mut s = inner.lock();
    match msg {
        ServerMsg::Accepted { req, job } => {
            let (tx, rx) = mpsc::unbounded_channel();
            s.jobs.insert(job, tx);
            if let Some(r) = s.reqs.remove(&req) {
                let _ = r.send(Reply::Accepted(job, rx));
            }
        }
        ServerMsg::StreamRegistered { req, .. } | ServerMsg::Rejected { req, .. } | ServerMsg::Status { req, .. } => {
            if let Some(r) = s.reqs.remove(&req) {
                let _ = r.send(Reply::Msg(msg));
            }
        }
        ServerMsg::Error { req: Some(req), ref message } => {
            debug!(req, %message, "coordinator error");
            if let Some(r) = s.reqs.remove(&req) {
                let _ = r.send(Reply::Msg(msg));
            }
        }
        ServerMsg::Error { req: None, message } => debug!(%message, "coordinator notice"),
        ServerMsg::Granted { job, .. } => {
            if let Some(tx) = s.jobs.get(&job) {
                if tx.send(msg).is_err() {
                    s.jobs.remove(&job);
                }
            }
        }
        ServerMsg::Dropped { job, .. } | ServerMsg::Completed { job, .. } => {
            // Terminal for the job: forward and forget.
            if let Some(tx) = s.jobs.remove(&job) {
                let _ = tx.send(msg);
            }
        }
        ServerMsg::Welcome { .. } => warn!("unexpected second welcome"),
    }
}
