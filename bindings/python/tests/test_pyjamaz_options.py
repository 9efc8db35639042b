"""Argument validation: wrong types and values raise TypeError/ValueError before any native call."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pyjamaz
import pytest
from pyjamaz import Format, Options


def test_defaults_mean_no_limits() -> None:
    native = Options().to_native()
    assert native == pyjamaz.NativeOptions()


@pytest.mark.parametrize(
    ("formats", "bits"),
    [
        (None, 0),
        ("jpeg", 1),
        ("JPG", 1),
        (["png", "webp"], 2 | 4),
        (Format.GIF, 8),
        ((Format.JPEG, "gif"), 1 | 8),
        (Format.JPEG | Format.WEBP, 1 | 4),
    ],
)
def test_formats_become_bits(formats: Any, bits: int) -> None:
    assert Options(formats=formats).to_native().formats == bits


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        ({"formats": ["bmp"]}, ValueError, "unknown format 'bmp'"),
        ({"formats": []}, ValueError, "formats is empty"),
        ({"formats": Format.ORIGINAL}, ValueError, "not an output format"),
        ({"formats": 3}, TypeError, "formats must be"),
        ({"formats": [3]}, TypeError, "a format must be a name"),
        ({"max_bytes": -1}, ValueError, "max_bytes must be between 0"),
        ({"max_bytes": 1.5}, TypeError, "max_bytes must be an int"),
        ({"max_bytes": True}, TypeError, "max_bytes must be an int"),
        ({"max_width": 2**32}, ValueError, "max_width must be between 0 and 4294967295"),
        ({"max_height": -5}, ValueError, "max_height"),
        ({"concurrency": 17}, ValueError, "concurrency must be between 0 and 16"),
        ({"max_diff": -0.1}, ValueError, "max_diff must be a finite number"),
        ({"max_diff": math.nan}, ValueError, "max_diff must be a finite number"),
        ({"max_diff": "0.1"}, TypeError, "max_diff must be a number"),
        ({"strip": 1}, TypeError, "strip must be a bool"),
        ({"max_pixels": -1}, ValueError, "max_pixels"),
    ],
)
def test_bad_options_are_refused(kwargs: dict[str, Any], error: type[Exception], text: str) -> None:
    with pytest.raises(error, match=text):
        Options(**kwargs)


def test_bad_arguments_fail_before_the_library_is_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    # The library path is broken on purpose: validation must not reach a native call.
    monkeypatch.setenv(pyjamaz.LIB_PATH_ENV, "/nonexistent/libpyjamaz.so")
    with pytest.raises(ValueError, match="max_bytes"):
        pyjamaz.optimize(b"x", max_bytes=-1)
    with pytest.raises(TypeError, match="pass either options= or keyword limits"):
        pyjamaz.optimize(b"x", options=Options(), max_width=3)
    with pytest.raises(TypeError, match=r"options must be a pyjamaz\.Options"):
        pyjamaz.optimize(b"x", options={"max_width": 3})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown backend 'numpy'"):
        pyjamaz.optimize(b"x", backend="numpy")


def test_result_repr_leaves_out_the_bytes() -> None:
    result = pyjamaz.OptimizeResult(b"\xff" * 1000, "jpeg", 1000, 80, 0.001, 10, 10, True, True, 3)
    assert "\\xff" not in repr(result) and "format='jpeg'" in repr(result)


def test_validated_options_can_be_replaced() -> None:
    options = Options(formats=["jpeg", "webp"], max_width=10)
    assert options.formats == Format.JPEG | Format.WEBP
    changed = dataclasses.replace(options, concurrency=2)
    assert changed.to_native() == pyjamaz.NativeOptions(formats=1 | 4, max_width=10, concurrency=2)
    assert dataclasses.replace(Options(), max_bytes=5).formats is None
