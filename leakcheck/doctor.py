"""What the selected probes need (toolchains, libraries, stack-dump tools), each found or missing with the
command that installs it."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from leakcheck.config import ProbeSpec
from leakcheck.runner.command import Placeholders

TOOL_TIMEOUT_S = 15.0
Probe = Callable[[Path], tuple[bool, str]]


@dataclass(frozen=True)
class Requirement:
    name: str
    languages: frozenset[str]
    """Languages whose probes need it; empty: every probe."""
    probe: Probe
    install: str
    required: bool = True


@dataclass(frozen=True)
class DoctorFinding:
    name: str
    needed_by: str
    found: bool
    detail: str
    install: str
    required: bool


def _command_output(command: list[str], cwd: Path) -> tuple[bool, str]:
    if shutil.which(command[0]) is None and not (cwd / command[0]).exists():
        return False, f"{command[0]} not found"
    try:
        completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=TOOL_TIMEOUT_S,
                                   check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, str(exc)
    text = (completed.stdout.strip() or completed.stderr.strip()).splitlines()
    return completed.returncode == 0, text[0] if text else ""


def _module(name: str) -> Probe:
    def probe(root: Path) -> tuple[bool, str]:
        spec = importlib.util.find_spec(name)
        return spec is not None, (spec.origin or name) if spec else f"python module {name} not importable"
    return probe


def _file(relative: str) -> Probe:
    def probe(root: Path) -> tuple[bool, str]:
        path = root / relative
        return path.exists(), str(path)
    return probe


def _koffi(root: Path) -> tuple[bool, str]:
    return _command_output(["node", "-e", "console.log(require.resolve('koffi'))"], root / "bindings" / "nodejs")


REQUIREMENTS = (
    Requirement("python", frozenset({"python"}), lambda root: (True, sys.version.split()[0]),
                "install Python 3.11+"),
    Requirement("cffi", frozenset({"python"}), _module("cffi"), ".venv/bin/pip install 'cffi>=1.16,<3'"),
    Requirement("py-spy", frozenset({"python"}), lambda root: _command_output(
        [str(Path(sys.executable).parent / "py-spy"), "--version"], root),
        ".venv/bin/pip install 'py-spy>=0.3.14,<1'", required=False),
    Requirement("node", frozenset({"node"}), lambda root: _command_output(["node", "--version"], root),
                "apt-get install -y nodejs"),
    Requirement("koffi", frozenset({"node"}), _koffi, "cd bindings/nodejs && npm ci"),
    Requirement("zig", frozenset({"zig"}), lambda root: _command_output(["scripts/zig", "version"], root),
                ".venv/bin/pip install ziglang==0.15.2  (or: bash scripts/setup.sh)"),
    Requirement("libvips", frozenset(), lambda root: _command_output(["pkg-config", "--modversion", "vips"], root),
                "apt-get install -y libvips-dev libvips-tools pkg-config"),
    Requirement("gdb", frozenset(), lambda root: _command_output(["gdb", "--version"], root),
                "apt-get install -y gdb", required=False),
)


def checks_for(probes: Sequence[ProbeSpec], root: Path) -> list[tuple[Requirement, list[str]]]:
    """The requirements the probes need, each with the probes that need it (their own `requires` too)."""
    languages = {probe.lang for probe in probes}
    needed = [(req, sorted(p.name for p in probes if not req.languages or p.lang in req.languages))
              for req in REQUIREMENTS if not req.languages or req.languages & languages]
    users_of_path: dict[str, list[str]] = {}
    placeholders = Placeholders(root)
    for probe in probes:
        for required in probe.requires:
            relative = placeholders.expand(required).removeprefix(str(root) + "/")
            users_of_path.setdefault(relative, []).append(probe.name)
    for relative, users in users_of_path.items():
        needed.append((Requirement(relative, frozenset(), _file(relative), _install_hint(relative)), users))
    return [(req, users) for req, users in needed if users]


def _install_hint(path: str) -> str:
    if "node_modules" in path:
        return "cd bindings/nodejs && npm ci"
    if "zig-out" in path:
        return "scripts/zig build"
    return "bash scripts/setup.sh"


def run_checks(checks: Sequence[tuple[Requirement, list[str]]], root: Path) -> list[DoctorFinding]:
    findings = []
    for requirement, users in checks:
        found, detail = requirement.probe(root)
        needed_by = ", ".join(users) if len(users) <= 3 else f"{len(users)} probes"
        findings.append(DoctorFinding(requirement.name, needed_by, found, detail, requirement.install,
                                      requirement.required))
    return findings
