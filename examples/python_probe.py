"""A leak probe for your own library, in Python: here the library is libc (strdup/free) through ctypes.

EXAMPLE_LEAK=1 skips the free, so the probe shows what a leak looks like to leakcheck.
"""

import ctypes
import os

from leakcheck_probe import ProbeContext, run_probe

# CDLL(None): the process's own symbols, so that free is the one every library calls. A handle to libc itself
# (CDLL("libc.so.6")) would hand out libc's free past the preload counter, which then sees strdup's blocks
# allocated and never freed (README: the preload counter's limits).
libc = ctypes.CDLL(None)
libc.strdup.restype = ctypes.c_void_p
libc.strdup.argtypes = [ctypes.c_char_p]
libc.free.argtypes = [ctypes.c_void_p]

TEXT = b"x" * 16384
LEAK = os.environ.get("EXAMPLE_LEAK") == "1"
live = {"strings": 0}


def body(ctx: ProbeContext, i: int) -> None:
    copy = libc.strdup(TEXT)  # the call under test
    live["strings"] += 1
    if not LEAK:
        libc.free(copy)
        live["strings"] -= 1


run_probe("python.strdup", body, iterations=300, counters=lambda: {"live_strings": live["strings"]})
