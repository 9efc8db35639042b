"""python.concurrency: 8 threads optimize at once (half on ctypes, half on cffi). Every output equals
the single-threaded output for the same image, and nothing may grow."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pyjamaz
from corpus import CorpusSpec, load_corpus
from leakcheck_probe import ProbeContext
from probe_support import check_no_failures, count_failures, run_leak_probe

THREADS = 8
# Flat and tiny images: each call is a few ms of CPU, so 8 x 140 calls stay cheap while still overlapping.
CORPUS = CorpusSpec(seed=71, count=8, kinds=("flat", "tiny"), max_bytes=24 * 1024)
OPTIONS = pyjamaz.Options(formats=("jpeg", "webp"), max_width=128, max_height=128, concurrency=1)


def setup(ctx: ProbeContext) -> None:
    images = [image.read() for image in load_corpus(CORPUS).images]
    ctx.state["images"] = images
    ctx.state["expected"] = [pyjamaz.optimize(data, options=OPTIONS).data for data in images]
    ctx.state["pool"] = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="optimize")


def optimize_one(index: int, data: bytes, backend: str) -> tuple[int, bytes]:
    return index, pyjamaz.optimize(data, options=OPTIONS, backend=backend).data


def work(ctx: ProbeContext, i: int) -> None:
    images: list[bytes] = ctx.state["images"]
    jobs = []
    for k in range(THREADS):
        index = (i * THREADS + k) % len(images)
        backend = pyjamaz.BACKENDS[k % len(pyjamaz.BACKENDS)]
        jobs.append(ctx.state["pool"].submit(optimize_one, index, images[index], backend))
    for job in jobs:
        index, output = job.result()
        if output != ctx.state["expected"][index]:
            count_failures(ctx, "outputs_differing_from_single_thread")


def final_checks(ctx: ProbeContext) -> None:
    ctx.state["pool"].shutdown(wait=True)
    check_no_failures(ctx, "outputs_differing_from_single_thread")


if __name__ == "__main__":
    run_leak_probe("python.concurrency", work, iterations=500, setup=setup, before_final_check=final_checks)
