"""Protocol parsing (v1 and v2): state kept from good lines, the first bad line named, nothing raised."""

from __future__ import annotations

import json

import pytest

from leakcheck.results import Hello
from leakcheck.runner.protocol import MAX_CHECKS, MAX_FAILED_BEYOND, ProtocolReader

HELLO = {"event": "hello", "probe": "python.x", "lang": "python", "protocol": 1, "pid": 1}
HELLO_V2 = {**HELLO, "protocol": 2, "iterations": 6, "warmup": 1}


def lines(*events: object) -> bytes:
    return b"".join((e if isinstance(e, bytes) else json.dumps(e).encode()) + b"\n" for e in events)


def reader_of(data: bytes, chunk: int = 7) -> ProtocolReader:
    reader = ProtocolReader(clock=lambda: 1.5)
    for start in range(0, len(data), chunk):  # split mid-line, as a pipe may
        reader.feed(data[start:start + chunk])
    reader.finish()
    return reader


def test_a_full_run_is_read_across_arbitrary_chunks() -> None:
    reader = reader_of(lines(HELLO, {"event": "phase", "name": "setup"}, {"event": "phase", "name": "measure"},
                             {"event": "tick", "i": 0, "counters": {"lib_live_bytes": 10}},
                             {"event": "tick", "i": 5},
                             {"event": "check", "name": "freed", "value": 0.8, "op": ">=", "limit": 0.7, "ok": True},
                             {"event": "phase", "name": "teardown"}, {"event": "done", "iterations": 6}))
    assert reader.error is None
    assert reader.phase == "teardown" and reader.last_tick == 5 and reader.done_iterations == 6
    assert [(t.i, t.phase, dict(t.counters)) for t in reader.ticks.items()] == [(0, "measure", {"lib_live_bytes": 10.0}),
                                                                        (5, "measure", {})]
    assert reader.checks[0].ok and not reader.failed_checks


@pytest.mark.parametrize(("data", "error"), [
    (lines({"event": "tick", "i": 0}), "protocol error: line 1 comes before hello (event 'tick')"),
    (lines(HELLO, b"{not json"), "protocol error: line 2 is not JSON: '{not json'"),
    (lines(HELLO, [1, 2]), "protocol error: line 2 is not a JSON object with an \"event\" name"),
    (lines(HELLO, {"event": "dance"}), "protocol error: line 2 has an unknown event 'dance'"),
    (lines({**HELLO, "protocol": 3}), "protocol error: line 1 speaks protocol 3, leakcheck speaks 1 and 2"),
    (lines({**HELLO, "protocol": True}), "protocol error: line 1 speaks protocol True"),
    (lines({**HELLO, "protocol": 2}), ("protocol error: line 1 has a protocol 2 hello without a whole iterations "
                                       "count of at least 1 (None)")),
    (lines({**HELLO_V2, "iterations": 0}), "protocol error: line 1 has a protocol 2 hello without a whole"),
    (lines({**HELLO_V2, "iterations": 6.0}), "protocol error: line 1 has a protocol 2 hello without a whole"),
    (lines({**HELLO_V2, "warmup": None}), "protocol error: line 1 has a protocol 2 hello whose warmup (None)"),
    (lines({**HELLO_V2, "warmup": 6}), ("protocol error: line 1 has a protocol 2 hello whose warmup (6) is not a "
                                        "whole number below its iterations (6)")),
    (lines({**HELLO_V2, "warmup": -1}), "protocol error: line 1 has a protocol 2 hello whose warmup (-1)"),
    (lines({k: v for k, v in HELLO_V2.items() if k != "lang"}),
     "protocol error: line 1 has a protocol 2 hello without its probe and lang names"),
    (lines(HELLO, {"event": "phase", "name": "lunch"}), "protocol error: line 2 names an unknown phase 'lunch'"),
    (lines(HELLO, {"event": "tick", "i": -1}), "protocol error: line 2 has a tick without a whole iteration"),
    (lines(HELLO, {"event": "tick", "i": 1, "counters": {"x": "big"}}),
     "protocol error: line 2 has tick counters that are not a table of numbers"),
    (lines(HELLO, {"event": "check", "name": "x"}), "protocol error: line 2 has a check without name, value"),
    (lines(HELLO) + b'{"event": "done", "iterations"', "protocol error: line 2 is not JSON"),
])
def test_bad_lines_are_errors_that_name_the_line(data: bytes, error: str) -> None:
    reader = reader_of(data)
    assert reader.error is not None and reader.error.startswith(error)


def test_state_stops_at_the_first_error() -> None:
    reader = reader_of(lines(HELLO, b"garbage", {"event": "tick", "i": 3}))
    assert reader.error is not None and "line 2" in reader.error
    assert reader.last_tick is None


def test_a_protocol_2_hello_carries_the_plan() -> None:
    reader = reader_of(lines(HELLO_V2, {"event": "done", "iterations": 6}))
    assert reader.error is None
    assert reader.announced == Hello(2, "python.x", "python", 6, 1)


def test_a_protocol_1_hello_has_names_and_no_plan() -> None:
    reader = reader_of(lines({**HELLO, "iterations": 9, "warmup": 3}))
    assert reader.error is None
    assert reader.announced == Hello(1, "python.x", "python", None, None)


def test_a_probe_that_checks_every_iteration_keeps_memory_bounded_and_every_failure_seen() -> None:
    def check(k: int, ok: bool) -> dict[str, object]:
        return {"event": "check", "name": f"c{k}", "value": 1, "op": "<=", "limit": 2, "ok": ok}

    events = [check(k, ok=k not in (5, 50_000)) for k in range(100_000)]
    reader = reader_of(lines(HELLO, *events, {"event": "done", "iterations": 6}), chunk=1 << 16)
    assert reader.error is None
    assert len(reader.checks) <= MAX_CHECKS + MAX_FAILED_BEYOND
    assert [c.name for c in reader.failed_checks] == ["c5", "c50000"]
    assert reader.checks_dropped == 100_000 - len(reader.checks)
