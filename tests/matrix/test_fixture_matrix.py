"""Every behaviour of the fixture library × every language: the verdict leakcheck gives is the truth.

One `leakcheck run` of the whole fixture configuration (about 80 s), then one test per cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from .conftest import CONFIG, RunLeakcheck, by_name, failed_signals

LANGUAGES = ("python", "node", "zig")
LEAKS = {"leak": {"rss", "counter:lib_live_bytes", "counter:lib_live_allocations"},
         "leak_every": {"rss", "counter:lib_live_bytes", "counter:lib_live_allocations"},
         "fd_leak": {"fds"},
         "thread_leak": {"threads"}}
CLEAN = ("clean", "cache")
CRASH_SIGNALS = {"segfault": "SIGSEGV", "bus_error": "SIGBUS", "abort": "SIGABRT"}
HANGS = {"hang": "fixture_hang", "deadlock": "fixture_deadlock"}
# The exception each language's fixture probe dies of, as the FAIL reason must name it.
EXCEPTIONS = {"python": "RuntimeError: fixture exception in the loop body",
              "node": "Error: fixture exception in the loop body",
              "zig": "error.FixtureException"}


@pytest.fixture(scope="module")
def matrix(run_leakcheck: RunLeakcheck) -> dict[str, Mapping[str, Any]]:
    # Two probes at a time: the faults run beside the probes whose verdicts must stay intact.
    document = run_leakcheck("--jobs", "2")
    assert document["complete"] and not document["interrupted"]
    return by_name(document)


def cell(matrix: Mapping[str, Mapping[str, Any]], lang: str, behaviour: str) -> Mapping[str, Any]:
    probe = matrix[f"{lang}.fixture_{behaviour}"]
    if probe["outcome"] == "SKIP":
        pytest.skip(f"{probe['name']}: {probe['reason']}")
    return probe


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("behaviour", CLEAN)
def test_clean_work_and_bounded_cache_pass(matrix: Mapping[str, Mapping[str, Any]], lang: str,
                                           behaviour: str) -> None:
    probe = cell(matrix, lang, behaviour)
    if (lang, behaviour) == ("node", "cache") and failed_signals(probe) == {"rss"}:
        # The Node SDK's RSS creep (tests/subjects/test_subjects_matrix.py, KNOWN_FLAKY): "RSS slope 289 B/iter
        # ... (+421 KiB)" with every counter flat, once in a CI run on an idle machine. A known defect, not a pass.
        pytest.xfail(f"Node SDK RSS creep, a known false LEAK: {probe['reason']}")
    assert probe["outcome"] == "PASS", probe["reason"]
    assert failed_signals(probe) == set()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("behaviour", sorted(LEAKS))
def test_leaks_are_leak_on_the_signals_that_see_them(matrix: Mapping[str, Mapping[str, Any]], lang: str,
                                                     behaviour: str) -> None:
    probe = cell(matrix, lang, behaviour)
    assert probe["outcome"] == "LEAK", probe["reason"]
    assert LEAKS[behaviour] <= failed_signals(probe), probe["attempts"][-1]["reasons"]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("behaviour", sorted(CRASH_SIGNALS))
def test_crashes_name_their_signal_and_phase(matrix: Mapping[str, Mapping[str, Any]], lang: str,
                                             behaviour: str) -> None:
    probe = cell(matrix, lang, behaviour)
    crash = probe["attempts"][-1]["crash"]
    assert probe["outcome"] == "CRASH", probe["reason"]
    assert (crash["signal"], crash["phase"]) == (CRASH_SIGNALS[behaviour], "measure")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("behaviour", sorted(HANGS))
def test_hangs_time_out_with_stacks_of_where_they_hang(matrix: Mapping[str, Mapping[str, Any]], lang: str,
                                                       behaviour: str) -> None:
    probe = cell(matrix, lang, behaviour)
    hang = probe["attempts"][-1]["hang"]
    assert probe["outcome"] == "TIMEOUT", probe["reason"]
    assert hang["phase"] == "measure"
    # Python holds the GIL in the native call: faulthandler still shows the Python frame that made it.
    where = "fixture_probe.py\", line" if lang == "python" else HANGS[behaviour]
    assert where in hang["stacks"], hang["stacks"][-2000:]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_huge_allocation_is_stopped_by_the_memory_cap(matrix: Mapping[str, Mapping[str, Any]], lang: str) -> None:
    probe = cell(matrix, lang, "huge")
    attempt = probe["attempts"][-1]
    assert probe["outcome"] == "CRASH", probe["reason"]
    assert attempt["crash"]["kind"] == "out-of-memory"
    assert 384 * 2**20 <= attempt["peak_rss"] < 2 * 384 * 2**20


@pytest.mark.parametrize("lang", LANGUAGES)
def test_uncaught_exception_fails_naming_the_exception_and_phase(matrix: Mapping[str, Mapping[str, Any]],
                                                                 lang: str) -> None:
    probe = cell(matrix, lang, "exception")
    assert probe["outcome"] == "FAIL", probe["reason"]
    assert probe["reason"] == f"exited with status 1 in phase measure: {EXCEPTIONS[lang]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_garbage_on_the_protocol_pipe_is_a_protocol_error(matrix: Mapping[str, Mapping[str, Any]],
                                                          lang: str) -> None:
    probe = cell(matrix, lang, "garbage")
    assert probe["outcome"] == "ERROR", probe["reason"]
    assert probe["reason"].startswith("protocol error: line ")
    assert probe["reason"].endswith("is not JSON: 'this is not an event'")


def test_faults_leave_the_other_probes_results_intact(matrix: Mapping[str, Mapping[str, Any]]) -> None:
    """Every probe that does not fault ran its whole loop in the same run as the crashes, hangs and garbage:
    its own series, its own events, its own verdict."""
    for lang in LANGUAGES:
        for behaviour in (*CLEAN, *LEAKS):
            probe = cell(matrix, lang, behaviour)
            attempt = probe["attempts"][-1]
            assert attempt["returncode"] == 0 and attempt["crash"] is None and attempt["hang"] is None
            # The last attempt's own count: escalation may have run a borderline clean probe 4x longer.
            assert attempt["last_tick"] == attempt["iterations"] - 1, (lang, behaviour, attempt["last_tick"])
            assert attempt["phase"] == "teardown"


def test_every_cell_was_run(matrix: Mapping[str, Mapping[str, Any]]) -> None:
    behaviours = set(LEAKS) | set(CLEAN) | set(CRASH_SIGNALS) | set(HANGS) | {"huge", "exception", "garbage"}
    expected = {f"{lang}.fixture_{behaviour}" for lang in LANGUAGES for behaviour in behaviours}
    assert set(matrix) == expected, f"{CONFIG} and this test disagree"
