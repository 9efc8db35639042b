"""Call overhead of the two backends: version() and a small optimize, ctypes vs cffi, through the public
API and straight through the backend object. Prints the best of several repeats (least disturbed by other
load) in microseconds per call, with the load average at the start.

    .venv/bin/python bindings/python/benchmarks/call_overhead.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import sys
import timeit
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "memory"))

import pyjamaz
from corpus import CorpusSpec, load_corpus

SMALL = CorpusSpec(seed=3, count=1, kinds=("tiny",), formats=("jpeg",))
SMALL_OPTIONS = pyjamaz.Options(formats="jpeg", concurrency=1)


def best_microseconds(call: Callable[[], object], number: int, repeat: int) -> float:
    return min(timeit.repeat(call, number=number, repeat=repeat)) / number * 1e6


def cases(small: bytes) -> dict[str, tuple[Callable[[str], Callable[[], object]], int]]:
    native = SMALL_OPTIONS.to_native()
    return {
        "version() via API": (lambda b: lambda: pyjamaz.version(backend=b), 20000),
        "version() via backend": (lambda b: pyjamaz.get_backend(b).version, 20000),
        "memory_stats() via backend": (lambda b: pyjamaz.get_backend(b).memory_stats, 20000),
        f"optimize {len(small)} B JPEG via API": (
            lambda b: lambda: pyjamaz.optimize(small, options=SMALL_OPTIONS, backend=b),
            300,
        ),
        f"optimize {len(small)} B JPEG via backend": (
            lambda b: lambda: pyjamaz.get_backend(b).optimize(small, native),
            300,
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    small = load_corpus(SMALL).images[0].read()
    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"{'call':40} {'ctypes µs':>10} {'cffi µs':>10} {'cffi/ctypes':>12}")
    for name, (make, number) in cases(small).items():
        figures = [best_microseconds(make(backend), number, args.repeat) for backend in ("ctypes", "cffi")]
        print(f"{name:40} {figures[0]:10.2f} {figures[1]:10.2f} {figures[1] / figures[0]:12.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
