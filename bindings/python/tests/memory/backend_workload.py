"""The workload ctypes_memory and cffi_memory share: small and mid-sized images of every kind, through
optimize() and optimize_file(), under a rotation of option sets, on one backend."""

from __future__ import annotations

import dataclasses

import pyjamaz
from corpus import CorpusSpec, load_corpus
from leakcheck_probe import ProbeContext
from probe_support import check_no_failures, count_failures, run_leak_probe

CORPUS = CorpusSpec(seed=11, count=12, kinds=("photo", "flat", "alpha", "tiny"), max_bytes=64 * 1024)
# Cheap encoder mixes, each still with several candidates so that losing encodes are exercised. One
# encoder thread per call: parallel encoding grows libvips' worker threads (and RSS) for hundreds of
# calls, which would blur a short run; the concurrency probe covers threads.
OPTION_SETS = tuple(
    dataclasses.replace(options, concurrency=1)
    for options in (
        pyjamaz.Options(formats="jpeg", max_diff=0.01),
        pyjamaz.Options(formats=("jpeg", "webp")),
        pyjamaz.Options(max_width=64, max_height=64, strip=True),
        pyjamaz.Options(formats=("png", "gif"), max_width=96, max_height=96),
    )
)
DEFAULT_ITERATIONS = 2000


def run_backend_probe(backend: str) -> None:
    def setup(ctx: ProbeContext) -> None:
        images = load_corpus(CORPUS).images
        ctx.state["images"] = [(image, image.read()) for image in images]

    def work(ctx: ProbeContext, i: int) -> None:
        image, data = ctx.state["images"][i % len(ctx.state["images"])]
        options = OPTION_SETS[i % len(OPTION_SETS)]
        if i % 3 == 2:  # the library reads the file itself: its own file handling is exercised
            result = pyjamaz.optimize_file(image.path, options=options, backend=backend)
        else:
            result = pyjamaz.optimize(data, options=options, backend=backend)
        if result.size > len(data) or result.size != len(result.data):
            count_failures(ctx, "bad_outputs")

    def final_checks(ctx: ProbeContext) -> None:
        check_no_failures(ctx, "bad_outputs")

    run_leak_probe(
        f"python.{backend}_memory",
        work,
        iterations=DEFAULT_ITERATIONS,
        setup=setup,
        before_final_check=final_checks,
    )
