//! The thin ROS 2 edge every aihat_ros node shares: node start-up and spinning, logging,
//! QoS from parameters, typed parameters with ranges, and header/time helpers.
//!
//! Nodes keep their data path in `main.rs`; this crate only holds the ROS plumbing that would
//! otherwise be written once per node.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use r2r::{Parameter, QosProfile, RosParams};

pub use r2r;

mod lossless;
pub use lossless::Lossless;

/// Keep libpython linked when ROS comes from the PyPI wheels: their `librcl.so` loads
/// `*__rosidl_generator_py.so` libraries that need libpython's symbols, and the linker would
/// otherwise drop a library that nothing in Rust references.
#[cfg(aihat_link_libpython)]
mod libpython {
    unsafe extern "C" {
        fn Py_IsInitialized() -> std::os::raw::c_int;
    }
    #[used]
    static KEEP: unsafe extern "C" fn() -> std::os::raw::c_int = Py_IsInitialized;
}

/// Errors of the ROS edge.
#[derive(Debug, thiserror::Error)]
pub enum EdgeError {
    #[error("parameter `{name}`: {reason}")]
    InvalidParameter { name: String, reason: String },
    #[error("unknown QoS profile `{0}` (expected sensor_data, reliable or best_effort)")]
    UnknownQos(String),
}

/// Parameters of a node: derived `RosParams` plus the ranges that r2r's derive cannot express.
pub trait NodeParams: RosParams + Clone + Default + Send + 'static {
    /// Check ranges and cross-field rules; `Err((parameter, reason))` rejects the change.
    fn validate(&self) -> Result<(), (String, String)>;
}

/// Wraps a node's parameter struct so that `ros2 param set` with an out-of-range value is
/// refused with a reason (and the old value kept) instead of being applied.
#[derive(Clone, Default)]
pub struct Checked<P>(pub P);

impl<P: NodeParams> RosParams for Checked<P> {
    fn register_parameters(
        &mut self,
        prefix: &str,
        param: Option<Parameter>,
        params: &mut r2r::indexmap::IndexMap<String, Parameter>,
    ) -> r2r::Result<()> {
        self.0.register_parameters(prefix, param, params)?;
        // Values from the command line / parameter file are applied by the registration
        // above; reject them at start-up if out of range.
        self.0.validate().map_err(|(name, msg)| r2r::Error::ParameterValueConv { name, msg })
    }

    fn get_parameter(&mut self, name: &str) -> r2r::Result<r2r::ParameterValue> {
        self.0.get_parameter(name)
    }

    fn set_parameter(&mut self, name: &str, value: &r2r::ParameterValue) -> r2r::Result<()> {
        let before = self.0.clone();
        self.0.set_parameter(name, value)?;
        if let Err((pname, msg)) = self.0.validate() {
            self.0 = before;
            return Err(r2r::Error::ParameterValueConv { name: pname, msg });
        }
        Ok(())
    }

    fn check_parameter(&self, name: &str, value: &r2r::ParameterValue) -> r2r::Result<()> {
        self.0.check_parameter(name, value)?;
        let mut probe = self.0.clone();
        probe.set_parameter(name, value)?;
        probe.validate().map_err(|(name, msg)| r2r::Error::ParameterValueConv { name, msg })
    }
}

/// Checks `lo <= v <= hi`, for `NodeParams::validate`.
pub fn in_range<T: PartialOrd + std::fmt::Display>(
    name: &str,
    v: T,
    lo: T,
    hi: T,
) -> Result<(), (String, String)> {
    if v >= lo && v <= hi {
        Ok(())
    } else {
        Err((name.to_string(), format!("{v} is outside [{lo}, {hi}]")))
    }
}

/// Checks that a string parameter is one of `allowed`, for `NodeParams::validate`.
pub fn one_of(name: &str, v: &str, allowed: &[&str]) -> Result<(), (String, String)> {
    if allowed.contains(&v) {
        Ok(())
    } else {
        Err((name.to_string(), format!("`{v}` is not {}", allowed.join(" or "))))
    }
}

/// One declared parameter, as `--list-params` prints it (the launch consistency test and the
/// README tables are made from this).
#[derive(Debug, serde::Serialize)]
pub struct ParamInfo {
    pub name: String,
    pub default: serde_json::Value,
    pub description: String,
}

