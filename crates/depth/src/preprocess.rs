//! Image -> `pixel_values`, and the model's output back to the image's size.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::RgbImage;

use crate::{DepthError, DepthMap};

/// ImageNet statistics, `image_mean` / `image_std` of the model's preprocessor config.
pub const IMAGENET_MEAN: [f32; 3] = [0.485, 0.456, 0.406];
pub const IMAGENET_STD: [f32; 3] = [0.229, 0.224, 0.225];
/// DINOv2's patch size: `ensure_multiple_of` in the preprocessor config; H and W must be multiples.
pub const PATCH_MULTIPLE: u32 = 14;

/// The network input size (width, height) for a `src_w x src_h` image.
///
/// `fixed`: the model's static H/W, if it has them; the image is then stretched to it (the aspect
/// ratio comes back when the output is resized to the image).
///
/// Otherwise transformers' `DPTImageProcessor` rule with `size = target x target`: with
/// `keep_aspect_ratio`, both sides are scaled by whichever of the two factors is closer to 1 ("scale
/// as little as possible"), then each side is rounded to the nearest multiple of 14 (Python `round`,
/// ties to even). 640x480 with target 518 gives 686x518. One difference: a side that would round to 0
/// (extreme aspect ratios) is kept at one multiple, where transformers would produce an empty tensor.
pub fn network_size(src_w: u32, src_h: u32, target: u32, keep_aspect: bool, fixed: Option<(u32, u32)>) -> Result<(u32, u32), DepthError> {
    if src_w == 0 || src_h == 0 {
        return Err(DepthError::EmptyImage { width: src_w, height: src_h });
    }
    if let Some((w, h)) = fixed {
        return if w == 0 || h == 0 { Err(DepthError::BadNetworkSize { width: w, height: h }) } else { Ok((w, h)) };
    }
    if target == 0 {
        return Err(DepthError::BadNetworkSize { width: 0, height: 0 });
    }
    let (mut scale_w, mut scale_h) = (target as f64 / src_w as f64, target as f64 / src_h as f64);
    if keep_aspect {
        if (1.0 - scale_w).abs() < (1.0 - scale_h).abs() {
            scale_h = scale_w;
        } else {
            scale_w = scale_h;
        }
    }
    let m = PATCH_MULTIPLE as f64;
    let constrain = |v: f64| (((v / m).round_ties_even() * m) as u32).max(PATCH_MULTIPLE);
    Ok((constrain(scale_w * src_w as f64), constrain(scale_h * src_h as f64)))
}

/// Builds the model input; keeps its buffers so a steady stream of frames does not reallocate.
pub struct Preprocessor {
    resizer: Resizer,
    resized: Vec<u8>,
}

impl Default for Preprocessor {
    fn default() -> Self {
        Self::new()
    }
}

impl Preprocessor {
    pub fn new() -> Self {
        Self { resizer: Resizer::new(), resized: Vec::new() }
    }

    /// `img` resized to `w x h` and normalised as the preprocessor config says, into `out` as a
    /// `[1, 3, h, w]` RGB float tensor (NCHW).
    ///
    /// Resize first, in u8, then rescale and normalise: the order of `DPTImageProcessor.preprocess`.
    /// Bicubic (PIL `BICUBIC`, `resample: 3`) is a Catmull-Rom convolution that widens when shrinking,
    /// which is what `fast_image_resize`'s `Convolution(CatmullRom)` computes (it is written to match
    /// Pillow).
    pub fn to_nchw(&mut self, img: &RgbImage, w: u32, h: u32, out: &mut Vec<f32>) -> Result<(), DepthError> {
        let (sw, sh) = img.dimensions();
        if sw == 0 || sh == 0 {
            return Err(DepthError::EmptyImage { width: sw, height: sh });
        }
        if w == 0 || h == 0 {
            return Err(DepthError::BadNetworkSize { width: w, height: h });
        }
        let pixels: &[u8] = if (sw, sh) == (w, h) {
            img.as_raw()
        } else {
            let src = ImageRef::new(sw, sh, img.as_raw(), PixelType::U8x3).map_err(|e| DepthError::Resize(e.to_string()))?;
            self.resized.clear();
            self.resized.resize(w as usize * h as usize * 3, 0);
            let mut dst = Image::from_slice_u8(w, h, &mut self.resized, PixelType::U8x3)
                .map_err(|e| DepthError::Resize(e.to_string()))?;
            let opts = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::CatmullRom));
            self.resizer.resize(&src, &mut dst, &opts).map_err(|e| DepthError::Resize(e.to_string()))?;
            &self.resized
        };
        // One table per channel: 256 entries replace a divide, subtract and divide per value.
        let lut: [[f32; 256]; 3] = std::array::from_fn(|c| {
            std::array::from_fn(|v| (v as f32 / 255.0 - IMAGENET_MEAN[c]) / IMAGENET_STD[c])
        });
        let plane = w as usize * h as usize;
        out.clear();
        out.resize(3 * plane, 0.0);
        let (r, rest) = out.split_at_mut(plane);
        let (g, b) = rest.split_at_mut(plane);
        for (i, px) in pixels.chunks_exact(3).take(plane).enumerate() {
            r[i] = lut[0][px[0] as usize];
            g[i] = lut[1][px[1] as usize];
            b[i] = lut[2][px[2] as usize];
        }
        Ok(())
    }
}

