"""One fuzz input as bytes: a fixed header that selects the call and its options, then the image.

The fuzzer mutates the header like any other bytes, so options are fuzzed together with the image:
valid and invalid values, through the validated public API or straight to the library's own checks.
Decoding needs nothing but the standard library, so pytest replays saved inputs without the fuzzer.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import pyjamaz

# Little-endian, 12 bytes, in the order of _HEADER_FIELDS. Saved regression inputs use this layout:
# changing it turns them into other inputs.
_HEADER = struct.Struct("<BBHBBBBHH")
HEADER_SIZE = _HEADER.size

_HEADER_FIELDS = (
    "flags",
    "formats",
    "max_bytes",
    "max_diff",
    "max_width",
    "max_height",
    "concurrency",
    "max_pixels",
    "max_input_bytes",
)

# Bits of the flags byte.
USE_CFFI = 1 << 0
STRIP = 1 << 1
NATIVE_OPTIONS = 1 << 2  # NativeOptions straight to the library: its INVALID_ARGUMENT checks, not Python's
FROM_FILE = 1 << 3  # optimize_file() on a temporary file holding the image: the library's own read path
WRONG_TYPES = 1 << 4  # an argument of the wrong type, which the binding must refuse with TypeError

# The formats byte: its low four bits are the output formats; bit 4 adds a name no encoder has.
UNKNOWN_FORMAT = 1 << 4
_FORMAT_NAMES = ("jpeg", "png", "webp", "gif")

# Header max_pixels 0 stands for this, not for the library's default of 100 megapixels: under that
# default a 457-byte GIF declaring 1516x51205 pixels decodes and encodes for 8 s and ~1 GB per input
# (saved: regressions/gif-declares-77-megapixels.bin), and a run stalls on such inputs. Every non-zero
# header value (1..65535) is passed as it is; the library's default is what the binding's tests use.
# No edge value either: max_pixels 2**64-1 let such GIFs back in (RSS 570-750 MB, 124 inputs/s).
FUZZ_MAX_PIXELS = 1 << 18

# max_diff byte values: n/255 * MAX_DIFF_SCALE, or an edge value: the library's maximum (1.0), one over
# it (the binding passes it on, the library refuses it), and ones the binding must refuse.
MAX_DIFF_SCALE = 0.05
_EDGE_DIFFS = {251: 1.0, 252: 1.5, 253: -1.0, 254: float("inf"), 255: float("nan")}
# The top values of the narrow header fields stand for the edges of the C field types, which the
# binding accepts: the library must answer them without overflowing (it refuses sizes over 10,000,000).
_U32_MAX, _U64_MAX = 2**32 - 1, 2**64 - 1
_EDGE_SIZES = {254: 10_000_000, 255: _U32_MAX}  # max_width, max_height bytes
_EDGE_COUNTS = {65535: _U64_MAX}  # max_bytes, max_input_bytes (max_pixels: see FUZZ_MAX_PIXELS)


@dataclass(frozen=True)
class FuzzInput:
    """The decoded header and the image bytes behind it."""

    flags: int
    formats: int
    max_bytes: int
    max_diff: int
    max_width: int
    max_height: int
    concurrency: int
    max_pixels: int
    max_input_bytes: int
    image: bytes

    @classmethod
    def decode(cls, raw: bytes) -> FuzzInput:
        """Any bytes decode: a short input is zero-padded, so every fuzz input reaches the library."""
        header = raw[:HEADER_SIZE].ljust(HEADER_SIZE, b"\0")
        values = dict(zip(_HEADER_FIELDS, _HEADER.unpack(header), strict=True))
        return cls(**values, image=raw[HEADER_SIZE:])

    def encode(self) -> bytes:
        return _HEADER.pack(*(getattr(self, name) for name in _HEADER_FIELDS)) + self.image

    @property
    def backend(self) -> str:
        return "cffi" if self.flags & USE_CFFI else "ctypes"

    @property
    def pixel_limit(self) -> int:
        return self.max_pixels or FUZZ_MAX_PIXELS

    @property
    def byte_budget(self) -> int:
        return _EDGE_COUNTS.get(self.max_bytes, self.max_bytes)

    @property
    def input_limit(self) -> int:
        return _EDGE_COUNTS.get(self.max_input_bytes, self.max_input_bytes)

    @property
    def width_limit(self) -> int:
        return _EDGE_SIZES.get(self.max_width, self.max_width)

    @property
    def height_limit(self) -> int:
        return _EDGE_SIZES.get(self.max_height, self.max_height)

    def format_names(self) -> list[str] | None:
        names = [name for bit, name in enumerate(_FORMAT_NAMES) if self.formats & (1 << bit)]
        if self.formats & UNKNOWN_FORMAT:
            names.append("bmp")
        return names or None

    def diff_value(self) -> float:
        return _EDGE_DIFFS.get(self.max_diff, self.max_diff / 255 * MAX_DIFF_SCALE)

    def options_keywords(self) -> dict[str, object]:
        """The keywords of pyjamaz.Options; out-of-range values are left in for the API to refuse."""
        native = self.native_options()
        strip = bool(native.strip_metadata)
        return {
            "formats": self.format_names(),
            "max_bytes": native.max_bytes,
            "max_diff": native.max_diff,
            "max_width": native.max_width,
            "max_height": native.max_height,
            "strip": int(strip) if self.flags & WRONG_TYPES else strip,  # an int where the API wants a bool
            "concurrency": native.concurrency,
            "max_pixels": native.max_pixels,
            "max_input_bytes": native.max_input_bytes,
        }

    def native_options(self) -> pyjamaz.NativeOptions:
        """Every value in range of its C field type, none checked: the library must refuse the bad ones.
        The formats byte goes in whole, so its upper bits are unknown format bits."""
        return pyjamaz.NativeOptions(
            formats=self.formats,
            max_bytes=self.byte_budget,
            max_diff=self.diff_value(),
            max_width=self.width_limit,
            max_height=self.height_limit,
            strip_metadata=self.flags & STRIP,
            concurrency=self.concurrency,
            max_pixels=self.pixel_limit,
            max_input_bytes=self.input_limit,
        )

    def describe(self) -> str:
        """One line a person can read: the call, its options and the image's size and first bytes."""
        route = "native options" if self.flags & NATIVE_OPTIONS else "Options"
        call = "optimize_file" if self.flags & FROM_FILE else "optimize"
        return (
            f"{call}({len(self.image)} bytes {self.image[:12]!r}…) on {self.backend} via {route}"
            f"{' with wrong types' if self.flags & WRONG_TYPES else ''}: {self.native_options()}"
        )
