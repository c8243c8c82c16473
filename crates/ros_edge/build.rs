// ROS 2 from the PyPI wheels (not from apt) loads Python typesupport libraries inside rcl that
// need libpython's symbols; scripts/setup exports AIHAT_LIBPYTHON in that case only, and the
// library then keeps a reference to libpython so the linker cannot drop it (see lib.rs).
fn main() {
    println!("cargo::rustc-check-cfg=cfg(aihat_link_libpython)");
    println!("cargo::rerun-if-env-changed=AIHAT_LIBPYTHON");
    if let Ok(lib) = std::env::var("AIHAT_LIBPYTHON") {
        let path = std::path::Path::new(&lib);
        if let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) {
            // libpython3.11.so.1.0 -> python3.11
            let stem = name.trim_start_matches("lib");
            let stem = stem.split(".so").next().unwrap_or(stem);
            println!("cargo::rustc-link-search=native={}", dir.display());
            println!("cargo::rustc-link-lib=dylib={stem}");
            println!("cargo::rustc-cfg=aihat_link_libpython");
        }
    }
}
