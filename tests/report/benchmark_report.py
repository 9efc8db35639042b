"""Benchmark of the HTML report's done-when: 20 probes with 30,000 samples each render in <= 5 s into <= 5 MB.

    .venv/bin/python tests/report/benchmark_report.py [--repeat 3]

Prints wall and CPU seconds of the render (loading the run and building the view-model included) and the page
size, best of --repeat, with the load average; writing the synthetic run (about a minute) is not timed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from leakcheck.history.store import load_run
from leakcheck.report.html import render_html
from leakcheck.report.model import build_report
from tests.history.runs import SyntheticProbe, write_run

PROBES, SAMPLES = 20, 30_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    probes = [SyntheticProbe(f"zig.probe_{k:02d}", "LEAK" if k % 4 == 0 else "PASS",
                             leak_per_iter=1024 * (k % 4 == 0), iterations=SAMPLES, samples=SAMPLES)
              for k in range(PROBES)]
    with tempfile.TemporaryDirectory() as work:
        results = write_run(Path(work) / "runs" / "big", probes)
        timings = []
        for _ in range(args.repeat):
            started, cpu = time.monotonic(), time.process_time()
            page = render_html(build_report(load_run(results), "big"))
            timings.append((time.monotonic() - started, time.process_time() - cpu))
    wall, cpu_s = min(timings)
    print(f"{PROBES} probes x {SAMPLES:,} samples: {wall:.2f} s wall, {cpu_s:.2f} s CPU, "
          f"{len(page.encode()) / 1e6:.2f} MB (best of {args.repeat}; load {os.getloadavg()[0]:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
