"""Limits as people write them ("50MB", "1KiB/iter", "+0 fds", "freed >= 70%"), parsed once into objects.

A `Limit` knows what it bounds and explains its own failure, so a verdict never re-derives the wording.
Sizes follow the usual convention: KB/MB/GB are powers of 1000, KiB/MiB/GiB powers of 1024.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from leakcheck.units import format_bytes, format_count


class LimitError(ValueError):
    """A limit that cannot be parsed; the message names where, the key, the value and the allowed forms."""


_SIZE_FACTORS = {
    "": 1, "b": 1,
    "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
    "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40,
}
_NUMBER = r"(\d+(?:\.\d+)?)"
_SIZE_RE = re.compile(rf"^{_NUMBER}\s*([kmgt]i?b|b)?$", re.IGNORECASE)
_RATE_RE = re.compile(rf"^{_NUMBER}\s*([kmgt]i?b|b)?\s*/\s*(iter|iteration|s|sec|second)$", re.IGNORECASE)
_FREED_RE = re.compile(rf"^(?:freed\s*)?(>=|>)?\s*{_NUMBER}\s*%$", re.IGNORECASE)

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt,
}


@dataclass(frozen=True)
class Limit:
    key: str
    """The configuration key, e.g. "rss_growth"."""
    text: str
    """The limit as written, e.g. "50MB"."""
    value: float
    """In base units: bytes, bytes per iteration (or second), a count, or a fraction for `freed`."""
    unit: str
    """"bytes", "bytes/iter", "bytes/s", "count" or "fraction"."""
    op: str = "<="
    """How an observed figure must compare with `value` to be allowed."""

    def allows(self, observed: float) -> bool:
        return _COMPARE[self.op](observed, self.value)

    def format(self, figure: float) -> str:
        """A figure in this limit's unit, e.g. "61.2 MiB" or "1.02 KiB/iter"."""
        if self.unit == "bytes":
            return format_bytes(figure)
        if self.unit.startswith("bytes/"):
            return f"{format_bytes(figure)}/{self.unit.split('/', 1)[1]}"
        if self.unit == "fraction":
            return f"{figure * 100:.1f}%"
        return format_count(figure)

    def explain(self, observed: float, what: str | None = None) -> str:
        """ "RSS growth 61.2 MiB exceeds the limit rss_growth = 50MB" (or "is within")."""
        label = what or _DESCRIPTIONS[self.key]
        if self.allows(observed):
            return f"{label} {self.format(observed)} is within the limit {self.key} = {self.text}"
        verb = "is below" if self.op.startswith(">") else "exceeds"
        return f"{label} {self.format(observed)} {verb} the limit {self.key} = {self.text}"


def parse_limits(mapping: Mapping[str, object], where: str) -> tuple[Limit, ...]:
    """Parse a probe's `limits` table; `where` names the file and table in errors."""
    if not isinstance(mapping, Mapping):
        raise LimitError(f"{where}: limits must be a table of key = \"value\", got {mapping!r}")
    return tuple(parse_limit(key, raw, where) for key, raw in mapping.items())


def parse_limit(key: str, raw: object, where: str) -> Limit:
    parser = _PARSERS.get(key)
    if parser is None:
        allowed = ", ".join(sorted(_PARSERS))
        raise LimitError(f"{where}: unknown limit {key!r}; allowed keys: {allowed}")
    text = _as_text(raw)
    limit = parser(key, text) if text is not None else None
    if limit is None:
        raise LimitError(f"{where}: limits.{key} = {raw!r} is not valid; allowed: {_FORMS[key]}")
    return limit


def _as_text(raw: object) -> str | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return str(raw) if raw >= 0 else None
    if isinstance(raw, str):
        return raw.strip()
    return None


def _parse_size(key: str, text: str) -> Limit | None:
    match = _SIZE_RE.match(text)
    if match is None:
        return None
    factor = _SIZE_FACTORS[(match.group(2) or "").lower()]
    return Limit(key, text, float(match.group(1)) * factor, "bytes")


def _parse_rate(key: str, text: str) -> Limit | None:
    match = _RATE_RE.match(text)
    if match is None:
        return None
    factor = _SIZE_FACTORS[(match.group(2) or "").lower()]
    per = "iter" if match.group(3).lower().startswith("iter") else "s"
    return Limit(key, text, float(match.group(1)) * factor, f"bytes/{per}")


def _count_parser(noun: str) -> Callable[[str, str], Limit | None]:
    pattern = re.compile(rf"^\+?\s*(\d+)\s*(?:{noun}s?)?$", re.IGNORECASE)

    def parse(key: str, text: str) -> Limit | None:
        match = pattern.match(text)
        return Limit(key, text, float(match.group(1)), "count") if match else None

    return parse


def _parse_freed(key: str, text: str) -> Limit | None:
    match = _FREED_RE.match(text)
    if match is None or float(match.group(2)) > 100:
        return None
    return Limit(key, text, float(match.group(2)) / 100, "fraction", match.group(1) or ">=")


_PARSERS: dict[str, Callable[[str, str], Limit | None]] = {
    "rss_growth": _parse_size,
    "vms_growth": _parse_size,
    "peak_rss": _parse_size,
    "slope": _parse_rate,
    "counter_growth": _count_parser("(?:allocation|object|count)"),
    "fd_growth": _count_parser("fd"),
    "thread_growth": _count_parser("thread"),
    "freed": _parse_freed,
}

_SIZE_FORMS = 'a size such as "50MB", "512KiB", "1GB" or a number of bytes (KB = 1000, KiB = 1024)'
_FORMS = {
    "rss_growth": _SIZE_FORMS,
    "vms_growth": _SIZE_FORMS,
    "peak_rss": _SIZE_FORMS,
    "slope": 'a size per iteration or per second, such as "1KiB/iter", "200B/iter", "1MB/s"',
    "counter_growth": 'a whole number such as "0" or "+100"',
    "fd_growth": 'a whole number of file descriptors such as "+0 fds" or "2"',
    "thread_growth": 'a whole number of threads such as "+0 threads" or "1"',
    "freed": 'a percentage such as "freed >= 70%" or ">= 70%"',
}

_DESCRIPTIONS = {
    "rss_growth": "RSS growth",
    "vms_growth": "VMS growth",
    "peak_rss": "peak RSS",
    "slope": "RSS slope",
    "counter_growth": "counter growth",
    "fd_growth": "open file descriptors growth",
    "thread_growth": "threads growth",
    "freed": "freed",
}
