"""Runs every Python probe against every injected leak (libpyjamaz leak mutants and Python-side leaks
put into a copy of the binding) and prints which probe caught which leak, by which failed check.

    .venv/bin/python bindings/python/tests/memory/leak_matrix.py [--suite fast] [--probes a,b] [--leaks x,y]

The native mutants must be built first (scripts/zig build -Dleak-mutant=NAME -p zig-out/mutants/NAME).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_leaks import PYTHON_LEAKS, copy_binding_with_leak

from leakcheck.config import ProbeSpec, load_config
from leakcheck.sdk.locations import sdk_search_paths

MEMORY_DIR = Path(__file__).resolve().parent
REPO_ROOT = MEMORY_DIR.parents[3]
PROBES = (
    "ctypes_memory",
    "cffi_memory",
    "gc_verification",
    "error_recovery",
    "buffer_memory",
    "memory_pressure",
    "lifecycle",
    "concurrency",
)
NATIVE_LEAKS = ("result-buffer", "losing-candidates", "vips-unref", "error-message", "file-descriptor")
PRODUCTION_LIBRARY = REPO_ROOT / "zig-out" / "lib" / "libpyjamaz.so"


@dataclass(frozen=True)
class ProbeOutcome:
    returncode: int
    failed_checks: tuple[str, ...]
    seconds: float
    stderr_tail: str
    done: bool

    @property
    def caught(self) -> bool:
        return self.returncode != 0

    def describe(self) -> str:
        if self.returncode == 0:
            return "passed"
        if self.returncode < 0:
            return f"crashed (signal {-self.returncode})"
        if self.failed_checks:
            return "failed: " + ", ".join(self.failed_checks)
        return f"exit {self.returncode}, no failed check" + ("" if self.done else ", no done event")


def declared_probes(suite: str) -> dict[str, ProbeSpec]:
    """The Python probes in `suite` as [tool.leakcheck] in pyproject.toml declares them."""
    config = load_config(REPO_ROOT / "pyproject.toml")
    return {
        spec.name.removeprefix("python."): spec
        for spec in config.probes
        if spec.lang == "python" and spec.in_suite(suite)
    }


def run_probe_process(probe: str, env: dict[str, str], timeout: float = 600) -> ProbeOutcome:
    read_end, write_end = os.pipe()
    command = [sys.executable, str(MEMORY_DIR / f"{probe}.py")]
    started = time.monotonic()
    with (
        tempfile.TemporaryFile(mode="w+") as stderr,
        subprocess.Popen(
            command,
            env={**env, **sdk_search_paths(env), "LEAKCHECK_FD": str(write_end)},  # as `leakcheck run` does
            pass_fds=(write_end,),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            cwd=REPO_ROOT,
        ) as process,
    ):
        os.close(write_end)
        with os.fdopen(read_end, encoding="utf-8") as pipe:
            events = [json.loads(line) for line in pipe if line.strip()]
        returncode = process.wait(timeout=timeout)
        stderr.seek(0)
        tail = stderr.read()[-600:]
    failed = tuple(e["name"] for e in events if e["event"] == "check" and not e["ok"])
    done = any(e["event"] == "done" for e in events)
    return ProbeOutcome(returncode, failed, time.monotonic() - started, tail, done)


def leak_environment(leak: str, workdir: Path) -> dict[str, str]:
    env: dict[str, Any] = {**os.environ}
    if leak == "none":
        env["PYJAMAZ_LIB_PATH"] = str(PRODUCTION_LIBRARY)
    elif leak in NATIVE_LEAKS:
        library = REPO_ROOT / "zig-out" / "mutants" / leak / "lib" / "libpyjamaz.so"
        if not library.is_file():
            raise SystemExit(
                f"{library} is missing: scripts/zig build -Dleak-mutant={leak} -p zig-out/mutants/{leak}"
            )
        env["PYJAMAZ_LIB_PATH"] = str(library)
    else:
        env["PYJAMAZ_LIB_PATH"] = str(PRODUCTION_LIBRARY)
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(copy_binding_with_leak(leak, workdir)), env.get("PYTHONPATH")])
        )
    return env


def summary_table(outcomes: dict[tuple[str, str], ProbeOutcome], probes: list[str], leaks: list[str]) -> str:
    """Markdown: one row per probe, one column per injected leak, each cell the signal that caught it."""
    lines = ["| probe | " + " | ".join(leaks) + " |", "|---" * (len(leaks) + 1) + "|"]
    for probe in probes:
        cells = []
        for leak in leaks:
            outcome = outcomes[(probe, leak)]
            if leak == "none":
                cells.append("pass" if not outcome.caught else "FAIL: " + outcome.describe())
            else:
                cells.append(_signals(outcome) if outcome.caught else "not caught")
        lines.append(f"| {probe} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _signals(outcome: ProbeOutcome) -> str:
    if outcome.failed_checks:
        return ", ".join(name.removesuffix("_growth") for name in outcome.failed_checks)
    return outcome.describe()


def holes(outcomes: dict[tuple[str, str], ProbeOutcome], probes: list[str], leaks: list[str]) -> list[str]:
    """What makes the suite untrustworthy: a clean run that fails, a leak no probe catches, a probe that
    catches no leak."""
    found = [
        f"{p} fails on the production library"
        for p in probes
        if "none" in leaks and outcomes[(p, "none")].caught
    ]
    injected = [leak for leak in leaks if leak != "none"]
    found += [
        f"no probe catches {leak}" for leak in injected if not any(outcomes[(p, leak)].caught for p in probes)
    ]
    if injected:
        found += [
            f"{p} catches no injected leak"
            for p in probes
            if not any(outcomes[(p, x)].caught for x in injected)
        ]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--suite", default="fast", help="iterations of this suite, from [tool.leakcheck]")
    parser.add_argument("--iterations", type=int, default=None, help="LEAKCHECK_ITERATIONS for every probe")
    parser.add_argument("--probes", default=",".join(PROBES))
    parser.add_argument("--leaks", default=",".join(("none", *NATIVE_LEAKS, *PYTHON_LEAKS)))
    args = parser.parse_args(argv)
    probes, leaks = args.probes.split(","), args.leaks.split(",")
    known_leaks = ("none", *NATIVE_LEAKS, *PYTHON_LEAKS)
    unknown = [p for p in probes if p not in PROBES] + [x for x in leaks if x not in known_leaks]
    if unknown:
        parser.error(f"unknown probe or leak: {', '.join(unknown)}")
    declared = declared_probes(args.suite)
    outcomes: dict[tuple[str, str], ProbeOutcome] = {}
    with tempfile.TemporaryDirectory(prefix="leak-matrix-") as workdir:
        for leak in leaks:
            leak_env = leak_environment(leak, Path(workdir) / leak)
            for probe in probes:
                spec = declared[probe]
                iterations = args.iterations or spec.iterations_for(args.suite)
                env = {**leak_env, **spec.env, "LEAKCHECK_ITERATIONS": str(iterations)}
                if int(env.get("LEAKCHECK_WARMUP", 0)) >= iterations:
                    env.pop("LEAKCHECK_WARMUP")
                outcome = outcomes[(probe, leak)] = run_probe_process(probe, env)
                print(f"{probe:16} {leak:18} {outcome.seconds:6.1f}s  {outcome.describe()}", flush=True)
                if outcome.returncode < 0 or (outcome.caught and not outcome.failed_checks):
                    print("    " + outcome.stderr_tail.strip().replace("\n", "\n    "), flush=True)
    print(summary_table(outcomes, probes, leaks))
    problems = holes(outcomes, probes, leaks)
    for problem in problems:
        print(f"HOLE: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
