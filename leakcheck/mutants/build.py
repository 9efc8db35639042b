"""Building the production library and each mutant with the project's Zig (its cache makes a rebuild of an
unchanged tree take well under a second)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from leakcheck.mutants.catalog import library_path

ZIG = Path("scripts") / "zig"
BUILD_TIMEOUT_S = 1800.0
"""A build from nothing (libpyjamaz and its probes) takes minutes on a 2-core machine."""
ERROR_TAIL_LINES = 30


class BuildError(Exception):
    """A library could not be built; the message names the command and ends with its output."""


def build_command(mutant: str | None) -> list[str]:
    """Production: the default install step (the library and the probe executables the Zig probes run).
    A mutant: the library alone, installed under zig-out/mutants/NAME."""
    if mutant is None:
        return [str(ZIG), "build"]
    return [str(ZIG), "build", "library", f"-Dleak-mutant={mutant}", "-p", f"zig-out/mutants/{mutant}"]


def build_library(root: Path, mutant: str | None) -> Path:
    command = build_command(mutant)
    shown = " ".join(command)
    try:
        completed = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S,
                                   check=False)
    except FileNotFoundError:
        raise BuildError(f"{shown}: {root / ZIG} not found (run scripts/setup.sh)") from None
    except subprocess.TimeoutExpired:
        raise BuildError(f"{shown}: still building after {BUILD_TIMEOUT_S:g} s") from None
    if completed.returncode != 0:
        output = (completed.stderr + completed.stdout).strip().splitlines()[-ERROR_TAIL_LINES:]
        raise BuildError(f"{shown} failed (exit {completed.returncode}):\n" + "\n".join(output))
    library = library_path(root, mutant)
    if not library.is_file():
        raise BuildError(f"{shown} succeeded but {library} is not there")
    return library
