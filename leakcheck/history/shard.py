"""Sharding for CI matrices: `run --shard K/N` runs every N-th probe, `merge` joins the shards' results
into one run. The split is by position in the sorted probe names, so every shard agrees on it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from leakcheck.history.store import RunFileError
from leakcheck.schema import RunDocument, ShardSource, as_run_document, summarise

Named = TypeVar("Named")


@dataclass(frozen=True)
class Shard:
    index: int
    """1-based."""
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> Shard:
    """ "2/4" -> Shard(2, 4); anything else is a ValueError with the allowed form."""
    parts = text.split("/")
    try:
        index, count = (int(part) for part in parts)
    except ValueError:
        raise ValueError(f"{text!r} is not K/N (e.g. 1/4)") from None
    if not 1 <= index <= count:
        raise ValueError(f"{text!r}: K must be between 1 and N")
    return Shard(index, count)


def shard_items(items: Sequence[Named], names: Sequence[str], shard: Shard) -> tuple[Named, ...]:
    order = sorted(range(len(items)), key=lambda k: names[k])
    chosen = {k for position, k in enumerate(order) if position % shard.count == shard.index - 1}
    return tuple(item for k, item in enumerate(items) if k in chosen)


def merge_runs(shards: Sequence[tuple[Path, RunDocument | Mapping[str, Any]]]) -> tuple[RunDocument, tuple[str, ...]]:
    """One run from the shards' runs, and warnings (e.g. shards from different commits)."""
    if not shards:
        raise RunFileError("no results files to merge")
    runs = [(path, as_run_document(document)) for path, document in shards]
    first = runs[0][1]
    probes = tuple(probe for _, run in runs for probe in run.probes)
    names = Counter(probe.name for probe in probes)
    warnings = [f"probe {name} is in {count} shards (kept every copy)" for name, count in names.items()
                if count > 1 and first.selection.repeat == 1]  # --repeat writes a probe several times on purpose
    commits = {str(run.provenance.commit) for _, run in runs}
    if len(commits) > 1:
        warnings.append(f"shards come from different commits: {', '.join(sorted(commits))}")
    exit_codes = [run.exit_code for _, run in runs]
    merged = replace(first, probes=probes, summary=summarise(probes),
                     complete=all(run.complete for _, run in runs), interrupted=any(run.interrupted for _, run in runs),
                     exit_code=None if None in exit_codes else max(code for code in exit_codes if code is not None),
                     shards=tuple(ShardSource(str(path), run.selection, run.provenance) for path, run in runs))
    return merged, tuple(warnings)
