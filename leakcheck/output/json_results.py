"""The results file: versioned and self-describing, rewritten (atomically) as each probe finishes, so a
run that is interrupted or killed leaves every finished probe on disk. The document's shape is
leakcheck.schema's (its writers, beside their readers)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from leakcheck.results import SCHEMA, SCHEMA_VERSION, ProbeResult
from leakcheck.schema import probe_document
from leakcheck.storage import write_atomically


class JsonResults:
    """Writes the results file at `paths` (the run directory's copy and any --json PATH)."""

    def __init__(self, paths: Sequence[Path], header: Mapping[str, Any]) -> None:
        self._paths = tuple(paths)
        self._header = dict(header)
        self._probes: list[dict[str, Any]] = []

    def add(self, result: ProbeResult) -> None:
        self._probes.append(probe_document(result))
        self._write(complete=False, interrupted=False, exit_code=None)

    def finish(self, *, interrupted: bool, exit_code: int, harness: Mapping[str, float]) -> None:
        self._header["harness"] = dict(harness)
        self._write(complete=not interrupted, interrupted=interrupted, exit_code=exit_code)

    def _write(self, *, complete: bool, interrupted: bool, exit_code: int | None) -> None:
        summary = Counter(probe["outcome"] for probe in self._probes)
        document = {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, **self._header, "complete": complete,
                    "interrupted": interrupted, "exit_code": exit_code, "summary": dict(summary),
                    "probes": self._probes}
        text = json.dumps(document, indent=1, default=str)
        for path in self._paths:
            write_atomically(path, text)
