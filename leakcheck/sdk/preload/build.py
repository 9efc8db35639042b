"""Building the preload counter on first use: the system C compiler, into a per-user cache keyed by a hash of
the source, the flags and the compiler, written atomically (a temporary file renamed into place), so that
concurrent runs neither race nor rebuild what one of them already built."""

from __future__ import annotations

import hashlib
import os
import platform
import shlex
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

SOURCE = Path(__file__).resolve().parent / "leakcheck_preload.c"
LIBRARY_NAME = "libleakcheck_preload.so"
DIRECTORY_VARIABLE = "LEAKCHECK_PRELOAD_DIR"
"""Where each process the library is loaded into writes its <pid>.counters file."""
# initial-exec TLS: the per-thread slot index is read on every call, and a preloaded library's TLS is in the
# static block, so the fast model is allowed; hidden visibility keeps every internal symbol out of the
# process's symbol scope (only the interposed functions and leakcheck_preload_counts are exported).
FLAGS = ("-shared", "-fPIC", "-O2", "-std=c11", "-ftls-model=initial-exec", "-fvisibility=hidden",
         "-Wall", "-Wextra", "-pthread")
COMPILE_TIMEOUT_S = 120.0
COMPILER_NAMES = ("cc", "gcc", "clang")


@dataclass(frozen=True)
class Build:
    library: Path | None
    """The built library, None when it could not be had."""
    problem: str = ""
    """Why there is no library (no compiler, a failed compile), "" when there is one."""


_lock = threading.Lock()
_built: dict[tuple[str, ...], Build] = {}


def cache_directory() -> Path:
    """$XDG_CACHE_HOME/leakcheck/preload, else ~/.cache/leakcheck/preload."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "leakcheck" / "preload"


def compiler() -> list[str] | None:
    """$CC when set (a command line), else the first of cc, gcc, clang on PATH."""
    chosen = os.environ.get("CC", "").strip()
    if chosen:
        words = shlex.split(chosen)
        return words if shutil.which(words[0]) else None
    found = next((path for path in map(shutil.which, COMPILER_NAMES) if path), None)
    return [found] if found else None


def build() -> Build:
    """The library for this source and compiler, from the cache or compiled now (once per process)."""
    command = compiler()
    if command is None:
        shown = os.environ.get("CC") or " or ".join(COMPILER_NAMES)
        return Build(None, f"no C compiler ({shown}) to build it: install one (apt-get install -y gcc) or set CC")
    key = (*command, os.environ.get("XDG_CACHE_HOME", ""))
    with _lock:
        if key not in _built:
            _built[key] = _build_with(command)
        return _built[key]


def _build_with(command: list[str]) -> Build:
    try:
        identity = _compiler_identity(command)
        digest = hashlib.sha256(SOURCE.read_bytes())
    except OSError as exc:
        return Build(None, f"cannot read {exc.filename}: {exc.strerror}")
    digest.update("\0".join((*command, identity, *FLAGS, platform.machine())).encode())
    target = cache_directory() / digest.hexdigest()[:20] / LIBRARY_NAME
    if set(str(target)) & set(" :"):
        return Build(None, f"the cache directory {target.parent} has a space or colon, which LD_PRELOAD cannot "
                           "hold: set XDG_CACHE_HOME to a directory without")
    if target.is_file():
        return Build(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        return _compile(command, target)
    except OSError as exc:
        return Build(None, f"cannot write the library under {target.parent}: {exc.strerror or exc}")


def _compiler_identity(command: list[str]) -> str:
    """The compiler's version line: a new compiler gets a library of its own."""
    try:
        completed = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=30,
                                   check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return completed.stdout.splitlines()[0] if completed.stdout else ""


def _compile(command: list[str], target: Path) -> Build:
    descriptor, temporary = tempfile.mkstemp(prefix=".building-", suffix=".so", dir=target.parent)
    os.close(descriptor)
    try:
        try:
            completed = subprocess.run([*command, *FLAGS, "-o", temporary, str(SOURCE)], capture_output=True,
                                       text=True, timeout=COMPILE_TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return Build(None, f"{shlex.join(command)} failed to compile {SOURCE.name}: {exc}")
        if completed.returncode != 0:
            last = (completed.stderr.strip().splitlines() or ["(no message)"])[-1]
            return Build(None, f"{shlex.join(command)} failed to compile {SOURCE.name} "
                               f"(exit {completed.returncode}): {last}")
        problem = _loads(Path(temporary))
        if problem:
            return Build(None, problem)
        os.replace(temporary, target)  # atomic: a concurrent run sees no library or a whole one
        return Build(target)
    finally:
        Path(temporary).unlink(missing_ok=True)


def _loads(library: Path) -> str:
    """"" when a process starts with the library preloaded; else the loader's complaint (e.g. another libc)."""
    try:
        completed = subprocess.run(["/bin/sh", "-c", ":"], env={**os.environ, "LD_PRELOAD": str(library)},
                                   capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"the built library cannot be tried: {exc}"
    if completed.returncode != 0 or completed.stderr.strip():
        return f"the built library does not load: {completed.stderr.strip() or f'exit {completed.returncode}'}"
    return ""


def main() -> int:
    built = build()
    if built.library is None:
        print(f"leakcheck preload counter: {built.problem}", flush=True)
        return 1
    print(built.library)
    return 0
