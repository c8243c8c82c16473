//! aihat_msgs (vision_msgs-shaped) messages from model results.

use detection3d::{GeometryError, Intrinsics};
use r2r::aihat_msgs::msg::{BoundingBox2D, Detection2D, ObjectHypothesis, ObjectHypothesisWithPose, Point2D, Pose2D};
use r2r::sensor_msgs::msg::CameraInfo;
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

/// sensor_msgs/CameraInfo of an ideal pinhole camera (no distortion, identity rectification), as
/// a camera driver without a calibration file publishes it with known intrinsics.
pub fn camera_info(header: Header, k: &Intrinsics) -> CameraInfo {
    CameraInfo {
        header,
        height: k.height,
        width: k.width,
        distortion_model: "plumb_bob".into(),
        d: vec![0.0; 5],
        k: k.k().to_vec(),
        r: vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0],
        p: vec![k.fx, 0.0, k.cx, 0.0, 0.0, k.fy, k.cy, 0.0, 0.0, 0.0, 1.0, 0.0],
        ..Default::default()
    }
}

/// The intrinsics a CameraInfo gives (its `K` and image size); an uncalibrated camera's all-zero
/// `K`, or a wrong-length one, is an error.
pub fn intrinsics(info: &CameraInfo) -> Result<Intrinsics, GeometryError> {
    let k: [f64; 9] = info
        .k
        .as_slice()
        .try_into()
        .map_err(|_| GeometryError::BadIntrinsics(format!("K has {} values, not 9", info.k.len())))?;
    Intrinsics::from_k(&k, info.width, info.height)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camera_info_round_trips_the_intrinsics() {
        let k = Intrinsics::from_hfov(640, 480, 66.0).unwrap();
        let info = camera_info(Header::default(), &k);
        assert_eq!(intrinsics(&info).unwrap(), k);
        assert!(intrinsics(&CameraInfo { width: 640, height: 480, k: vec![0.0; 9], ..Default::default() }).is_err());
        assert!(intrinsics(&CameraInfo { width: 640, height: 480, k: vec![], ..Default::default() }).is_err());
    }

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
