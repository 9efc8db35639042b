"""pytest plugin: leak-check tests a project already has, without rewriting them as probes.

``pytest --leakcheck-repeat N`` (every collected test) or ``@pytest.mark.leakcheck(iterations=N, limit="...")``
(one test) runs the test's body N times in a child pytest process, started the way `leakcheck run` starts a
probe (spawned, own process group, sampled from outside, events through the protocol pipe), and judges the
series with the same analysis. The test fails on LEAK / OVER_LIMIT / INCONCLUSIVE / CRASH / TIMEOUT with the
verdict's reasons.

In the child (``--leakcheck-child``, internal) the test's fixtures are set up once and its body becomes the
loop body of a Python SDK probe. A conftest.py may implement `pytest_leakcheck_counters()` to add the code
under test's own counters to every tick (e.g. a library's live allocations); those matching the exact-counter
patterns (`--leakcheck-exact PATTERN` or the marker's `exact_counters`; none by default) must return to their
baseline.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from leakcheck.config import (
    DEFAULT_EXACT_COUNTERS,
    DEFAULT_MEMORY_CAP,
    DEFAULT_TIMEOUT_S,
    ProbeSpec,
    parse_size,
)
from leakcheck.limits import Limit, LimitError, parse_limit
from leakcheck.placeholders import literal
from leakcheck.results import PASS, Attempt

if TYPE_CHECKING:
    from leakcheck.runner.attempt import Progress
    from leakcheck.sdk import ProbeContext

# The runner and the SDK are imported where a test is repeated: this module is loaded into every pytest
# session of an environment where leakcheck is installed, most of which never use it.

MARKER = "leakcheck"
DEFAULT_ITERATIONS = 200
CHILD_OPTION = "--leakcheck-child"
# A bare figure in `limit=` is read as the first of these keys that accepts it: "1KiB/iter" is a slope,
# "50MB" a growth of RSS.
BARE_LIMIT_KEYS = ("slope", "rss_growth")


@dataclass(frozen=True)
class LeakcheckRequest:
    """What one test asked for: how many repetitions, under which limits, within which time."""

    iterations: int
    limits: tuple[Limit, ...]
    timeout_s: float
    exact_counters: tuple[str, ...]


class LeakcheckHooks:
    """Hooks a conftest.py may implement."""

    @pytest.hookspec
    def pytest_leakcheck_counters(self) -> Mapping[str, float]:  # type: ignore[empty-body]
        """Counters of the code under test, read after every repetition that ticks (in the child process)."""


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(LeakcheckHooks)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("leakcheck", "memory-leak checks of existing tests")
    group.addoption("--leakcheck-repeat", type=int, default=0, metavar="N",
                    help="run every test's body N times in a child process and fail it on a leak")
    group.addoption("--leakcheck-limit", action="append", default=[], metavar="LIMIT",
                    help='a limit for --leakcheck-repeat, e.g. "1KiB/iter", "50MB" or "fd_growth=+0 fds"')
    group.addoption("--leakcheck-timeout", type=_seconds, default=DEFAULT_TIMEOUT_S, metavar="SECONDS",
                    help=f"longest run of one test's repetitions (default {DEFAULT_TIMEOUT_S:g})")
    group.addoption("--leakcheck-exact", action="append", default=[], metavar="PATTERN",
                    help="a counter (glob) that must return to its baseline (repeatable; default: none)")
    group.addoption(CHILD_OPTION, action="store_true", default=False, help=argparse.SUPPRESS)


def _seconds(text: str) -> float:
    """--leakcheck-timeout: finite and above 0 (nan or inf would switch the watchdog off)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds (finite, above 0)")
    return value


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(iterations={DEFAULT_ITERATIONS}, limit=None, limits=None, timeout=None, exact_counters=None): "
        "run the test's body `iterations` times in a child process and fail it on a memory leak; "
        'limit="1KiB/iter" or "50MB" (or limits={"slope": ..., "rss_growth": ...}).',
    )
    repeat = config.getoption("--leakcheck-repeat")
    if repeat < 0 or repeat == 1:
        raise pytest.UsageError(f"--leakcheck-repeat {repeat}: must be a whole number of at least 2 (0: off)")


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    if pyfuncitem.config.getoption(CHILD_OPTION):
        _repeat_in_this_process(pyfuncitem)
        return True
    request = _request_for(pyfuncitem)
    if request is None:
        return None
    attempt = _run_in_child(pyfuncitem, request)
    if attempt.outcome != PASS:
        pytest.fail(_failure_text(attempt), pytrace=False)
    return True


