"""The preload counter: a small C library (``leakcheck_preload.c`` beside this file) that the runner
LD_PRELOADs into every probe (unless ``preload = false``, and never under ``--tool``) to count the live blocks
and bytes of the malloc family in any process, with no SDK and no change to the code under test.

The library is built on first use with the system C compiler into a cache keyed by the source's and the
compiler's hash (``build``), so an installed leakcheck needs no set-up step; without a compiler a probe runs
without it and its result says why. ``python -m leakcheck.sdk.preload`` builds it and prints its path.

Each process the library is loaded into publishes its figures in ``$LEAKCHECK_PRELOAD_DIR/<pid>.counters``
(docs/protocol.md, "The preload counter"): the SDKs add them to every tick, the harness reads the probe's
exit snapshot from it (``leakcheck.sdk.preload.files``).
"""

from leakcheck.sdk.preload.build import (
    DIRECTORY_VARIABLE,
    LIBRARY_NAME,
    SOURCE,
    Build,
    build,
    cache_directory,
)
from leakcheck.sdk.preload.environment import with_preload, without_preload
from leakcheck.sdk.preload.files import exit_snapshot

__all__ = ["DIRECTORY_VARIABLE", "LIBRARY_NAME", "SOURCE", "Build", "build", "cache_directory", "exit_snapshot",
           "with_preload", "without_preload"]