/// Bilinear resize of a float map with half-pixel centres and edge clamping (PyTorch
/// `interpolate(mode="bilinear", align_corners=False)`), for bringing the model's output back to the
/// image's size.
///
/// transformers' `post_process_depth_estimation` uses bicubic here; bilinear is chosen because it
/// never overshoots: at an object's edge bicubic invents values nearer than the object and farther
/// than the background, which would then leak into the per-box statistics. NaN in the source stays
/// NaN in the pixels it touches (it marks invalid depth).
pub fn resize_bilinear_f32(src: &DepthMap, dw: u32, dh: u32) -> DepthMap {
    let (sw, sh) = (src.width as usize, src.height as usize);
    let (dwu, dhu) = (dw as usize, dh as usize);
    if sw == 0 || sh == 0 || dwu == 0 || dhu == 0 || src.data.len() < sw * sh {
        return DepthMap { width: dw, height: dh, data: vec![f32::NAN; dwu * dhu] };
    }
    if (sw, sh) == (dwu, dhu) {
        return src.clone();
    }
    let taps = |d: usize, s: usize, n_dst: usize| -> (usize, usize, f32) {
        let x = ((d as f64 + 0.5) * s as f64 / n_dst as f64 - 0.5).max(0.0);
        let x0 = (x.floor() as usize).min(s - 1);
        let x1 = (x0 + 1).min(s - 1);
        (x0, x1, (x - x0 as f64) as f32)
    };
    let xs: Vec<_> = (0..dwu).map(|d| taps(d, sw, dwu)).collect();
    let mut data = Vec::with_capacity(dwu * dhu);
    for dy in 0..dhu {
        let (y0, y1, fy) = taps(dy, sh, dhu);
        let (r0, r1) = (&src.data[y0 * sw..(y0 + 1) * sw], &src.data[y1 * sw..(y1 + 1) * sw]);
        for &(x0, x1, fx) in &xs {
            let top = r0[x0] + (r0[x1] - r0[x0]) * fx;
            let bottom = r1[x0] + (r1[x1] - r1[x0]) * fx;
            data.push(top + (bottom - top) * fy);
        }
    }
    DepthMap { width: dw, height: dh, data }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_size_follows_the_dpt_rule() {
        // 640x480: height needs the least scaling (518/480), width follows: 690.7 -> 686.
        assert_eq!(network_size(640, 480, 518, true, None), Ok((686, 518)));
        // Portrait: width is the side closest to the target.
        assert_eq!(network_size(480, 640, 518, true, None), Ok((518, 686)));
        // Already square at the target.
        assert_eq!(network_size(518, 518, 518, true, None), Ok((518, 518)));
        // Without keeping the aspect: both sides to the target (a multiple already).
        assert_eq!(network_size(640, 480, 518, false, None), Ok((518, 518)));
        // Upscaling a small image: 100x50 -> scale 5.18 (closer to 1 than 10.36) -> 518x259 -> 518x252.
        assert_eq!(network_size(100, 50, 518, true, None), Ok((518, 252)));
        // Ties go to even as in Python: 21/14 = 1.5 -> 2 multiples (28); 35/14 = 2.5 -> 2 (28).
        assert_eq!(network_size(21, 35, 21, false, None).map(|(w, _)| w), Ok(28));
        assert_eq!(network_size(35, 21, 35, false, None).map(|(w, _)| w), Ok(28));
        // A sliver never becomes an empty tensor.
        assert_eq!(network_size(10_000, 10, 518, true, None), Ok((518, 14)));
        // Static model: its size, whatever the image.
        assert_eq!(network_size(640, 480, 518, true, Some((518, 518))), Ok((518, 518)));
        assert!(network_size(0, 480, 518, true, None).is_err());
        assert!(network_size(640, 480, 0, true, None).is_err());
        assert!(network_size(640, 480, 518, true, Some((0, 518))).is_err());
    }

    #[test]
    fn normalisation_is_imagenet_in_nchw_rgb_order() {
        let mut img = RgbImage::new(2, 1);
        img.put_pixel(0, 0, image::Rgb([255, 0, 128]));
        img.put_pixel(1, 0, image::Rgb([0, 255, 0]));
        let mut out = Vec::new();
        Preprocessor::new().to_nchw(&img, 2, 1, &mut out).unwrap();
        let n = |v: f32, c: usize| (v / 255.0 - IMAGENET_MEAN[c]) / IMAGENET_STD[c];
        let expect = [n(255.0, 0), n(0.0, 0), n(0.0, 1), n(255.0, 1), n(128.0, 2), n(0.0, 2)];
        for (a, b) in out.iter().zip(expect) {
            assert!((a - b).abs() < 1e-6, "{out:?}");
        }
    }

    #[test]
    fn resize_keeps_a_flat_image_flat_and_fills_the_tensor() {
        let img = RgbImage::from_pixel(640, 480, image::Rgb([10, 120, 250]));
        let mut out = Vec::new();
        let mut pre = Preprocessor::new();
        pre.to_nchw(&img, 686, 518, &mut out).unwrap();
        assert_eq!(out.len(), 3 * 686 * 518);
        let plane = 686 * 518;
        for (c, v) in [10.0f32, 120.0, 250.0].into_iter().enumerate() {
            let want = (v / 255.0 - IMAGENET_MEAN[c]) / IMAGENET_STD[c];
            assert!(out[c * plane..(c + 1) * plane].iter().all(|x| (x - want).abs() < 1e-5), "channel {c}");
        }
        // Buffers are reused: a second, smaller call gives a tensor of the new size.
        pre.to_nchw(&img, 14, 14, &mut out).unwrap();
        assert_eq!(out.len(), 3 * 14 * 14);
        assert!(pre.to_nchw(&RgbImage::new(0, 0), 14, 14, &mut out).is_err());
    }

    #[test]
    fn resize_keeps_a_horizontal_edge_in_place() {
        // Top half black, bottom half white, shrunk 2x: the edge stays in the middle, the halves stay
        // (nearly) black and white away from it.
        let img = RgbImage::from_fn(64, 64, |_, y| if y < 32 { image::Rgb([0; 3]) } else { image::Rgb([255; 3]) });
        let mut out = Vec::new();
        Preprocessor::new().to_nchw(&img, 32, 32, &mut out).unwrap();
        let black = (0.0 - IMAGENET_MEAN[0]) / IMAGENET_STD[0];
        let white = (1.0 - IMAGENET_MEAN[0]) / IMAGENET_STD[0];
        assert!((out[5 * 32 + 7] - black).abs() < 1e-3);
        assert!((out[26 * 32 + 7] - white).abs() < 1e-3);
    }

    #[test]
    fn bilinear_resize_matches_half_pixel_centres() {
        // A horizontal ramp 0, 1, 2, 3 upscaled 2x: centres map to -0.25, 0.25, 0.75, ... (clamped).
        let src = DepthMap { width: 4, height: 1, data: vec![0.0, 1.0, 2.0, 3.0] };
        let up = resize_bilinear_f32(&src, 8, 1);
        assert_eq!(up.data, vec![0.0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3.0]);
        // 2x down: the mean of each pair (a linear ramp sampled between two pixels).
        let down = resize_bilinear_f32(&src, 2, 2);
        assert_eq!((down.width, down.height), (2, 2));
        assert_eq!(down.data, vec![0.5, 2.5, 0.5, 2.5]);
        // A vertical ramp stays a ramp, columns untouched.
        let v = DepthMap { width: 2, height: 3, data: vec![0.0, 0.0, 3.0, 3.0, 6.0, 6.0] };
        let r = resize_bilinear_f32(&v, 2, 6);
        assert_eq!(r.data.chunks(2).map(|c| c[0]).collect::<Vec<_>>(), vec![0.0, 0.75, 2.25, 3.75, 5.25, 6.0]);
        // Same size: unchanged. Bad source: all NaN, right size, no panic.
        assert_eq!(resize_bilinear_f32(&v, 2, 3), v);
        let bad = resize_bilinear_f32(&DepthMap { width: 5, height: 5, data: vec![] }, 3, 2);
        assert_eq!(bad.data.len(), 6);
        assert!(bad.data.iter().all(|x| x.is_nan()));
    }

    #[test]
    fn output_shapes() {
        assert_eq!(DepthMap::from_output(&[1, 2, 3], vec![0.0; 6]).unwrap().width, 3);
        assert_eq!(DepthMap::from_output(&[1, 1, 2, 3], vec![0.0; 6]).unwrap().height, 2);
        assert!(DepthMap::from_output(&[1, 2, 3], vec![0.0; 5]).is_err());
        assert!(DepthMap::from_output(&[2, 2, 3], vec![0.0; 12]).is_err());
        assert!(DepthMap::from_output(&[1, 0, 3], vec![]).is_err());
        assert!(DepthMap::from_output(&[6], vec![0.0; 6]).is_err());
    }
}
