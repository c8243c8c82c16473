//! Runs the `tracker` crate on MOTChallenge detections, or times it.
//!
//!   track_eval --dets DETS.txt --out RESULTS.txt [tracker options]
//!       DETS: `frame,id,x,y,w,h,conf,...` per line (id ignored, frames from 1). RESULTS:
//!       `frame,id,x,y,w,h,conf,-1,-1,-1` for every detection assigned to a confirmed track,
//!       with the detection's own box.
//!   track_eval --cost [--objects 50] [--frames 2000] [--seed 1] [--dump-dets FILE] [--json PATH]
//!       Times `Tracker::update` per frame on generated moving boxes (some missed, scores spread
//!       over both association stages) and prints p50/p99 as JSON. `--dump-dets` writes the same
//!       frames as MOT detections, so a reference tracker can be timed on identical input.
//!
//! Tracker options: --high --low --new --match-iou --low-match-iou --tentative-match-iou
//! --lost --min-hits --tentative-misses --no-first-frame --no-fuse (defaults: `TrackerConfig::default()`).

use anyhow::{Context, Result, bail};
use rand::{Rng, SeedableRng, rngs::StdRng};
use std::collections::BTreeMap;
use std::io::Write;
use std::time::Instant;
use tracker::{Detection, Tracker, TrackerConfig};

struct Args {
    dets: Option<String>,
    out: Option<String>,
    cost: bool,
    objects: usize,
    frames: usize,
    seed: u64,
    dump: Option<String>,
    json: Option<String>,
    cfg: TrackerConfig,
}

fn parse() -> Result<Args> {
    let mut a = Args {
        dets: None,
        out: None,
        cost: false,
        objects: 50,
        frames: 2000,
        seed: 1,
        dump: None,
        json: None,
        cfg: TrackerConfig::default(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut val = || it.next().with_context(|| format!("{k} needs a value"));
        match k.as_str() {
            "--dets" => a.dets = Some(val()?),
            "--out" => a.out = Some(val()?),
            "--cost" => a.cost = true,
            "--objects" => a.objects = val()?.parse()?,
            "--frames" => a.frames = val()?.parse()?,
            "--seed" => a.seed = val()?.parse()?,
            "--dump-dets" => a.dump = Some(val()?),
            "--json" => a.json = Some(val()?),
            "--high" => a.cfg.high_threshold = val()?.parse()?,
            "--low" => a.cfg.low_threshold = val()?.parse()?,
            "--new" => a.cfg.new_track_threshold = val()?.parse()?,
            "--match-iou" => a.cfg.match_iou = val()?.parse()?,
            "--low-match-iou" => a.cfg.low_match_iou = val()?.parse()?,
            "--tentative-match-iou" => a.cfg.tentative_match_iou = val()?.parse()?,
            "--lost" => a.cfg.lost_buffer_frames = val()?.parse()?,
            "--min-hits" => a.cfg.min_hits = val()?.parse()?,
            "--tentative-misses" => a.cfg.tentative_miss_frames = val()?.parse()?,
            "--no-first-frame" => a.cfg.confirm_first_frame = false,
            "--no-fuse" => a.cfg.fuse_score = false,
            "-h" | "--help" => {
                println!("see the header of bench/track_eval/src/main.rs");
                std::process::exit(0);
            }
            _ => bail!("unknown argument {k}"),
        }
    }
    a.cfg.validate()?;
    Ok(a)
}

/// Detections per frame (1-based), every frame from 1 to the last one present.
fn read_mot(path: &str) -> Result<Vec<Vec<Detection>>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {path}"))?;
    let mut by_frame: BTreeMap<usize, Vec<Detection>> = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let f: Vec<f32> = line
            .split(',')
            .take(7)
            .map(|s| s.trim().parse::<f32>())
            .collect::<Result<_, _>>()
            .with_context(|| format!("{path}:{}: not a MOT line", n + 1))?;
        if f.len() < 7 || f[0] < 1.0 {
            bail!(
                "{path}:{}: need frame,id,x,y,w,h,conf with frame >= 1",
                n + 1
            );
        }
        let bbox = [f[2], f[3], f[2] + f[4], f[3] + f[5]];
        by_frame.entry(f[0] as usize).or_default().push(Detection {
            bbox,
            score: f[6],
            class_id: 0,
        });
    }
    let last = by_frame.keys().next_back().copied().unwrap_or(0);
    Ok((1..=last)
        .map(|f| by_frame.remove(&f).unwrap_or_default())
        .collect())
}

