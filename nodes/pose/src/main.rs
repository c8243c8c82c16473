//! pose: Ultralytics YOLO-pose on `image` / `image/compressed`, published as
//! `aihat_msgs/PersonPoseArray` on `poses` with the source header (per person: box and score as a
//! Detection2D, 17 COCO keypoints with scores), and (optionally) a skeleton image on `poses/image`.
//!
//! Data path: subscribe -> latest frame -> decode -> arbiter grant -> infer (letterbox, ONNX
//! Runtime, decode + NMS, boxes and keypoints back to the image) -> publish.

use r2r::aihat_msgs::msg::{Keypoint2D, PersonPose, PersonPoseArray};
use r2r::sensor_msgs::msg::Image;
use r2r::std_msgs::msg::Header;
use r2r::QosProfile;
use ros_edge::{NodeParams, in_range};
use vision_edge::tracking::{Observed, TrackIds, TrackingParams};
use vision_edge::{HasVision, VisionNode};
use yolo::{DetectConfig, PoseDetection};

/// PersonPose carries exactly the 17 COCO keypoints (r2r refuses any other length at publish).
const COCO_KEYPOINTS: usize = 17;

vision_edge::vision_node_params! {
    struct Params {
        /// Ultralytics pose ONNX export with 17 COCO keypoints (metadata: imgsz, kpt_shape, task=pose); backend hailo: a Hailo model zoo YOLOv8 pose HEF (yolov8s_pose; raw outputs, decoded on the host).
        model_path: String = String::new(),
        /// Minimum person score of a published pose [0, 1].
        score_threshold: f64 = 0.25,
        /// NMS IoU threshold: a person box overlapping a better one by more than this is suppressed [0, 1].
        // Ultralytics predict's default: the node's output is what `YOLO(model).predict()` gives.
        iou_threshold: f64 = 0.7,
        /// At most this many persons per image [1, 1000].
        max_detections: i64 = 300,
        /// Keypoints scoring above this are drawn on poses/image; all 17 are published with their scores [0, 1].
        keypoint_threshold: f64 = 0.5,
        /// Publish the image with boxes and skeletons on poses/image.
        publish_annotated: bool = false,
        /// Persistent person ids (`tracking.enabled`, thresholds, buffer): see vision_edge::tracking.
        tracking: TrackingParams = TrackingParams::default(),
    }
    expected_rate_hz = 15.0;
}

impl NodeParams for Params {
    fn validate(&self) -> Result<(), (String, String)> {
        in_range("score_threshold", self.score_threshold, 0.0, 1.0)?;
        in_range("iou_threshold", self.iou_threshold, 0.0, 1.0)?;
        in_range("max_detections", self.max_detections, 1, 1000)?;
        in_range("keypoint_threshold", self.keypoint_threshold, 0.0, 1.0)?;
        self.tracking.validate()?;
        self.vision().validate()
    }
}

impl Params {
    fn detect_config(&self) -> DetectConfig {
        DetectConfig {
            conf_threshold: self.tracking.detect_threshold(self.score_threshold) as f32,
            iou_threshold: self.iou_threshold as f32,
            max_det: self.max_detections as usize,
            ..Default::default()
        }
    }
}

/// The published persons: `(index into persons, id)` as the tracker chose them.
fn to_msg(persons: &[PoseDetection], published: &[(usize, String)], header: &Header) -> PersonPoseArray {
    let persons = published
        .iter()
        .map(|(i, id)| {
            let p = &persons[*i];
            PersonPose {
                detection: vision_edge::msg::detection_2d(header, &p.bbox, 0, p.score, id.clone()),
                keypoints: (0..COCO_KEYPOINTS)
                    .map(|k| p.keypoints.get(k).map_or_else(Keypoint2D::default, |kp| Keypoint2D { x: kp.x as f64, y: kp.y as f64, score: kp.score }))
                    .collect(),
            }
        })
        .collect();
    PersonPoseArray { header: header.clone(), persons }
}

fn observed(persons: &[PoseDetection]) -> Vec<Observed> {
    persons.iter().map(|p| Observed { bbox: [p.bbox.x1, p.bbox.y1, p.bbox.x2, p.bbox.y2], score: p.score, class_id: 0 }).collect()
}

/// The message has room for one class and 17 keypoints: anything else is a wrong model, said at start.
fn check_coco_pose(spec: &yolo::ModelSpec) -> anyhow::Result<()> {
    let kpt = spec.kpt_shape.unwrap_or([0, 0]);
    anyhow::ensure!(
        kpt[0] == COCO_KEYPOINTS && spec.names.len() == 1,
        "model '{}': expected a person pose model with {COCO_KEYPOINTS} COCO keypoints and 1 class; got kpt_shape {kpt:?} and {} classes",
        spec.path.display(),
        spec.names.len()
    );
    Ok(())
}

/// The CPU backend comes from vision_edge (shared with detection); the Hailo one is this node's
/// own, compiled only with the `hailo` (device) or `hailo-double` (tests) feature.
fn load_pose(p: &Params, threads: usize) -> anyhow::Result<Box<dyn inference::PoseEstimator>> {
    let m = load_backend(&p.backend, p.model_path.as_ref(), threads)?;
    check_coco_pose(m.spec())?;
    Ok(m)
}

