"""Exceptions: one class per libpyjamaz status code, all under PyjamazError."""

from __future__ import annotations


class PyjamazError(Exception):
    """A libpyjamaz call failed; `code` is the pyjamaz_status value, `message` the library's text."""

    code: int = -1

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return f"{self.message} (status {self.code})"


class InvalidArgumentError(PyjamazError):
    code = 1


class EmptyInputError(PyjamazError):
    code = 2


class InputTooLargeError(PyjamazError):
    code = 3


class UnsupportedFormatError(PyjamazError):
    code = 4


class DecodeError(PyjamazError):
    code = 5


class TooManyPixelsError(PyjamazError):
    code = 6


class EncodeError(PyjamazError):
    code = 7


class OutOfMemoryError(PyjamazError):
    code = 8


class NotInitializedError(PyjamazError):
    code = 9


class FileReadError(PyjamazError):
    """PYJAMAZ_ERR_IO: pyjamaz_optimize_file could not read the path."""

    code = 10


class InternalError(PyjamazError):
    code = 11


class LibraryNotFoundError(PyjamazError):
    """libpyjamaz.so could not be loaded; the message lists every place that was tried."""

    code = -1


ERROR_CLASSES: dict[int, type[PyjamazError]] = {
    cls.code: cls
    for cls in (
        InvalidArgumentError,
        EmptyInputError,
        InputTooLargeError,
        UnsupportedFormatError,
        DecodeError,
        TooManyPixelsError,
        EncodeError,
        OutOfMemoryError,
        NotInitializedError,
        FileReadError,
        InternalError,
    )
}


# pyjamaz_status names without the PYJAMAZ_ERR_ prefix, as the corpus manifest spells them.
ERROR_NAMES: dict[str, type[PyjamazError]] = {
    "INVALID_ARGUMENT": InvalidArgumentError,
    "EMPTY_INPUT": EmptyInputError,
    "INPUT_TOO_LARGE": InputTooLargeError,
    "UNSUPPORTED_FORMAT": UnsupportedFormatError,
    "DECODE": DecodeError,
    "TOO_MANY_PIXELS": TooManyPixelsError,
    "ENCODE": EncodeError,
    "OUT_OF_MEMORY": OutOfMemoryError,
    "NOT_INITIALIZED": NotInitializedError,
    "IO": FileReadError,
    "INTERNAL": InternalError,
}


def error_for(code: int, message: str) -> PyjamazError:
    """The exception for a status code; codes this binding does not know become the base class."""
    cls = ERROR_CLASSES.get(code, PyjamazError)
    return cls(message, code)
