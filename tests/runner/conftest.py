"""The `leakcheck` fixture: runs the real CLI on a configuration written for the test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from runner_cli import CliRun, run_leakcheck


@pytest.fixture
def leakcheck(tmp_path: Path) -> Callable[..., CliRun]:
    def run(config_text: str, *args: str, timeout: float = 120) -> CliRun:
        return run_leakcheck(tmp_path, config_text, *args, timeout=timeout)
    return run
