"""The foreign-subjects matrix, once (README.md here): every cell's verdict is its truth, or INCONCLUSIVE with
its reason; never a PASS on a leak nor a LEAK on a plateau. The 20 repeats: `python tests/subjects/matrix.py
--runs 20`."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from .matrix import ROOT, Cell, Verdict, build, cells, run_matrix

CELLS = cells()
KNOWN_WRONG = {
    # A leak of 4 KiB on every 100th call, in a 200-call run through an SDK: one or two leaked blocks in the
    # measure phase, below the resolution of every rule (RSS: under its 256 KiB threshold; the segment rule
    # needs growth in each fifth), so nothing escalates it and it comes out PASS.
    "python.python_sdk_leak_every_100_200", "node.node_sdk_leak_every_100_200",
    # The same at 2,000 calls, through either SDK: 13-18 leaked blocks, 52-72 KiB, in the measure phase: the preload
    # figures rise in every segment but stay within the allowance (64 blocks, 64 KiB: V8's own growth, and
    # libvips' caches filling in libpyjamaz's Zig probes), and RSS rises by +44 KiB, under its 256 KiB threshold.
    # Calling growth within the allowance borderline (a 4x run passes it) caught it, but the same rule escalated
    # libpyjamaz's clean probes into the stretch where libvips' caches still fill (node.gc_verification +128 KiB
    # over 345 iterations, zig.file_memory +119 blocks over 1,499): false LEAKs. The allowance stays; this
    # leak, 41 B a call on average, is below it at 2,000 calls (caught at 8,000).
    "python.python_sdk_leak_every_100_2000", "node.node_sdk_leak_every_100_2000",
}
KNOWN_FLAKY = {
    # Clean or bounded, from a plain Node loop (no SDK, no ticks: judged by the scaling of end-of-run RSS across
    # escalation's runs). Nothing forces a collection, so V8's heap at a run's end grows with the run's length;
    # usually not confirmed (INCONCLUSIVE, allowed), but in a CI run on a machine loaded by a pressure run every
    # step grew: "RSS at the end of a run: 7.86 MiB after 32,000 iterations, 9.91 MiB after 128,000 (+2.05 MiB,
    # +22 B/iter)" for clean_2000, a false LEAK. A plain loop's end-of-run RSS is not yet a signal for Node.
    "node.node_plain_clean_200", "node.node_plain_clean_2000", "node.node_plain_cache_200", "node.node_plain_cache_2000",
}
NODE_MODULES = ROOT / "bindings" / "nodejs" / "node_modules" / "koffi"


@pytest.fixture(scope="module")
def verdicts() -> dict[str, Verdict]:
    if shutil.which("gcc") is None:
        pytest.skip("gcc is needed to build the foreign subject")
    build()
    leakcheck = [str(Path(sys.executable).parent / "leakcheck")]
    return {v.cell.name: v for v in run_matrix(CELLS, leakcheck)}


def _param(cell: Cell) -> Any:
    if cell.name in KNOWN_WRONG:
        return pytest.param(cell, marks=pytest.mark.xfail(reason="below resolution: see KNOWN_WRONG"))
    if cell.name in KNOWN_FLAKY:
        return pytest.param(cell, marks=pytest.mark.xfail(reason="a false LEAK now and then: see KNOWN_FLAKY"))
    return cell


@pytest.mark.parametrize("cell", [_param(cell) for cell in CELLS], ids=[cell.name for cell in CELLS])
def test_the_verdict_is_the_truth_or_says_it_cannot_tell(verdicts: dict[str, Verdict], cell: Cell) -> None:
    if cell.style.startswith("node") and not NODE_MODULES.exists():
        pytest.skip("koffi is not installed (scripts/setup.sh installs bindings/nodejs)")
    verdict = verdicts[cell.name]
    assert verdict.grade != "wrong", f"{cell.name} (truth {cell.truth}): {verdict.outcome}: {verdict.reason}"
    if verdict.grade == "inconclusive":
        assert "iterations" in verdict.reason or "samples" in verdict.reason, verdict.reason
