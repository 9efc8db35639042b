"""python.gc_verification: results are kept for a round, then released. What they held must come back:
freed >= 70% of the growth, on tracemalloc (exact, Python side) and on RSS; the library's exact
counters must not grow while results are held, since every output is a Python copy."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import tracemalloc
from dataclasses import dataclass

import psutil
import pyjamaz
from corpus import CorpusSpec, load_corpus
from probe_support import library_counters, measure_start, run_leak_probe

from leakcheck.sdk import ProbeContext

CORPUS = CorpusSpec(
    seed=31, count=8, kinds=("photo",), formats=("jpeg", "png"), min_bytes=96 * 1024, max_bytes=384 * 1024
)
ROUND = 40  # results held at once
MIN_FREED = 0.70
OPTIONS = pyjamaz.Options(formats=("jpeg", "png"), concurrency=1)
_libc = ctypes.CDLL(ctypes.util.find_library("c"))


@dataclass(frozen=True)
class Snapshot:
    traced: int
    rss: int
    lib_live_bytes: float

    @staticmethod
    def take() -> Snapshot:
        gc.collect()
        # glibc keeps freed blocks for reuse; trimming hands them back to the kernel so RSS shows
        # only what is still referenced.
        _libc.malloc_trim(0)
        return Snapshot(
            tracemalloc.get_traced_memory()[0],
            psutil.Process().memory_info().rss,
            library_counters()["lib_live_bytes"],
        )


def freed_fraction(before: float, held: float, after: float) -> float:
    grown = held - before
    return (held - after) / grown if grown > 0 else 0.0


def setup(ctx: ProbeContext) -> None:
    ctx.state["images"] = [image.read() for image in load_corpus(CORPUS).images]
    ctx.state["held"] = []
    ctx.state["rounds"] = []


def work(ctx: ProbeContext, i: int) -> None:
    images: list[bytes] = ctx.state["images"]
    if i % ROUND == 0:
        ctx.state["before"] = Snapshot.take()
    ctx.state["held"].append(pyjamaz.optimize(images[i % len(images)], options=OPTIONS))
    if i % ROUND == ROUND - 1:
        held = Snapshot.take()
        ctx.state["held"].clear()
        after = Snapshot.take()
        if i >= measure_start(ctx):
            ctx.state["rounds"].append((ctx.state["before"], held, after))


def final_checks(ctx: ProbeContext) -> None:
    rounds: list[tuple[Snapshot, Snapshot, Snapshot]] = ctx.state["rounds"]
    ctx.check("measured_rounds", len(rounds), ">=", 1)
    traced = [freed_fraction(b.traced, h.traced, a.traced) for b, h, a in rounds] or [0.0]
    rss = [freed_fraction(b.rss, h.rss, a.rss) for b, h, a in rounds] or [0.0]
    ctx.check("tracemalloc_freed_fraction_min", min(traced), ">=", MIN_FREED)
    ctx.check("rss_freed_fraction_min", min(rss), ">=", MIN_FREED)
    held_native = [h.lib_live_bytes - b.lib_live_bytes for b, h, _ in rounds] or [0.0]
    ctx.check("lib_live_bytes_held_by_results_max", max(held_native), "<=", 0)


if __name__ == "__main__":
    run_leak_probe(
        "python.gc_verification", work, iterations=400, setup=setup, before_final_check=final_checks
    )
