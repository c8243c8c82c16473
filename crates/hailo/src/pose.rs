//! Host-side decoding of the Hailo model zoo's YOLOv8 pose HEFs (`yolov8s_pose`, `yolov8m_pose`,
//! compiled without on-chip NMS) into the same [`yolo::PoseDetection`]s the CPU backend produces.
//!
//! Where each fact comes from (hailo-ai/hailo_model_zoo at c83fc03, the v5.2.0 line):
//! * Outputs: `cfg/networks/yolov8s_pose.yaml` cuts the Ultralytics head before its decoding, at
//!   the three convolutions of each of the strides 32, 16, 8 (`cv2.*` box regression, `cv3.*`
//!   person score, `cv4.*` keypoints): `output_shape: 20x20x64, 20x20x1, 20x20x51, 40x40x64, ...,
//!   80x80x51` for a 640x640x3 input. HailoRT lists them under layer names and in an order the HEF
//!   decides, so they are recognised here by grid size and channel count, never by name or index.
//! * Score: `cfg/alls/generic/yolov8s_pose.alls` appends `change_output_activation(..., sigmoid)`
//!   to the three score convolutions, so the score map is already a probability (hailo-apps-infra
//!   `core/cpp_postprocess/cpp/yolov8pose_postprocess.cpp` uses it as is).
//! * Boxes: `core/postprocessing/pose_estimation_postprocessing.py` `_yolov8_decoding`: the 64
//!   channels are 4 sides (left, top, right, bottom) x 16 bins (`regression_length: 15` in
//!   `cfg/base/yolov8.yaml`, so `reg_max + 1 = 16`), side-major; each side's distance is the
//!   softmax expectation over bins 0..15 times the stride; the anchor centre is `(grid + 0.5) *
//!   stride`; `x1 = cx - left`, `y1 = cy - top`, `x2 = cx + right`, `y2 = cy + bottom`.
//! * Keypoints: same function: the 51 channels are 17 keypoints x (x, y, visibility),
//!   keypoint-major; `x = stride * (2 * raw_x - 0.5) + (gx + 0.5) * stride` (the same as
//!   Ultralytics' `(raw * 2 + anchor - 0.5) * stride` with `anchor = gx + 0.5`), likewise y;
//!   visibility goes through a sigmoid on the host (`_sigmoid(...[..., 2])` there, and
//!   `sigmoided_scores` in hailo-apps-infra's C++ post-process).
//! * Input: `core/preprocessing/pose_preprocessing.py` `yolo_pose`: centred letterbox with pad 114
//!   (Ultralytics' `LetterBox`), u8 RGB; the /255 normalisation is inside the HEF
//!   (`normalization1` in the .alls). That is [`yolo::Preprocessor::to_rgb8`].
//!
//! Once decoded, the anchors form the Ultralytics head tensor `[1, 4 + 1 + K*3, N]` (cx, cy, w, h
//! in input pixels, score, keypoints), levels in stride order, and [`yolo::decode_pose`] does the
//! rest exactly as on the CPU: score threshold, NMS, `max_det`, letterbox back to the image.

use yolo::{DetectConfig, Letterbox, PoseDetection};

/// DFL bins per box side (Ultralytics `reg_max`; the model zoo's `regression_length` + 1).
pub const DFL_BINS: usize = 16;
/// Values per keypoint: x, y, visibility.
pub const KPT_VALUES: usize = 3;

/// Shape of one raw (non-NMS) output tensor, NHWC with batch 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TensorShape {
    pub height: usize,
    pub width: usize,
    pub features: usize,
}

impl TensorShape {
    pub fn len(&self) -> usize {
        self.height * self.width * self.features
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PoseError {
    #[error(
        "not a YOLOv8 pose head (per stride: box {box_ch} = 4 x {DFL_BINS} DFL bins, score 1, keypoints K x 3): {reason}; outputs {outputs:?}",
        box_ch = 4 * DFL_BINS
    )]
    Layout { reason: String, outputs: Vec<TensorShape> },
    #[error("output {output} has {len} values, its frame needs {needed}")]
    Truncated { output: usize, len: usize, needed: usize },
    #[error("output {output} has a non-finite value for anchor {anchor} of stride {stride}")]
    NotFinite { output: usize, stride: usize, anchor: usize },
    #[error(transparent)]
    Yolo(#[from] yolo::YoloError),
}

/// One stride's three outputs (indices into the model's output list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoseLevel {
    pub stride: usize,
    pub grid_h: usize,
    pub grid_w: usize,
    pub boxes: usize,
    pub scores: usize,
    pub keypoints: usize,
}

