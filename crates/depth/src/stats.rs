//! A robust depth figure for one detection box.

/// Pixels of a `width x height` image whose centres lie inside a box, as half-open ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PixelBox {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
}

impl PixelBox {
    /// From a vision_msgs-style box (centre and full size, in pixels). Pixel `(u, v)` belongs to the box
    /// when its centre `(u + 0.5, v + 0.5)` is inside `[x1, x2) x [y1, y2)`: a box edge on a pixel
    /// boundary takes whole pixels, and two boxes that touch share none. Clamped to the image;
    /// `None` when nothing is left (or the box is not finite).
    pub fn from_center_size(cx: f64, cy: f64, size_x: f64, size_y: f64, width: u32, height: u32) -> Option<Self> {
        let (x1, x2) = (cx - size_x / 2.0, cx + size_x / 2.0);
        let (y1, y2) = (cy - size_y / 2.0, cy + size_y / 2.0);
        if ![x1, x2, y1, y2].iter().all(|v| v.is_finite()) {
            return None;
        }
        let first = |e: f64, n: u32| (e - 0.5).ceil().clamp(0.0, n as f64) as u32;
        let b = Self { x0: first(x1, width), x1: first(x2, width), y0: first(y1, height), y1: first(y2, height) };
        (b.x0 < b.x1 && b.y0 < b.y1).then_some(b)
    }

    pub fn area(&self) -> u64 {
        (self.x1 - self.x0) as u64 * (self.y1 - self.y0) as u64
    }
}

/// Median and interquartile range of the valid depth pixels in a box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoxStats {
    /// NaN when no pixel is valid.
    pub median: f32,
    /// Third minus first quartile; NaN when no pixel is valid.
    pub iqr: f32,
    pub valid: u32,
}

impl BoxStats {
    pub const EMPTY: Self = Self { median: f32::NAN, iqr: f32::NAN, valid: 0 };
}

