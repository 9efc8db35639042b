"""What the SDKs do for the runtime under the loop (docs/protocol.md, "The SDKs"), on real processes: Node lets
finalizers run before every tick and awaits an async body; Python reports its allocated blocks, traces with
tracemalloc only when asked, and a Python probe's LEAK is attributed to the line that allocates; the per-call
size a verdict reports for a C leak is within 25% of the truth."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from conformance import PROBES, ROOT, CliRun, ProbeRun, leakcheck_run, run_with_pipe

FIXTURES = ROOT / "tests" / "fixtures"
sys.path.insert(0, str(FIXTURES))
import build as fixture_build  # noqa: E402 — found through the path above

NODE_PROBE = PROBES / "runtime_probe.js"
PYTHON_PROBE = PROBES / "runtime_probe.py"
LEAKING_LINE = next(n for n, line in enumerate(PYTHON_PROBE.read_text().splitlines(), 1) if "# LEAKING" in line)
SIZE_TOLERANCE = 0.25
"""Issue 13's bound on the reported per-call size of a C leak."""


@pytest.fixture(scope="module")
def library() -> Path:
    if shutil.which("gcc") is None:
        pytest.skip("gcc is needed to build the fixture library")
    return fixture_build.build().library


@pytest.fixture(scope="module")
def node(library: Path) -> list[str]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    if not (ROOT / "bindings" / "nodejs" / "node_modules" / "koffi").is_dir():
        pytest.skip("koffi is not installed (npm ci in bindings/nodejs)")
    return [node, "--expose-gc", str(NODE_PROBE)]


@pytest.fixture(scope="module")
def python(library: Path) -> list[str]:
    return [sys.executable, str(PYTHON_PROBE)]


def counters(run: ProbeRun, name: str) -> list[float]:
    return [tick["counters"][name] for tick in run.of("tick")]


def probe_table(name: str, command: list[str], env: dict[str, str], iterations: int = 2000,
                extra: str = "") -> str:
    variables = ", ".join(f"{key} = {json.dumps(value)}" for key, value in env.items())
    return (f'[probes."{name}"]\nlang = "{name.split(".")[0]}"\ncommand = {json.dumps(command)}\n'
            f"env = {{ {variables} }}\niterations = {{ fast = {iterations} }}\ntimeout = \"120s\"\n{extra}\n")


def final(run: CliRun, name: str) -> dict[str, Any]:
    attempt: dict[str, Any] = run.probe(name)["attempts"][-1]
    return attempt


# --- Node: finalizers run before each tick, async bodies are awaited ---------------------------------------

def test_node_finalizers_run_before_every_tick(node: list[str]) -> None:
    """Native memory freed only by a FinalizationRegistry callback, which runs only when the event loop turns:
    freed by every tick. The positive control keeps each owner alive, and the count shows it."""
    freed = run_with_pipe(node, RUNTIME_CASE="finalizer", LEAKCHECK_ITERATIONS="400")
    assert freed.returncode == 0, freed.stderr
    assert counters(freed, "live_buffers") == [0] * len(freed.of("tick"))
    kept = run_with_pipe(node, RUNTIME_CASE="finalizer_retained", LEAKCHECK_ITERATIONS="400")
    assert counters(kept, "live_buffers") == [tick["i"] + 1 for tick in kept.of("tick")]


def test_node_ticks_come_after_the_awaited_async_body(node: list[str]) -> None:
    run = run_with_pipe(node, RUNTIME_CASE="async_count", LEAKCHECK_ITERATIONS="50")
    assert run.returncode == 0, run.stderr
    assert counters(run, "bodies_done") == [tick["i"] + 1 for tick in run.of("tick")]
    assert run.of("done") == [{"event": "done", "iterations": 50}]


def test_node_memory_freed_by_finalizers_is_a_plateau_and_kept_memory_a_leak(node: list[str],
                                                                             tmp_path: Path) -> None:
    """The same probe was a LEAK (live_buffers +1,799, RSS +4 KiB/iter) when the loop never let the event loop
    turn: its finalizers never ran."""
    exact = 'exact_counters = ["live_buffers"]'
    config = (probe_table("node.finalizer", node, {"RUNTIME_CASE": "finalizer"}, extra=exact)
              + probe_table("node.finalizer_retained", node, {"RUNTIME_CASE": "finalizer_retained"}, extra=exact))
    run = leakcheck_run(tmp_path, config, "--jobs", "2")
    assert run.probe("node.finalizer")["outcome"] == "PASS", run.probe("node.finalizer")["reason"]
    retained = run.probe("node.finalizer_retained")
    assert retained["outcome"] == "LEAK"
    assert any("live_buffers" in reason for reason in retained["attempts"][-1]["reasons"])


