//! The coordinator: owns the [`Policy`] and talks to clients, either over a
//! Unix socket (one ROS node per process, the normal case) or through
//! in-process channels. Both transports feed the same engine task, so the
//! two modes cannot drift apart.
//!
//! Who starts it: a dedicated host. Either the `npu-arbiterd` binary (started
//! by the launch file) or any node calling [`Coordinator::bind`] + `run`.
//! Clients never spawn it; they retry with backoff until one is there. A lock
//! file (`<socket>.lock`, `flock`) makes a second host fail fast with
//! `AlreadyRunning` instead of unlinking a live socket, and lets a restarted
//! coordinator safely remove the stale socket of a crashed one (the kernel
//! drops the flock when the old process dies).

use std::collections::BTreeMap;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, info, info_span, warn, Instrument};

use crate::clock::{Clock, MonotonicClock};
use crate::error::{ArbiterError, Result};
use crate::policy::{Admission, Class, ClientId, Policy, PolicyConfig, PolicyError, PolicyEvent};
use crate::protocol::{parse, write_msg, ClientMsg, LineReader, ServerMsg, PROTOCOL_VERSION};
use crate::stats::StatusSnapshot;

/// `$AIHAT_NPU_ARBITER_SOCK`, else `$XDG_RUNTIME_DIR/aihat_npu_arbiter.sock`,
/// else `/tmp/aihat_npu_arbiter.sock`.
pub fn default_socket_path() -> PathBuf {
    if let Some(p) = std::env::var_os("AIHAT_NPU_ARBITER_SOCK") {
        return PathBuf::from(p);
    }
    if let Some(d) = std::env::var_os("XDG_RUNTIME_DIR") {
        return Path::new(&d).join("aihat_npu_arbiter.sock");
    }
    PathBuf::from("/tmp/aihat_npu_arbiter.sock")
}

pub(crate) enum EngineIn {
    Connect { conn: u64, out: mpsc::UnboundedSender<ServerMsg> },
    Msg { conn: u64, msg: ClientMsg },
    Disconnect { conn: u64 },
    Snapshot(oneshot::Sender<StatusSnapshot>),
    SetAdmission { class: Class, admission: Admission, done: oneshot::Sender<Result<(), PolicyError>> },
}

struct Conn {
    out: mpsc::UnboundedSender<ServerMsg>,
    client: Option<ClientId>,
}

struct Engine<C: Clock> {
    policy: Policy,
    clock: C,
    conns: BTreeMap<u64, Conn>,
    client_conn: BTreeMap<ClientId, u64>,
    events: Vec<PolicyEvent>,
}

impl<C: Clock> Engine<C> {
    fn send_to_client(&mut self, client: ClientId, msg: ServerMsg) {
        if let Some(conn) = self.client_conn.get(&client).and_then(|c| self.conns.get(c)) {
            // A send error means the connection task is already gone; its
            // Disconnect is queued and will clean up.
            let _ = conn.out.send(msg);
        }
    }

    fn flush_events(&mut self) {
        let events = std::mem::take(&mut self.events);
        for ev in events {
            match ev {
                PolicyEvent::Granted(g) => {
                    let msg = ServerMsg::Granted {
                        job: g.job,
                        grant: g.grant,
                        step: g.step,
                        lease_ns: g.lease_until.saturating_sub(g.granted_at),
                        expected_cost_ns: g.expected_cost_ns,
                    };
                    self.send_to_client(g.client, msg);
                }
                PolicyEvent::Dropped { job, client, reason, .. } => {
                    self.send_to_client(client, ServerMsg::Dropped { job, reason })
                }
                PolicyEvent::Completed { job, client, late, .. } => {
                    self.send_to_client(client, ServerMsg::Completed { job, late })
                }
            }
        }
    }

