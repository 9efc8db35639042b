"""The preload counter in a probe's environment: LD_PRELOAD (in front of what the probe preloads itself) and
the directory where each process writes its counters; or none of it (`--tool`, `preload = false`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from leakcheck.sdk.preload.build import DIRECTORY_VARIABLE, LIBRARY_NAME


def without_preload(environment: Mapping[str, str]) -> dict[str, str]:
    """`environment` with no copy of the preload counter (an outer run's included) in LD_PRELOAD."""
    kept = {key: value for key, value in environment.items() if key != DIRECTORY_VARIABLE}
    entries = [entry for entry in _entries(kept.get("LD_PRELOAD", "")) if Path(entry).name != LIBRARY_NAME]
    if entries:
        kept["LD_PRELOAD"] = " ".join(entries)
    else:
        kept.pop("LD_PRELOAD", None)
    return kept


def with_preload(environment: Mapping[str, str], library: Path, directory: Path) -> dict[str, str]:
    """The counter first (its malloc then calls the next one: a preloaded allocator of the probe's own)."""
    kept = without_preload(environment)
    kept["LD_PRELOAD"] = " ".join([str(library), *_entries(kept.get("LD_PRELOAD", ""))])
    kept[DIRECTORY_VARIABLE] = str(directory)
    return kept


def _entries(value: str) -> list[str]:
    """ld.so separates LD_PRELOAD's entries by spaces or colons."""
    return [entry for entry in value.replace(":", " ").split() if entry]
