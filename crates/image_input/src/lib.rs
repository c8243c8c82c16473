//! Conversion of ROS image payloads (`sensor_msgs/Image`, `sensor_msgs/CompressedImage`) into
//! [`image::RgbImage`], and back to `rgb8` bytes for publishing.
//!
//! The crate deliberately knows nothing about ROS types: the node passes the message fields as plain
//! arguments, which keeps this testable without a ROS installation and reusable from any transport.
//!
//! Every function validates its input and returns [`ImageInputError`]; nothing here panics on what a
//! publisher sends, because a malformed frame from one misbehaving camera driver must not take the node
//! down.

use std::io::Cursor;

use image::{ImageFormat, ImageReader, RgbImage};

/// Default ceiling on decoded pixels: 8K UHD (7680x4320) with headroom. A Raspberry Pi node has no
/// business decoding anything bigger, and a hostile or broken header claiming 60000x60000 must be
/// rejected before we allocate for it.
pub const DEFAULT_MAX_PIXELS: u64 = 40_000_000;

/// Limits applied before any allocation proportional to the image size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputLimits {
    /// Maximum `width * height` accepted, checked from the message fields / compressed header.
    pub max_pixels: u64,
}

impl Default for InputLimits {
    fn default() -> Self {
        Self { max_pixels: DEFAULT_MAX_PIXELS }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImageInputError {
    #[error("unsupported image encoding '{0}' (supported: rgb8, bgr8, rgba8, bgra8, mono8, mono16, rgb16, bgr16, rgba16, bgra16, yuv422, uyvy, yuv422_yuy2, yuyv)")]
    UnknownEncoding(String),
    #[error("empty image: width {width}, height {height}, {data_len} data bytes")]
    Empty { width: u32, height: u32, data_len: usize },
    #[error("image {width}x{height} ({pixels} pixels) exceeds the limit of {max_pixels} pixels")]
    TooLarge { width: u32, height: u32, pixels: u64, max_pixels: u64 },
    #[error("row step {step} is smaller than width {width} x {bytes_per_pixel} bytes per pixel for encoding '{encoding}'")]
    StepTooSmall { encoding: String, width: u32, bytes_per_pixel: usize, step: u32 },
    #[error("image data is truncated: {height} rows of step {step} need {expected} bytes, got {actual}")]
    Truncated { step: u32, height: u32, expected: u64, actual: usize },
    #[error("width {width} must be even for packed YUV 4:2:2 encoding '{encoding}'")]
    OddWidthYuv { encoding: String, width: u32 },
    #[error("unsupported compressed format '{format}' (supported: jpeg, png)")]
    UnsupportedCompressedFormat { format: String },
    #[error("compressed data (format '{format}') could not be decoded: {reason}")]
    CorruptCompressed { format: String, reason: String },
}

/// The fields of a `sensor_msgs/Image`, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct RawImage<'a> {
    pub encoding: &'a str,
    pub width: u32,
    pub height: u32,
    /// Bytes per row including any padding (ROS `step`).
    pub step: u32,
    /// ROS `is_bigendian != 0`; only matters for 16-bit encodings.
    pub is_bigendian: bool,
    pub data: &'a [u8],
}

/// Pixel layout of a supported raw encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// `channels` samples per pixel of `bytes` each; `order` maps output R,G,B to the source channel.
    Interleaved { channels: usize, bytes: usize, order: [usize; 3] },
    /// Packed 4:2:2, two pixels in four bytes; `y0,u,y1,v` offsets in the macro-pixel.
    Yuv422 { y0: usize, u: usize, y1: usize, v: usize },
}

impl Layout {
    fn bytes_per_pixel(self) -> usize {
        match self {
            Layout::Interleaved { channels, bytes, .. } => channels * bytes,
            Layout::Yuv422 { .. } => 2,
        }
    }
}

