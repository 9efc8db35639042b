"""python.buffer_memory: images from 1 KB to 4 MB, passed as bytes, bytearray and memoryview slices of
a larger buffer; each output is never larger than its input, and nothing may grow."""

from __future__ import annotations

import random

import pyjamaz
from corpus import CorpusSpec, load_corpus
from leakcheck_probe import ProbeContext
from probe_support import check_no_failures, count_failures, run_leak_probe

CORPUS = CorpusSpec(seed=41, count=16, min_bytes=1024, max_bytes=4 * 1024 * 1024)
OPTIONS = pyjamaz.Options(formats=("jpeg", "webp"), max_width=1024, max_height=1024)
PADDING = 4096  # memoryview inputs start at an offset inside a larger buffer


def as_memoryview_slice(data: bytes) -> memoryview:
    backing = bytearray(PADDING) + data + bytearray(PADDING)
    return memoryview(backing)[PADDING : PADDING + len(data)]


SHAPES = (bytes, bytearray, as_memoryview_slice)


def setup(ctx: ProbeContext) -> None:
    images = list(load_corpus(CORPUS).images)
    # Sizes mixed in a seeded order: sorted, each pass would climb from 1 KB to 4 MB and RSS with it.
    random.Random(ctx.seed).shuffle(images)
    ctx.state["images"] = [image.read() for image in images]
    sizes = sorted(image.size for image in images)
    print(f"{len(images)} images, {sizes[0]} to {sizes[-1]} bytes")


def work(ctx: ProbeContext, i: int) -> None:
    images: list[bytes] = ctx.state["images"]
    data = images[i % len(images)]
    shape = SHAPES[(i // len(images)) % len(SHAPES)]
    backend = pyjamaz.BACKENDS[i % len(pyjamaz.BACKENDS)]
    result = pyjamaz.optimize(shape(data), options=OPTIONS, backend=backend)
    if result.size > len(data):
        count_failures(ctx, "outputs_larger_than_input")


def final_checks(ctx: ProbeContext) -> None:
    check_no_failures(ctx, "outputs_larger_than_input")


if __name__ == "__main__":
    run_leak_probe(
        "python.buffer_memory", work, iterations=1000, setup=setup, before_final_check=final_checks
    )
