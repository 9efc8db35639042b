"""Real runs of an RSS rise the live malloc bytes do not show (anonymous mmap, outside malloc): run once 4×
longer, it stays a LEAK when it keeps growing and is cleared when it levels off (a pool of pages that
fills over the first run and then stops)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.abuse.cli import run_probe_source

# 16 KiB of anonymous, touched memory per call, up to POOL_CAP calls: RSS rises, malloc sees nothing.
MMAP_POOL = """\
    import ctypes, ctypes.util, os
    from leakcheck_probe import run_probe

    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
    PAGE_BYTES = 16 * 1024
    CAP = int(os.environ["POOL_CAP"])
    mapped = [0]

    def body(ctx, i):
        if mapped[0] < CAP:
            address = libc.mmap(None, PAGE_BYTES, 3, 0x22, -1, 0)  # PROT_READ|WRITE, MAP_PRIVATE|ANONYMOUS
            ctypes.memset(address, 1, PAGE_BYTES)
            mapped[0] += 1

    run_probe("python.probe", body)
"""
ITERATIONS = 1200
"""Above the escalation's CONFIRM_BELOW, so that only the disagreement with the malloc counter escalates."""


def _run(tmp_path: Path, pool_cap: int) -> dict[str, Any]:
    pool = f'env = {{ POOL_CAP = "{pool_cap}" }}\n'
    _, probe = run_probe_source(tmp_path, MMAP_POOL, iterations=ITERATIONS, extra=pool)
    return probe


def _failed(attempt: dict[str, Any]) -> set[str]:
    return {f["signal"] for f in attempt["findings"] if f["failed"]}


def test_an_rss_leak_outside_malloc_is_confirmed_by_a_longer_run(tmp_path: Path) -> None:
    probe = _run(tmp_path, pool_cap=10**9)
    first, second = probe["attempts"]
    assert (first["outcome"], _failed(first)) == ("LEAK", {"rss"})
    assert "live malloc bytes do not show" in second["escalation"]
    assert (probe["outcome"], second["iterations"]) == ("LEAK", 4 * ITERATIONS)


def test_an_rss_rise_that_levels_off_in_the_longer_run_is_cleared(tmp_path: Path) -> None:
    probe = _run(tmp_path, pool_cap=ITERATIONS)
    first, second = probe["attempts"]
    assert (first["outcome"], _failed(first)) == ("LEAK", {"rss"})
    assert (probe["outcome"], second["outcome"], second["iterations"]) == ("PASS", "PASS", 4 * ITERATIONS)
