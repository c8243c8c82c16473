//! Compare our JPEG decode (image crate / zune-jpeg) with a reference decode stored as PNG
//! (e.g. cv2/libjpeg-turbo output written by scripts/reference/cv2_letterbox_reference.py).
//!   cargo run --release -p image_input --example decode_compare -- IMAGE.jpg REFERENCE.png
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().collect();
    let (jpg, png) = (a.get(1).ok_or("usage")?, a.get(2).ok_or("usage")?);
    let lim = image_input::InputLimits::default();
    let ours = image_input::compressed_to_rgb("jpeg", &std::fs::read(jpg)?, &lim)?;
    let reference = image_input::compressed_to_rgb("png", &std::fs::read(png)?, &lim)?;
    let d: Vec<u8> = ours.as_raw().iter().zip(reference.as_raw()).map(|(x, y)| x.abs_diff(*y)).collect();
    let mean = d.iter().map(|&v| f64::from(v)).sum::<f64>() / d.len() as f64;
    let mut hist = [0usize; 5];
    for &v in &d {
        hist[usize::from(v).min(4)] += 1;
    }
    println!("{jpg}: max {} mean {mean:.3} |diff| histogram 0,1,2,3,>=4: {hist:?}", d.iter().max().unwrap_or(&0));
    Ok(())
}
