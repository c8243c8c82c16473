// aihat_ros HailoRT shim: the C ABI of hailo_shim.h over HailoRT 5.x's C++ API.
//
// Why C++ at all: on Hailo-10H the C API's network-group path returns HAILO_NOT_IMPLEMENTED
// ("use InferModel instead"), and genai::LLM has no C API. Why so thin: everything that can be
// tested without a device lives in Rust; what is here can only be checked on a Pi 5 with the
// AI HAT+ 2 (see the README's Hailo section).
//
// Every entry point catches exceptions: a C++ exception crossing into Rust is undefined
// behaviour.

#include "hailo_shim.h"

#include <hailo/hailort.hpp>
#include <hailo/infer_model.hpp>
#include <hailo/vdevice.hpp>
#include <hailo/genai/llm/llm.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace hailort;

namespace {

thread_local std::string g_last_error;

int32_t fail(int32_t code, const std::string &what, hailo_status st = HAILO_SUCCESS) {
    g_last_error = what;
    if (st != HAILO_SUCCESS) {
        g_last_error += " (hailo_status " + std::to_string(static_cast<int>(st)) + ")";
    }
    return code;
}

int32_t from_status(hailo_status st, const char *what) {
    if (st == HAILO_SUCCESS) {
        return AIHAT_OK;
    }
    return fail(st == HAILO_TIMEOUT ? AIHAT_TIMEOUT : AIHAT_DEVICE_ERROR, what, st);
}

// All processes of the robot share one chip through HailoRT's scheduler.
Expected<std::shared_ptr<VDevice>> shared_vdevice() {
    hailo_vdevice_params_t params;
    auto st = hailo_init_vdevice_params(&params);
    if (st != HAILO_SUCCESS) {
        return make_unexpected(st);
    }
    params.scheduling_algorithm = HAILO_SCHEDULING_ALGORITHM_ROUND_ROBIN;
    params.group_id = "SHARED";
    return VDevice::create_shared(params);
}

// The PCIe driver's version. HailoRT's C API has no getter for it: libhailort reads it with the
// HAILO_QUERY_DRIVER_INFO ioctl and refuses a driver whose major.minor.revision differs from its
// own (hailort/libhailort/src/vdma/driver/hailort_driver.cpp, validate_driver_version:
// HAILO_INVALID_DRIVER_VERSION). The Hailo-10H's driver, hailo1x_pci, declares the same version
// with MODULE_VERSION(HAILO_DRV_VER) (hailo-ai/hailort-drivers linux/pcie/src/pcie.c), which the
// kernel shows in sysfs. Left 0.0.0 when the module is not loaded.
void read_driver_version(aihat_hailo_version *v) {
    std::ifstream f("/sys/module/hailo1x_pci/version");
    std::string line;
    unsigned major = 0, minor = 0, revision = 0;
    if (std::getline(f, line) && std::sscanf(line.c_str(), "%u.%u.%u", &major, &minor, &revision) == 3) {
        *v = {major, minor, revision};
    }
}

}  // namespace

struct aihat_hailo_model {
    std::shared_ptr<VDevice> vdevice;
    std::shared_ptr<InferModel> model;
    std::optional<ConfiguredInferModel> configured;
    std::optional<ConfiguredInferModel::Bindings> bindings;
    std::vector<std::string> output_names;
    std::string input_name;
};

struct aihat_hailo_llm {
    std::shared_ptr<VDevice> vdevice;
    std::optional<genai::LLM> llm;
    std::optional<genai::LLMGeneratorCompletion> completion;
};

