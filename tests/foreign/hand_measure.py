"""The truth of each foreign case, measured by hand without leakcheck.

Run with the interpreter of a venv that has the package: ``python hand_measure.py CASE [N]``.
It calls the case's function N times (after 1,000 warm-up calls, so that a bounded cache has
filled; 3,000 more once tracemalloc is on) and prints one JSON line: live Python blocks
(``sys.getallocatedblocks``), RSS and tracemalloc's traced bytes gained per call, each over its own
run of calls.
"""

import contextlib
import gc
import itertools
import json
import os
import sys
import tracemalloc


def ujson_dump_failing_write():
    import ujson

    class FailingFile:
        def write(self, s):
            raise OSError("disk full")

    payload = {"rows": ["x" * 100] * 10}

    def call():
        with contextlib.suppress(OSError):
            ujson.dump(payload, FailingFile())

    return call


def ujson_default_non_ascii():
    import ujson

    class Price:
        def __init__(self, amount):
            self.amount = amount

        def __str__(self):
            return f"{self.amount} €"

    item = {"price": Price(12)}
    return lambda: ujson.dumps(item, default=str)


def orjson_default_raises():
    import orjson

    class Unserializable:
        def __init__(self):
            self.blob = bytearray(1000)

    def default(obj):
        raise TypeError("cannot serialize")

    def call():
        with contextlib.suppress(TypeError):
            orjson.dumps({"item": Unserializable()}, default=default)

    return call


def msgpack_invalid_nested():
    import msgpack

    data = bytes([0x91] * 16 + [0xC1])

    def call():
        with contextlib.suppress(msgpack.FormatError):
            msgpack.unpackb(data)

    return call


def regex_pattern_cache():
    import regex

    text = "the quick brown fox jumps over the lazy dog " * 4
    counter = itertools.count()
    return lambda: regex.search(rf"\b(?:fox|w{next(counter)})\w*\s+(\w+)", text)


CASES = {f.__name__: f for f in (ujson_dump_failing_write, ujson_default_non_ascii,
                                 orjson_default_raises, msgpack_invalid_nested, regex_pattern_cache)}


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def measure(name, n=20000):
    call = CASES[name]()
    for _ in range(1000):
        call()
    gc.collect()
    blocks0, rss0 = sys.getallocatedblocks(), rss()
    for _ in range(n):
        call()
    gc.collect()
    blocks1, rss1 = sys.getallocatedblocks(), rss()
    tracemalloc.start()
    for _ in range(3000):   # until a bounded cache holds only entries made while tracing
        call()
    gc.collect()
    traced0 = tracemalloc.get_traced_memory()[0]
    traced_n = max(n // 10, 1000)
    for _ in range(traced_n):
        call()
    gc.collect()
    traced1 = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return {"case": name, "calls": n,
            "blocks_per_call": round((blocks1 - blocks0) / n, 3),
            "rss_bytes_per_call": round((rss1 - rss0) / n, 1),
            "traced_bytes_per_call": round((traced1 - traced0) / traced_n, 1)}


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20000)))