    /// Drops the connection from the engine's side: removing the sender ends
    /// the connection task, which closes the socket.
    fn disconnect(&mut self, conn: u64) {
        if let Some(c) = self.conns.remove(&conn) {
            if let Some(client) = c.client {
                self.client_conn.remove(&client);
                let now = self.clock.now_ns();
                self.policy.remove_client(client, now, &mut self.events);
            }
        }
    }

    fn handle(&mut self, ev: EngineIn) {
        match ev {
            EngineIn::Connect { conn, out } => {
                self.conns.insert(conn, Conn { out, client: None });
            }
            EngineIn::Disconnect { conn } => self.disconnect(conn),
            EngineIn::Snapshot(tx) => {
                let _ = tx.send(self.policy.snapshot(self.clock.now_ns()));
            }
            EngineIn::Msg { conn, msg } => self.handle_msg(conn, msg),
            EngineIn::SetAdmission { class, admission, done } => {
                let r = self.policy.set_admission(class, admission, &mut self.events);
                let _ = done.send(r);
            }
        }
    }

    fn reply(&self, conn: u64, msg: ServerMsg) {
        if let Some(c) = self.conns.get(&conn) {
            let _ = c.out.send(msg);
        }
    }

    fn handle_msg(&mut self, conn: u64, msg: ClientMsg) {
        let now = self.clock.now_ns();
        let Some(client) = self.conns.get(&conn).map(|c| c.client) else { return };
        let client = match (client, msg) {
            (None, ClientMsg::Hello { name, pid, version }) => {
                if version != PROTOCOL_VERSION {
                    warn!(conn, version, "protocol version mismatch; disconnecting");
                    self.reply(
                        conn,
                        ServerMsg::Error {
                            req: None,
                            message: format!("protocol version {version} unsupported, want {PROTOCOL_VERSION}"),
                        },
                    );
                    self.disconnect(conn);
                    return;
                }
                let id = self.policy.add_client(&format!("{name}[{pid}]"), now);
                if let Some(c) = self.conns.get_mut(&conn) {
                    c.client = Some(id);
                }
                self.client_conn.insert(id, conn);
                self.reply(conn, ServerMsg::Welcome { client: id, version: PROTOCOL_VERSION });
                return;
            }
            (None, _) | (Some(_), ClientMsg::Hello { .. }) => {
                warn!(conn, "message out of order (hello expected exactly once); disconnecting");
                self.disconnect(conn);
                return;
            }
            (Some(id), msg) => (id, msg),
        };
        let (client, msg) = client;
        match msg {
            ClientMsg::Hello { .. } => {}
            ClientMsg::RegisterStream { req, spec } => match self.policy.add_stream(client, spec) {
                Ok(stream) => self.reply(conn, ServerMsg::StreamRegistered { req, stream }),
                Err(e) => self.reply(conn, ServerMsg::Error { req: Some(req), message: e.to_string() }),
            },
            ClientMsg::Submit { req, stream, job } => {
                match self.policy.submit(now, client, stream, job, &mut self.events) {
                    Ok(job) => self.reply(conn, ServerMsg::Accepted { req, job }),
                    Err(reason) => self.reply(conn, ServerMsg::Rejected { req, reason }),
                }
            }
            ClientMsg::Complete { grant, report } => {
                if let Err(e) = self.policy.complete(now, client, grant, report, &mut self.events) {
                    // Normal after a lease expiry: the node finished too late.
                    debug!(client = %client, %grant, error = %e, "stale completion");
                    self.reply(conn, ServerMsg::Error { req: None, message: e.to_string() });
                }
            }
            ClientMsg::Cancel { job } => self.policy.cancel(now, client, job, &mut self.events),
            ClientMsg::Status { req } => {
                let snapshot = Box::new(self.policy.snapshot(now));
                self.reply(conn, ServerMsg::Status { req, snapshot });
            }
            ClientMsg::SetTemperature { celsius } => self.policy.set_temperature(celsius),
        }
    }

    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<EngineIn>) {
        loop {
            let now = self.clock.now_ns();
            self.policy.poll(now, &mut self.events);
            self.flush_events();
            let wake = self.policy.next_wakeup().map(|w| Duration::from_nanos(w.saturating_sub(now)));
            let ev = match wake {
                Some(d) => match tokio::time::timeout(d, rx.recv()).await {
                    Ok(ev) => ev,
                    Err(_) => continue,
                },
                None => rx.recv().await,
            };
            let Some(ev) = ev else { break };
            self.handle(ev);
            // Drain whatever else is queued before polling, so a burst of
            // submissions is seen as a whole by one scheduling decision.
            while let Ok(ev) = rx.try_recv() {
                self.handle(ev);
            }
        }
        info!("engine stopped");
    }
}

