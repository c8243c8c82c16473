//! Client API behaviour through a real engine (in-process and socket).

use std::time::Duration;

use npu_arbiter::{
    ArbiterClient, ArbiterError, Class, ClientConfig, Coordinator, CoordinatorConfig, DropReason, Endpoint,
    EngineHandle, JobOutcome, JobSpec, MonotonicClock, PolicyConfig, RejectReason, StepHint, StreamSpec,
};

const MS: u64 = 1_000_000;
const T: Duration = Duration::from_secs(10);

fn engine() -> Endpoint {
    Endpoint::InProcess(EngineHandle::spawn(PolicyConfig::default(), MonotonicClock))
}

async fn client(ep: &Endpoint, name: &str) -> ArbiterClient {
    ArbiterClient::connect(ClientConfig::new(ep.clone(), name)).await.unwrap()
}

#[tokio::test]
async fn dropping_a_grant_releases_the_device_at_once() {
    let ep = engine();
    let a = client(&ep, "a").await;
    let b = client(&ep, "b").await;
    let sa = a.register_stream(StreamSpec::request("x", "m", Class::Vision, None, MS)).await.unwrap();
    let sb = b.register_stream(StreamSpec::request("y", "m", Class::Vision, None, MS)).await.unwrap();
    let ga = a.submit(&sa, JobSpec::default()).await.unwrap().wait_grant().await.unwrap();
    let pb = b.submit(&sb, JobSpec::default()).await.unwrap();
    // A node that panics mid-inference drops its grant; the default lease is
    // 2 s, so getting the device well before that proves the release.
    drop(ga);
    let gb =
        tokio::time::timeout(Duration::from_millis(1000), pb.wait_grant()).await.expect("device not released").unwrap();
    assert_eq!(gb.finish(Duration::from_millis(1)).await.unwrap(), JobOutcome::Completed { late: false });
    let snap = b.status().await.unwrap();
    assert_eq!(snap.drops.cancelled, 1);
}

#[tokio::test]
async fn admission_rejection_and_supersede_carry_reasons() {
    let ep = engine();
    let holder = client(&ep, "holder").await;
    let node = client(&ep, "node").await;
    let hs = holder.register_stream(StreamSpec::request("h", "big", Class::Command, None, MS)).await.unwrap();
    let mut req = StreamSpec::request("req", "m", Class::Vision, None, MS);
    req.queue_capacity = 1;
    let rs = node.register_stream(req).await.unwrap();
    let cam = node.register_stream(StreamSpec::periodic("cam", "m", Class::Vision, 1000 * MS, MS)).await.unwrap();
    let g = holder.submit(&hs, JobSpec::default()).await.unwrap().wait_grant().await.unwrap();

    let _first = node.submit(&rs, JobSpec::default()).await.unwrap();
    match node.submit(&rs, JobSpec::default()).await {
        Err(ArbiterError::Rejected(RejectReason::StreamQueueFull { capacity: 1 })) => {}
        other => panic!("expected StreamQueueFull, got {:?}", other.map(|p| p.id())),
    }
    let old = node.submit(&cam, JobSpec::default()).await.unwrap();
    let new = node.submit(&cam, JobSpec::default()).await.unwrap();
    match old.wait_grant().await {
        Err(ArbiterError::Dropped(DropReason::Superseded)) => {}
        other => panic!("expected superseded, got {:?}", other.map(|g| g.job())),
    }
    g.finish(Duration::from_millis(1)).await.unwrap();
    // Vision frame (deadline 1 s) is EDF-first among the two vision jobs.
    let gn = tokio::time::timeout(T, new.wait_grant()).await.unwrap().unwrap();
    gn.finish(Duration::from_millis(1)).await.unwrap();
    let snap = node.status().await.unwrap();
    let me = snap.clients.iter().find(|c| c.name.starts_with("node")).unwrap();
    assert_eq!(me.rejected, 1);
    assert_eq!(me.drops.superseded, 1);
    assert_eq!(me.streams.len(), 2);
}

