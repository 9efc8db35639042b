"""The probe protocol (v1 and v2, docs/protocol.md): parses the probe's event lines and keeps what the verdict
needs (the plan a v2 hello announces, phase, ticks, checks, done)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any, TypeGuard

from leakcheck.results import MEMORY_TICKS, TICK_KEEP, Check, Hello, Tick
from leakcheck.thinning import Thinned

PROTOCOL_VERSION = 2
"""The newest version; a probe may speak any of SUPPORTED_PROTOCOLS."""
SUPPORTED_PROTOCOLS = (1, 2)
PHASES = ("setup", "warmup", "measure", "teardown")
MAX_LINE_BYTES = 1 << 20


class ProtocolError(Exception):
    pass


class ProtocolReader:
    """Fed raw bytes from the pipe; parses complete lines into state. Errors are kept, never raised out."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._buffer = b""
        self._line_number = 0
        self.hello: dict[str, Any] | None = None
        self.announced: Hello | None = None
        """The hello as read: a v2 one carries the probe's plan (iterations, warm-up)."""
        self.phase = "start"
        self.phase_started: dict[str, float] = {}
        self.last_tick: int | None = None
        self.ticks: Thinned[Tick] = Thinned(MEMORY_TICKS, TICK_KEEP)
        """Bounded however long the probe runs (leakcheck.thinning); the whole stream is in events.jsonl."""
        self.checks: list[Check] = []
        self.checks_dropped = 0
        """Checks beyond MAX_CHECKS that passed (a probe that checks every iteration of an hour-long run)."""
        self.done_iterations: int | None = None
        self.error: str | None = None
        self.last_event_at: float | None = None

    def feed(self, data: bytes) -> None:
        self._buffer += data
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            self._line(line)
        if len(self._buffer) > MAX_LINE_BYTES:
            self._fail(f"line {self._line_number + 1} is longer than {MAX_LINE_BYTES} bytes")
            self._buffer = b""

    def finish(self) -> None:
        """The pipe closed: a partial last line is an error (the probe died mid-write, or wrote no newline)."""
        if self._buffer.strip():
            self._line(self._buffer)
            self._buffer = b""

    def _line(self, raw: bytes) -> None:
        self._line_number += 1
        if self.error is not None or not raw.strip():
            return
        try:
            event = json.loads(raw)
            if not isinstance(event, dict) or not isinstance(event.get("event"), str):
                raise ProtocolError("is not a JSON object with an \"event\" name")
            self._apply(event)
        except (ValueError, ProtocolError) as exc:
            shown = raw[:120].decode("utf-8", "replace")
            self._fail(f"line {self._line_number} {exc if isinstance(exc, ProtocolError) else 'is not JSON'}: "
                       f"{shown!r}")
        self.last_event_at = self._clock()

    def _fail(self, message: str) -> None:
        if self.error is None:
            self.error = f"protocol error: {message}"

    def _apply(self, event: dict[str, Any]) -> None:
        kind = event["event"]
        if self.hello is None and kind != "hello":
            raise ProtocolError(f"comes before hello (event {kind!r})")
        handler = _HANDLERS.get(kind)
        if handler is None:
            raise ProtocolError(f"has an unknown event {kind!r}")
        handler(self, event)

    def _on_hello(self, event: dict[str, Any]) -> None:
        if self.hello is not None:
            raise ProtocolError("repeats hello")
        version = event.get("protocol")
        if version not in SUPPORTED_PROTOCOLS or isinstance(version, bool):
            raise ProtocolError(f"speaks protocol {version!r}, leakcheck speaks "
                                f"{' and '.join(map(str, SUPPORTED_PROTOCOLS))}")
        self.announced = _hello(event, version)
        self.hello = event

    def _on_phase(self, event: dict[str, Any]) -> None:
        name = event.get("name")
        if name not in PHASES:
            raise ProtocolError(f"names an unknown phase {name!r} (allowed: {', '.join(PHASES)})")
        self.phase = str(name)
        self.phase_started[self.phase] = self._clock()

    def _on_tick(self, event: dict[str, Any]) -> None:
        i = event.get("i")
        counters = event.get("counters", {})
        if not isinstance(i, int) or isinstance(i, bool) or i < 0:
            raise ProtocolError(f"has a tick without a whole iteration i ({i!r})")
        if not isinstance(counters, dict) or not all(_is_number(v) for v in counters.values()):
            raise ProtocolError("has tick counters that are not a table of numbers")
        self.last_tick = i
        self.ticks.append(Tick(self._clock(), i, self.phase, {str(k): float(v) for k, v in counters.items()}))

    def _on_check(self, event: dict[str, Any]) -> None:
        try:
            check = Check(str(event["name"]), float(event["value"]), str(event["op"]), float(event["limit"]),
                          bool(event["ok"]))
        except (KeyError, TypeError, ValueError):
            raise ProtocolError("has a check without name, value, op, limit and ok") from None
        if len(self.checks) < MAX_CHECKS or (not check.ok and len(self.checks) < MAX_CHECKS + MAX_FAILED_BEYOND):
            self.checks.append(check)
        else:
            self.checks_dropped += 1

    def _on_done(self, event: dict[str, Any]) -> None:
        iterations = event.get("iterations")
        if not isinstance(iterations, int) or isinstance(iterations, bool):
            raise ProtocolError(f"has done without a whole iterations count ({iterations!r})")
        self.done_iterations = iterations

    @property
    def failed_checks(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]


MAX_CHECKS = 1_000
MAX_FAILED_BEYOND = 100
"""Memory stays bounded however many checks a probe writes: the first MAX_CHECKS are kept, then only failing
ones, up to MAX_FAILED_BEYOND more; the rest are counted."""


def _hello(event: dict[str, Any], version: int) -> Hello:
    """v2 makes the plan part of hello: the iterations the probe will run, the warm-up among them."""
    probe, lang = event.get("probe"), event.get("lang")
    if version == 1:
        return Hello(1, probe if isinstance(probe, str) else None, lang if isinstance(lang, str) else None)
    if not isinstance(probe, str) or not probe or not isinstance(lang, str) or not lang:
        raise ProtocolError("has a protocol 2 hello without its probe and lang names")
    iterations, warmup = event.get("iterations"), event.get("warmup")
    if not _is_whole(iterations) or iterations < 1:
        raise ProtocolError(f"has a protocol 2 hello without a whole iterations count of at least 1 ({iterations!r})")
    if not _is_whole(warmup) or not 0 <= warmup < iterations:
        raise ProtocolError(f"has a protocol 2 hello whose warmup ({warmup!r}) is not a whole number below "
                            f"its iterations ({iterations})")
    return Hello(2, probe, lang, iterations, warmup)


def _is_whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


_HANDLERS: dict[str, Callable[[ProtocolReader, dict[str, Any]], None]] = {
    "hello": ProtocolReader._on_hello,
    "phase": ProtocolReader._on_phase,
    "tick": ProtocolReader._on_tick,
    "check": ProtocolReader._on_check,
    "done": ProtocolReader._on_done,
}
