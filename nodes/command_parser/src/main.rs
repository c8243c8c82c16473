//! command_parser: spoken text (`voice_command`, std_msgs/String) to a validated, typed robot
//! command on `robot_command` (aihat_msgs/RobotCommand) and as compact JSON on
//! `robot_command_json` (std_msgs/String).
//!
//! Data path: subscribe -> fast path (stop and plain commands, microseconds, never waits) ->
//! otherwise the LLM on its own thread at command priority at the arbiter (`llm_backend`: on
//! the CPU, llama.cpp with decoding constrained by a grammar made from the vocabulary, one
//! grant per step; on the Hailo, GenAI replies repaired and retried, one grant per reply) ->
//! validate (clamp or reject) -> an LLM answer must be supported by the words said
//! (`command_grammar::vet_llm_answer`, else `unknown` with the reason) -> ground the target in
//! the latest detections -> publish. A stop aborts a generation in progress, and nothing is
//! published for the utterance it cut off: the stop is the answer.
//!
//! The `parse_command` service (aihat_msgs/ParseCommand) runs the same pipeline as a dry run:
//! the command goes back to the caller only, and a "stop" parsed there does not abort anything.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

mod llm_backend;

use command_grammar::{Command, FastPathOutcome, SlotValue, Source, Vocabulary, WorldState, fast_path};
use futures::StreamExt;
use llm_backend::{Backend, Parse, ParseJob};
use npu_arbiter::{ArbiterClient, Class, ClientConfig, Endpoint, StreamSpec};
use r2r::aihat_msgs::msg::{CommandSlot, Detection2DArray, Detection3DArray, LabelInfo, RobotCommand};
use r2r::builtin_interfaces::msg::Time;
use r2r::geometry_msgs::msg::{Point, PointStamped};
use r2r::aihat_msgs::srv::ParseCommand;
use r2r::std_msgs::msg::{Header, String as StringMsg};
use r2r::{QosProfile, RosParams};
use ros_edge::{NodeParams, RosNode, in_range, latched_qos};
use vision_edge::InferenceThread;

#[derive(RosParams, Clone, Debug)]
struct Params {
    /// Command vocabulary (YAML: actions, typed slots, units, ranges, synonyms); empty = the built-in default (params/vocabulary.yaml).
    vocabulary_path: String,
    /// Names the robot answers to besides "robot" and "bot", comma-separated (e.g. "rosie"): "rosie go to the kitchen" then asks the robot, where a person's name opening a request otherwise means someone else is spoken to (`unknown`). One word each, no word a command uses.
    robot_names: String,
    /// LLM model: a GGUF file (backend cpu; empty = $AIHAT_LLM_MODEL, Qwen2.5-Coder-0.5B-Instruct Q4_K_M from scripts/setup) or the LLM HEF (backend hailo; required).
    model_path: String,
    /// Use the LLM when the fast path cannot parse a command (false: such input gets `unknown`).
    use_llm: bool,
    /// LLM inference threads; 0 = one per core of the inference set [0, 64].
    llm_threads: i64,
    /// Cores left to the rest of the robot [0, 64].
    reserved_cores: i64,
    /// Inference backend: cpu (llama.cpp) or hailo (Hailo GenAI; needs the `hailo` build feature).
    backend: String,
    /// Backend hailo: LLM replies asked for per utterance (a reply that cannot be repaired into a valid command is asked for again, with the reason), then `unknown` [1, 5].
    hailo_max_attempts: i64,
    /// Take turns on the accelerator through the npu_arbiter coordinator, at command priority.
    use_arbiter: bool,
    /// Coordinator socket; empty = the default path.
    arbiter_socket: String,
    /// Whole-parse deadline given to the arbiter, in seconds [0.1, 60].
    parse_deadline_s: f64,
    /// LLM answers below this confidence become `unknown` [0, 1]; 0 = off. CPU: the geometric mean of the reply's token probabilities; Hailo: 0.8 less 0.1 per repair.
    min_llm_confidence: f64,
    /// Utterances `voice_command` holds while earlier ones are parsed (reliable, keep-last
    /// depth) [1, 10000]. A scripted burst arrives within milliseconds; a shallower queue loses
    /// the oldest in DDS, where no one counts them. Read at start.
    voice_queue_depth: i64,
    /// Minimum detection score for grounding a target [0, 1].
    grounding_min_score: f64,
    /// Objects not seen for this long are forgotten: a target resolves to what was seen within it (in view = in the latest detections), in seconds [0.1, 3600].
    grounding_max_age_s: f64,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            vocabulary_path: String::new(),
            robot_names: String::new(),
            model_path: String::new(),
            use_llm: true,
            llm_threads: 0,
            reserved_cores: 1,
            backend: "cpu".into(),
            hailo_max_attempts: 2,
            use_arbiter: true,
            arbiter_socket: String::new(),
            parse_deadline_s: 3.0,
            min_llm_confidence: 0.0,
            voice_queue_depth: 1000,
            grounding_min_score: 0.4,
            grounding_max_age_s: 2.0,
        }
    }
}

