"""Every error path raises its own PyjamazError subclass with the library's message."""

from __future__ import annotations

import functools
from pathlib import Path

import pyjamaz
import pytest
from corpus import Corpus
from pyjamaz._errors import error_for


def test_every_status_has_its_class() -> None:
    assert sorted(pyjamaz.ERROR_CLASSES) == list(range(1, 12))
    for code, cls in pyjamaz.ERROR_CLASSES.items():
        assert issubclass(cls, pyjamaz.PyjamazError) and cls.code == code
        error = error_for(code, "text")
        assert type(error) is cls and error.code == code and error.message == "text"
    assert set(pyjamaz.ERROR_NAMES.values()) == set(pyjamaz.ERROR_CLASSES.values())


def test_unknown_status_is_the_base_class() -> None:
    error = error_for(99, "new")
    assert type(error) is pyjamaz.PyjamazError and error.code == 99 and str(error) == "new (status 99)"


def test_library_describes_every_status(backend: str) -> None:
    library = pyjamaz.get_backend(backend)
    messages = {library.status_message(code) for code in range(12)}
    assert len(messages) == 12 and all(messages)
    assert library.status_message(1234)  # unknown codes get a text too


def expect(error: type[pyjamaz.PyjamazError], call: object) -> pyjamaz.PyjamazError:
    with pytest.raises(error) as caught:
        assert callable(call)
        call()
    assert caught.value.code == error.code and caught.value.message
    return caught.value


def test_empty_input(backend: str) -> None:
    expect(pyjamaz.EmptyInputError, lambda: pyjamaz.optimize(b"", backend=backend))


def test_garbage(backend: str) -> None:
    expect(pyjamaz.UnsupportedFormatError, lambda: pyjamaz.optimize(b"\x13" * 500, backend=backend))


def test_malformed_corpus_files(corpus: Corpus, backend: str) -> None:
    assert corpus.malformed, "the corpus has no malformed files"
    for item in corpus.malformed:
        error = pyjamaz.ERROR_NAMES[item.expect]
        expect(error, functools.partial(pyjamaz.optimize, item.read(), backend=backend))
        expect(error, functools.partial(pyjamaz.optimize_file, item.path, backend=backend))


def test_pixel_and_input_limits(photo: bytes, backend: str) -> None:
    expect(pyjamaz.TooManyPixelsError, lambda: pyjamaz.optimize(photo, max_pixels=100, backend=backend))
    expect(pyjamaz.InputTooLargeError, lambda: pyjamaz.optimize(photo, max_input_bytes=10, backend=backend))


def test_unreadable_path(backend: str, tmp_path: Path) -> None:
    error = expect(
        pyjamaz.FileReadError, lambda: pyjamaz.optimize_file(tmp_path / "missing.jpg", backend=backend)
    )
    assert isinstance(error, pyjamaz.PyjamazError)
    with pytest.raises(ValueError, match="NUL"):
        pyjamaz.optimize_file("a\0b", backend=backend)
    with pytest.raises(TypeError, match="path must be"):
        pyjamaz.optimize_file(42, backend=backend)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "options",
    [
        pyjamaz.NativeOptions(concurrency=999),
        pyjamaz.NativeOptions(formats=1 << 9),
        pyjamaz.NativeOptions(max_diff=-1.0),
    ],
)
def test_library_checks_options_itself(photo: bytes, backend: str, options: pyjamaz.NativeOptions) -> None:
    expect(pyjamaz.InvalidArgumentError, lambda: pyjamaz.get_backend(backend).optimize(photo, options))


def test_not_initialized_after_every_reference_is_released(photo: bytes, backend: str) -> None:
    released = 0
    try:
        while pyjamaz.is_initialized(backend=backend):
            pyjamaz.shutdown(backend=backend)
            released += 1
        expect(pyjamaz.NotInitializedError, lambda: pyjamaz.optimize(photo, backend=backend))
    finally:
        for _ in range(released):
            pyjamaz.init(backend=backend)
    assert released >= 1 and pyjamaz.optimize(photo, backend=backend).size > 0


def test_wrong_input_types(backend: str) -> None:
    for bad in ("text", None, 12, [1, 2]):
        with pytest.raises(TypeError, match="data must be bytes"):
            pyjamaz.optimize(bad, backend=backend)  # type: ignore[arg-type]
