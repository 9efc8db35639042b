"""optimize() and friends on the real library, on both backends: outputs decode (checked by libvips'
own command-line tools), limits are met, outputs are never larger than inputs, backends agree."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pyjamaz
import pytest
from corpus import Corpus

VIPSHEADER = shutil.which("vipsheader")
SUFFIX = {"jpeg": ".jpg", "png": ".png", "webp": ".webp", "gif": ".gif"}


def decoded_size(data: bytes, fmt: str, directory: Path) -> tuple[int, int]:
    """Width and height after a full decode by libvips' CLI (`vips avg` reads every pixel)."""
    if VIPSHEADER is None:
        pytest.fail("vipsheader is missing: install libvips-tools (scripts/setup.sh does)")
    path = directory / f"output{SUFFIX.get(fmt, '.bin')}"
    path.write_bytes(data)
    subprocess.run(["vips", "avg", str(path)], check=True, capture_output=True, timeout=60)
    fields = [
        int(
            subprocess.run(
                [VIPSHEADER, "-f", name, str(path)], check=True, capture_output=True, text=True, timeout=60
            ).stdout
        )
        for name in ("width", "height")
    ]
    return fields[0], fields[1]


def test_version_and_formats(backend: str) -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", pyjamaz.version(backend=backend))
    assert {"jpeg", "png"} <= pyjamaz.supported_formats(backend=backend)
    assert pyjamaz.is_initialized(backend=backend)


def test_every_output_decodes_and_is_never_larger(corpus: Corpus, backend: str, tmp_path: Path) -> None:
    for image in corpus.images:
        data = image.read()
        result = pyjamaz.optimize(data, backend=backend)
        assert result.size == len(result.data) <= len(data), image.path.name
        fmt = result.format if result.format != "original" else image.format
        assert decoded_size(result.data, fmt, tmp_path) == (result.width, result.height), image.path.name
        assert result.candidates >= 1


def test_budget_is_met(photo: bytes, backend: str) -> None:
    budget = len(photo) // 2
    result = pyjamaz.optimize(photo, max_bytes=budget, formats=("jpeg", "webp"), backend=backend)
    assert result.budget_met and result.size <= budget


def test_max_diff_is_met(photo: bytes, backend: str) -> None:
    result = pyjamaz.optimize(photo, max_diff=0.01, formats="jpeg", backend=backend)
    assert result.diff_met and result.diff <= 0.01


def test_downscale_fits(photo: bytes, backend: str) -> None:
    result = pyjamaz.optimize(photo, max_width=40, max_height=30, backend=backend)
    assert result.width <= 40 and result.height <= 30


def test_format_choice_is_respected(photo: bytes, backend: str) -> None:
    result = pyjamaz.optimize(photo, formats="webp", backend=backend)
    assert result.format in {"webp", "jpeg", "original"}  # the original bytes stay a candidate
    assert result.format != "png"


def test_backends_give_identical_results(corpus: Corpus) -> None:
    for image in corpus.images:
        data = image.read()
        by_ctypes = pyjamaz.optimize(data, backend="ctypes")
        by_cffi = pyjamaz.optimize(data, backend="cffi")
        assert by_ctypes == by_cffi, image.path.name


def test_buffer_shapes_and_files_agree(corpus: Corpus, backend: str) -> None:
    image = corpus.images[0]
    data = image.read()
    expected = pyjamaz.optimize(data, backend=backend)
    padded = bytearray(b"\0" * 7) + data
    assert pyjamaz.optimize(bytearray(data), backend=backend) == expected
    assert pyjamaz.optimize(memoryview(padded)[7:], backend=backend) == expected
    assert pyjamaz.optimize(memoryview(data), backend=backend) == expected
    assert pyjamaz.optimize_file(image.path, backend=backend) == expected
    assert pyjamaz.optimize_file(str(image.path).encode(), backend=backend) == expected


def test_native_memory_is_released_after_each_call(photo: bytes, backend: str) -> None:
    pyjamaz.optimize(photo, backend=backend)  # first call: let lazily built state settle
    before = pyjamaz.memory_stats(backend=backend)
    for _ in range(3):
        pyjamaz.optimize(photo, backend=backend)
        with pytest.raises(pyjamaz.EmptyInputError):
            pyjamaz.optimize(b"", backend=backend)
    after = pyjamaz.memory_stats(backend=backend)
    assert after.live_results == before.live_results == 0
    assert after.live_bytes == before.live_bytes
    assert after.total_allocations > before.total_allocations  # the counters do move with work
