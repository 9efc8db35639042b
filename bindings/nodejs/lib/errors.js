'use strict';

// Names of pyjamaz_status values, indexed by the value (zig/include/pyjamaz.h).
const STATUS_NAMES = Object.freeze([
    'OK',
    'INVALID_ARGUMENT',
    'EMPTY_INPUT',
    'INPUT_TOO_LARGE',
    'UNSUPPORTED_FORMAT',
    'DECODE',
    'TOO_MANY_PIXELS',
    'ENCODE',
    'OUT_OF_MEMORY',
    'NOT_INITIALIZED',
    'IO',
    'INTERNAL',
]);

function statusName(status) {
    return STATUS_NAMES[status] ?? 'UNKNOWN';
}

/** A failure reported by libpyjamaz: `code` is the status name, `status` its number. */
class PyjamazError extends Error {
    constructor(status, message) {
        super(message);
        this.name = 'PyjamazError';
        this.status = status;
        this.code = statusName(status);
    }
}

/** A library that cannot be found or loaded. */
class PyjamazLoadError extends Error {
    constructor(message, { cause } = {}) {
        super(message, { cause });
        this.name = 'PyjamazLoadError';
    }
}

module.exports = { STATUS_NAMES, statusName, PyjamazError, PyjamazLoadError };
