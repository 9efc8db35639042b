"""One mutation run on the small real probe suite, shared by the tests that read its score."""

from __future__ import annotations

import pytest

from leakcheck.mutants.run import MutationRun

from .mutation_runs import LIBRARIES, run_suite


@pytest.fixture(scope="session")
def every_probe(tmp_path_factory: pytest.TempPathFactory) -> MutationRun:
    """Every probe against mutants `both` (caught in both languages) and `python-only` (a hole in zig)."""
    run, _ = run_suite(tmp_path_factory.mktemp("every"), LIBRARIES)
    return run