/// The parameters `P` declares, with defaults and descriptions, without starting ROS.
pub fn declared_params<P: NodeParams>() -> anyhow::Result<Vec<ParamInfo>> {
    let mut map = r2r::indexmap::IndexMap::new();
    let mut p = Checked(P::default());
    p.register_parameters("", None, &mut map)
        .map_err(|e| anyhow::anyhow!("registering parameters: {e}"))?;
    Ok(map
        .into_iter()
        .map(|(name, param)| ParamInfo {
            name,
            default: param_to_json(&param.value),
            description: param.description.to_string(),
        })
        .collect())
}

fn param_to_json(v: &r2r::ParameterValue) -> serde_json::Value {
    use r2r::ParameterValue as V;
    match v {
        V::Bool(b) => (*b).into(),
        V::Integer(i) => (*i).into(),
        V::Double(d) => (*d).into(),
        V::String(s) => s.clone().into(),
        other => format!("{other:?}").into(),
    }
}

/// Handles the command-line flags every node supports besides `--ros-args`:
/// `--list-params` prints the declared parameters as JSON and exits.
pub fn handle_cli<P: NodeParams>() -> anyhow::Result<()> {
    if std::env::args().any(|a| a == "--list-params") {
        use std::io::Write as _;
        // A closed pipe (`| head`) is not an error worth a panic.
        let _ = writeln!(std::io::stdout(), "{}", serde_json::to_string_pretty(&declared_params::<P>()?)?);
        std::process::exit(0);
    }
    Ok(())
}

/// The name a topic the node uses as `name` (relative) resolves to: the command line's remap rules
/// (`-r`/`--remap from:=to`, or `<node>:from:=to` for this node only; the first matching rule wins,
/// as in rcl) and the node's namespace. For diagnostics that ask the graph about the topic.
pub fn resolve_topic(name: &str, node_name: &str, namespace: &str, args: &[String]) -> String {
    let mut remapped = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a != "-r" && a != "--remap" {
            continue;
        }
        let Some(rule) = it.next() else { break };
        let Some((from, to)) = rule.split_once(":=") else { continue };
        let from = match from.split_once(':') {
            Some((node, from)) if node == node_name => from,
            Some(_) => continue,
            None => from,
        };
        if from == name || from.trim_start_matches('/') == format!("{}/{name}", namespace.trim_matches('/')).trim_start_matches('/') {
            remapped = Some(to.to_string());
            break;
        }
    }
    let topic = remapped.unwrap_or_else(|| name.to_string());
    if topic.starts_with('/') {
        topic
    } else {
        format!("{}/{topic}", namespace.trim_end_matches('/'))
    }
}

/// Logs to stderr (what `ros2 launch` shows per node); `RUST_LOG` overrides the level.
/// ONNX Runtime's own log is kept to warnings: at info it prints every graph transformer.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,ort=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}

/// The ROS context. r2r panics when rcl rejects the command line (`-p name:=` with nothing after
/// `:=`, say): a mistyped argument must end the node with one clear line, not a backtrace.
fn create_context() -> anyhow::Result<r2r::Context> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(r2r::Context::create);
    std::panic::set_hook(hook);
    match result {
        Ok(ctx) => ctx.context("creating the ROS context"),
        Err(payload) => {
            let why = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("unknown reason");
            anyhow::bail!("the ROS arguments were not accepted: {why}")
        }
    }
}

/// The r2r node, shared by the spin thread and the node's tasks (which create publishers and
/// subscriptions through it).
///
/// std's `Mutex` is not fair, and the spin thread locks again right after each `spin_once`: on a
/// loaded machine a task waiting for the node could stay locked out for seconds (seen: the
/// accelerator's status loop blocked its single-threaded runtime, and with it the arbiter
/// coordinator, for 8 s). A task that wants the node says so, and the spin thread steps aside.
#[derive(Clone)]
pub struct SharedNode {
    node: Arc<Mutex<r2r::Node>>,
    waiting: Arc<std::sync::atomic::AtomicUsize>,
    gates: lossless::Gates,
}

/// How long the spin thread waits for a lossless stream's consumer before it spins on anyway.
const LOSSLESS_MAX_WAIT: Duration = Duration::from_millis(500);

impl SharedNode {
    fn new(node: r2r::Node) -> Self {
        Self { node: Arc::new(Mutex::new(node)), waiting: Arc::default(), gates: Default::default() }
    }

