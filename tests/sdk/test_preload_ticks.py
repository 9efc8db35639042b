"""Every SDK adds the preload counter's figures of its own process to each tick when leakcheck preloaded
it (docs/protocol.md, "The preload counter"): a body leaking C memory shows in preload_live_blocks and
preload_live_bytes from one tick to the next, a clean one does not, and without the counter they are absent."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conformance import LANGS, PROBES, ROOT, ZIG, leakcheck_run, run_with_pipe

from leakcheck.sdk.locations import ZIG_SDK_PACKAGE
from leakcheck.sdk.preload import build, with_preload

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
ITERATIONS, SIZE = 200, 4096
LEAK_SIZE = {"python": SIZE, "zig": SIZE, "node": 16 * SIZE}
"""Node frees memory of its own during a run, a few hundred KiB at a time (a 4 KiB-a-call leak over 149
iterations grew the figures by only 35,544 B in one CI run): 64 KiB a call keeps that a small share."""
COUNTERS = ("preload_live_blocks", "preload_live_bytes")
LEAK_SEEN = 0.6
"""The share of the leaked bytes the growth must show: the runtime frees memory of its own meanwhile (Node
after gc(): 4,036 B/iter of a 4,096 B leak seen over 179 iterations; with the SDK's event-loop turn before
each tick, 483,376 B over 149 iterations, 79%). A count that missed the leak would show ~0%."""


@pytest.fixture(scope="module")
def library() -> Path:
    built = build()
    if built.library is None:
        pytest.skip(f"the preload counter cannot be built here: {built.problem}")
    return built.library


@pytest.fixture(scope="module")
def commands(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    binary = tmp_path_factory.mktemp("malloc") / "zig-malloc-probe"
    subprocess.run([str(ZIG), "build-exe", "-O", "ReleaseSafe", "-lc", "--dep", "leakcheck_probe",
                    f"-Mroot={PROBES / 'malloc_probe.zig'}",
                    f"-Mleakcheck_probe={ZIG_SDK_PACKAGE / 'src' / 'leakcheck_probe.zig'}",
                    f"-femit-bin={binary}"], cwd=ROOT, check=True, timeout=600, capture_output=True)
    return {"python": [str(ROOT / ".venv" / "bin" / "python"), str(PROBES / "malloc_probe.py")],
            "node": [shutil.which("node") or "node", "--expose-gc", str(PROBES / "malloc_probe.js")],
            "zig": [str(binary)]}


def growth(ticks: list[dict[str, Any]], name: str, warmup: int) -> float:
    """From the tick of the first measured iteration to the last tick."""
    start = next(t for t in ticks if t["i"] == warmup)
    return float(ticks[-1]["counters"][name] - start["counters"][name])


def preloaded(library: Path, directory: Path, **variables: str) -> dict[str, str]:
    directory.mkdir()
    return with_preload({}, library, directory) | variables


@pytest.mark.parametrize("lang", LANGS)
def test_a_c_leak_in_the_body_grows_the_preload_figures_in_every_tick(commands: dict[str, list[str]], lang: str,
                                                                     library: Path, tmp_path: Path) -> None:
    leaking = run_with_pipe(commands[lang], **preloaded(library, tmp_path / "leak", LEAKCHECK_ITERATIONS=str(
        ITERATIONS), MALLOC_PROBE_LEAK=str(LEAK_SIZE[lang])))
    clean = run_with_pipe(commands[lang], **preloaded(library, tmp_path / "clean",
                                                       LEAKCHECK_ITERATIONS=str(ITERATIONS)))
    assert leaking.returncode == 0 and clean.returncode == 0, leaking.stderr + clean.stderr
    warmup = leaking.events[0]["warmup"]
    ticks, clean_ticks = leaking.of("tick"), clean.of("tick")
    assert all(name in t["counters"] for t in (*ticks, *clean_ticks) for name in COUNTERS)
    measured = ITERATIONS - 1 - warmup  # leaking iterations after the first measured tick
    assert growth(ticks, "preload_live_blocks", warmup) >= measured
    assert growth(ticks, "preload_live_bytes", warmup) >= LEAK_SEEN * measured * LEAK_SIZE[lang]
    # A clean body: the runtime's own allocations come and go (tracemalloc's traces, V8's bookkeeping: up to
    # 72 blocks and ~10 B/iter seen over 180 iterations of the Python one; Node with its event-loop turn before
    # each tick, 83,736 B over 149 iterations, ~560 B/iter), well below the leak's 4 KiB/iter.
    assert growth(clean_ticks, "preload_live_bytes", warmup) < measured * SIZE / 4


@pytest.mark.parametrize("lang", LANGS)
def test_without_the_counter_the_ticks_have_no_preload_figures(commands: dict[str, list[str]], lang: str) -> None:
    run = run_with_pipe(commands[lang], LEAKCHECK_ITERATIONS="20")
    assert run.returncode == 0, run.stderr
    assert not any(name in t["counters"] for t in run.of("tick") for name in COUNTERS)


def test_the_figures_reach_the_results_of_leakcheck_run(commands: dict[str, list[str]], library: Path,
                                                        tmp_path: Path) -> None:
    config = "\n".join(f'[probes."{lang}.malloc"]\nlang = "{lang}"\ncommand = {commands[lang]!r}\n'.replace("'", '"')
                       + f'iterations = {{ fast = {ITERATIONS} }}\nenv = {{ MALLOC_PROBE_LEAK = "{SIZE}" }}\n'
                       for lang in LANGS)
    run = leakcheck_run(tmp_path, config)
    for lang in LANGS:
        probe = run.probe(f"{lang}.malloc")
        attempt = probe["attempts"][-1]
        measured = ITERATIONS - 1 - attempt["hello"]["warmup"]
        assert growth(attempt["ticks"], "preload_live_bytes", attempt["hello"]["warmup"]) >= LEAK_SEEN * measured * SIZE
        assert attempt["exit_snapshot"]["preload_live_bytes"] >= ITERATIONS * SIZE  # never freed


def test_python_ticks_leave_the_preload_figures_out_while_tracemalloc_traces(commands: dict[str, list[str]],
                                                                             library: Path, tmp_path: Path) -> None:
    """tracemalloc's own tables are malloc'd and grow with new tracebacks: judged, they would be a leak of the
    instrument, not of the code under test."""
    probe = tmp_path / "traced.py"
    probe.write_text("from leakcheck_probe import run_probe\nrun_probe('python.traced', lambda ctx, i: None)\n")
    run = run_with_pipe([commands["python"][0], str(probe)], **preloaded(library, tmp_path / "counters",
                                                                         LEAKCHECK_ITERATIONS="20",
                                                                         LEAKCHECK_TRACEMALLOC="1"))
    assert run.returncode == 0, run.stderr
    ticks = run.of("tick")
    assert all("py_tracemalloc_current" in t["counters"] for t in ticks)  # it traced (off by default)
    assert not any(name in t["counters"] for t in ticks for name in COUNTERS)