#[tokio::test]
async fn llm_steps_let_a_vision_frame_through() {
    let ep = engine();
    let llm = client(&ep, "llm").await;
    let cam = client(&ep, "cam").await;
    let ls = llm
        .register_stream(StreamSpec::request("parse", "qwen", Class::Command, Some(3000 * MS), 20 * MS))
        .await
        .unwrap();
    let cs =
        cam.register_stream(StreamSpec::periodic("cam0", "yolov8n", Class::Vision, 200 * MS, 3 * MS)).await.unwrap();
    let spec = JobSpec { next_step_cost_ns: Some(20 * MS), remaining_cost_ns: Some(60 * MS), ..Default::default() };
    let step0 = llm.submit(&ls, spec).await.unwrap().wait_grant().await.unwrap();
    assert_eq!(step0.step(), 0);
    // Frame arrives while the LLM holds the device.
    let frame = cam.submit(&cs, JobSpec::default()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let next = step0
        .finish_step(
            Duration::from_millis(20),
            StepHint { next_step_cost_ns: Some(20 * MS), remaining_cost_ns: Some(40 * MS) },
        )
        .await
        .unwrap();
    // The frame gets the device between the steps: the command has slack.
    let fg = tokio::time::timeout(T, frame.wait_grant()).await.unwrap().unwrap();
    assert!(llm.status().await.unwrap().holder.is_some_and(|h| h.model == "yolov8n"));
    fg.finish(Duration::from_millis(3)).await.unwrap();
    let step1 = tokio::time::timeout(T, next.wait_grant()).await.unwrap().unwrap();
    assert_eq!(step1.step(), 1);
    let step2 = step1
        .finish_step(
            Duration::from_millis(20),
            StepHint { next_step_cost_ns: Some(20 * MS), remaining_cost_ns: Some(20 * MS) },
        )
        .await
        .unwrap();
    let last = tokio::time::timeout(T, step2.wait_grant()).await.unwrap().unwrap();
    assert_eq!(last.step(), 2);
    assert_eq!(last.finish(Duration::from_millis(20)).await.unwrap(), JobOutcome::Completed { late: false });
}

#[tokio::test]
async fn client_started_before_the_coordinator_joins_it() {
    let path = std::env::temp_dir().join(format!(
        "npu_arbiter_late_{}_{}.sock",
        std::process::id(),
        npu_arbiter::monotonic_ns()
    ));
    let mut cfg = ClientConfig::new(Endpoint::Unix(path.clone()), "early");
    cfg.reconnect_max = Duration::from_millis(50);
    let c = ArbiterClient::start(cfg);
    assert!(!c.is_connected());
    let reg = {
        let c = c.clone();
        tokio::spawn(async move { c.register_stream(StreamSpec::request("s", "m", Class::Vision, None, MS)).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let coord =
        Coordinator::bind(CoordinatorConfig { socket_path: path.clone(), policy: PolicyConfig::default() }).unwrap();
    // A second host on the same path must refuse, not steal the socket.
    match Coordinator::bind(CoordinatorConfig { socket_path: path.clone(), policy: PolicyConfig::default() }) {
        Err(ArbiterError::AlreadyRunning(_)) => {}
        Err(e) => panic!("expected AlreadyRunning, got {e}"),
        Ok(_) => panic!("expected AlreadyRunning, got a second coordinator"),
    }
    let server = tokio::spawn(coord.run());
    let s = tokio::time::timeout(T, reg).await.unwrap().unwrap().unwrap();
    let g = c.submit(&s, JobSpec::default()).await.unwrap().wait_grant().await.unwrap();
    assert_eq!(g.finish(Duration::from_millis(1)).await.unwrap(), JobOutcome::Completed { late: false });
    server.abort();
    let _ = std::fs::remove_file(&path);
    let mut lock = path.into_os_string();
    lock.push(".lock");
    let _ = std::fs::remove_file(lock);
}
