"""The cffi backend (ABI mode: no compiler needed). cffi releases the GIL around every foreign call."""

from __future__ import annotations

from typing import Any

import cffi  # type: ignore[import-untyped]  # cffi ships no type information

from ._abi import CDEF
from ._backend import (
    Input,
    NativeCalls,
    NativeResult,
    PathArg,
    check_input,
    encode_path,
    finish,
)
from ._errors import LibraryNotFoundError
from ._locate import LibraryLocation, load_failure_message
from ._types import MEMORY_STATS_FIELDS, MemoryStats, NativeOptions, OptimizeResult

_ffi = cffi.FFI()
_ffi.cdef(CDEF)


class CffiBackend(NativeCalls):
    name = "cffi"

    def __init__(self, location: LibraryLocation) -> None:
        self.location = location
        try:
            self._lib: Any = _ffi.dlopen(location.path)
        except OSError as exc:
            raise LibraryNotFoundError(load_failure_message(location, str(exc))) from None

    def version(self) -> str:
        return _text(self._lib.pyjamaz_version()) or ""

    def status_message(self, status: int) -> str:
        return _text(self._lib.pyjamaz_status_message(status)) or ""

    def optimize(self, data: Input, options: NativeOptions) -> OptimizeResult:
        check_input(data)
        buffer = _ffi.from_buffer("uint8_t[]", data)  # no copy; kept alive until the call returns
        out = _ffi.new("pyjamaz_result **")
        status = self._lib.pyjamaz_optimize(buffer, len(buffer), self._options(options), out)
        return self._take(status, out[0])

    def optimize_file(self, path: PathArg, options: NativeOptions) -> OptimizeResult:
        encoded = encode_path(path)
        out = _ffi.new("pyjamaz_result **")
        status = self._lib.pyjamaz_optimize_file(encoded, self._options(options), out)
        return self._take(status, out[0])

    def memory_stats(self) -> MemoryStats:
        stats = _ffi.new("pyjamaz_memory_stats *")
        self._lib.pyjamaz_memory_stats_get(stats)
        return MemoryStats(**{name: int(getattr(stats, name)) for name in MEMORY_STATS_FIELDS})

    def _options(self, options: NativeOptions) -> Any:
        native = _ffi.new("pyjamaz_options *")
        self._lib.pyjamaz_options_init(native)
        for name, value in vars(options).items():
            setattr(native, name, value)
        return native

    def _take(self, status: int, result: Any) -> OptimizeResult:
        """Copies the result into Python objects and frees the native one, whatever happens."""
        if result == _ffi.NULL:
            return finish(status, None, self)
        try:
            native = _copy_result(result)
        finally:
            self._lib.pyjamaz_result_free(result)
        return finish(status, native, self)


def _text(pointer: Any) -> str | None:
    if pointer == _ffi.NULL:
        return None
    return str(_ffi.string(pointer).decode(errors="replace"))


def _copy_result(result: Any) -> NativeResult:
    data = _ffi.unpack(_ffi.cast("char *", result.data), result.size) if result.data != _ffi.NULL else None
    return NativeResult(
        status=int(result.status),
        format=int(result.format),
        data=data,
        quality=int(result.quality),
        diff=float(result.diff),
        width=int(result.width),
        height=int(result.height),
        budget_met=int(result.budget_met),
        diff_met=int(result.diff_met),
        candidates=int(result.candidates),
        message=_text(result.message),
    )
