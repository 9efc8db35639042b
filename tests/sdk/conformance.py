"""Helpers of the SDK conformance test: the conformance probe of each language as a command, run on a real
pipe (what the SDK writes) or through the real `leakcheck run` (what the harness makes of it)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leakcheck.sdk.locations import ZIG_SDK_PACKAGE, sdk_search_paths

ROOT = Path(__file__).resolve().parents[2]
PROBES = Path(__file__).parent / "probes"
ZIG = ROOT / "scripts" / "zig"
LANGS = ("python", "node", "zig")
# The language's own counters each SDK adds to every tick (Zig adds none: the workload reports its own).
PROCESS_COUNTERS = {"fds", "threads", "rss"}
# Python's tracemalloc counters come only when it traces (off by default).
LANGUAGE_COUNTERS = {"python": {"py_allocated_blocks", "py_gc_objects"} | PROCESS_COUNTERS,
                     "node": {"v8_heap_used", "v8_external", "v8_array_buffers"} | PROCESS_COUNTERS,
                     "zig": PROCESS_COUNTERS}
# The default warm-up (LEAKCHECK_WARMUP unset) of 50 iterations: a tenth, Node a quarter (V8 sizes its heap over
# a run's first iterations: leakcheck-probe/index.js).
WARMUP_OF_50 = {"python": 5, "node": 12, "zig": 5}
# How each SDK reports an error raised in the body at iteration 7 (on stderr, exit status 1).
THROWN_AT_7 = {"python": "RuntimeError: thrown at 7", "node": "Error: thrown at 7",
               "zig": "probe zig.conformance failed: ThrownByConformanceProbe"}


@dataclass(frozen=True)
class ProbeRun:
    returncode: int
    events: list[dict[str, Any]]
    stderr: str
    pid: int

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [event for event in self.events if event["event"] == kind]

    def sequence(self) -> list[str]:
        """Event kinds in order, phases with their name ("phase:measure")."""
        return [f"phase:{e['name']}" if e["event"] == "phase" else e["event"] for e in self.events]


def fresh_interpreter(directory: Path) -> Path:
    """A new venv's python: the user's own interpreter, which has no leakcheck installed."""
    venv.EnvBuilder(with_pip=False, symlinks=True).create(directory)
    return directory / "bin" / "python"


def build_zig_probe(out: Path) -> Path:
    """The Zig conformance probe, built with the project's zig against the SDK package's module."""
    binary = out / "zig-conformance-probe"
    subprocess.run([str(ZIG), "build-exe", "-O", "ReleaseSafe", "-lc", "--dep", "leakcheck_probe",
                    f"-Mroot={PROBES / 'conformance_probe.zig'}",
                    f"-Mleakcheck_probe={ZIG_SDK_PACKAGE / 'src' / 'leakcheck_probe.zig'}",
                    f"-femit-bin={binary}"], cwd=ROOT, check=True, timeout=600, capture_output=True)
    return binary


def probe_commands(python: Path, zig_probe: Path) -> dict[str, list[str]]:
    node = shutil.which("node") or "node"
    return {"python": [str(python), str(PROBES / "conformance_probe.py")],
            "node": [node, "--expose-gc", str(PROBES / "conformance_probe.js")],
            "zig": [str(zig_probe)]}


def probe_environment(**variables: str) -> dict[str, str]:
    """This environment without any LEAKCHECK_* or Python path of ours, plus the SDK search paths alone (as
    the harness gives them) and `variables`."""
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("LEAKCHECK_", "CONFORMANCE_")) and k not in ("PYTHONPATH", "NODE_PATH")}
    return {**base, **sdk_search_paths({}), **variables}


def run_with_pipe(command: list[str], **variables: str) -> ProbeRun:
    read_end, write_end = os.pipe()
    environment = {**probe_environment(**variables), "LEAKCHECK_FD": str(write_end)}
    with subprocess.Popen(command, env=environment, pass_fds=(write_end,), stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True) as process:
        os.close(write_end)
        with os.fdopen(read_end, encoding="utf-8") as events:
            lines = events.read().splitlines()
        stderr = process.stderr.read() if process.stderr else ""
        returncode = process.wait(timeout=60)
    return ProbeRun(returncode, [json.loads(line) for line in lines], stderr, process.pid)


@dataclass(frozen=True)
class Scenario:
    name: str
    env: Mapping[str, str]
    outcome: str


def config_text(commands: Mapping[str, list[str]], scenarios: tuple[Scenario, ...], iterations: int) -> str:
    """One probe per language and scenario, named "<lang>.<scenario>" (in hello too, unless the scenario names
    it otherwise), live_items its exact counter."""
    tables = []
    for scenario in scenarios:
        for lang in LANGS:
            # A pause an iteration: 200 iterations of an empty body take milliseconds, too short to judge.
            variables = {"CONFORMANCE_NAME": f"{lang}.{scenario.name}", "CONFORMANCE_PAUSE_MS": "3",
                         **scenario.env}
            env = ", ".join(f"{key} = {json.dumps(value)}" for key, value in variables.items())
            tables.append(f'[probes."{lang}.{scenario.name}"]\nlang = "{lang}"\n'
                          f"command = {json.dumps(commands[lang])}\n"
                          f"iterations = {{ fast = {iterations} }}\nenv = {{ {env} }}\n"
                          f'exact_counters = ["live_items"]\ntimeout = "60s"\n')
    return "\n".join(tables)


@dataclass(frozen=True)
class CliRun:
    returncode: int
    stdout: str
    stderr: str
    results: dict[str, Any]

    def probe(self, name: str) -> dict[str, Any]:
        return next(p for p in self.results["probes"] if p["name"] == name)


def leakcheck_run(directory: Path, config: str, *args: str) -> CliRun:
    """The real CLI on `config`, from an environment without PYTHONPATH (the checkout goes on sys.path
    inside the harness' process only), so a probe can import nothing of leakcheck but what the runner gives."""
    (directory / "leakcheck.toml").write_text(config)
    results = directory / "results.json"
    bootstrap = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from leakcheck.cli import main; sys.exit(main())"
    command = [sys.executable, "-c", bootstrap, "run", "--config", str(directory / "leakcheck.toml"),
               "--json", str(results), "--run-dir", str(directory / "run"), *args]
    completed = subprocess.run(command, env=probe_environment(), capture_output=True, text=True, timeout=600,
                               check=False)
    assert results.exists(), completed.stderr
    return CliRun(completed.returncode, completed.stdout, completed.stderr, json.loads(results.read_text()))
