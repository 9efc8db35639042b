"""Sharding for CI matrices: `run --shard K/N` runs every N-th probe, `merge` joins the shards' results
into one run. The split is by position in the sorted probe names, so every shard agrees on it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from leakcheck.history.store import Document, RunFileError

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


def merge_runs(shards: Sequence[tuple[Path, Document]]) -> tuple[Document, tuple[str, ...]]:
    """One run document from the shards' documents, and warnings (e.g. shards from different commits)."""
    if not shards:
        raise RunFileError("no results files to merge")
    _, first = shards[0]
    probes = [probe for _, document in shards for probe in document["probes"]]
    names = Counter(probe["name"] for probe in probes)
    warnings = [f"probe {name} is in {count} shards (kept every copy)" for name, count in names.items()
                if count > 1 and not _repeated(first, name)]
    commits = {str((document.get("provenance") or {}).get("commit")) for _, document in shards}
    if len(commits) > 1:
        warnings.append(f"shards come from different commits: {', '.join(sorted(commits))}")
    exit_codes = [document.get("exit_code") for _, document in shards]
    merged: dict[str, Any] = {key: value for key, value in first.items() if key not in ("probes", "summary")}
    merged.update({
        "complete": all(document.get("complete") for _, document in shards),
        "interrupted": any(document.get("interrupted") for _, document in shards),
        "exit_code": None if None in exit_codes else max(int(code) for code in exit_codes if code is not None),
        "summary": dict(Counter(probe["outcome"] for probe in probes)),
        "shards": [{"path": str(path), "selection": document.get("selection"),
                    "provenance": document.get("provenance")} for path, document in shards],
        "probes": probes,
    })
    return merged, tuple(warnings)


def _repeated(document: Document, name: str) -> bool:
    """--repeat writes a probe several times on purpose."""
    return int((document.get("selection") or {}).get("repeat") or 1) > 1