/// Handle to a running engine; connect in-process clients or read status.
#[derive(Clone)]
pub struct EngineHandle {
    tx: mpsc::UnboundedSender<EngineIn>,
    next_conn: Arc<AtomicU64>,
}

impl EngineHandle {
    /// Starts an engine task on the current tokio runtime.
    pub fn spawn<C: Clock>(cfg: PolicyConfig, clock: C) -> EngineHandle {
        let (tx, rx) = mpsc::unbounded_channel();
        let now = clock.now_ns();
        let engine = Engine {
            policy: Policy::new(cfg, now),
            clock,
            conns: BTreeMap::new(),
            client_conn: BTreeMap::new(),
            events: Vec::new(),
        };
        tokio::spawn(engine.run(rx).instrument(info_span!("npu_arbiter_engine")));
        EngineHandle { tx, next_conn: Arc::new(AtomicU64::new(1)) }
    }

    pub async fn status(&self) -> Result<StatusSnapshot> {
        let (tx, rx) = oneshot::channel();
        self.tx.send(EngineIn::Snapshot(tx)).map_err(|_| ArbiterError::Disconnected)?;
        rx.await.map_err(|_| ArbiterError::Disconnected)
    }

    /// Limits the admission of `class` (thermal bands). Only for the coordinator's host, not
    /// on the wire: a client must not be able to shed its peers.
    pub async fn set_admission(&self, class: Class, admission: Admission) -> Result<()> {
        let (done, rx) = oneshot::channel();
        self.tx.send(EngineIn::SetAdmission { class, admission, done }).map_err(|_| ArbiterError::Disconnected)?;
        Ok(rx.await.map_err(|_| ArbiterError::Disconnected)??)
    }

    /// An in-process connection: same messages as the socket, no serialization.
    pub(crate) fn connect_channels(
        &self,
    ) -> Result<(mpsc::UnboundedSender<ClientMsg>, mpsc::UnboundedReceiver<ServerMsg>)> {
        let conn = self.next_conn.fetch_add(1, Ordering::Relaxed);
        let (out_tx, out_rx) = mpsc::unbounded_channel();
        let (in_tx, mut in_rx) = mpsc::unbounded_channel::<ClientMsg>();
        self.tx.send(EngineIn::Connect { conn, out: out_tx }).map_err(|_| ArbiterError::Disconnected)?;
        let engine = self.tx.clone();
        tokio::spawn(async move {
            while let Some(msg) = in_rx.recv().await {
                if engine.send(EngineIn::Msg { conn, msg }).is_err() {
                    return;
                }
            }
            let _ = engine.send(EngineIn::Disconnect { conn });
        });
        Ok((in_tx, out_rx))
    }

