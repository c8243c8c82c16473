//! camera_replay: publishes image files as `sensor_msgs/Image` on `image`, looping at a set
//! rate, so the node graph runs without a camera. On a robot the launch file starts the real
//! camera driver instead.
//!
//! Next to each image it publishes `camera_info` (sensor_msgs/CameraInfo, the same header) with
//! the intrinsics of the camera the parameters describe, as a camera driver does: by default an
//! ideal pinhole with the Raspberry Pi Camera Module 3's 66 degree horizontal field of view at
//! each image's size; `fx`/`fy`/`cx`/`cy` give a calibrated camera's values instead.
//!
//! Data path: list files -> decode once -> (resize) -> publish at `rate_hz` with a fresh stamp.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use detection3d::Intrinsics;
use r2r::sensor_msgs::msg::{CameraInfo, Image};
use r2r::{RosParams, std_msgs::msg::Header};
use ros_edge::{NodeParams, RosNode, in_range, qos_from_param};

#[derive(RosParams, Clone, Debug)]
struct Params {
    /// Image files and/or folders to replay, separated by commas (jpg, jpeg, png; folders are read in name order).
    images: String,
    /// Publish rate in Hz [0.1, 120].
    rate_hz: f64,
    /// How many times to play the whole list; 0 = forever [0, 1000000].
    loops: i64,
    /// Consecutive frames of each image, as a still camera looking at one scene for a while;
    /// 1 = a new image every frame (a slideshow: nothing stays long enough to be tracked) [1, 10000].
    frames_per_image: i64,
    /// Output encoding: rgb8 or bgr8.
    encoding: String,
    /// Resize every image to this width before publishing; 0 = keep the file's size [0, 8192].
    width: i64,
    /// Resize height (with width); 0 = keep [0, 8192].
    height: i64,
    /// How an image of another aspect ratio becomes width x height: stretch (distorts), crop (the centre, as a camera of that size would see it) or fit (the whole image, black bars).
    resize_mode: String,
    /// frame_id of the published headers: the camera's optical frame (x right, y down, z forward).
    frame_id: String,
    /// Horizontal field of view of the replayed camera in degrees, for camera_info when fx is 0 (66 = Raspberry Pi Camera Module 3) [1, 179].
    camera_hfov_deg: f64,
    /// Focal length in pixels for camera_info, at the published image size; 0 = from camera_hfov_deg [0, 100000].
    fx: f64,
    /// Focal length in pixels along y; 0 = fx [0, 100000].
    fy: f64,
    /// Principal point x in pixels; 0 = the image centre [0, 100000].
    cx: f64,
    /// Principal point y in pixels; 0 = the image centre [0, 100000].
    cy: f64,
    /// Publisher QoS: sensor_data, reliable or best_effort.
    qos: String,
    /// Publisher history depth [1, 1000].
    qos_depth: i64,
    /// Wait until at least this many subscribers are matched before the first frame [0, 100].
    wait_for_subscribers: i64,
    /// Publishing on/off at run time (ros2 param set ... enabled false).
    enabled: bool,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            images: String::new(),
            rate_hz: 5.0,
            loops: 0,
            frames_per_image: 1,
            encoding: "rgb8".into(),
            width: 0,
            height: 0,
            resize_mode: "stretch".into(),
            frame_id: "camera_optical_frame".into(),
            camera_hfov_deg: 66.0,
            fx: 0.0,
            fy: 0.0,
            cx: 0.0,
            cy: 0.0,
            qos: "sensor_data".into(),
            qos_depth: 1,
            wait_for_subscribers: 0,
            enabled: true,
        }
    }
}

