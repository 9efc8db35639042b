"""The results file: versioned and self-describing, rewritten (atomically) as each probe finishes, so a
run that is interrupted or killed leaves every finished probe on disk."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from leakcheck.results import SCHEMA, SCHEMA_VERSION, Attempt, ProbeResult
from leakcheck.storage import SAMPLE_COLUMNS, write_atomically
from leakcheck.tools.model import report_document

MAX_SAMPLE_ROWS = 30_000
"""Beyond this (5 minutes at 100 Hz) the JSON keeps every k-th sample and the highest-RSS one of each
stride, and names the CSV that holds them all; the file is rewritten after every probe, so it must stay small."""


def attempt_document(attempt: Attempt) -> dict[str, Any]:
    document = {field.name: getattr(attempt, field.name) for field in dataclasses.fields(attempt)
                if field.name not in ("samples", "ticks", "checks", "crash", "hang", "sampler", "tool", "hello")}
    document["reason"] = attempt.reason
    document["crash"] = dataclasses.asdict(attempt.crash) if attempt.crash else None
    document["hang"] = dataclasses.asdict(attempt.hang) if attempt.hang else None
    document["sampler"] = dataclasses.asdict(attempt.sampler) if attempt.sampler else None
    document["hello"] = dataclasses.asdict(attempt.hello) if attempt.hello else None
    if attempt.tool is not None:  # only under --tool: results of plain runs keep their shape
        document["tool"] = report_document(attempt.tool)
    document["checks"] = [dataclasses.asdict(check) for check in attempt.checks]
    document["samples"] = _samples_document(attempt)
    document["ticks"] = [{"t": round(t.t, 4), "i": t.i, "phase": t.phase, "counters": dict(t.counters)}
                         for t in attempt.ticks]
    return document


def _samples_document(attempt: Attempt) -> dict[str, Any]:
    samples = list(attempt.samples)
    stride = max(1, -(-len(samples) // MAX_SAMPLE_ROWS))
    if stride > 1:  # each stride's first sample and its RSS peak, in time order
        kept = {id(chunk[0]): chunk[0] for chunk in (samples[k:k + stride] for k in range(0, len(samples), stride))}
        kept.update({id(peak): peak for peak in (max(samples[k:k + stride], key=lambda s: s.rss)
                                                 for k in range(0, len(samples), stride))})
        samples = sorted(kept.values(), key=lambda s: s.t)
    return {"columns": list(SAMPLE_COLUMNS), "stride": stride, "count": len(attempt.samples),
            "all": attempt.files.get("samples"),
            "rows": [[round(s.t, 4), s.i, s.rss, s.vms, s.fds, s.threads, s.processes] for s in samples]}



def probe_document(result: ProbeResult) -> dict[str, Any]:
    return {"name": result.name, "lang": result.lang, "suite": result.suite, "iterations": result.iterations,
            "repeat": result.repeat, "outcome": result.outcome, "reason": result.reason,
            "notes": list(result.final.notes),
            "attempts": [attempt_document(attempt) for attempt in result.attempts]}


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


