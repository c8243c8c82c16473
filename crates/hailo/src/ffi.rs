//! `extern "C"` declarations of shim/hailo_shim.h (implemented by the real shim or by the test
//! double, whichever build.rs compiled). Kept in step with the header by hand: the ABI version
//! is checked at the first open.

#![allow(non_camel_case_types)]

use std::ffi::{c_char, c_void};

pub const ABI: u32 = 2;

pub const OK: i32 = 0;
pub const TIMEOUT: i32 = 1;
pub const OPEN_FAILED: i32 = 3;

pub const OUTPUT_TENSOR: u32 = 0;
pub const OUTPUT_NMS_BY_CLASS: u32 = 1;

pub const LLM_GENERATING: u32 = 0;
pub const LLM_MAX_TOKENS: u32 = 1;
pub const LLM_END: u32 = 2;
pub const LLM_ABORTED: u32 = 3;

#[repr(C)]
pub struct aihat_hailo_model {
    _private: [u8; 0],
}

#[repr(C)]
pub struct aihat_hailo_llm {
    _private: [u8; 0],
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct aihat_hailo_model_config {
    pub nms_score_threshold: f32,
    pub nms_iou_threshold: f32,
    pub nms_max_bboxes_per_class: u32,
    pub scheduler_priority: u8,
    pub scheduler_threshold: u32,
    pub scheduler_timeout_ms: u32,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct aihat_hailo_output_info {
    pub name: [c_char; 128],
    pub kind: u32,
    pub height: u32,
    pub width: u32,
    pub features: u32,
    pub nms_classes: u32,
    pub nms_max_bboxes_per_class: u32,
    pub frame_size: u64,
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct aihat_hailo_version {
    pub major: u32,
    pub minor: u32,
    pub revision: u32,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct aihat_hailo_versions {
    pub library: aihat_hailo_version,
    pub driver: aihat_hailo_version,
    pub firmware: aihat_hailo_version,
    pub device_id: [c_char; 32],
}

extern "C" {
    pub fn aihat_hailo_shim_abi() -> u32;
    pub fn aihat_hailo_last_error(buf: *mut c_char, cap: usize) -> usize;

    pub fn aihat_hailo_versions_get(out: *mut aihat_hailo_versions) -> i32;

    pub fn aihat_hailo_model_open(
        hef_path: *const c_char,
        cfg: *const aihat_hailo_model_config,
        out: *mut *mut aihat_hailo_model,
    ) -> i32;
    pub fn aihat_hailo_model_input(m: *const aihat_hailo_model, h: *mut u32, w: *mut u32, c: *mut u32) -> i32;
    pub fn aihat_hailo_model_output_count(m: *const aihat_hailo_model) -> usize;
    pub fn aihat_hailo_model_output_info(m: *const aihat_hailo_model, index: usize, info: *mut aihat_hailo_output_info) -> i32;
    pub fn aihat_hailo_model_infer(
        m: *mut aihat_hailo_model,
        input: *const u8,
        input_bytes: usize,
        outputs: *const *mut c_void,
        output_bytes: *const usize,
        n_outputs: usize,
        timeout_ms: u32,
    ) -> i32;
    pub fn aihat_hailo_model_close(m: *mut aihat_hailo_model);

    pub fn aihat_hailo_llm_open(hef_path: *const c_char, out: *mut *mut aihat_hailo_llm) -> i32;
    pub fn aihat_hailo_llm_clear_context(l: *mut aihat_hailo_llm) -> i32;
    pub fn aihat_hailo_llm_generate(
        l: *mut aihat_hailo_llm,
        messages_json: *const *const c_char,
        n_messages: usize,
        max_tokens: u32,
        temperature: f32,
        seed: u32,
    ) -> i32;
    pub fn aihat_hailo_llm_read(
        l: *mut aihat_hailo_llm,
        buf: *mut c_char,
        cap: usize,
        len: *mut usize,
        timeout_ms: u32,
        state: *mut u32,
    ) -> i32;
    pub fn aihat_hailo_llm_abort(l: *mut aihat_hailo_llm) -> i32;
    pub fn aihat_hailo_llm_close(l: *mut aihat_hailo_llm);
}
