"""The uncaught exception named in a FAIL reason, as each language prints it on stderr."""

from __future__ import annotations

import pytest

from leakcheck.runner.exceptions import MAX_LENGTH, uncaught_exception

PYTHON_TRACEBACK = """Traceback (most recent call last):
  File "probe.py", line 3, in body
    raise ValueError("first")
ValueError: first

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "probe.py", line 5, in body
    raise KeyError("k")
KeyError: 'k'
"""
NODE_SDK = """leakcheck probe node.x: TypeError: Cannot read properties of undefined (reading 'free')
    at body (/p/x.js:10:3)
    at async runProbe (/p/sdk.js:148:5)
"""
NODE_UNCAUGHT = """/p/x.js:10
    throw new Error('boom');
    ^

Error: boom
    at Object.<anonymous> (/p/x.js:10:11)

Node.js v20.20.2
"""


@pytest.mark.parametrize(("stderr", "expected"), [
    (PYTHON_TRACEBACK, "KeyError: 'k'"),
    (NODE_SDK, "TypeError: Cannot read properties of undefined (reading 'free')"),
    (NODE_UNCAUGHT, "Error: boom"),
    ("probe zig.file_memory failed: OutOfMemory\n", "error.OutOfMemory"),
    ("error: FileNotFound\n/p/main.zig:3:5: 0x10 in main\n", "error.FileNotFound"),
    ("Traceback (most recent call last):\nKeyboardInterrupt\n", "KeyboardInterrupt"),
])
def test_the_last_exception_line_is_named(stderr: str, expected: str) -> None:
    assert uncaught_exception(stderr) == expected


@pytest.mark.parametrize("stderr", ["", "VIPS-WARNING: something odd\n", "exit requested\n", "an Error happened\n"])
def test_no_exception_line_names_nothing(stderr: str) -> None:
    assert uncaught_exception(stderr) is None


def test_a_long_message_is_shortened() -> None:
    named = uncaught_exception("RuntimeError: " + "x" * 1000)
    assert named is not None and len(named) == MAX_LENGTH and named.endswith("…")
