"""Each captured stream of a probe (stdout, stderr, events) is kept on disk within the log cap: its start and
its end, with the cut marked in the file and noted in the result."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from leakcheck.cli import main
from leakcheck.config import DEFAULT_LOG_CAP
from leakcheck.runner.capture import CappedFile, cap_written_file

from .cli import leakcheck, probe_table, write_probe

MARK = b"\n[leakcheck: "


def written_back(path: Path) -> tuple[bytes, bytes, bytes]:
    """(head, cut line, tail) of a capped file."""
    data = path.read_bytes()
    start = data.index(MARK)
    end = data.index(b"]\n", start) + 2
    return data[:start], data[start:end], data[end:]


@pytest.mark.parametrize("cap", [1024, 1025, 4096])
def test_the_file_keeps_the_first_and_the_last_half_cap_whatever_the_writes(tmp_path: Path, cap: int) -> None:
    rng = random.Random(cap)
    for trial in range(20):
        stream = bytes(rng.randrange(256) for _ in range(rng.randrange(cap * 2, cap * 6)))
        capped = CappedFile(tmp_path / f"{trial}.log", cap)
        position = 0
        while position < len(stream):
            size = rng.choice([1, 7, cap // 3, cap, cap * 2])  # smaller and larger than the ring
            capped.write(stream[position:position + size])
            position += size
        cut = capped.close()
        assert cut is not None and (cut.written, cut.kept) == (len(stream), cap)
        head, line, tail = written_back(tmp_path / f"{trial}.log")
        assert head == stream[:cap // 2] and tail == stream[-(cap - cap // 2):]
        assert f"{len(stream) - cap:,} bytes cut here".encode() in line


def test_a_stream_within_the_cap_is_kept_whole(tmp_path: Path) -> None:
    capped = CappedFile(tmp_path / "small.log", 1024)
    for part in (b"a" * 500, b"b" * 524):
        capped.write(part)
    assert capped.close() is None
    assert (tmp_path / "small.log").read_bytes() == b"a" * 500 + b"b" * 524


def test_200_mb_of_stdout_are_kept_as_16_mib_of_head_and_tail(tmp_path: Path) -> None:
    script = write_probe(tmp_path, "chatty", """
        import sys
        out = sys.stdout.buffer
        out.write(b"first line\\n")
        block = b"x" * 1023 + b"\\n"
        for _ in range(200 * 1024):
            out.write(block)
        out.write(b"last line\\n")
    """)
    (tmp_path / "leakcheck.toml").write_text(probe_table("chatty", script))
    # The verdict is not the subject here (a 0.3 s probe is INCONCLUSIVE): one attempt, allowed.
    completed = leakcheck("run", "--config", str(tmp_path / "leakcheck.toml"), "--run-dir", str(tmp_path / "run"),
                          "--no-escalate", "--allow", "inconclusive")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    attempt = json.loads((tmp_path / "run" / "results.json").read_text())["probes"][0]["attempts"][0]
    written = len("first line\n") + 200 * 2**20 + len("last line\n")
    assert attempt["log_cuts"] == {"stdout": {"written": written, "kept": DEFAULT_LOG_CAP,
                                              "cut": written - DEFAULT_LOG_CAP}}
    assert attempt["notes"] == [("stdout: 184 MiB of 200 MiB cut from the middle of the log (the first and the "
                                 "last 8.00 MiB are kept)")]
    assert "stdout: 184 MiB of 200 MiB cut" in completed.stdout
    log = Path(attempt["files"]["stdout"])
    assert log.stat().st_size < DEFAULT_LOG_CAP + 200
    head, _, tail = written_back(log)
    assert head.startswith(b"first line\nxxx") and tail.endswith(b"xxx\nlast line\n")


def test_stderr_and_the_events_log_are_capped_by_the_flag(tmp_path: Path) -> None:
    script = write_probe(tmp_path, "noisy", """
        import json, os, sys
        events = os.fdopen(int(os.environ["LEAKCHECK_FD"]), "w")
        events.write(json.dumps({"event": "hello", "probe": "python.noisy", "lang": "python", "protocol": 1,
                                 "pid": os.getpid()}) + "\\n")
        for i in range(20000):
            events.write(json.dumps({"event": "tick", "i": i, "counters": {"padding": 0}}) + "\\n")
            if i % 20 == 0:
                sys.stderr.write(f"stderr line {i:06d} " + "e" * 80 + "\\n")
        events.write(json.dumps({"event": "done", "iterations": 20000}) + "\\n")
        sys.stderr.write("the end\\n")
    """)
    (tmp_path / "leakcheck.toml").write_text(probe_table("noisy", script))
    completed = leakcheck("run", "--config", str(tmp_path / "leakcheck.toml"), "--run-dir", str(tmp_path / "run"),
                          "--log-cap", "64KiB")
    document = json.loads((tmp_path / "run" / "results.json").read_text())
    attempt = document["probes"][0]["attempts"][0]
    assert document["selection"]["log_cap"] == 64 * 1024
    assert set(attempt["log_cuts"]) == {"stderr", "events"}, completed.stdout + completed.stderr
    assert all(cut["kept"] == 64 * 1024 for cut in attempt["log_cuts"].values())
    assert attempt["last_tick"] == 19999  # the analysis saw every event; only the file is cut
    events_head, _, events_tail = written_back(Path(attempt["files"]["events"]))
    assert events_head.startswith(b'{"event": "hello"') and events_tail.endswith(b'"iterations": 20000}\n')
    assert written_back(Path(attempt["files"]["stderr"]))[2].endswith(b"the end\n")
    assert attempt["output_tail"].endswith("the end")


def test_the_configured_cap_is_used_and_a_tiny_cap_is_refused(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "leakcheck.toml"
    config.write_text('log_cap = "100"\n[probes."python.one"]\nlang = "python"\ncommand = ["x"]\niterations = 1\n')
    assert main(["list", "--config", str(config)]) == 2
    assert f"{config}: log_cap = '100' is too small; allowed: a size of at least 1024 bytes" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["run", "--config", str(config), "--log-cap", "lots"])
    assert exited.value.code == 2 and "--log-cap = 'lots' is not a size" in capsys.readouterr().err


@pytest.mark.parametrize("size", [1024, 1025, 50_000])
def test_a_file_a_tool_wrote_is_cut_to_the_cap_keeping_its_start_and_end(tmp_path: Path, size: int) -> None:
    data = random.Random(size).randbytes(size)
    path = tmp_path / "valgrind.log"
    path.write_bytes(data)
    cut = cap_written_file(path, 1024)
    if size <= 1024:
        assert cut is None and path.read_bytes() == data
        return
    assert cut is not None and (cut.written, cut.kept) == (size, 1024)
    head, line, tail = written_back(path)
    assert head == data[:512] and tail == data[-512:] and f"{size - 1024:,} bytes cut here".encode() in line
