"""The results document (schema "leakcheck.run"): each writer beside its reader, so that what `leakcheck run`
writes is what history, report, compare and merge read back. Reading checks every field and turns the
document back into the runtime objects of leakcheck.results; a field that does not hold what the schema says
is a SchemaError naming its path (e.g. `probes[3].attempts[0].peak_rss: expected a number, got 'x'`).

Fields the runtime objects give a default may be missing (documents written before they existed still
read); the others are required. Keys the schema does not know are ignored."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from leakcheck.results import (
    KEPT_ROWS,
    SAMPLE_KEEP,
    SCHEMA,
    SCHEMA_VERSION,
    TICK_KEEP,
    AllocationSite,
    Attempt,
    Attribution,
    Check,
    Crash,
    Hang,
    Hello,
    ProbeResult,
    Sample,
    SamplerStats,
    SiteReport,
    Tick,
)
from leakcheck.storage import OPTIONAL_SAMPLE_COLUMNS, SAMPLE_COLUMNS
from leakcheck.thinning import thinned
from leakcheck.tools.model import (
    LOSS_KINDS,
    REPORT_SCHEMA,
    REPORT_VERSION,
    FdLeak,
    Frame,
    LeakRecord,
    ToolReport,
)

T = TypeVar("T")


class SchemaError(ValueError):
    """A results document whose field at `path` does not hold what the schema says."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path or 'document'}: {problem}")
        self.path = path


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED = _Required()
"""The default of a field that must be in the document."""


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _expected(what: str, value: object, where: str) -> SchemaError:
    return SchemaError(where, f"expected {what}, got {_shown(value)}")


def as_text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise _expected("a string", value, where)
    return value


def as_number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _expected("a number", value, where)
    return value


def as_integer(value: object, where: str) -> int:
    number = as_number(value, where)
    if isinstance(number, float) and not number.is_integer():
        raise _expected("a whole number", value, where)
    return int(number)