    /// Wraps a subscription or service stream of this node so that r2r never drops its messages
    /// for want of room (see [`Lossless`]); for voice commands and requests, not camera frames.
    pub fn lossless<S: futures::Stream + Unpin>(&self, topic: &str, stream: S) -> Lossless<S> {
        self.gates.lossless(topic, stream)
    }

    /// Locks the node ahead of the spin thread (at most one `spin_once` of waiting).
    pub fn lock(&self) -> std::sync::LockResult<std::sync::MutexGuard<'_, r2r::Node>> {
        use std::sync::atomic::Ordering;
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let guard = self.node.lock();
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        guard
    }

    fn spin_once(&self, timeout: Duration) {
        while self.waiting.load(std::sync::atomic::Ordering::SeqCst) > 0 {
            std::thread::sleep(Duration::from_micros(200));
        }
        self.gates.wait_for_room(LOSSLESS_MAX_WAIT);
        self.node.lock().expect("node lock poisoned").spin_once(timeout);
        self.gates.after_spin();
    }
}

/// A started node: the r2r node (see [`SharedNode`]), its clock, and its parameters, kept
/// current by r2r's parameter services.
pub struct RosNode<P> {
    pub node: SharedNode,
    /// Taken once at start: reading the time must not wait for the node's lock.
    clock: Arc<Mutex<r2r::Clock>>,
    pub params: Arc<Mutex<Checked<P>>>,
    pub name: String,
    spinning: Arc<std::sync::atomic::AtomicBool>,
    spin_thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl<P: NodeParams> RosNode<P> {
    /// Creates the node (name and namespace can be remapped with `--ros-args`), registers its
    /// parameters (applying `--params-file`/`-p` overrides, rejecting out-of-range ones) and
    /// starts the parameter services so `ros2 param get/set/dump` work.
    ///
    /// Must be called inside a tokio runtime; spinning happens on a blocking thread.
    pub fn start(default_name: &str) -> anyhow::Result<Self> {
        let ctx = create_context()?;
        let mut node = r2r::Node::create(ctx, default_name, "").context("creating the ROS node")?;
        let params = Arc::new(Mutex::new(Checked(P::default())));
        let (handler, events) = node
            .make_derived_parameter_handler(params.clone())
            .map_err(|e| anyhow::anyhow!("{e}"))
            .context("declaring parameters")?;
        tokio::spawn(handler);
        let name = node.name().unwrap_or_else(|_| default_name.to_string());
        // Every accepted change is logged; the node reads the current values where it uses them.
        let log_name = name.clone();
        tokio::spawn(futures::StreamExt::for_each(events, move |(param, value)| {
            tracing::info!(node = %log_name, %param, ?value, "parameter changed");
            futures::future::ready(())
        }));
        let clock = node.get_ros_clock();
        Ok(Self {
            node: SharedNode::new(node),
            clock,
            params,
            name,
            spinning: Arc::new(std::sync::atomic::AtomicBool::new(true)),
            spin_thread: Mutex::new(None),
        })
    }

    /// A snapshot of the current parameters.
    pub fn params(&self) -> P {
        self.params.lock().expect("parameter lock poisoned").0.clone()
    }

    /// Spins the node on its own OS thread until `stop` (or drop). Not a tokio blocking task:
    /// the runtime would wait for it forever at shutdown and SIGTERM would never end the node.
    pub fn spin(&self) {
        let node = self.node.clone();
        let spinning = self.spinning.clone();
        let handle = std::thread::Builder::new()
            .name("ros-spin".into())
            .spawn(move || {
                while spinning.load(std::sync::atomic::Ordering::Relaxed) {
                    node.spin_once(Duration::from_millis(5));
                }
            })
            .expect("starting the ROS spin thread");
        *self.spin_thread.lock().expect("spin lock") = Some(handle);
    }

    /// Stops spinning and waits for the spin thread, so that process exit does not tear down
    /// rcl/DDS under a thread still inside it.
    pub fn stop(&self) {
        self.spinning.store(false, std::sync::atomic::Ordering::Relaxed);
        if let Some(h) = self.spin_thread.lock().expect("spin lock").take() {
            let _ = h.join();
        }
    }

    /// The node's ROS time now (a stamp for messages that have no source header).
    pub fn now(&self) -> r2r::builtin_interfaces::msg::Time {
        let mut clock = self.clock.lock().expect("clock lock poisoned");
        clock.get_now().map(|d| r2r::Clock::to_builtin_time(&d)).unwrap_or_default()
    }
}

impl<P> Drop for RosNode<P> {
    fn drop(&mut self) {
        self.spinning.store(false, std::sync::atomic::Ordering::Relaxed);
        if let Some(h) = self.spin_thread.lock().ok().and_then(|mut g| g.take()) {
            let _ = h.join();
        }
    }
}

/// A QoS profile from a parameter: `sensor_data` (best effort, keep last `depth`), `reliable`
/// or `best_effort`, with history depth `depth`.
pub fn qos_from_param(profile: &str, depth: i64) -> Result<QosProfile, EdgeError> {
    let depth = depth.clamp(1, 1000) as usize;
    match profile {
        "sensor_data" => Ok(QosProfile::sensor_data().keep_last(depth)),
        "reliable" => Ok(QosProfile::default().keep_last(depth).reliable()),
        "best_effort" => Ok(QosProfile::default().keep_last(depth).best_effort()),
        other => Err(EdgeError::UnknownQos(other.to_string())),
    }
}

/// QoS for a latched topic (like vision_msgs' `label_info`): reliable, transient local.
pub fn latched_qos() -> QosProfile {
    QosProfile::default().keep_last(1).reliable().transient_local()
}

/// Waits for Ctrl-C or SIGTERM (what `ros2 launch` and our launcher send on shutdown).
pub async fn shutdown_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("installing the SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(RosParams, Clone, Debug)]
    struct Demo {
        /// A threshold in [0, 1]
        threshold: f64,
        /// QoS profile
        qos: String,
    }
    #[test]
    fn topics_resolve_through_remaps_and_the_namespace() {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(resolve_topic("image", "det", "/", &args(&["--ros-args"])), "/image");
        assert_eq!(resolve_topic("image", "det", "/robot", &[]), "/robot/image");
        let a = args(&["--ros-args", "-r", "__node:=det", "-r", "image:=camera/image", "-r", "other:image:=/x"]);
        assert_eq!(resolve_topic("image", "det", "/", &a), "/camera/image");
        assert_eq!(resolve_topic("image", "other", "/", &a), "/camera/image");
        let a = args(&["--ros-args", "--remap", "det:image:=/cam/raw", "-r", "image:=/y"]);
        assert_eq!(resolve_topic("image", "det", "/ns", &a), "/cam/raw");
        assert_eq!(resolve_topic("image", "pose", "/ns", &a), "/y");
    }

    impl Default for Demo {
        fn default() -> Self {
            Self { threshold: 0.25, qos: "sensor_data".into() }
        }
    }
    impl NodeParams for Demo {
        fn validate(&self) -> Result<(), (String, String)> {
            in_range("threshold", self.threshold, 0.0, 1.0)?;
            qos_from_param(&self.qos, 1).map_err(|e| ("qos".to_string(), e.to_string()))?;
            Ok(())
        }
    }

    #[test]
    fn out_of_range_set_is_refused_and_old_value_kept() {
        let mut p = Checked(Demo::default());
        let err = p.set_parameter("threshold", &r2r::ParameterValue::Double(1.5));
        assert!(err.is_err());
        assert_eq!(p.0.threshold, 0.25);
        p.set_parameter("threshold", &r2r::ParameterValue::Double(0.5)).unwrap();
        assert_eq!(p.0.threshold, 0.5);
        assert!(p.set_parameter("qos", &r2r::ParameterValue::String("fast".into())).is_err());
        assert_eq!(p.0.qos, "sensor_data");
    }

    #[test]
    fn declared_params_lists_names_defaults_and_descriptions() {
        let list = declared_params::<Demo>().unwrap();
        let names: Vec<_> = list.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["threshold", "qos"]);
        assert_eq!(list[0].default, serde_json::json!(0.25));
        assert_eq!(list[0].description, "A threshold in [0, 1]");
    }

    #[test]
    fn qos_profiles() {
        assert!(qos_from_param("sensor_data", 1).is_ok());
        assert!(qos_from_param("reliable", 10).is_ok());
        assert!(matches!(qos_from_param("x", 1), Err(EdgeError::UnknownQos(_))));
    }
}
