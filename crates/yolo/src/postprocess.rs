//! Decoding of raw Ultralytics YOLOv8/YOLO11 head outputs, NMS, and mapping back to the original image.
//!
//! Mirrors `ultralytics.utils.nms.non_max_suppression` (single-label, `max_nms=30000`, `max_wh=7680`)
//! followed by `scale_boxes` / `scale_coords` and clipping, so results can be compared with
//! `YOLO(...).predict()` on the same ONNX file.

use crate::{Letterbox, YoloError};

/// Ultralytics offsets boxes by `class * MAX_WH` so one NMS pass never suppresses across classes.
pub const MAX_WH: f32 = 7680.0;
/// Ultralytics caps the number of boxes entering NMS.
pub const MAX_NMS: usize = 30_000;

#[derive(Debug, Clone, PartialEq)]
pub struct DetectConfig {
    /// Keep candidates whose best class score is strictly greater than this (Ultralytics `conf`, 0.25).
    pub conf_threshold: f32,
    /// Suppress a box whose IoU with a higher-scoring kept box is strictly greater than this
    /// (Ultralytics `iou`; its predict default is 0.7).
    pub iou_threshold: f32,
    /// Keep at most this many boxes after NMS (Ultralytics `max_det`, 300).
    pub max_det: usize,
    /// Keep only these class ids (applied to the best class, as Ultralytics does). `None` keeps all.
    pub classes: Option<Vec<usize>>,
    /// Class-agnostic NMS.
    pub agnostic: bool,
    /// One candidate per (box, class) pair above the threshold instead of per box, as
    /// Ultralytics `val` does (its `multi_label=True`); predict keeps the best class only.
    pub multi_label: bool,
}

impl Default for DetectConfig {
    fn default() -> Self {
        Self { conf_threshold: 0.25, iou_threshold: 0.7, max_det: 300, classes: None, agnostic: false, multi_label: false }
    }
}

/// Axis-aligned box, corners in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    pub x1: f32,
    pub y1: f32,
    pub x2: f32,
    pub y2: f32,
}

