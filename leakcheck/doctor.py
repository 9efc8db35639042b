"""What the selected probes need, probe by probe: each command and interpreter, the SDK in that interpreter,
`--expose-gc` for Node, the paths they require, and the tools that dump stacks of a crash or a hang; each
found or missing, with the line that installs or fixes it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from leakcheck.config import ProbeSpec
from leakcheck.runner.command import (
    CannotRun,
    expand_for,
    missing_requirements,
    probe_environment,
    required_paths,
    resolve_executable,
)
from leakcheck.sdk import preload

TOOL_TIMEOUT_S = 15.0
PYTHON_SDK_CHECK = "import leakcheck_probe; print(leakcheck_probe.__file__)"
NODE_SDK_CHECK = "console.log(require.resolve('leakcheck-probe'))"


@dataclass(frozen=True)
class DoctorFinding:
    name: str
    needed_by: str
    found: bool
    detail: str
    """What was found (a path, a version), or what is wrong."""
    install: str
    """How to get or fix it."""
    required: bool = True


@dataclass(frozen=True)
class _Check:
    name: str
    found: bool
    detail: str
    install: str
    required: bool = True


def diagnose(probes: Sequence[ProbeSpec], root: Path) -> list[DoctorFinding]:
    """One finding per distinct requirement, naming the probes that need it (the first probe's result
    stands for all of them: the same interpreter is checked once)."""
    users: dict[tuple[str, str], list[str]] = {}
    checks: dict[tuple[str, str], _Check] = {}
    for probe in probes:
        for check in _probe_checks(probe, root):
            key = (check.name, check.detail if not check.found else "")
            checks.setdefault(key, check)
            users.setdefault(key, []).append(probe.name)
    for check, langs in _stack_tools({probe.lang for probe in probes}):
        checks[(check.name, "")] = check
        users[(check.name, "")] = [p.name for p in probes if p.lang in langs]
    preloaded = [probe.name for probe in probes if probe.preload]
    if preloaded:
        check = _preload_check()
        checks[(check.name, "")] = check
        users[(check.name, "")] = preloaded
    return [DoctorFinding(c.name, _needed_by(users[key]), c.found, c.detail, c.install, c.required)
            for key, c in checks.items()]


def _needed_by(names: list[str]) -> str:
    unique = sorted(set(names))
    return ", ".join(unique) if len(unique) <= 3 else f"{len(unique)} probes"


def _probe_checks(probe: ProbeSpec, root: Path) -> Iterator[_Check]:
    try:
        command = [expand_for(probe, part, "command") for part in probe.command]
        environment = probe_environment(probe, root=root, suite="fast", iterations=1, seed=0, base=os.environ)
        missing = missing_requirements(probe, root)
    except CannotRun as exc:
        yield _Check(f"{probe.name}: configuration", False, str(exc), "fix the placeholder in the configuration")
        return
    executable = resolve_executable(command[0], root)
    yield _Check(f"command {command[0]}", executable is not None, executable or f"{command[0]} not found",
                 _install_hint(probe, command[0]))
    for path in required_paths(probe, root):
        shown = _relative(path, root)
        yield (_Check(f"required {shown}", False, "does not exist",
                      probe.setup or "build or install it (the probe declares it in requires)")
               if path in missing else _Check(f"required {shown}", True, "exists", ""))
    if executable is not None and probe.lang == "python":
        yield _sdk_check("Python SDK (import leakcheck_probe)", [executable, "-c", PYTHON_SDK_CHECK], environment, root)
    if executable is not None and probe.lang == "node":
        yield _sdk_check("Node SDK (require('leakcheck-probe'))", [executable, "-e", NODE_SDK_CHECK], environment, root)
        yield _Check("node --expose-gc", "--expose-gc" in command,
                     "in the command" if "--expose-gc" in command else f"{probe.name}'s command lacks it",
                     'add "--expose-gc" after {node}: the SDK forces collection before every tick', required=False)


def _relative(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def _install_hint(probe: ProbeSpec, executable: str) -> str:
    if probe.lang == "python":
        return (f"{executable}: make that interpreter (python3 -m venv ...) or set python = \"...\" for the probe "
                "or the whole configuration")
    if probe.lang == "node":
        return "apt-get install -y nodejs, or set node = \"...\" in the configuration"
    return probe.setup or f"build or install {executable}"


def _sdk_check(name: str, command: list[str], environment: dict[str, str], root: Path) -> _Check:
    found, output = _command_output(command, root, environment)
    return _Check(name, found, output or ("found" if found else "not found"),
                  "leakcheck puts its SDK on every probe's path; this installation lacks it: reinstall leakcheck",
                  required=False)


def _stack_tools(languages: set[str]) -> Iterator[tuple[_Check, set[str]]]:
    """What dumps the stacks of a hung or crashed probe (py-spy for Python, gdb for every process), with the
    languages whose probes it serves."""
    if "python" in languages:
        beside = Path(sys.executable).parent / "py-spy"
        py_spy = str(beside) if beside.exists() else shutil.which("py-spy")
        yield (_Check("py-spy (Python stacks of a hang)", py_spy is not None, py_spy or "not found",
                      f"{Path(sys.executable).parent / 'pip'} install 'py-spy>=0.3.14,<1'", required=False), {"python"})
    gdb = shutil.which("gdb")
    yield (_Check("gdb (native stacks of a crash or hang)", gdb is not None, gdb or "not found",
                  "apt-get install -y gdb", required=False), languages)


def _preload_check() -> _Check:
    """The preload counter (leakcheck.sdk.preload): built now if it is not in the cache yet. Not required: a
    probe runs without it, with a note on its result."""
    built = preload.build()
    return _Check("preload counter (LD_PRELOAD malloc counter)", built.library is not None,
                  str(built.library) if built.library is not None else built.problem,
                  "without it, probes run uncounted (a note on each result)",
                  required=False)


def _command_output(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[bool, str]:
    try:
        completed = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                                   timeout=TOOL_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, str(exc)
    lines = (completed.stdout.strip() or completed.stderr.strip()).splitlines()
    return completed.returncode == 0, lines[-1] if lines else ""
