//! Native layer selection.
//!
//! * no feature: nothing native (pure Rust only).
//! * `hailo-double`: compiles the test double of the shim ABI (tests/double), no HailoRT.
//! * `hailo`: compiles shim/hailo_shim.cpp against the HailoRT 5.x headers. Without them the
//!   crate must still type-check (`cargo check --features hailo`, which never links), so the
//!   script does not fail; instead it makes any *link* stop with one clear message, through a
//!   linker script whose only content is an `ASSERT` (GNU ld reads a non-object input file as
//!   a linker script). Without that, the user would get a dump of unresolved `aihat_hailo_*`
//!   symbols or a bare "cannot find -lhailort".

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

const MISSING: &str = "HailoRT 5.x headers not found: install hailort (hailo-all on Raspberry Pi OS; or the HailoRT 5.x .deb from the Hailo Developer Zone), or point HAILORT_INCLUDE_DIR at the directory holding hailo/hailort.hpp (and HAILORT_LIB_DIR at libhailort.so). Without a device use --features hailo-double (test double).";

fn header_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = env::var_os("HAILORT_INCLUDE_DIR").map(PathBuf::from).into_iter().collect();
    dirs.extend(["/usr/include", "/usr/local/include"].map(PathBuf::from));
    dirs
}

fn lib_found() -> bool {
    let mut dirs: Vec<PathBuf> = env::var_os("HAILORT_LIB_DIR").map(PathBuf::from).into_iter().collect();
    dirs.extend(
        ["/usr/lib", "/usr/local/lib", "/usr/lib/aarch64-linux-gnu", "/usr/lib/x86_64-linux-gnu"].map(PathBuf::from),
    );
    dirs.iter().any(|d| d.join("libhailort.so").exists())
}

/// Writes a linker script that fails the link with `msg`, named so the linker picks it up.
fn fail_link_with(out: &Path, file: &str, msg: &str) {
    let script = format!("ASSERT(0, \"{}\")\n", msg.replace('"', "'"));
    fs::write(out.join(file), script).expect("write linker script into OUT_DIR");
}

fn main() {
    println!("cargo:rerun-if-changed=shim/hailo_shim.h");
    println!("cargo:rerun-if-changed=shim/hailo_shim.cpp");
    println!("cargo:rerun-if-changed=tests/double/hailo_shim_double.c");
    println!("cargo:rerun-if-env-changed=HAILORT_INCLUDE_DIR");
    println!("cargo:rerun-if-env-changed=HAILORT_LIB_DIR");
    let double = env::var_os("CARGO_FEATURE_HAILO_DOUBLE").is_some();
    let real = env::var_os("CARGO_FEATURE_HAILO").is_some();
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));

    if double {
        // The double wins if both are on (e.g. --all-features): tests must never touch a device.
        cc::Build::new()
            .file("tests/double/hailo_shim_double.c")
            .include("shim")
            .flag_if_supported("-std=c11")
            .warnings(true)
            .compile("aihat_hailo_shim");
        return;
    }
    if !real {
        return;
    }
    let include = header_dirs().into_iter().find(|d| d.join("hailo/hailort.hpp").exists());
    match include {
        Some(inc) => {
            cc::Build::new()
                .cpp(true)
                .file("shim/hailo_shim.cpp")
                .include("shim")
                .include(&inc)
                .flag("-std=c++17")
                .warnings(true)
                .compile("aihat_hailo_shim");
            if let Some(d) = env::var_os("HAILORT_LIB_DIR") {
                println!("cargo:rustc-link-search=native={}", PathBuf::from(d).display());
            }
            println!("cargo:rustc-link-lib=dylib=hailort");
            println!("cargo:rustc-link-lib=dylib=stdc++");
        }
        None => {
            println!("cargo:warning={MISSING}");
            println!("cargo:rustc-link-search=native={}", out.display());
            if lib_found() {
                // Library without headers: -lhailort resolves, so a separate script carries the message.
                fail_link_with(&out, "libaihat_hailort_headers_missing.so", MISSING);
                println!("cargo:rustc-link-lib=dylib=aihat_hailort_headers_missing");
            } else {
                // hailort-sys links -lhailort unconditionally; with no library anywhere, the
                // one this directory offers is the message.
                fail_link_with(&out, "libhailort.so", MISSING);
            }
        }
    }
}
