//! Annotated images: boxes coloured by class, skeletons, depth colour maps. Only for people
//! looking at the output (rviz, `out/`), so clarity beats speed; off by default in the nodes.

use image::{Rgb, RgbImage};
use imageproc::drawing::{draw_filled_circle_mut, draw_hollow_rect_mut, draw_line_segment_mut};
use imageproc::rect::Rect;

/// A distinct, stable colour per class id (golden-angle hue steps).
pub fn class_color(class_id: usize) -> Rgb<u8> {
    let h = (class_id as f32 * 137.508) % 360.0;
    let (s, v) = (0.85f32, 0.95f32);
    let c = v * s;
    let x = c * (1.0 - ((h / 60.0) % 2.0 - 1.0).abs());
    let (r, g, b) = match (h / 60.0) as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = v - c;
    Rgb([((r + m) * 255.0) as u8, ((g + m) * 255.0) as u8, ((b + m) * 255.0) as u8])
}

/// A box given by corners in pixels, drawn `thickness` pixels wide inside the corners.
pub fn draw_box(img: &mut RgbImage, x1: f32, y1: f32, x2: f32, y2: f32, color: Rgb<u8>, thickness: u32) {
    let (w, h) = img.dimensions();
    for t in 0..thickness {
        let t = t as f32;
        let (ax, ay) = ((x1 + t).max(0.0), (y1 + t).max(0.0));
        let (bx, by) = ((x2 - t).min(w as f32 - 1.0), (y2 - t).min(h as f32 - 1.0));
        if bx <= ax || by <= ay {
            return;
        }
        let rect = Rect::at(ax as i32, ay as i32).of_size((bx - ax).max(1.0) as u32, (by - ay).max(1.0) as u32);
        draw_hollow_rect_mut(img, rect, color);
    }
}

/// Pixels per font pixel of [`draw_label`]: 16 px tall text, readable on a VGA frame.
pub const LABEL_SCALE: u32 = 2;

/// Text on a filled background, its top-left corner at (x, y) (moved inside the image), in the
/// 8x8 bitmap font of the `font8x8` crate scaled by [`LABEL_SCALE`]; characters outside ASCII
/// are drawn as `?`.
pub fn draw_label(img: &mut RgbImage, x: f32, y: f32, text: &str, background: Rgb<u8>) {
    use font8x8::legacy::BASIC_LEGACY;
    let s = LABEL_SCALE;
    let (w, h) = img.dimensions();
    let (tw, th) = (text.chars().count() as u32 * 8 * s + 2 * s, 8 * s + 2 * s);
    if tw > w || th > h {
        return;
    }
    let x0 = (x.max(0.0) as u32).min(w - tw);
    let y0 = (y.max(0.0) as u32).min(h - th);
    imageproc::drawing::draw_filled_rect_mut(img, Rect::at(x0 as i32, y0 as i32).of_size(tw, th), background);
    // Dark text on light colours, white on dark (perceived luminance).
    let lum = 0.299 * background[0] as f32 + 0.587 * background[1] as f32 + 0.114 * background[2] as f32;
    let ink = if lum > 150.0 { Rgb([0, 0, 0]) } else { Rgb([255, 255, 255]) };
    for (i, ch) in text.chars().enumerate() {
        let glyph = BASIC_LEGACY[if ch.is_ascii() { ch as usize } else { '?' as usize }];
        for (row, bits) in glyph.iter().enumerate() {
            for col in 0..8u32 {
                if bits >> col & 1 == 1 {
                    let px = x0 + s + (i as u32 * 8 + col) * s;
                    let py = y0 + s + row as u32 * s;
                    for dy in 0..s {
                        for dx in 0..s {
                            img.put_pixel(px + dx, py + dy, ink);
                        }
                    }
                }
            }
        }
    }
}

/// A detection as drawn: its box, and above it "<name> <score> #<id> <distance>" (the parts
/// known), so a person looking at the picture sees what was found, how sure, which track, how far.
pub fn draw_detection(img: &mut RgbImage, bbox: [f32; 4], color: Rgb<u8>, name: &str, score: f32, id: &str, distance_m: Option<f64>) {
    draw_box(img, bbox[0], bbox[1], bbox[2], bbox[3], color, 3);
    let mut text = format!("{name} {score:.2}");
    if !id.is_empty() {
        text.push_str(&format!(" #{id}"));
    }
    if let Some(d) = distance_m.filter(|d| d.is_finite()) {
        text.push_str(&format!(" {d:.1}m"));
    }
    let above = bbox[1] - (8 * LABEL_SCALE + 2 * LABEL_SCALE) as f32;
    draw_label(img, bbox[0], if above >= 0.0 { above } else { bbox[1] }, &text, color);
}

