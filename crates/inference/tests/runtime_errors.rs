//! ONNX Runtime loading failures must be errors, not panics. Separate test binary: once a runtime is
//! loaded in a process it stays loaded.
use inference::{InferenceError, OrtRuntime};

#[test]
fn missing_or_invalid_library_is_an_error() {
    let e = OrtRuntime::init(Some(std::path::Path::new("/nonexistent/libonnxruntime.so"))).unwrap_err();
    assert!(matches!(e, InferenceError::RuntimeNotFound(_)), "{e}");
    // An existing file that is not a shared library.
    let e = OrtRuntime::init(Some(std::path::Path::new("/etc/hostname"))).unwrap_err();
    assert!(matches!(e, InferenceError::RuntimeLoad { .. }), "{e}");
}
