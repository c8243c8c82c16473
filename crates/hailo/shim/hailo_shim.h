/* C ABI of the aihat_ros HailoRT shim.
 *
 * On Hailo-10H, inference and the LLM are only reachable through HailoRT's C++ API
 * (InferModel / ConfiguredInferModel, genai::LLM); Rust cannot call C++ directly, so this thin
 * layer exposes what the Rust side needs as plain C. It holds no policy: letterboxing, output
 * decoding, prompt building, repair and retries are all in Rust (crates/hailo/src).
 *
 * Implemented by shim/hailo_shim.cpp (real HailoRT) and by tests/double/hailo_shim_double.c
 * (test double). Both must follow this header exactly; AIHAT_HAILO_SHIM_ABI is checked at load.
 */
#ifndef AIHAT_HAILO_SHIM_H
#define AIHAT_HAILO_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AIHAT_HAILO_SHIM_ABI 2u

/* Status codes. Details of the last failure on this thread: aihat_hailo_last_error(). */
#define AIHAT_OK 0
#define AIHAT_TIMEOUT 1
#define AIHAT_INVALID_ARGUMENT 2
#define AIHAT_OPEN_FAILED 3
#define AIHAT_DEVICE_ERROR 4
#define AIHAT_BUFFER_TOO_SMALL 5

/* Output kinds. All outputs are delivered as host float32. */
#define AIHAT_OUTPUT_TENSOR 0u         /* NHWC float32, dequantised */
#define AIHAT_OUTPUT_NMS_BY_CLASS 1u   /* HAILO_FORMAT_ORDER_HAILO_NMS_BY_CLASS, float32 */

/* LLM generation states (hailort::genai::LLMGeneratorCompletion::Status). */
#define AIHAT_LLM_GENERATING 0u
#define AIHAT_LLM_MAX_TOKENS 1u
#define AIHAT_LLM_END 2u
#define AIHAT_LLM_ABORTED 3u

typedef struct aihat_hailo_model aihat_hailo_model;
typedef struct aihat_hailo_llm aihat_hailo_llm;

typedef struct {
    /* Applied to NMS outputs before configure (InferStream::set_nms_*); <= 0 keeps the HEF's. */
    float nms_score_threshold;
    float nms_iou_threshold;
    uint32_t nms_max_bboxes_per_class;
    /* HailoRT scheduler: priority 0..31 (default 16), threshold in frames, timeout in ms
     * (0 keeps the default). */
    uint8_t scheduler_priority;
    uint32_t scheduler_threshold;
    uint32_t scheduler_timeout_ms;
} aihat_hailo_model_config;

typedef struct {
    char name[128];
    uint32_t kind;
    /* Tensor shape (NHWC) for AIHAT_OUTPUT_TENSOR. */
    uint32_t height;
    uint32_t width;
    uint32_t features;
    /* hailo_nms_shape_t for AIHAT_OUTPUT_NMS_BY_CLASS. */
    uint32_t nms_classes;
    uint32_t nms_max_bboxes_per_class;
    /* Bytes the host buffer for one frame of this output must have. */
    uint64_t frame_size;
} aihat_hailo_output_info;

/* major.minor.revision, as HailoRT's hailo_version_t and hailo_firmware_version_t (hailort.h). */
typedef struct {
    uint32_t major;
    uint32_t minor;
    uint32_t revision;
} aihat_hailo_version;

/* What the preflight compares (crates/hailo/src/preflight.rs). */
typedef struct {
    /* hailo_get_library_version(): the libhailort this process runs with. */
    aihat_hailo_version library;
    /* The PCIe driver's version (MODULE_VERSION of hailo1x_pci, /sys/module/hailo1x_pci/version).
     * HailoRT's C API has no getter for it (libhailort queries it by ioctl internally and refuses
     * a driver that differs from the library); all 0 when unknown. */
    aihat_hailo_version driver;
    /* hailo_identify(): hailo_device_identity_t.fw_version of the first device. */
    aihat_hailo_version firmware;
    /* hailo_scan_devices(): hailo_device_id_t.id of the first device (PCIe BDF, e.g. "0001:01:00.0"). */
    char device_id[32];
} aihat_hailo_versions;

uint32_t aihat_hailo_shim_abi(void);
/* Copies the last error message of this thread (NUL-terminated, truncated to cap); returns
 * its full length. */
size_t aihat_hailo_last_error(char *buf, size_t cap);

/* Fills *out for the preflight. AIHAT_OPEN_FAILED (reason in last_error) when no device is found
 * (device_id empty) or it cannot be opened or identified (firmware 0.0.0); library and driver are
 * filled all the same. Opens and releases its own device handle. */
int32_t aihat_hailo_versions_get(aihat_hailo_versions *out);

/* Opens a HEF on the shared virtual device (group "SHARED": several processes, one chip) and
 * configures it: all outputs float32, NMS outputs by class. */
int32_t aihat_hailo_model_open(const char *hef_path, const aihat_hailo_model_config *cfg, aihat_hailo_model **out);
/* The single input: uint8 NHWC of height x width x channels. */
int32_t aihat_hailo_model_input(const aihat_hailo_model *m, uint32_t *height, uint32_t *width, uint32_t *channels);
size_t aihat_hailo_model_output_count(const aihat_hailo_model *m);
int32_t aihat_hailo_model_output_info(const aihat_hailo_model *m, size_t index, aihat_hailo_output_info *info);
/* One frame, through the async API (run_async, then wait up to timeout_ms). outputs[i] must
 * hold output_bytes[i] >= frame_size of output i, in output_info order. */
int32_t aihat_hailo_model_infer(aihat_hailo_model *m, const uint8_t *input, size_t input_bytes, void *const *outputs,
                                const size_t *output_bytes, size_t n_outputs, uint32_t timeout_ms);
void aihat_hailo_model_close(aihat_hailo_model *m);

/* Loads an LLM HEF (takes seconds: keep it resident). */
int32_t aihat_hailo_llm_open(const char *hef_path, aihat_hailo_llm **out);
int32_t aihat_hailo_llm_clear_context(aihat_hailo_llm *l);
/* Starts a generation from chat messages given as JSON strings ({"role":..,"content":..}). */
int32_t aihat_hailo_llm_generate(aihat_hailo_llm *l, const char *const *messages_json, size_t n_messages,
                                 uint32_t max_tokens, float temperature, uint32_t seed);
/* Reads the next piece of text (one token's text, NUL-terminated) into buf; *state tells
 * whether generation goes on. AIHAT_TIMEOUT if nothing arrived within timeout_ms. */
int32_t aihat_hailo_llm_read(aihat_hailo_llm *l, char *buf, size_t cap, size_t *len, uint32_t timeout_ms, uint32_t *state);
/* Stops the generation in progress (a spoken "stop" must not wait for the reply). */
int32_t aihat_hailo_llm_abort(aihat_hailo_llm *l);
void aihat_hailo_llm_close(aihat_hailo_llm *l);

#ifdef __cplusplus
}
#endif

#endif
