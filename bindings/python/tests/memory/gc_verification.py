"""python.gc_verification: results are kept for a round, then released. What they held (measured
exactly by tracemalloc) must come back: freed >= 70% of it on tracemalloc and in RSS. The library's
exact counters must not grow while results are held, since every output is a Python copy."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import tracemalloc
from dataclasses import dataclass

import psutil
import pyjamaz
from corpus import CorpusSpec, load_corpus
from leakcheck_probe import ProbeContext
from probe_support import library_counters, measure_start, run_leak_probe

# Large outputs for little work (one JPEG encode each), so that what the results hold stands far
# above the RSS noise of libvips' own working memory.
CORPUS = CorpusSpec(
    seed=31, count=6, kinds=("photo",), formats=("jpeg",), min_bytes=256 * 1024, max_bytes=768 * 1024
)
ROUND = 50  # results held at once
MIN_FREED = 0.70
MIN_HELD = 2 * 1024 * 1024  # below this a round says little about RSS
OPTIONS = pyjamaz.Options(formats="jpeg", concurrency=1)
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


def freed_fraction(released: float, held_by_results: float) -> float:
    return released / held_by_results if held_by_results > 0 else 0.0


def setup(ctx: ProbeContext) -> None:
    ctx.state["images"] = [image.read() for image in load_corpus(CORPUS).images]
    ctx.state["held"] = []
    # What the checks need of each measured round, folded as the rounds end: a list of every round would be
    # the probe's own growth (a few GC objects a round), which the verdict rightly reads as growth.
    ctx.state["rounds"] = RoundFigures()


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
            ctx.state["rounds"].add(ctx.state["before"], held, after)


@dataclass
class RoundFigures:
    """The extremes over the measured rounds of what each round held and gave back."""

    count: int = 0
    held_traced_min: float = float("inf")
    traced_freed_min: float = float("inf")
    rss_freed_min: float = float("inf")
    held_native_max: float = float("-inf")

    def add(self, before: Snapshot, held: Snapshot, after: Snapshot) -> None:
        held_traced = held.traced - before.traced
        self.count += 1
        self.held_traced_min = min(self.held_traced_min, held_traced)
        self.traced_freed_min = min(self.traced_freed_min, freed_fraction(held.traced - after.traced, held_traced))
        self.rss_freed_min = min(self.rss_freed_min, freed_fraction(held.rss - after.rss, held_traced))
        self.held_native_max = max(self.held_native_max, held.lib_live_bytes - before.lib_live_bytes)


def final_checks(ctx: ProbeContext) -> None:
    rounds: RoundFigures = ctx.state["rounds"]
    ctx.check("measured_rounds", rounds.count, ">=", 1)
    if rounds.count == 0:
        return
    # What the results held is measured exactly (tracemalloc); RSS must give back most of it on release.
    ctx.check("held_by_results_min", rounds.held_traced_min, ">=", MIN_HELD)
    ctx.check("tracemalloc_freed_fraction_min", rounds.traced_freed_min, ">=", MIN_FREED)
    ctx.check("rss_freed_fraction_min", rounds.rss_freed_min, ">=", MIN_FREED)
    ctx.check("lib_live_bytes_held_by_results_max", rounds.held_native_max, "<=", 0)


if __name__ == "__main__":
    run_leak_probe(
        "python.gc_verification", work, iterations=400, setup=setup, before_final_check=final_checks
    )
