"""The Node binding's optimize() leaves no live malloc memory behind, measured by the preload counter in a
real Node process; and the same measurement catches koffi's per-call leak in `koffi.decode(pointer,
'uint8_t', size)` (koffi 3.3.4 keeps an array type's name for every call, ~18 B), which the binding once
used to copy its output: the binding mutant `koffi-decode` puts it back."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from leakcheck.sdk.preload import DIRECTORY_VARIABLE

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).parent / "probes" / "node_results.js"
CORPUS = ROOT / "zig-out" / "bin" / "pyjamaz-corpus"
BINDING = ROOT / "bindings" / "nodejs"
CALLS = 12000
KOFFI_LEAK_PER_CALL = 18.0
"""Bytes a call that koffi.decode with a length keeps (measured: 18.3-19.5 B a call over 5,000-50,000 calls)."""
LIMIT_PER_CALL = KOFFI_LEAK_PER_CALL / 2
"""Half the leak. V8's background threads hold up to a few hundred KiB of malloc'd memory now and then, so the
lowest readings of two stretches are compared; and the first quarter is left out, where the runtime and the
library still fill their caches (a clean run of 4,000 calls compared over its two halves read 2-4 B a call
locally, and 13 B in a CI run)."""

pytestmark = pytest.mark.skipif(shutil.which("node") is None or not CORPUS.exists()
                                or not (BINDING / "node_modules" / "koffi").exists(),
                                reason="needs node, koffi and the built corpus tool (scripts/setup.sh)")


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus") / "images"
    subprocess.run([str(CORPUS), "--out", str(out), "--seed", "3", "--count", "1", "--kinds", "tiny",
                    "--formats", "jpeg"], check=True, capture_output=True, timeout=120)
    return next(out.glob("*.jpg"))


def _growth_per_call(library: Path, binding: Path, image: Path, tmp_path: Path) -> float:
    """The rise of the lowest live-bytes reading from the run's second quarter to its fourth, per call: a leak
    rises in every stretch alike, what fills up in the first quarter does not, and the runtime's steps of a
    few KiB (up to 22 KiB seen under load) are spread over the 6,000 calls between the two."""
    counters = tmp_path / "counters"
    counters.mkdir()
    env = {**os.environ, "LD_PRELOAD": str(library), DIRECTORY_VARIABLE: str(counters),
           "PYJAMAZ_NODE_BINDING": str(binding)}
    done = subprocess.run(["node", "--expose-gc", str(SCRIPT), str(CALLS), str(image)], env=env,
                          capture_output=True, text=True, timeout=300, check=True)
    live_bytes = [int(line.split()[2]) for line in done.stdout.splitlines()]
    assert len(live_bytes) == 20, done.stdout
    second, fourth = min(live_bytes[5:10]), min(live_bytes[15:])
    return (fourth - second) / (CALLS / 2)


def test_optimize_leaves_no_live_malloc_memory(library: Path, image: Path, tmp_path: Path) -> None:
    assert _growth_per_call(library, BINDING, image, tmp_path) < LIMIT_PER_CALL


def test_koffi_decode_with_a_length_is_caught(library: Path, image: Path, tmp_path: Path) -> None:
    mutant = tmp_path / "binding"
    subprocess.run(["node", str(ROOT / "node" / "probes" / "support" / "binding_mutants.js"), "koffi-decode",
                    str(mutant)], check=True, capture_output=True, timeout=60)
    assert _growth_per_call(library, mutant, image, tmp_path) >= LIMIT_PER_CALL