# --- the parent: which tests, and running them in a child -----------------------------------------------------

def _request_for(item: pytest.Function) -> LeakcheckRequest | None:
    marker = item.get_closest_marker(MARKER)
    repeat: int = item.config.getoption("--leakcheck-repeat")
    if marker is None and repeat == 0:
        return None
    options = dict(marker.kwargs) if marker is not None else {}
    unknown = set(options) - {"iterations", "limit", "limits", "timeout", "exact_counters"}
    if unknown:
        pytest.fail(f"@pytest.mark.leakcheck: unknown argument(s) {', '.join(sorted(unknown))}; "
                    "allowed: iterations, limit, limits, timeout, exact_counters", pytrace=False)
    iterations = options.get("iterations", repeat or DEFAULT_ITERATIONS)
    if not isinstance(iterations, int) or isinstance(iterations, bool) or iterations < 2:
        pytest.fail(f"@pytest.mark.leakcheck: iterations={iterations!r} must be a whole number of at least 2",
                    pytrace=False)
    texts = [options["limit"]] if options.get("limit") is not None else item.config.getoption("--leakcheck-limit")
    try:
        limits = tuple(parse_test_limit(text) for text in texts)
        limits += tuple(parse_limit(key, raw, "@pytest.mark.leakcheck")
                        for key, raw in _mapping(options.get("limits")).items())
    except LimitError as exc:
        pytest.fail(str(exc), pytrace=False)
    # `is None`, not `or`: timeout=0 is an error to report, not a request for the default.
    timeout = options.get("timeout")
    timeout = item.config.getoption("--leakcheck-timeout") if timeout is None else timeout
    if (not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not math.isfinite(timeout)
            or timeout <= 0):
        pytest.fail(f"@pytest.mark.leakcheck: timeout={timeout!r} must be a number of seconds above 0 and finite",
                    pytrace=False)
    exact = options.get("exact_counters") or item.config.getoption("--leakcheck-exact") or DEFAULT_EXACT_COUNTERS
    return LeakcheckRequest(iterations, limits, float(timeout), _patterns(exact))


def _patterns(raw: object) -> tuple[str, ...]:
    if isinstance(raw, str) or not isinstance(raw, Iterable) or not all(isinstance(p, str) for p in raw):
        pytest.fail(f"@pytest.mark.leakcheck: exact_counters={raw!r} must be a list of names or globs",
                    pytrace=False)
    return tuple(raw)


def parse_test_limit(text: object) -> Limit:
    """ "1KiB/iter" → slope, "50MB" → rss_growth, "key=value" → that key (any key a probe's limits accept)."""
    where = "leakcheck limit"
    if not isinstance(text, str):
        raise LimitError(f'{where} {text!r} must be text such as "1KiB/iter", "50MB" or "fd_growth=+0 fds"')
    if "=" in text and not text.lstrip().startswith((">", "<")):
        key, _, value = text.partition("=")
        return parse_limit(key.strip(), value.strip(), where)
    for key in BARE_LIMIT_KEYS:
        try:
            return parse_limit(key, text, where)
        except LimitError:
            continue
    raise LimitError(f'{where} {text!r} is not valid; allowed: a rate such as "1KiB/iter" (slope), '
                     'a size such as "50MB" (rss_growth) or key=value such as "fd_growth=+0 fds"')


def _mapping(raw: object) -> Mapping[str, object]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise LimitError(f"@pytest.mark.leakcheck: limits={raw!r} must be a dict such as {{'slope': '1KiB/iter'}}")
    return raw


