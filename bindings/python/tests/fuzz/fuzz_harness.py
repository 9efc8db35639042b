"""The atheris (libFuzzer) target: each input through the binding, both backends, with the counter
check after every one. A finding raises FuzzFinding, which atheris reports and saves as a crash input.

Run it through scripts/fuzz.sh (fuzz_driver.py), which prepares the seeds and summarises the run;
arguments are libFuzzer's (-runs=N, -max_total_time=S, -artifact_prefix=DIR/, corpus folders).
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
from collections import Counter

import atheris

with atheris.instrument_imports(include=["pyjamaz", "fuzz_check"]):
    import pyjamaz  # instrumented for coverage: the binding's branches guide the mutations
    from fuzz_check import InputRunner
from fuzz_input import FuzzInput

OUTCOMES_ENV = "PYJAMAZ_FUZZ_OUTCOMES"
OUTCOMES_EVERY = 100  # libFuzzer ends the process with exit(): the tally is written as the run goes

runner: InputRunner | None = None
outcomes: Counter[str] = Counter()
backends: Counter[str] = Counter()


def libfuzzer_in_global_scope() -> ctypes.CDLL:
    """atheris' libFuzzer, made global before libpyjamaz is loaded. A library built with -Dfuzz-coverage
    carries Zig's own fuzzer runtime, whose comparison hooks fill an unlocked hash map: called from the
    library's encoder threads they corrupt it (seen: a segfault in fuzzer.traceValue). Bound to
    libFuzzer's hooks instead, which are made for threads, the comparisons feed its dictionary."""
    return ctypes.CDLL(sys.modules["atheris.core_with_libfuzzer"].__file__, mode=os.RTLD_GLOBAL | os.RTLD_NOW)


def register_native_coverage(libfuzzer: ctypes.CDLL, library_path: str) -> int:
    """Hands libpyjamaz's edge counters (built with -Dfuzz-coverage) to libFuzzer, so that new paths in
    the library, not only in the binding's Python, guide the mutations. Zig's instrumentation emits the
    counter section without the constructor that would register it, hence the call here. Returns how
    many counters, 0 for a library built without them."""
    library = ctypes.CDLL(library_path)  # the handle both backends already hold
    try:
        start = ctypes.addressof(ctypes.c_uint8.in_dll(library, "__start___sancov_cntrs"))
        stop = ctypes.addressof(ctypes.c_uint8.in_dll(library, "__stop___sancov_cntrs"))
    except ValueError:
        return 0
    counters_init = libfuzzer.__sanitizer_cov_8bit_counters_init
    counters_init.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    counters_init.restype = None
    counters_init(start, stop)
    return stop - start


def test_one_input(raw: bytes) -> None:
    global runner  # noqa: PLW0603 — libFuzzer calls this function; its state lives between calls
    if runner is None:  # created on the first input: after libFuzzer has parsed its flags
        libfuzzer = libfuzzer_in_global_scope()
        runner = InputRunner()  # loads libpyjamaz
        library_path = pyjamaz.get_backend().location.path
        counters = register_native_coverage(libfuzzer, library_path)
        print(f"fuzz: {counters} native edge counters in {library_path}", file=sys.stderr, flush=True)
    backends[FuzzInput.decode(raw).backend] += 1
    outcomes[runner.check(raw).result] += 1
    if outcomes.total() % OUTCOMES_EVERY == 0 and OUTCOMES_ENV in os.environ:
        with open(os.environ[OUTCOMES_ENV], "w") as tally:
            json.dump({"outcomes": outcomes, "backends": backends}, tally)


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
