"""The project's probe declarations: found, read and validated once, into frozen objects.

Probes live in `[tool.leakcheck]` of a pyproject.toml, or in a leakcheck.toml (top level or under
`[tool.leakcheck]`). Every error names the file, the key and what is allowed.
"""

from __future__ import annotations

import fnmatch
import math
import re
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leakcheck import config_fields
from leakcheck.config_fields import string_list, string_table
from leakcheck.limits import Limit, LimitError, parse_limit, parse_limits
from leakcheck.placeholders import BUILT_IN, UnknownPlaceholder, expand
from leakcheck.subject import MutantCatalogue, Subject, parse_mutants, parse_subject

LANGUAGES = ("python", "node", "zig", "native")
SUITES = ("fast", "medium", "pressure")
SUITE_CHOICES = (*SUITES, "all")
ConfigError = config_fields.ConfigError

DEFAULT_EXACT_COUNTERS: tuple[str, ...] = ()
"""No counter is exact unless the configuration says so: which counters the code under test owns is the
subject's knowledge (`exact_counters` at the top level or per probe)."""
DEFAULT_PROCESS_WIDE_COUNTERS: tuple[str, ...] = ("py_allocated_blocks", "py_gc_objects", "preload_live_blocks",
                                                  "preload_live_bytes")
"""Counters that are exact but shared with the runtime (the SDKs' and the preload counter's): judged by the segment
rule (analysis.counts), so a one-off +1 of the interpreter is no leak. `process_wide_counters` replaces the list."""
DEFAULT_TIMEOUT_S = 120.0
DEFAULT_MEMORY_CAP = "4GiB"
DEFAULT_LOG_CAP = 16 << 20
"""Bytes kept on disk of each captured stream of an attempt (stdout, stderr, events): head and tail halves."""
MIN_LOG_CAP = 1 << 10
CONFIG_FILES = ("leakcheck.toml", "pyproject.toml")
PROBE_KEYS = frozenset({"lang", "command", "iterations", "limits", "timeout", "stall_timeout", "memory_cap",
                        "env", "exact_counters", "process_wide_counters", "description", "requires", "python",
                        "node", "preload"})
TOP_KEYS = frozenset({"probes", "timeout", "memory_cap", "jobs", "exact_counters", "process_wide_counters", "python",
                      "node", "vars",
                      "subject", "mutants", "setup", "build", "log_cap", "preload"})
MAX_NAME_LENGTH = 100
_NAME_RE = re.compile(r"[A-Za-z0-9_.-]+")
_DURATION_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*(ms|s|m|min)?$")
_DURATION_FACTORS = {"ms": 0.001, "s": 1.0, "": 1.0, "m": 60.0, "min": 60.0}


@dataclass(frozen=True)
class ProbeSpec:
    name: str
    """"<lang>.<name>" in ASCII letters, digits, "_", "-" and "."; also the name of its log folder."""
    lang: str
    command: tuple[str, ...]
    """As written, with placeholders ({python}, {node}, {root} and the [vars]) not yet expanded."""
    iterations: Mapping[str, int]
    """Iterations per suite; the probe belongs to the suites named here."""
    limits: tuple[Limit, ...]
    timeout_s: float
    stall_timeout_s: float | None
    """Longest time without a protocol event once the probe said hello (None: only the overall timeout)."""
    memory_cap_bytes: int
    env: Mapping[str, str]
    exact_counters: tuple[str, ...]
    """Glob patterns of tick counters that must return to their baseline."""
    requires: tuple[str, ...]
    """Paths (placeholders allowed) that must exist, else the probe is skipped with the reason."""
    description: str
    placeholders: Mapping[str, str] = field(default_factory=dict)
    """The values of {root}, {python}, {node} and the configuration's [vars] for this probe."""
    process_wide_counters: tuple[str, ...] = DEFAULT_PROCESS_WIDE_COUNTERS
    """Glob patterns of tick counters judged process-wide (an exact-counter pattern wins over these)."""
    setup: str = ""
    """The configuration's set-up command, named where a required path is missing."""
    preload: bool = True
    """Whether the preload counter (leakcheck.sdk.preload) is LD_PRELOADed into the probe (never under --tool)."""

    def in_suite(self, suite: str) -> bool:
        return suite == "all" or suite in self.iterations

    def iterations_for(self, suite: str) -> int:
        if suite == "all":
            return next(self.iterations[s] for s in reversed(SUITES) if s in self.iterations)
        return self.iterations[suite]


