//! aihat_msgs (vision_msgs-shaped) messages from model results.

use r2r::aihat_msgs::msg::{BoundingBox2D, Detection2D, ObjectHypothesis, ObjectHypothesisWithPose, Point2D, Pose2D};
use r2r::std_msgs::msg::Header;

/// One Detection2D: a box given by corners in image pixels (vision_msgs wants centre and size),
/// the class index as a string, its score, and an id unique in the node's output (`frame-index`).
pub fn detection_2d(header: &Header, bbox: &yolo::BBox, class_id: usize, score: f32, id: String) -> Detection2D {
    Detection2D {
        header: header.clone(),
        results: vec![ObjectHypothesisWithPose {
            hypothesis: ObjectHypothesis { class_id: class_id.to_string(), score: score as f64 },
            ..Default::default()
        }],
        bbox: BoundingBox2D {
            center: Pose2D {
                position: Point2D { x: ((bbox.x1 + bbox.x2) / 2.0) as f64, y: ((bbox.y1 + bbox.y2) / 2.0) as f64 },
                theta: 0.0,
            },
            size_x: bbox.width() as f64,
            size_y: bbox.height() as f64,
        },
        id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corners_become_centre_and_size() {
        let b = yolo::BBox { x1: 10.0, y1: 20.0, x2: 30.0, y2: 60.0 };
        let d = detection_2d(&Header { frame_id: "cam".into(), ..Default::default() }, &b, 5, 0.5, "3-0".into());
        assert_eq!((d.bbox.center.position.x, d.bbox.center.position.y), (20.0, 40.0));
        assert_eq!((d.bbox.size_x, d.bbox.size_y), (20.0, 40.0));
        assert_eq!(d.results[0].hypothesis.class_id, "5");
        assert_eq!((d.header.frame_id.as_str(), d.id.as_str()), ("cam", "3-0"));
    }
}
