'use strict';
// Turns the caller's options into pyjamaz_options fields, rejecting bad values with TypeError or
// RangeError before anything reaches the native library.

const MAX_UINT32 = 0xffff_ffff;
const MAX_CONCURRENCY = 16; // PYJAMAZ_MAX_CONCURRENCY

const FORMAT_BITS = Object.freeze({ jpeg: 1 << 0, png: 1 << 1, webp: 1 << 2, gif: 1 << 3 });
const ORIGINAL_FORMAT_BIT = 1 << 15;

function formatNameOf(bit) {
    if (bit === ORIGINAL_FORMAT_BIT) return 'original';
    return Object.keys(FORMAT_BITS).find((name) => FORMAT_BITS[name] === bit) ?? 'unknown';
}

function formatNamesOf(bits) {
    return Object.keys(FORMAT_BITS).filter((name) => (bits & FORMAT_BITS[name]) !== 0);
}

function checkInteger(name, value, max) {
    if (typeof value !== 'number') throw new TypeError(`options.${name} must be a number, got ${typeof value}`);
    if (!Number.isInteger(value) || value < 0 || value > max) {
        throw new RangeError(`options.${name} must be an integer from 0 to ${max}, got ${value}`);
    }
    return value;
}

const uint32 = (name, value) => checkInteger(name, value, MAX_UINT32);
const uint64 = (name, value) => checkInteger(name, value, Number.MAX_SAFE_INTEGER);

function formatBits(name, value) {
    if (!Array.isArray(value)) throw new TypeError(`options.${name} must be an array of format names`);
    if (value.length === 0) throw new RangeError(`options.${name} must name at least one format (omit it for all)`);
    let bits = 0;
    for (const format of value) {
        if (!Object.hasOwn(FORMAT_BITS, format)) {
            throw new RangeError(`options.${name}: unknown format ${JSON.stringify(format)}; ` +
                `expected one of ${Object.keys(FORMAT_BITS).join(', ')}`);
        }
        bits |= FORMAT_BITS[format];
    }
    return bits;
}

function distance(name, value) {
    if (typeof value !== 'number') throw new TypeError(`options.${name} must be a number, got ${typeof value}`);
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`options.${name} must be a finite number >= 0, got ${value}`);
    return value;
}

function flag(name, value) {
    if (typeof value !== 'boolean') throw new TypeError(`options.${name} must be a boolean, got ${typeof value}`);
    return value ? 1 : 0;
}

function concurrency(name, value) {
    return checkInteger(name, value, MAX_CONCURRENCY);
}

// camelCase option → [struct field, validator returning the field's value]
const FIELDS = Object.freeze({
    formats: ['formats', formatBits],
    maxBytes: ['max_bytes', uint64],
    maxDiff: ['max_diff', distance],
    maxWidth: ['max_width', uint32],
    maxHeight: ['max_height', uint32],
    stripMetadata: ['strip_metadata', flag],
    concurrency: ['concurrency', concurrency],
    maxPixels: ['max_pixels', uint64],
    maxInputBytes: ['max_input_bytes', uint64],
});

/** The pyjamaz_options fields `options` sets, validated; needs no library, so bad input fails first. */
function optionFields(options) {
    if (options === undefined || options === null) return {};
    if (typeof options !== 'object' || Array.isArray(options)) {
        throw new TypeError(`options must be an object, got ${Array.isArray(options) ? 'an array' : typeof options}`);
    }
    const fields = {};
    for (const [key, value] of Object.entries(options)) {
        if (!Object.hasOwn(FIELDS, key)) {
            throw new TypeError(`unknown option ${JSON.stringify(key)}; known: ${Object.keys(FIELDS).join(', ')}`);
        }
        if (value === undefined) continue;
        const [field, validate] = FIELDS[key];
        fields[field] = validate(key, value);
    }
    return fields;
}

module.exports = { FORMAT_BITS, ORIGINAL_FORMAT_BIT, formatNameOf, formatNamesOf, optionFields };