@dataclass(frozen=True)
class Config:
    path: Path
    root: Path
    """Directory of the configuration file; probe commands run there."""
    probes: tuple[ProbeSpec, ...]
    jobs: int = 1
    """Probes run at once unless --jobs says otherwise."""
    subject: Subject = field(default_factory=Subject)
    mutants: MutantCatalogue | None = None
    setup: str = ""
    """The command that builds or installs what probes require (shown where something is missing)."""
    build: str = ""
    """The shell command that builds what the probes run from a checkout (`leakcheck bisect`, each commit)."""
    placeholders: Mapping[str, str] = field(default_factory=dict)
    """{root}, the configuration's {python} and {node}, and its [vars]: for subject and mutant commands."""
    log_cap: int = DEFAULT_LOG_CAP
    """Bytes kept of each captured stream (`log_cap = "16MiB"`; run --log-cap overrides)."""


def find_config(start: Path) -> Path:
    """The nearest leakcheck.toml, or pyproject.toml with a [tool.leakcheck] table, from `start` upwards."""
    for directory in (start, *start.parents):
        for name in CONFIG_FILES:
            candidate = directory / name
            if candidate.is_file() and (name == "leakcheck.toml" or _has_leakcheck_table(candidate)):
                return candidate
    raise ConfigError(f"no leakcheck.toml or pyproject.toml with [tool.leakcheck] in {start} or above; "
                      "pass --config PATH")


def load_config(path: Path) -> Config:
    document = _read_toml(path)
    table = _leakcheck_table(document, path)
    unknown = set(table) - TOP_KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(sorted(unknown))} in the leakcheck table; "
                          f"allowed: {', '.join(sorted(TOP_KEYS))}")
    probes_table = table.get("probes", {})
    if not isinstance(probes_table, Mapping):
        raise ConfigError(f"{path}: probes must be a table of [probes.\"<lang>.<name>\"] tables")
    root = path.resolve().parent
    defaults = {"timeout": table.get("timeout", DEFAULT_TIMEOUT_S),
                "memory_cap": table.get("memory_cap", DEFAULT_MEMORY_CAP),
                "exact_counters": list(string_list(table.get("exact_counters", list(DEFAULT_EXACT_COUNTERS)),
                                                   f"{path}: exact_counters")),
                "process_wide_counters": list(string_list(
                    table.get("process_wide_counters", list(DEFAULT_PROCESS_WIDE_COUNTERS)),
                    f"{path}: process_wide_counters"))}
    shared = _shared_placeholders(table, root, str(path))
    setup = table.get("setup", "")
    if not isinstance(setup, str):
        raise ConfigError(f"{path}: setup = {setup!r}; allowed: the command (a string) that builds what probes require")
    defaults["setup"] = setup
    defaults["preload"] = _preload_flag(table.get("preload", True), f"{path}: preload")
    build = table.get("build", "")
    if not isinstance(build, str):
        raise ConfigError(f"{path}: build = {build!r}; allowed: the shell command (a string) that builds what "
                          "the probes run")
    probes = tuple(_probe_spec(name, raw, defaults, f"{path}: probes.{name!r}",
                               _probe_placeholders(raw, table, shared, root, f"{path}: probes.{name!r}"))
                   for name, raw in probes_table.items())
    jobs = table.get("jobs", 1)
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise ConfigError(f"{path}: jobs = {jobs!r}; allowed: a whole number of probes run at once, at least 1")
    log_cap = parse_log_cap(table.get("log_cap", DEFAULT_LOG_CAP), f"{path}: log_cap")
    return Config(path=path.resolve(), root=root, probes=probes, jobs=jobs, log_cap=log_cap,
                  subject=parse_subject(table.get("subject", {}), f"{path}: subject"),
                  mutants=parse_mutants(table["mutants"], f"{path}: mutants") if "mutants" in table else None,
                  setup=setup, build=build, placeholders=_probe_placeholders({}, table, shared, root, str(path)))


def _shared_placeholders(table: Mapping[str, Any], root: Path, where: str) -> dict[str, str]:
    """{root} and the [vars], each expanded with {root} and the vars above it."""
    values = {"root": str(root)}
    for name, raw in string_table(table.get("vars", {}), f"{where}: vars").items():
        if not name.isidentifier() or name in BUILT_IN:
            raise ConfigError(f"{where}: vars.{name}: a var's name is an identifier other than "
                              f"{', '.join(BUILT_IN)}")
        values[name] = _expanded(raw, values, f"{where}: vars.{name}")
    return values


