"""libpyjamaz's exact figures as the Python probes and the fuzz checks read them, and which of them must
come back to their baseline (exact) or stay within a bound."""

from __future__ import annotations

import psutil
import pyjamaz

# Counters that must return exactly to their baseline once every result is freed.
EXACT_COUNTERS = (
    "lib_live_bytes",
    "lib_live_allocations",
    "vips_tracked_files",
    "vips_live_objects",
    "live_results",
    "open_fds",
)
# libvips keeps a few tracked buffers in its worker threads between calls (seen: 3 buffers, 36 KB, held
# across ~10 calls after a failed decode, then freed) with no live object: bounded, not exact. A dropped
# image reference still shows exactly, in vips_live_objects.
BOUNDED_COUNTERS = {"vips_tracked_bytes": 256 * 1024, "vips_tracked_allocations": 16}


def library_counters() -> dict[str, float]:
    """libpyjamaz's exact figures (process-wide, so either backend reads them) and open file descriptors."""
    values: dict[str, float] = dict(pyjamaz.memory_stats().counters())
    values["open_fds"] = float(psutil.Process().num_fds())
    return values
