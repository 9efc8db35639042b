"""Fault injection: N `leakcheck run`s at once against one reports directory, M probes each (some leave a
setsid grandchild behind), while probes are SIGKILLed and runs get SIGTERM or SIGKILL at random, and corrupt
results files are dropped among the runs. Then: every run that wrote results is in `leakcheck history`, no
process of any run is left, no traceback was printed.

    .venv/bin/python scripts/abuse_bench.py --runs 6 --probes 4 --seed 1
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

PROBE = """\
import os, subprocess, sys, time
if int(sys.argv[1]) % 2:  # every other probe leaves a grandchild in a session of its own
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True)
for i in range(int(sys.argv[2])):
    print(f"iteration {i}", flush=True)
    time.sleep(0.05)
"""
CORRUPT = [b'{"schema": "leakcheck.run", "probes": [', b"\x00\xff not json", b"[]", b'{"schema": "other"}']


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--probes", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the project directory (its path is printed)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    project = Path(tempfile.mkdtemp(prefix="leakcheck-abuse-"))
    (project / "probe.py").write_text(PROBE)
    (project / "leakcheck.toml").write_text("".join(
        f'[probes."native.p{n}"]\nlang = "native"\ncommand = ["{{python}}", "probe.py", "{n}", "{rng.randint(10, 40)}"]\n'
        "iterations = 1\n" for n in range(args.probes)))
    leakcheck = [sys.executable, "-m", "leakcheck.cli"]
    runs = [subprocess.Popen([*leakcheck, "run"], cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            for _ in range(args.runs)]
    seen: dict[int, float] = {}
    kills = {"probe SIGKILL": 0, "leakcheck SIGTERM": 0, "leakcheck SIGKILL": 0}
    corrupt = 0
    while any(run.poll() is None for run in runs):
        for run in runs:
            for process in _descendants(run.pid):
                seen.setdefault(process.pid, process.create_time())
        live = [run for run in runs if run.poll() is None]
        roll = rng.random()
        if roll < 0.15:
            probes = [p for run in live for p in _descendants(run.pid) if "probe.py" in " ".join(_cmdline(p))]
            if probes:
                _kill(rng.choice(probes).pid, signal.SIGKILL)
                kills["probe SIGKILL"] += 1
        elif roll < 0.20 and live:
            sig = rng.choice([signal.SIGTERM, signal.SIGKILL])
            _kill(rng.choice(live).pid, sig)
            kills[f"leakcheck {sig.name}"] += 1
        elif roll < 0.25:
            broken = project / "reports" / "runs" / f"00000000T00000{corrupt}Z-corrupt"
            broken.mkdir(parents=True, exist_ok=True)
            (broken / "results.json").write_bytes(CORRUPT[corrupt % len(CORRUPT)])
            corrupt += 1
        time.sleep(0.1)
    outputs = [run.stdout.read().decode(errors="replace") if run.stdout else "" for run in runs]
    printed = [Path(m).parent.name for out in outputs for m in re.findall(r"^results: (.+)$", out, re.MULTILINE)]
    shared = len(printed) - len(set(printed))  # runs that wrote over another run's directory
    written = set(printed) | {p.parent.name for p in (project / "reports" / "runs").glob("*/results.json")
                if not p.parent.name.endswith("-corrupt") and _is_json(p)}
    history = subprocess.run([*leakcheck, "history", "--limit", "1000"], cwd=project, capture_output=True,
                             text=True, check=False)
    lost = sorted(name for name in written if name not in history.stdout)
    time.sleep(2)  # the guardians of SIGKILLed runs act on their pipe's end at once; give the kernel a moment
    left = [pid for pid, created in seen.items() if _alive(pid, created)]
    tracebacks = sum("Traceback" in text for text in (*outputs, history.stdout, history.stderr))
    if args.keep:
        print(f"project: {project}")
    else:
        shutil.rmtree(project, ignore_errors=True)
    print(json.dumps({"runs": args.runs, "probes per run": args.probes, "kills": kills, "corrupt documents": corrupt,
                      "exit codes": sorted(run.returncode for run in runs), "runs with results": len(written),
                      "runs sharing a directory": shared,
                      "lost from history": lost, "processes left": left, "tracebacks": tracebacks}, indent=1))
    return 1 if lost or left or tracebacks or shared else 0


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return list(psutil.Process(pid).children(recursive=True))
    except psutil.Error:
        return []


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return list(process.cmdline())
    except psutil.Error:
        return []


def _kill(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _alive(pid: int, created: float) -> bool:
    try:
        process = psutil.Process(pid)
        return bool(process.create_time() == created and process.status() != psutil.STATUS_ZOMBIE)
    except psutil.Error:
        return False


def _is_json(path: Path) -> bool:
    try:
        json.loads(path.read_text())
        return True
    except ValueError:
        return False


if __name__ == "__main__":
    sys.exit(main())