impl NodeParams for Params {
    fn validate(&self) -> Result<(), (String, String)> {
        in_range("llm_threads", self.llm_threads, 0, 64)?;
        in_range("reserved_cores", self.reserved_cores, 0, 64)?;
        in_range("parse_deadline_s", self.parse_deadline_s, 0.1, 60.0)?;
        in_range("hailo_max_attempts", self.hailo_max_attempts, 1, 5)?;
        in_range("min_llm_confidence", self.min_llm_confidence, 0.0, 1.0)?;
        in_range("voice_queue_depth", self.voice_queue_depth, 1, 10000)?;
        in_range("grounding_min_score", self.grounding_min_score, 0.0, 1.0)?;
        in_range("grounding_max_age_s", self.grounding_max_age_s, 0.1, 3600.0)?;
        ros_edge::one_of("backend", &self.backend, &["cpu", "hailo"])?;
        Ok(())
    }
}

/// What the robot has seen lately and the label map, for grounding. Names are looked up when a
/// command is grounded, not when detections arrive: the latched label map may come after them.
#[derive(Default)]
struct Scene {
    labels: HashMap<u16, String>,
    world: WorldState,
}

impl Scene {
    fn name_of(labels: &HashMap<u16, String>, class_id: &str) -> Option<String> {
        class_id.parse::<u16>().ok().and_then(|c| labels.get(&c).cloned())
    }
}

fn to_msg(cmd: &Command, header: Header) -> RobotCommand {
    let mut slots = Vec::new();
    let mut target_label = String::new();
    for (name, v) in &cmd.slots {
        let slot = match v {
            SlotValue::Number { value, unit } => CommandSlot {
                name: name.clone(),
                type_: CommandSlot::TYPE_NUMBER as u8,
                number: *value,
                unit: unit.clone(),
                ..Default::default()
            },
            SlotValue::Enum(s) => {
                CommandSlot { name: name.clone(), type_: CommandSlot::TYPE_ENUM as u8, text: s.clone(), ..Default::default() }
            }
            SlotValue::Text(s) => {
                if name == "target" {
                    target_label = s.clone();
                }
                CommandSlot { name: name.clone(), type_: CommandSlot::TYPE_TEXT as u8, text: s.clone(), ..Default::default() }
            }
        };
        slots.push(slot);
    }
    let target = match &cmd.grounding {
        Some(command_grammar::Grounding::Found(t)) => Some(t),
        _ => None,
    };
    let position = target.and_then(|t| t.position.as_ref());
    let target_position = position.map_or_else(PointStamped::default, |p| PointStamped {
        header: Header { stamp: Time { sec: p.stamp.0, nanosec: p.stamp.1 }, frame_id: p.frame_id.clone() },
        point: Point { x: p.xyz[0], y: p.xyz[1], z: p.xyz[2] },
    });
    RobotCommand {
        header,
        action: cmd.action.clone(),
        slots,
        target_label,
        target_track_id: target.map(|t| t.id.clone()).unwrap_or_default(),
        target_in_view: target.is_some_and(|t| t.in_view),
        target_has_position: position.is_some(),
        target_position,
        target_distance_m: position.map_or(f32::NAN, |p| p.distance() as f32),
        target_last_seen_s: target.map_or(f32::NAN, |t| t.last_seen_s as f32),
        confidence: cmd.confidence,
        source_text: cmd.text.clone(),
        source: match cmd.source {
            Source::FastPath => RobotCommand::SOURCE_FAST_PATH as u8,
            Source::Llm => RobotCommand::SOURCE_LLM as u8,
        },
        reason: cmd.reason.clone().unwrap_or_default(),
    }
}