/// The `q` quantile of ascending `sorted` values with linear interpolation between order statistics
/// (numpy's default `method="linear"`, Hyndman & Fan type 7), so a consumer checking the figure with
/// `np.median` / `np.percentile` gets the same number.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Statistics of `depth` (row-major, `width` wide) inside `b` over the pixels `valid` accepts.
///
/// Median and IQR rather than mean and spread: a box holds background around the object, and the
/// median stays on the object as long as it covers more than half the box, where a mean is pulled
/// towards whatever is behind it. `scratch` is reused between calls.
///
/// A box partly outside the map, or a map shorter than `width * height`, only loses those pixels.
pub fn box_stats(depth: &[f32], width: u32, b: &PixelBox, valid: impl Fn(f32) -> bool, scratch: &mut Vec<f64>) -> BoxStats {
    scratch.clear();
    let w = width as usize;
    for y in b.y0 as usize..b.y1 as usize {
        let (start, end) = (y * w + b.x0 as usize, (y * w + (b.x1 as usize).min(w)).min(depth.len()));
        if start >= end {
            break;
        }
        scratch.extend(depth[start..end].iter().copied().filter(|&v| valid(v)).map(f64::from));
    }
    if scratch.is_empty() {
        return BoxStats::EMPTY;
    }
    // Sorting beats repeated selection here: four order statistics, and boxes of a few thousand
    // to a few hundred thousand pixels.
    scratch.sort_unstable_by(f64::total_cmp);
    let q = |p| quantile_sorted(scratch, p);
    BoxStats { median: q(0.5) as f32, iqr: (q(0.75) - q(0.25)) as f32, valid: scratch.len().min(u32::MAX as usize) as u32 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn box_takes_pixels_whose_centres_are_inside() {
        // x 10..20, y 5..9 exactly on pixel boundaries: columns 10..19, rows 5..8.
        let b = PixelBox::from_center_size(15.0, 7.0, 10.0, 4.0, 100, 100).unwrap();
        assert_eq!(b, PixelBox { x0: 10, x1: 20, y0: 5, y1: 9 });
        assert_eq!(b.area(), 40);
        // Edges at 10.4 / 19.6: centre 10.5 is in, 19.5 is in, 20.5 is not.
        let b = PixelBox::from_center_size(15.0, 7.0, 9.2, 4.0, 100, 100).unwrap();
        assert_eq!((b.x0, b.x1), (10, 20));
        // Edges at 10.6 / 19.4: 10.5 and 19.5 are out.
        let b = PixelBox::from_center_size(15.0, 7.0, 8.8, 4.0, 100, 100).unwrap();
        assert_eq!((b.x0, b.x1), (11, 19));
        // Clamped to the image.
        let b = PixelBox::from_center_size(0.0, 0.0, 50.0, 50.0, 10, 8).unwrap();
        assert_eq!(b, PixelBox { x0: 0, x1: 10, y0: 0, y1: 8 });
        // Outside, degenerate or not finite: nothing.
        assert!(PixelBox::from_center_size(200.0, 5.0, 10.0, 10.0, 100, 100).is_none());
        assert!(PixelBox::from_center_size(50.0, 50.0, 0.0, 10.0, 100, 100).is_none());
        assert!(PixelBox::from_center_size(50.0, 50.0, -4.0, 10.0, 100, 100).is_none());
        assert!(PixelBox::from_center_size(f64::NAN, 50.0, 4.0, 10.0, 100, 100).is_none());
        assert!(PixelBox::from_center_size(50.0, 50.0, f64::INFINITY, 10.0, 100, 100).is_none());
    }

    #[test]
    fn quantiles_match_numpy_linear() {
        // np.percentile([1, 2, 3, 4], [25, 50, 75]) = [1.75, 2.5, 3.25]
        let s = [1.0, 2.0, 3.0, 4.0];
        assert_eq!([0.25, 0.5, 0.75].map(|q| quantile_sorted(&s, q)), [1.75, 2.5, 3.25]);
        // Odd count: the middle value; one value: itself for every q.
        assert_eq!(quantile_sorted(&[1.0, 3.0, 5.0], 0.5), 3.0);
        assert_eq!(quantile_sorted(&[7.0], 0.25), 7.0);
        assert!(quantile_sorted(&[], 0.5).is_nan());
    }

    #[test]
    fn stats_ignore_invalid_pixels_and_background_minority() {
        // 4x3 map; box = columns 1..3, rows 0..3 (6 pixels): object at 2.0 (4 px), background 0.1
        // (1 px), one NaN.
        #[rustfmt::skip]
        let d = [
            9.0, 2.0, 2.0, 9.0,
            9.0, 2.0, f32::NAN, 9.0,
            9.0, 0.1, 2.0, 9.0,
        ];
        let b = PixelBox { x0: 1, x1: 3, y0: 0, y1: 3 };
        let mut scratch = Vec::new();
        let s = box_stats(&d, 4, &b, f32::is_finite, &mut scratch);
        assert_eq!(s.valid, 5);
        assert_eq!(s.median, 2.0);
        assert_eq!(s.iqr, 0.0);
        // A stricter validity (metric: positive) drops more.
        let s = box_stats(&d, 4, &b, |v| v.is_finite() && v > 1.0, &mut scratch);
        assert_eq!(s.valid, 4);
        // Nothing valid: NaN figures, zero count.
        let s = box_stats(&d, 4, &b, |_| false, &mut scratch);
        assert_eq!(s.valid, 0);
        assert!(s.median.is_nan() && s.iqr.is_nan());
        // A box beyond a short buffer loses only the missing pixels, no panic.
        let s = box_stats(&d[..6], 4, &PixelBox { x0: 0, x1: 4, y0: 0, y1: 3 }, f32::is_finite, &mut scratch);
        assert_eq!(s.valid, 6);
    }
}
