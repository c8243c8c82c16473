//! Where a detected object is in space: its 2D box, a metric depth image of the same frame and
//! the camera's pinhole intrinsics give a 3D box in the camera's optical frame (REP 103: x right,
//! y down, z forward, metres).
//!
//! The depth of an object is the median of the valid depths in its box (robust to the background
//! a box always holds some of); its visible surface is the box's pixels within `depth_band_m` of
//! that median (yolo_ros' detect_3d does the same with a fixed band); the 3D box spans that
//! surface's depths and the 2D box's extent at its depth. A depth image measures surfaces, so
//! `size[2]` is the depth extent of what the camera sees of the object, not its full thickness.
//!
//! Pure functions, unit-tested on generated scenes; the depth node publishes the result as
//! `aihat_msgs/Detection3DArray`.

use depth::{PixelBox, quantile_sorted};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum GeometryError {
    #[error("camera intrinsics are not usable: {0}")]
    BadIntrinsics(String),
    #[error("the box lies outside the {width}x{height} depth image or is not finite")]
    BoxOutside { width: u32, height: u32 },
    #[error("only {valid} valid depth pixels in the box (at least {needed} needed)")]
    TooFewDepthPixels { valid: u32, needed: u32 },
    #[error("depth image of {len} values is not {width}x{height}")]
    BadDepthImage { len: usize, width: u32, height: u32 },
}

/// Pinhole intrinsics of an image of `width x height` pixels (sensor_msgs/CameraInfo's `K`).
/// Lens distortion is not modelled: rectified images, or a lens whose distortion is small at the
/// boxes' centres, are assumed (the usual case for a detector's input).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Intrinsics {
    pub fx: f64,
    pub fy: f64,
    pub cx: f64,
    pub cy: f64,
    pub width: u32,
    pub height: u32,
}

impl Intrinsics {
    /// From a row-major 3x3 camera matrix `k` = [fx 0 cx; 0 fy cy; 0 0 1] for a `width x height`
    /// image. An all-zero `K` (an uncalibrated camera's CameraInfo) is an error, not a guess.
    pub fn from_k(k: &[f64; 9], width: u32, height: u32) -> Result<Self, GeometryError> {
        let i = Self { fx: k[0], fy: k[4], cx: k[2], cy: k[5], width, height };
        i.check()?;
        Ok(i)
    }

    /// A camera with the given horizontal field of view, square pixels and the principal point at
    /// the image centre: the default for an uncalibrated camera of known lens.
    pub fn from_hfov(width: u32, height: u32, hfov_deg: f64) -> Result<Self, GeometryError> {
        if !(hfov_deg > 0.0 && hfov_deg < 180.0) {
            return Err(GeometryError::BadIntrinsics(format!("horizontal field of view {hfov_deg} deg is not in (0, 180)")));
        }
        let f = width as f64 / 2.0 / (hfov_deg.to_radians() / 2.0).tan();
        let i = Self { fx: f, fy: f, cx: width as f64 / 2.0, cy: height as f64 / 2.0, width, height };
        i.check()?;
        Ok(i)
    }

    fn check(&self) -> Result<(), GeometryError> {
        let finite = [self.fx, self.fy, self.cx, self.cy].iter().all(|v| v.is_finite());
        if !finite || self.fx <= 0.0 || self.fy <= 0.0 {
            return Err(GeometryError::BadIntrinsics(format!(
                "fx {} fy {} cx {} cy {} (focal lengths must be positive; an all-zero K means the camera is not calibrated)",
                self.fx, self.fy, self.cx, self.cy
            )));
        }
        if self.width == 0 || self.height == 0 {
            return Err(GeometryError::BadIntrinsics(format!("image size {}x{}", self.width, self.height)));
        }
        Ok(())
    }

    /// The same camera for an image of another size (a detector's input resized from the camera's,
    /// or binning): focal lengths and principal point scale with the image.
    pub fn scaled_to(&self, width: u32, height: u32) -> Self {
        if (width, height) == (self.width, self.height) {
            return *self;
        }
        let (sx, sy) = (width as f64 / self.width as f64, height as f64 / self.height as f64);
        Self { fx: self.fx * sx, fy: self.fy * sy, cx: self.cx * sx, cy: self.cy * sy, width, height }
    }

    /// The row-major camera matrix `K` (sensor_msgs/CameraInfo's `k`).
    pub fn k(&self) -> [f64; 9] {
        [self.fx, 0.0, self.cx, 0.0, self.fy, self.cy, 0.0, 0.0, 1.0]
    }

    /// The point at depth `z` (along the optical axis) seen at pixel coordinates `(u, v)`.
    pub fn back_project(&self, u: f64, v: f64, z: f64) -> [f64; 3] {
        [(u - self.cx) * z / self.fx, (v - self.cy) * z / self.fy, z]
    }

