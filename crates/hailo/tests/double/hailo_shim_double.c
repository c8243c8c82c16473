/* TEST DOUBLE of the aihat_ros HailoRT shim (shim/hailo_shim.h). NOT a device, NOT HailoRT.
 *
 * Built instead of shim/hailo_shim.cpp by the `hailo-double` cargo feature so that the Rust
 * side (letterbox, output decoding, repair, retries, arbiter grants, ROS publishing) runs end to
 * end on a machine without a Hailo device. It returns what a test put in its "model" file, in
 * the byte layout HailoRT uses, after a simulated latency. Every result it gives is canned.
 *
 * Vision "HEF", one NMS output (binary, little endian), for HEFs compiled with on-chip NMS:
 *   "AIHATDBL" | u32 height | u32 width | u32 channels | u32 nms_classes |
 *   u32 nms_max_bboxes_per_class | u32 latency_us | f32 payload...
 * One output, HAILO_NMS_BY_CLASS float32 with frame size classes * (4 + max * 20) bytes; the
 * payload is copied to its start and the rest zeroed, as HailoRT leaves padding.
 *
 * Vision "HEF", several outputs (binary, little endian), for HEFs whose raw head outputs the host
 * decodes (pose: box / score / keypoint maps per stride; depth: one map):
 *   "AIHATDB2" | u32 height | u32 width | u32 channels | u32 latency_us | u32 n_outputs |
 *   n_outputs x { u32 kind | u32 a | u32 b | u32 c } | the outputs' frames, in output order.
 * kind 0 (AIHAT_OUTPUT_TENSOR): a x b x c = height x width x features, NHWC float32, frame
 * a*b*c*4 bytes (what HailoRT gives for a FLOAT32 user buffer: dequantised, host order).
 * kind 1 (AIHAT_OUTPUT_NMS_BY_CLASS): a classes, b max boxes per class, c unused.
 * Each frame is a full frame of f32 values; a file that ends early leaves the rest zero.
 *
 * LLM "HEF" (text): first line "AIHATDBL-LLM <per-token latency ms>", then canned replies
 * separated by lines "%%". Each generate() answers with the next reply (cycling), streamed in
 * 3-byte "tokens"; max_tokens cuts it short with the MAX_TOKENS state, as the real LLM does.
 *
 * Versions (aihat_hailo_versions_get), from the environment, "major.minor.revision" each:
 *   AIHAT_HAILO_DOUBLE_LIBRARY_VERSION (default 5.1.1), AIHAT_HAILO_DOUBLE_DRIVER_VERSION
 *   (default 5.1.1; empty = driver version unknown, 0.0.0), AIHAT_HAILO_DOUBLE_FIRMWARE_VERSION
 *   (default 5.1.1; empty = the device cannot be identified), AIHAT_HAILO_DOUBLE_DEVICE_ID
 *   (default "0001:01:00.0"; empty = no device found).
 * A value that is not a version is an AIHAT_INVALID_ARGUMENT naming the variable.
 */
#define _POSIX_C_SOURCE 200809L
#include "hailo_shim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static _Thread_local char g_err[512];

static int32_t fail(int32_t code, const char *msg) {
    snprintf(g_err, sizeof g_err, "hailo double: %s", msg);
    return code;
}

