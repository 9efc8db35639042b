"""The README's probes for a user's own library (examples/): each runs, is judged PASS, and is judged LEAK when
its leak is switched on (EXAMPLE_LEAK=1)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
ZIG = ROOT / "scripts" / "zig"
ZIG_PROBE = EXAMPLES / "zig-out" / "bin" / "zig-probe"
EXPECTED = {"python.strdup", "node.buffer_cache", "zig.buffers"}


@pytest.fixture(scope="module")
def built_zig_probe() -> Path:
    """The build the README gives for the Zig example: `zig build` with the SDK as a build.zig.zon dependency."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    subprocess.run([str(ZIG), "build"], cwd=EXAMPLES, check=True, timeout=600)
    return ZIG_PROBE


def outcomes(run_dir: Path, leak: bool) -> dict[str, str]:
    environment = {**os.environ, "EXAMPLE_LEAK": "1" if leak else "0"}
    subprocess.run([sys.executable, "-m", "leakcheck.cli", "run", "--config", str(EXAMPLES / "leakcheck.toml"),
                    "--run-dir", str(run_dir)], cwd=ROOT, env=environment, capture_output=True, check=False,
                   timeout=600)
    document = json.loads((run_dir / "results.json").read_text())
    return {probe["name"]: probe["outcome"] for probe in document["probes"]}


def test_examples_pass_as_written(built_zig_probe: Path, tmp_path: Path) -> None:
    assert outcomes(tmp_path / "clean", leak=False) == dict.fromkeys(EXPECTED, "PASS")


def test_examples_are_judged_leak_when_they_leak(built_zig_probe: Path, tmp_path: Path) -> None:
    assert outcomes(tmp_path / "leak", leak=True) == dict.fromkeys(EXPECTED, "LEAK")
