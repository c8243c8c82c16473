//! Ultralytics-compatible letterbox (`LetterBox(auto=False, scale_fill=False, scaleup=True, center=True)`)
//! and the inverse mapping used by `scale_boxes` / `scale_coords`.

use image::RgbImage;

use crate::YoloError;

/// Ultralytics pads with grey 114 on every channel.
pub const PAD_VALUE: u8 = 114;

/// Geometry of one letterbox operation: enough to build the input tensor and to map model-space
/// coordinates back onto the original image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Letterbox {
    pub orig_w: u32,
    pub orig_h: u32,
    pub input_w: u32,
    pub input_h: u32,
    /// Size of the resized image inside the padded canvas.
    pub new_w: u32,
    pub new_h: u32,
    /// Padding actually applied (left/top/right/bottom), as in `cv2.copyMakeBorder`.
    pub left: u32,
    pub top: u32,
    pub right: u32,
    pub bottom: u32,
    /// `min(input_h / orig_h, input_w / orig_w)`.
    pub gain: f64,
    /// Per-axis factors `scale_boxes`/`scale_coords` divide by (Ultralytics >= 8.4 uses the *rounded*
    /// resized size, `new_w / orig_w`, not `gain`, so a 1-pixel rounding does not shift boxes).
    pub gain_x: f64,
    pub gain_y: f64,
}

impl Letterbox {
    /// Compute the letterbox for an `orig_w x orig_h` image into an `input_w x input_h` model input.
    ///
    /// All rounding is Python's `round` (half to even) in f64, as in Ultralytics, so that odd sizes give
    /// the same one-pixel pad split.
    pub fn new(orig_w: u32, orig_h: u32, input_w: u32, input_h: u32) -> Result<Self, YoloError> {
        if orig_w == 0 || orig_h == 0 {
            return Err(YoloError::EmptyImage { width: orig_w, height: orig_h });
        }
        if input_w == 0 || input_h == 0 {
            return Err(YoloError::BadInputSize { width: input_w, height: input_h });
        }
        let (w, h, iw, ih) = (f64::from(orig_w), f64::from(orig_h), f64::from(input_w), f64::from(input_h));
        let r = (ih / h).min(iw / w);
        // A 1xN sliver scaled down could round to 0 pixels; cv2.resize would throw, we keep 1 pixel.
        let new_w = ((w * r).round_ties_even() as u32).clamp(1, input_w);
        let new_h = ((h * r).round_ties_even() as u32).clamp(1, input_h);
        let dw = f64::from(input_w - new_w) / 2.0;
        let dh = f64::from(input_h - new_h) / 2.0;
        let top = (dh - 0.1).round_ties_even().max(0.0) as u32;
        let bottom = (dh + 0.1).round_ties_even().max(0.0) as u32;
        let left = (dw - 0.1).round_ties_even().max(0.0) as u32;
        let right = (dw + 0.1).round_ties_even().max(0.0) as u32;
        let gain_x = f64::from(new_w) / w;
        let gain_y = f64::from(new_h) / h;
        Ok(Self { orig_w, orig_h, input_w, input_h, new_w, new_h, left, top, right, bottom, gain: r, gain_x, gain_y })
    }

    /// Map an x coordinate in model-input pixels to original-image pixels (not clipped).
    #[inline]
    pub fn unmap_x(&self, x: f32) -> f32 {
        (x - self.left as f32) / self.gain_x as f32
    }

    /// Map a y coordinate in model-input pixels to original-image pixels (not clipped).
    #[inline]
    pub fn unmap_y(&self, y: f32) -> f32 {
        (y - self.top as f32) / self.gain_y as f32
    }
}

/// Reusable letterbox preprocessor: owns the scratch buffer so a steady camera stream does
/// no per-frame allocation beyond the output tensor growth on the first frame.
pub struct Preprocessor {
    resized: Vec<u8>,
    lut: [f32; 256],
}

impl Default for Preprocessor {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Preprocessor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Preprocessor").finish_non_exhaustive()
    }
}

impl Preprocessor {
    pub fn new() -> Self {
        // v / 255 computed in f32 exactly as `im.float() / 255` in torch.
        let mut lut = [0f32; 256];
        for (i, v) in lut.iter_mut().enumerate() {
            *v = i as f32 / 255.0;
        }
        Self { resized: Vec::new(), lut }
    }

