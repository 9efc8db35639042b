"""Value types of the public API: formats, options (validated before any native call), results."""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import cast

MAX_CONCURRENCY = 16  # PYJAMAZ_MAX_CONCURRENCY
_U32_MAX = 2**32 - 1
_U64_MAX = 2**64 - 1


class Format(enum.IntFlag):
    """Output formats (pyjamaz_format bits)."""

    JPEG = 1 << 0
    PNG = 1 << 1
    WEBP = 1 << 2
    GIF = 1 << 3
    ORIGINAL = 1 << 15  # result only: the input bytes won and their format is none of the above


OUTPUT_FORMATS: dict[str, Format] = {
    "jpeg": Format.JPEG,
    "png": Format.PNG,
    "webp": Format.WEBP,
    "gif": Format.GIF,
}
_FORMAT_ALIASES = {"jpg": "jpeg"}

FormatsArg = None | Format | str | Iterable[Format | str]


def format_bits(formats: FormatsArg) -> int:
    """OR of format bits for `formats`; 0 (= every format libvips can save) for None."""
    if formats is None:
        return 0
    if isinstance(formats, (Format, str)):
        formats = [formats]
    if isinstance(formats, (bytes, int)) or not isinstance(formats, Iterable):
        raise TypeError(f"formats must be a format name, a Format or an iterable of them, not {formats!r}")
    bits = 0
    for item in formats:
        bits |= _one_format_bit(item)
    if not bits:
        raise ValueError("formats is empty; pass None for every format")
    return bits


def _one_format_bit(item: object) -> int:
    if isinstance(item, Format):
        if item & ~sum(OUTPUT_FORMATS.values()) or not item:
            raise ValueError(f"{item!r} is not an output format; choose from {sorted(OUTPUT_FORMATS)}")
        return int(item)
    if isinstance(item, str):
        name = _FORMAT_ALIASES.get(item.lower(), item.lower())
        if name not in OUTPUT_FORMATS:
            raise ValueError(f"unknown format {item!r}; choose from {sorted(OUTPUT_FORMATS)}")
        return int(OUTPUT_FORMATS[name])
    raise TypeError(f"a format must be a name or a Format, not {type(item).__name__}")


def format_name(value: int) -> str:
    """The name of one result format value, as pyjamaz_format_name() spells it."""
    for name, bit in OUTPUT_FORMATS.items():
        if value == bit:
            return name
    return "original" if value == Format.ORIGINAL else "unknown"


@dataclass(frozen=True)
class NativeOptions:
    """pyjamaz_options as plain integers, unchecked: what the backends pass through to C.

    Built by Options.to_native(); tests and probes build it directly to reach the library's own
    INVALID_ARGUMENT checks with values the public API refuses.
    """

    formats: int = 0
    max_bytes: int = 0
    max_diff: float = 0.0
    max_width: int = 0
    max_height: int = 0
    strip_metadata: int = 0
    concurrency: int = 0
    max_pixels: int = 0
    max_input_bytes: int = 0


@dataclass(frozen=True)
class Options:
    """Validated optimize options; every default means "no limit" / "library default"."""

    formats: FormatsArg = None
    max_bytes: int = 0
    max_diff: float = 0.0
    max_width: int = 0
    max_height: int = 0
    strip: bool = False
    concurrency: int = 0
    max_pixels: int = 0
    max_input_bytes: int = 0

    def __post_init__(self) -> None:
        # Normalised to one Format flag (None: every format), which Options accepts again, so that
        # dataclasses.replace() works on a validated instance.
        bits = format_bits(self.formats)
        object.__setattr__(self, "formats", Format(bits) if bits else None)
        for name, upper in (
            ("max_bytes", _U64_MAX),
            ("max_width", _U32_MAX),
            ("max_height", _U32_MAX),
            ("concurrency", MAX_CONCURRENCY),
            ("max_pixels", _U64_MAX),
            ("max_input_bytes", _U64_MAX),
        ):
            _check_int(name, getattr(self, name), upper)
        _check_diff(self.max_diff)
        if not isinstance(self.strip, bool):
            raise TypeError(f"strip must be a bool, not {type(self.strip).__name__}")

    def to_native(self) -> NativeOptions:
        return NativeOptions(
            formats=int(cast(Format | None, self.formats) or 0),  # normalised in __post_init__
            max_bytes=self.max_bytes,
            max_diff=float(self.max_diff),
            max_width=self.max_width,
            max_height=self.max_height,
            strip_metadata=int(self.strip),
            concurrency=self.concurrency,
            max_pixels=self.max_pixels,
            max_input_bytes=self.max_input_bytes,
        )


def _check_int(name: str, value: object, upper: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if not 0 <= value <= upper:
        raise ValueError(f"{name} must be between 0 and {upper}, got {value}")


def _check_diff(value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"max_diff must be a number, not {type(value).__name__}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"max_diff must be a finite number >= 0, got {value}")


@dataclass(frozen=True)
class OptimizeResult:
    """The winning encoding. `data` is a Python copy; no native memory outlives the call."""

    data: bytes = field(repr=False)
    format: str
    size: int
    quality: int | None  # None for lossless encoders and for the original bytes
    diff: float  # DSSIM against the decoded input
    width: int
    height: int
    budget_met: bool
    diff_met: bool
    candidates: int


@dataclass(frozen=True)
class MemoryStats:
    """pyjamaz_memory_stats: the library's exact memory figures."""

    live_bytes: int
    live_allocations: int
    total_allocations: int
    peak_bytes: int
    vips_tracked_bytes: int
    vips_tracked_allocations: int
    vips_tracked_files: int
    vips_live_objects: int
    live_results: int

    def counters(self) -> dict[str, float]:
        """The figures under the counter names probes report in `tick` events."""
        return {
            "lib_live_bytes": self.live_bytes,
            "lib_live_allocations": self.live_allocations,
            "vips_tracked_bytes": self.vips_tracked_bytes,
            "vips_tracked_allocations": self.vips_tracked_allocations,
            "vips_tracked_files": self.vips_tracked_files,
            "vips_live_objects": self.vips_live_objects,
            "live_results": self.live_results,
        }


MEMORY_STATS_FIELDS = tuple(f.name for f in fields(MemoryStats))
NATIVE_OPTION_FIELDS = tuple(f.name for f in fields(NativeOptions))