fn layout_for(encoding: &str) -> Option<Layout> {
    let il = |channels, bytes, order| Some(Layout::Interleaved { channels, bytes, order });
    // Names as in ROS sensor_msgs/image_encodings.hpp; matched case-insensitively because some drivers
    // publish "RGB8" or "BGR8".
    match encoding.trim().to_ascii_lowercase().as_str() {
        "rgb8" => il(3, 1, [0, 1, 2]),
        "bgr8" => il(3, 1, [2, 1, 0]),
        "rgba8" => il(4, 1, [0, 1, 2]),
        "bgra8" => il(4, 1, [2, 1, 0]),
        "mono8" | "8uc1" => il(1, 1, [0, 0, 0]),
        "mono16" | "16uc1" => il(1, 2, [0, 0, 0]),
        "rgb16" => il(3, 2, [0, 1, 2]),
        "bgr16" => il(3, 2, [2, 1, 0]),
        "rgba16" => il(4, 2, [0, 1, 2]),
        "bgra16" => il(4, 2, [2, 1, 0]),
        // ROS "yuv422" is UYVY; "yuv422_yuy2" is YUYV (usb_cam, v4l2_camera default on many webcams).
        "yuv422" | "uyvy" => Some(Layout::Yuv422 { u: 0, y0: 1, v: 2, y1: 3 }),
        "yuv422_yuy2" | "yuyv" => Some(Layout::Yuv422 { y0: 0, u: 1, y1: 2, v: 3 }),
        _ => None,
    }
}

fn check_pixels(width: u32, height: u32, limits: &InputLimits) -> Result<(), ImageInputError> {
    let pixels = u64::from(width) * u64::from(height);
    if pixels > limits.max_pixels {
        return Err(ImageInputError::TooLarge { width, height, pixels, max_pixels: limits.max_pixels });
    }
    Ok(())
}

/// Convert a `sensor_msgs/Image` payload to RGB8.
///
/// 16-bit encodings keep the high byte (a plain >> 8): it is what `cv_bridge` does for display and the
/// detectors only see 8-bit input anyway. `mono16` depth images will look dark unless they use the full
/// range; that is acceptable for a detector fed by mistake, not for depth processing.
pub fn raw_to_rgb(img: &RawImage<'_>, limits: &InputLimits) -> Result<RgbImage, ImageInputError> {
    let RawImage { encoding, width, height, step, is_bigendian, data } = *img;
    if width == 0 || height == 0 || data.is_empty() {
        return Err(ImageInputError::Empty { width, height, data_len: data.len() });
    }
    let layout = layout_for(encoding).ok_or_else(|| ImageInputError::UnknownEncoding(encoding.to_string()))?;
    // Dimensions are checked before the step/data checks so that a forged 100000x100000 header is
    // reported as what it is rather than as "truncated".
    check_pixels(width, height, limits)?;

    let bpp = layout.bytes_per_pixel();
    let row_bytes = u64::from(width) * bpp as u64;
    if u64::from(step) < row_bytes {
        return Err(ImageInputError::StepTooSmall {
            encoding: encoding.to_string(),
            width,
            bytes_per_pixel: bpp,
            step,
        });
    }
    // The last row only needs its pixel bytes, but ROS publishers always send step*height and
    // cv_bridge rejects anything shorter, so we do too: a short buffer means a broken publisher.
    let expected = u64::from(step) * u64::from(height);
    if (data.len() as u64) < expected {
        return Err(ImageInputError::Truncated { step, height, expected, actual: data.len() });
    }
    if let Layout::Yuv422 { .. } = layout {
        if width % 2 != 0 {
            return Err(ImageInputError::OddWidthYuv { encoding: encoding.to_string(), width });
        }
    }

    let (w, step) = (width as usize, step as usize);
    let mut out = Vec::with_capacity(w * height as usize * 3);
    for row in data.chunks_exact(step).take(height as usize) {
        let row = &row[..w * bpp];
        match layout {
            Layout::Interleaved { channels, bytes: 1, order } => {
                for px in row.chunks_exact(channels) {
                    out.extend_from_slice(&[px[order[0]], px[order[1]], px[order[2]]]);
                }
            }
            Layout::Interleaved { channels, bytes, order } => {
                // bytes == 2: keep the most significant byte of each sample.
                let hi = if is_bigendian { 0 } else { 1 };
                for px in row.chunks_exact(channels * bytes) {
                    for &c in &order {
                        out.push(px[c * bytes + hi]);
                    }
                }
            }
            Layout::Yuv422 { y0, u, y1, v } => {
                for mp in row.chunks_exact(4) {
                    let (uu, vv) = (mp[u], mp[v]);
                    out.extend_from_slice(&yuv_to_rgb(mp[y0], uu, vv));
                    out.extend_from_slice(&yuv_to_rgb(mp[y1], uu, vv));
                }
            }
        }
    }
    // Length is exactly w*h*3 by construction; the Option only guards that invariant.
    RgbImage::from_raw(width, height, out).ok_or(ImageInputError::Truncated {
        step: step as u32,
        height,
        expected,
        actual: data.len(),
    })
}