/// Which output is which, found from the shapes alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoseLayout {
    /// In ascending stride order, as Ultralytics concatenates its anchors.
    pub levels: Vec<PoseLevel>,
    pub num_keypoints: usize,
    shapes: Vec<TensorShape>,
}

impl PoseLayout {
    /// Recognise the outputs of a pose HEF with a `input_w x input_h` input: every output belongs
    /// to one grid; every grid has exactly one `4 * 16`-channel box map, one 1-channel score map
    /// and one `K * 3`-channel keypoint map (the same K everywhere); its stride divides the input
    /// evenly and is the same in x and y. Anything else is a typed error naming what was found.
    pub fn from_outputs(input_w: usize, input_h: usize, outputs: &[TensorShape]) -> Result<Self, PoseError> {
        let err = |reason: String| PoseError::Layout { reason, outputs: outputs.to_vec() };
        if outputs.is_empty() {
            return Err(err("the HEF has no raw outputs".into()));
        }
        let mut grids: Vec<(usize, usize)> = outputs.iter().map(|o| (o.height, o.width)).collect();
        grids.sort_unstable();
        grids.dedup();
        let mut levels = Vec::new();
        let mut num_keypoints = None;
        for (gh, gw) in grids {
            if gh == 0 || gw == 0 || !input_h.is_multiple_of(gh) || !input_w.is_multiple_of(gw) || input_h / gh != input_w / gw {
                return Err(err(format!("a {gh}x{gw} grid is not an integer stride of the {input_h}x{input_w} input")));
            }
            let on_grid: Vec<usize> = (0..outputs.len()).filter(|&i| (outputs[i].height, outputs[i].width) == (gh, gw)).collect();
            let pick = |pred: &dyn Fn(usize) -> bool, what: &str| -> Result<usize, PoseError> {
                match on_grid.iter().copied().filter(|&i| pred(outputs[i].features)).collect::<Vec<_>>().as_slice() {
                    [one] => Ok(*one),
                    [] => Err(err(format!("the {gh}x{gw} grid has no {what} output"))),
                    _ => Err(err(format!("the {gh}x{gw} grid has several {what} outputs"))),
                }
            };
            let boxes = pick(&|f| f == 4 * DFL_BINS, "box regression (64-channel)")?;
            let scores = pick(&|f| f == 1, "score (1-channel)")?;
            let keypoints = pick(&|f| f != 1 && f != 4 * DFL_BINS, "keypoint")?;
            if on_grid.len() != 3 {
                return Err(err(format!("the {gh}x{gw} grid has {} outputs, expected 3", on_grid.len())));
            }
            let kf = outputs[keypoints].features;
            if !kf.is_multiple_of(KPT_VALUES) {
                return Err(err(format!("the {gh}x{gw} keypoint output has {kf} channels, not K x 3")));
            }
            if *num_keypoints.get_or_insert(kf / KPT_VALUES) != kf / KPT_VALUES {
                return Err(err("the strides disagree on the number of keypoints".into()));
            }
            levels.push(PoseLevel { stride: input_h / gh, grid_h: gh, grid_w: gw, boxes, scores, keypoints });
        }
        levels.sort_by_key(|l| l.stride);
        Ok(Self { levels, num_keypoints: num_keypoints.unwrap_or(0), shapes: outputs.to_vec() })
    }

    /// Anchors over all strides (8400 for 640x640 with strides 8, 16, 32).
    pub fn anchors(&self) -> usize {
        self.levels.iter().map(|l| l.grid_h * l.grid_w).sum()
    }

    /// Channels of the equivalent Ultralytics head: box 4, score 1, keypoints K*3.
    pub fn head_channels(&self) -> usize {
        5 + self.num_keypoints * KPT_VALUES
    }