    fn new_conn_id(&self) -> u64 {
        self.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    fn send(&self, ev: EngineIn) -> bool {
        self.tx.send(ev).is_ok()
    }
}

#[derive(Debug, Clone)]
pub struct CoordinatorConfig {
    pub socket_path: PathBuf,
    pub policy: PolicyConfig,
}

impl Default for CoordinatorConfig {
    fn default() -> Self {
        CoordinatorConfig { socket_path: default_socket_path(), policy: PolicyConfig::default() }
    }
}

/// A bound socket coordinator. Dropping it (or ending `run`) closes the socket
/// and releases the lock.
pub struct Coordinator {
    listener: UnixListener,
    engine: EngineHandle,
    path: PathBuf,
    _lock: OwnedFd,
}

impl Coordinator {
    /// Takes the lock, removes a stale socket left by a dead coordinator,
    /// binds, and starts the engine. Must be called inside a tokio runtime.
    pub fn bind(cfg: CoordinatorConfig) -> Result<Coordinator> {
        let path = cfg.socket_path;
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)?;
            }
        }
        let lock = take_lock(&path)?;
        match std::fs::remove_file(&path) {
            Ok(()) => info!(path = %path.display(), "removed stale socket"),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
        let listener = UnixListener::bind(&path)?;
        let engine = EngineHandle::spawn(cfg.policy, MonotonicClock);
        info!(path = %path.display(), "coordinator listening");
        Ok(Coordinator { listener, engine, path, _lock: lock })
    }

    pub fn engine(&self) -> EngineHandle {
        self.engine.clone()
    }

    pub fn socket_path(&self) -> &Path {
        &self.path
    }

    /// Accepts connections until the listener fails.
    pub async fn run(self) -> Result<()> {
        loop {
            let (stream, _) = match self.listener.accept().await {
                Ok(s) => s,
                Err(e) => {
                    // EMFILE and friends are transient; don't spin on them.
                    warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let conn = self.engine.new_conn_id();
            let engine = self.engine.clone();
            tokio::spawn(serve_conn(conn, stream, engine).instrument(info_span!("conn", conn)));
        }
    }
}

impl Drop for Coordinator {
    fn drop(&mut self) {
        // We hold the lock, so the socket file is ours to remove.
        let _ = std::fs::remove_file(&self.path);
    }
}

fn take_lock(socket: &Path) -> Result<OwnedFd> {
    let mut lock_path = socket.as_os_str().to_owned();
    lock_path.push(".lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(PathBuf::from(lock_path))?;
    let fd: OwnedFd = file.into();
    // SAFETY: fd is a valid open descriptor owned by us.
    let rc = unsafe { libc::flock(fd.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc != 0 {
        let err = std::io::Error::last_os_error();
        if err.raw_os_error() == Some(libc::EWOULDBLOCK) {
            return Err(ArbiterError::AlreadyRunning(socket.to_path_buf()));
        }
        return Err(err.into());
    }
    Ok(fd)
}

async fn serve_conn(conn: u64, stream: UnixStream, engine: EngineHandle) {
    let (rd, mut wr) = stream.into_split();
    let mut reader = LineReader::new(rd);
    let (out_tx, mut out_rx) = mpsc::unbounded_channel();
    if !engine.send(EngineIn::Connect { conn, out: out_tx }) {
        return;
    }
    debug!("connected");
    loop {
        tokio::select! {
            line = reader.next_line() => match line {
                Ok(Some(line)) => match parse::<ClientMsg>(&line) {
                    Ok(msg) => {
                        if !engine.send(EngineIn::Msg { conn, msg }) {
                            break;
                        }
                    }
                    Err(e) => {
                        warn!(error = %e, "malformed message; disconnecting peer");
                        break;
                    }
                },
                Ok(None) => break,
                Err(e) => {
                    warn!(error = %e, "read failed; disconnecting peer");
                    break;
                }
            },
            msg = out_rx.recv() => match msg {
                Some(msg) => {
                    if let Err(e) = write_msg(&mut wr, &msg).await {
                        debug!(error = %e, "write failed");
                        break;
                    }
                }
                // The engine dropped us (protocol violation).
                None => break,
            },
        }
    }
    engine.send(EngineIn::Disconnect { conn });
    debug!("disconnected");
}