/// Where a parse result goes.
enum ReplyTo {
    Topics,
    /// The caller of the `parse_command` service (a dry run: nothing is published).
    Service(r2r::ServiceRequest<ParseCommand::Service>),
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    ros_edge::handle_cli::<Params>()?;
    ros_edge::init_logging();
    let ros = RosNode::<Params>::start("command_parser")?;
    let p = ros.params();
    let vocab = if p.vocabulary_path.is_empty() {
        Vocabulary::default_vocabulary()?
    } else {
        Vocabulary::load(p.vocabulary_path.as_ref())?
    };
    let names: Vec<&str> = p.robot_names.split(',').map(str::trim).filter(|n| !n.is_empty()).collect();
    let vocab = Arc::new(vocab.with_robot_names(&names)?);
    llm_backend::ensure_built(&p.backend)?;

    let llm = if p.use_llm {
        let model = llm_backend::model_path(&p.backend, &p.model_path, std::env::var("AIHAT_LLM_MODEL").ok())?;
        let (cpus, threads) = vision_edge::inference_cpus(p.reserved_cores as usize, p.llm_threads as usize);
        let (vocab, backend) = (vocab.clone(), p.backend.clone());
        let thread = InferenceThread::spawn("llm", cpus, move || Backend::load(&backend, &model, threads, vocab))?;
        Some(Arc::new(thread))
    } else {
        None
    };
    // Registered in the background: the fast path (and so every stop) must not wait for the
    // coordinator, which may start after this node or be slow to answer on a loaded machine.
    // Until the stream is registered, LLM parses are refused rather than run unarbitrated.
    let arbiter: Option<Arc<OnceLock<(ArbiterClient, npu_arbiter::StreamHandle)>>> = if p.use_arbiter && llm.is_some() {
        let path = if p.arbiter_socket.is_empty() { npu_arbiter::default_socket_path() } else { p.arbiter_socket.clone().into() };
        let client = ArbiterClient::start(ClientConfig::new(Endpoint::Unix(path.clone()), &ros.name));
        let deadline = Duration::from_secs_f64(p.parse_deadline_s);
        let cost = llm_backend::grant_cost(&p.backend, deadline).as_nanos() as u64;
        let spec = StreamSpec::request(&format!("{}/llm", ros.name), "llm", Class::Command, Some(deadline.as_nanos() as u64), cost);
        let cell = Arc::new(OnceLock::new());
        let registered = cell.clone();
        tokio::spawn(async move {
            loop {
                match client.register_stream(spec.clone()).await {
                    Ok(stream) => {
                        tracing::info!(socket = %path.display(), "LLM stream registered at the arbiter");
                        let _ = registered.set((client, stream));
                        return;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, socket = %path.display(), "arbiter not reachable; LLM parses are refused until it is");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Some(cell)
    } else {
        None
    };

    let scene = Arc::new(Mutex::new(Scene::default()));
    let voice_depth = ros.params().voice_queue_depth as usize;
    let (cmd_pub, json_pub, mut voice, mut dets, mut dets_3d, mut labels, mut parse_srv, clock) = {
        let mut node = ros.node.lock().unwrap();
        (
            // As deep as the voice queue: a reliable writer keeps only its last `depth` answers
            // for a reader that has not acknowledged them yet, so a burst of answers to a slow
            // subscriber would lose the oldest, uncounted (the likely cause of a flood test that
            // got 298 of 300 answers under load).
            node.create_publisher::<RobotCommand>("robot_command", QosProfile::default().keep_last(voice_depth))?,
            node.create_publisher::<StringMsg>("robot_command_json", QosProfile::default().keep_last(voice_depth))?,
            // Every utterance gets an answer: none may be lost between DDS and this loop.
            ros.node.lossless("voice_command", node.subscribe::<StringMsg>("voice_command", QosProfile::default().keep_last(voice_depth))?),
            node.subscribe::<Detection2DArray>("detections", QosProfile::default().keep_last(1))?,
            node.subscribe::<Detection3DArray>("detections_3d", QosProfile::default().keep_last(10))?,
            node.subscribe::<LabelInfo>("label_info", latched_qos())?,
            ros.node.lossless("parse_command", node.create_service::<ParseCommand::Service>("parse_command", QosProfile::default())?),
            // Taken once: locking the node for it would wait for the spin thread's spin_once.
            node.get_ros_clock(),
        )
    };
    ros.spin();
    {
        let (scene, params) = (scene.clone(), ros.params.clone());
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    Some(l) = labels.next() => {
                        scene.lock().unwrap().labels = l.class_map.iter().map(|c| (c.class_id, c.class_name.clone())).collect();
                    }
                    Some(d) = dets.next() => {
                        let now = Instant::now();
                        let max_age = Duration::from_secs_f64(params.lock().unwrap().0.grounding_max_age_s);
                        let mut s = scene.lock().unwrap();
                        let seen: Vec<_> = d.detections.iter().filter_map(|det| {
                            let h = det.results.first()?;
                            let class = &h.hypothesis.class_id;
                            Some(command_grammar::Detection {
                                label: Scene::name_of(&s.labels, class).unwrap_or_else(|| class.clone()),
                                id: det.id.clone(),
                                score: h.hypothesis.score as f32,
                                box_area: (det.bbox.size_x * det.bbox.size_y) as f32,
                            })
                        }).collect();
                        s.world.forget_older_than(now, max_age);
                        s.world.observe(now, &seen);
                    }
                    Some(d) = dets_3d.next() => {
                        let now = Instant::now();
                        let mut s = scene.lock().unwrap();
                        for det in &d.detections {
                            let class = det.results.first().map(|h| h.hypothesis.class_id.clone()).unwrap_or_default();
                            let label = Scene::name_of(&s.labels, &class).unwrap_or(class);
                            let c = &det.bbox.center.position;
                            let at = command_grammar::Position {
                                xyz: [c.x, c.y, c.z],
                                frame_id: d.header.frame_id.clone(),
                                stamp: (d.header.stamp.sec, d.header.stamp.nanosec),
                            };
                            s.world.place(now, &det.id, &label, at);
                        }
                    }
                    else => break,
                }
            }
        });
    }
    tracing::info!(actions = vocab.actions().len(), llm = llm.is_some(), "ready for voice commands");