static void sleep_us(uint32_t us) {
    struct timespec ts = {(time_t)(us / 1000000u), (long)(us % 1000000u) * 1000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

uint32_t aihat_hailo_shim_abi(void) { return AIHAT_HAILO_SHIM_ABI; }

size_t aihat_hailo_last_error(char *buf, size_t cap) {
    size_t n = strlen(g_err);
    if (buf && cap) {
        size_t k = n < cap - 1 ? n : cap - 1;
        memcpy(buf, g_err, k);
        buf[k] = 0;
    }
    return n;
}

/* A version from the environment: 1 if set (or defaulted), 0 if empty, else a failure naming var. */
static int32_t env_version(const char *var, aihat_hailo_version *v, int *present) {
    const char *s = getenv(var);
    if (!s) s = "5.1.1";
    *present = *s != 0;
    if (!*present) return AIHAT_OK;
    unsigned major, minor, revision;
    int end = 0;
    if (sscanf(s, "%u.%u.%u%n", &major, &minor, &revision, &end) != 3 || s[end] != 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s=\"%.40s\" is not a version major.minor.revision", var, s);
        return fail(AIHAT_INVALID_ARGUMENT, msg);
    }
    v->major = major;
    v->minor = minor;
    v->revision = revision;
    return AIHAT_OK;
}

/* As the real shim: library and driver always, then the device (its id, then its firmware). */
int32_t aihat_hailo_versions_get(aihat_hailo_versions *out) {
    if (!out) return fail(AIHAT_INVALID_ARGUMENT, "null argument");
    memset(out, 0, sizeof *out);
    aihat_hailo_version firmware = {0, 0, 0};
    int lib, drv, fw;
    int32_t st = env_version("AIHAT_HAILO_DOUBLE_LIBRARY_VERSION", &out->library, &lib);
    if (st == AIHAT_OK) st = env_version("AIHAT_HAILO_DOUBLE_DRIVER_VERSION", &out->driver, &drv);
    if (st == AIHAT_OK) st = env_version("AIHAT_HAILO_DOUBLE_FIRMWARE_VERSION", &firmware, &fw);
    if (st != AIHAT_OK) return st;
    (void)drv; /* an empty driver version stays 0.0.0: unknown */
    if (!lib) return fail(AIHAT_INVALID_ARGUMENT, "AIHAT_HAILO_DOUBLE_LIBRARY_VERSION is empty (the library always has one)");
    const char *id = getenv("AIHAT_HAILO_DOUBLE_DEVICE_ID");
    if (!id) id = "0001:01:00.0";
    if (!*id) return fail(AIHAT_OPEN_FAILED, "no Hailo device found (AIHAT_HAILO_DOUBLE_DEVICE_ID is empty)");
    snprintf(out->device_id, sizeof out->device_id, "%s", id);
    if (!fw) return fail(AIHAT_OPEN_FAILED, "hailo_identify failed (AIHAT_HAILO_DOUBLE_FIRMWARE_VERSION is empty)");
    out->firmware = firmware;
    return AIHAT_OK;
}

#define MAX_OUTPUTS 16

typedef struct {
    uint32_t kind, a, b, c;
    float *frame;
    size_t floats;
} double_output;

struct aihat_hailo_model {
    uint32_t h, w, c, latency_us;
    size_t n_outputs;
    double_output out[MAX_OUTPUTS];
};

static int read_u32(FILE *f, uint32_t *v) { return fread(v, 4, 1, f) == 1; }

/* Frame size in f32 values; 0 for a shape the double refuses (overflow guard: test files only). */
static size_t frame_floats(const double_output *o) {
    uint64_t n = o->kind == AIHAT_OUTPUT_NMS_BY_CLASS ? (uint64_t)o->a * (1 + (uint64_t)o->b * 5) : (uint64_t)o->a * o->b * o->c;
    return n > (1u << 28) ? 0 : (size_t)n;
}

static void free_model(aihat_hailo_model *m) {
    for (size_t i = 0; i < m->n_outputs; i++) free(m->out[i].frame);
}

int32_t aihat_hailo_model_open(const char *hef_path, const aihat_hailo_model_config *cfg, aihat_hailo_model **out) {
    if (!hef_path || !cfg || !out) return fail(AIHAT_INVALID_ARGUMENT, "null argument");
    FILE *f = fopen(hef_path, "rb");
    if (!f) return fail(AIHAT_OPEN_FAILED, "cannot open the model file");
    char magic[8];
    aihat_hailo_model m = {0};
    int ok = fread(magic, 1, 8, f) == 8 && read_u32(f, &m.h) && read_u32(f, &m.w) && read_u32(f, &m.c);
    if (ok && memcmp(magic, "AIHATDBL", 8) == 0) {
        m.n_outputs = 1;
        m.out[0].kind = AIHAT_OUTPUT_NMS_BY_CLASS;
        ok = read_u32(f, &m.out[0].a) && read_u32(f, &m.out[0].b) && read_u32(f, &m.latency_us);
    } else if (ok && memcmp(magic, "AIHATDB2", 8) == 0) {
        uint32_t n = 0;
        ok = read_u32(f, &m.latency_us) && read_u32(f, &n) && n >= 1 && n <= MAX_OUTPUTS;
        m.n_outputs = ok ? n : 0;
        for (size_t i = 0; ok && i < m.n_outputs; i++) {
            double_output *o = &m.out[i];
            ok = read_u32(f, &o->kind) && read_u32(f, &o->a) && read_u32(f, &o->b) && read_u32(f, &o->c) &&
                 (o->kind == AIHAT_OUTPUT_TENSOR || o->kind == AIHAT_OUTPUT_NMS_BY_CLASS);
        }
    } else {
        ok = 0;
    }
    if (!ok) {
        fclose(f);
        return fail(AIHAT_OPEN_FAILED, "not a test-double model file (AIHATDBL / AIHATDB2 header)");
    }
    int eof = 0;
    for (size_t i = 0; i < m.n_outputs; i++) {
        double_output *o = &m.out[i];
        o->floats = frame_floats(o);
        o->frame = calloc(o->floats ? o->floats : 1, sizeof(float));
        if (!o->frame || (o->kind == AIHAT_OUTPUT_TENSOR && o->floats == 0)) {
            m.n_outputs = i + 1;
            free_model(&m);
            fclose(f);
            return fail(AIHAT_OPEN_FAILED, "bad output shape in the test-double model file");
        }
        /* A short file leaves the rest of this frame and the following ones zero. */
        if (!eof && fread(o->frame, sizeof(float), o->floats, f) < o->floats) eof = 1;
    }
    fclose(f);
    *out = malloc(sizeof m);
    if (!*out) {
        free_model(&m);
        return fail(AIHAT_OPEN_FAILED, "out of memory");
    }
    **out = m;
    return AIHAT_OK;
}

int32_t aihat_hailo_model_input(const aihat_hailo_model *m, uint32_t *h, uint32_t *w, uint32_t *c) {
    if (!m || !h || !w || !c) return fail(AIHAT_INVALID_ARGUMENT, "null argument");
    *h = m->h;
    *w = m->w;
    *c = m->c;
    return AIHAT_OK;
}

size_t aihat_hailo_model_output_count(const aihat_hailo_model *m) { return m ? m->n_outputs : 0; }

int32_t aihat_hailo_model_output_info(const aihat_hailo_model *m, size_t index, aihat_hailo_output_info *info) {
    if (!m || !info || index >= m->n_outputs) return fail(AIHAT_INVALID_ARGUMENT, "bad output index");
    const double_output *o = &m->out[index];
    memset(info, 0, sizeof *info);
    info->kind = o->kind;
    if (o->kind == AIHAT_OUTPUT_NMS_BY_CLASS) {
        snprintf(info->name, sizeof info->name, "double/yolov8_nms_postprocess");
        info->nms_classes = o->a;
        info->nms_max_bboxes_per_class = o->b;
    } else {
        snprintf(info->name, sizeof info->name, "double/output%zu", index);
        info->height = o->a;
        info->width = o->b;
        info->features = o->c;
    }
    info->frame_size = (uint64_t)o->floats * sizeof(float);
    return AIHAT_OK;
}

int32_t aihat_hailo_model_infer(aihat_hailo_model *m, const uint8_t *input, size_t input_bytes, void *const *outputs,
                                const size_t *output_bytes, size_t n_outputs, uint32_t timeout_ms) {
    (void)timeout_ms;
    if (!m || !input || !outputs || !output_bytes || n_outputs != m->n_outputs) return fail(AIHAT_INVALID_ARGUMENT, "bad infer arguments");
    /* HailoRT checks buffer sizes against the frame sizes; so does the double. */
    if (input_bytes != (size_t)m->h * m->w * m->c) return fail(AIHAT_INVALID_ARGUMENT, "input buffer size != frame size");
    for (size_t i = 0; i < n_outputs; i++)
        if (!outputs[i] || output_bytes[i] < m->out[i].floats * sizeof(float))
            return fail(AIHAT_BUFFER_TOO_SMALL, "output buffer smaller than the frame size");
    sleep_us(m->latency_us);
    for (size_t i = 0; i < n_outputs; i++) memcpy(outputs[i], m->out[i].frame, m->out[i].floats * sizeof(float));
    return AIHAT_OK;
}

void aihat_hailo_model_close(aihat_hailo_model *m) {
    if (m) free_model(m);
    free(m);
}

#define MAX_REPLIES 32

struct aihat_hailo_llm {
    char *replies[MAX_REPLIES];
    size_t n_replies, next_reply;
    uint32_t token_ms;
    const char *cur;
    size_t pos, tokens, max_tokens;
    int active, aborted;
};

int32_t aihat_hailo_llm_open(const char *hef_path, aihat_hailo_llm **out) {
    if (!hef_path || !out) return fail(AIHAT_INVALID_ARGUMENT, "null argument");
    FILE *f = fopen(hef_path, "rb");
    if (!f) return fail(AIHAT_OPEN_FAILED, "cannot open the LLM file");
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = size > 0 ? calloc((size_t)size + 1, 1) : NULL;
    if (!text || fread(text, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        free(text);
        return fail(AIHAT_OPEN_FAILED, "cannot read the LLM file");
    }
    fclose(f);
    aihat_hailo_llm *l = calloc(1, sizeof *l);
    unsigned ms = 0;
    if (!l || sscanf(text, "AIHATDBL-LLM %u", &ms) != 1) {
        free(text);
        free(l);
        return fail(AIHAT_OPEN_FAILED, "not a test-double LLM file (AIHATDBL-LLM header)");
    }
    l->token_ms = ms;
    char *p = strchr(text, '\n');
    p = p ? p + 1 : text + strlen(text);
    while (*p && l->n_replies < MAX_REPLIES) {
        char *sep = strstr(p, "\n%%\n");
        size_t n = sep ? (size_t)(sep - p) : strlen(p);
        while (n && (p[n - 1] == '\n')) n--;
        l->replies[l->n_replies] = calloc(n + 1, 1);
        memcpy(l->replies[l->n_replies++], p, n);
        if (!sep) break;
        p = sep + 4;
    }
    free(text);
    if (l->n_replies == 0) {
        free(l);
        return fail(AIHAT_OPEN_FAILED, "the LLM file has no replies");
    }
    *out = l;
    return AIHAT_OK;
}

int32_t aihat_hailo_llm_clear_context(aihat_hailo_llm *l) {
    if (!l) return fail(AIHAT_INVALID_ARGUMENT, "null argument");
    return AIHAT_OK;
}

int32_t aihat_hailo_llm_generate(aihat_hailo_llm *l, const char *const *messages_json, size_t n_messages, uint32_t max_tokens,
                                 float temperature, uint32_t seed) {
    (void)temperature;
    (void)seed;
    if (!l || !messages_json || n_messages == 0) return fail(AIHAT_INVALID_ARGUMENT, "no messages");
    for (size_t i = 0; i < n_messages; i++)
        if (!messages_json[i] || messages_json[i][0] != '{') return fail(AIHAT_INVALID_ARGUMENT, "a message is not a JSON object");
    l->cur = l->replies[l->next_reply++ % l->n_replies];
    l->pos = 0;
    l->tokens = 0;
    l->max_tokens = max_tokens;
    l->active = 1;
    l->aborted = 0;
    return AIHAT_OK;
}

int32_t aihat_hailo_llm_read(aihat_hailo_llm *l, char *buf, size_t cap, size_t *len, uint32_t timeout_ms, uint32_t *state) {
    (void)timeout_ms;
    if (!l || !buf || cap < 4 || !len || !state) return fail(AIHAT_INVALID_ARGUMENT, "bad read arguments");
    if (!l->active) return fail(AIHAT_INVALID_ARGUMENT, "no generation in progress");
    *len = 0;
    buf[0] = 0;
    if (l->aborted) {
        *state = AIHAT_LLM_ABORTED;
        l->active = 0;
        return AIHAT_OK;
    }
    sleep_us(l->token_ms * 1000u);
    size_t rest = strlen(l->cur + l->pos);
    size_t n = rest < 3 ? rest : 3;
    memcpy(buf, l->cur + l->pos, n);
    buf[n] = 0;
    *len = n;
    l->pos += n;
    l->tokens++;
    if (l->pos >= strlen(l->cur)) {
        *state = AIHAT_LLM_END;
        l->active = 0;
    } else if (l->max_tokens && l->tokens >= l->max_tokens) {
        *state = AIHAT_LLM_MAX_TOKENS;
        l->active = 0;
    } else {
        *state = AIHAT_LLM_GENERATING;
    }
    return AIHAT_OK;
}

int32_t aihat_hailo_llm_abort(aihat_hailo_llm *l) {
    if (!l) return fail(AIHAT_INVALID_ARGUMENT, "null argument");
    l->aborted = 1;
    return AIHAT_OK;
}

void aihat_hailo_llm_close(aihat_hailo_llm *l) {
    if (!l) return;
    for (size_t i = 0; i < l->n_replies; i++) free(l->replies[i]);
    free(l);
}