fn track_file(a: &Args) -> Result<()> {
    let (dets, out) = (
        a.dets.as_deref().unwrap(),
        a.out.as_deref().context("--out is needed")?,
    );
    let frames = read_mot(dets)?;
    let mut t = Tracker::new(a.cfg.clone())?;
    let mut w = std::io::BufWriter::new(
        std::fs::File::create(out).with_context(|| format!("creating {out}"))?,
    );
    for (i, ds) in frames.iter().enumerate() {
        for (d, id) in ds.iter().zip(t.update(ds)) {
            if let Some(id) = id {
                let [x1, y1, x2, y2] = d.bbox;
                writeln!(
                    w,
                    "{},{id},{x1},{y1},{},{},{},-1,-1,-1",
                    i + 1,
                    x2 - x1,
                    y2 - y1,
                    d.score
                )?;
            }
        }
    }
    w.flush()?;
    if t.skipped_detections() > 0 {
        eprintln!(
            "track_eval: {} detections skipped (not finite or empty)",
            t.skipped_detections()
        );
    }
    Ok(())
}

/// `n` boxes moving at constant velocity in a 1920x1080 image, bouncing off its edges; each is
/// missed in 5 % of the frames; scores spread from 0.2 to 1 so both stages have work.
fn moving_boxes(n: usize, frames: usize, seed: u64) -> Vec<Vec<Detection>> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut obj: Vec<[f32; 6]> = (0..n)
        .map(|_| {
            let (w, h) = (rng.gen_range(30.0..120.0), rng.gen_range(60.0..240.0));
            [
                rng.gen_range(0.0..1920.0 - w),
                rng.gen_range(0.0..1080.0 - h),
                w,
                h,
                rng.gen_range(-6.0..6.0),
                rng.gen_range(-4.0..4.0),
            ]
        })
        .collect();
    (0..frames)
        .map(|_| {
            let mut ds = Vec::with_capacity(n);
            for o in obj.iter_mut() {
                let [x, y, w, h, vx, vy] = *o;
                let (mut vx, mut vy) = (vx, vy);
                if x + vx < 0.0 || x + vx + w > 1920.0 {
                    vx = -vx;
                }
                if y + vy < 0.0 || y + vy + h > 1080.0 {
                    vy = -vy;
                }
                *o = [x + vx, y + vy, w, h, vx, vy];
                if rng.gen_bool(0.05) {
                    continue;
                }
                let j = |r: &mut StdRng| r.gen_range(-2.0f32..2.0);
                let (x1, y1) = (o[0] + j(&mut rng), o[1] + j(&mut rng));
                let score = rng.gen_range(0.2..1.0);
                ds.push(Detection {
                    bbox: [x1, y1, x1 + w, y1 + h],
                    score,
                    class_id: 0,
                });
            }
            ds
        })
        .collect()
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn cost(a: &Args) -> Result<()> {
    let frames = moving_boxes(a.objects, a.frames, a.seed);
    if let Some(p) = &a.dump {
        let mut w = std::io::BufWriter::new(std::fs::File::create(p)?);
        for (i, ds) in frames.iter().enumerate() {
            for d in ds {
                let [x1, y1, x2, y2] = d.bbox;
                writeln!(
                    w,
                    "{},-1,{x1},{y1},{},{},{},-1,-1,-1",
                    i + 1,
                    x2 - x1,
                    y2 - y1,
                    d.score
                )?;
            }
        }
        w.flush()?;
    }
    let mut t = Tracker::new(a.cfg.clone())?;
    let mut ms = Vec::with_capacity(frames.len());
    for ds in &frames {
        let t0 = Instant::now();
        let ids = t.update(ds);
        ms.push(t0.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(ids);
    }
    let tracked = t.tracks().count();
    ms.sort_by(f64::total_cmp);
    let doc = serde_json::json!({
        "objects": a.objects, "frames": frames.len(), "seed": a.seed,
        "p50_ms": percentile(&ms, 0.5), "p99_ms": percentile(&ms, 0.99),
        "max_ms": ms.last().copied().unwrap_or(0.0), "confirmed_tracks_at_end": tracked,
    });
    println!("{doc}");
    if let Some(p) = &a.json {
        std::fs::write(p, doc.to_string())?;
    }
    Ok(())
}

fn main() -> Result<()> {
    let a = parse()?;
    if a.cost {
        cost(&a)
    } else if a.dets.is_some() {
        track_file(&a)
    } else {
        bail!("give --dets FILE --out FILE, or --cost (see --help)")
    }
}