    /// Pixel coordinates of a point in front of the camera; `None` behind it.
    pub fn project(&self, p: [f64; 3]) -> Option<[f64; 2]> {
        (p[2] > 0.0).then(|| [self.fx * p[0] / p[2] + self.cx, self.fy * p[1] / p[2] + self.cy])
    }
}

/// A 2D detection box in pixels, vision_msgs style (centre and full size).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Box2D {
    pub cx: f64,
    pub cy: f64,
    pub width: f64,
    pub height: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocateOptions {
    /// Pixels farther than this from the box's median depth are background (or a nearer
    /// occluder), not the object, in metres.
    pub depth_band_m: f64,
    /// Fewer valid depth pixels than this in a box give no 3D box.
    pub min_valid_pixels: u32,
}

impl Default for LocateOptions {
    fn default() -> Self {
        Self { depth_band_m: 0.5, min_valid_pixels: 16 }
    }
}

/// A located object, in metres in the camera's optical frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Located {
    /// Centre of the 3D box.
    pub center: [f64; 3],
    /// Full extent along x, y, z.
    pub size: [f64; 3],
    /// Median depth of the box's valid pixels (along the optical axis).
    pub depth_median: f64,
    /// Pixels that make up the object's surface (within the band).
    pub surface_pixels: u32,
}

impl Located {
    /// Straight-line distance from the camera to the box centre.
    pub fn range(&self) -> f64 {
        self.center.iter().map(|v| v * v).sum::<f64>().sqrt()
    }
}