    /// Resize `img` to the letterbox's inner size into `self.resized` (tightly packed RGB), with the
    /// cv2-exact bilinear kernel ([`resize_bilinear_cv2`]); skipped when the size already matches, as
    /// Ultralytics does.
    fn resize(&mut self, img: &RgbImage, lb: &Letterbox) {
        let (w, h) = img.dimensions();
        if (w, h) == (lb.new_w, lb.new_h) {
            self.resized.clear();
            self.resized.extend_from_slice(img.as_raw());
        } else {
            resize_bilinear_cv2(img.as_raw(), w, h, lb.new_w, lb.new_h, &mut self.resized);
        }
    }

    /// Letterbox `img` into a `1x3xHxW` RGB float tensor in `[0, 1]` (NCHW), written into `out`.
    pub fn to_nchw_f32(&mut self, img: &RgbImage, input_w: u32, input_h: u32, out: &mut Vec<f32>) -> Result<Letterbox, YoloError> {
        let _span = tracing::trace_span!("letterbox_nchw", w = img.width(), h = img.height()).entered();
        let lb = Letterbox::new(img.width(), img.height(), input_w, input_h)?;
        self.resize(img, &lb);
        let (iw, ih) = (input_w as usize, input_h as usize);
        let plane = iw * ih;
        out.clear();
        out.resize(3 * plane, self.lut[PAD_VALUE as usize]);
        let (nw, nh, left, top) = (lb.new_w as usize, lb.new_h as usize, lb.left as usize, lb.top as usize);
        let (r_plane, rest) = out.split_at_mut(plane);
        let (g_plane, b_plane) = rest.split_at_mut(plane);
        for (y, row) in self.resized.chunks_exact(nw * 3).take(nh).enumerate() {
            let base = (top + y) * iw + left;
            let (r, g, b) = (&mut r_plane[base..base + nw], &mut g_plane[base..base + nw], &mut b_plane[base..base + nw]);
            for (x, px) in row.chunks_exact(3).enumerate() {
                r[x] = self.lut[px[0] as usize];
                g[x] = self.lut[px[1] as usize];
                b[x] = self.lut[px[2] as usize];
            }
        }
        Ok(lb)
    }

    /// Letterbox `img` into a padded `input_w x input_h` RGB8 image (for backends that take u8 NHWC,
    /// e.g. a Hailo HEF, and for debugging).
    pub fn to_rgb8(&mut self, img: &RgbImage, input_w: u32, input_h: u32) -> Result<(RgbImage, Letterbox), YoloError> {
        let lb = Letterbox::new(img.width(), img.height(), input_w, input_h)?;
        self.resize(img, &lb);
        let mut canvas = RgbImage::from_pixel(input_w, input_h, image::Rgb([PAD_VALUE; 3]));
        let (nw, left, top) = (lb.new_w as usize, lb.left as usize, lb.top as usize);
        let stride = input_w as usize * 3;
        let buf: &mut [u8] = &mut canvas;
        for (y, row) in self.resized.chunks_exact(nw * 3).take(lb.new_h as usize).enumerate() {
            let off = (top + y) * stride + left * 3;
            buf[off..off + nw * 3].copy_from_slice(row);
        }
        Ok((canvas, lb))
    }
}

/// Precision of OpenCV's fixed-point bilinear weights (`INTER_RESIZE_COEF_BITS`).
const COEF_BITS: u32 = 11;
const COEF_SCALE: f32 = (1 << COEF_BITS) as f32;

/// Source index and fixed-point weights for one destination coordinate, computed as `cv::resize` does:
/// half-pixel centres `(d + 0.5) * src/dst - 0.5` in float, floor, weights rounded to 11 bits.
#[inline]
fn cv2_tap(d: usize, scale: f64) -> (i64, [i32; 2]) {
    let f = ((d as f64 + 0.5) * scale - 0.5) as f32;
    let s = f.floor();
    let f = f - s;
    (s as i64, [((1.0 - f) * COEF_SCALE).round_ties_even() as i32, (f * COEF_SCALE).round_ties_even() as i32])
}

