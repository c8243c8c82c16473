//! Coordinator host: `npu-arbiterd [--socket PATH] [--lease-ms N] [--status-ms N]`.
//! Started by the launch file before (or after) the nodes; nodes reconnect
//! until it is there.

use std::path::PathBuf;
use std::time::Duration;

use npu_arbiter::{Coordinator, CoordinatorConfig};

fn usage() -> ! {
    eprintln!("usage: npu-arbiterd [--socket PATH] [--lease-ms N] [--status-ms N]");
    std::process::exit(2)
}

fn main() {
    npu_arbiter::init_tracing();
    let mut cfg = CoordinatorConfig::default();
    let mut status_ms: Option<u64> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--socket" => cfg.socket_path = PathBuf::from(val()),
            "--lease-ms" => cfg.policy.lease_ns = val().parse::<u64>().unwrap_or_else(|_| usage()) * 1_000_000,
            "--status-ms" => status_ms = Some(val().parse().unwrap_or_else(|_| usage())),
            _ => usage(),
        }
    }
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("npu-arbiterd: cannot start runtime: {e}");
            std::process::exit(1);
        }
    };
    let res = rt.block_on(async move {
        let coord = Coordinator::bind(cfg)?;
        if let Some(ms) = status_ms {
            let engine = coord.engine();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(Duration::from_millis(ms.max(1)));
                loop {
                    tick.tick().await;
                    match engine.status().await {
                        Ok(s) => match serde_json::to_string(&s) {
                            Ok(j) => println!("{j}"),
                            Err(e) => tracing::warn!(error = %e, "status serialization failed"),
                        },
                        Err(_) => return,
                    }
                }
            });
        }
        coord.run().await
    });
    if let Err(e) = res {
        eprintln!("npu-arbiterd: {e}");
        std::process::exit(1);
    }
}
