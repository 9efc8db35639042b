"""python.error_recovery: every error path, thousands of times, on both backends. Each call must raise
its own exception class, and nothing may grow: an error result is freed like any other."""

from __future__ import annotations

import functools
import os
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass

import pyjamaz
from corpus import CorpusSpec, load_corpus
from leakcheck_probe import ProbeContext
from probe_support import check_no_failures, count_failures, run_leak_probe

# Thousands of expected decode failures: libvips' warning for each would flood the probe's log.
os.environ.setdefault("VIPS_WARNING", "0")

CORPUS = CorpusSpec(seed=23, count=2, kinds=("photo",), max_bytes=64 * 1024, malformed=True)
MISSING_FILE = "/nonexistent/pyjamaz-error-recovery/missing.jpg"


@dataclass(frozen=True)
class ErrorCase:
    name: str
    call: Callable[[str], object]  # takes the backend name
    expect: type[Exception]


def error_cases(image: bytes, malformed: list[tuple[str, bytes, str]], garbage: bytes) -> list[ErrorCase]:
    def native(options: pyjamaz.NativeOptions) -> Callable[[str], object]:
        # Values the public API refuses, passed straight to the library to reach its own checks.
        return lambda backend: pyjamaz.get_backend(backend).optimize(image, options)

    cases = [
        ErrorCase("empty", lambda b: pyjamaz.optimize(b"", backend=b), pyjamaz.EmptyInputError),
        ErrorCase("garbage", lambda b: pyjamaz.optimize(garbage, backend=b), pyjamaz.UnsupportedFormatError),
        ErrorCase(
            "bomb", lambda b: pyjamaz.optimize(image, max_pixels=16, backend=b), pyjamaz.TooManyPixelsError
        ),
        ErrorCase(
            "too_large",
            lambda b: pyjamaz.optimize(image, max_input_bytes=8, backend=b),
            pyjamaz.InputTooLargeError,
        ),
        ErrorCase(
            "missing_file", lambda b: pyjamaz.optimize_file(MISSING_FILE, backend=b), pyjamaz.FileReadError
        ),
        ErrorCase(
            "native_concurrency", native(pyjamaz.NativeOptions(concurrency=999)), pyjamaz.InvalidArgumentError
        ),
        ErrorCase(
            "native_format_bit", native(pyjamaz.NativeOptions(formats=1 << 9)), pyjamaz.InvalidArgumentError
        ),
        ErrorCase("negative_budget", lambda b: pyjamaz.optimize(image, max_bytes=-1, backend=b), ValueError),
        ErrorCase(
            "unknown_format", lambda b: pyjamaz.optimize(image, formats=["bmp"], backend=b), ValueError
        ),
        ErrorCase("not_bytes", lambda b: pyjamaz.optimize(_not_bytes(), backend=b), TypeError),
    ]
    for name, data, expect in malformed:
        cases.append(
            ErrorCase(f"malformed:{name}", functools.partial(_optimize_on, data), pyjamaz.ERROR_NAMES[expect])
        )
    return cases


def _optimize_on(data: bytes, backend: str) -> pyjamaz.OptimizeResult:
    return pyjamaz.optimize(data, backend=backend)


def _not_bytes() -> bytes:
    return "text"  # type: ignore[return-value]  # the wrong type on purpose


def setup(ctx: ProbeContext) -> None:
    corpus = load_corpus(CORPUS)
    malformed = [(m.path.name, m.read(), m.expect) for m in corpus.malformed]
    garbage = random.Random(ctx.seed).randbytes(4096)
    ctx.state["cases"] = error_cases(corpus.images[0].read(), malformed, garbage)


def work(ctx: ProbeContext, i: int) -> None:
    cases: list[ErrorCase] = ctx.state["cases"]
    case = cases[(i // len(pyjamaz.BACKENDS)) % len(cases)]
    backend = pyjamaz.BACKENDS[i % len(pyjamaz.BACKENDS)]
    try:
        case.call(backend)
    except case.expect:
        return
    except Exception as exc:  # noqa: BLE001 - any other outcome is the failure being counted
        _report_once(ctx, f"{case.name} on {backend}: expected {case.expect.__name__}, got {exc!r}")
        return
    _report_once(ctx, f"{case.name} on {backend}: expected {case.expect.__name__}, the call succeeded")


def _report_once(ctx: ProbeContext, text: str) -> None:
    if text not in ctx.state.setdefault("reported", set()):
        ctx.state["reported"].add(text)
        print(text, file=sys.stderr)
    count_failures(ctx, "wrong_outcomes")


def final_checks(ctx: ProbeContext) -> None:
    check_no_failures(ctx, "wrong_outcomes")


if __name__ == "__main__":
    run_leak_probe(
        "python.error_recovery", work, iterations=5000, setup=setup, before_final_check=final_checks
    )