impl NodeParams for Params {
    fn validate(&self) -> Result<(), (String, String)> {
        in_range("rate_hz", self.rate_hz, 0.1, 120.0)?;
        in_range("loops", self.loops, 0, 1_000_000)?;
        in_range("frames_per_image", self.frames_per_image, 1, 10_000)?;
        in_range("width", self.width, 0, 8192)?;
        in_range("height", self.height, 0, 8192)?;
        in_range("qos_depth", self.qos_depth, 1, 1000)?;
        in_range("wait_for_subscribers", self.wait_for_subscribers, 0, 100)?;
        in_range("camera_hfov_deg", self.camera_hfov_deg, 1.0, 179.0)?;
        for (name, v) in [("fx", self.fx), ("fy", self.fy), ("cx", self.cx), ("cy", self.cy)] {
            in_range(name, v, 0.0, 100_000.0)?;
        }
        if !matches!(self.encoding.as_str(), "rgb8" | "bgr8") {
            return Err(("encoding".into(), format!("`{}` is not rgb8 or bgr8", self.encoding)));
        }
        ros_edge::one_of("resize_mode", &self.resize_mode, &["stretch", "crop", "fit"])?;
        if (self.width == 0) != (self.height == 0) {
            return Err(("width".into(), "set both width and height, or neither".into()));
        }
        qos_from_param(&self.qos, self.qos_depth).map_err(|e| ("qos".into(), e.to_string()))?;
        Ok(())
    }
}

/// Expands the `images` parameter into a sorted list of image files.
fn list_images(spec: &str) -> anyhow::Result<Vec<PathBuf>> {
    let is_image = |p: &Path| {
        p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "jpg" | "jpeg" | "png"))
    };
    let mut files = Vec::new();
    for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let path = PathBuf::from(item);
        if path.is_dir() {
            let mut in_dir: Vec<PathBuf> = std::fs::read_dir(&path)
                .with_context(|| format!("reading folder {}", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| is_image(p))
                .collect();
            in_dir.sort();
            files.extend(in_dir);
        } else if path.is_file() {
            files.push(path);
        } else {
            bail!("`images` names {}, which is neither a file nor a folder", path.display());
        }
    }
    if files.is_empty() {
        bail!("`images` = {spec:?} holds no jpg/png file; set it to files or folders to replay");
    }
    Ok(files)
}

impl Params {
    /// The camera the parameters describe, at a `width x height` image.
    fn intrinsics(&self, width: u32, height: u32) -> anyhow::Result<Intrinsics> {
        let mut k = Intrinsics::from_hfov(width, height, self.camera_hfov_deg)?;
        if self.fx > 0.0 {
            k.fx = self.fx;
            k.fy = if self.fy > 0.0 { self.fy } else { self.fx };
        }
        if self.cx > 0.0 {
            k.cx = self.cx;
        }
        if self.cy > 0.0 {
            k.cy = self.cy;
        }
        Ok(k)
    }
}

/// Decodes once up front so the publish loop only copies bytes (its rate stays steady).
fn load_frame(path: &Path, p: &Params) -> anyhow::Result<(u32, u32, Vec<u8>)> {
    let img = image::open(path).with_context(|| format!("decoding {}", path.display()))?;
    let mut rgb = if p.width > 0 { resize(img, p.width as u32, p.height as u32, &p.resize_mode) } else { img.to_rgb8() };
    if p.encoding == "bgr8" {
        for px in rgb.pixels_mut() {
            px.0.swap(0, 2);
        }
    }
    Ok((rgb.width(), rgb.height(), rgb.into_raw()))
}