impl BBox {
    pub fn from_cxcywh(cx: f32, cy: f32, w: f32, h: f32) -> Self {
        let (dw, dh) = (w / 2.0, h / 2.0);
        Self { x1: cx - dw, y1: cy - dh, x2: cx + dw, y2: cy + dh }
    }
    pub fn width(&self) -> f32 {
        self.x2 - self.x1
    }
    pub fn height(&self) -> f32 {
        self.y2 - self.y1
    }
    pub fn area(&self) -> f32 {
        self.width() * self.height()
    }
    /// Intersection over union, computed as torchvision's CPU `nms` kernel does.
    pub fn iou(&self, o: &BBox) -> f32 {
        let w = (self.x2.min(o.x2) - self.x1.max(o.x1)).max(0.0);
        let h = (self.y2.min(o.y2) - self.y1.max(o.y1)).max(0.0);
        let inter = w * h;
        let union = self.area() + o.area() - inter;
        if union <= 0.0 {
            0.0
        } else {
            inter / union
        }
    }
    fn offset(&self, d: f32) -> Self {
        Self { x1: self.x1 + d, y1: self.y1 + d, x2: self.x2 + d, y2: self.y2 + d }
    }
    fn unmap_clip(&self, lb: &Letterbox) -> Self {
        let (w, h) = (lb.orig_w as f32, lb.orig_h as f32);
        Self {
            x1: lb.unmap_x(self.x1).clamp(0.0, w),
            y1: lb.unmap_y(self.y1).clamp(0.0, h),
            x2: lb.unmap_x(self.x2).clamp(0.0, w),
            y2: lb.unmap_y(self.y2).clamp(0.0, h),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// In original-image pixels, clipped to the image.
    pub bbox: BBox,
    pub score: f32,
    pub class_id: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Keypoint {
    /// Original-image pixels, clipped to the image.
    pub x: f32,
    pub y: f32,
    /// Visibility/confidence (already sigmoid in the exported head). 0 if the model has no third value.
    pub score: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PoseDetection {
    pub bbox: BBox,
    pub score: f32,
    pub keypoints: Vec<Keypoint>,
}

/// Greedy NMS with torchvision semantics: boxes visited in descending score order, a box is dropped if
/// its IoU with an already kept box is strictly greater than `iou_threshold`.
/// Returns indices into `boxes` of the kept boxes, highest score first.
pub fn nms(boxes: &[BBox], scores: &[f32], iou_threshold: f32) -> Vec<usize> {
    let n = boxes.len().min(scores.len());
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut suppressed = vec![false; n];
    let mut keep = Vec::new();
    for (oi, &i) in order.iter().enumerate() {
        if suppressed[i] {
            continue;
        }
        keep.push(i);
        for &j in &order[oi + 1..] {
            if !suppressed[j] && boxes[i].iou(&boxes[j]) > iou_threshold {
                suppressed[j] = true;
            }
        }
    }
    keep
}

/// Check a `[1, C, N]` output and return `(C, N)`.
fn check_shape(data: &[f32], shape: &[usize], expected_c: usize) -> Result<(usize, usize), YoloError> {
    let bad = || YoloError::BadOutputShape { shape: shape.to_vec(), expected_channels: expected_c, data_len: data.len() };
    let [b, c, n] = shape else { return Err(bad()) };
    if *b != 1 || *c != expected_c || c.checked_mul(*n) != Some(data.len()) {
        return Err(bad());
    }
    Ok((*c, *n))
}

struct Candidate {
    anchor: usize,
    score: f32,
    class_id: usize,
}

/// Score filter, class filter, top-`MAX_NMS`, class-offset NMS, `max_det`. Returns kept candidates with
/// their (un-offset) boxes in model-input pixels.
fn select(data: &[f32], n: usize, score_rows: std::ops::Range<usize>, cfg: &DetectConfig) -> Vec<(Candidate, BBox)> {
    // Class-major scan: the tensor is [C, N], so walking each class row contiguously keeps the 80x8400
    // pass in cache (anchor-major access strides 33 KB per read and is ~10x slower).
    let mut best = vec![(f32::NEG_INFINITY, 0usize); n];
    let multi = cfg.multi_label && score_rows.len() > 1;
    for (k, c) in score_rows.clone().enumerate() {
        for (b, &s) in best.iter_mut().zip(&data[c * n..(c + 1) * n]) {
            // Strict '>' keeps the first maximum on ties, like torch.max on CPU.
            if s > b.0 {
                *b = (s, k);
            }
        }
    }
    let mut cands = Vec::new();
    if multi {
        // Boxes whose best score passes (Ultralytics' `xc`), then every passing class of each,
        // in (box, class) order as torch.where yields them.
        for (a, &(best_score, _)) in best.iter().enumerate() {
            #[allow(clippy::neg_cmp_op_on_partial_ord)]
            if !(best_score > cfg.conf_threshold) {
                continue;
            }
            for (k, c) in score_rows.clone().enumerate() {
                let score = data[c * n + a];
                if score > cfg.conf_threshold && cfg.classes.as_ref().is_none_or(|cl| cl.contains(&k)) {
                    cands.push(Candidate { anchor: a, score, class_id: k });
                }
            }
        }
    }
    for (a, &(score, class_id)) in best.iter().enumerate().filter(|_| !multi) {
        // Written as a negated '>' on purpose: a NaN score must be dropped, as `>` does in torch.
        #[allow(clippy::neg_cmp_op_on_partial_ord)]
        if !(score > cfg.conf_threshold) {
            continue;
        }
        if let Some(cl) = &cfg.classes {
            if !cl.contains(&class_id) {
                continue;
            }
        }
        cands.push(Candidate { anchor: a, score, class_id });
    }
    if cands.len() > MAX_NMS {
        cands.sort_by(|a, b| b.score.total_cmp(&a.score));
        cands.truncate(MAX_NMS);
    }
    let boxes: Vec<BBox> = cands
        .iter()
        .map(|c| BBox::from_cxcywh(data[c.anchor], data[n + c.anchor], data[2 * n + c.anchor], data[3 * n + c.anchor]))
        .collect();
    let offset: Vec<BBox> = boxes
        .iter()
        .zip(&cands)
        .map(|(b, c)| if cfg.agnostic { *b } else { b.offset(c.class_id as f32 * MAX_WH) })
        .collect();
    let scores: Vec<f32> = cands.iter().map(|c| c.score).collect();
    let keep = nms(&offset, &scores, cfg.iou_threshold);
    let mut cands: Vec<Option<Candidate>> = cands.into_iter().map(Some).collect();
    keep.into_iter()
        .take(cfg.max_det)
        .filter_map(|i| cands[i].take().map(|c| (c, boxes[i])))
        .collect()
}

/// Decode a detect head output `[1, 4 + num_classes, N]` (cx, cy, w, h in model-input pixels, then
/// per-class scores already passed through sigmoid).
pub fn decode_detect(
    output: &[f32],
    shape: &[usize],
    num_classes: usize,
    lb: &Letterbox,
    cfg: &DetectConfig,
) -> Result<Vec<Detection>, YoloError> {
    let _span = tracing::trace_span!("decode_detect").entered();
    let (_, n) = check_shape(output, shape, 4 + num_classes)?;
    Ok(select(output, n, 4..4 + num_classes, cfg)
        .into_iter()
        .map(|(c, b)| Detection { bbox: b.unmap_clip(lb), score: c.score, class_id: c.class_id })
        .collect())
}

/// Decode a pose head output `[1, 4 + 1 + K*D, N]`: box, person score, then K keypoints of
/// `D` values (x, y[, visibility]) interleaved per keypoint.
pub fn decode_pose(
    output: &[f32],
    shape: &[usize],
    kpt_shape: [usize; 2],
    lb: &Letterbox,
    cfg: &DetectConfig,
) -> Result<Vec<PoseDetection>, YoloError> {
    let _span = tracing::trace_span!("decode_pose").entered();
    let [k, d] = kpt_shape;
    if k == 0 || !(d == 2 || d == 3) {
        return Err(YoloError::BadKptShape(kpt_shape));
    }
    let (_, n) = check_shape(output, shape, 5 + k * d)?;
    let (w, h) = (lb.orig_w as f32, lb.orig_h as f32);
    Ok(select(output, n, 4..5, cfg)
        .into_iter()
        .map(|(c, b)| {
            let a = c.anchor;
            let keypoints = (0..k)
                .map(|j| {
                    let row = 5 + j * d;
                    Keypoint {
                        x: lb.unmap_x(output[row * n + a]).clamp(0.0, w),
                        y: lb.unmap_y(output[(row + 1) * n + a]).clamp(0.0, h),
                        score: if d == 3 { output[(row + 2) * n + a] } else { 0.0 },
                    }
                })
                .collect();
            PoseDetection { bbox: b.unmap_clip(lb), score: c.score, keypoints }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bb(x1: f32, y1: f32, x2: f32, y2: f32) -> BBox {
        BBox { x1, y1, x2, y2 }
    }

    #[test]
    fn multi_label_keeps_every_passing_class_of_a_box() {
        // Two anchors, three classes; [C=7, N=2] class-major.
        let lb = Letterbox::new(640, 640, 640, 640).unwrap();
        #[rustfmt::skip]
        let data = vec![
            100.0, 300.0, // cx
            100.0, 300.0, // cy
            50.0, 50.0,   // w
            50.0, 50.0,   // h
            0.9, 0.1,     // class 0
            0.6, 0.05,    // class 1
            0.1, 0.2,     // class 2
        ];
        let one = DetectConfig { conf_threshold: 0.15, ..Default::default() };
        let d = decode_detect(&data, &[1, 7, 2], 3, &lb, &one).unwrap();
        assert_eq!(d.iter().map(|d| d.class_id).collect::<Vec<_>>(), vec![0, 2]);
        let multi = DetectConfig { multi_label: true, ..one };
        let d = decode_detect(&data, &[1, 7, 2], 3, &lb, &multi).unwrap();
        let mut got: Vec<(usize, f32)> = d.iter().map(|d| (d.class_id, d.score)).collect();
        got.sort_by(|a, b| b.1.total_cmp(&a.1));
        assert_eq!(got, vec![(0, 0.9), (1, 0.6), (2, 0.2)]);
    }

    #[test]
    fn iou_basics() {
        let a = bb(0.0, 0.0, 10.0, 10.0);
        assert_eq!(a.iou(&a), 1.0);
        assert_eq!(a.iou(&bb(20.0, 20.0, 30.0, 30.0)), 0.0);
        // half overlap: inter 50, union 150
        assert!((a.iou(&bb(5.0, 0.0, 15.0, 10.0)) - 1.0 / 3.0).abs() < 1e-6);
        // degenerate boxes never divide by zero
        assert_eq!(bb(1.0, 1.0, 1.0, 1.0).iou(&bb(1.0, 1.0, 1.0, 1.0)), 0.0);
    }

    #[test]
    fn nms_suppresses_only_above_threshold() {
        let boxes = [bb(0.0, 0.0, 10.0, 10.0), bb(5.0, 0.0, 15.0, 10.0), bb(1.0, 0.0, 11.0, 10.0), bb(50.0, 50.0, 60.0, 60.0)];
        let scores = [0.9, 0.8, 0.95, 0.1];
        // box2 (0.95) vs box0: IoU 9/11 = 0.818 -> suppressed at 0.7; box1 vs box2: IoU 6/14=0.43 -> kept
        assert_eq!(nms(&boxes, &scores, 0.7), vec![2, 1, 3]);
        // Exactly-equal IoU is not suppressed (strict >): box1 vs box0 IoU = 1/3
        assert_eq!(nms(&boxes[..2], &scores[..2], 1.0 / 3.0), vec![0, 1]);
        assert_eq!(nms(&boxes[..2], &scores[..2], 0.33), vec![0]);
        assert!(nms(&[], &[], 0.5).is_empty());
    }

    #[test]
    fn nms_chain_is_greedy_not_transitive() {
        // a overlaps b, b overlaps c, a does not overlap c: a kept, b suppressed, c kept.
        let boxes = [bb(0.0, 0.0, 10.0, 10.0), bb(3.0, 0.0, 13.0, 10.0), bb(6.0, 0.0, 16.0, 10.0)];
        assert_eq!(nms(&boxes, &[0.9, 0.8, 0.7], 0.5), vec![0, 2]);
    }

    /// Build a `[1, C, N]` tensor from per-anchor rows.
    fn tensor(rows: &[Vec<f32>]) -> (Vec<f32>, Vec<usize>) {
        let n = rows.len();
        let c = rows[0].len();
        let mut t = vec![0.0; c * n];
        for (a, r) in rows.iter().enumerate() {
            for (ch, v) in r.iter().enumerate() {
                t[ch * n + a] = *v;
            }
        }
        (t, vec![1, c, n])
    }

    fn identity_lb() -> Letterbox {
        Letterbox::new(640, 640, 640, 640).unwrap()
    }

    #[test]
    fn decode_detect_class_aware_vs_agnostic() {
        // Two strongly overlapping boxes of different classes, one weak box, 3 classes.
        let (t, s) = tensor(&[
            vec![100.0, 100.0, 50.0, 50.0, 0.9, 0.1, 0.0],
            vec![102.0, 100.0, 50.0, 50.0, 0.1, 0.8, 0.0],
            vec![300.0, 300.0, 20.0, 20.0, 0.0, 0.0, 0.25], // exactly at threshold: dropped (strict >)
        ]);
        let lb = identity_lb();
        let d = decode_detect(&t, &s, 3, &lb, &DetectConfig::default()).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!((d[0].class_id, d[1].class_id), (0, 1));
        assert_eq!(d[0].bbox, bb(75.0, 75.0, 125.0, 125.0));
        let ag = DetectConfig { agnostic: true, ..Default::default() };
        let d = decode_detect(&t, &s, 3, &lb, &ag).unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].score, 0.9);
    }

    #[test]
    fn decode_detect_class_filter_uses_best_class_and_max_det() {
        let (t, s) = tensor(&[
            vec![100.0, 100.0, 10.0, 10.0, 0.9, 0.5],
            vec![200.0, 200.0, 10.0, 10.0, 0.3, 0.6],
            vec![300.0, 300.0, 10.0, 10.0, 0.1, 0.7],
        ]);
        let lb = identity_lb();
        let only1 = DetectConfig { classes: Some(vec![1]), ..Default::default() };
        let d = decode_detect(&t, &s, 2, &lb, &only1).unwrap();
        // anchor 0's best class is 0, so it is dropped even though its class-1 score is 0.5
        assert_eq!(d.iter().map(|d| d.score).collect::<Vec<_>>(), vec![0.7, 0.6]);
        let top1 = DetectConfig { max_det: 1, ..Default::default() };
        assert_eq!(decode_detect(&t, &s, 2, &lb, &top1).unwrap().len(), 1);
    }

    #[test]
    fn decode_maps_back_and_clips() {
        // bus.jpg geometry: 810x1080 -> gain 640/1080, pad x 80
        let lb = Letterbox::new(810, 1080, 640, 640).unwrap();
        let g = lb.gain as f32;
        let (t, s) = tensor(&[
            vec![80.0 + 100.0 * g, 200.0 * g, 40.0 * g, 60.0 * g, 0.9],
            // extends past the left pad and the top: must clip to 0
            vec![80.0, 5.0, 40.0, 40.0, 0.8],
        ]);
        let d = decode_detect(&t, &s, 1, &lb, &DetectConfig::default()).unwrap();
        let b = d[0].bbox;
        for (got, want) in [(b.x1, 80.0), (b.y1, 170.0), (b.x2, 120.0), (b.y2, 230.0)] {
            assert!((got - want).abs() < 1e-3, "{got} vs {want}");
        }
        assert_eq!((d[1].bbox.x1, d[1].bbox.y1), (0.0, 0.0));
        assert!(d[1].bbox.x2 > 0.0);
    }

    #[test]
    fn decode_rejects_bad_shapes() {
        let lb = identity_lb();
        let cfg = DetectConfig::default();
        let t = vec![0.0; 84 * 10];
        assert!(decode_detect(&t, &[1, 84, 10], 80, &lb, &cfg).is_ok());
        assert!(matches!(decode_detect(&t, &[1, 84, 10], 79, &lb, &cfg), Err(YoloError::BadOutputShape { .. })));
        assert!(matches!(decode_detect(&t, &[2, 42, 10], 38, &lb, &cfg), Err(YoloError::BadOutputShape { .. })));
        assert!(matches!(decode_detect(&t[..10], &[1, 84, 10], 80, &lb, &cfg), Err(YoloError::BadOutputShape { .. })));
        assert!(matches!(decode_detect(&t, &[84, 10], 80, &lb, &cfg), Err(YoloError::BadOutputShape { .. })));
        assert!(matches!(decode_pose(&t, &[1, 84, 10], [17, 3], &lb, &cfg), Err(YoloError::BadOutputShape { .. })));
        assert!(matches!(decode_pose(&t, &[1, 84, 10], [17, 4], &lb, &cfg), Err(YoloError::BadKptShape(_))));
    }

    #[test]
    fn decode_pose_keypoints() {
        let lb = Letterbox::new(1280, 720, 640, 640).unwrap(); // gain 0.5, pad y 140
        let mut a = vec![320.0, 320.0, 100.0, 200.0, 0.9];
        let mut b = vec![322.0, 320.0, 100.0, 200.0, 0.5]; // overlaps a -> suppressed
        for j in 0..17 {
            a.extend([300.0 + j as f32, 140.0 + 2.0 * j as f32, 0.1 * (j % 10) as f32]);
            b.extend([0.0, 0.0, 0.0]);
        }
        let (t, s) = tensor(&[a, b]);
        let p = decode_pose(&t, &s, [17, 3], &lb, &DetectConfig::default()).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].keypoints.len(), 17);
        let k3 = p[0].keypoints[3];
        assert!((k3.x - 606.0).abs() < 1e-3 && (k3.y - 12.0).abs() < 1e-3, "{k3:?}");
        assert!((k3.score - 0.3).abs() < 1e-6);
        let b = p[0].bbox;
        assert!((b.x1 - 540.0).abs() < 1e-3 && (b.y1 - 160.0).abs() < 1e-3 && (b.y2 - 560.0).abs() < 1e-3, "{b:?}");
    }
}
