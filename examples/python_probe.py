"""A leak probe for your own library, in Python: here the library is libc (strdup/free) through ctypes.

EXAMPLE_LEAK=1 skips the free, so the probe shows what a leak looks like to leakcheck.
"""

import ctypes
import ctypes.util
import os

from leakcheck_probe import ProbeContext, run_probe

libc = ctypes.CDLL(ctypes.util.find_library("c"))
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
