"""LeakSanitizer: clang's ASan runtime (Debian libclang-rt-14-dev) preloaded into the probe, its log parsed.

Why the preloaded ASan runtime and not the standalone LSan one: Debian ships LSan only as a static archive
(libclang_rt.lsan-x86_64.a) that would need a relinked probe per library, while libclang_rt.asan-x86_64.so
can be LD_PRELOADed into the probe as built: it replaces malloc/free for the whole process (the
library under test and everything it loads) and runs LeakSanitizer at exit. Uninstrumented code gets no ASan checks, only the leak check.

The runtime does not symbolize (symbolize=0): symbolizing in the exiting process deadlocked on glibc's locale
lock in p11-kit's destructor. The orchestrator symbolizes the module+offset frames afterwards with
llvm-symbolizer, inline frames included.
"""

from __future__ import annotations

import glob
import json
import platform
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from leakcheck.tools.model import DEFINITE, INDIRECT, Frame, LeakRecord

LOG_STEM = "lsan"
RUNTIME_GLOB = "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.asan-{arch}.so"
SYMBOLIZER_GLOB = "/usr/lib/llvm-*/bin/llvm-symbolizer"
SYMBOLIZE_TIMEOUT_S = 120.0
EXIT_STATUS = 23
"""LSan's exit status after a leak report. Not 0: the report then ends the process with _exit, before the
library destructors, one of which deadlocks under the ASan runtime (see `Tool.exit_may_hang`)."""
OPTIONS = ("detect_leaks=1", f"exitcode={EXIT_STATUS}", "symbolize=0", "fast_unwind_on_malloc=0", "malloc_context_size=40",
           "detect_odr_violation=0", "alloc_dealloc_mismatch=0", "new_delete_type_mismatch=0",
           "detect_stack_use_after_return=0", "handle_segv=0", "handle_abort=0", "handle_sigbus=0",
           "handle_sigfpe=0", "handle_sigill=0", "allow_user_segv_handler=1")
"""handle_*=0: a crash is the
probe's, classified as without the tool. fast_unwind_on_malloc=0: Zig's ReleaseSafe code keeps no frame
pointers everywhere; the slow unwinder follows the DWARF unwind tables."""

_HEADER = re.compile(r"^(Direct|Indirect) leak of (\d+) byte\(s\) in (\d+) object\(s\) allocated from:")
_FRAME = re.compile(r"^\s*#(\d+) 0x[0-9a-fA-F]+\s+\((.+?)\+0x([0-9a-fA-F]+)\)")
KINDS = {"Direct": DEFINITE, "Indirect": INDIRECT}


class ReportError(Exception):
    """The tool's output is missing or unreadable; the message says which file and why."""


def runtime() -> Path | None:
    """The newest ASan runtime installed for this machine's architecture."""
    found = sorted(glob.glob(RUNTIME_GLOB.format(arch=platform.machine())))
    return Path(found[-1]) if found else None


def symbolizer() -> str | None:
    found = sorted(glob.glob(SYMBOLIZER_GLOB))
    return shutil.which("llvm-symbolizer") or (found[-1] if found else None)


def environment(base: Mapping[str, str], directory: Path, asan_runtime: Path,
                leak_options: Sequence[str] = ()) -> dict[str, str]:
    preload = " ".join(part for part in (str(asan_runtime), base.get("LD_PRELOAD", "")) if part)
    options = ":".join((*OPTIONS, f"log_path={directory / LOG_STEM}"))
    return {**base, "LD_PRELOAD": preload, "ASAN_OPTIONS": options,
            "LSAN_OPTIONS": ":".join(("report_objects=0", *leak_options))}


def log_files(directory: Path) -> list[Path]:
    """One `lsan.<pid>` per process that found leaks (none at all when nothing leaked)."""
    return sorted(directory.glob(f"{LOG_STEM}.*"))


RawFrame = tuple[str, int]
"""(module, offset) as the runtime printed it."""


def parse_log(text: str) -> list[tuple[str, int, int, list[RawFrame]]]:
    """(kind, bytes, blocks, frames) per leak, frames innermost first and not yet symbolized."""
    leaks: list[tuple[str, int, int, list[RawFrame]]] = []
    for line in text.splitlines():
        header = _HEADER.match(line)
        if header:
            leaks.append((KINDS[header.group(1)], int(header.group(2)), int(header.group(3)), []))
            continue
        frame = _FRAME.match(line)
        if frame and leaks:
            leaks[-1][3].append((frame.group(2), int(frame.group(3), 16)))
    return leaks


def records(directory: Path, cwd: Path) -> tuple[LeakRecord, ...]:
    """Every leak of every log in `directory`, symbolized (module paths are relative to the probe's cwd)."""
    parsed = [leak for path in log_files(directory)
              for leak in parse_log(path.read_text(encoding="utf-8", errors="replace"))]
    wanted = sorted({(_absolute(module, cwd), call_site(offset, index))
                     for _, _, _, frames in parsed for index, (module, offset) in enumerate(frames)})
    return build_records(parsed, cwd, symbolize(wanted))


def build_records(parsed: Sequence[tuple[str, int, int, list[RawFrame]]], cwd: Path,
                  names: Mapping[RawFrame, tuple[Frame, ...]]) -> tuple[LeakRecord, ...]:
    """Parsed leaks with their frames named (a frame the symbolizer did not name keeps its object)."""
    return tuple(LeakRecord(kind=kind, bytes=size, blocks=blocks,
                            stack=tuple(frame for index, (module, offset) in enumerate(frames)
                                        for frame in names.get((_absolute(module, cwd), call_site(offset, index)),
                                                               (Frame("?", object=_absolute(module, cwd)),))))
                 for kind, size, blocks, frames in parsed)


def _absolute(module: str, cwd: Path) -> str:
    return str(cwd / module)


def call_site(offset: int, index: int) -> int:
    """Frames above #0 are return addresses: the call is the instruction before."""
    return offset - 1 if index > 0 and offset > 0 else offset


def symbolize(addresses: Sequence[RawFrame]) -> dict[RawFrame, tuple[Frame, ...]]:
    """(module, offset) -> its frames, inlined callees first, from one llvm-symbolizer run."""
    tool = symbolizer()
    if tool is None or not addresses:
        return {}
    request = "".join(f'"{module}" 0x{offset:x}\n' for module, offset in addresses)
    try:
        done = subprocess.run([tool, "--inlines", "--output-style=JSON", "--demangle"], input=request, text=True,
                              capture_output=True, timeout=SYMBOLIZE_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    answers = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return {address: _frames(answer, address[0]) for address, answer in zip(addresses, answers, strict=False)}


def _frames(answer: dict[str, Any], module: str) -> tuple[Frame, ...]:
    symbols = answer.get("Symbol") or []
    frames = tuple(Frame(function=str(s.get("FunctionName") or "?"), file=str(s.get("FileName") or ""),
                         line=int(s["Line"]) if s.get("Line") else None, object=module)
                   for s in symbols if isinstance(s, dict))
    return frames or (Frame("?", object=module),)