/// COCO-17 skeleton edges (Ultralytics' order).
pub const COCO_SKELETON: [(usize, usize); 19] = [
    (15, 13), (13, 11), (16, 14), (14, 12), (11, 12), (5, 11), (6, 12), (5, 6), (5, 7), (6, 8),
    (7, 9), (8, 10), (1, 2), (0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 6),
];

/// Keypoints (x, y, score) and the edges between those with score above `min_score`.
pub fn draw_skeleton(img: &mut RgbImage, kpts: &[(f32, f32, f32)], min_score: f32) {
    let limb = Rgb([255, 128, 0]);
    for &(a, b) in COCO_SKELETON.iter() {
        if let (Some(pa), Some(pb)) = (kpts.get(a), kpts.get(b)) {
            if pa.2 > min_score && pb.2 > min_score {
                for d in [-1.0f32, 0.0, 1.0] {
                    draw_line_segment_mut(img, (pa.0 + d, pa.1), (pb.0 + d, pb.1), limb);
                }
            }
        }
    }
    for &(x, y, s) in kpts {
        if s > min_score {
            draw_filled_circle_mut(img, (x as i32, y as i32), 4, Rgb([0, 255, 0]));
        }
    }
}

/// The 2nd and 98th percentiles of the finite values ((0, 1) when there are none): the range a
/// colour map spans, so a few outliers do not wash out the picture.
pub fn robust_range(values: &[f32]) -> (f32, f32) {
    let mut finite: Vec<f32> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.is_empty() {
        return (0.0, 1.0);
    }
    finite.sort_by(|a, b| a.total_cmp(b));
    let at = |p: f32| finite[((finite.len() - 1) as f32 * p) as usize];
    (at(0.02), at(0.98))
}

/// Turbo-like colour map of a float image (NaN = black), scaled over its [`robust_range`].
pub fn colorize(values: &[f32], width: u32, height: u32) -> RgbImage {
    let (lo, hi) = robust_range(values);
    colorize_range(values, width, height, lo, hi)
}

/// Colour map of a float image between `lo` (first colour) and `hi` (last); NaN is black.
pub fn colorize_range(values: &[f32], width: u32, height: u32, lo: f32, hi: f32) -> RgbImage {
    let span = if hi > lo { hi - lo } else { 1.0 };
    let mut img = RgbImage::new(width, height);
    for (px, v) in img.pixels_mut().zip(values) {
        *px = if v.is_finite() { ramp(((v - lo) / span).clamp(0.0, 1.0)) } else { Rgb([0, 0, 0]) };
    }
    img
}

/// What a depth map's values mean, for the labels of its colour scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepthScale {
    /// Depth in metres: the ends and the middle are labelled with their distance.
    Metres,
    /// Unitless: the ends are labelled "near" and "far"; `larger_is_nearer` for inverse depth.
    Relative { larger_is_nearer: bool },
}

/// A depth map as a person looks at it: the colour map over its [`robust_range`] with a scale
/// bar saying what the colours mean.
pub fn colorize_depth(values: &[f32], width: u32, height: u32, scale: DepthScale) -> RgbImage {
    let (lo, hi) = robust_range(values);
    let mut img = colorize_range(values, width, height, lo, hi);
    draw_scale_bar(&mut img, lo, hi, scale);
    img
}

/// Background of the scale's labels: dark, so the ink is white.
const SCALE_LABEL_BG: Rgb<u8> = Rgb([32, 32, 32]);

/// A vertical colour bar at the right edge for values `lo` (bottom) to `hi` (top) of
/// [`colorize_range`], labelled on its left. Not drawn on an image too small to hold it, so the
/// picture is never covered by a bar that cannot be read.
pub fn draw_scale_bar(img: &mut RgbImage, lo: f32, hi: f32, scale: DepthScale) {
    let (w, h) = img.dimensions();
    let labels: Vec<(f32, String)> = match scale {
        DepthScale::Metres => [0.0, 0.5, 1.0].iter().map(|&t| (t, format!("{:.1} m", lo + (hi - lo) * t))).collect(),
        DepthScale::Relative { larger_is_nearer } => {
            let (top, bottom) = if larger_is_nearer { ("near", "far") } else { ("far", "near") };
            vec![(0.0, bottom.to_string()), (1.0, top.to_string())]
        }
    };
    let text_h = 8 * LABEL_SCALE + 2 * LABEL_SCALE;
    let text_w = labels.iter().map(|(_, s)| s.chars().count() as u32 * 8 * LABEL_SCALE + 2 * LABEL_SCALE).max().unwrap_or(0);
    let margin = 6;
    let bar_w = (w / 40).max(10);
    let bar_h = (h * 3 / 5).min(h.saturating_sub(2 * margin + text_h));
    if w < text_w + bar_w + 3 * margin || bar_h < 3 * text_h {
        return;
    }
    let (x0, y0) = (w - margin - bar_w, (h - bar_h) / 2);
    // A white frame, so the bar stands out on any colour.
    draw_hollow_rect_mut(img, Rect::at(x0 as i32 - 1, y0 as i32 - 1).of_size(bar_w + 2, bar_h + 2), Rgb([255, 255, 255]));
    for dy in 0..bar_h {
        let color = ramp(1.0 - dy as f32 / (bar_h - 1) as f32);
        for dx in 0..bar_w {
            img.put_pixel(x0 + dx, y0 + dy, color);
        }
    }
    for (t, text) in &labels {
        let y = y0 as f32 + (1.0 - t) * (bar_h - 1) as f32;
        let tw = text.chars().count() as u32 * 8 * LABEL_SCALE + 2 * LABEL_SCALE;
        let x = (x0 - margin / 2 - tw) as f32;
        draw_label(img, x, y - text_h as f32 / 2.0, text, SCALE_LABEL_BG);
        // A tick from the label to the bar at the labelled value.
        for dx in (x0 - margin / 2)..x0 {
            img.put_pixel(dx, y as u32, Rgb([255, 255, 255]));
        }
    }
}

