"""A probe's command and environment, with placeholders expanded, or the reason it cannot run here."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from leakcheck.config import ProbeSpec


class CannotRun(Exception):
    """A toolchain or file the probe needs is missing: the probe is skipped with this reason."""


@dataclass(frozen=True)
class Placeholders:
    root: Path

    def values(self) -> dict[str, str | None]:
        return {"python": sys.executable, "node": shutil.which("node"), "root": str(self.root),
                "zig_out": str(self.root / "zig-out")}

    def expand(self, text: str) -> str:
        for name, value in self.values().items():
            token = "{" + name + "}"
            if token in text:
                if value is None:
                    raise CannotRun(f"{name} is not installed (not found on PATH)")
                text = text.replace(token, value)
        return text


def probe_command(probe: ProbeSpec, root: Path) -> list[str]:
    placeholders = Placeholders(root)
    for required in probe.requires:
        path = Path(placeholders.expand(required))
        path = path if path.is_absolute() else root / path
        if not path.exists():
            raise CannotRun(f"{path} does not exist (build it first, e.g. scripts/zig build)")
    command = [placeholders.expand(part) for part in probe.command]
    if shutil.which(command[0], path=os.environ.get("PATH")) is None and not (root / command[0]).exists():
        raise CannotRun(f"{command[0]} is not installed (not found on PATH)")
    return command


def probe_environment(probe: ProbeSpec, *, root: Path, suite: str, iterations: int, seed: int,
                      base: Mapping[str, str]) -> dict[str, str]:
    """The inherited environment (less any LEAKCHECK_* of an outer run), the probe's own, and the parameters."""
    placeholders = Placeholders(root)
    environment = {key: value for key, value in base.items() if not key.startswith("LEAKCHECK_")}
    environment.update({key: placeholders.expand(value) for key, value in probe.env.items()})
    environment.update({"LEAKCHECK_ITERATIONS": str(iterations), "LEAKCHECK_SUITE": suite,
                        "LEAKCHECK_SEED": str(seed), "LEAKCHECK_PROBE": probe.name})
    return environment