fn load_backend(backend: &str, path: &std::path::Path, threads: usize) -> anyhow::Result<Box<dyn inference::PoseEstimator>> {
    #[cfg(any(feature = "hailo", feature = "hailo-double"))]
    if backend == "hailo" {
        if hailo::NATIVE_LAYER == Some("hailo-double") {
            tracing::warn!("backend hailo runs on the TEST DOUBLE of the Hailo shim: canned outputs, no device");
        }
        // Raw head outputs, decoded and NMS'd on the host with the run-time settings: no
        // on-chip thresholds to configure.
        return Ok(Box::new(hailo::native::HailoPose::load(path, &Default::default(), Default::default())?));
    }
    vision_edge::model::load_pose(backend, path, threads)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let node = VisionNode::<Params, Box<dyn inference::PoseEstimator>>::start("pose", load_pose).await?;
    let (ros, model) = (&node.ros, &node.model);
    let (pose_pub, annotated_pub) = {
        let mut node = ros.node.lock().unwrap();
        (
            node.create_publisher::<PersonPoseArray>("poses", QosProfile::default().keep_last(10))?,
            node.create_publisher::<Image>("poses/image", vision_edge::annotated_qos())?,
        )
    };
    let mut frames = node.frames().await?;
    let mut track_ids = TrackIds::default();

    while let Some(granted) = frames.next(|| node.enabled()).await {
        let p = ros.params();
        let cfg = p.detect_config();
        let Some((timed, frame)) = frames.infer(model, granted, move |m, rgb| m.estimate(rgb, &cfg)).await? else {
            continue;
        };
        let published = track_ids.assign(&p.tracking, &observed(&timed.value), frame.n, p.score_threshold as f32);
        let msg = to_msg(&timed.value, &published, &frame.header);
        if let Err(e) = pose_pub.publish(&msg) {
            tracing::warn!(error = %e, "publishing poses failed");
            continue;
        }
        frames.published_timed(&frame, msg.persons.len(), timed.timings.inference);
        if p.publish_annotated {
            let mut img = frame.rgb;
            let min_score = p.keypoint_threshold as f32;
            for (i, id) in &published {
                let person = &timed.value[*i];
                let b = &person.bbox;
                vision_edge::draw::draw_detection(&mut img, [b.x1, b.y1, b.x2, b.y2], vision_edge::draw::class_color(0), "person", person.score, id, None);
                let kpts: Vec<_> = person.keypoints.iter().map(|k| (k.x, k.y, k.score)).collect();
                vision_edge::draw::draw_skeleton(&mut img, &kpts, min_score);
            }
            if let Err(e) = annotated_pub.publish(&vision_edge::to_image_msg(img, frame.header)) {
                tracing::debug!(error = %e, "publishing the annotated image failed");
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use yolo::{BBox, Keypoint, ModelMetadata, Task};

    fn spec(kpt_shape: [usize; 2], names: &[&str]) -> yolo::ModelSpec {
        let meta = ModelMetadata {
            task: Some(Task::Pose),
            names: Some(names.iter().map(|s| s.to_string()).collect()),
            imgsz: Some([64, 64]),
            kpt_shape: Some(kpt_shape),
            ..Default::default()
        };
        let channels = 4 + names.len() + kpt_shape[0] * kpt_shape[1];
        yolo::validate_model("m.onnx".as_ref(), Task::Pose, &meta, &[vec![1, 3, 64, 64]], &[vec![1, channels as i64, 8]])
            .unwrap()
    }

    #[test]
    fn only_coco_person_models_fit_the_message() {
        assert!(check_coco_pose(&spec([17, 3], &["person"])).is_ok());
        assert!(check_coco_pose(&spec([17, 2], &["person"])).is_ok());
        let e = check_coco_pose(&spec([21, 3], &["hand"])).unwrap_err().to_string();
        assert!(e.contains("m.onnx") && e.contains("[21, 3]"), "{e}");
        assert!(check_coco_pose(&spec([17, 3], &["person", "dog"])).is_err());
    }

    #[test]
    fn every_person_gets_exactly_17_keypoints_and_the_source_header() {
        let header = Header { frame_id: "cam".into(), ..Default::default() };
        let kp = |i: usize| Keypoint { x: i as f32, y: 2.0 * i as f32, score: 0.9 };
        let short = PoseDetection { bbox: BBox { x1: 0.0, y1: 0.0, x2: 4.0, y2: 8.0 }, score: 0.8, keypoints: (0..5).map(kp).collect() };
        let full = PoseDetection { keypoints: (0..17).map(kp).collect(), ..short.clone() };
        let msg = to_msg(&[full, short], &[(0, "3".into()), (1, "7-1".into())], &header);
        assert_eq!(msg.header.frame_id, "cam");
        assert!(msg.persons.iter().all(|p| p.keypoints.len() == COCO_KEYPOINTS));
        assert_eq!((msg.persons[0].keypoints[16].x, msg.persons[0].keypoints[16].y), (16.0, 32.0));
        // A model with fewer keypoints cannot get past check_coco_pose; were it to, the missing
        // ones are published with score 0 rather than failing the publish.
        assert_eq!(msg.persons[1].keypoints[5].score, 0.0);
        assert_eq!(msg.persons[1].detection.id, "7-1");
        assert_eq!(msg.persons[0].detection.results[0].hypothesis.class_id, "0");
    }
}
