"""Both backends release the GIL during optimize: measured, not assumed. If a backend held it, no
other Python thread could run while one thread is inside the native call (loading the library with
ctypes.PyDLL, which keeps the GIL, makes the first test fail with 0 steps)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pyjamaz
import pytest

# One encoder, one thread inside the library: any overlap seen comes from Python threads.
OPTIONS = pyjamaz.Options(formats=("jpeg", "webp"), concurrency=1)


def timed_optimize(data: bytes, backend: str) -> tuple[float, float]:
    start = time.perf_counter()
    pyjamaz.optimize(data, options=OPTIONS, backend=backend)
    return start, time.perf_counter()


def test_python_keeps_running_during_a_native_call(photo: bytes, backend: str) -> None:
    stop = threading.Event()
    steps: list[float] = []

    def count_steps() -> None:
        while not stop.is_set():
            steps.append(time.perf_counter())

    counter = threading.Thread(target=count_steps)
    counter.start()
    try:
        start, end = timed_optimize(photo, backend)
    finally:
        stop.set()
        counter.join()
    # Leave out the edges of the call, where its Python-side work (options, copying) runs.
    margin = (end - start) * 0.2
    inside = [t for t in steps if start + margin < t < end - margin]
    assert len(inside) > 100, (
        f"{len(inside)} Python steps ran during {1000 * (end - start):.0f} ms of optimize"
    )


@pytest.mark.parametrize("threads", [8])
def test_threads_agree_with_a_single_thread(photo: bytes, threads: int) -> None:
    expected = pyjamaz.optimize(photo, options=OPTIONS)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(
            pool.map(
                lambda i: pyjamaz.optimize(photo, options=OPTIONS, backend=pyjamaz.BACKENDS[i % 2]),
                range(threads),
            )
        )
    assert all(result == expected for result in results)
