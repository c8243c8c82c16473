//! The preflight's versions through the TEST DOUBLE of the shim ABI (tests/double), which takes
//! them from AIHAT_HAILO_DOUBLE_* environment variables. Its own test binary, one test: the
//! variables are process-wide.
//!
//!     cargo test --release -p hailo --features hailo-double --test double_preflight
#![cfg(feature = "hailo-double")]

use hailo::native::{versions, HailoError};
use hailo::preflight::{check, Incompatible, Version, Versions, Warning};

const VARS: [&str; 4] = [
    "AIHAT_HAILO_DOUBLE_LIBRARY_VERSION",
    "AIHAT_HAILO_DOUBLE_DRIVER_VERSION",
    "AIHAT_HAILO_DOUBLE_FIRMWARE_VERSION",
    "AIHAT_HAILO_DOUBLE_DEVICE_ID",
];

fn with_env(set: &[(&str, &str)]) -> Result<Versions, HailoError> {
    for v in VARS {
        std::env::remove_var(v);
    }
    for (k, v) in set {
        std::env::set_var(k, v);
    }
    versions()
}

#[test]
fn versions_come_through_the_shim_abi_and_feed_the_check() {
    // Defaults: a matching 5.1.1 set on one device.
    let v = with_env(&[]).unwrap();
    assert_eq!(
        v,
        Versions {
            library: Version::new(5, 1, 1),
            driver: Some(Version::new(5, 1, 1)),
            firmware: Version::new(5, 1, 1),
            device_id: "0001:01:00.0".into(),
        }
    );
    assert_eq!(check(&v), Ok(vec![]));

    // A firmware of another minor: incompatible, and the message names both.
    let v = with_env(&[("AIHAT_HAILO_DOUBLE_FIRMWARE_VERSION", "5.0.0")]).unwrap();
    let err = check(&v).unwrap_err();
    assert!(matches!(err, Incompatible::Firmware { .. }));
    let msg = err.to_string();
    assert!(msg.contains("HailoRT 5.1.1") && msg.contains("firmware 5.0.0"), "{msg}");

    // A driver of another version: a warning; an unknown one: nothing.
    let v = with_env(&[("AIHAT_HAILO_DOUBLE_DRIVER_VERSION", "5.0.2")]).unwrap();
    assert_eq!(check(&v), Ok(vec![Warning::DriverDiffers { library: Version::new(5, 1, 1), driver: Version::new(5, 0, 2) }]));
    let v = with_env(&[("AIHAT_HAILO_DOUBLE_DRIVER_VERSION", ""), ("AIHAT_HAILO_DOUBLE_DEVICE_ID", "0002:03:00.0")]).unwrap();
    assert_eq!((v.driver, v.device_id.as_str()), (None, "0002:03:00.0"));
    assert_eq!(check(&v), Ok(vec![]));

    // No device, or one that cannot be identified: an error naming what is known.
    match with_env(&[("AIHAT_HAILO_DOUBLE_DEVICE_ID", "")]) {
        Err(e @ HailoError::Unidentified { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains("no Hailo device found") && msg.contains("HailoRT 5.1.1, driver 5.1.1"), "{msg}");
        }
        other => panic!("{other:?}"),
    }
    match with_env(&[("AIHAT_HAILO_DOUBLE_FIRMWARE_VERSION", ""), ("AIHAT_HAILO_DOUBLE_DRIVER_VERSION", "")]) {
        Err(e @ HailoError::Unidentified { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains("hailo_identify failed") && msg.contains("driver unknown"), "{msg}");
        }
        other => panic!("{other:?}"),
    }
    // A malformed setting is the test's mistake, said as such.
    match with_env(&[("AIHAT_HAILO_DOUBLE_LIBRARY_VERSION", "5.1")]) {
        Err(HailoError::Shim { message, .. }) => assert!(message.contains("AIHAT_HAILO_DOUBLE_LIBRARY_VERSION"), "{message}"),
        other => panic!("{other:?}"),
    }
}
