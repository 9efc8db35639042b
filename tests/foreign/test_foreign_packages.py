"""leakcheck on a real published package, installed as a user installs it: the leaky version is LEAK, the fix PASS.

One pair of scripts/foreign_packages.py, run once: ujson 5.12.0, whose ujson.dump() leaks the serialised
payload when the file's write() fails (PYSEC-2026-2293), and 5.12.1, which fixed it. Each version gets
its own venv (kept in $LEAKCHECK_FOREIGN_CACHE, else ~/.cache/leakcheck-foreign) with leakcheck from a
wheel of this work tree, and the probe of tests/foreign/cases/ujson runs at default settings. The
whole matrix (every package, both tools, five runs each) is the script, not this test.
Skipped, saying why, when the package index cannot be reached.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "scripts" / "foreign_packages.py"


def load_script() -> Any:
    spec = importlib.util.spec_from_file_location("foreign_packages", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("foreign_packages", module)
    spec.loader.exec_module(module)
    return module


foreign = load_script()

CASE = "ujson_dump_failing_write"
EXPECTED = {"5.12.0": "LEAK", "5.12.1": "PASS"}


def test_every_case_names_a_declared_probe_and_a_psleak_test() -> None:
    for case in foreign.CASES:
        folder = foreign.CASES_DIR / case.folder
        with (folder / "leakcheck.toml").open("rb") as handle:
            probes = tomllib.load(handle)["probes"]
        assert case.probe in probes, f"{case.probe} is not declared in {folder / 'leakcheck.toml'}"
        assert re.search(rf"def {case.psleak_test}\(", (folder / "psleak_case.py").read_text())
        assert case.name in (foreign.HAND.read_text()), f"hand_measure.py has no {case.name}"
        assert {truth for _, truth in case.versions} <= {"LEAK", "PASS"}


@pytest.fixture(scope="module")
def pair() -> dict[str, dict[str, Any]]:
    try:
        rows = foreign.run_matrix(foreign.default_cache(), foreign.default_python(), runs=1,
                                  selected=[CASE], psleak=False, log=False)
    except foreign.IndexUnreachable as error:
        pytest.skip(f"the package index is unreachable, so ujson 5.12.0 and 5.12.1 cannot be installed: {error}")
    return {row["version"]: row for row in rows}


def test_the_versions_do_what_their_changelog_says(pair: dict[str, dict[str, Any]]) -> None:
    """The case itself, measured without leakcheck: one live block more per call in 5.12.0, none in 5.12.1."""
    assert pair["5.12.0"]["hand"]["blocks_per_call"] >= 0.9, pair["5.12.0"]["hand"]
    assert pair["5.12.1"]["hand"]["blocks_per_call"] <= 0.1, pair["5.12.1"]["hand"]


def test_leaky_version_is_leak_and_fixed_version_pass(pair: dict[str, dict[str, Any]]) -> None:
    verdicts = {version: row["leakcheck"][0]["verdict"] for version, row in pair.items()}
    reasons = {version: row["leakcheck"][0]["reason"] for version, row in pair.items()}
    assert verdicts == EXPECTED, reasons
