'use strict';
// Reading a pyjamaz_result: the output bytes are copied into a JS-owned Buffer and the native result is
// freed before anything is returned or thrown, so no native memory outlives the call that made it.

const { koffi, ResultStruct } = require('./native');
const { PyjamazError } = require('./errors');
const { formatNameOf } = require('./options');

function copyBytes(pointer, size) {
    if (size === 0) return Buffer.alloc(0);
    // Copied out of a view of the native bytes, which are freed right after this call. Not
    // koffi.decode(pointer, 'uint8_t', size): koffi (3.3.4) makes a 'uint8_t[size]' array type for every
    // such call and keeps its name for the life of the process, ~18 bytes a call, and the whole type for
    // every new size (measured with the preload counter: +19.5 B a call, linear over 5,000 optimize calls).
    const copy = Buffer.allocUnsafeSlow(size); // its own memory: not a slice of the shared pool
    copy.set(new Uint8Array(koffi.view(pointer, size)));
    return copy;
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
