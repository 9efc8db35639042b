"""Time per image through the Python binding against the same work in libpyjamaz's own Zig probe.

The Zig probe's `files` workload calls pyjamaz_optimize_file (default options) on four small images it
writes to /tmp/pyjamaz-probe-<pid>/ plus one missing path, in turn. This script runs that workload,
copies those very files while it runs, and times it from its protocol events (measure phase to done);
then it runs the same cycle through pyjamaz.optimize_file on each backend. Best of --repeat rounds.

    .venv/bin/python bindings/python/benchmarks/versus_zig.py [--iterations 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyjamaz

REPO_ROOT = Path(__file__).resolve().parents[3]
ZIG_PROBE = REPO_ROOT / "zig-out" / "bin" / "pyjamaz-probe"


def run_zig_files(iterations: int, copy_to: Path | None) -> float:
    """Seconds per measured iteration of `pyjamaz-probe files`; copies its images on the way if asked."""
    read_end, write_end = os.pipe()
    env = {**os.environ, "LEAKCHECK_FD": str(write_end), "LEAKCHECK_ITERATIONS": str(iterations)}
    env.pop("LEAKCHECK_WARMUP", None)
    with (
        tempfile.TemporaryFile() as stderr,
        subprocess.Popen(
            [str(ZIG_PROBE), "files"],
            env=env,
            pass_fds=(write_end,),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        ) as process,
    ):
        os.close(write_end)
        measured_from, done_at = 0.0, 0.0
        with os.fdopen(read_end, encoding="utf-8") as events:
            for line in events:
                event = json.loads(line)
                now = time.perf_counter()
                if event["event"] == "phase" and event["name"] == "warmup" and copy_to is not None:
                    _copy_images(process.pid, copy_to)
                elif event["event"] == "phase" and event["name"] == "measure":
                    measured_from = now
                elif event["event"] == "done":
                    done_at = now
        if process.wait(timeout=600) != 0 or not done_at:
            stderr.seek(0)
            raise SystemExit(f"pyjamaz-probe files failed: {stderr.read().decode(errors='replace')[-400:]}")
    warmup = max(1, iterations // 10)  # the SDK default; LEAKCHECK_WARMUP is removed from its environment
    return (done_at - measured_from) / (iterations - warmup)


def _copy_images(pid: int, target: Path) -> None:
    source = Path(f"/tmp/pyjamaz-probe-{pid}")
    for image in sorted(source.glob("*.img"), key=lambda p: int(p.stem)):
        shutil.copy(image, target / image.name)


def run_python_files(paths: list[Path], iterations: int, backend: str) -> float:
    """Seconds per iteration of the same cycle (images, then the missing path) through the binding."""
    options = pyjamaz.Options()
    started = time.perf_counter()
    for i in range(iterations):
        path = paths[i % len(paths)]
        with contextlib.suppress(pyjamaz.FileReadError):
            pyjamaz.optimize_file(path, options=options, backend=backend)
    return (time.perf_counter() - started) / iterations


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if not ZIG_PROBE.is_file():
        raise SystemExit(f"{ZIG_PROBE} is missing: run scripts/zig build")
    with tempfile.TemporaryDirectory(prefix="versus-zig-") as workdir:
        images = Path(workdir)
        run_zig_files(max(50, args.iterations // 10), copy_to=images)
        paths = sorted(images.glob("*.img"), key=lambda p: int(p.stem))
        if len(paths) != 4:
            raise SystemExit(f"expected the Zig probe's 4 images, copied {len(paths)}")
        paths.append(images / "missing.img")
        sizes = ", ".join(str(p.stat().st_size) for p in paths[:-1])
        print(f"images (bytes): {sizes}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        for backend in pyjamaz.BACKENDS:  # warm both backends before timing
            run_python_files(paths, 10, backend)
        best: dict[str, float] = {}
        for _ in range(args.repeat):
            rounds = {"zig": run_zig_files(args.iterations, copy_to=None)}
            rounds |= {b: run_python_files(paths, args.iterations, b) for b in pyjamaz.BACKENDS}
            best = {k: min(v, best.get(k, v)) for k, v in rounds.items()}
    print(f"{'':8} {'µs per iteration':>18} {'vs zig':>8}")
    for name, seconds in best.items():
        print(f"{name:8} {seconds * 1e6:18.1f} {seconds / best['zig']:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