/// Bilinear RGB8 resize that reproduces OpenCV's `cv2.resize(..., interpolation=cv2.INTER_LINEAR)`
/// integer path bit for bit (measured: 0 differing bytes against opencv-python 5.0 on six
/// down/up-scaling cases, see `examples/resize_compare.rs`).
///
/// Why not a crate: `image`'s `Triangle` and `fast_image_resize`'s `Convolution` widen the kernel when
/// shrinking (antialiasing, like PIL): up to 83 levels off on bus.jpg. `fast_image_resize`'s
/// `Interpolation(Bilinear)` has the right kernel but different fixed-point rounding (±1 level on ~15%
/// of bytes), which moved one sensitive pose keypoint by ~4 px. The model was validated on cv2 input,
/// so we match cv2 exactly: horizontal pass into i32 (`src * w`, weights summing to 2048; at the right
/// and left edges the tap is clamped with weight 0 as cv2 does), vertical pass with the rounding of
/// cv2's `VResizeLinearVec_32s8u` kernel: `((b0*(s0>>4))>>16 + (b1*(s1>>4))>>16 + 2) >> 2`.
/// (cv2 also maps an exact 2x downscale to `INTER_AREA`; for 2x bilinear that is the same 2x2 mean.)
///
/// `src` is tightly packed RGB `sw x sh`; `dst` is resized to `dw * dh * 3`. Zero sizes produce an
/// empty `dst`.
pub fn resize_bilinear_cv2(src: &[u8], sw: u32, sh: u32, dw: u32, dh: u32, dst: &mut Vec<u8>) {
    let (sw, sh, dw, dh) = (sw as usize, sh as usize, dw as usize, dh as usize);
    dst.clear();
    if sw == 0 || sh == 0 || dw == 0 || dh == 0 || src.len() < sw * sh * 3 {
        return;
    }
    dst.resize(dw * dh * 3, 0);
    let scale_x = sw as f64 / dw as f64;
    let xs: Vec<(usize, usize, [i32; 2])> = (0..dw)
        .map(|d| {
            let (s, mut w) = cv2_tap(d, scale_x);
            // cv2 clamps the horizontal tap at the borders and gives the outside pixel weight 0.
            let s = if s < 0 {
                w = [1 << COEF_BITS, 0];
                0
            } else if s >= sw as i64 - 1 {
                w = [1 << COEF_BITS, 0];
                sw - 1
            } else {
                s as usize
            };
            (s * 3, (s + 1).min(sw - 1) * 3, w)
        })
        .collect();
    let hrow = |y: usize, out: &mut Vec<i32>| {
        out.clear();
        let row = &src[y * sw * 3..(y + 1) * sw * 3];
        for &(a, b, [w0, w1]) in &xs {
            for c in 0..3 {
                out.push(i32::from(row[a + c]) * w0 + i32::from(row[b + c]) * w1);
            }
        }
    };
    let scale_y = sh as f64 / dh as f64;
    let (mut r0, mut r1) = (Vec::with_capacity(dw * 3), Vec::with_capacity(dw * 3));
    let mut cached = (usize::MAX, usize::MAX);
    for (dy, out) in dst.chunks_exact_mut(dw * 3).enumerate() {
        // Vertically cv2 keeps the unclamped weights and clamps the row indices instead.
        let (sy, [b0, b1]) = cv2_tap(dy, scale_y);
        let y0 = sy.clamp(0, sh as i64 - 1) as usize;
        let y1 = (sy + 1).clamp(0, sh as i64 - 1) as usize;
        // Consecutive output rows usually share source rows; swap instead of recomputing.
        if cached.1 == y0 && cached.0 != y0 {
            std::mem::swap(&mut r0, &mut r1);
            cached = (y0, usize::MAX);
        }
        if cached.0 != y0 {
            hrow(y0, &mut r0);
        }
        if cached.1 != y1 {
            hrow(y1, &mut r1);
        }
        cached = (y0, y1);
        for ((o, &s0), &s1) in out.iter_mut().zip(&r0).zip(&r1) {
            let v = (((b0 * (s0 >> 4)) >> 16) + ((b1 * (s1 >> 4)) >> 16) + 2) >> 2;
            *o = v.clamp(0, 255) as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lb(w: u32, h: u32) -> Letterbox {
        Letterbox::new(w, h, 640, 640).unwrap()
    }

    #[test]
    fn landscape_640x480() {
        let l = lb(640, 480);
        assert_eq!((l.new_w, l.new_h), (640, 480));
        assert_eq!((l.left, l.right, l.top, l.bottom), (0, 0, 80, 80));
        assert_eq!((l.gain_x, l.gain_y), (1.0, 1.0));
    }

    #[test]
    fn portrait_bus_810x1080() {
        // bus.jpg: r = 640/1080, new = (480, 640), dw = 80
        let l = lb(810, 1080);
        assert_eq!((l.new_w, l.new_h), (480, 640));
        assert_eq!((l.left, l.right, l.top, l.bottom), (80, 80, 0, 0));
    }

    #[test]
    fn zidane_1280x720() {
        let l = lb(1280, 720);
        assert_eq!((l.new_w, l.new_h), (640, 360));
        assert_eq!((l.left, l.right, l.top, l.bottom), (0, 0, 140, 140));
    }

    #[test]
    fn odd_padding_splits_like_ultralytics() {
        // 641x480: r = 640/641, new_h = round(479.25) = 479, dh = 80.5 -> top round(80.4)=80, bottom round(80.6)=81
        let l = lb(641, 480);
        assert_eq!((l.new_w, l.new_h), (640, 479));
        assert_eq!((l.top, l.bottom), (80, 81));
        assert_eq!(l.top + l.new_h + l.bottom, 640);
        // 333x500 (odd both): r = 1.28, new = (426.24 -> 426, 640), dw = 107
        let l = lb(333, 500);
        assert_eq!((l.new_w, l.new_h, l.left, l.right), (426, 640, 107, 107));
        // 99x100 upscales: r = 6.4, new_w = round(633.6) = 634, dw = 3
        let l = lb(99, 100);
        assert_eq!((l.new_w, l.left, l.right), (634, 3, 3));
        // 1x1000 sliver: new_w round(0.64) = 1
        let l = lb(1, 1000);
        assert_eq!((l.new_w, l.new_h, l.left, l.right), (1, 640, 319, 320));
    }

    #[test]
    fn python_round_half_even() {
        // w*r exactly x.5: 5x2 -> r=128 (h limits: 640/2=320, w: 640/5=128) -> new (640, 256)
        // construct a tie: orig 3x2 into 9x9 -> r=3, new (9,6), dh=1.5 -> top round(1.4)=1, bottom round(1.6)=2
        let l = Letterbox::new(3, 2, 9, 9).unwrap();
        assert_eq!((l.new_w, l.new_h, l.top, l.bottom), (9, 6, 1, 2));
        // orig 2x4 into 5x5: r=1.25, new_w = round(2.5) = 2 (half-even), dw = 1.5 -> left 1, right 2
        let l = Letterbox::new(2, 4, 5, 5).unwrap();
        assert_eq!((l.new_w, l.new_h, l.left, l.right), (2, 5, 1, 2));
    }

    #[test]
    fn non_square_input() {
        let l = Letterbox::new(1280, 720, 640, 384).unwrap();
        // r = min(384/720, 640/1280) = 0.5 -> (640, 360), dh = 12
        assert_eq!((l.new_w, l.new_h, l.top, l.bottom, l.left), (640, 360, 12, 12, 0));
    }

    #[test]
    fn empty_and_bad_sizes() {
        assert!(matches!(Letterbox::new(0, 10, 640, 640), Err(YoloError::EmptyImage { .. })));
        assert!(matches!(Letterbox::new(10, 10, 0, 640), Err(YoloError::BadInputSize { .. })));
    }

    #[test]
    fn unmap_round_trip() {
        let l = lb(810, 1080);
        let x = 80.0 + 100.0 * l.gain_x as f32;
        assert!((l.unmap_x(x) - 100.0).abs() < 1e-3);
        assert!((l.unmap_y(0.0)).abs() < 1e-6);
    }

    #[test]
    fn tensor_has_exact_pad_values_and_layout() {
        let img = RgbImage::from_pixel(4, 2, image::Rgb([255, 0, 10]));
        let mut p = Preprocessor::new();
        let mut t = Vec::new();
        let l = p.to_nchw_f32(&img, 8, 8, &mut t).unwrap();
        assert_eq!((l.new_w, l.new_h, l.top, l.bottom), (8, 4, 2, 2));
        assert_eq!(t.len(), 3 * 64);
        let pad = 114.0 / 255.0;
        // row 0 and row 7 are pad in every channel, rows 2..6 are the image
        for c in 0..3 {
            assert!(t[c * 64..c * 64 + 16].iter().all(|&v| v == pad));
            assert!(t[c * 64 + 48..c * 64 + 64].iter().all(|&v| v == pad));
        }
        assert!(t[16..48].iter().all(|&v| v == 1.0));
        assert!(t[64 + 16..64 + 48].iter().all(|&v| v == 0.0));
        assert!(t[128 + 16..128 + 48].iter().all(|&v| v == 10.0 / 255.0));
        let (canvas, _) = p.to_rgb8(&img, 8, 8).unwrap();
        assert_eq!(canvas.get_pixel(0, 0).0, [114, 114, 114]);
        assert_eq!(canvas.get_pixel(3, 3).0, [255, 0, 10]);
        assert_eq!(canvas.get_pixel(7, 6).0, [114, 114, 114]);
    }
}
