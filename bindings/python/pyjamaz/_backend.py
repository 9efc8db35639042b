"""What both backends share: the Backend protocol, input checks, and turning a native result into
an OptimizeResult or an exception."""

from __future__ import annotations

import abc
import os
from dataclasses import dataclass
from typing import Any, Protocol

from ._abi import STATUS_OK
from ._errors import error_for
from ._locate import LibraryLocation
from ._types import MemoryStats, NativeOptions, OptimizeResult, format_name

Input = bytes | bytearray | memoryview
PathArg = str | bytes | os.PathLike[str] | os.PathLike[bytes]


@dataclass(frozen=True)
class NativeResult:
    """The fields of a pyjamaz_result, copied out before the native result is freed."""

    status: int
    format: int
    data: bytes | None
    quality: int
    diff: float
    width: int
    height: int
    budget_met: int
    diff_met: int
    candidates: int
    message: str | None


class Backend(Protocol):
    name: str
    location: LibraryLocation

    def version(self) -> str: ...
    def abi_version(self) -> int: ...
    def init(self) -> None: ...
    def shutdown(self) -> None: ...
    def is_initialized(self) -> bool: ...
    def supported_formats(self) -> int: ...
    def status_message(self, status: int) -> str: ...
    def optimize(self, data: Input, options: NativeOptions) -> OptimizeResult: ...
    def optimize_file(self, path: PathArg, options: NativeOptions) -> OptimizeResult: ...
    def memory_stats(self) -> MemoryStats: ...


class NativeCalls(abc.ABC):
    """The calls whose code is the same on both backends (`_lib` is the loaded library)."""

    _lib: Any

    def abi_version(self) -> int:
        return int(self._lib.pyjamaz_abi_version())

    def init(self) -> None:
        raise_for_status(int(self._lib.pyjamaz_init()), self)

    def shutdown(self) -> None:
        raise_for_status(int(self._lib.pyjamaz_shutdown()), self)

    def is_initialized(self) -> bool:
        return bool(self._lib.pyjamaz_is_initialized())

    def supported_formats(self) -> int:
        return int(self._lib.pyjamaz_supported_formats())

    @abc.abstractmethod
    def status_message(self, status: int) -> str:
        """Each backend turns the C string into text its own way."""


def check_input(data: object) -> None:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes, bytearray or memoryview, not {type(data).__name__}")


def encode_path(path: object) -> bytes:
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"path must be str, bytes or os.PathLike, not {type(path).__name__}")
    encoded = os.fsencode(path)
    if b"\0" in encoded:
        raise ValueError("path contains a NUL byte")
    if not encoded:
        raise ValueError("path is empty")
    return encoded


def finish(call_status: int, native: NativeResult | None, backend: Backend) -> OptimizeResult:
    """The public result of one optimize call, or the exception for its status."""
    if native is None:  # no result struct at all: only the status tells what happened
        raise error_for(call_status, backend.status_message(call_status))
    if native.status != STATUS_OK or native.data is None:
        message = native.message or backend.status_message(native.status)
        raise error_for(native.status, message)
    return OptimizeResult(
        data=native.data,
        format=format_name(native.format),
        size=len(native.data),
        quality=native.quality if native.quality >= 0 else None,
        diff=native.diff,
        width=native.width,
        height=native.height,
        budget_met=bool(native.budget_met),
        diff_met=bool(native.diff_met),
        candidates=native.candidates,
    )


class _Describes(Protocol):
    def status_message(self, status: int) -> str: ...


def raise_for_status(status: int, backend: _Describes) -> None:
    if status != STATUS_OK:
        raise error_for(status, backend.status_message(status))
