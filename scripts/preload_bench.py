#!/usr/bin/env python3
"""Overhead of the preload counter on malloc-heavy loops, with and without it (goal: at most 5%).

- C: 10M malloc/free pairs of mixed sizes (16 B to 4 KiB, a few 64 KiB), 64 blocks alive at a time (each
  block freed 64 calls after it was allocated, so the allocator's caches work as in real code).
- Python: 2M bytearray() of 600 B to 4 KiB (above pymalloc's 512 B, so each is a malloc and a free) and the
  same count of small objects (a dict and a list per iteration: pymalloc, mostly no malloc at all).

Each loop times itself (CPU time of the process, the start-up left out); runs alternate with and without
the counter, `--repeat` times each, and the best of each is compared (the least disturbed by other load).

    python scripts/preload_bench.py [--repeat 7] [--pairs 10000000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from leakcheck.sdk.preload import build, with_preload, without_preload  # noqa: E402

C_LOOP = r"""
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
int main(int argc, char **argv) {
    long pairs = atol(argv[1]);
    void *ring[64] = {0};
    unsigned x = 12345;
    struct timespec a, b;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    for (long k = 0; k < pairs; k++) {
        x = x * 1103515245u + 12345u;
        size_t size = (x >> 16) % 100 == 0 ? 65536 : 16 + ((x >> 8) % 4080);
        free(ring[k & 63]);
        ring[k & 63] = malloc(size);
        *(volatile char *)ring[k & 63] = 1;
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    for (int k = 0; k < 64; k++) free(ring[k]);
    printf("%.6f\n", (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
    return 0;
}
"""

PY_LARGE = """
import sys, time
n = int(sys.argv[1]); sizes = [600 + (k * 2654435761) % 3500 for k in range(1024)]
start = time.process_time()
for k in range(n):
    bytearray(sizes[k & 1023])
print(f"{time.process_time() - start:.6f}")
"""

PY_SMALL = """
import sys, time
n = int(sys.argv[1])
start = time.process_time()
for k in range(n):
    d = {"k": k, "v": [k, k + 1]}
print(f"{time.process_time() - start:.6f}")
"""


def timed(command: list[str], environment: dict[str, str]) -> float:
    completed = subprocess.run(command, env=environment, capture_output=True, text=True, check=True, timeout=600)
    return float(completed.stdout.strip())


def compare(name: str, command: list[str], library: Path, directory: Path, repeat: int) -> tuple[str, float, float]:
    bare_env = without_preload(os.environ)
    with_env = with_preload(os.environ, library, directory)
    bare, preloaded = [], []
    for _ in range(repeat):  # alternating, so a change of load hits both
        bare.append(timed(command, bare_env))
        preloaded.append(timed(command, with_env))
    return name, min(bare), min(preloaded)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--pairs", type=int, default=10_000_000)
    parser.add_argument("--python-calls", type=int, default=2_000_000)
    args = parser.parse_args()
    built = build()
    if built.library is None:
        print(f"no preload counter: {built.problem}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        (work / "loop.c").write_text(C_LOOP)
        subprocess.run(["cc", "-O2", "-o", str(work / "loop"), str(work / "loop.c")], check=True)
        (work / "large.py").write_text(PY_LARGE)
        (work / "small.py").write_text(PY_SMALL)
        (work / "counters").mkdir()
        cases = [
            (f"C: {args.pairs:,} malloc/free pairs", [str(work / "loop"), str(args.pairs)]),
            (f"Python: {args.python_calls:,} bytearray(600..4096)", [sys.executable, str(work / "large.py"),
                                                                      str(args.python_calls)]),
            (f"Python: {args.python_calls:,} dict + list", [sys.executable, str(work / "small.py"),
                                                            str(args.python_calls)]),
        ]
        print(f"best of {args.repeat} (CPU seconds of the loop), library {built.library}")
        for name, command in cases:
            label, bare, preloaded = compare(name, command, built.library, work / "counters", args.repeat)
            print(f"  {label:<44} without {bare:8.3f} s   with {preloaded:8.3f} s   overhead "
                  f"{(preloaded / bare - 1) * 100:+6.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