def _run_in_child(item: pytest.Function, request: LeakcheckRequest) -> Attempt:
    from leakcheck.runner.attempt import AttemptPlan, run_attempt

    root = item.config.invocation_params.dir
    directory = Path(tempfile.mkdtemp(prefix="leakcheck-pytest-"))
    probe = ProbeSpec(
        name=f"pytest.{item.nodeid}", lang="python", command=tuple(literal(part) for part in _child_command(item)),
        iterations={"fast": request.iterations}, limits=request.limits, timeout_s=request.timeout_s,
        stall_timeout_s=None, memory_cap_bytes=parse_size(DEFAULT_MEMORY_CAP, "leakcheck"), env={},
        exact_counters=request.exact_counters, requires=(), description=f"{item.nodeid} repeated {request.iterations} times",
    )
    plan = AttemptPlan(probe=probe, root=root, suite="fast", iterations=request.iterations, number=1,
                       directory=directory, seed=0, timeout_s=request.timeout_s, environment=dict(os.environ))
    attempt = run_attempt(plan, _ignore_progress)
    if attempt.outcome == PASS:
        shutil.rmtree(directory, ignore_errors=True)
    return attempt


def _child_command(item: pytest.Function) -> list[str]:
    # `-p no:leakcheck` keeps the installed entry point from loading the plugin a second time beside `-p`;
    # `-s` lets a crash's stack dump reach the stderr file instead of pytest's capture.
    rootdir = str(item.config.rootpath)
    return [sys.executable, "-m", "pytest", item.nodeid, "--rootdir", rootdir, *_plugin_arguments(item.config),
            "-p", "no:leakcheck", "-p", "leakcheck.pytest_plugin", CHILD_OPTION, "-s", "-q",
            "-p", "no:cacheprovider", "-o", "addopts="]


def _plugin_arguments(config: pytest.Config) -> list[str]:
    """The parent's own `-p NAME` arguments, so that the child loads the same plugins (and their hooks)."""
    arguments = list(config.invocation_params.args)
    forwarded = []
    for position, argument in enumerate(arguments):
        if argument == "-p" and position + 1 < len(arguments):
            forwarded += ["-p", arguments[position + 1]]
        elif argument.startswith("-p") and len(argument) > 2:
            forwarded += ["-p", argument[2:]]
    return forwarded


def _ignore_progress(_: Progress) -> None:
    return None


def _failure_text(attempt: Attempt) -> str:
    headline = (f"leakcheck: {attempt.outcome} after {attempt.duration_s:.1f} s "
                f"(peak RSS {attempt.peak_rss / 2**20:.1f} MiB)")
    lines = [headline]
    failed = [str(finding["reason"]) for finding in attempt.findings if finding.get("failed")]
    lines += [f"  {reason}" for reason in failed or attempt.reasons]
    if attempt.outcome not in ("LEAK", "OVER_LIMIT"):
        # The child pytest reports a failing body on stdout; a crash's stack dump is on stderr.
        lines += _log_tail("stdout", attempt.files.get("stdout")) + _log_tail("stderr", attempt.files.get("stderr"))
    if attempt.files:
        lines.append(f"logs: {Path(attempt.files.get('stderr', '.')).parent}")
    return "\n".join(lines)


def _log_tail(label: str, path: str | None, count: int = 30) -> list[str]:
    if path is None or not Path(path).is_file():
        return []
    tail = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()[-count:]
    return [f"child {label} (last lines):", *tail] if tail else []


# --- the child: the test's body as a probe's loop body ----------------------------------------------------------

def _repeat_in_this_process(item: pytest.Function) -> None:
    from leakcheck.sdk import run_probe

    arguments: dict[str, Any] = {name: item.funcargs[name] for name in item._fixtureinfo.argnames}

    def body(ctx: ProbeContext, i: int) -> None:
        item.obj(**arguments)

    def counters() -> dict[str, float]:
        merged: dict[str, float] = {}
        for values in item.ihook.pytest_leakcheck_counters():
            merged.update({name: float(value) for name, value in values.items()})
        return merged

    try:
        run_probe(f"pytest.{item.nodeid}", body, counters=counters)
    except SystemExit as exc:
        if exc.code not in (0, None):
            pytest.fail(f"leakcheck probe exited with status {exc.code}", pytrace=False)
