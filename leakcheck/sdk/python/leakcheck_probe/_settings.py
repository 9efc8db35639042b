"""A probe's parameters, read from the LEAKCHECK_* environment the harness sets."""

from __future__ import annotations

import os
from dataclasses import dataclass

PROTOCOL_VERSION = 2
TICKS_PER_RUN = 200
"""About this many ticks per run, so the event volume does not grow with the iterations."""


class ProbeUsageError(Exception):
    """A bad parameter given to the probe (environment or arguments); reported without a traceback."""


@dataclass(frozen=True)
class ProbeSettings:
    """The plan of one run: announced in ``hello`` and followed by the phases."""

    iterations: int
    warmup: int
    """Iterations 0 .. warmup-1 are the warm-up; the measure phase starts at iteration ``warmup``."""
    seed: int
    suite: str
    tick_every: int

    @classmethod
    def from_environment(cls, default_iterations: int, tick_every: int | None = None, *,
                         fixed_iterations: int | None = None) -> ProbeSettings:
        """LEAKCHECK_ITERATIONS (else `default_iterations`), unless `fixed_iterations` overrides both."""
        if fixed_iterations is not None:
            iterations = _checked("fixed_iterations", fixed_iterations, minimum=1)
        else:
            iterations = env_int("LEAKCHECK_ITERATIONS", default_iterations, minimum=1)
        warmup = env_int("LEAKCHECK_WARMUP", default_warmup(iterations), minimum=0)
        if warmup >= iterations:
            raise ProbeUsageError(f"LEAKCHECK_WARMUP={warmup} must be less than the iterations ({iterations})")
        if tick_every is not None:
            _checked("tick_every", tick_every, minimum=1)
        return cls(
            iterations=iterations,
            warmup=warmup,
            seed=env_int("LEAKCHECK_SEED", 0, minimum=0),
            suite=os.environ.get("LEAKCHECK_SUITE") or "fast",
            tick_every=tick_every or max(1, iterations // TICKS_PER_RUN),
        )

    def ticks_at(self, i: int) -> bool:
        """Every `tick_every`-th iteration, the first measured one (the counters' baseline) and the last."""
        return i % self.tick_every == 0 or i == self.warmup or i == self.iterations - 1


def default_warmup(iterations: int) -> int:
    """A tenth of the run, at least one iteration, always leaving one to measure."""
    return min(iterations - 1, max(1, iterations // 10))


def env_int(variable: str, default: int, *, minimum: int) -> int:
    raw = os.environ.get(variable)
    if raw is None or raw.strip() == "":
        return default
    return parse_int(variable, raw, minimum=minimum)


def parse_int(variable: str, raw: str, *, minimum: int) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ProbeUsageError(f"{variable}={raw!r} is not an integer") from None
    return _checked(variable, value, minimum=minimum)


def _checked(name: str, value: int, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProbeUsageError(f"{name}={value!r} is not an integer")
    if value < minimum:
        raise ProbeUsageError(f"{name}={value} must be at least {minimum}")
    return value
