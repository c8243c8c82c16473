//! Hailo preflight: the versions of HailoRT, its PCIe driver and the device's firmware, and the
//! rule that says when they cannot work together. Pure: the values come from the native layer
//! (`native::versions`, the shim's `aihat_hailo_versions_get`), or from a test.
//!
//! What HailoRT itself enforces (hailo-ai/hailort v5.2.0, commit 41a720b):
//! * firmware: `Device::update_fw_state` (hailort/libhailort/src/device_common/device.cpp)
//!   compares the device's `hailo_device_identity_t.fw_version` (from `hailo_identify`) with the
//!   firmware version the library was built for (`FIRMWARE_VERSION_MAJOR/MINOR`, set in
//!   hailort/CMakeLists.txt to the library's own major.minor, 5.2 in v5.2.0) on major.minor only.
//!   On a mismatch it logs "Unsupported firmware operation" and from then on `Device::fw_interact`
//!   refuses every non-critical control with `HAILO_UNSUPPORTED_FW_VERSION`: the device is
//!   unusable. Hence [`check`]: library and firmware major.minor must match.
//! * driver: `validate_driver_version` (hailort/libhailort/src/vdma/driver/hailort_driver.cpp)
//!   refuses a PCIe driver whose major.minor.revision differs from `hailo_get_library_version`'s
//!   (`HAILO_INVALID_DRIVER_VERSION`, "Driver version (..) is different from library version (..)"),
//!   so on a device the open already fails. The driver version the shim reads (sysfs) is therefore
//!   only compared here for a warning with both numbers.

use std::fmt;
use std::str::FromStr;

/// major.minor.revision, as `hailo_version_t` / `hailo_firmware_version_t` (hailort.h).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub revision: u32,
}

impl Version {
    pub const fn new(major: u32, minor: u32, revision: u32) -> Self {
        Self { major, minor, revision }
    }

    /// The part HailoRT compares between library and firmware.
    pub fn major_minor(&self) -> (u32, u32) {
        (self.major, self.minor)
    }

    fn major_minor_string(&self) -> String {
        format!("{}.{}", self.major, self.minor)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.revision)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a version major.minor.revision: {0:?}")]
pub struct BadVersion(pub String);

impl FromStr for Version {
    type Err = BadVersion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadVersion(s.to_string());
        let mut parts = s.trim().split('.').map(|p| p.parse::<u32>().map_err(|_| bad()));
        let v = Version::new(
            parts.next().ok_or_else(bad)??,
            parts.next().ok_or_else(bad)??,
            parts.next().ok_or_else(bad)??,
        );
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(v)
    }
}

/// What the preflight reads at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versions {
    /// `hailo_get_library_version`: the libhailort this process runs with.
    pub library: Version,
    /// The PCIe driver (hailo1x_pci); `None` when unknown (module not loaded, or no sysfs entry).
    pub driver: Option<Version>,
    /// `hailo_identify`: the firmware running on the device.
    pub firmware: Version,
    /// `hailo_scan_devices`: the device's id (its PCIe address on a Pi 5).
    pub device_id: String,
}

impl Versions {
    /// The four values as `/diagnostics` key/values, in this order.
    pub fn key_values(&self) -> [(&'static str, String); 4] {
        [
            ("hailort_version", self.library.to_string()),
            ("hailo_driver_version", self.driver.map_or_else(|| "unknown".to_string(), |d| d.to_string())),
            ("hailo_firmware_version", self.firmware.to_string()),
            ("hailo_device_id", self.device_id.clone()),
        ]
    }

    /// One line for a status message: `0001:01:00.0 (HailoRT 5.1.1, firmware 5.1.1, driver 5.1.1)`.
    pub fn summary(&self) -> String {
        let driver = self.driver.map_or_else(|| "unknown".to_string(), |d| d.to_string());
        format!("{} (HailoRT {}, firmware {}, driver {driver})", self.device_id, self.library, self.firmware)
    }
}

/// Versions that cannot work together: the node must not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Incompatible {
    #[error(
        "Hailo preflight: HailoRT {library} and the firmware {firmware} of Hailo device {device_id} differ in \
         major.minor ({lib_mm} vs {fw_mm}); HailoRT refuses the device's controls then (HAILO_UNSUPPORTED_FW_VERSION). \
         Fix: install HailoRT, the hailo1x_pci driver and the Hailo-10H firmware of one release (the firmware is \
         /lib/firmware/hailo/hailo10h, loaded by the driver at boot), then reboot so the driver loads it; \
         `hailortcli fw-control identify` shows the running firmware (`hailortcli fw-update` is for flash-based \
         devices only)",
        lib_mm = .library.major_minor_string(),
        fw_mm = .firmware.major_minor_string()
    )]
    Firmware { library: Version, firmware: Version, device_id: String },
}

