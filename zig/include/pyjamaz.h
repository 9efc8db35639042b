/*
 * libpyjamaz — an image optimizer on libvips.
 *
 * Given encoded image bytes, pyjamaz_optimize() returns the smallest encoding
 * that meets the caller's limits (byte budget, perceptual distance, size).
 * Unless max_width/max_height ask for a smaller image, the original bytes are
 * a candidate too, so the output is never larger than the input; a resized
 * image can come out larger than a small, well-compressed original.
 *
 * Threading: every function is safe to call from any thread, concurrently.
 * Lifetime: pyjamaz_init()/pyjamaz_shutdown() nest like reference counts and
 * may be called any number of times in any order; libvips is started once per
 * process and never torn down (it cannot be restarted after vips_shutdown).
 * Errors: no input or option reaches an assert or a panic; every failure is a
 * status code, and a result carrying a message for it.
 */
#ifndef PYJAMAZ_H
#define PYJAMAZ_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PYJAMAZ_ABI_VERSION 1

typedef enum pyjamaz_status {
    PYJAMAZ_OK = 0,
    PYJAMAZ_ERR_INVALID_ARGUMENT = 1,   /* NULL pointer, bad option value, unknown format bit */
    PYJAMAZ_ERR_EMPTY_INPUT = 2,        /* zero-length input */
    PYJAMAZ_ERR_INPUT_TOO_LARGE = 3,    /* input longer than options.max_input_bytes */
    PYJAMAZ_ERR_UNSUPPORTED_FORMAT = 4, /* no loader recognises the bytes */
    PYJAMAZ_ERR_DECODE = 5,             /* recognised but corrupt or truncated */
    PYJAMAZ_ERR_TOO_MANY_PIXELS = 6,    /* width*height over options.max_pixels */
    PYJAMAZ_ERR_ENCODE = 7,             /* every candidate encoder failed */
    PYJAMAZ_ERR_OUT_OF_MEMORY = 8,
    PYJAMAZ_ERR_NOT_INITIALIZED = 9,    /* pyjamaz_init() has not been called (or was undone) */
    PYJAMAZ_ERR_IO = 10,                /* pyjamaz_optimize_file could not read the path */
    PYJAMAZ_ERR_INTERNAL = 11,          /* libvips failed in a way no input explains */
} pyjamaz_status;

/* Output formats, as bits of pyjamaz_options.formats and values of pyjamaz_result.format. */
typedef enum pyjamaz_format {
    PYJAMAZ_FORMAT_JPEG = 1u << 0,
    PYJAMAZ_FORMAT_PNG = 1u << 1,
    PYJAMAZ_FORMAT_WEBP = 1u << 2,
    PYJAMAZ_FORMAT_GIF = 1u << 3,
    /* Result only: the original bytes won; their format is not one of the above (e.g. TIFF). */
    PYJAMAZ_FORMAT_ORIGINAL = 1u << 15,
} pyjamaz_format;

#define PYJAMAZ_DEFAULT_MAX_PIXELS 100000000ull       /* 100 megapixels */
#define PYJAMAZ_DEFAULT_MAX_INPUT_BYTES 268435456ull  /* 256 MiB */
#define PYJAMAZ_MAX_CONCURRENCY 16u

typedef struct pyjamaz_options {
    uint32_t struct_size;      /* sizeof(pyjamaz_options); set by pyjamaz_options_init */
    uint32_t formats;          /* OR of pyjamaz_format bits; 0 = every format libvips can save */
    uint64_t max_bytes;        /* output budget in bytes; 0 = none */
    double max_diff;           /* max DSSIM (0 = identical) against the decoded input; 0 = none */
    uint32_t max_width;        /* downscale to fit; 0 = no limit */
    uint32_t max_height;       /* downscale to fit; 0 = no limit */
    uint32_t strip_metadata;   /* non-zero: drop EXIF/XMP/ICC from encoded candidates */
    uint32_t concurrency;      /* formats encoded at once; 0 = one per CPU, max PYJAMAZ_MAX_CONCURRENCY */
    uint64_t max_pixels;       /* decompression-bomb guard; 0 = PYJAMAZ_DEFAULT_MAX_PIXELS */
    uint64_t max_input_bytes;  /* 0 = PYJAMAZ_DEFAULT_MAX_INPUT_BYTES */
} pyjamaz_options;

typedef struct pyjamaz_result {
    pyjamaz_status status;     /* same value the call returned */
    uint32_t format;           /* one pyjamaz_format value; 0 on error */
    const uint8_t *data;       /* output bytes; NULL on error */
    size_t size;
    int32_t quality;           /* setting used: JPEG/WebP quality and PNG palette quality 1..100,
                                  GIF palette bit depth 1..8; -1 for lossless PNG or the original */
    double diff;               /* DSSIM of the output against the decoded input */
    uint32_t width;            /* output dimensions */
    uint32_t height;
    uint32_t budget_met;       /* 1 when size <= max_bytes (or no budget) */
    uint32_t diff_met;         /* 1 when diff <= max_diff (or no limit) */
    uint32_t candidates;       /* encodes tried, across formats and quality steps */
    const char *message;       /* NUL-terminated description of the failure; NULL on success, and on a
                                  failure whose message could not be allocated (use pyjamaz_status_message) */
} pyjamaz_result;

typedef struct pyjamaz_memory_stats {
    uint64_t live_bytes;              /* the library's own allocator */
    uint64_t live_allocations;
    uint64_t total_allocations;       /* ever made, monotonic */
    uint64_t peak_bytes;
    uint64_t vips_tracked_bytes;      /* vips_tracked_get_mem() */
    uint64_t vips_tracked_allocations;/* vips_tracked_get_allocs() */
    uint64_t vips_tracked_files;      /* vips_tracked_get_files() */
    uint64_t vips_live_objects;       /* live VipsObject instances in the process */
    uint64_t live_results;            /* results returned and not yet freed */
} pyjamaz_memory_stats;

/* "1.0.0"; static storage. */
const char *pyjamaz_version(void);
int pyjamaz_abi_version(void);

/* Nesting init/shutdown; both return PYJAMAZ_OK or an error (init: libvips failed to start). */
pyjamaz_status pyjamaz_init(void);
pyjamaz_status pyjamaz_shutdown(void);
int pyjamaz_is_initialized(void);

/* Static description of a status code; never NULL, also for unknown codes. */
const char *pyjamaz_status_message(int status);

/* OR of pyjamaz_format bits the linked libvips can save (0 before pyjamaz_init). */
uint32_t pyjamaz_supported_formats(void);
/* "jpeg", "png", "webp", "gif", "original"; "unknown" for anything else. */
const char *pyjamaz_format_name(uint32_t format);

void pyjamaz_options_init(pyjamaz_options *options);

/*
 * Optimize `input_len` bytes at `input`. `options` may be NULL (defaults).
 * On return *out is a result the caller frees with pyjamaz_result_free(),
 * whatever the status — except when `out` itself is NULL, or memory for the
 * result could not be had (then *out is NULL and the status says why).
 */
pyjamaz_status pyjamaz_optimize(const uint8_t *input, size_t input_len,
                                const pyjamaz_options *options, pyjamaz_result **out);
pyjamaz_status pyjamaz_optimize_file(const char *path, const pyjamaz_options *options,
                                     pyjamaz_result **out);
/* Frees a result and everything it points to; NULL is a no-op. */
void pyjamaz_result_free(pyjamaz_result *result);

void pyjamaz_memory_stats_get(pyjamaz_memory_stats *stats);

#ifdef __cplusplus
}
#endif
#endif /* PYJAMAZ_H */
