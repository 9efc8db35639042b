"""leakcheck's probe SDK for Python: a probe is a loop body; this package speaks protocol v2 around it.

Dependency-free (standard library only) and importable from any interpreter: `leakcheck run` puts the
directory holding this package at the front of every probe's PYTHONPATH, so a probe started by the user's
own venv or system interpreter writes ``from leakcheck_probe import run_probe, ProbeContext``. The
protocol and the other languages' SDKs are specified in leakcheck's docs/protocol.md.

Example::

    from leakcheck_probe import ProbeContext, run_probe

    def body(ctx: ProbeContext, i: int) -> None:
        ctx.state["last"] = bytes(1024)       # one call of the code under test

    def teardown(ctx: ProbeContext) -> None:
        ctx.check("calls_made", ctx.iterations, ">=", 1)

    run_probe("python.example", body, iterations=1000, teardown=teardown,
              counters=lambda: {"live_buffers": 1.0})
"""

from __future__ import annotations

from ._context import CHECK_OPS, ProbeContext
from ._events import EventWriter
from ._run import run_probe
from ._settings import PROTOCOL_VERSION, ProbeSettings, ProbeUsageError

__all__ = ["CHECK_OPS", "PROTOCOL_VERSION", "EventWriter", "ProbeContext", "ProbeSettings", "ProbeUsageError",
           "run_probe"]
__version__ = "0.1.0"
