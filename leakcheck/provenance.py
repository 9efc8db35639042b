"""Where a run's figures come from: commit, dirty tree, machine, tool and library versions, time."""

from __future__ import annotations

import ctypes
import datetime as dt
import os
import platform
import shutil
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

TOOL_TIMEOUT_S = 10.0


def collect(root: Path) -> dict[str, Any]:
    return {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": _git(root, "rev-parse", "HEAD"),
        "dirty": bool(_git(root, "status", "--porcelain", "--untracked-files=no")),
        "machine": {"hostname": platform.node(), "platform": platform.platform(), "cpus": os.cpu_count(),
                    "memory_bytes": psutil.virtual_memory().total, "load_1min": os.getloadavg()[0]},
        "versions": {
            "leakcheck": _package_version("leakcheck"),
            "python": platform.python_version(),
            "node": _tool_version(["node", "--version"]),
            "zig": _tool_version([str(root / "scripts" / "zig"), "version"]),
            "libvips": _tool_version(["pkg-config", "--modversion", "vips"]),
            "libpyjamaz": libpyjamaz_version(root),
        },
        "library_path": os.environ.get("PYJAMAZ_LIB_PATH") or str(root / "zig-out" / "lib" / "libpyjamaz.so"),
    }


def project_dir(config_dir: Path) -> Path:
    """The git work tree holding the configuration (so test configurations write to the project's
    reports/), else the configuration's own directory."""
    top = _git(config_dir, "rev-parse", "--show-toplevel")
    return Path(top) if top else config_dir


def libpyjamaz_version(root: Path) -> str | None:
    """pyjamaz_version() of the library the probes will load (PYJAMAZ_LIB_PATH or the repository build)."""
    path = os.environ.get("PYJAMAZ_LIB_PATH") or str(root / "zig-out" / "lib" / "libpyjamaz.so")
    if not Path(path).is_file():
        return None
    try:
        library = ctypes.CDLL(path)
        library.pyjamaz_version.restype = ctypes.c_char_p
        version: bytes = library.pyjamaz_version()
        return version.decode()
    except (OSError, AttributeError):
        return None


def _git(root: Path, *args: str) -> str | None:
    return _run(["git", "-C", str(root), *args])


def _tool_version(command: list[str]) -> str | None:
    if shutil.which(command[0]) is None and not Path(command[0]).exists():
        return None
    return _run(command)


def _run(command: list[str]) -> str | None:
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=TOOL_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return completed.stdout.strip() if completed.returncode == 0 else None


def _package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
