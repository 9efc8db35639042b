"""The public functions. Each takes `backend="ctypes"|"cffi"` (default: $PYJAMAZ_BACKEND, else ctypes)."""

from __future__ import annotations

import os
import threading
from typing import TypedDict, Unpack

from ._abi import ABI_VERSION
from ._backend import Backend, Input, PathArg
from ._errors import LibraryNotFoundError
from ._locate import LibraryLocation, locate_library
from ._types import OUTPUT_FORMATS, FormatsArg, MemoryStats, OptimizeResult, Options

BACKEND_ENV = "PYJAMAZ_BACKEND"
BACKENDS = ("ctypes", "cffi")
DEFAULT_BACKEND = "ctypes"

_loaded: dict[str, Backend] = {}
_load_lock = threading.Lock()


def get_backend(name: str | None = None) -> Backend:
    """The loaded backend `name`, loading the library (and taking the binding's init reference,
    held for the life of the process) on first use."""
    chosen = name or os.environ.get(BACKEND_ENV) or DEFAULT_BACKEND
    if chosen not in BACKENDS:
        raise ValueError(f"unknown backend {chosen!r}; choose from {', '.join(BACKENDS)}")
    with _load_lock:
        if chosen not in _loaded:
            backend = _create(chosen, locate_library())
            if backend.abi_version() != ABI_VERSION:
                raise LibraryNotFoundError(
                    f"{backend.location.path} has ABI version {backend.abi_version()}, "
                    f"this binding needs {ABI_VERSION}"
                )
            backend.init()
            _loaded[chosen] = backend
        return _loaded[chosen]


def _create(name: str, location: LibraryLocation) -> Backend:
    # Imported on demand so that one backend's import problem never blocks the other.
    if name == "cffi":
        from ._cffi_backend import CffiBackend

        return CffiBackend(location)
    from ._ctypes_backend import CtypesBackend

    return CtypesBackend(location)


class Limits(TypedDict, total=False):
    """The keyword limits of optimize() and optimize_file(); the fields of Options."""

    formats: FormatsArg
    max_bytes: int
    max_diff: float
    max_width: int
    max_height: int
    strip: bool
    concurrency: int
    max_pixels: int
    max_input_bytes: int


def optimize(
    data: Input, *, options: Options | None = None, backend: str | None = None, **limits: Unpack[Limits]
) -> OptimizeResult:
    """The smallest encoding of `data` that meets the limits; never larger than `data` unless resized.

    Limits as keywords (see Options) or a prepared `options` (cheaper in a loop), not both.
    """
    chosen = _options(options, limits)
    return get_backend(backend).optimize(data, chosen.to_native())


def optimize_file(
    path: PathArg, *, options: Options | None = None, backend: str | None = None, **limits: Unpack[Limits]
) -> OptimizeResult:
    """optimize() on the bytes of the file at `path`, read by the library."""
    chosen = _options(options, limits)
    return get_backend(backend).optimize_file(path, chosen.to_native())


def _options(options: Options | None, limits: Limits) -> Options:
    if options is None:
        return Options(**limits)
    if not isinstance(options, Options):
        raise TypeError(f"options must be a pyjamaz.Options, not {type(options).__name__}")
    if limits:
        raise TypeError(f"pass either options= or keyword limits ({', '.join(limits)}), not both")
    return options


def supported_formats(*, backend: str | None = None) -> frozenset[str]:
    """Names of the output formats the linked libvips can save."""
    bits = get_backend(backend).supported_formats()
    return frozenset(name for name, bit in OUTPUT_FORMATS.items() if bits & bit)


def version(*, backend: str | None = None) -> str:
    return get_backend(backend).version()


def memory_stats(*, backend: str | None = None) -> MemoryStats:
    return get_backend(backend).memory_stats()


def init(*, backend: str | None = None) -> None:
    """Takes one more init reference (they nest); pair it with shutdown()."""
    get_backend(backend).init()


def shutdown(*, backend: str | None = None) -> None:
    """Releases one init reference. When none is left, calls fail with NotInitializedError."""
    get_backend(backend).shutdown()


def is_initialized(*, backend: str | None = None) -> bool:
    return get_backend(backend).is_initialized()
