"""The foreign-subjects matrix, once (README.md here): every cell's verdict is its truth, or INCONCLUSIVE with
its reason; never a PASS on a leak nor a LEAK on a plateau. The 20 repeats: `python tests/subjects/matrix.py
--runs 20`."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from .matrix import ROOT, Cell, Verdict, build, cells, run_matrix

CELLS = cells()
KNOWN_WRONG = {
    # A leak of 4 KiB on every 100th call, in a 200-call run through an SDK: one or two leaked blocks in the
    # measure phase, below the resolution of every rule (RSS: under its 256 KiB threshold; the segment rule
    # needs growth in each fifth), so nothing escalates it and it comes out PASS. The 2,000-call cells catch it.
    "python.python_sdk_leak_every_100_200", "node.node_sdk_leak_every_100_200",
    # The same through Node at 2,000 calls: 13 leaked blocks, 52 KiB, in the measure phase, under V8's own
    # allowance of 64 KiB for the preload figures and RSS's 256 KiB; PASS in 3 of 4 runs seen. Calling growth
    # within the allowance borderline (a 4x run passes it) caught it, but the same rule escalated libpyjamaz's
    # clean probes into the stretch where libvips' caches still fill (node.gc_verification +128 KiB over 345
    # iterations), a false LEAK: the allowance stays, and this cell is below it.
    "node.node_sdk_leak_every_100_2000",
}
NODE_MODULES = ROOT / "bindings" / "nodejs" / "node_modules" / "koffi"


@pytest.fixture(scope="module")
def verdicts() -> dict[str, Verdict]:
    if shutil.which("gcc") is None:
        pytest.skip("gcc is needed to build the foreign subject")
    build()
    leakcheck = [str(Path(sys.executable).parent / "leakcheck")]
    return {v.cell.name: v for v in run_matrix(CELLS, leakcheck)}


@pytest.mark.parametrize("cell", [pytest.param(cell, marks=pytest.mark.xfail(reason="below resolution: see KNOWN_WRONG"))
                                  if cell.name in KNOWN_WRONG else cell for cell in CELLS],
                         ids=[cell.name for cell in CELLS])
def test_the_verdict_is_the_truth_or_says_it_cannot_tell(verdicts: dict[str, Verdict], cell: Cell) -> None:
    if cell.style.startswith("node") and not NODE_MODULES.exists():
        pytest.skip("koffi is not installed (scripts/setup.sh installs bindings/nodejs)")
    verdict = verdicts[cell.name]
    assert verdict.grade != "wrong", f"{cell.name} (truth {cell.truth}): {verdict.outcome}: {verdict.reason}"
    if verdict.grade == "inconclusive":
        assert "iterations" in verdict.reason or "samples" in verdict.reason, verdict.reason
