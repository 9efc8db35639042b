"""python.lifecycle: init/shutdown cycles interleaved with work on both backends. Every few iterations
every init reference is released, optimize must then raise NotInitializedError, and the references
are taken back; nothing may grow across the cycles."""

from __future__ import annotations

import pyjamaz
from corpus import CorpusSpec, load_corpus
from leakcheck_probe import ProbeContext
from probe_support import check_no_failures, count_failures, run_leak_probe

CORPUS = CorpusSpec(seed=61, count=4, kinds=("tiny", "flat"), max_bytes=32 * 1024)
DRAIN_EVERY = 10
OPTIONS = pyjamaz.Options(formats=("png", "webp"), concurrency=1)


def setup(ctx: ProbeContext) -> None:
    ctx.state["images"] = [image.read() for image in load_corpus(CORPUS).images]


def drain_and_restore(ctx: ProbeContext, backend: str, data: bytes) -> None:
    released = 0
    while pyjamaz.is_initialized(backend=backend):
        pyjamaz.shutdown(backend=backend)
        released += 1
    try:
        pyjamaz.optimize(data, options=OPTIONS, backend=backend)
        count_failures(ctx, "worked_while_shut_down")
    except pyjamaz.NotInitializedError:
        pass
    finally:
        for _ in range(released):
            pyjamaz.init(backend=backend)


def work(ctx: ProbeContext, i: int) -> None:
    images: list[bytes] = ctx.state["images"]
    data = images[i % len(images)]
    backend = pyjamaz.BACKENDS[i % len(pyjamaz.BACKENDS)]
    pyjamaz.init(backend=backend)
    try:
        pyjamaz.optimize(data, options=OPTIONS, backend=backend)
    finally:
        pyjamaz.shutdown(backend=backend)
    if i % DRAIN_EVERY == DRAIN_EVERY - 1:
        drain_and_restore(ctx, backend, data)
    if not pyjamaz.is_initialized(backend=backend):
        count_failures(ctx, "left_uninitialized")


def final_checks(ctx: ProbeContext) -> None:
    check_no_failures(ctx, "worked_while_shut_down")
    check_no_failures(ctx, "left_uninitialized")


if __name__ == "__main__":
    run_leak_probe("python.lifecycle", work, iterations=2000, setup=setup, before_final_check=final_checks)
