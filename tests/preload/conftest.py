"""The preload counter's tests: the library as leakcheck builds it, and a C program with one allocation
pattern per mode (probes/allocations.c) that prints its live blocks and bytes before and after."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from leakcheck.sdk.preload import build

PROBES = Path(__file__).parent / "probes"


@pytest.fixture(scope="session")
def library() -> Path:
    built = build()
    if built.library is None:
        pytest.skip(f"the preload counter cannot be built here: {built.problem}")
    return built.library


@pytest.fixture(scope="session")
def allocations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    binary = tmp_path_factory.mktemp("allocations") / "allocations"
    subprocess.run(["cc", "-O1", "-Wall", "-o", str(binary), str(PROBES / "allocations.c"), "-pthread"],
                   check=True, capture_output=True, timeout=120)
    return binary
