"""The results file: versioned and self-describing, rewritten (atomically) as each probe finishes, so a
run that is interrupted or killed leaves every finished probe on disk. The document's shape is
leakcheck.schema's (its writers, beside their readers).

Each probe is serialised once, when it finishes, and its series are thinned to a fixed size (results.KEPT_ROWS;
the whole series stays in the attempt's samples.csv), so a rewrite costs the size of the file, which grows by a
bounded amount a probe, however long the probes ran."""

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
        self._probes: list[str] = []
        self._outcomes: Counter[str] = Counter()

    def add(self, result: ProbeResult) -> None:
        self._probes.append(json.dumps(probe_document(result), separators=(",", ":"), default=str))
        self._outcomes[result.outcome] += 1
        self._write(complete=False, interrupted=False, exit_code=None)

    def finish(self, *, interrupted: bool, exit_code: int, harness: Mapping[str, float]) -> None:
        self._header["harness"] = dict(harness)
        self._write(complete=not interrupted, interrupted=interrupted, exit_code=exit_code)

    def _write(self, *, complete: bool, interrupted: bool, exit_code: int | None) -> None:
        head = {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, **self._header, "complete": complete,
                "interrupted": interrupted, "exit_code": exit_code, "summary": dict(self._outcomes)}
        # The head as its own document, its closing brace opened again for the probes already serialised.
        text = json.dumps(head, indent=1, default=str)[:-2] + ',\n "probes": [\n' + ",\n".join(self._probes) + "\n]}\n"
        for path in self._paths:
            write_atomically(path, text)
