"""Builds the fixtures once and runs leakcheck's CLI on the fixture configuration."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
CONFIG = FIXTURES / "leakcheck.toml"
LEAKCHECK = Path(sys.executable).parent / "leakcheck"

sys.path.insert(0, str(FIXTURES))
import build as fixture_build  # noqa: E402 — found through the path above

RunLeakcheck = Callable[..., Mapping[str, Any]]


@pytest.fixture(scope="session")
def fixtures_built() -> fixture_build.FixtureBuild:
    if shutil.which("gcc") is None:
        pytest.skip("gcc is needed to build the fixture library")
    return fixture_build.build()


@pytest.fixture(scope="session")
def run_leakcheck(fixtures_built: fixture_build.FixtureBuild,
                  tmp_path_factory: pytest.TempPathFactory) -> RunLeakcheck:
    """`leakcheck run --config tests/fixtures/leakcheck.toml --json ... ARGS` -> the results document."""

    def run(*args: str, config: Path = CONFIG, timeout: float = 900) -> Mapping[str, Any]:
        work = tmp_path_factory.mktemp("leakcheck-run")
        results = work / "results.json"
        command = [str(LEAKCHECK), "run", "--config", str(config), "--json", str(results),
                   "--run-dir", str(work / "runs"), *args]
        completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                                   check=False)
        assert results.exists(), f"no results from {' '.join(command)}:\n{completed.stdout}\n{completed.stderr}"
        document: dict[str, Any] = json.loads(results.read_text())
        assert document["exit_code"] == completed.returncode
        return document

    return run


def by_name(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {probe["name"]: probe for probe in document["probes"]}


def failed_signals(probe: Mapping[str, Any]) -> set[str]:
    findings: Sequence[Mapping[str, Any]] = probe["attempts"][-1]["findings"]
    return {finding["signal"] for finding in findings if finding["failed"]}
