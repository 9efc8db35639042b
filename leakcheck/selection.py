"""Which declared probes a run takes: by suite, language and name pattern."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass

from leakcheck.config import LANGUAGES, ConfigError, ProbeSpec


@dataclass(frozen=True)
class Selection:
    suite: str
    languages: frozenset[str]
    """Empty: every language."""
    patterns: tuple[str, ...]
    """Substrings or globs (``*``, ``?``) of probe names; a probe matching any is taken. Empty: all."""
    excluded: tuple[str, ...] = ()
    """Patterns of the same kind; a probe matching any is left out."""

    def takes(self, probe: ProbeSpec) -> bool:
        return (probe.in_suite(self.suite)
                and (not self.languages or probe.lang in self.languages)
                and (not self.patterns or any(_matches(probe.name, p) for p in self.patterns))
                and not any(_matches(probe.name, p) for p in self.excluded))


def parse_languages(text: str | None) -> frozenset[str]:
    """ "zig,node" -> {"zig", "node"}; an unknown language is a usage error."""
    if not text:
        return frozenset()
    languages = frozenset(part.strip() for part in text.split(",") if part.strip())
    unknown = languages - set(LANGUAGES)
    if unknown:
        raise ConfigError(f"--lang: unknown language(s) {', '.join(sorted(unknown))}; "
                          f"allowed: {', '.join(LANGUAGES)}")
    return languages


def select(probes: Sequence[ProbeSpec], selection: Selection) -> tuple[ProbeSpec, ...]:
    return tuple(probe for probe in probes if selection.takes(probe))


def _matches(name: str, pattern: str) -> bool:
    if any(ch in pattern for ch in "*?["):
        return fnmatch.fnmatchcase(name, pattern)
    return pattern.lower() in name.lower()