def _probe_placeholders(raw: Mapping[str, Any], table: Mapping[str, Any], shared: Mapping[str, str],
                        root: Path, where: str) -> dict[str, str]:
    """The shared values with this probe's interpreters: its own, else the configuration's, else the
    interpreter running leakcheck ({python}) and `node` from PATH ({node})."""
    values = dict(shared)
    for name, default in (("python", sys.executable), ("node", "node")):
        chosen = raw.get(name, table.get(name))
        if chosen is None:
            values[name] = default
            continue
        if not isinstance(chosen, str) or not chosen:
            raise ConfigError(f"{where}: {name} = {chosen!r}; allowed: an interpreter's path or command name")
        values[name] = _interpreter(_expanded(chosen, shared, f"{where}: {name}"), root)
    return values


def _interpreter(value: str, root: Path) -> str:
    """A relative path (with a slash) is the configuration directory's; a bare name is looked up on PATH."""
    return str(root / value) if "/" in value and not Path(value).is_absolute() else value


def _expanded(text: str, values: Mapping[str, str], where: str) -> str:
    try:
        return expand(text, values)
    except UnknownPlaceholder as exc:
        raise ConfigError(f"{where}: {exc}") from None


def parse_log_cap(raw: object, where: str) -> int:
    """A size of at least MIN_LOG_CAP bytes: how much of each captured stream is kept on disk."""
    cap = parse_size(raw, where)
    if cap < MIN_LOG_CAP:
        raise ConfigError(f"{where} = {raw!r} is too small; allowed: a size of at least {MIN_LOG_CAP} bytes "
                          "(half of it keeps the start of a log, half its end)")
    return cap


def parse_duration(raw: object, where: str) -> float:
    """ "120s", "500ms", "2m" or a number of seconds -> seconds, above 0 and finite (TOML's nan and inf, or
    a figure too long for a float, would switch the watchdog off)."""
    seconds: float | None = None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        seconds = float(raw)
    elif isinstance(raw, str) and (match := _DURATION_RE.match(raw.strip())):
        seconds = float(match.group(1)) * _DURATION_FACTORS[match.group(2) or ""]
    if seconds is None or not math.isfinite(seconds) or seconds <= 0:
        raise ConfigError(f"{where} = {raw!r} is not a duration; allowed: a positive, finite number of seconds "
                          'or a string such as "120s", "500ms", "2m"')
    return seconds


def parse_size(raw: object, where: str) -> int:
    """ "4GiB", "512MB" or a number of bytes -> bytes (the same forms as size limits)."""
    try:
        return int(parse_limit("peak_rss", raw, where).value)
    except (LimitError, OverflowError):  # OverflowError: a figure too long for a float (infinity)
        raise ConfigError(f"{where} = {raw!r} is not a size; allowed: a size such as \"2GB\", \"512MiB\" "
                          "or a number of bytes") from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(_toml_text(path.read_bytes(), path))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the configuration: {exc}") from None


def _toml_text(data: bytes, path: Path) -> str:
    """TOML is UTF-8. A byte-order mark in front (some Windows editors write one) is accepted and dropped:
    it says nothing but "this is UTF-8", and tomllib would call it an invalid statement."""
    try:
        return data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        line = data.count(b"\n", 0, offset) + 1
        column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
        raise ConfigError(f"{path}: cannot read the configuration: it is not UTF-8 text (byte "
                          f"0x{data[offset]:02x} at line {line}, column {column}); TOML files are UTF-8, "
                          "save it in that encoding") from None


def _has_leakcheck_table(path: Path) -> bool:
    try:
        return "leakcheck" in _read_toml(path).get("tool", {})
    except ConfigError:
        return False


def _leakcheck_table(document: Mapping[str, Any], path: Path) -> Mapping[str, Any]:
    tool = document.get("tool", {})
    if isinstance(tool, Mapping) and "leakcheck" in tool:
        table = tool["leakcheck"]
    elif path.name != "pyproject.toml":
        table = document
    else:
        raise ConfigError(f"{path}: no [tool.leakcheck] table")
    if not isinstance(table, Mapping):
        raise ConfigError(f"{path}: [tool.leakcheck] must be a table")
    return table


