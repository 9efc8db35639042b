"""Steps from each older results schema to the next: `MIGRATIONS[N]` turns a version-N document into version
N+1. A step touches only what its version changed and leaves anything malformed as it is, for the schema
reader to name."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

Document = dict[str, Any]


def _attempts(document: Document) -> Iterator[dict[str, Any]]:
    probes = document.get("probes")
    for probe in probes if isinstance(probes, list) else ():
        attempts = probe.get("attempts") if isinstance(probe, dict) else None
        yield from (a for a in (attempts if isinstance(attempts, list) else ()) if isinstance(a, dict))


def counted_ticks(document: Document) -> Document:
    """1 -> 2: ticks and samples may be thinned, so each attempt says how many ticks it had (a version-1 file
    kept them all) and a samples table no longer carries the stride it was thinned by."""
    for attempt in _attempts(document):
        ticks = attempt.get("ticks")
        if "tick_count" not in attempt and isinstance(ticks, list):
            attempt["tick_count"] = len(ticks)
        samples = attempt.get("samples")
        if isinstance(samples, dict):
            samples.pop("stride", None)
    return document


MIGRATIONS: Mapping[int, Callable[[Document], Document]] = {1: counted_ticks}
