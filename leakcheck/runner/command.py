"""A probe's command and environment, with placeholders expanded, or the reason it cannot run here.

Fail closed: a probe that cannot run (an unknown placeholder, a command or interpreter that is not there) is
an ERROR that fails the run; only a missing path the probe declares in `requires` makes it a SKIP.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from leakcheck.config import ProbeSpec
from leakcheck.placeholders import UnknownPlaceholder, expand
from leakcheck.sdk.locations import sdk_search_paths


class CannotRun(Exception):
    """The probe's command cannot be run here: the probe is an ERROR with this reason."""


class RequirementMissing(Exception):
    """A path the probe declares in `requires` is missing: the probe is skipped with this reason."""


def expand_for(probe: ProbeSpec, text: str, where: str) -> str:
    try:
        return expand(text, probe.placeholders)
    except UnknownPlaceholder as exc:
        raise CannotRun(f"{where}: {exc}") from None


def required_paths(probe: ProbeSpec, root: Path) -> list[Path]:
    """The probe's `requires`, expanded, relative ones under `root`."""
    paths = (Path(expand_for(probe, required, "requires")) for required in probe.requires)
    return [path if path.is_absolute() else root / path for path in paths]


def missing_requirements(probe: ProbeSpec, root: Path) -> list[Path]:
    return [path for path in required_paths(probe, root) if not path.exists()]


def probe_command(probe: ProbeSpec, root: Path) -> list[str]:
    command = [expand_for(probe, part, "command") for part in probe.command]
    missing = missing_requirements(probe, root)
    if missing:
        hint = f" (run {probe.setup})" if probe.setup else " (build or install it first)"
        raise RequirementMissing(f"required {missing[0]} does not exist{hint}")
    if resolve_executable(command[0], root) is None:
        raise CannotRun(f"{command[0]} not found (neither on PATH nor under {root})")
    return command


def resolve_executable(name: str, root: Path) -> str | None:
    found = shutil.which(name, path=os.environ.get("PATH"))
    if found is not None:
        return found
    candidate = Path(name) if Path(name).is_absolute() else root / name
    return str(candidate) if candidate.is_file() and os.access(candidate, os.X_OK) else None


def probe_environment(probe: ProbeSpec, *, root: Path, suite: str, iterations: int, seed: int,
                      base: Mapping[str, str]) -> dict[str, str]:
    """The inherited environment (less any LEAKCHECK_* of an outer run), the probe's own, the SDKs' search paths
    (in front of any PYTHONPATH / NODE_PATH of those two) and the parameters."""
    environment = {key: value for key, value in base.items() if not key.startswith("LEAKCHECK_")}
    environment.update({key: expand_for(probe, value, f"env.{key}") for key, value in probe.env.items()})
    environment.update(sdk_search_paths(environment))
    environment.update({"LEAKCHECK_ITERATIONS": str(iterations), "LEAKCHECK_SUITE": suite,
                        "LEAKCHECK_SEED": str(seed), "LEAKCHECK_PROBE": probe.name})
    return environment


TRACEMALLOC_ENV = "LEAKCHECK_TRACEMALLOC"
"""Read by the Python SDK: 1 traces Python allocations (docs/protocol.md)."""


def sdk_options(tracemalloc: bool) -> dict[str, str]:
    """The variables that switch on what the SDKs leave off by default."""
    return {TRACEMALLOC_ENV: "1"} if tracemalloc else {}
