// Types of the pyjamaz Node binding (libpyjamaz through koffi).

/** Output formats a caller may ask for. */
export type Format = 'jpeg' | 'png' | 'webp' | 'gif';

/** Status names of libpyjamaz, as in `PYJAMAZ_ERR_<code>` of pyjamaz.h. */
export type StatusCode =
    | 'OK'
    | 'INVALID_ARGUMENT'
    | 'EMPTY_INPUT'
    | 'INPUT_TOO_LARGE'
    | 'UNSUPPORTED_FORMAT'
    | 'DECODE'
    | 'TOO_MANY_PIXELS'
    | 'ENCODE'
    | 'OUT_OF_MEMORY'
    | 'NOT_INITIALIZED'
    | 'IO'
    | 'INTERNAL'
    | 'UNKNOWN';

export interface OptimizeOptions {
    /** Candidate output formats; omitted = every format libvips can save. Must not be empty. */
    formats?: Format[];
    /** Output budget in bytes; 0 = none. */
    maxBytes?: number;
    /** Largest DSSIM against the decoded input (0 = identical); 0 = no limit. */
    maxDiff?: number;
    /** Downscale to fit; 0 = no limit. */
    maxWidth?: number;
    maxHeight?: number;
    /** Drop EXIF/XMP/ICC from encoded candidates. */
    stripMetadata?: boolean;
    /** Formats encoded at once (0..16); 0 = one per CPU. */
    concurrency?: number;
    /** Decompression-bomb guard in pixels; 0 = the library default (100 megapixels). */
    maxPixels?: number;
    /** Longest input accepted in bytes; 0 = the library default (256 MiB). */
    maxInputBytes?: number;
}

export interface OptimizeResult {
    /** The output bytes, owned by JS (copied out of the native result, which is already freed). */
    data: Buffer;
    /** 'original' when the input bytes won and their format is not one of Format. */
    format: Format | 'original';
    /** Encoder quality 1..100; null for lossless or the original. */
    quality: number | null;
    /** DSSIM of the output against the decoded input. */
    diff: number;
    width: number;
    height: number;
    budgetMet: boolean;
    diffMet: boolean;
    /** Encodes tried, across formats and quality steps. */
    candidates: number;
}

export interface MemoryStats {
    liveBytes: number;
    liveAllocations: number;
    totalAllocations: number;
    peakBytes: number;
    vipsTrackedBytes: number;
    vipsTrackedAllocations: number;
    vipsTrackedFiles: number;
    vipsLiveObjects: number;
    liveResults: number;
}

/** A failure reported by libpyjamaz. */
export class PyjamazError extends Error {
    readonly name: 'PyjamazError';
    /** Status name, e.g. 'DECODE'. */
    readonly code: StatusCode;
    /** Status number of pyjamaz_status. */
    readonly status: number;
}

/** libpyjamaz could not be found or loaded (the message lists every path tried). */
export class PyjamazLoadError extends Error {
    readonly name: 'PyjamazLoadError';
}

/** Optimizes `input` on the calling thread. Throws TypeError/RangeError for bad arguments, PyjamazError for failures. */
export function optimize(input: Uint8Array, options?: OptimizeOptions): OptimizeResult;
/** Optimizes `input` on a worker thread; do not change `input` until the promise settles. */
export function optimizeAsync(input: Uint8Array, options?: OptimizeOptions): Promise<OptimizeResult>;
export function optimizeFile(path: string, options?: OptimizeOptions): OptimizeResult;
export function optimizeFileAsync(path: string, options?: OptimizeOptions): Promise<OptimizeResult>;
/** Formats the linked libvips can save. */
export function supportedFormats(): Format[];
/** libpyjamaz's version, e.g. "1.0.0". */
export function version(): string;
/** Path of the loaded shared library. */
export function libraryPath(): string;
/** Exact memory figures of the library (its allocator, libvips, live results). */
export function memoryStats(): MemoryStats;

export const FORMATS: readonly Format[];
/** Status names indexed by status number. */
export const STATUS_CODES: readonly StatusCode[];
