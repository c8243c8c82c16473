//! Decoding of HailoRT's host-side NMS output, `HAILO_FORMAT_ORDER_HAILO_NMS_BY_CLASS` with
//! `HAILO_FORMAT_TYPE_FLOAT32` (HailoRT 5.x `hailort.h`, `hailo_format_order_t`):
//!
//! for each of `hailo_nms_shape_t.number_of_classes` classes, packed and back to back,
//! `float32 bbox_count` then `bbox_count` x `hailo_bbox_float32_t { y_min, x_min, y_max, x_max, score }`,
//! with at most `max_bboxes_per_class` boxes per class. Coordinates are normalised to the model
//! input (0..1); the frame buffer is sized for the maximum, so bytes after the last class are
//! padding.
//!
//! The boxes are mapped back through the letterbox into the same [`yolo::Detection`]s the CPU
//! backend produces, so the node publishes identical messages whichever backend ran.

use yolo::{BBox, DetectConfig, Detection, Letterbox, MAX_WH};

/// Floats per box: y_min, x_min, y_max, x_max, score.
pub const BBOX_FLOATS: usize = 5;

/// The NMS output's static shape (`hailo_nms_shape_t`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NmsShape {
    pub number_of_classes: usize,
    pub max_bboxes_per_class: usize,
}