# --- Python: allocated blocks, tracemalloc off unless asked, the sites that grew ---------------------------

def test_python_ticks_count_the_interpreters_allocated_blocks(python: list[str]) -> None:
    """A leak of one small object per call raises the count by at least one per call; the same object made
    and dropped leaves it where it was, but for the interpreter's one-off allocations (caches, free lists)."""
    for case, grows in (("global_list", True), ("python_clean", False)):
        run = run_with_pipe(python, RUNTIME_CASE=case, RUNTIME_BYTES="16", LEAKCHECK_ITERATIONS="400")
        assert run.returncode == 0, run.stderr
        warmup = run.events[0]["warmup"]
        blocks = {tick["i"]: tick["counters"]["py_allocated_blocks"] for tick in run.of("tick")}
        growth, measured = blocks[399] - blocks[warmup], 399 - warmup  # after the first measured iteration
        if grows:
            assert growth >= measured
        else:  # a tenth of a block per call: room for a few one-off blocks, none for one per call
            assert abs(growth) < measured / 10


@pytest.mark.parametrize(("variables", "traced"), [
    ({}, False),
    ({"LEAKCHECK_TRACEMALLOC": "0"}, False),
    ({"LEAKCHECK_TRACEMALLOC": "1"}, True),  # the harness asks (leakcheck run --tracemalloc, the re-run)
    ({"RUNTIME_TRACEMALLOC": "1"}, True),  # the probe asks: run_probe(..., tracemalloc=True)
])
def test_tracemalloc_traces_only_when_asked(python: list[str], variables: dict[str, str], traced: bool) -> None:
    run = run_with_pipe(python, RUNTIME_CASE="python_clean", LEAKCHECK_ITERATIONS="40", **variables)
    assert run.returncode == 0, run.stderr
    assert all(("py_tracemalloc_current" in tick["counters"]) is traced for tick in run.of("tick"))
    assert len(run.of("sites")) == int(traced)
    if traced:  # after the measure phase, before teardown
        assert run.sequence()[-4:] == ["tick", "sites", "phase:teardown", "done"]


def test_a_bad_tracemalloc_setting_exits_2_with_a_message(python: list[str]) -> None:
    run = run_with_pipe(python, LEAKCHECK_TRACEMALLOC="yes")
    assert run.returncode == 2 and run.events == []
    assert "LEAKCHECK_TRACEMALLOC='yes' must be 0 or 1" in run.stderr and "Traceback" not in run.stderr


def test_the_sites_name_the_leaking_line_and_its_size(python: list[str]) -> None:
    """bytes(4096) is 4,129 bytes of object; the list's array adds its 8-byte pointer."""
    leak = run_with_pipe(python, RUNTIME_CASE="global_list", LEAKCHECK_ITERATIONS="400", LEAKCHECK_TRACEMALLOC="1")
    [sites] = leak.of("sites")
    assert sites["iterations"] == 400 - leak.events[0]["warmup"]
    top = sites["sites"][0]
    assert (top["file"], top["line"]) == (str(PYTHON_PROBE), LEAKING_LINE)
    assert 4096 <= top["bytes_per_iteration"] <= 4096 * 1.1
    assert not any(Path(site["file"]).parent.name == "leakcheck_probe" for site in sites["sites"])
    clean = run_with_pipe(python, RUNTIME_CASE="python_clean", LEAKCHECK_ITERATIONS="400", LEAKCHECK_TRACEMALLOC="1")
    assert clean.of("sites")[0]["sites"] == []


# --- the harness: --tracemalloc, and the re-run that attributes a Python LEAK ------------------------------

def attribution_config(python: list[str]) -> str:
    return "".join(probe_table(f"python.{case}", python, {"RUNTIME_CASE": case})
                   for case in ("global_list", "native_leak", "python_clean"))