fn ramp(t: f32) -> Rgb<u8> {
    // Blue -> cyan -> green -> yellow -> red.
    let stops = [(0.0, [48, 18, 59]), (0.25, [40, 150, 240]), (0.5, [60, 230, 110]), (0.75, [250, 200, 40]), (1.0, [180, 20, 10])];
    for w in stops.windows(2) {
        let ((t0, c0), (t1, c1)) = (w[0], w[1]);
        if t <= t1 {
            let f = (t - t0) / (t1 - t0);
            let mix = |a: u8, b: u8| (a as f32 + (b as f32 - a as f32) * f) as u8;
            return Rgb([mix(c0[0], c1[0]), mix(c0[1], c1[1]), mix(c0[2], c1[2])]);
        }
    }
    Rgb(stops[4].1.map(|v| v as u8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_drawn_inside_the_image_in_a_readable_ink() {
        let mut img = RgbImage::new(200, 60);
        draw_label(&mut img, 190.0, -5.0, "AB", Rgb([255, 255, 0]));
        // Moved inside: 2 chars x 16 px + 4 px margin wide, from x = 200 - 36.
        assert_eq!(*img.get_pixel(164, 0), Rgb([255, 255, 0]));
        assert_eq!(*img.get_pixel(163, 0), Rgb([0, 0, 0]));
        let label: Vec<_> = (164..200).flat_map(|x| (0..20).map(move |y| (x, y))).map(|(x, y)| *img.get_pixel(x, y)).collect();
        let ink = label.iter().filter(|p| **p == Rgb([0, 0, 0])).count();
        assert!(ink > 20 && ink < label.len() / 2, "black ink on yellow: {ink}");
        let mut dark = RgbImage::new(400, 60);
        draw_detection(&mut dark, [10.0, 30.0, 100.0, 59.0], Rgb([0, 0, 128]), "person", 0.87, "12", Some(2.345));
        assert!(dark.pixels().any(|p| *p == Rgb([255, 255, 255])), "white ink on dark blue");
        // Too long for the image: not drawn rather than cut.
        let mut small = RgbImage::new(20, 20);
        draw_label(&mut small, 0.0, 0.0, "much too long", Rgb([1, 2, 3]));
        assert!(small.pixels().all(|p| *p == Rgb([0, 0, 0])));
    }

    #[test]
    fn box_edges_are_drawn_and_clipped() {
        let mut img = RgbImage::new(20, 20);
        draw_box(&mut img, 2.0, 3.0, 10.0, 12.0, Rgb([255, 0, 0]), 1);
        assert_eq!(img.get_pixel(2, 3), &Rgb([255, 0, 0]));
        assert_eq!(img.get_pixel(6, 7), &Rgb([0, 0, 0]));
        draw_box(&mut img, -5.0, -5.0, 50.0, 50.0, Rgb([0, 255, 0]), 2); // no panic when off-image
        assert_eq!(img.get_pixel(0, 0), &Rgb([0, 255, 0]));
    }

    #[test]
    fn colorize_orders_values_and_blacks_out_nan() {
        let img = colorize(&[0.0, 1.0, f32::NAN, 0.5], 2, 2);
        assert_eq!(img.get_pixel(0, 1), &Rgb([0, 0, 0]));
        assert_ne!(img.get_pixel(0, 0), img.get_pixel(1, 0));
    }

    /// Pixels of `img` in the rectangle (x, y, w, h) that are `color`.
    fn count(img: &RgbImage, (x, y, w, h): (u32, u32, u32, u32), color: Rgb<u8>) -> usize {
        (x..x + w).flat_map(|x| (y..y + h).map(move |y| (x, y))).filter(|&(x, y)| *img.get_pixel(x, y) == color).count()
    }

    /// The label `text` as [`draw_label`] draws it on its own, for comparing glyphs.
    fn label_alone(text: &str) -> RgbImage {
        let tw = text.len() as u32 * 8 * LABEL_SCALE + 2 * LABEL_SCALE;
        let mut img = RgbImage::new(tw, 8 * LABEL_SCALE + 2 * LABEL_SCALE);
        draw_label(&mut img, 0.0, 0.0, text, SCALE_LABEL_BG);
        img
    }

    /// Where `label` occurs in `img` (top-left corner), if it does pixel for pixel.
    fn find(img: &RgbImage, label: &RgbImage) -> Option<(u32, u32)> {
        let (lw, lh) = label.dimensions();
        (0..=img.height() - lh).flat_map(|y| (0..=img.width() - lw).map(move |x| (x, y))).find(|&(x, y)| {
            (0..lh).all(|dy| (0..lw).all(|dx| img.get_pixel(x + dx, y + dy) == label.get_pixel(dx, dy)))
        })
    }

    #[test]
    fn metric_depth_gets_a_bar_labelled_in_metres_at_its_robust_range() {
        // 1.2 m to 3.8 m left to right (5 % of the columns at each end), a few columns of
        // outliers at 50 m that the robust range leaves out, and a NaN.
        let (w, h) = (320u32, 240u32);
        let column = |x: u32| match x {
            0..16 => 1.2,
            16..304 => 1.2 + 2.6 * (x - 16) as f32 / 288.0,
            304..317 => 3.8,
            _ => 50.0,
        };
        let mut values: Vec<f32> = (0..w * h).map(|i| column(i % w)).collect();
        values[1] = f32::NAN;
        let img = colorize_depth(&values, w, h, DepthScale::Metres);
        // The bar: the colour map's ends at its top (far, last colour) and bottom (near, first).
        let bar_x = w - 6 - 10;
        let (top, bottom) = ((h - 144) / 2, (h - 144) / 2 + 143);
        assert_eq!(*img.get_pixel(bar_x + 5, top), ramp(1.0));
        assert_eq!(*img.get_pixel(bar_x + 5, bottom), ramp(0.0));
        assert_eq!(*img.get_pixel(bar_x - 1, top), Rgb([255, 255, 255]), "framed");
        // Labels: the robust ends and the middle, each beside its place on the bar.
        let (lo, hi) = robust_range(&values);
        let texts = [format!("{lo:.1} m"), format!("{:.1} m", (lo + hi) / 2.0), format!("{hi:.1} m")];
        assert_eq!(texts, ["1.2 m", "2.5 m", "3.8 m"]);
        let at: Vec<_> = texts.iter().map(|t| find(&img, &label_alone(t)).unwrap_or_else(|| panic!("{t} not drawn"))).collect();
        assert!(at[0].1 > at[1].1 && at[1].1 > at[2].1, "near at the bottom, far at the top: {at:?}");
        for (x, _) in &at {
            assert!(*x > w / 2 && *x < bar_x, "left of the bar: {at:?}");
        }
        // The rest of the picture is the colour map, untouched.
        assert_eq!(*img.get_pixel(10, 120), ramp(((values[120 * w as usize + 10] - lo) / (hi - lo)).clamp(0.0, 1.0)));
    }

    #[test]
    fn relative_depth_is_labelled_near_and_far_by_its_direction() {
        let (w, h) = (200u32, 150u32);
        let values: Vec<f32> = (0..w * h).map(|i| (i / w) as f32).collect();
        let inverse = colorize_depth(&values, w, h, DepthScale::Relative { larger_is_nearer: true });
        let (near, far) = (find(&inverse, &label_alone("near")).unwrap(), find(&inverse, &label_alone("far")).unwrap());
        assert!(near.1 < far.1, "larger (top of the bar) is nearer");
        assert!(find(&inverse, &label_alone("0.0 m")).is_none(), "no metres without a unit");
        let depth = colorize_depth(&values, w, h, DepthScale::Relative { larger_is_nearer: false });
        assert!(find(&depth, &label_alone("near")).unwrap().1 > find(&depth, &label_alone("far")).unwrap().1);
    }

    #[test]
    fn an_image_too_small_for_a_readable_bar_is_left_as_the_colour_map() {
        let values: Vec<f32> = (0..64 * 48).map(|i| i as f32).collect();
        let img = colorize_depth(&values, 64, 48, DepthScale::Metres);
        assert_eq!(img, colorize(&values, 64, 48));
        assert_eq!(count(&img, (0, 0, 64, 48), Rgb([255, 255, 255])), 0);
    }
}
