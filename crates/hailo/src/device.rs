//! Device discovery, identity and telemetry through HailoRT's C API (`hailort-sys`): the part
//! of HailoRT that does work on Hailo-10H without the C++ shim. Feeds [`crate::thermal`].
//! Only on a real device: the test double has no telemetry, and nothing here is simulated.

use std::ffi::c_char;

use hailort_sys as sys;

use crate::thermal::Telemetry;

#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("{what} failed: hailo_status {status}")]
    Status { what: &'static str, status: i32 },
    #[error("no Hailo device found")]
    NoDevice,
}

fn ok(status: sys::hailo_status, what: &'static str) -> Result<(), DeviceError> {
    if status == sys::HAILO_SUCCESS {
        Ok(())
    } else {
        Err(DeviceError::Status { what, status })
    }
}

fn c_str(chars: &[c_char], len: Option<usize>) -> String {
    let n = len.unwrap_or(chars.len()).min(chars.len());
    let bytes: Vec<u8> = chars[..n].iter().take_while(|c| **c != 0).map(|c| *c as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Ids of the Hailo devices on this machine (PCIe addresses on a Pi 5).
pub fn scan() -> Result<Vec<String>, DeviceError> {
    // SAFETY: plain-data array; the call writes at most `len` entries and updates `len`.
    let mut ids: Vec<sys::hailo_device_id_t> = vec![unsafe { std::mem::zeroed() }; 8];
    let mut len = ids.len();
    ok(unsafe { sys::hailo_scan_devices(std::ptr::null_mut(), ids.as_mut_ptr(), &mut len) }, "hailo_scan_devices")?;
    Ok(ids[..len.min(ids.len())].iter().map(|d| c_str(&d.id, None)).collect())
}

#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    pub device_id: String,
    pub board_name: String,
    pub serial_number: String,
    pub firmware: (u32, u32, u32),
}

/// A physical device handle for telemetry (inference goes through the shared VDevice).
pub struct Device {
    raw: sys::hailo_device,
    id: String,
}

// SAFETY: HailoRT device handles may be used from any thread; we use it through &self calls
// that HailoRT serialises internally (control messages).
unsafe impl Send for Device {}

impl Device {
    /// The first device found.
    pub fn open_first() -> Result<Self, DeviceError> {
        let id = scan()?.into_iter().next().ok_or(DeviceError::NoDevice)?;
        // SAFETY: zeroed id then filled with the NUL-terminated scanned id.
        let mut raw_id: sys::hailo_device_id_t = unsafe { std::mem::zeroed() };
        for (d, s) in raw_id.id.iter_mut().zip(id.bytes().take(sys::HAILO_MAX_DEVICE_ID_LENGTH - 1)) {
            *d = s as c_char;
        }
        let mut raw: sys::hailo_device = std::ptr::null_mut();
        ok(unsafe { sys::hailo_create_device_by_id(&raw_id, &mut raw) }, "hailo_create_device_by_id")?;
        Ok(Self { raw, id })
    }

    pub fn identity(&self) -> Result<Identity, DeviceError> {
        // SAFETY: plain-data out struct.
        let mut ident: sys::hailo_device_identity_t = unsafe { std::mem::zeroed() };
        ok(unsafe { sys::hailo_identify(self.raw, &mut ident) }, "hailo_identify")?;
        Ok(Identity {
            device_id: self.id.clone(),
            board_name: c_str(&ident.board_name, Some(ident.board_name_length as usize)),
            serial_number: c_str(&ident.serial_number, Some(ident.serial_number_length as usize)),
            firmware: (ident.fw_version.major, ident.fw_version.minor, ident.fw_version.revision),
        })
    }

    /// One telemetry sample; fields that cannot be read are `None`/false (logged at debug).
    pub fn telemetry(&self) -> Telemetry {
        let mut t = Telemetry::default();
        // SAFETY: plain-data out structs; outputs used only on success.
        let mut temp: sys::hailo_chip_temperature_info_t = unsafe { std::mem::zeroed() };
        match ok(unsafe { sys::hailo_get_chip_temperature(self.raw, &mut temp) }, "hailo_get_chip_temperature") {
            Ok(()) => t.temperature_c = Some(temp.ts0_temperature.max(temp.ts1_temperature)),
            Err(e) => tracing::debug!(error = %e, "no temperature"),
        }
        let mut health: sys::hailo_health_info_t = unsafe { std::mem::zeroed() };
        match ok(unsafe { sys::hailo_get_health_information(self.raw, &mut health) }, "hailo_get_health_information") {
            Ok(()) => {
                t.throttling = health.temperature_throttling_active || health.overcurrent_throttling_active;
                t.overcurrent = health.overcurrent_protection_active;
            }
            Err(e) => tracing::debug!(error = %e, "no health information"),
        }
        let mut watts = 0f32;
        match ok(
            unsafe {
                sys::hailo_power_measurement(self.raw, sys::HAILO_DVM_OPTIONS_AUTO, sys::HAILO_POWER_MEASUREMENT_TYPES__POWER, &mut watts)
            },
            "hailo_power_measurement",
        ) {
            Ok(()) => t.power_w = Some(watts),
            Err(e) => tracing::debug!(error = %e, "no power measurement"),
        }
        t
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        // SAFETY: created by hailo_create_device_by_id, released once.
        unsafe { sys::hailo_release_device(self.raw) };
    }
}
