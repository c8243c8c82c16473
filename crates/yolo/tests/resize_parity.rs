//! The letterbox must reproduce Ultralytics' `LetterBox` (cv2 INTER_LINEAR + pad 114) exactly.
//! Fixtures: `scripts/reference/cv2_letterbox_reference.py --crop 300,200,203,151 --sizes 64,320 bus.jpg`
//! (source pixels are stored as PNG, decoded by cv2, so JPEG decoder differences are out of the picture).
use std::path::PathBuf;

use yolo::Preprocessor;

#[test]
fn letterbox_is_bit_exact_with_ultralytics_cv2() {
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo")).join("tests/fixtures/resize");
    let index: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("index.json")).unwrap()).unwrap();
    let mut pre = Preprocessor::new();
    let mut checked = 0;
    for (name, e) in index.as_object().unwrap() {
        let src = image::open(dir.join(e["src"].as_str().unwrap())).unwrap().into_rgb8();
        let reference = image::open(dir.join(name)).unwrap().into_rgb8();
        let s = e["size"].as_u64().unwrap() as u32;
        let (ours, lb) = pre.to_rgb8(&src, s, s).unwrap();
        assert_eq!(ours.dimensions(), reference.dimensions());
        let diff = ours.as_raw().iter().zip(reference.as_raw()).filter(|(a, b)| a != b).count();
        assert_eq!(diff, 0, "{name}: {diff} bytes differ (letterbox {lb:?})");
        // The NCHW tensor is the same pixels / 255.
        let mut t = Vec::new();
        pre.to_nchw_f32(&src, s, s, &mut t).unwrap();
        let plane = (s * s) as usize;
        for (i, px) in reference.pixels().enumerate() {
            for c in 0..3 {
                assert_eq!(t[c * plane + i], f32::from(px.0[c]) / 255.0);
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 2);
}
