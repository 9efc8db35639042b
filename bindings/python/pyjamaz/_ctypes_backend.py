"""The ctypes backend. ctypes.CDLL releases the GIL around every foreign call."""

from __future__ import annotations

import ctypes
from ctypes import (
    POINTER,
    Structure,
    byref,
    c_char_p,
    c_double,
    c_int,
    c_int32,
    c_size_t,
    c_uint32,
    c_uint64,
    c_void_p,
)

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


class _Options(Structure):
    _fields_ = [
        ("struct_size", c_uint32),
        ("formats", c_uint32),
        ("max_bytes", c_uint64),
        ("max_diff", c_double),
        ("max_width", c_uint32),
        ("max_height", c_uint32),
        ("strip_metadata", c_uint32),
        ("concurrency", c_uint32),
        ("max_pixels", c_uint64),
        ("max_input_bytes", c_uint64),
    ]


class _Result(Structure):
    _fields_ = [
        ("status", c_int),
        ("format", c_uint32),
        ("data", c_void_p),
        ("size", c_size_t),
        ("quality", c_int32),
        ("diff", c_double),
        ("width", c_uint32),
        ("height", c_uint32),
        ("budget_met", c_uint32),
        ("diff_met", c_uint32),
        ("candidates", c_uint32),
        ("message", c_char_p),
    ]


class _MemoryStats(Structure):
    _fields_ = [(name, c_uint64) for name in MEMORY_STATS_FIELDS]


_SIGNATURES: dict[str, tuple[object, list[object]]] = {
    "pyjamaz_version": (c_char_p, []),
    "pyjamaz_abi_version": (c_int, []),
    "pyjamaz_init": (c_int, []),
    "pyjamaz_shutdown": (c_int, []),
    "pyjamaz_is_initialized": (c_int, []),
    "pyjamaz_status_message": (c_char_p, [c_int]),
    "pyjamaz_supported_formats": (c_uint32, []),
    "pyjamaz_format_name": (c_char_p, [c_uint32]),
    "pyjamaz_options_init": (None, [POINTER(_Options)]),
    "pyjamaz_optimize": (c_int, [c_void_p, c_size_t, POINTER(_Options), POINTER(POINTER(_Result))]),
    "pyjamaz_optimize_file": (c_int, [c_char_p, POINTER(_Options), POINTER(POINTER(_Result))]),
    "pyjamaz_result_free": (None, [POINTER(_Result)]),
    "pyjamaz_memory_stats_get": (None, [POINTER(_MemoryStats)]),
}


class CtypesBackend(NativeCalls):
    name = "ctypes"

    def __init__(self, location: LibraryLocation) -> None:
        self.location = location
        try:
            self._lib = ctypes.CDLL(location.path)
        except OSError as exc:
            raise LibraryNotFoundError(load_failure_message(location, str(exc))) from None
        for symbol, (restype, argtypes) in _SIGNATURES.items():
            function = getattr(self._lib, symbol)
            function.restype = restype
            function.argtypes = argtypes

    def version(self) -> str:
        return bytes(self._lib.pyjamaz_version()).decode()

    def status_message(self, status: int) -> str:
        return bytes(self._lib.pyjamaz_status_message(status)).decode(errors="replace")

    def optimize(self, data: Input, options: NativeOptions) -> OptimizeResult:
        check_input(data)
        buffer, size = _input_buffer(data)
        out = POINTER(_Result)()
        status = self._lib.pyjamaz_optimize(buffer, size, byref(self._options(options)), byref(out))
        return self._take(status, out)

    def optimize_file(self, path: PathArg, options: NativeOptions) -> OptimizeResult:
        encoded = encode_path(path)
        out = POINTER(_Result)()
        status = self._lib.pyjamaz_optimize_file(encoded, byref(self._options(options)), byref(out))
        return self._take(status, out)

    def memory_stats(self) -> MemoryStats:
        stats = _MemoryStats()
        self._lib.pyjamaz_memory_stats_get(byref(stats))
        return MemoryStats(**{name: int(getattr(stats, name)) for name in MEMORY_STATS_FIELDS})

    def _options(self, options: NativeOptions) -> _Options:
        native = _Options()
        self._lib.pyjamaz_options_init(byref(native))
        for name, value in vars(options).items():
            setattr(native, name, value)
        return native

    def _take(self, status: int, out: ctypes._Pointer[_Result]) -> OptimizeResult:
        """Copies the result into Python objects and frees the native one, whatever happens."""
        if not out:
            return finish(status, None, self)
        try:
            native = _copy_result(out.contents)
        finally:
            self._lib.pyjamaz_result_free(out)
        return finish(status, native, self)


def _input_buffer(data: Input) -> tuple[bytes | ctypes.Array[ctypes.c_char], int]:
    if isinstance(data, bytes):
        return data, len(data)  # ctypes passes a pointer to the bytes object's own buffer, no copy
    view = memoryview(data)
    if view.readonly or not view.c_contiguous:
        copy = view.tobytes()
        return copy, len(copy)
    view = view.cast("B")
    return (ctypes.c_char * view.nbytes).from_buffer(view), view.nbytes


def _copy_result(result: _Result) -> NativeResult:
    data = ctypes.string_at(result.data, result.size) if result.data else None
    return NativeResult(
        status=result.status,
        format=result.format,
        data=data,
        quality=result.quality,
        diff=result.diff,
        width=result.width,
        height=result.height,
        budget_met=result.budget_met,
        diff_met=result.diff_met,
        candidates=result.candidates,
        message=result.message.decode(errors="replace") if result.message else None,
    )