def _probe_spec(name: str, raw: object, defaults: Mapping[str, object], where: str,
                placeholders: Mapping[str, str]) -> ProbeSpec:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where} must be a table with lang, command, iterations, ...")
    unknown = set(raw) - PROBE_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; "
                          f"allowed: {', '.join(sorted(PROBE_KEYS))}")
    lang = _lang(name, raw.get("lang"), where)
    stall = raw.get("stall_timeout")
    try:
        limits = parse_limits(raw.get("limits", {}), where)
    except LimitError as exc:
        raise ConfigError(str(exc)) from None
    return ProbeSpec(
        name=name,
        lang=lang,
        command=string_list(raw.get("command"), f"{where}.command", required=True),
        iterations=_iterations(raw.get("iterations"), f"{where}.iterations"),
        limits=limits,
        timeout_s=parse_duration(raw.get("timeout", defaults["timeout"]), f"{where}.timeout"),
        stall_timeout_s=None if stall is None else parse_duration(stall, f"{where}.stall_timeout"),
        memory_cap_bytes=parse_size(raw.get("memory_cap", defaults["memory_cap"]), f"{where}.memory_cap"),
        env=string_table(raw.get("env", {}), f"{where}.env"),
        exact_counters=string_list(raw.get("exact_counters", defaults["exact_counters"]),
                                    f"{where}.exact_counters"),
        requires=string_list(raw.get("requires", []), f"{where}.requires"),
        description=str(raw.get("description", "")),
        placeholders=placeholders,
        setup=str(defaults["setup"]),
        process_wide_counters=string_list(raw.get("process_wide_counters", defaults["process_wide_counters"]),
                                          f"{where}.process_wide_counters"),
        preload=_preload_flag(raw.get("preload", defaults["preload"]), f"{where}.preload"),
    )


def _preload_flag(raw: object, where: str) -> bool:
    if not isinstance(raw, bool):
        raise ConfigError(f"{where} = {raw!r}; allowed: true (LD_PRELOAD the malloc counter into the probe) or "
                          "false (run the probe without it)")
    return raw


def _lang(name: str, lang: object, where: str) -> str:
    if lang not in LANGUAGES:
        raise ConfigError(f"{where}.lang = {lang!r}; allowed: {', '.join(LANGUAGES)}")
    if not name.startswith(f"{lang}.") or name == f"{lang}.":
        raise ConfigError(f"{where}: a {lang} probe's name must be \"{lang}.<name>\"")
    _check_name(name, where)
    return str(lang)


def _check_name(name: str, where: str) -> None:
    """A probe's name is its log folder in the run directory, unchanged: so it may hold only characters every
    file system keeps as they are (letters, digits, "_", "-", "."), and no two probes can share a folder (a
    rule that rewrote other characters would turn "python.my probe" and "python.my_probe" into one)."""
    if len(name) > MAX_NAME_LENGTH or not _NAME_RE.fullmatch(name):
        bad = sorted({ch for ch in name if not _NAME_RE.fullmatch(ch)})
        found = ", ".join(map(repr, bad)) if bad else f"{len(name)} characters"
        raise ConfigError(f"{where}: a probe name may use only ASCII letters, digits, \"_\", \"-\" and \".\" "
                          f"and have at most {MAX_NAME_LENGTH} characters, for it names the probe's log folder; "
                          f"this one has {found}")


def _iterations(raw: object, where: str) -> Mapping[str, int]:
    allowed = f"a positive integer, or a table of suites ({', '.join(SUITES)}) to positive integers"
    if isinstance(raw, int) and not isinstance(raw, bool) and raw > 0:
        return dict.fromkeys(SUITES, raw)
    if not isinstance(raw, Mapping) or not raw:
        raise ConfigError(f"{where} = {raw!r}; allowed: {allowed}")
    for suite, count in raw.items():
        if suite not in SUITES or not isinstance(count, int) or isinstance(count, bool) or count <= 0:
            raise ConfigError(f"{where}.{suite} = {count!r}; allowed: {allowed}")
    return dict(raw)


def exact_counter_names(patterns: tuple[str, ...], observed: set[str]) -> frozenset[str]:
    """The observed counter names that match the probe's exact-counter patterns."""
    return frozenset(name for name in observed if any(fnmatch.fnmatchcase(name, p) for p in patterns))
