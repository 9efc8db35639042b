"""Runs one fuzz input through the pyjamaz binding and says what, if anything, is wrong with it.

Fine: a result that keeps the library's promises, a PyjamazError subclass for a status some input
explains, or ValueError/TypeError raised by the binding before the native call. A finding: any other
exception, a broken promise in a result, or an exact counter (lib_live_*, vips_live_objects,
vips_tracked_files, live_results, open fds) not back at its baseline once the call returned.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "memory"))  # library_counters.py

import pyjamaz
from fuzz_input import FROM_FILE, NATIVE_OPTIONS, WRONG_TYPES, FuzzInput
from library_counters import BOUNDED_COUNTERS, EXACT_COUNTERS, library_counters

# Statuses no input explains: the header says INTERNAL is "libvips failed in a way no input explains",
# and the binding holds its init reference for the life of the process. Out of memory on inputs of a few
# KiB is a bug too. Every other status is the library's documented answer to a bad input or option.
UNEXPLAINED_ERRORS = (pyjamaz.InternalError, pyjamaz.NotInitializedError, pyjamaz.OutOfMemoryError)
RESULT_FORMATS = frozenset({"jpeg", "png", "webp", "gif", "original"})
# libvips' worker threads may drop their last references just after the call returned: a counter gets
# this long to come back before it counts as a leak. A leak never comes back, however long one waits.
SETTLE_SECONDS = 0.25

Counters = dict[str, float]


class FuzzFinding(Exception):
    """An input that broke the contract: the message names the input and every problem seen."""


@dataclass(frozen=True)
class Outcome:
    """What the call did (a format name or an exception class) and the problems found, if any."""

    result: str
    problems: tuple[str, ...]


class InputRunner:
    """Holds the counter baseline (taken once the library is warm) and the temporary file the
    optimize_file() inputs are written to, rewritten in place so the open-fd count stays put."""

    def __init__(self) -> None:
        for backend in pyjamaz.BACKENDS:
            pyjamaz.get_backend(backend)
        self._directory = tempfile.TemporaryDirectory(prefix="pyjamaz-fuzz-")
        self.file_path = Path(self._directory.name) / "input.img"
        self.baseline = library_counters()

    def rebaseline(self) -> None:
        """Counters now as the baseline: each replayed input is then judged on its own."""
        self.baseline = library_counters()

    def run(self, fuzz_input: FuzzInput, backend: str | None = None) -> Outcome:
        """One input on `backend` (default: the one its header selects), then the counter check."""
        result = call_outcome(fuzz_input, backend or fuzz_input.backend, self.file_path)
        problems = result.problems + counter_problems(self.baseline, settled_counters(self.baseline))
        return Outcome(result.result, problems)

    def check(self, raw: bytes, backend: str | None = None) -> Outcome:
        """run() on raw fuzz bytes; raises FuzzFinding when anything is wrong."""
        fuzz_input = FuzzInput.decode(raw)
        outcome = self.run(fuzz_input, backend)
        if outcome.problems:
            raise FuzzFinding(f"{fuzz_input.describe()} -> {outcome.result}: " + "; ".join(outcome.problems))
        return outcome

    def close(self) -> None:
        self._directory.cleanup()


def call_outcome(fuzz_input: FuzzInput, backend: str, file_path: Path) -> Outcome:
    try:
        call = prepare_call(fuzz_input, backend, file_path)
    except (ValueError, TypeError) as exc:  # refused by the binding before any native call
        return Outcome(type(exc).__name__, ())
    allocations_before = pyjamaz.memory_stats().total_allocations
    try:
        result = call()
    except (ValueError, TypeError) as exc:
        # Fine when the binding refused the argument itself; every native optimize call allocates (at
        # least its result), so an allocation count that moved means the error came after the call.
        if pyjamaz.memory_stats().total_allocations == allocations_before:
            return Outcome(type(exc).__name__, ())
        return Outcome(type(exc).__name__, (f"{exc!r} raised after the native call",))
    except UNEXPLAINED_ERRORS as exc:
        return Outcome(type(exc).__name__, (f"unexplained status: {exc!r}",))
    except pyjamaz.PyjamazError as exc:
        if type(exc) is pyjamaz.PyjamazError:  # error_for() falls back to the base class for unknown codes
            return Outcome("PyjamazError", (f"status code {exc.code} is not in pyjamaz.h: {exc!r}",))
        return Outcome(type(exc).__name__, ())
    except Exception as exc:  # noqa: BLE001 - any other exception is what the fuzzer looks for
        return Outcome(type(exc).__name__, (f"undocumented exception from the call: {exc!r}",))
    return Outcome(result.format, result_problems(fuzz_input, result))


def prepare_call(
    fuzz_input: FuzzInput, backend: str, file_path: Path
) -> Callable[[], pyjamaz.OptimizeResult]:
    """The call for this input, its options already validated (or refused) by the binding."""
    data: object = fuzz_input.image
    if fuzz_input.flags & WRONG_TYPES and fuzz_input.flags & NATIVE_OPTIONS:
        data = fuzz_input.image.decode("latin-1")  # a str where the backend wants bytes
    if fuzz_input.flags & FROM_FILE:
        file_path.write_bytes(fuzz_input.image)
    if fuzz_input.flags & NATIVE_OPTIONS:
        native = pyjamaz.get_backend(backend)
        raw_options = fuzz_input.native_options()
        if fuzz_input.flags & FROM_FILE:
            return lambda: native.optimize_file(file_path, raw_options)
        return lambda: native.optimize(data, raw_options)  # type: ignore[arg-type]
    options = pyjamaz.Options(**fuzz_input.options_keywords())  # type: ignore[arg-type]
    if fuzz_input.flags & FROM_FILE:
        return lambda: pyjamaz.optimize_file(file_path, options=options, backend=backend)
    return lambda: pyjamaz.optimize(fuzz_input.image, options=options, backend=backend)


def result_problems(fuzz_input: FuzzInput, result: pyjamaz.OptimizeResult) -> tuple[str, ...]:
    """The promises of pyjamaz.h a successful result must keep. The original bytes win under their own
    format's name (requested or not), and compete only when no smaller image was asked for."""
    problems = []
    encoded = result.data != fuzz_input.image
    resize_asked = bool(fuzz_input.width_limit or fuzz_input.height_limit)
    requested = fuzz_input.formats & 0x0F
    if result.format not in RESULT_FORMATS:
        problems.append(f"result format {result.format!r} is not one the header lists")
    if result.size != len(result.data):
        problems.append(f"result size {result.size} but {len(result.data)} bytes copied")
    if not resize_asked and result.size > len(fuzz_input.image):
        problems.append(f"result of {result.size} bytes for a {len(fuzz_input.image)}-byte input")
    if resize_asked and encoded and not fits(result, fuzz_input):
        problems.append(
            f"{result.width}x{result.height} does not fit in "
            f"{fuzz_input.width_limit or '-'}x{fuzz_input.height_limit or '-'}"
        )
    if encoded and requested and not requested & int(pyjamaz.Format[result.format.upper()]):
        problems.append(f"encoded as {result.format}, not among the requested bits {requested:#x}")
    if fuzz_input.byte_budget and result.budget_met and result.size > fuzz_input.byte_budget:
        problems.append(f"budget_met with {result.size} bytes over a budget of {fuzz_input.byte_budget}")
    return tuple(problems)


def fits(result: pyjamaz.OptimizeResult, fuzz_input: FuzzInput) -> bool:
    return (not fuzz_input.width_limit or result.width <= fuzz_input.width_limit) and (
        not fuzz_input.height_limit or result.height <= fuzz_input.height_limit
    )


def settled_counters(baseline: Counters) -> Counters:
    """The counters now, or as soon as they are back at the baseline within SETTLE_SECONDS."""
    deadline = time.monotonic() + SETTLE_SECONDS
    counters = library_counters()
    while counter_problems(baseline, counters) and time.monotonic() < deadline:
        time.sleep(0.005)
        counters = library_counters()
    return counters


def counter_problems(baseline: Counters, now: Counters) -> tuple[str, ...]:
    problems = [
        f"{name} {baseline[name]:g} -> {now[name]:g}" for name in EXACT_COUNTERS if now[name] > baseline[name]
    ]
    problems += [
        f"{name} grew by {now[name] - baseline[name]:g} (> {bound:g})"
        for name, bound in BOUNDED_COUNTERS.items()
        if now[name] - baseline[name] > bound
    ]
    return tuple(problems)
