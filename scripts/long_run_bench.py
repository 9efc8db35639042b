"""An hour-long probe sampled at 100 Hz: the orchestrator's peak RSS and the size of results.json must stay
bounded however long a probe runs (samples are streamed to samples.csv, the series kept in memory and in
results.json are thinned to a fixed size).

    .venv/bin/python scripts/long_run_bench.py --seconds 3600

A synthetic Python probe (the SDK, a tick per iteration of ~10 ms, a plateau) runs for --seconds; the
leakcheck process's RSS is read every second. Prints the figures as one JSON object.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

PROBE = """\
import time
from leakcheck_probe import ProbeContext, run_probe

keep = []

def body(ctx: ProbeContext, i: int) -> None:
    keep.append(bytearray(1024))   # a bounded buffer: a plateau after the first 1,000 iterations
    del keep[:-1000]
    time.sleep(0.01)

run_probe("python.long", body)
"""
CONFIG = """\
[probes."python.long"]
lang = "python"
command = ["{{python}}", "probe.py"]
iterations = {{ fast = {iterations} }}
timeout = "{timeout}s"
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3600.0)
    parser.add_argument("--leakcheck", default=str(Path(sys.executable).parent / "leakcheck"))
    args = parser.parse_args()
    iterations = max(100, int(args.seconds / 0.0101))
    with tempfile.TemporaryDirectory(prefix="leakcheck-long-") as folder:
        project = Path(folder)
        (project / "probe.py").write_text(PROBE, encoding="utf-8")
        (project / "leakcheck.toml").write_text(
            CONFIG.format(iterations=iterations, timeout=int(args.seconds * 3 + 600)), encoding="utf-8")
        started = time.monotonic()
        log = project / "terminal.log"
        with log.open("w", encoding="utf-8") as terminal:
            run = subprocess.Popen([args.leakcheck, "run", "--suite", "fast"], cwd=project, stdout=terminal,
                                   stderr=subprocess.STDOUT, text=True)
            peak, trace = _watch(run)
            run.wait()
        output = log.read_text(encoding="utf-8")
        wall = time.monotonic() - started
        results = next(project.glob("reports/runs/*/results.json"))
        samples = next(project.glob("reports/runs/*/python.long/attempt-1/samples.csv"))
        document = json.loads(results.read_text(encoding="utf-8"))
        attempt = document["probes"][0]["attempts"][0]
        figures = {"seconds": round(wall, 1), "iterations": iterations, "exit_code": run.returncode,
                   "outcome": document["probes"][0]["outcome"], "leakcheck_peak_rss_mib": round(peak / 2**20, 1),
                   "leakcheck_rss_mib_by_minute": trace, "results_json_bytes": results.stat().st_size,
                   "samples_taken": attempt["samples"].get("count"),
                   "sample_rows_in_json": len(attempt["samples"]["rows"]), "ticks_in_json": len(attempt["ticks"]),
                   "samples_csv_bytes": samples.stat().st_size, "terminal_tail": output.splitlines()[-3:]}
        print(json.dumps(figures, indent=1))
    return 0 if run.returncode == 0 else 1


def _watch(run: subprocess.Popen[str]) -> tuple[int, list[float]]:
    """Peak RSS of the leakcheck process (not its probe), and its RSS once a minute (MiB)."""
    process = psutil.Process(run.pid)
    peak, trace, minute = 0, [], time.monotonic()
    while run.poll() is None:
        try:
            rss = process.memory_info().rss
        except psutil.Error:
            break
        peak = max(peak, rss)
        if time.monotonic() - minute >= 60:
            trace.append(round(rss / 2**20, 1))
            minute = time.monotonic()
        time.sleep(1.0)
    return peak, trace


if __name__ == "__main__":
    sys.exit(main())
