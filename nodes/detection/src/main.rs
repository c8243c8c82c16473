//! detection: Ultralytics YOLO object detection on `image` / `image/compressed`, published as
//! vision_msgs-shaped `aihat_msgs/Detection2DArray` on `detections` with the source header, the
//! label map latched on `label_info`, and (optionally) an annotated image on `detections/image`.
//!
//! Data path: subscribe -> latest frame -> decode -> arbiter grant -> infer (letterbox, ONNX
//! Runtime, decode + NMS, boxes back to the image) -> publish.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use r2r::aihat_msgs::msg::{Detection2DArray, Detection3DArray, LabelInfo, VisionClass};
use r2r::sensor_msgs::msg::Image;
use r2r::std_msgs::msg::Header;
use r2r::QosProfile;
use ros_edge::{NodeParams, in_range, latched_qos};
use vision_edge::tracking::{Observed, TrackIds, TrackingParams};
use vision_edge::{HasVision, VisionNode};
use yolo::{DetectConfig, Detection};

vision_edge::vision_node_params! {
    struct Params {
        /// Ultralytics detection ONNX export (metadata: names, imgsz, task=detect).
        model_path: String = String::new(),
        /// Minimum class score of a published detection [0, 1].
        score_threshold: f64 = 0.25,
        /// NMS IoU threshold: a box overlapping a better one by more than this is suppressed [0, 1].
        iou_threshold: f64 = 0.45,
        /// At most this many detections per image [1, 1000].
        max_detections: i64 = 300,
        /// Only these classes, by name or id, comma-separated; empty = all.
        classes: String = String::new(),
        /// Class-agnostic NMS (boxes of different classes suppress each other).
        agnostic_nms: bool = false,
        /// One detection per class above the threshold for each box, not just the best class (what Ultralytics `val` does; for mAP evaluation).
        multi_label: bool = false,
        /// Publish an annotated image on detections/image.
        publish_annotated: bool = false,
        /// Persistent ids (`tracking.enabled`, thresholds, buffer): see vision_edge::tracking.
        tracking: TrackingParams = TrackingParams::default(),
    }
    expected_rate_hz = 30.0;
}

impl NodeParams for Params {
    fn validate(&self) -> Result<(), (String, String)> {
        in_range("score_threshold", self.score_threshold, 0.0, 1.0)?;
        in_range("iou_threshold", self.iou_threshold, 0.0, 1.0)?;
        in_range("max_detections", self.max_detections, 1, 1000)?;
        self.tracking.validate()?;
        self.vision().validate()
    }
}

impl Params {
    fn detect_config(&self, names: &[String]) -> DetectConfig {
        let classes: Vec<usize> = self
            .classes
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .filter_map(|c| c.parse().ok().or_else(|| names.iter().position(|n| n == c)))
            .collect();
        DetectConfig {
            conf_threshold: self.tracking.detect_threshold(self.score_threshold) as f32,
            iou_threshold: self.iou_threshold as f32,
            max_det: self.max_detections as usize,
            classes: (!classes.is_empty()).then_some(classes),
            agnostic: self.agnostic_nms,
            multi_label: self.multi_label,
        }
    }
}

/// The published detections: `(index into dets, id)` as the tracker chose them.
fn to_msg(dets: &[Detection], published: &[(usize, String)], header: &Header) -> Detection2DArray {
    let detections = published
        .iter()
        .map(|(i, id)| {
            let d = &dets[*i];
            vision_edge::msg::detection_2d(header, &d.bbox, d.class_id, d.score, id.clone())
        })
        .collect();
    Detection2DArray { header: header.clone(), detections }
}

fn observed(dets: &[Detection]) -> Vec<Observed> {
    dets.iter().map(|d| Observed { bbox: [d.bbox.x1, d.bbox.y1, d.bbox.x2, d.bbox.y2], score: d.score, class_id: d.class_id }).collect()
}