/// `img` at `w x h` by `mode` (validated: stretch, crop or fit).
fn resize(img: image::DynamicImage, w: u32, h: u32, mode: &str) -> image::RgbImage {
    use image::imageops::FilterType::Triangle;
    match mode {
        "crop" => img.resize_to_fill(w, h, Triangle).to_rgb8(),
        "fit" => {
            let inner = img.resize(w, h, Triangle).to_rgb8();
            let mut canvas = image::RgbImage::new(w, h);
            let (x, y) = ((w - inner.width()) / 2, (h - inner.height()) / 2);
            image::imageops::replace(&mut canvas, &inner, x as i64, y as i64);
            canvas
        }
        _ => img.resize_exact(w, h, Triangle).to_rgb8(),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    ros_edge::handle_cli::<Params>()?;
    ros_edge::init_logging();
    let ros = RosNode::<Params>::start("camera_replay")?;
    let p = ros.params();
    let files = list_images(&p.images)?;
    let frames: Vec<_> = files.iter().map(|f| load_frame(f, &p)).collect::<anyhow::Result<_>>()?;
    let (publisher, info_pub) = {
        let mut node = ros.node.lock().unwrap();
        let qos = qos_from_param(&p.qos, p.qos_depth)?;
        (node.create_publisher::<Image>("image", qos.clone())?, node.create_publisher::<CameraInfo>("camera_info", qos)?)
    };
    ros.spin();
    tracing::info!(frames = frames.len(), rate_hz = p.rate_hz, loops = p.loops, frames_per_image = p.frames_per_image, "replaying");

    while (publisher.get_inter_process_subscription_count()? as i64) < p.wait_for_subscribers {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / p.rate_hz));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut published: u64 = 0;
    let mut loops_done: i64 = 0;
    let shutdown = ros_edge::shutdown_signal();
    tokio::pin!(shutdown);
    'outer: loop {
        let held = p.frames_per_image as usize;
        for (i, (w, h, data)) in frames.iter().enumerate().flat_map(|f| std::iter::repeat_n(f, held)) {
            tokio::select! {
                _ = &mut shutdown => break 'outer,
                _ = ticker.tick() => {}
            }
            // Run-time changes apply to everything but the encoding, which the frames were decoded in.
            let now = ros.params();
            if !now.enabled {
                continue;
            }
            let header = Header { stamp: ros.now(), frame_id: now.frame_id.clone() };
            // Before the image, so a node holding the image already has its intrinsics.
            match now.intrinsics(*w, *h) {
                Ok(k) => {
                    if let Err(e) = info_pub.publish(&vision_edge::msg::camera_info(header.clone(), &k)) {
                        tracing::warn!(error = %e, "publishing camera_info failed");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "no camera_info for this frame"),
            }
            let msg = Image {
                header,
                height: *h,
                width: *w,
                encoding: p.encoding.clone(),
                is_bigendian: 0,
                step: w * 3,
                data: data.clone(),
            };
            if let Err(e) = publisher.publish(&msg) {
                tracing::warn!(file = %files[i].display(), error = %e, "publish failed");
                continue;
            }
            published += 1;
            tracing::debug!(file = %files[i].display(), published, "frame");
        }
        loops_done += 1;
        if p.loops > 0 && loops_done >= p.loops {
            break;
        }
    }
    tracing::info!(published, loops_done, "replay finished");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 200x100 image: left half red, right half blue.
    fn wide() -> image::DynamicImage {
        image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(200, 100, |x, _| if x < 100 { image::Rgb([255, 0, 0]) } else { image::Rgb([0, 0, 255]) }))
    }

    #[test]
    fn resize_modes_keep_what_they_say() {
        // Into a square: fit keeps the whole image between black bars above and below...
        let fit = resize(wide(), 100, 100, "fit");
        assert_eq!(fit.dimensions(), (100, 100));
        assert_eq!(fit.get_pixel(50, 5).0, [0, 0, 0]);
        assert_eq!(fit.get_pixel(10, 50).0, [255, 0, 0]);
        assert_eq!(fit.get_pixel(90, 50).0, [0, 0, 255]);
        // ...crop keeps the centre, undistorted: half red, half blue, no bars...
        let crop = resize(wide(), 100, 100, "crop");
        assert_eq!(crop.get_pixel(50, 5).0[1], 0);
        assert_eq!(crop.get_pixel(10, 50).0, [255, 0, 0]);
        assert_eq!(crop.get_pixel(90, 50).0, [0, 0, 255]);
        // ...stretch fills the frame with the whole image, squeezed.
        let stretch = resize(wide(), 100, 100, "stretch");
        assert_eq!(stretch.get_pixel(10, 5).0, [255, 0, 0]);
        assert_eq!(stretch.get_pixel(90, 95).0, [0, 0, 255]);
    }

    #[test]
    fn resize_mode_is_checked() {
        let p = Params { resize_mode: "zoom".into(), ..Default::default() };
        assert_eq!(p.validate().unwrap_err().0, "resize_mode");
    }
}
