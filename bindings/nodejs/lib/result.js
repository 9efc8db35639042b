'use strict';
// Reading a pyjamaz_result: the output bytes are copied into a JS-owned Buffer and the native result is
// freed before anything is returned or thrown, so no native memory outlives the call that made it.

const { koffi, ResultStruct } = require('./native');
const { PyjamazError } = require('./errors');
const { formatNameOf } = require('./options');

function copyBytes(pointer, size) {
    if (size === 0) return Buffer.alloc(0);
    // koffi.decode copies into a new Uint8Array, which the Buffer then wraps without a second copy.
    // (A koffi.view would be an external ArrayBuffer over memory freed right after this call.)
    const bytes = koffi.decode(pointer, 'uint8_t', size);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function toResult(raw) {
    return {
        data: copyBytes(raw.data, Number(raw.size)),
        format: formatNameOf(raw.format),
        quality: raw.quality < 0 ? null : raw.quality,
        diff: raw.diff,
        width: raw.width,
        height: raw.height,
        budgetMet: raw.budget_met !== 0,
        diffMet: raw.diff_met !== 0,
        candidates: raw.candidates,
    };
}

/** Converts the native result behind `pointer` (status `status`) into a result or a PyjamazError, and frees it. */
function takeResult(fns, status, pointer) {
    if (pointer === null || pointer === undefined) {
        throw new PyjamazError(status === 0 ? 11 : status, `no result returned: ${fns.statusMessage(status)}`);
    }
    try {
        const raw = koffi.decode(pointer, ResultStruct);
        if (status !== 0) throw new PyjamazError(status, raw.message ?? fns.statusMessage(status));
        return toResult(raw);
    } finally {
        fns.resultFree(pointer);
    }
}

module.exports = { takeResult };
