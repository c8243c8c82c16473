//! Compare our letterbox against Ultralytics' cv2 letterbox references written by
//! `scripts/reference/cv2_letterbox_reference.py`, and show how two antialiasing resizers would differ.
//!
//!   cargo run --release -p yolo --example resize_compare -- target/resize_ref
use std::path::PathBuf;

use fast_image_resize::{images::Image as FirImage, images::ImageRef, FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::RgbImage;
use yolo::{Letterbox, Preprocessor, PAD_VALUE};

fn stats(a: &RgbImage, b: &RgbImage) -> (u8, f64, f64) {
    let d: Vec<u8> = a.as_raw().iter().zip(b.as_raw()).map(|(x, y)| x.abs_diff(*y)).collect();
    let max = d.iter().copied().max().unwrap_or(0);
    let mean = d.iter().map(|&v| f64::from(v)).sum::<f64>() / d.len() as f64;
    let frac = d.iter().filter(|&&v| v != 0).count() as f64 / d.len() as f64 * 100.0;
    (max, mean, frac)
}

fn pad(resized: &RgbImage, lb: &Letterbox) -> RgbImage {
    let mut c = RgbImage::from_pixel(lb.input_w, lb.input_h, image::Rgb([PAD_VALUE; 3]));
    image::imageops::replace(&mut c, resized, i64::from(lb.left), i64::from(lb.top));
    c
}

fn fir(src: &RgbImage, lb: &Letterbox, alg: ResizeAlg) -> RgbImage {
    let s = ImageRef::new(src.width(), src.height(), src.as_raw(), PixelType::U8x3).unwrap();
    let mut d = FirImage::new(lb.new_w, lb.new_h, PixelType::U8x3);
    Resizer::new().resize(&s, &mut d, &ResizeOptions::new().resize_alg(alg)).unwrap();
    pad(&RgbImage::from_raw(lb.new_w, lb.new_h, d.into_vec()).unwrap(), lb)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).ok_or("usage: resize_compare DIR")?);
    let index: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("index.json"))?)?;
    let mut pre = Preprocessor::new();
    println!("{:<28} {:>22} {:>26} {:>26} {:>26} {:>26}", "reference", "src -> inner", "ours (cv2-exact)", "image Triangle", "fir Convolution(Bilinear)", "fir Interpolation(Bilinear)");
    for (name, e) in index.as_object().ok_or("index")? {
        let src = image::open(dir.join(e["src"].as_str().ok_or("src")?))?.into_rgb8();
        let reference = image::open(dir.join(name))?.into_rgb8();
        let s = e["size"].as_u64().ok_or("size")? as u32;
        let (ours, lb) = pre.to_rgb8(&src, s, s)?;
        if std::env::var_os("SAVE_OURS").is_some() {
            ours.save(std::env::temp_dir().join(format!("ours_{name}")))?;
        }
        let tri = pad(&image::imageops::resize(&src, lb.new_w, lb.new_h, image::imageops::FilterType::Triangle), &lb);
        let conv = fir(&src, &lb, ResizeAlg::Convolution(FilterType::Bilinear));
        let interp = fir(&src, &lb, ResizeAlg::Interpolation(FilterType::Bilinear));
        let f = |(m, mean, frac): (u8, f64, f64)| format!("max {m:>3} mean {mean:.3} {frac:>5.1}%");
        println!(
            "{name:<28} {:>22} {:>26} {:>26} {:>26} {:>26}",
            format!("{}x{}->{}x{}", src.width(), src.height(), lb.new_w, lb.new_h),
            f(stats(&ours, &reference)),
            f(stats(&tri, &reference)),
            f(stats(&conv, &reference)),
            f(stats(&interp, &reference))
        );
    }
    Ok(())
}