/// BT.601 limited-range YUV -> RGB, the convention of V4L2 webcams and of OpenCV's COLOR_YUV2RGB_UYVY.
fn yuv_to_rgb(y: u8, u: u8, v: u8) -> [u8; 3] {
    let c = (i32::from(y) - 16).max(0) * 298;
    let d = i32::from(u) - 128;
    let e = i32::from(v) - 128;
    let clamp = |x: i32| ((x + 128) >> 8).clamp(0, 255) as u8;
    [clamp(c + 409 * e), clamp(c - 100 * d - 208 * e), clamp(c + 516 * d)]
}

/// Which container the bytes are, decided from the magic bytes (authoritative) with the ROS `format`
/// string only used to reject formats we knowingly do not handle (e.g. `compressedDepth`).
fn compressed_kind(format: &str, data: &[u8]) -> Result<ImageFormat, ImageInputError> {
    let f = format.to_ascii_lowercase();
    if f.contains("compresseddepth") {
        return Err(ImageInputError::UnsupportedCompressedFormat { format: format.to_string() });
    }
    match image::guess_format(data) {
        Ok(ImageFormat::Jpeg) => Ok(ImageFormat::Jpeg),
        Ok(ImageFormat::Png) => Ok(ImageFormat::Png),
        Ok(other) => Err(ImageInputError::UnsupportedCompressedFormat {
            format: format!("{format} (data looks like {other:?})"),
        }),
        Err(_) => {
            // Unknown magic: if the publisher claims jpeg/png the data is corrupt; otherwise the
            // format itself is something we do not support.
            if f.contains("jpeg") || f.contains("jpg") || f.contains("png") || f.trim().is_empty() {
                Err(ImageInputError::CorruptCompressed {
                    format: format.to_string(),
                    reason: "data does not start with a JPEG or PNG signature".into(),
                })
            } else {
                Err(ImageInputError::UnsupportedCompressedFormat { format: format.to_string() })
            }
        }
    }
}

/// Decode a `sensor_msgs/CompressedImage` payload (JPEG or PNG) to RGB8.
///
/// `format` is the ROS field (`"jpeg"`, `"png"`, `"bgr8; jpeg compressed bgr8"`, ...). The header is
/// parsed first and the dimensions checked against `limits` before the decoder allocates the frame;
/// the decoder additionally gets an allocation cap, in case the header lies about the size.
pub fn compressed_to_rgb(format: &str, data: &[u8], limits: &InputLimits) -> Result<RgbImage, ImageInputError> {
    if data.is_empty() {
        return Err(ImageInputError::Empty { width: 0, height: 0, data_len: 0 });
    }
    let kind = compressed_kind(format, data)?;
    let corrupt = |e: image::ImageError| ImageInputError::CorruptCompressed {
        format: format.to_string(),
        reason: e.to_string(),
    };

    let (width, height) = ImageReader::with_format(Cursor::new(data), kind).into_dimensions().map_err(corrupt)?;
    if width == 0 || height == 0 {
        return Err(ImageInputError::Empty { width, height, data_len: data.len() });
    }
    check_pixels(width, height, limits)?;

    let mut reader = ImageReader::with_format(Cursor::new(data), kind);
    let mut lim = image::Limits::default();
    // 16-bit RGBA is the widest thing a PNG can decode to (8 bytes/pixel); add slack for decoder scratch.
    lim.max_alloc = Some(limits.max_pixels.saturating_mul(8).saturating_add(64 << 20));
    lim.max_image_width = Some(width);
    lim.max_image_height = Some(height);
    reader.limits(lim);
    let decoded = reader.decode().map_err(corrupt)?;
    Ok(decoded.into_rgb8())
}

