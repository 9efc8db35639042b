"""The protocol pipe: one JSON object per line on the file descriptor named by LEAKCHECK_FD."""

from __future__ import annotations

import json
import os
from typing import IO, Any

from ._settings import ProbeUsageError, parse_int


class EventWriter:
    """Writes one JSON object per line, flushed per line; a no-op without a pipe (a probe run by hand)."""

    def __init__(self, stream: IO[str] | None) -> None:
        self._stream = stream

    @classmethod
    def from_environment(cls) -> EventWriter:
        raw = os.environ.get("LEAKCHECK_FD")
        if raw is None or raw == "":
            return cls(None)
        fd = parse_int("LEAKCHECK_FD", raw, minimum=0)
        try:
            return cls(os.fdopen(fd, "w", buffering=1, encoding="utf-8", closefd=True))
        except OSError as exc:
            raise ProbeUsageError(f"LEAKCHECK_FD={raw} is not an open file descriptor ({exc.strerror})") from exc

    def emit(self, event: str, **fields: Any) -> None:
        if self._stream is None:
            return
        try:
            self._stream.write(json.dumps({"event": event, **fields}, separators=(",", ":")) + "\n")
            self._stream.flush()
        except BrokenPipeError:
            # The orchestrator went away; the probe keeps running and writes nowhere.
            self._stream = None
