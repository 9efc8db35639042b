"""What each signal is called in a reason, its unit, and how it is judged."""

from __future__ import annotations

_LABELS = {
    "rss": "RSS",
    "vms": "VMS",
    "fds": "open file descriptors",
    "threads": "threads",
    "processes": "processes",
    "py_allocated_blocks": "Python allocated blocks",
    "preload_live_blocks": "live malloc blocks",
    "preload_live_bytes": "live malloc bytes",
    "py_tracemalloc_current": "Python traced memory",
    "py_tracemalloc_peak": "Python traced peak",
    "py_gc_objects": "Python GC objects",
    "v8_heap_used": "V8 heap used",
    "v8_external": "V8 external memory",
    "v8_array_buffers": "V8 array buffers",
}

_BYTE_COUNTERS = frozenset({
    "rss", "vms", "py_tracemalloc_current", "py_tracemalloc_peak",
    "v8_heap_used", "v8_external", "v8_array_buffers",
})


def label(name: str) -> str:
    return _LABELS.get(name, name)


def unit(name: str) -> str:
    """"bytes" or "count"."""
    return "bytes" if name in _BYTE_COUNTERS or name.endswith("bytes") else "count"


def is_high_water_mark(name: str) -> bool:
    """A peak only ever rises; its trend says nothing about what is still held."""
    return name.endswith("_peak")
