"""Building the production library and each mutant with the project's own build commands ([mutants] build
and build_production); the project's build tool decides what a rebuild of an unchanged tree costs."""

from __future__ import annotations

import subprocess
from pathlib import Path

from leakcheck.config import Config
from leakcheck.mutants.catalog import catalogue, expanded, library_path

BUILD_TIMEOUT_S = 1800.0
"""A build from nothing can take minutes on a 2-core machine."""
ERROR_TAIL_LINES = 30


class BuildError(Exception):
    """A library could not be built; the message names the command and ends with its output."""


def build_command(config: Config, mutant: str | None) -> list[str]:
    spec = catalogue(config)
    template = spec.build_production if mutant is None else spec.build
    return [expanded(config, part, mutant) for part in template]


def build_library(config: Config, mutant: str | None) -> Path:
    command = build_command(config, mutant)
    if command:
        _run(command, config.root)
    library = library_path(config, mutant)
    if not library.is_file():
        what = " ".join(command) + " succeeded but" if command else "no build_production command, and"
        raise BuildError(f"{what} {library} is not there")
    return library


def _run(command: list[str], root: Path) -> None:
    shown = " ".join(command)
    try:
        completed = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S,
                                   check=False)
    except OSError as exc:
        raise BuildError(f"{shown}: cannot run {command[0]}: {exc.strerror or exc}") from None
    except subprocess.TimeoutExpired:
        raise BuildError(f"{shown}: still building after {BUILD_TIMEOUT_S:g} s") from None
    if completed.returncode != 0:
        output = (completed.stderr + completed.stdout).strip().splitlines()[-ERROR_TAIL_LINES:]
        raise BuildError(f"{shown} failed (exit {completed.returncode}):\n" + "\n".join(output))