    // Bumped by every stop heard on `voice_command`; an LLM parse started under an older count
    // is cut off, and its result, should it finish first, is not published.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(0u64);
    let llm_busy = Arc::new(AtomicBool::new(false));
    // Publishers stay on this task; LLM results come back through this channel.
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel::<(String, u64, ReplyTo, Parse)>();
    // Validation is done by the caller; this grounds the target and builds both messages.
    let render = {
        let (scene, vocab, params) = (scene.clone(), vocab.clone(), ros.params.clone());
        move |cmd: Command| -> (RobotCommand, String) {
            let (min_score, max_age) = {
                let p = &params.lock().unwrap().0;
                (p.grounding_min_score, p.grounding_max_age_s)
            };
            let mut cmd = cmd;
            let mut s = scene.lock().unwrap();
            let Scene { labels, world } = &mut *s;
            world.relabel(|class| Scene::name_of(labels, class));
            cmd.ground_in(world, Instant::now(), Duration::from_secs_f64(max_age), min_score as f32);
            drop(s);
            let stamp = clock.lock().unwrap().get_now().map(|d| r2r::Clock::to_builtin_time(&d)).unwrap_or_default();
            (to_msg(&cmd, Header { stamp, frame_id: String::new() }), cmd.to_json(&vocab))
        }
    };
    let deliver = move |cmd: Command, to: ReplyTo| {
        let (msg, json) = render(cmd);
        match to {
            ReplyTo::Topics => {
                if let Err(e) = cmd_pub.publish(&msg) {
                    tracing::warn!(error = %e, "publishing robot_command failed");
                }
                let _ = json_pub.publish(&StringMsg { data: json.clone() });
                tracing::info!(%json, "command");
            }
            ReplyTo::Service(req) => {
                tracing::info!(%json, "parse_command reply (not published)");
                if let Err(e) = req.respond(ParseCommand::Response { command: msg }) {
                    tracing::warn!(error = %e, "answering parse_command failed");
                }
            }
        }
    };

