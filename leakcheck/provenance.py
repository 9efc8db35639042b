"""Where a run's figures come from: commit, dirty tree, machine, tool and library versions, time."""

from __future__ import annotations

import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

from leakcheck.config import Config
from leakcheck.placeholders import UnknownPlaceholder, expand

TOOL_TIMEOUT_S = 10.0


def collect(config: Config) -> dict[str, Any]:
    root = config.root
    commit = _git(root, "rev-parse", "HEAD")
    return {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": commit,
        # Outside a git work tree there is no commit, and no clean or dirty tree either.
        "dirty": bool(_git(root, "status", "--porcelain", "--untracked-files=no")) if commit else None,
        "machine": {"hostname": platform.node(), "platform": platform.platform(), "cpus": os.cpu_count(),
                    "memory_bytes": psutil.virtual_memory().total, "load_1min": os.getloadavg()[0]},
        "versions": {
            "leakcheck": _package_version("leakcheck"),
            "python": platform.python_version(),
            "node": _tool_version([config.placeholders.get("node", "node"), "--version"], root),
            **subject_versions(config),
        },
        "subject": config.subject.name or None,
        "library_path": library_under_test(config),
    }


def library_under_test(config: Config) -> str | None:
    """The build a mutant run points the probes at, else the subject's declared library."""
    if config.mutants is not None and os.environ.get(config.mutants.env):
        return os.environ[config.mutants.env]
    return _expanded(config, config.subject.path) or None


def subject_versions(config: Config) -> dict[str, str | None]:
    """The subject's version, its declared tools' and its Python packages' (as the probes' interpreter sees
    them), each as its command printed it, or None when it could not be had."""
    subject, root = config.subject, config.root
    versions: dict[str, str | None] = {name: _tool_version(_command(config, command), root)
                                       for name, command in subject.tools.items()}
    if subject.version_command:
        versions[subject.name or "subject"] = _tool_version(_command(config, subject.version_command), root)
    python = config.placeholders.get("python", sys.executable)
    for package in subject.packages:
        versions[package] = _tool_version([python, "-c", _PACKAGE_VERSION, package], root)
    return versions


_PACKAGE_VERSION = "import sys, importlib.metadata as m; print(m.version(sys.argv[1]))"


def project_dir(config_dir: Path) -> Path:
    """The git work tree holding the configuration (so test configurations write to the project's
    reports/), else the configuration's own directory."""
    top = _git(config_dir, "rev-parse", "--show-toplevel")
    return Path(top) if top else config_dir


def _command(config: Config, command: Sequence[str]) -> list[str]:
    return [_expanded(config, part) for part in command]


def _expanded(config: Config, text: str) -> str:
    try:
        return expand(text, config.placeholders)
    except UnknownPlaceholder:
        return text  # provenance is best effort: the command then fails and its version is None


def _git(root: Path, *args: str) -> str | None:
    return _run(["git", "-C", str(root), *args])


def _tool_version(command: list[str], cwd: Path | None = None) -> str | None:
    if shutil.which(command[0]) is None and not (cwd or Path.cwd()).joinpath(command[0]).exists():
        return None
    return _run(command, cwd)


def _run(command: list[str], cwd: Path | None = None) -> str | None:
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=TOOL_TIMEOUT_S, check=False,
                                   cwd=cwd)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return completed.stdout.strip() if completed.returncode == 0 else None


def _package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
