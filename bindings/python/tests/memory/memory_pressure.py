"""python.memory_pressure: images of 1 MB and more, thousands of times. RSS growth stays under 500 MB
and VMS growth under 800 MB over the measure phase (largest growth seen, sampled every iteration),
and the exact counters return to baseline. In the pressure suite every call gets a different image
(the streamed pressure corpus, pressure_images.py); the other suites cycle a pool of six."""

from __future__ import annotations

import psutil
import pyjamaz
from corpus import CorpusSpec, load_corpus
from leakcheck_probe import ProbeContext
from pressure_images import PressureStream
from probe_support import measure_start, run_leak_probe

CORPUS = CorpusSpec(
    seed=53,
    count=6,
    kinds=("photo",),
    formats=("jpeg", "png"),
    min_bytes=1024 * 1024,
    max_bytes=2 * 1024 * 1024,
)
# Downscaling keeps each iteration affordable; the inputs stay >= 1 MB, decoded in full.
OPTIONS = pyjamaz.Options(formats=("jpeg", "webp"), max_width=1024, max_height=1024)
MB = 1000 * 1000
RSS_GROWTH_LIMIT = 500 * MB
VMS_GROWTH_LIMIT = 800 * MB


def setup(ctx: ProbeContext) -> None:
    if ctx.suite == "pressure":
        ctx.state["stream"] = PressureStream(seed=ctx.seed + 53, count=ctx.iterations)
    else:
        ctx.state["images"] = [image.read() for image in load_corpus(CORPUS).images]
    ctx.state["growth"] = {"rss": 0, "vms": 0}


def next_image(ctx: ProbeContext, i: int) -> bytes:
    stream: PressureStream | None = ctx.state.get("stream")
    if stream is not None:
        return stream.next().data
    images: list[bytes] = ctx.state["images"]
    return images[i % len(images)]


def work(ctx: ProbeContext, i: int) -> None:
    data = next_image(ctx, i)
    pyjamaz.optimize(data, options=OPTIONS, backend=pyjamaz.BACKENDS[i % len(pyjamaz.BACKENDS)])
    memory = psutil.Process().memory_info()
    if i == measure_start(ctx):
        ctx.state["start"] = {"rss": memory.rss, "vms": memory.vms}
    if "start" in ctx.state:
        growth = ctx.state["growth"]
        growth["rss"] = max(growth["rss"], memory.rss - ctx.state["start"]["rss"])
        growth["vms"] = max(growth["vms"], memory.vms - ctx.state["start"]["vms"])


def final_checks(ctx: ProbeContext) -> None:
    stream: PressureStream | None = ctx.state.get("stream")
    if stream is not None:
        stream.close()
    ctx.check("rss_growth_max", ctx.state["growth"]["rss"], "<", RSS_GROWTH_LIMIT)
    ctx.check("vms_growth_max", ctx.state["growth"]["vms"], "<", VMS_GROWTH_LIMIT)


if __name__ == "__main__":
    run_leak_probe(
        "python.memory_pressure", work, iterations=10000, setup=setup, before_final_check=final_checks
    )
