"""The uncaught exception a probe died of, read from its stderr, so a FAIL says what went wrong."""

from __future__ import annotations

import re

MAX_LENGTH = 200
# Python's last traceback line and Node's first stack line ("Error: message", "TypeError: message"),
# with or without the probe SDK's "leakcheck probe NAME: " prefix.
_EXCEPTION = re.compile(r"^(?:leakcheck probe \S+: )?(?:Uncaught )?"
                        r"(?P<text>(?:[A-Za-z_][\w.]*)?(?:Error|Exception|Interrupt)(?:: .*)?)$")
# Zig: an error returned out of the probe SDK's run (or out of main).
_ZIG_ERROR = re.compile(r"^(?:probe \S+ failed|error): (?P<name>[A-Za-z_]\w*)$")


def uncaught_exception(stderr_text: str) -> str | None:
    """The last exception line of `stderr_text` ("RuntimeError: boom", "error.OutOfMemory"), else None."""
    for raw in reversed(stderr_text.splitlines()):
        line = raw.strip()
        if match := _EXCEPTION.match(line):
            return _shorten(match["text"])
        if match := _ZIG_ERROR.match(line):
            return f"error.{match['name']}"
    return None


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_LENGTH else text[: MAX_LENGTH - 1] + "…"


_SDK_MISSING = (
    re.compile(r"ModuleNotFoundError: No module named '(?P<name>leakcheck_probe)'"),
    re.compile(r"Cannot find module '(?P<name>leakcheck-probe)'"),
)


def sdk_not_importable(stderr_text: str) -> str | None:
    """Why a probe that died before its hello could not load its SDK (Python, Node), else None. The runner
    puts the SDKs on the probe's path; an interpreter that ignores it (python -I or -E) cannot see them."""
    for pattern in _SDK_MISSING:
        if match := pattern.search(stderr_text):
            return (f"the probe cannot load the SDK {match['name']!r} (leakcheck puts it on PYTHONPATH and "
                    "NODE_PATH: does the interpreter ignore them, as python -I and -E do?)")
    return None