/// Worth saying, not worth stopping for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// The PCIe driver's version is not the library's (HailoRT opens a device only when they are equal).
    DriverDiffers { library: Version, driver: Version },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::DriverDiffers { library, driver } => write!(
                f,
                "Hailo preflight: the hailo1x_pci driver is {driver} and HailoRT is {library}; HailoRT requires \
                 the same version (HAILO_INVALID_DRIVER_VERSION otherwise): install both from one release"
            ),
        }
    }
}

/// Ok with what is worth a warning, or why these versions cannot work together.
pub fn check(v: &Versions) -> Result<Vec<Warning>, Incompatible> {
    if v.library.major_minor() != v.firmware.major_minor() {
        return Err(Incompatible::Firmware { library: v.library, firmware: v.firmware, device_id: v.device_id.clone() });
    }
    let mut warnings = Vec::new();
    if let Some(driver) = v.driver.filter(|d| *d != v.library) {
        warnings.push(Warning::DriverDiffers { library: v.library, driver });
    }
    Ok(warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions(library: &str, driver: Option<&str>, firmware: &str) -> Versions {
        Versions {
            library: library.parse().unwrap(),
            driver: driver.map(|d| d.parse().unwrap()),
            firmware: firmware.parse().unwrap(),
            device_id: "0001:01:00.0".into(),
        }
    }

    #[test]
    fn versions_parse_and_print() {
        assert_eq!("5.1.1".parse::<Version>(), Ok(Version::new(5, 1, 1)));
        assert_eq!(" 4.23.0\n".parse::<Version>(), Ok(Version::new(4, 23, 0)));
        for bad in ["", "5", "5.1", "5.1.1.0", "5.x.1", "-1.0.0", "5..1"] {
            assert_eq!(bad.parse::<Version>(), Err(BadVersion(bad.into())), "{bad:?}");
        }
        assert_eq!(Version::new(5, 2, 0).to_string(), "5.2.0");
    }

    #[test]
    fn matching_versions_pass_without_warnings() {
        assert_eq!(check(&versions("5.1.1", Some("5.1.1"), "5.1.1")), Ok(vec![]));
        // The driver's version may be unknown (module not loaded yet / no sysfs entry).
        assert_eq!(check(&versions("5.1.1", None, "5.1.1")), Ok(vec![]));
    }

    #[test]
    fn firmware_revision_may_differ() {
        // HailoRT compares major.minor only (Device::update_fw_state).
        assert_eq!(check(&versions("5.1.1", Some("5.1.1"), "5.1.0")), Ok(vec![]));
        assert_eq!(check(&versions("5.1.0", Some("5.1.0"), "5.1.7")), Ok(vec![]));
    }

    #[test]
    fn firmware_major_or_minor_mismatch_is_incompatible_and_says_how_to_fix() {
        for (lib, fw) in [("5.1.1", "5.0.1"), ("5.1.1", "5.2.0"), ("5.1.1", "4.23.0"), ("4.23.0", "5.23.0")] {
            let err = check(&versions(lib, Some(lib), fw)).unwrap_err();
            assert_eq!(
                err,
                Incompatible::Firmware { library: lib.parse().unwrap(), firmware: fw.parse().unwrap(), device_id: "0001:01:00.0".into() }
            );
            let msg = err.to_string();
            for needle in [lib, fw, "0001:01:00.0", "major.minor", "HAILO_UNSUPPORTED_FW_VERSION", "one release", "reboot",
                "hailortcli fw-control identify"] {
                assert!(msg.contains(needle), "{needle:?} not in {msg}");
            }
        }
        let msg = check(&versions("5.1.1", None, "5.0.1")).unwrap_err().to_string();
        assert!(msg.contains("(5.1 vs 5.0)"), "{msg}");
    }

    #[test]
    fn firmware_mismatch_wins_over_a_driver_warning() {
        assert!(matches!(check(&versions("5.1.1", Some("5.0.0"), "5.0.0")), Err(Incompatible::Firmware { .. })));
    }

    #[test]
    fn driver_other_than_the_library_is_a_warning() {
        // HailoRT compares all three numbers (validate_driver_version): a revision counts too.
        for driver in ["5.1.0", "5.0.1", "4.23.0"] {
            let w = check(&versions("5.1.1", Some(driver), "5.1.1")).unwrap();
            assert_eq!(w, vec![Warning::DriverDiffers { library: Version::new(5, 1, 1), driver: driver.parse().unwrap() }]);
            let msg = w[0].to_string();
            assert!(msg.contains(driver) && msg.contains("5.1.1") && msg.contains("HAILO_INVALID_DRIVER_VERSION"), "{msg}");
        }
    }

    #[test]
    fn diagnostics_values_and_summary() {
        let v = versions("5.1.1", None, "5.1.0");
        assert_eq!(
            v.key_values(),
            [
                ("hailort_version", "5.1.1".to_string()),
                ("hailo_driver_version", "unknown".to_string()),
                ("hailo_firmware_version", "5.1.0".to_string()),
                ("hailo_device_id", "0001:01:00.0".to_string()),
            ]
        );
        assert_eq!(v.summary(), "0001:01:00.0 (HailoRT 5.1.1, firmware 5.1.0, driver unknown)");
    }
}