def as_flag(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise _expected("true or false", value, where)
    return value


def _optional(read: Callable[[object, str], T]) -> Callable[[object, str], T | None]:
    return lambda value, where: None if value is None else read(value, where)


class Fields:
    """One object of the document and its path, read a typed field at a time."""

    def __init__(self, value: object, where: str = "") -> None:
        if not isinstance(value, Mapping):
            raise _expected("an object", value, where or "document")
        self.table: Mapping[str, object] = value
        self.where = where

    def path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def get(self, key: str, read: Callable[[object, str], T], default: T | _Required = REQUIRED) -> T:
        """The field read by `read`; `default` when it is missing (a required field's absence is an error)."""
        if key not in self.table:
            if isinstance(default, _Required):
                raise SchemaError(self.path(key), "missing")
            return default
        return read(self.table[key], self.path(key))

    def text(self, key: str, default: str | _Required = REQUIRED) -> str:
        return self.get(key, as_text, default)

    def integer(self, key: str, default: int | _Required = REQUIRED) -> int:
        return self.get(key, as_integer, default)

    def number(self, key: str, default: float | _Required = REQUIRED) -> float:
        return self.get(key, as_number, default)

    def flag(self, key: str, default: bool | _Required = REQUIRED) -> bool:
        return self.get(key, as_flag, default)

    def optional_text(self, key: str) -> str | None:
        return self.get(key, _optional(as_text), None)

    def optional_integer(self, key: str) -> int | None:
        return self.get(key, _optional(as_integer), None)

    def optional_number(self, key: str) -> float | None:
        return self.get(key, _optional(as_number), None)

    def fields(self, key: str, *, required: bool = False) -> Fields:
        """A nested object (empty when it is missing and not required)."""
        return self.get(key, Fields, REQUIRED if required else Fields({}, self.path(key)))

    def each(self, key: str, read: Callable[[object, str], T], *, required: bool = False) -> tuple[T, ...]:
        """A list, each item read by `read` at its own path (empty when it is missing and not required)."""
        return self.get(key, lambda value, where: each(value, where, read), REQUIRED if required else ())

    def texts(self, key: str) -> tuple[str, ...]:
        return self.each(key, as_text)

    def table_of(self, key: str, read: Callable[[object, str], T]) -> dict[str, T]:
        """A nested object whose values are all read by `read` (empty when it is missing)."""
        return self.fields(key).values(read)

    def values(self, read: Callable[[object, str], T]) -> dict[str, T]:
        return {name: read(value, self.path(name)) for name, value in self.table.items()}


def as_list(value: object, where: str) -> Sequence[object]:
    if not isinstance(value, (list, tuple)):  # a tuple: a document straight from its writer, not from JSON
        raise _expected("a list", value, where)
    return value


def each(value: object, where: str, read: Callable[[object, str], T]) -> tuple[T, ...]:
    return tuple(read(item, f"{where}[{k}]") for k, item in enumerate(as_list(value, where)))


def _dataclass_document(value: Any) -> dict[str, Any] | None:
    return dataclasses.asdict(value) if value is not None else None


# --- a probe's series -------------------------------------------------------------------------------------

def samples_document(attempt: Attempt) -> dict[str, Any]:
    """At most KEPT_ROWS rows (each thinned stretch's lowest and highest RSS), with the count of samples taken
    and the CSV that holds them all."""
    samples = thinned(attempt.samples, KEPT_ROWS, SAMPLE_KEEP)
    count = attempt.sampler.samples if attempt.sampler is not None else len(attempt.samples)
    return {"columns": [*SAMPLE_COLUMNS, *OPTIONAL_SAMPLE_COLUMNS], "count": max(count, len(samples)),
            "all": attempt.files.get("samples"),
            "rows": [[round(s.t, 4), s.i, s.rss, s.vms, s.fds, s.threads, s.processes, s.anon] for s in samples]}


def samples_from_document(value: object, where: str) -> tuple[Sample, ...]:
    """The rows kept in the document (every sample of a short series; KEPT_ROWS of a long one)."""
    samples = Fields(value, where)
    columns = samples.texts("columns")
    if not set(SAMPLE_COLUMNS) <= set(columns) or len(set(columns)) != len(columns):
        raise _expected(f"the columns {list(SAMPLE_COLUMNS)}", list(columns), samples.path("columns"))
    at = [columns.index(name) for name in SAMPLE_COLUMNS]
    at.append(columns.index("anon") if "anon" in columns else -1)
    rows: Sequence[object] = samples.get("rows", as_list, ())
    read = _sample_row(at, len(columns))
    # Tens of thousands of rows: the plain ones take the fast path, a bad one is read again to name its cell.
    return tuple(_fast_sample(row, at, len(columns)) or read(row, f"{samples.path('rows')}[{k}]")
                 for k, row in enumerate(rows))


def _fast_sample(row: object, at: Sequence[int], width: int) -> Sample | None:
    if not isinstance(row, (list, tuple)) or len(row) != width:
        return None
    t, i, rss, vms, fds, threads, processes = (row[k] for k in at[:-1])
    anon = row[at[-1]] if at[-1] >= 0 else None
    if (type(t) in (int, float) and (i is None or type(i) is int) and type(rss) is int and type(vms) is int
            and type(fds) is int and type(threads) is int and type(processes) is int
            and (anon is None or type(anon) is int)):
        return Sample(t=float(t), i=i, rss=rss, vms=vms, fds=fds, threads=threads, processes=processes, anon=anon)
    return None


def _sample_row(at: Sequence[int], width: int) -> Callable[[object, str], Sample]:
    def read(row: object, where: str) -> Sample:
        if not isinstance(row, (list, tuple)) or len(row) != width:
            raise _expected(f"a row of {width} values", row, where)
        t, i, rss, vms, fds, threads, processes, anon = ((row[k] if k >= 0 else None, f"{where}[{k}]")
                                                         for k in at)
        return Sample(t=float(as_number(*t)), i=_optional(as_integer)(*i), rss=as_integer(*rss),
                      vms=as_integer(*vms), fds=as_integer(*fds), threads=as_integer(*threads),
                      processes=as_integer(*processes), anon=_optional(as_integer)(*anon))
    return read


def tick_document(tick: Tick) -> dict[str, Any]:
    return {"t": round(tick.t, 4), "i": tick.i, "phase": tick.phase, "counters": dict(tick.counters)}


def tick_from_document(value: object, where: str) -> Tick:
    tick = Fields(value, where)
    return Tick(t=float(tick.number("t")), i=tick.integer("i"), phase=tick.text("phase"),
                counters=tick.table_of("counters", as_number))


def check_from_document(value: object, where: str) -> Check:
    check = Fields(value, where)
    return Check(name=check.text("name"), value=check.number("value"), op=check.text("op"),
                 limit=check.number("limit"), ok=check.flag("ok"))


def finding_from_document(value: object, where: str) -> Mapping[str, Any]:
    """A finding of the analysis (analysis.model.Finding as the runner stores it): checked, kept a mapping."""
    finding = Fields(value, where)
    return {"signal": finding.text("signal"), "kind": finding.text("kind"), "failed": finding.flag("failed"),
            "figures": finding.table_of("figures", as_number), "reason": finding.text("reason"),
            # Written since INCONCLUSIVE: kept as read, so that older documents read back as they were written.
            **({"inconclusive": finding.flag("inconclusive")} if "inconclusive" in finding.table else {}),
            **({"borderline": finding.text("borderline")} if "borderline" in finding.table else {})}


# --- what went wrong, and what the probe said -------------------------------------------------------------

def crash_from_document(value: object, where: str) -> Crash:
    crash = Fields(value, where)
    return Crash(signal=crash.text("signal"), number=crash.integer("number"), phase=crash.text("phase"),
                 kind=crash.text("kind"), backtrace=crash.text("backtrace", ""))


def hang_from_document(value: object, where: str) -> Hang:
    hang = Fields(value, where)
    return Hang(watchdog=hang.text("watchdog"), seconds=hang.number("seconds"), phase=hang.text("phase"),
                stacks=hang.text("stacks", ""))


def sampler_from_document(value: object, where: str) -> SamplerStats:
    stats = Fields(value, where)
    return SamplerStats(samples=stats.integer("samples"), rate_hz=stats.number("rate_hz"),
                        cpu_seconds=stats.number("cpu_seconds"), cpu_fraction=stats.number("cpu_fraction"))


def hello_from_document(value: object, where: str) -> Hello:
    hello = Fields(value, where)
    return Hello(protocol=hello.integer("protocol"), probe=hello.optional_text("probe"),
                 lang=hello.optional_text("lang"), iterations=hello.optional_integer("iterations"),
                 warmup=hello.optional_integer("warmup"))


def log_cut_from_document(value: object, where: str) -> Mapping[str, int]:
    """A captured stream kept within the log cap (runner.capture.StreamCut.document)."""
    cut = Fields(value, where)
    return {"written": cut.integer("written"), "kept": cut.integer("kept"), "cut": cut.integer("cut")}


def left_running_from_document(value: object, where: str) -> Mapping[str, Any]:
    """A process the probe left running, killed when the attempt ended (runner.escape.LeftRunning.document)."""
    process = Fields(value, where)
    return {"pid": process.integer("pid"), "command": process.text("command")}


# --- the allocation sites of a traced Python probe ---------------------------------------------------------

def site_report_document(report: SiteReport) -> dict[str, Any]:
    return {"iterations": report.iterations, "sites": [dataclasses.asdict(site) for site in report.sites]}


def site_report_from_document(value: object, where: str) -> SiteReport:
    report = Fields(value, where)
    return SiteReport(iterations=report.integer("iterations"), sites=report.each("sites", _site, required=True))


def _site(value: object, where: str) -> AllocationSite:
    site = Fields(value, where)
    return AllocationSite(file=site.text("file"), line=site.integer("line"), bytes=site.integer("bytes"),
                          blocks=site.integer("blocks"), bytes_per_iteration=site.number("bytes_per_iteration"))


def attribution_document(attribution: Attribution) -> dict[str, Any]:
    return {"source": attribution.source, "outcome": attribution.outcome, "summary": attribution.summary,
            "directory": attribution.directory,
            "report": site_report_document(attribution.report) if attribution.report is not None else None}


def attribution_from_document(value: object, where: str) -> Attribution:
    attribution = Fields(value, where)
    return Attribution(source=attribution.text("source"), outcome=attribution.text("outcome"),
                       summary=attribution.text("summary"), directory=attribution.text("directory", ""),
                       report=attribution.get("report", _optional(site_report_from_document), None))


# --- a native tool's report (run --tool) ------------------------------------------------------------------

def tool_report_document(report: ToolReport) -> dict[str, Any]:
    """Versioned on its own, so readers of older results see no `tool` or know this shape."""
    totals = {kind: dict(zip(("bytes", "blocks"), report.total(kind), strict=True)) for kind in LOSS_KINDS}
    return {"schema": REPORT_SCHEMA, "version": REPORT_VERSION, "tool": report.tool, "problem": report.problem,
            "sees_fds": report.sees_fds, "files": list(report.files), "totals": totals,
            "records": [dataclasses.asdict(r) for r in report.records],
            "fds": [dataclasses.asdict(f) for f in report.fds]}


def tool_report_from_document(value: object, where: str = "") -> ToolReport:
    report = Fields(value, where)
    return ToolReport(tool=report.text("tool"), records=report.each("records", _record),
                      fds=report.each("fds", _fd_leak), files=report.texts("files"),
                      problem=report.text("problem", ""), sees_fds=report.flag("sees_fds", False))


def _frame(value: object, where: str) -> Frame:
    frame = Fields(value, where)
    return Frame(function=frame.text("function"), file=frame.text("file", ""), line=frame.optional_integer("line"),
                 object=frame.text("object", ""))


def _record(value: object, where: str) -> LeakRecord:
    record = Fields(value, where)
    return LeakRecord(kind=record.text("kind"), bytes=record.integer("bytes"), blocks=record.integer("blocks"),
                      stack=record.each("stack", _frame), in_subject=record.flag("in_subject", False),
                      allocated_in=record.get("allocated_in", _optional(_frame), None),
                      suppressed=record.text("suppressed", ""))


def _fd_leak(value: object, where: str) -> FdLeak:
    leak = Fields(value, where)
    return FdLeak(fd=leak.integer("fd"), path=leak.text("path"), stack=leak.each("stack", _frame),
                  in_subject=leak.flag("in_subject", False), opened_in=leak.get("opened_in", _optional(_frame), None))


# --- attempts and probes ----------------------------------------------------------------------------------

def attempt_document(attempt: Attempt) -> dict[str, Any]:
    document: dict[str, Any] = {
        "number": attempt.number, "outcome": attempt.outcome, "reasons": list(attempt.reasons),
        "key_figure": attempt.key_figure, "returncode": attempt.returncode, "phase": attempt.phase,
        "last_tick": attempt.last_tick, "duration_s": attempt.duration_s, "peak_rss": attempt.peak_rss,
        "probe_peak_rss": attempt.probe_peak_rss,
        "files": dict(attempt.files), "findings": [dict(f) for f in attempt.findings],
        "started_at": attempt.started_at, "output_tail": attempt.output_tail, "notes": list(attempt.notes),
        "reason": attempt.reason, "crash": _dataclass_document(attempt.crash),
        "hang": _dataclass_document(attempt.hang), "sampler": _dataclass_document(attempt.sampler),
        "hello": _dataclass_document(attempt.hello),
        "log_cuts": {stream: dict(cut) for stream, cut in attempt.log_cuts.items()},
        "left_running": [dict(process) for process in attempt.left_running], "interrupted": attempt.interrupted,
        "iterations": attempt.iterations, "escalation": attempt.escalation,
        "exit_snapshot": dict(attempt.exit_snapshot) if attempt.exit_snapshot is not None else None}
    if attempt.tool is not None:  # only under --tool: results of plain runs keep their shape
        document["tool"] = tool_report_document(attempt.tool)
    if attempt.sites is not None:  # only a probe traced by tracemalloc reports sites
        document["sites"] = site_report_document(attempt.sites)
    document["checks"] = [dataclasses.asdict(check) for check in attempt.checks]
    document["samples"] = samples_document(attempt)
    document["ticks"] = [tick_document(t) for t in thinned(attempt.ticks, KEPT_ROWS, TICK_KEEP)]
    document["tick_count"] = attempt.tick_count
    return document


def attempt_from_document(value: object, where: str = "") -> Attempt:
    attempt = Fields(value, where)
    return Attempt(
        number=attempt.integer("number"), outcome=attempt.text("outcome"), reasons=attempt.texts("reasons"),
        key_figure=attempt.text("key_figure"), returncode=attempt.optional_integer("returncode"),
        phase=attempt.text("phase"), last_tick=attempt.optional_integer("last_tick"),
        duration_s=attempt.number("duration_s"), peak_rss=attempt.integer("peak_rss"),
        probe_peak_rss=attempt.integer("probe_peak_rss", 0),
        files=attempt.table_of("files", as_text),
        samples=attempt.get("samples", samples_from_document, ()),
        ticks=attempt.each("ticks", tick_from_document), tick_count=attempt.optional_integer("tick_count"),
        checks=attempt.each("checks", check_from_document),
        findings=attempt.each("findings", finding_from_document), started_at=attempt.number("started_at", 0.0),
        crash=attempt.get("crash", _optional(crash_from_document), None),
        hang=attempt.get("hang", _optional(hang_from_document), None),
        sampler=attempt.get("sampler", _optional(sampler_from_document), None),
        output_tail=attempt.text("output_tail", ""),
        tool=attempt.get("tool", _optional(tool_report_from_document), None),
        hello=attempt.get("hello", _optional(hello_from_document), None), notes=attempt.texts("notes"),
        log_cuts=attempt.table_of("log_cuts", log_cut_from_document),
        left_running=attempt.each("left_running", left_running_from_document),
        interrupted=attempt.flag("interrupted", False), iterations=attempt.optional_integer("iterations"),
        escalation=attempt.text("escalation", ""),
        sites=attempt.get("sites", _optional(site_report_from_document), None),
        exit_snapshot=attempt.get("exit_snapshot", _optional(_numbers), None))


def _numbers(value: object, where: str) -> dict[str, float]:
    """{name: number}, e.g. the preload counter's exit snapshot."""
    return Fields(value, where).values(as_number)



def probe_document(result: ProbeResult) -> dict[str, Any]:
    document = {"name": result.name, "lang": result.lang, "suite": result.suite, "iterations": result.iterations,
                "repeat": result.repeat, "outcome": result.outcome, "reason": result.reason,
                "notes": list(result.final.notes),
                "attempts": [attempt_document(attempt) for attempt in result.attempts]}
    if result.attribution is not None:  # only a Python probe's LEAK is attributed
        document["attribution"] = attribution_document(result.attribution)
    return document


def probe_from_document(value: object, where: str = "") -> ProbeResult:
    probe = Fields(value, where)
    attempts = probe.each("attempts", attempt_from_document, required=True)
    if not attempts:  # every probe result has its final attempt: what every reader shows
        raise SchemaError(probe.path("attempts"), "expected at least one attempt, got []")
    return ProbeResult(name=probe.text("name"), lang=probe.text("lang"), suite=probe.text("suite"),
                       iterations=probe.integer("iterations"), outcome=probe.text("outcome"), attempts=attempts,
                       repeat=probe.integer("repeat", 1),
                       attribution=probe.get("attribution", _optional(attribution_from_document), None))


# --- the run ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Machine:
    hostname: str | None = None
    platform: str | None = None
    cpus: int | None = None
    memory_bytes: int | None = None
    load_1min: float | None = None


@dataclass(frozen=True)
class Provenance:
    """Where a run's figures come from (leakcheck.provenance.collect)."""

    time: str | None = None
    commit: str | None = None
    dirty: bool | None = None
    """None outside a git work tree: no commit, so no clean or dirty tree either."""
    machine: Machine = Machine()
    versions: Mapping[str, str | None] = field(default_factory=dict)
    subject: str | None = None
    library_path: str | None = None


@dataclass(frozen=True)
class RunSelection:
    """What `leakcheck run` was asked to run (its command line, resolved)."""

    suite: str = ""
    lang: str | None = None
    patterns: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    repeat: int = 1
    retries: int = 0
    timeout: float | None = None
    shard: str | None = None
    jobs: int | None = None
    tool: str | None = None
    tool_iterations: int | None = None
    tool_subject: str | None = None
    log_cap: int | None = None
    """Bytes kept on disk of each probe's stdout, stderr and events."""
    tracemalloc: bool = False
    """Python SDK probes ran under tracemalloc (`--tracemalloc`)."""


@dataclass(frozen=True)
class ShardSource:
    """One shard a merged run was made of (`leakcheck merge`)."""

    path: str
    selection: RunSelection
    provenance: Provenance


@dataclass(frozen=True)
class RunDocument:
    probes: tuple[ProbeResult, ...]
    """In the order they finished."""
    provenance: Provenance = Provenance()
    config: str = ""
    run_dir: str = ""
    selection: RunSelection = RunSelection()
    complete: bool = False
    """Every selected probe ran and the run was not interrupted."""
    interrupted: bool = False
    exit_code: int | None = None
    """None while the run is still going (or was killed)."""
    summary: Mapping[str, int] = field(default_factory=dict)
    """How many probes had each outcome."""
    harness: Mapping[str, float] | None = None
    """leakcheck's own costs (wall and CPU seconds), written when the run finished."""
    mutant: str | None = None
    """`leakcheck mutants`: the leak mutant this stage ran against (None: the production library, or a plain run)."""
    shards: tuple[ShardSource, ...] = ()
    schema_version: int = SCHEMA_VERSION


def summarise(probes: Iterable[ProbeResult]) -> dict[str, int]:
    return dict(Counter(probe.outcome for probe in probes))


def provenance_document(provenance: Provenance) -> dict[str, Any]:
    return dataclasses.asdict(provenance) | {"versions": dict(provenance.versions)}


def provenance_from_document(value: object, where: str) -> Provenance:
    provenance = Fields(value, where)
    machine = provenance.fields("machine")
    return Provenance(
        time=provenance.optional_text("time"), commit=provenance.optional_text("commit"),
        dirty=provenance.get("dirty", _optional(as_flag), None),
        machine=Machine(hostname=machine.optional_text("hostname"), platform=machine.optional_text("platform"),
                        cpus=machine.optional_integer("cpus"), memory_bytes=machine.optional_integer("memory_bytes"),
                        load_1min=machine.optional_number("load_1min")),
        versions=provenance.table_of("versions", _optional(as_text)), subject=provenance.optional_text("subject"),
        library_path=provenance.optional_text("library_path"))


def selection_document(selection: RunSelection) -> dict[str, Any]:
    return dataclasses.asdict(selection) | {"patterns": list(selection.patterns),
                                            "excluded": list(selection.excluded)}


def selection_from_document(value: object, where: str) -> RunSelection:
    selection = Fields(value, where)
    return RunSelection(
        suite=selection.get("suite", _optional(as_text), None) or "", lang=selection.optional_text("lang"),
        patterns=selection.texts("patterns"), excluded=selection.texts("excluded"),
        repeat=selection.integer("repeat", 1), retries=selection.integer("retries", 0),
        timeout=selection.optional_number("timeout"), shard=selection.optional_text("shard"),
        jobs=selection.optional_integer("jobs"), tool=selection.optional_text("tool"),
        tool_iterations=selection.optional_integer("tool_iterations"),
        tool_subject=selection.optional_text("tool_subject"), log_cap=selection.optional_integer("log_cap"),
        tracemalloc=selection.flag("tracemalloc", False))


def _shard_source(value: object, where: str) -> ShardSource:
    shard = Fields(value, where)
    return ShardSource(path=shard.text("path"),
                       selection=shard.get("selection", _or_default(selection_from_document, RunSelection()),
                                           RunSelection()),
                       provenance=shard.get("provenance", _or_default(provenance_from_document, Provenance()),
                                            Provenance()))


def _or_default(read: Callable[[object, str], T], default: T) -> Callable[[object, str], T]:
    """`read`, with null read as `default` (merge records a shard's selection as null when it had none)."""
    return lambda value, where: default if value is None else read(value, where)


def run_document(run: RunDocument) -> dict[str, Any]:
    document: dict[str, Any] = {"schema": SCHEMA, "schema_version": run.schema_version,
                                "provenance": provenance_document(run.provenance), "config": run.config,
                                "run_dir": run.run_dir, "selection": selection_document(run.selection)}
    if run.mutant is not None:
        document["mutant"] = run.mutant
    if run.harness is not None:
        document["harness"] = dict(run.harness)
    document |= {"complete": run.complete, "interrupted": run.interrupted, "exit_code": run.exit_code,
                 "summary": dict(run.summary)}
    if run.shards:
        document["shards"] = [{"path": s.path, "selection": selection_document(s.selection),
                               "provenance": provenance_document(s.provenance)} for s in run.shards]
    document["probes"] = [probe_document(probe) for probe in run.probes]
    return document


def run_from_document(value: object) -> RunDocument:
    """The run document as the current schema version (history.store migrates older ones first)."""
    run = Fields(value)
    return RunDocument(
        probes=run.each("probes", probe_from_document, required=True),
        provenance=run.get("provenance", _or_default(provenance_from_document, Provenance()), Provenance()),
        config=run.text("config", ""), run_dir=run.text("run_dir", ""),
        selection=run.get("selection", _or_default(selection_from_document, RunSelection()), RunSelection()),
        complete=run.flag("complete", False), interrupted=run.flag("interrupted", False),
        exit_code=run.optional_integer("exit_code"), summary=run.table_of("summary", as_integer),
        harness=run.get("harness", _optional(lambda v, w: Fields(v, w).values(as_number)), None),
        mutant=run.optional_text("mutant"), shards=run.each("shards", _shard_source),
        schema_version=run.integer("schema_version", SCHEMA_VERSION))


def as_run_document(document: RunDocument | Mapping[str, Any]) -> RunDocument:
    """The typed run, for the readers' entry points that also take the document as parsed JSON."""
    return document if isinstance(document, RunDocument) else run_from_document(document)