impl NmsShape {
    /// Frame size in f32 values, as HailoRT allocates it for the by-class float32 format.
    pub fn frame_floats(&self) -> usize {
        self.number_of_classes * (1 + self.max_bboxes_per_class * BBOX_FLOATS)
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum NmsError {
    #[error("NMS output: class {class} has box count {count}, not an integer in 0..={max}")]
    BadCount { class: usize, count: f32, max: usize },
    #[error("NMS output ends inside class {class} ({len} values, needed {needed})")]
    Truncated { class: usize, len: usize, needed: usize },
    #[error("NMS output: class {class} box {index} has a non-finite value")]
    NotFinite { class: usize, index: usize },
}

/// One box as HailoRT reports it: normalised model-input coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NmsBox {
    pub class_id: usize,
    pub y_min: f32,
    pub x_min: f32,
    pub y_max: f32,
    pub x_max: f32,
    pub score: f32,
}

/// Parse an NMS-by-class float32 buffer. Errors (never panics) on a count that is not a whole
/// number within the shape, or a buffer too short for the counts it declares: a device or shim
/// fault must not turn into made-up boxes.
pub fn parse_nms_by_class(data: &[f32], shape: NmsShape) -> Result<Vec<NmsBox>, NmsError> {
    let mut out = Vec::new();
    let mut at = 0usize;
    for class in 0..shape.number_of_classes {
        let Some(&count_f) = data.get(at) else {
            return Err(NmsError::Truncated { class, len: data.len(), needed: at + 1 });
        };
        let max = shape.max_bboxes_per_class;
        #[allow(clippy::neg_cmp_op_on_partial_ord)]
        if !(count_f >= 0.0) || count_f.fract() != 0.0 || count_f > max as f32 {
            return Err(NmsError::BadCount { class, count: count_f, max });
        }
        let count = count_f as usize;
        at += 1;
        let needed = at + count * BBOX_FLOATS;
        if needed > data.len() {
            return Err(NmsError::Truncated { class, len: data.len(), needed });
        }
        for (index, b) in data[at..needed].chunks_exact(BBOX_FLOATS).enumerate() {
            if b.iter().any(|v| !v.is_finite()) {
                return Err(NmsError::NotFinite { class, index });
            }
            out.push(NmsBox { class_id: class, y_min: b[0], x_min: b[1], y_max: b[2], x_max: b[3], score: b[4] });
        }
        at = needed;
    }
    Ok(out)
}

/// NMS boxes -> detections in original-image pixels, applying the node's [`DetectConfig`] the
/// way the CPU path does: score strictly above the threshold, class filter, NMS (class-aware, or
/// agnostic), best first, at most `max_det`.
///
/// The chip already ran per-class NMS with the IoU threshold fixed at configure time; running it
/// again here is idempotent for the same threshold and makes a stricter run-time `iou_threshold`
/// (or `agnostic_nms`) take effect without reconfiguring the device.
pub fn to_detections(boxes: &[NmsBox], lb: &Letterbox, cfg: &DetectConfig) -> Vec<Detection> {
    let (iw, ih) = (lb.input_w as f32, lb.input_h as f32);
    let cands: Vec<(BBox, &NmsBox)> = boxes
        .iter()
        .filter(|b| b.score > cfg.conf_threshold)
        .filter(|b| cfg.classes.as_ref().is_none_or(|cl| cl.contains(&b.class_id)))
        .map(|b| (BBox { x1: b.x_min * iw, y1: b.y_min * ih, x2: b.x_max * iw, y2: b.y_max * ih }, b))
        .collect();
    let offset: Vec<BBox> = cands
        .iter()
        .map(|(bb, b)| {
            let d = if cfg.agnostic { 0.0 } else { b.class_id as f32 * MAX_WH };
            BBox { x1: bb.x1 + d, y1: bb.y1 + d, x2: bb.x2 + d, y2: bb.y2 + d }
        })
        .collect();
    let scores: Vec<f32> = cands.iter().map(|(_, b)| b.score).collect();
    let (w, h) = (lb.orig_w as f32, lb.orig_h as f32);
    yolo::nms(&offset, &scores, cfg.iou_threshold)
        .into_iter()
        .take(cfg.max_det)
        .map(|i| {
            let (bb, b) = &cands[i];
            Detection {
                bbox: BBox {
                    x1: lb.unmap_x(bb.x1).clamp(0.0, w),
                    y1: lb.unmap_y(bb.y1).clamp(0.0, h),
                    x2: lb.unmap_x(bb.x2).clamp(0.0, w),
                    y2: lb.unmap_y(bb.y2).clamp(0.0, h),
                },
                score: b.score,
                class_id: b.class_id,
            }
        })
        .collect()
}

/// Write boxes in the by-class layout (the inverse of [`parse_nms_by_class`]), padded to the
/// frame size. For tests and the test double's fixtures.
pub fn encode_nms_by_class(boxes: &[NmsBox], shape: NmsShape) -> Vec<f32> {
    let mut out = Vec::with_capacity(shape.frame_floats());
    for class in 0..shape.number_of_classes {
        let mine: Vec<&NmsBox> = boxes.iter().filter(|b| b.class_id == class).take(shape.max_bboxes_per_class).collect();
        out.push(mine.len() as f32);
        for b in mine {
            out.extend_from_slice(&[b.y_min, b.x_min, b.y_max, b.x_max, b.score]);
        }
    }
    out.resize(shape.frame_floats(), 0.0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHAPE: NmsShape = NmsShape { number_of_classes: 3, max_bboxes_per_class: 2 };

    #[test]
    fn parses_the_packed_by_class_layout() {
        // class 0: one box; class 1: none; class 2: two boxes; then padding.
        let mut data = vec![1.0, 0.1, 0.2, 0.3, 0.4, 0.9, 0.0, 2.0, 0.5, 0.5, 0.6, 0.6, 0.8, 0.0, 0.0, 1.0, 1.0, 0.3];
        data.resize(SHAPE.frame_floats(), 0.0);
        let b = parse_nms_by_class(&data, SHAPE).unwrap();
        assert_eq!(b.len(), 3);
        assert_eq!(b[0], NmsBox { class_id: 0, y_min: 0.1, x_min: 0.2, y_max: 0.3, x_max: 0.4, score: 0.9 });
        assert_eq!((b[1].class_id, b[1].score), (2, 0.8));
        assert_eq!((b[2].class_id, b[2].x_max, b[2].score), (2, 1.0, 0.3));
        assert_eq!(parse_nms_by_class(&encode_nms_by_class(&b, SHAPE), SHAPE).unwrap(), b);
    }

    #[test]
    fn rejects_corrupt_buffers_without_panicking() {
        let shape = SHAPE;
        assert!(matches!(parse_nms_by_class(&[3.0], shape), Err(NmsError::BadCount { class: 0, .. })));
        assert!(matches!(parse_nms_by_class(&[0.5], shape), Err(NmsError::BadCount { .. })));
        assert!(matches!(parse_nms_by_class(&[-1.0], shape), Err(NmsError::BadCount { .. })));
        assert!(matches!(parse_nms_by_class(&[f32::NAN], shape), Err(NmsError::BadCount { .. })));
        assert!(matches!(parse_nms_by_class(&[1.0, 0.1], shape), Err(NmsError::Truncated { class: 0, .. })));
        assert!(matches!(parse_nms_by_class(&[0.0, 0.0], shape), Err(NmsError::Truncated { class: 2, .. })));
        let e = parse_nms_by_class(&[1.0, 0.1, f32::INFINITY, 0.3, 0.4, 0.9, 0.0, 0.0], shape);
        assert_eq!(e, Err(NmsError::NotFinite { class: 0, index: 0 }));
        assert_eq!(parse_nms_by_class(&[], NmsShape { number_of_classes: 0, max_bboxes_per_class: 5 }), Ok(vec![]));
    }

    #[test]
    fn maps_through_the_letterbox_like_the_cpu_path() {
        // 1280x720 into 640x640: gain 0.5, 640x360 inside, 140 px pad top and bottom.
        let lb = Letterbox::new(1280, 720, 640, 640).unwrap();
        assert_eq!((lb.top, lb.left), (140, 0));
        let boxes = [
            // x 0.25..0.5 -> 160..320 input px -> 320..640; y (140+90)/640..(140+270)/640 -> 90..270 -> 180..540
            NmsBox { class_id: 5, y_min: 230.0 / 640.0, x_min: 0.25, y_max: 410.0 / 640.0, x_max: 0.5, score: 0.8 },
            // below threshold
            NmsBox { class_id: 0, y_min: 0.3, x_min: 0.3, y_max: 0.4, x_max: 0.4, score: 0.2 },
            // reaching into the pad: clipped to the image
            NmsBox { class_id: 0, y_min: 0.0, x_min: 0.0, y_max: 0.5, x_max: 0.1, score: 0.95 },
        ];
        let d = to_detections(&boxes, &lb, &DetectConfig::default());
        assert_eq!(d.len(), 2);
        assert_eq!((d[0].class_id, d[0].score), (0, 0.95));
        assert_eq!((d[0].bbox.x1, d[0].bbox.y1, d[0].bbox.x2, d[0].bbox.y2), (0.0, 0.0, 128.0, 360.0));
        assert_eq!(d[1].class_id, 5);
        let b = d[1].bbox;
        assert!((b.x1 - 320.0).abs() < 1e-3 && (b.x2 - 640.0).abs() < 1e-3, "{b:?}");
        assert!((b.y1 - 180.0).abs() < 1e-3 && (b.y2 - 540.0).abs() < 1e-3, "{b:?}");

        let only5 = DetectConfig { classes: Some(vec![5]), ..Default::default() };
        assert_eq!(to_detections(&boxes, &lb, &only5).len(), 1);
        let one = DetectConfig { max_det: 1, ..Default::default() };
        assert_eq!(to_detections(&boxes, &lb, &one)[0].score, 0.95);
    }

    #[test]
    fn host_nms_applies_run_time_iou_and_agnostic_settings() {
        let lb = Letterbox::new(640, 640, 640, 640).unwrap();
        let a = NmsBox { class_id: 0, y_min: 0.1, x_min: 0.1, y_max: 0.5, x_max: 0.5, score: 0.9 };
        let b = NmsBox { class_id: 1, score: 0.8, ..a };
        let c = NmsBox { class_id: 0, x_max: 0.45, score: 0.7, ..a };
        let cfg = DetectConfig { iou_threshold: 0.7, ..Default::default() };
        // Different classes never suppress each other; the same class with IoU 0.875 does.
        assert_eq!(to_detections(&[a, b, c], &lb, &cfg).len(), 2);
        let agnostic = DetectConfig { agnostic: true, ..cfg.clone() };
        assert_eq!(to_detections(&[a, b, c], &lb, &agnostic).len(), 1);
        let loose = DetectConfig { iou_threshold: 0.9, ..cfg };
        assert_eq!(to_detections(&[a, b, c], &lb, &loose).len(), 3);
    }
}