@pytest.fixture(scope="module")
def attributed(python: list[str], tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    directory = tmp_path_factory.mktemp("attributed")
    return leakcheck_run(directory, attribution_config(python), "--jobs", "2", "--html", str(directory / "r.html"))


@pytest.fixture(scope="module")
def traced(python: list[str], tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    return leakcheck_run(tmp_path_factory.mktemp("traced"), attribution_config(python), "--jobs", "2",
                         "--tracemalloc")


def test_a_python_leak_is_rerun_under_tracemalloc_which_names_its_line(attributed: CliRun) -> None:
    probe = attributed.probe("python.global_list")
    assert probe["outcome"] == "LEAK"
    assert "py_tracemalloc_current" not in probe["attempts"][-1]["ticks"][-1]["counters"]  # measured untraced
    attribution = probe["attribution"]
    assert attribution["source"] == "re-run" and Path(attribution["directory"]).is_dir()
    top = attribution["report"]["sites"][0]
    assert (top["file"], top["line"]) == (str(PYTHON_PROBE), LEAKING_LINE)
    assert f"runtime_probe.py:{LEAKING_LINE}" in attribution["summary"]
    assert f"{PYTHON_PROBE}:{LEAKING_LINE}" in attributed.stdout  # the terminal's details of the LEAK
    page = (Path(attributed.results["run_dir"]).parent / "r.html").read_text()
    assert f"<code>{PYTHON_PROBE}:{LEAKING_LINE}</code>" in page


def test_a_native_leak_has_no_python_site_and_a_pass_is_not_rerun(attributed: CliRun) -> None:
    native = attributed.probe("python.native_leak")
    assert native["outcome"] == "LEAK"
    assert native["attribution"]["report"]["sites"] == []
    assert "outside what tracemalloc sees" in native["attribution"]["summary"]
    clean = attributed.probe("python.python_clean")
    assert clean["outcome"] == "PASS" and "attribution" not in clean
    assert not list(Path(attributed.results["run_dir"]).glob("python.python_clean/*-tracemalloc"))


def test_tracemalloc_run_traces_every_python_probe_and_attributes_without_a_rerun(traced: CliRun) -> None:
    assert traced.results["selection"]["tracemalloc"] is True
    for name in ("python.global_list", "python.python_clean"):
        assert "py_tracemalloc_current" in final(traced, name)["ticks"][-1]["counters"]
    attribution = traced.probe("python.global_list")["attribution"]
    assert attribution["source"] == "attempt" and attribution["directory"] == ""
    assert attribution["report"]["sites"][0]["line"] == LEAKING_LINE
    assert not list(Path(traced.results["run_dir"]).glob("*/*-tracemalloc"))


# --- honest sizes: a C leak's per-call size, through each SDK at its defaults -------------------------------

SIZED = tuple((lang, size) for lang in ("python", "node") for size in (4096, 1024))


@pytest.fixture(scope="module")
def sized(python: list[str], node: list[str], tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    commands = {"python": python, "node": node}
    config = "".join(probe_table(f"{lang}.leak_{size}", commands[lang], {"RUNTIME_CASE": "native_leak",
                                                                        "RUNTIME_BYTES": str(size)})
                     for lang, size in SIZED)
    return leakcheck_run(tmp_path_factory.mktemp("sized"), config, "--jobs", "2")


@pytest.mark.parametrize(("lang", "size"), SIZED, ids=[f"{lang}-{size}" for lang, size in SIZED])
def test_a_c_leaks_reported_size_is_within_a_quarter_of_the_truth(sized: CliRun, lang: str, size: int) -> None:
    """The sizes are the live malloc bytes' and, from Python, the RSS finding's, per iteration, whatever the
    outcome (the outcome is the verdict engine's). Live bytes are exact: within a quarter either way, in both
    SDKs. A Node loop's own anonymous memory moves by up to a few hundred KiB in a run either way (V8 commits and
    gives back its heap in 256 KiB pages), so under a loaded CPU its RSS slope for a 1 KiB leak has read from
    761 B (a CI run) to 2,341 B: no honest size there, and not asserted."""
    name = f"{lang}.leak_{size}"
    findings = final(sized, name)["findings"]
    [live] = [f for f in findings if f["signal"] == "counter:preload_live_bytes"]
    assert abs(live["figures"]["per_x"] - size) <= SIZE_TOLERANCE * size, live["reason"]
    if lang == "python":
        [rss] = [f for f in findings if f["signal"] == "rss"]
        assert abs(rss["figures"]["slope"] - size) <= SIZE_TOLERANCE * size, rss["reason"]
