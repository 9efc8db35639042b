"""Where libpyjamaz.so is found: PYJAMAZ_LIB_PATH, then this repository's build output, then the system."""

from __future__ import annotations

import ctypes.util
import os
from dataclasses import dataclass
from pathlib import Path

from ._errors import LibraryNotFoundError

LIB_PATH_ENV = "PYJAMAZ_LIB_PATH"
LIB_NAME = "libpyjamaz.so"
BUILD_COMMAND = "scripts/zig build"
# bindings/python/pyjamaz/_locate.py -> repository root
REPO_ROOT = Path(__file__).resolve().parents[3]
REPO_BUILD_OUTPUT = REPO_ROOT / "zig-out" / "lib" / LIB_NAME


@dataclass(frozen=True)
class LibraryLocation:
    path: str  # a file path, or a bare name for the system loader
    source: str  # "environment", "build output" or "system"


def locate_library(environ: dict[str, str] | None = None) -> LibraryLocation:
    """The library to load. An explicit PYJAMAZ_LIB_PATH never falls back: a probe run against a
    leak mutant must not silently test the production build instead."""
    env = os.environ if environ is None else environ
    explicit = env.get(LIB_PATH_ENV, "")
    if explicit:
        if not Path(explicit).is_file():
            raise LibraryNotFoundError(f"{LIB_PATH_ENV}={explicit} does not name a file")
        return LibraryLocation(explicit, "environment")
    if REPO_BUILD_OUTPUT.is_file():
        return LibraryLocation(str(REPO_BUILD_OUTPUT), "build output")
    system = ctypes.util.find_library("pyjamaz")
    if system:
        return LibraryLocation(system, "system")
    raise LibraryNotFoundError(not_found_message())


def not_found_message() -> str:
    return (
        f"{LIB_NAME} not found. Looked at: ${LIB_PATH_ENV} (unset), {REPO_BUILD_OUTPUT}, "
        f"and the system library path. Build it with `{BUILD_COMMAND}` in {REPO_ROOT}, "
        f"or set {LIB_PATH_ENV} to the path of a built {LIB_NAME}."
    )


def load_failure_message(location: LibraryLocation, reason: str) -> str:
    return f"{location.path} (from {location.source}) could not be loaded: {reason}"