/// The 3D box of the object in `b`. `depth` is a metric depth image (metres along the optical
/// axis, row-major, `k.width x k.height`: use [`Intrinsics::scaled_to`] first if the camera's
/// size differs); a pixel is valid when finite and positive. `scratch` keeps its allocation
/// across calls.
pub fn locate(depth: &[f32], k: &Intrinsics, b: Box2D, opts: &LocateOptions, scratch: &mut Vec<f64>) -> Result<Located, GeometryError> {
    let (w, h) = (k.width, k.height);
    if depth.len() != w as usize * h as usize {
        return Err(GeometryError::BadDepthImage { len: depth.len(), width: w, height: h });
    }
    let pb = PixelBox::from_center_size(b.cx, b.cy, b.width, b.height, w, h).ok_or(GeometryError::BoxOutside { width: w, height: h })?;
    scratch.clear();
    for y in pb.y0..pb.y1 {
        let row = &depth[(y * w) as usize..][..w as usize];
        scratch.extend(row[pb.x0 as usize..pb.x1 as usize].iter().filter(|v| v.is_finite() && **v > 0.0).map(|&v| v as f64));
    }
    let valid = scratch.len() as u32;
    if valid < opts.min_valid_pixels.max(1) {
        return Err(GeometryError::TooFewDepthPixels { valid, needed: opts.min_valid_pixels.max(1) });
    }
    scratch.sort_unstable_by(f64::total_cmp);
    let median = quantile_sorted(scratch, 0.5);
    // Sorted, so the surface is one contiguous run around the median.
    let lo = scratch.partition_point(|&z| z < median - opts.depth_band_m);
    let hi = scratch.partition_point(|&z| z <= median + opts.depth_band_m);
    let (z_near, z_far) = (scratch[lo], scratch[hi - 1]);
    let zc = (z_near + z_far) / 2.0;
    let center = k.back_project(b.cx, b.cy, zc);
    let size = [b.width * zc / k.fx, b.height * zc / k.fy, z_far - z_near];
    Ok(Located { center, size, depth_median: median, surface_pixels: (hi - lo) as u32 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cam() -> Intrinsics {
        Intrinsics::from_k(&[500.0, 0.0, 320.0, 0.0, 500.0, 240.0, 0.0, 0.0, 1.0], 640, 480).unwrap()
    }

    /// A fronto-parallel rectangle of `size` (metres) centred at `c`, in front of a wall at
    /// `wall_z`, rendered as a depth image; returns the image and the rectangle's exact 2D box.
    fn scene(k: &Intrinsics, c: [f64; 3], size: [f64; 2], wall_z: f32) -> (Vec<f32>, Box2D) {
        let tl = k.project([c[0] - size[0] / 2.0, c[1] - size[1] / 2.0, c[2]]).unwrap();
        let br = k.project([c[0] + size[0] / 2.0, c[1] + size[1] / 2.0, c[2]]).unwrap();
        let mut d = vec![wall_z; (k.width * k.height) as usize];
        for v in 0..k.height {
            for u in 0..k.width {
                let (pu, pv) = (u as f64 + 0.5, v as f64 + 0.5);
                if pu >= tl[0] && pu < br[0] && pv >= tl[1] && pv < br[1] {
                    d[(v * k.width + u) as usize] = c[2] as f32;
                }
            }
        }
        let b = Box2D { cx: (tl[0] + br[0]) / 2.0, cy: (tl[1] + br[1]) / 2.0, width: br[0] - tl[0], height: br[1] - tl[1] };
        (d, b)
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn a_rectangle_in_front_of_a_wall_comes_back_at_its_place_and_size() {
        let k = cam();
        let (d, b) = scene(&k, [0.4, -0.2, 2.5], [0.6, 1.2], 6.0);
        // A box that also holds some wall: the median and the band keep only the rectangle.
        let loose = Box2D { width: b.width * 1.2, height: b.height * 1.2, ..b };
        let r = locate(&d, &k, loose, &LocateOptions::default(), &mut Vec::new()).unwrap();
        assert!(close(r.center[2], 2.5, 1e-6) && close(r.center[0], 0.4, 1e-6) && close(r.center[1], -0.2, 1e-6), "{r:?}");
        assert!(close(r.size[0], 0.72, 1e-6) && close(r.size[1], 1.44, 1e-6) && r.size[2] == 0.0, "{r:?}");
        let tight = locate(&d, &k, b, &LocateOptions::default(), &mut Vec::new()).unwrap();
        assert!(close(tight.size[0], 0.6, 1e-6) && close(tight.size[1], 1.2, 1e-6), "{tight:?}");
        assert!(close(tight.range(), (0.4f64 * 0.4 + 0.2 * 0.2 + 2.5 * 2.5).sqrt(), 1e-9));
    }

    #[test]
    fn a_tilted_surface_spans_its_depths() {
        let k = cam();
        // Depth grows linearly from 2.0 to 3.0 m across the box's rows (a ramp seen from above).
        let b = Box2D { cx: 320.0, cy: 240.0, width: 100.0, height: 100.0 };
        let mut d = vec![f32::NAN; 640 * 480];
        for v in 190..290u32 {
            for u in 270..370u32 {
                d[(v * 640 + u) as usize] = 2.0 + (v - 190) as f32 / 99.0;
            }
        }
        let r = locate(&d, &k, b, &LocateOptions { depth_band_m: 1.0, ..Default::default() }, &mut Vec::new()).unwrap();
        assert!(close(r.size[2], 1.0, 1e-6) && close(r.center[2], 2.5, 1e-6), "{r:?}");
        assert!(close(r.depth_median, 2.5, 0.01));
        assert_eq!(r.surface_pixels, 100 * 100);
    }

    #[test]
    fn invalid_pixels_and_boxes_are_errors_not_panics() {
        let k = cam();
        let d = vec![0.0f32; 640 * 480];
        let b = Box2D { cx: 100.0, cy: 100.0, width: 20.0, height: 20.0 };
        assert_eq!(
            locate(&d, &k, b, &Default::default(), &mut Vec::new()),
            Err(GeometryError::TooFewDepthPixels { valid: 0, needed: 16 })
        );
        let outside = Box2D { cx: -100.0, ..b };
        assert!(matches!(locate(&d, &k, outside, &Default::default(), &mut Vec::new()), Err(GeometryError::BoxOutside { .. })));
        let nan = Box2D { cx: f64::NAN, ..b };
        assert!(matches!(locate(&d, &k, nan, &Default::default(), &mut Vec::new()), Err(GeometryError::BoxOutside { .. })));
        assert!(matches!(locate(&d[..10], &k, b, &Default::default(), &mut Vec::new()), Err(GeometryError::BadDepthImage { .. })));
    }

    #[test]
    fn intrinsics_are_checked_and_scale_with_the_image() {
        assert!(Intrinsics::from_k(&[0.0; 9], 640, 480).is_err());
        assert!(Intrinsics::from_k(&[f64::NAN, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0], 640, 480).is_err());
        assert!(Intrinsics::from_hfov(640, 480, 0.0).is_err());
        let k = Intrinsics::from_hfov(640, 480, 90.0).unwrap();
        assert!(close(k.fx, 320.0, 1e-9) && close(k.cx, 320.0, 1e-12));
        let half = k.scaled_to(320, 240);
        assert!(close(half.fx, 160.0, 1e-9) && close(half.cy, 120.0, 1e-12));
        // The same 3D point projects to the same relative image position at both sizes.
        let p = [0.3, 0.1, 2.0];
        let (a, b) = (k.project(p).unwrap(), half.project(p).unwrap());
        assert!(close(a[0] / 2.0, b[0], 1e-9) && close(a[1] / 2.0, b[1], 1e-9));
        assert!(k.project([0.0, 0.0, -1.0]).is_none());
    }
}