    let shutdown = ros_edge::shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        let (text, reply_to) = tokio::select! {
            _ = &mut shutdown => break,
            Some((text, epoch, to, parse)) = done_rx.recv() => {
                let stopped = *stop_tx.borrow() != epoch;
                match (parse, to) {
                    (Parse::Done(cmd), ReplyTo::Topics) if stopped => {
                        tracing::info!(%text, action = %cmd.action,
                            "LLM result discarded: a stop was heard while it was being parsed");
                    }
                    (Parse::Done(cmd), to) => {
                        // Wrong is worse than unknown: an LLM answer the words do not support,
                        // or below the confidence floor, becomes `unknown` (both backends).
                        let floor = ros.params.lock().unwrap().0.min_llm_confidence as f32;
                        deliver(command_grammar::vet_llm_answer(&vocab, &text, vocab.finalize(cmd), floor), to)
                    }
                    (Parse::Aborted { generated }, ReplyTo::Topics) => {
                        tracing::info!(%text, generated, "LLM parse aborted by a stop; nothing published for it");
                    }
                    (Parse::Aborted { generated }, to) => {
                        tracing::info!(%text, generated, "LLM parse for parse_command aborted by a stop");
                        deliver(Command::unknown("aborted by a stop command", Source::Llm, &text), to);
                    }
                }
                continue;
            }
            m = voice.next() => match m { Some(m) => (m.data, ReplyTo::Topics), None => break },
            Some(req) = parse_srv.next() => (req.message.text.clone(), ReplyTo::Service(req)),
        };
        let received = Instant::now();
        match fast_path(&vocab, &text) {
            FastPathOutcome::Confident(c) | FastPathOutcome::Unknown(c) => {
                // A dry run must not stop the robot's current parse.
                if c.action == "stop" && matches!(reply_to, ReplyTo::Topics) {
                    stop_tx.send_modify(|e| *e += 1);
                }
                deliver(vocab.finalize(c), reply_to);
                tracing::debug!(us = received.elapsed().as_micros() as u64, "fast path");
            }
            FastPathOutcome::NeedsLlm { reason } => {
                let Some(llm) = llm.clone() else {
                    let c = Command::unknown(format!("not understood ({reason}); the LLM is off"), Source::FastPath, &text);
                    deliver(vocab.finalize(c), reply_to);
                    continue;
                };
                if arbiter.as_ref().is_some_and(|a| a.get().is_none()) {
                    let c = Command::unknown("the accelerator arbiter is not reachable yet; say it again", Source::FastPath, &text);
                    deliver(vocab.finalize(c), reply_to);
                    continue;
                }
                if llm_busy.swap(true, Ordering::AcqRel) {
                    deliver(vocab.finalize(Command::unknown("busy with the previous command; say it again", Source::FastPath, &text)), reply_to);
                    continue;
                }
                let epoch = *stop_tx.borrow();
                let (stops, busy, done, arbiter) = (stop_rx.clone(), llm_busy.clone(), done_tx.clone(), arbiter.clone());
                let rt = tokio::runtime::Handle::current();
                let (deadline, max_attempts) = {
                    let p = &ros.params.lock().unwrap().0;
                    (Duration::from_secs_f64(p.parse_deadline_s), p.hailo_max_attempts as u32)
                };
                tokio::spawn(async move {
                    let t = text.clone();
                    let result = llm
                        .call(move |backend| {
                            let arbiter = arbiter.as_deref().and_then(OnceLock::get);
                            backend.parse(ParseJob { text: &t, stops, epoch, arbiter, rt: &rt, deadline, max_attempts })
                        })
                        .await;
                    busy.store(false, Ordering::Release);
                    let parse = match result {
                        Ok(Ok(parse)) => parse,
                        Ok(Err(e)) | Err(e) => {
                            tracing::error!(error = %e, "LLM parse failed");
                            Parse::Done(Command::unknown("the language model failed", Source::Llm, &text))
                        }
                    };
                    let _ = done.send((text, epoch, reply_to, parse));
                });
            }
        }
    }
    Ok(())
}