extern "C" {

uint32_t aihat_hailo_shim_abi(void) { return AIHAT_HAILO_SHIM_ABI; }

size_t aihat_hailo_last_error(char *buf, size_t cap) {
    if (buf != nullptr && cap > 0) {
        size_t n = std::min(cap - 1, g_last_error.size());
        std::memcpy(buf, g_last_error.data(), n);
        buf[n] = '\0';
    }
    return g_last_error.size();
}

// The preflight's versions through HailoRT's C API (hailo/hailort.h): hailo_get_library_version,
// hailo_scan_devices, hailo_create_device_by_id, hailo_identify (hailo_device_identity_t.fw_version),
// hailo_release_device.
int32_t aihat_hailo_versions_get(aihat_hailo_versions *out) try {
    if (out == nullptr) return fail(AIHAT_INVALID_ARGUMENT, "null argument");
    std::memset(out, 0, sizeof(*out));
    hailo_version_t lib{};
    auto st = hailo_get_library_version(&lib);
    if (st != HAILO_SUCCESS) return fail(AIHAT_DEVICE_ERROR, "hailo_get_library_version", st);
    out->library = {lib.major, lib.minor, lib.revision};
    read_driver_version(&out->driver);
    hailo_device_id_t ids[8]{};
    size_t n = 8;
    st = hailo_scan_devices(nullptr, ids, &n);
    if (st != HAILO_SUCCESS) return fail(AIHAT_OPEN_FAILED, "hailo_scan_devices failed (is the hailo1x_pci driver loaded?)", st);
    if (n == 0) return fail(AIHAT_OPEN_FAILED, "no Hailo device found (lspci should list it; is the hailo1x_pci driver loaded?)");
    // hailo_device_id_t.id is HAILO_MAX_DEVICE_ID_LENGTH (32) chars, as device_id; keep a NUL.
    std::memcpy(out->device_id, ids[0].id, strnlen(ids[0].id, sizeof(out->device_id) - 1));
    hailo_device device = nullptr;
    st = hailo_create_device_by_id(&ids[0], &device);
    if (st == HAILO_INVALID_DRIVER_VERSION) {
        return fail(AIHAT_OPEN_FAILED, std::string("HailoRT refuses device ") + out->device_id +
                                           ": the PCIe driver's version differs from libhailort's; install both from one HailoRT release", st);
    }
    if (st != HAILO_SUCCESS) return fail(AIHAT_OPEN_FAILED, std::string("hailo_create_device_by_id ") + out->device_id, st);
    hailo_device_identity_t identity{};
    st = hailo_identify(device, &identity);
    hailo_release_device(device);
    if (st != HAILO_SUCCESS) return fail(AIHAT_OPEN_FAILED, std::string("hailo_identify ") + out->device_id, st);
    out->firmware = {identity.fw_version.major, identity.fw_version.minor, identity.fw_version.revision};
    return AIHAT_OK;
} catch (const std::exception &e) {
    return fail(AIHAT_DEVICE_ERROR, e.what());
} catch (...) {
    return fail(AIHAT_DEVICE_ERROR, "unknown C++ exception in versions_get");
}

int32_t aihat_hailo_model_open(const char *hef_path, const aihat_hailo_model_config *cfg, aihat_hailo_model **out) try {
    if (hef_path == nullptr || cfg == nullptr || out == nullptr) {
        return fail(AIHAT_INVALID_ARGUMENT, "null argument");
    }
    auto m = std::make_unique<aihat_hailo_model>();
    auto vdevice = shared_vdevice();
    if (!vdevice) {
        return fail(AIHAT_OPEN_FAILED, "cannot create the shared VDevice (is the Hailo device present and hailort running?)", vdevice.status());
    }
    m->vdevice = vdevice.release();
    auto model = m->vdevice->create_infer_model(hef_path);
    if (!model) {
        return fail(AIHAT_OPEN_FAILED, std::string("cannot load HEF ") + hef_path, model.status());
    }
    m->model = model.release();
    if (m->model->inputs().size() != 1) {
        return fail(AIHAT_OPEN_FAILED, "the HEF must have exactly one input");
    }
    m->input_name = m->model->get_input_names().front();
    auto input = m->model->input();
    if (!input) {
        return fail(AIHAT_OPEN_FAILED, "no input stream", input.status());
    }
    input->set_format_type(HAILO_FORMAT_TYPE_UINT8);
    m->output_names = m->model->get_output_names();
    for (const auto &name : m->output_names) {
        auto o = m->model->output(name);
        if (!o) {
            return fail(AIHAT_OPEN_FAILED, "no output stream " + name, o.status());
        }
        o->set_format_type(HAILO_FORMAT_TYPE_FLOAT32);
        if (o->is_nms()) {
            o->set_format_order(HAILO_FORMAT_ORDER_HAILO_NMS_BY_CLASS);
            if (cfg->nms_score_threshold > 0.0f) o->set_nms_score_threshold(cfg->nms_score_threshold);
            if (cfg->nms_iou_threshold > 0.0f) o->set_nms_iou_threshold(cfg->nms_iou_threshold);
            if (cfg->nms_max_bboxes_per_class > 0) o->set_nms_max_proposals_per_class(cfg->nms_max_bboxes_per_class);
        }
    }
    auto configured = m->model->configure();
    if (!configured) {
        return fail(AIHAT_OPEN_FAILED, "configure() failed", configured.status());
    }
    m->configured.emplace(configured.release());
    if (cfg->scheduler_priority > 0) {
        auto st = m->configured->set_scheduler_priority(cfg->scheduler_priority);
        if (st != HAILO_SUCCESS) return fail(AIHAT_OPEN_FAILED, "set_scheduler_priority", st);
    }
    if (cfg->scheduler_threshold > 0) {
        auto st = m->configured->set_scheduler_threshold(cfg->scheduler_threshold);
        if (st != HAILO_SUCCESS) return fail(AIHAT_OPEN_FAILED, "set_scheduler_threshold", st);
    }
    if (cfg->scheduler_timeout_ms > 0) {
        auto st = m->configured->set_scheduler_timeout(std::chrono::milliseconds(cfg->scheduler_timeout_ms));
        if (st != HAILO_SUCCESS) return fail(AIHAT_OPEN_FAILED, "set_scheduler_timeout", st);
    }
    auto bindings = m->configured->create_bindings();
    if (!bindings) {
        return fail(AIHAT_OPEN_FAILED, "create_bindings() failed", bindings.status());
    }
    m->bindings.emplace(bindings.release());
    *out = m.release();
    return AIHAT_OK;
} catch (const std::exception &e) {
    return fail(AIHAT_OPEN_FAILED, e.what());
} catch (...) {
    return fail(AIHAT_OPEN_FAILED, "unknown C++ exception");
}

int32_t aihat_hailo_model_input(const aihat_hailo_model *m, uint32_t *height, uint32_t *width, uint32_t *channels) try {
    if (m == nullptr || height == nullptr || width == nullptr || channels == nullptr) {
        return fail(AIHAT_INVALID_ARGUMENT, "null argument");
    }
    auto in = m->model->input();
    if (!in) return fail(AIHAT_DEVICE_ERROR, "no input stream", in.status());
    auto s = in->shape();
    *height = s.height;
    *width = s.width;
    *channels = s.features;
    return AIHAT_OK;
} catch (...) {
    return fail(AIHAT_DEVICE_ERROR, "exception in model_input");
}

size_t aihat_hailo_model_output_count(const aihat_hailo_model *m) { return m == nullptr ? 0 : m->output_names.size(); }

int32_t aihat_hailo_model_output_info(const aihat_hailo_model *m, size_t index, aihat_hailo_output_info *info) try {
    if (m == nullptr || info == nullptr || index >= m->output_names.size()) {
        return fail(AIHAT_INVALID_ARGUMENT, "bad output index");
    }
    auto o = m->model->output(m->output_names[index]);
    if (!o) return fail(AIHAT_DEVICE_ERROR, "no output stream", o.status());
    std::memset(info, 0, sizeof(*info));
    std::strncpy(info->name, m->output_names[index].c_str(), sizeof(info->name) - 1);
    info->frame_size = o->get_frame_size();
    if (o->is_nms()) {
        auto nms = o->get_nms_shape();
        if (!nms) return fail(AIHAT_DEVICE_ERROR, "get_nms_shape", nms.status());
        info->kind = AIHAT_OUTPUT_NMS_BY_CLASS;
        info->nms_classes = nms->number_of_classes;
        info->nms_max_bboxes_per_class = nms->max_bboxes_per_class;
    } else {
        auto s = o->shape();
        info->kind = AIHAT_OUTPUT_TENSOR;
        info->height = s.height;
        info->width = s.width;
        info->features = s.features;
    }
    return AIHAT_OK;
} catch (...) {
    return fail(AIHAT_DEVICE_ERROR, "exception in model_output_info");
}

int32_t aihat_hailo_model_infer(aihat_hailo_model *m, const uint8_t *input, size_t input_bytes, void *const *outputs,
                                const size_t *output_bytes, size_t n_outputs, uint32_t timeout_ms) try {
    if (m == nullptr || input == nullptr || outputs == nullptr || output_bytes == nullptr || n_outputs != m->output_names.size()) {
        return fail(AIHAT_INVALID_ARGUMENT, "bad infer arguments");
    }
    auto timeout = std::chrono::milliseconds(timeout_ms);
    auto in = m->bindings->input(m->input_name);
    if (!in) return fail(AIHAT_DEVICE_ERROR, "bindings input", in.status());
    // HailoRT reads the input buffer asynchronously; the caller keeps it alive until wait() returns.
    auto st = in->set_buffer(MemoryView(const_cast<uint8_t *>(input), input_bytes));
    if (st != HAILO_SUCCESS) return from_status(st, "set input buffer");
    for (size_t i = 0; i < n_outputs; i++) {
        auto o = m->bindings->output(m->output_names[i]);
        if (!o) return fail(AIHAT_DEVICE_ERROR, "bindings output", o.status());
        st = o->set_buffer(MemoryView(outputs[i], output_bytes[i]));
        if (st != HAILO_SUCCESS) return from_status(st, "set output buffer");
    }
    st = m->configured->wait_for_async_ready(timeout);
    if (st != HAILO_SUCCESS) return from_status(st, "wait_for_async_ready");
    auto job = m->configured->run_async(*m->bindings);
    if (!job) return from_status(job.status(), "run_async");
    return from_status(job->wait(timeout), "inference");
} catch (const std::exception &e) {
    return fail(AIHAT_DEVICE_ERROR, e.what());
} catch (...) {
    return fail(AIHAT_DEVICE_ERROR, "unknown C++ exception in infer");
}

void aihat_hailo_model_close(aihat_hailo_model *m) {
    try {
        if (m != nullptr && m->configured) {
            m->configured->shutdown();
        }
    } catch (...) {
    }
    delete m;
}

int32_t aihat_hailo_llm_open(const char *hef_path, aihat_hailo_llm **out) try {
    if (hef_path == nullptr || out == nullptr) return fail(AIHAT_INVALID_ARGUMENT, "null argument");
    auto l = std::make_unique<aihat_hailo_llm>();
    auto vdevice = shared_vdevice();
    if (!vdevice) return fail(AIHAT_OPEN_FAILED, "cannot create the shared VDevice", vdevice.status());
    l->vdevice = vdevice.release();
    genai::LLMParams params;
    auto st = params.set_model(hef_path);
    if (st != HAILO_SUCCESS) return fail(AIHAT_OPEN_FAILED, std::string("bad LLM HEF ") + hef_path, st);
    auto llm = genai::LLM::create(l->vdevice, params);
    if (!llm) return fail(AIHAT_OPEN_FAILED, std::string("cannot load LLM ") + hef_path, llm.status());
    l->llm.emplace(llm.release());
    *out = l.release();
    return AIHAT_OK;
} catch (const std::exception &e) {
    return fail(AIHAT_OPEN_FAILED, e.what());
} catch (...) {
    return fail(AIHAT_OPEN_FAILED, "unknown C++ exception");
}

int32_t aihat_hailo_llm_clear_context(aihat_hailo_llm *l) try {
    if (l == nullptr) return fail(AIHAT_INVALID_ARGUMENT, "null argument");
    return from_status(l->llm->clear_context(), "clear_context");
} catch (...) {
    return fail(AIHAT_DEVICE_ERROR, "exception in clear_context");
}

int32_t aihat_hailo_llm_generate(aihat_hailo_llm *l, const char *const *messages_json, size_t n_messages, uint32_t max_tokens,
                                 float temperature, uint32_t seed) try {
    if (l == nullptr || messages_json == nullptr) return fail(AIHAT_INVALID_ARGUMENT, "null argument");
    l->completion.reset();
    auto params = l->llm->create_generator_params();
    if (!params) return from_status(params.status(), "create_generator_params");
    hailo_status st = params->set_max_generated_tokens(max_tokens);
    if (st == HAILO_SUCCESS) st = params->set_temperature(temperature);
    if (st == HAILO_SUCCESS) st = params->set_do_sample(temperature > 0.0f);
    if (st == HAILO_SUCCESS) st = params->set_seed(seed);
    if (st != HAILO_SUCCESS) return from_status(st, "generator params");
    std::vector<std::string> messages;
    for (size_t i = 0; i < n_messages; i++) {
        if (messages_json[i] == nullptr) return fail(AIHAT_INVALID_ARGUMENT, "null message");
        messages.emplace_back(messages_json[i]);
    }
    auto completion = l->llm->generate(params.release(), messages);
    if (!completion) return from_status(completion.status(), "generate");
    l->completion.emplace(completion.release());
    return AIHAT_OK;
} catch (const std::exception &e) {
    return fail(AIHAT_DEVICE_ERROR, e.what());
} catch (...) {
    return fail(AIHAT_DEVICE_ERROR, "unknown C++ exception in generate");
}

int32_t aihat_hailo_llm_read(aihat_hailo_llm *l, char *buf, size_t cap, size_t *len, uint32_t timeout_ms, uint32_t *state) try {
    if (l == nullptr || buf == nullptr || cap == 0 || len == nullptr || state == nullptr) {
        return fail(AIHAT_INVALID_ARGUMENT, "null argument");
    }
    if (!l->completion) return fail(AIHAT_INVALID_ARGUMENT, "no generation in progress");
    *len = 0;
    auto n = l->completion->read(buf, cap - 1, std::chrono::milliseconds(timeout_ms));
    if (!n) {
        if (n.status() == HAILO_INSUFFICIENT_BUFFER) return fail(AIHAT_BUFFER_TOO_SMALL, "token text longer than the buffer");
        return from_status(n.status(), "read");
    }
    *len = *n;
    buf[*len] = '\0';
    switch (l->completion->generation_status()) {
    case genai::LLMGeneratorCompletion::Status::GENERATING: *state = AIHAT_LLM_GENERATING; break;
    case genai::LLMGeneratorCompletion::Status::MAX_TOKENS_REACHED: *state = AIHAT_LLM_MAX_TOKENS; break;
    case genai::LLMGeneratorCompletion::Status::ABORTED: *state = AIHAT_LLM_ABORTED; break;
    default: *state = AIHAT_LLM_END; break;
    }
    return AIHAT_OK;
} catch (const std::exception &e) {
    return fail(AIHAT_DEVICE_ERROR, e.what());
} catch (...) {
    return fail(AIHAT_DEVICE_ERROR, "unknown C++ exception in read");
}

int32_t aihat_hailo_llm_abort(aihat_hailo_llm *l) try {
    if (l == nullptr) return fail(AIHAT_INVALID_ARGUMENT, "null argument");
    if (!l->completion) return AIHAT_OK;
    return from_status(l->completion->abort(), "abort");
} catch (...) {
    return fail(AIHAT_DEVICE_ERROR, "exception in abort");
}

void aihat_hailo_llm_close(aihat_hailo_llm *l) {
    try {
        if (l != nullptr) {
            l->completion.reset();
            l->llm.reset();
        }
    } catch (...) {
    }
    delete l;
}

}  // extern "C"
