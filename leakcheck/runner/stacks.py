"""Stack dumps of a hung probe, taken before it is killed: faulthandler (Python, via SIGUSR1 to a probe
using the SDK), `py-spy dump --native` for Python, `gdb -batch -p` for everything else."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

DUMP_TIMEOUT_S = 30.0
FAULTHANDLER_WAIT_S = 0.5


def dump_stacks(pid: int, *, lang: str, python_sdk: bool, stderr_path: Path) -> str:
    sections: list[str] = []
    if lang == "python":
        if python_sdk:
            sections.append(_faulthandler_dump(pid, stderr_path))
        sections.append(_run_tool("py-spy dump --native", [_py_spy(), "dump", "--native", "--pid", str(pid)]))
    else:
        # /proc/PID/exe: the symbols of the binary that runs, even if a rebuild has replaced it on disk.
        sections.append(_run_tool("gdb", [shutil.which("gdb") or "gdb", "-batch", "-nx", f"/proc/{pid}/exe",
                                          "-p", str(pid), "-ex", "thread apply all bt 40"]))
    return "\n\n".join(section for section in sections if section)


def _faulthandler_dump(pid: int, stderr_path: Path) -> str:
    # The SDK registers faulthandler on SIGUSR1: it writes every thread's Python stack to stderr from
    # its C signal handler, so it works even while a native call holds the GIL.
    before = stderr_path.stat().st_size
    try:
        os.kill(pid, signal.SIGUSR1)
    except ProcessLookupError:
        return ""
    time.sleep(FAULTHANDLER_WAIT_S)
    with stderr_path.open("rb") as handle:
        handle.seek(before)
        dumped = handle.read().decode("utf-8", "replace").strip()
    return f"== Python stacks (faulthandler) ==\n{dumped}" if dumped else ""


def _py_spy() -> str:
    beside_python = Path(sys.executable).parent / "py-spy"
    return str(beside_python) if beside_python.exists() else (shutil.which("py-spy") or "py-spy")


def _run_tool(title: str, command: list[str]) -> str:
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=DUMP_TIMEOUT_S, check=False)
    except FileNotFoundError:
        return f"== {title} ==\n(not installed)"
    except subprocess.TimeoutExpired:
        return f"== {title} ==\n(no answer within {DUMP_TIMEOUT_S:g}s)"
    text = completed.stdout.strip() or completed.stderr.strip()
    if title == "gdb":
        text = "\n".join(line for line in text.splitlines() if line.startswith(("#", "Thread"))) or text
    return f"== {title} ==\n{text}"
