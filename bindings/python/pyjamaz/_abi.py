"""The C ABI of libpyjamaz as declarations: the cffi cdef text, and the header-to-cdef step that
keeps it equal to zig/include/pyjamaz.h (tests compare the two)."""

from __future__ import annotations

import re

ABI_VERSION = 1  # PYJAMAZ_ABI_VERSION this binding was written against

STATUS_OK = 0

# zig/include/pyjamaz.h without comments, preprocessor lines and integer suffixes.
CDEF = """
typedef enum pyjamaz_status {
    PYJAMAZ_OK = 0,
    PYJAMAZ_ERR_INVALID_ARGUMENT = 1,
    PYJAMAZ_ERR_EMPTY_INPUT = 2,
    PYJAMAZ_ERR_INPUT_TOO_LARGE = 3,
    PYJAMAZ_ERR_UNSUPPORTED_FORMAT = 4,
    PYJAMAZ_ERR_DECODE = 5,
    PYJAMAZ_ERR_TOO_MANY_PIXELS = 6,
    PYJAMAZ_ERR_ENCODE = 7,
    PYJAMAZ_ERR_OUT_OF_MEMORY = 8,
    PYJAMAZ_ERR_NOT_INITIALIZED = 9,
    PYJAMAZ_ERR_IO = 10,
    PYJAMAZ_ERR_INTERNAL = 11,
} pyjamaz_status;
typedef enum pyjamaz_format {
    PYJAMAZ_FORMAT_JPEG = 1 << 0,
    PYJAMAZ_FORMAT_PNG = 1 << 1,
    PYJAMAZ_FORMAT_WEBP = 1 << 2,
    PYJAMAZ_FORMAT_GIF = 1 << 3,
    PYJAMAZ_FORMAT_ORIGINAL = 1 << 15,
} pyjamaz_format;
typedef struct pyjamaz_options {
    uint32_t struct_size;
    uint32_t formats;
    uint64_t max_bytes;
    double max_diff;
    uint32_t max_width;
    uint32_t max_height;
    uint32_t strip_metadata;
    uint32_t concurrency;
    uint64_t max_pixels;
    uint64_t max_input_bytes;
} pyjamaz_options;
typedef struct pyjamaz_result {
    pyjamaz_status status;
    uint32_t format;
    const uint8_t *data;
    size_t size;
    int32_t quality;
    double diff;
    uint32_t width;
    uint32_t height;
    uint32_t budget_met;
    uint32_t diff_met;
    uint32_t candidates;
    const char *message;
} pyjamaz_result;
typedef struct pyjamaz_memory_stats {
    uint64_t live_bytes;
    uint64_t live_allocations;
    uint64_t total_allocations;
    uint64_t peak_bytes;
    uint64_t vips_tracked_bytes;
    uint64_t vips_tracked_allocations;
    uint64_t vips_tracked_files;
    uint64_t vips_live_objects;
    uint64_t live_results;
} pyjamaz_memory_stats;
const char *pyjamaz_version(void);
int pyjamaz_abi_version(void);
pyjamaz_status pyjamaz_init(void);
pyjamaz_status pyjamaz_shutdown(void);
int pyjamaz_is_initialized(void);
const char *pyjamaz_status_message(int status);
uint32_t pyjamaz_supported_formats(void);
const char *pyjamaz_format_name(uint32_t format);
void pyjamaz_options_init(pyjamaz_options *options);
pyjamaz_status pyjamaz_optimize(const uint8_t *input, size_t input_len,
                                const pyjamaz_options *options, pyjamaz_result **out);
pyjamaz_status pyjamaz_optimize_file(const char *path, const pyjamaz_options *options,
                                     pyjamaz_result **out);
void pyjamaz_result_free(pyjamaz_result *result);
void pyjamaz_memory_stats_get(pyjamaz_memory_stats *stats);
"""


def header_to_cdef(header: str) -> str:
    """The declarations of a C header as cffi accepts them: no comments, no preprocessor lines,
    no extern "C" wrapper, no integer suffixes."""
    text = re.sub(r"/\*.*?\*/", "", header, flags=re.DOTALL)
    text = re.sub(r"//[^\n]*", "", text)
    kept = [
        line
        for line in text.splitlines()
        if not line.lstrip().startswith("#") and 'extern "C"' not in line and line.strip() != "}"
    ]
    return re.sub(r"\b(\d+)(?:ull|ul|u)\b", r"\1", "\n".join(kept))


def normalized(declarations: str) -> str:
    """Whitespace-insensitive form, to compare declaration texts."""
    return " ".join(declarations.split())