    /// Decode one frame's outputs (`outputs[i]` is output `i`, host float32 NHWC) to persons in
    /// source-image pixels. `head` is scratch for the `[C, N]` head tensor, kept across frames.
    ///
    /// Only anchors whose score passes `cfg.conf_threshold` are decoded (DFL softmax and
    /// keypoints); the others keep their score and zeros, which `yolo::decode_pose` drops by the
    /// same strict `score > threshold` test, so the result is that of decoding everything.
    pub fn decode(
        &self,
        outputs: &[impl AsRef<[f32]>],
        lb: &Letterbox,
        cfg: &DetectConfig,
        head: &mut Vec<f32>,
    ) -> Result<Vec<PoseDetection>, PoseError> {
        for (output, s) in self.shapes.iter().enumerate() {
            let len = outputs.get(output).map_or(0, |o| o.as_ref().len());
            if len < s.len() {
                return Err(PoseError::Truncated { output, len, needed: s.len() });
            }
        }
        let n = self.anchors();
        let k = self.num_keypoints;
        let c = self.head_channels();
        head.clear();
        head.resize(c * n, 0.0);
        let mut a = 0usize;
        for l in &self.levels {
            let (boxes, scores, kpts) = (outputs[l.boxes].as_ref(), outputs[l.scores].as_ref(), outputs[l.keypoints].as_ref());
            let s = l.stride as f32;
            for cell in 0..l.grid_h * l.grid_w {
                let score = scores[cell];
                head[4 * n + a] = score;
                #[allow(clippy::neg_cmp_op_on_partial_ord)]
                if !(score > cfg.conf_threshold) {
                    a += 1;
                    continue;
                }
                let (gx, gy) = ((cell % l.grid_w) as f32, (cell / l.grid_w) as f32);
                let (ax, ay) = ((gx + 0.5) * s, (gy + 0.5) * s);
                let reg = &boxes[cell * 4 * DFL_BINS..(cell + 1) * 4 * DFL_BINS];
                let kp = &kpts[cell * k * KPT_VALUES..(cell + 1) * k * KPT_VALUES];
                if let Some(bad) = [(reg, l.boxes), (kp, l.keypoints)].iter().find(|(v, _)| v.iter().any(|x| !x.is_finite())) {
                    return Err(PoseError::NotFinite { output: bad.1, stride: l.stride, anchor: cell });
                }
                let d: [f32; 4] = std::array::from_fn(|side| dfl(&reg[side * DFL_BINS..(side + 1) * DFL_BINS]) * s);
                let (x1, y1, x2, y2) = (ax - d[0], ay - d[1], ax + d[2], ay + d[3]);
                head[a] = (x1 + x2) / 2.0;
                head[n + a] = (y1 + y2) / 2.0;
                head[2 * n + a] = x2 - x1;
                head[3 * n + a] = y2 - y1;
                for (j, v) in kp.chunks_exact(KPT_VALUES).enumerate() {
                    let row = 5 + j * KPT_VALUES;
                    head[row * n + a] = s * (2.0 * v[0] - 0.5) + ax;
                    head[(row + 1) * n + a] = s * (2.0 * v[1] - 0.5) + ay;
                    head[(row + 2) * n + a] = sigmoid(v[2]);
                }
                a += 1;
            }
        }
        Ok(yolo::decode_pose(head, &[1, c, n], [k, KPT_VALUES], lb, cfg)?)
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Distribution Focal Loss integral: the expected bin index under the softmax of `logits`
/// (max subtracted first, so large logits cannot overflow `exp`).
pub fn dfl(logits: &[f32]) -> f32 {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let (mut num, mut den) = (0.0f32, 0.0f32);
    for (i, &x) in logits.iter().enumerate() {
        let e = (x - max).exp();
        num += e * i as f32;
        den += e;
    }
    num / den
}

/// Write a person into raw pose outputs (the inverse of the decoding, for tests and the test
/// double's fixtures): a one-hot DFL distribution per side (`dist` in bins, integers 0..=15), the
/// score as given, keypoints as raw (x, y, visibility logit).
#[doc(hidden)]
pub struct RawAnchor<'a> {
    pub level: usize,
    pub gx: usize,
    pub gy: usize,
    pub dist_bins: [usize; 4],
    pub score: f32,
    pub keypoints: &'a [[f32; 3]],
}

/// One-hot logit for a DFL bin: softmax of (`ONE_HOT`, 0, ..., 0) puts 1 - 15e^-40 on the bin,
/// i.e. the bin index to within f32 precision.
pub const ONE_HOT: f32 = 40.0;

#[doc(hidden)]
pub fn encode_raw(layout: &PoseLayout, anchors: &[RawAnchor<'_>]) -> Vec<Vec<f32>> {
    let mut out: Vec<Vec<f32>> = layout.shapes.iter().map(|s| vec![0.0; s.len()]).collect();
    let k = layout.num_keypoints;
    for r in anchors {
        let l = &layout.levels[r.level];
        let cell = r.gy * l.grid_w + r.gx;
        out[l.scores][cell] = r.score;
        for (side, &b) in r.dist_bins.iter().enumerate() {
            out[l.boxes][cell * 4 * DFL_BINS + side * DFL_BINS + b] = ONE_HOT;
        }
        for (j, v) in r.keypoints.iter().take(k).enumerate() {
            out[l.keypoints][(cell * k + j) * KPT_VALUES..(cell * k + j + 1) * KPT_VALUES].copy_from_slice(v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(height: usize, width: usize, features: usize) -> TensorShape {
        TensorShape { height, width, features }
    }

    /// A 64x64 input: strides 8, 16, 32 -> grids 8x8, 4x4, 2x2; 2 keypoints; outputs in a
    /// scrambled order, as HailoRT may list them.
    fn small() -> Vec<TensorShape> {
        vec![ts(4, 4, 1), ts(8, 8, 6), ts(2, 2, 64), ts(8, 8, 64), ts(4, 4, 64), ts(2, 2, 1), ts(8, 8, 1), ts(4, 4, 6), ts(2, 2, 6)]
    }

    #[test]
    fn recognises_outputs_by_shape_not_order() {
        let l = PoseLayout::from_outputs(64, 64, &small()).unwrap();
        assert_eq!(l.num_keypoints, 2);
        assert_eq!(l.levels.iter().map(|l| l.stride).collect::<Vec<_>>(), vec![8, 16, 32]);
        assert_eq!(l.levels[0], PoseLevel { stride: 8, grid_h: 8, grid_w: 8, boxes: 3, scores: 6, keypoints: 1 });
        assert_eq!(l.levels[2], PoseLevel { stride: 32, grid_h: 2, grid_w: 2, boxes: 2, scores: 5, keypoints: 8 });
        // 64 + 16 + 4 anchors; head 5 + 2*3 channels.
        assert_eq!((l.anchors(), l.head_channels()), (84, 11));
        // The model zoo's yolov8s_pose: 640x640, 17 keypoints, 8400 anchors.
        let zoo: Vec<TensorShape> = [20, 40, 80].iter().flat_map(|&g| [ts(g, g, 64), ts(g, g, 1), ts(g, g, 51)]).collect();
        let l = PoseLayout::from_outputs(640, 640, &zoo).unwrap();
        assert_eq!((l.num_keypoints, l.anchors(), l.head_channels()), (17, 8400, 56));
    }

    #[test]
    fn outputs_that_are_not_a_pose_head_are_typed_errors() {
        let bad = |o: &[TensorShape]| match PoseLayout::from_outputs(64, 64, o) {
            Err(PoseError::Layout { reason, .. }) => reason,
            other => panic!("{other:?}"),
        };
        assert!(bad(&[]).contains("no raw outputs"));
        // A depth map: one 1-channel output.
        assert!(bad(&[ts(64, 64, 1)]).contains("no box regression"));
        // A missing score map at stride 32.
        let mut o = small();
        o.remove(5);
        assert!(bad(&o).contains("2x2 grid has no score"));
        // Keypoint channels not a multiple of 3.
        let mut o = small();
        o[8] = ts(2, 2, 7);
        assert!(bad(&o).contains("not K x 3"));
        // Strides disagree on K.
        let mut o = small();
        o[8] = ts(2, 2, 9);
        assert!(bad(&o).contains("disagree"));
        // A grid that is no integer stride (64 / 5), and a non-square stride (64/8 vs 64/4).
        assert!(bad(&[ts(5, 5, 64), ts(5, 5, 1), ts(5, 5, 51)]).contains("not an integer stride"));
        assert!(bad(&[ts(8, 4, 64), ts(8, 4, 1), ts(8, 4, 51)]).contains("not an integer stride"));
        // A fourth output on a grid.
        let mut o = small();
        o.push(ts(8, 8, 6));
        assert!(bad(&o).contains("several keypoint"));
    }

    #[test]
    fn dfl_is_the_softmax_expectation() {
        // Uniform over 16 bins: mean index 7.5.
        assert!((dfl(&[0.0; 16]) - 7.5).abs() < 1e-5);
        // Two equal logits at bins 2 and 3, the rest far below: 2.5.
        let mut l = [-50.0f32; 16];
        l[2] = 10.0;
        l[3] = 10.0;
        assert!((dfl(&l) - 2.5).abs() < 1e-5);
        // Logits of 1000 do not overflow.
        let mut l = [0.0f32; 16];
        l[5] = 1000.0;
        assert_eq!(dfl(&l), 5.0);
    }

    #[test]
    fn one_anchor_decodes_to_the_hand_computed_box_and_keypoints() {
        let layout = PoseLayout::from_outputs(64, 64, &small()).unwrap();
        // Stride 16 (level 1), cell gx = 1, gy = 2: anchor centre ((1 + 0.5) * 16, (2 + 0.5) * 16) = (24, 40).
        // Distances in bins l=1, t=2, r=3, b=0 -> 16, 32, 48, 0 px: box x 24-16 = 8 .. 24+48 = 72,
        // y 40-32 = 8 .. 40+0 = 40.
        // Keypoint 0 raw (0.25, 0.75, 0): x = 16 * (0.5 - 0.5) + 24 = 24, y = 16 * (1.5 - 0.5) + 40 = 56,
        // visibility sigmoid(0) = 0.5. Keypoint 1 raw (1, 0, 2): x = 16 * 1.5 + 24 = 48,
        // y = 16 * -0.5 + 40 = 32, visibility sigmoid(2) = 0.8808.
        let kpts = [[0.25, 0.75, 0.0], [1.0, 0.0, 2.0]];
        let raw = encode_raw(
            &layout,
            &[
                RawAnchor { level: 1, gx: 1, gy: 2, dist_bins: [1, 2, 3, 0], score: 0.9, keypoints: &kpts },
                // Below the threshold: never decoded, never published.
                RawAnchor { level: 0, gx: 0, gy: 0, dist_bins: [1, 1, 1, 1], score: 0.2, keypoints: &kpts },
            ],
        );
        // Source 128x128 into 64x64: gain 0.5, no pad; x2 = 72 in the input is past its edge, so
        // it is clipped to the image: 144 -> 128.
        let lb = Letterbox::new(128, 128, 64, 64).unwrap();
        let mut head = Vec::new();
        let p = layout.decode(&raw, &lb, &DetectConfig::default(), &mut head).unwrap();
        assert_eq!(p.len(), 1);
        let b = p[0].bbox;
        let close = |a: f32, e: f32| (a - e).abs() < 1e-3;
        assert!(close(b.x1, 16.0) && close(b.y1, 16.0) && close(b.x2, 128.0) && close(b.y2, 80.0), "{b:?}");
        assert_eq!(p[0].score, 0.9);
        let k = &p[0].keypoints;
        assert!(close(k[0].x, 48.0) && close(k[0].y, 112.0) && close(k[0].score, 0.5), "{k:?}");
        assert!(close(k[1].x, 96.0) && close(k[1].y, 64.0) && close(k[1].score, 0.880797), "{k:?}");

        // Score at or below the threshold: nothing.
        let strict = DetectConfig { conf_threshold: 0.9, ..Default::default() };
        assert!(layout.decode(&raw, &lb, &strict, &mut head).unwrap().is_empty());
    }

    #[test]
    fn nms_and_letterbox_are_the_cpu_paths() {
        let layout = PoseLayout::from_outputs(64, 64, &small()).unwrap();
        // Raw 0.25: 2 * 0.25 - 0.5 = 0, the keypoint sits on its anchor centre.
        let kpts = [[0.25, 0.25, 0.0]; 2];
        // Two near-identical persons at neighbouring stride-8 cells (IoU 0.6), and a far one.
        let anchors = [
            RawAnchor { level: 0, gx: 2, gy: 2, dist_bins: [2, 2, 2, 2], score: 0.8, keypoints: &kpts },
            RawAnchor { level: 0, gx: 3, gy: 2, dist_bins: [2, 2, 2, 2], score: 0.7, keypoints: &kpts },
            RawAnchor { level: 2, gx: 1, gy: 1, dist_bins: [0, 0, 0, 0], score: 0.6, keypoints: &kpts },
        ];
        let raw = encode_raw(&layout, &anchors);
        // 128x64 image into 64x64: gain 0.5, 64x32 inside, 16 px pad top and bottom.
        let lb = Letterbox::new(128, 64, 64, 64).unwrap();
        assert_eq!((lb.top, lb.left), (16, 0));
        let mut head = Vec::new();
        // Box 1: centre (20, 20), 16 px each side -> 4..36 x 4..36. Box 2 shifted 8 px: IoU 24*32/(2*32*32 - 24*32) = 0.6.
        let iou07 = DetectConfig { iou_threshold: 0.7, ..Default::default() };
        assert_eq!(layout.decode(&raw, &lb, &iou07, &mut head).unwrap().len(), 3);
        let iou05 = DetectConfig { iou_threshold: 0.5, ..Default::default() };
        let p = layout.decode(&raw, &lb, &iou05, &mut head).unwrap();
        assert_eq!(p.iter().map(|p| p.score).collect::<Vec<_>>(), vec![0.8, 0.6]);
        // Box 1 back in the image: x (4..36) * 2 = 8..72, y (4 - 16)*2 -> clipped 0 .. (36 - 16)*2 = 40.
        let b = p[0].bbox;
        assert!((b.x1 - 8.0).abs() < 1e-3 && b.y1 == 0.0 && (b.x2 - 72.0).abs() < 1e-3 && (b.y2 - 40.0).abs() < 1e-3, "{b:?}");
        // The keypoint at the anchor (20, 20) -> (40, (20 - 16) * 2 = 8) in the image.
        assert!((p[0].keypoints[0].x - 40.0).abs() < 1e-3 && (p[0].keypoints[0].y - 8.0).abs() < 1e-3);
        // A degenerate zero-size box at the stride-32 anchor (48, 48) survives as a point.
        assert_eq!(p[1].bbox.x1, p[1].bbox.x2);
        let one = DetectConfig { max_det: 1, ..iou07 };
        assert_eq!(layout.decode(&raw, &lb, &one, &mut head).unwrap().len(), 1);
    }

    #[test]
    fn short_or_non_finite_buffers_are_errors() {
        let layout = PoseLayout::from_outputs(64, 64, &small()).unwrap();
        let lb = Letterbox::new(64, 64, 64, 64).unwrap();
        let mut head = Vec::new();
        let cfg = DetectConfig::default();
        let mut raw = encode_raw(&layout, &[]);
        raw[4].pop();
        assert_eq!(layout.decode(&raw, &lb, &cfg, &mut head), Err(PoseError::Truncated { output: 4, len: 1023, needed: 1024 }));
        assert!(matches!(layout.decode(&raw[..3], &lb, &cfg, &mut head), Err(PoseError::Truncated { output: 3, len: 0, .. })));
        let kpts = [[0.0, f32::NAN, 0.0], [0.0; 3]];
        let raw = encode_raw(&layout, &[RawAnchor { level: 2, gx: 0, gy: 1, dist_bins: [0; 4], score: 0.9, keypoints: &kpts }]);
        assert_eq!(layout.decode(&raw, &lb, &cfg, &mut head), Err(PoseError::NotFinite { output: 8, stride: 32, anchor: 2 }));
        // A NaN score is simply not a candidate (as in the CPU path).
        let mut raw = encode_raw(&layout, &[]);
        raw[5][0] = f32::NAN;
        assert!(layout.decode(&raw, &lb, &cfg, &mut head).unwrap().is_empty());
    }
}