/// An image ready to be copied into a `sensor_msgs/Image` with encoding `rgb8`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rgb8Message {
    pub encoding: &'static str,
    pub width: u32,
    pub height: u32,
    pub step: u32,
    pub is_bigendian: bool,
    pub data: Vec<u8>,
}

/// Convert an annotated image into `rgb8` message fields without copying the pixel buffer.
pub fn rgb_to_rgb8_message(img: RgbImage) -> Rgb8Message {
    let (width, height) = img.dimensions();
    Rgb8Message {
        encoding: "rgb8",
        width,
        height,
        step: width.saturating_mul(3),
        is_bigendian: false,
        data: img.into_raw(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw<'a>(encoding: &'a str, width: u32, height: u32, step: u32, data: &'a [u8]) -> RawImage<'a> {
        RawImage { encoding, width, height, step, is_bigendian: false, data }
    }
    fn lim() -> InputLimits {
        InputLimits::default()
    }

    #[test]
    fn rgb8_passthrough_with_row_padding() {
        // 2x2, step 8 (2 padding bytes per row)
        let data = [1, 2, 3, 4, 5, 6, 0, 0, 7, 8, 9, 10, 11, 12, 0, 0];
        let img = raw_to_rgb(&raw("rgb8", 2, 2, 8, &data), &lim()).unwrap();
        assert_eq!(img.into_raw(), vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    }

    #[test]
    fn bgr8_bgra8_rgba8_mono8_channel_order() {
        let bgr = [3u8, 2, 1];
        assert_eq!(raw_to_rgb(&raw("bgr8", 1, 1, 3, &bgr), &lim()).unwrap().into_raw(), vec![1, 2, 3]);
        let bgra = [3u8, 2, 1, 255];
        assert_eq!(raw_to_rgb(&raw("bgra8", 1, 1, 4, &bgra), &lim()).unwrap().into_raw(), vec![1, 2, 3]);
        let rgba = [1u8, 2, 3, 0];
        assert_eq!(raw_to_rgb(&raw("RGBA8", 1, 1, 4, &rgba), &lim()).unwrap().into_raw(), vec![1, 2, 3]);
        let mono = [9u8, 200];
        assert_eq!(
            raw_to_rgb(&raw("mono8", 2, 1, 2, &mono), &lim()).unwrap().into_raw(),
            vec![9, 9, 9, 200, 200, 200]
        );
    }

    #[test]
    fn sixteen_bit_respects_endianness() {
        // rgb16 little endian: R=0x1234 G=0xABCD B=0x00FF
        let le = [0x34, 0x12, 0xCD, 0xAB, 0xFF, 0x00];
        assert_eq!(raw_to_rgb(&raw("rgb16", 1, 1, 6, &le), &lim()).unwrap().into_raw(), vec![0x12, 0xAB, 0x00]);
        let be = [0x12, 0x34, 0xAB, 0xCD, 0x00, 0xFF];
        let mut r = raw("rgb16", 1, 1, 6, &be);
        r.is_bigendian = true;
        assert_eq!(raw_to_rgb(&r, &lim()).unwrap().into_raw(), vec![0x12, 0xAB, 0x00]);
        let mono16 = [0x00, 0x80];
        assert_eq!(raw_to_rgb(&raw("mono16", 1, 1, 2, &mono16), &lim()).unwrap().into_raw(), vec![0x80; 3]);
    }

    #[test]
    fn yuv422_variants() {
        // Mid grey: Y=126 (-> ~128 after range expansion), U=V=128.
        let uyvy = [128u8, 126, 128, 126];
        let a = raw_to_rgb(&raw("yuv422", 2, 1, 4, &uyvy), &lim()).unwrap().into_raw();
        let yuyv = [126u8, 128, 126, 128];
        let b = raw_to_rgb(&raw("yuv422_yuy2", 2, 1, 4, &yuyv), &lim()).unwrap().into_raw();
        assert_eq!(a, b);
        assert!(a.iter().all(|&v| (126..=130).contains(&v)), "{a:?}");
        assert!(matches!(
            raw_to_rgb(&raw("yuv422", 3, 1, 6, &[0; 6]), &lim()),
            Err(ImageInputError::OddWidthYuv { .. })
        ));
    }

    #[test]
    fn unknown_encoding() {
        let e = raw_to_rgb(&raw("bayer_rggb8", 1, 1, 1, &[0]), &lim()).unwrap_err();
        assert_eq!(e, ImageInputError::UnknownEncoding("bayer_rggb8".into()));
    }

    #[test]
    fn empty_images() {
        assert!(matches!(raw_to_rgb(&raw("rgb8", 0, 1, 0, &[1]), &lim()), Err(ImageInputError::Empty { .. })));
        assert!(matches!(raw_to_rgb(&raw("rgb8", 1, 0, 3, &[1]), &lim()), Err(ImageInputError::Empty { .. })));
        assert!(matches!(raw_to_rgb(&raw("rgb8", 1, 1, 3, &[]), &lim()), Err(ImageInputError::Empty { .. })));
        assert!(matches!(compressed_to_rgb("jpeg", &[], &lim()), Err(ImageInputError::Empty { .. })));
    }

    #[test]
    fn step_too_small() {
        let e = raw_to_rgb(&raw("bgr8", 4, 1, 11, &[0; 12]), &lim()).unwrap_err();
        assert!(matches!(e, ImageInputError::StepTooSmall { step: 11, bytes_per_pixel: 3, .. }), "{e}");
    }

    #[test]
    fn truncated_data() {
        let e = raw_to_rgb(&raw("rgb8", 2, 2, 6, &[0; 11]), &lim()).unwrap_err();
        assert_eq!(e, ImageInputError::Truncated { step: 6, height: 2, expected: 12, actual: 11 });
    }

    #[test]
    fn huge_raw_rejected_before_allocation() {
        // Claims 100000x100000 with a tiny buffer: must be TooLarge, not an allocation attempt.
        let e = raw_to_rgb(&raw("rgb8", 100_000, 100_000, 300_000, &[0; 16]), &lim()).unwrap_err();
        assert!(matches!(e, ImageInputError::TooLarge { pixels: 10_000_000_000, .. }), "{e}");
        let small = InputLimits { max_pixels: 3 };
        assert!(matches!(raw_to_rgb(&raw("mono8", 2, 2, 2, &[0; 4]), &small), Err(ImageInputError::TooLarge { .. })));
    }

    fn encode(img: &RgbImage, fmt: ImageFormat) -> Vec<u8> {
        let mut buf = Cursor::new(Vec::new());
        img.write_to(&mut buf, fmt).unwrap();
        buf.into_inner()
    }

    fn test_pattern(w: u32, h: u32) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| image::Rgb([(x * 8) as u8, (y * 8) as u8, 128]))
    }

    #[test]
    fn png_round_trip_is_exact_and_format_string_variants() {
        let img = test_pattern(17, 9);
        let png = encode(&img, ImageFormat::Png);
        for fmt in ["png", "rgb8; png compressed rgb8", "", "PNG"] {
            assert_eq!(compressed_to_rgb(fmt, &png, &lim()).unwrap(), img, "format {fmt:?}");
        }
    }

    #[test]
    fn jpeg_decodes_close_to_source() {
        let img = test_pattern(32, 24);
        let jpg = encode(&img, ImageFormat::Jpeg);
        let out = compressed_to_rgb("bgr8; jpeg compressed bgr8", &jpg, &lim()).unwrap();
        assert_eq!(out.dimensions(), (32, 24));
        let max_diff = img.as_raw().iter().zip(out.as_raw()).map(|(a, b)| a.abs_diff(*b)).max().unwrap();
        assert!(max_diff < 40, "max diff {max_diff}");
    }

    #[test]
    fn corrupt_compressed() {
        let e = compressed_to_rgb("jpeg", b"definitely not a jpeg", &lim()).unwrap_err();
        assert!(matches!(e, ImageInputError::CorruptCompressed { .. }), "{e}");
        // Valid PNG signature, damaged body.
        let mut png = encode(&test_pattern(16, 16), ImageFormat::Png);
        let n = png.len();
        for b in &mut png[40..n - 12] {
            *b ^= 0x5A;
        }
        assert!(matches!(compressed_to_rgb("png", &png, &lim()), Err(ImageInputError::CorruptCompressed { .. })));
        // JPEG cut inside the header.
        let jpg = encode(&test_pattern(16, 16), ImageFormat::Jpeg);
        assert!(matches!(
            compressed_to_rgb("jpeg", &jpg[..20], &lim()),
            Err(ImageInputError::CorruptCompressed { .. })
        ));
    }

    #[test]
    fn truncated_png_body_is_an_error() {
        let png = encode(&test_pattern(64, 64), ImageFormat::Png);
        let cut = &png[..png.len() / 2];
        assert!(matches!(compressed_to_rgb("png", cut, &lim()), Err(ImageInputError::CorruptCompressed { .. })));
    }

    #[test]
    fn truncated_jpeg_body_behaviour() {
        // Documented behaviour: a JPEG cut inside the entropy-coded data is either rejected or decoded
        // to the full size (zune-jpeg fills the missing blocks); it never panics and never returns a
        // wrongly sized image.
        let jpg = encode(&test_pattern(64, 64), ImageFormat::Jpeg);
        for cut in [jpg.len() / 2, jpg.len() - 3, jpg.len() * 3 / 4] {
            match compressed_to_rgb("jpeg", &jpg[..cut], &lim()) {
                Ok(img) => assert_eq!(img.dimensions(), (64, 64)),
                Err(e) => assert!(matches!(e, ImageInputError::CorruptCompressed { .. }), "{e}"),
            }
        }
    }

    #[test]
    fn unsupported_compressed_formats() {
        assert!(matches!(
            compressed_to_rgb("16UC1; compressedDepth png", &[0x89, b'P', b'N', b'G'], &lim()),
            Err(ImageInputError::UnsupportedCompressedFormat { .. })
        ));
        assert!(matches!(
            compressed_to_rgb("tiff", b"II*\0garbage", &lim()),
            Err(ImageInputError::UnsupportedCompressedFormat { .. })
        ));
    }

    #[test]
    fn huge_compressed_rejected_from_header() {
        let png = encode(&test_pattern(64, 64), ImageFormat::Png);
        let e = compressed_to_rgb("png", &png, &InputLimits { max_pixels: 1000 }).unwrap_err();
        assert!(matches!(e, ImageInputError::TooLarge { width: 64, height: 64, .. }), "{e}");

        // A hand-made PNG header claiming 60000x60000 (CRC is not checked by into_dimensions, and the
        // size check must fire before any decode work regardless).
        let mut forged = png.clone();
        forged[16..20].copy_from_slice(&60000u32.to_be_bytes());
        forged[20..24].copy_from_slice(&60000u32.to_be_bytes());
        let e = compressed_to_rgb("png", &forged, &lim()).unwrap_err();
        assert!(
            matches!(e, ImageInputError::TooLarge { .. } | ImageInputError::CorruptCompressed { .. }),
            "{e}"
        );
    }

    #[test]
    fn reverse_helper() {
        let img = test_pattern(5, 3);
        let m = rgb_to_rgb8_message(img.clone());
        assert_eq!((m.encoding, m.width, m.height, m.step, m.is_bigendian), ("rgb8", 5, 3, 15, false));
        let back = raw_to_rgb(&raw(m.encoding, m.width, m.height, m.step, &m.data), &lim()).unwrap();
        assert_eq!(back, img);
    }
}