/// The CPU backend comes from vision_edge (shared with pose); the Hailo one is this node's own,
/// compiled only with the `hailo` (device) or `hailo-double` (tests) feature.
fn load_detector(p: &Params, threads: usize) -> anyhow::Result<Box<dyn inference::Detector>> {
    #[cfg(any(feature = "hailo", feature = "hailo-double"))]
    if p.backend == "hailo" {
        if hailo::NATIVE_LAYER == Some("hailo-double") {
            tracing::warn!("backend hailo runs on the TEST DOUBLE of the Hailo shim: canned outputs, no device");
        }
        let cfg = hailo::native::ModelConfig {
            // The chip drops boxes below these at configure time; the host re-applies the
            // run-time values, so later changes can only tighten them.
            nms_score_threshold: p.tracking.detect_threshold(p.score_threshold) as f32,
            nms_iou_threshold: p.iou_threshold as f32,
            ..Default::default()
        };
        return Ok(Box::new(hailo::native::HailoDetector::load(p.model_path.as_ref(), &cfg, Default::default())?));
    }
    vision_edge::model::load_detector(&p.backend, p.model_path.as_ref(), threads)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let node = VisionNode::<Params, Box<dyn inference::Detector>>::start("detection", load_detector).await?;
    let (ros, detector) = (&node.ros, &node.model);
    let p = ros.params();
    let names = detector.call(|d| d.spec().names.clone()).await?;
    tracing::info!(classes = names.len(), "detector ready");

    let (det_pub, label_pub, annotated_pub) = {
        let mut node = ros.node.lock().unwrap();
        (
            node.create_publisher::<Detection2DArray>("detections", QosProfile::default().keep_last(10))?,
            node.create_publisher::<LabelInfo>("label_info", latched_qos())?,
            node.create_publisher::<Image>("detections/image", vision_edge::annotated_qos())?,
        )
    };
    label_pub.publish(&LabelInfo {
        header: Header { stamp: ros.now(), frame_id: String::new() },
        class_map: names.iter().enumerate().map(|(i, n)| VisionClass { class_id: i as u16, class_name: n.clone() }).collect(),
        threshold: p.score_threshold as f32,
    })?;
    // The depth node's distances of our tracks, for the labels of the annotated image (a frame
    // late: the depth node answers this frame's detections after they are published).
    let distances: Arc<Mutex<HashMap<String, f64>>> = Arc::default();
    {
        let mut d3 = ros.node.lock().unwrap().subscribe::<Detection3DArray>("detections_3d", QosProfile::default().keep_last(10))?;
        let distances = distances.clone();
        tokio::spawn(async move {
            while let Some(m) = d3.next().await {
                let mut map = distances.lock().unwrap();
                // Tracks come and go: keep it bounded rather than remember every id forever.
                if map.len() > 1000 {
                    map.clear();
                }
                // Only track ids name one object across frames (a tentative one has "").
                for d in m.detections.iter().filter(|d| !d.id.is_empty()) {
                    let c = &d.bbox.center.position;
                    map.insert(d.id.clone(), (c.x * c.x + c.y * c.y + c.z * c.z).sqrt());
                }
            }
        });
    }
    let mut frames = node.frames().await?;
    let mut track_ids = TrackIds::default();

    while let Some(granted) = frames.next(|| node.enabled()).await {
        let p = ros.params();
        let cfg = p.detect_config(&names);
        let Some((timed, frame)) = frames.infer(detector, granted, move |d, rgb| d.detect(rgb, &cfg)).await? else {
            continue;
        };
        let published = track_ids.assign(&p.tracking, &observed(&timed.value), frame.n, p.score_threshold as f32);
        let msg = to_msg(&timed.value, &published, &frame.header);
        if let Err(e) = det_pub.publish(&msg) {
            tracing::warn!(error = %e, "publishing detections failed");
            continue;
        }
        frames.published_timed(&frame, msg.detections.len(), timed.timings.inference);
        if p.publish_annotated {
            let mut img = frame.rgb;
            let distances = distances.lock().unwrap();
            for (i, id) in &published {
                let d = &timed.value[*i];
                let name = names.get(d.class_id).map_or("?", String::as_str);
                let color = vision_edge::draw::class_color(d.class_id);
                let bbox = [d.bbox.x1, d.bbox.y1, d.bbox.x2, d.bbox.y2];
                let distance = if id.is_empty() { None } else { distances.get(id).copied() };
                vision_edge::draw::draw_detection(&mut img, bbox, color, name, d.score, id, distance);
            }
            drop(distances);
            if let Err(e) = annotated_pub.publish(&vision_edge::to_image_msg(img, frame.header)) {
                tracing::debug!(error = %e, "publishing the annotated image failed");
            }
        }
    }
    Ok(())
}
