"""scripts/fuzz.sh: seeds the fuzzer, runs fuzz_harness.py (atheris) in its own process for a bounded
number of inputs or seconds, and prints inputs executed, duration, exec/s and findings. Every finding
(a leak or broken contract raised by the harness, a crash, a hang, running out of memory) is copied
into the regressions folder, which pytest replays on every run (test_fuzz_regressions.py)."""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

FUZZ_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(FUZZ_DIR.parent / "memory"))  # corpus.py

from corpus import CorpusSpec, CorpusUnavailable, load_corpus  # noqa: E402 (after the path above)
from fuzz_input import FROM_FILE, NATIVE_OPTIONS, STRIP, USE_CFFI, FuzzInput  # noqa: E402

REPO_ROOT = FUZZ_DIR.parents[3]
LIB_PATH_ENV = "PYJAMAZ_LIB_PATH"
# libpyjamaz with edge counters for the fuzzer (build.zig -Dfuzz-coverage), beside the production build.
COVERAGE_PREFIX = REPO_ROOT / "zig-out" / "fuzz-lib"
REGRESSIONS = FUZZ_DIR / "regressions"
HARNESS = FUZZ_DIR / "fuzz_harness.py"
# Tiny images of every format the corpus makes, and its malformed inputs: one input costs ~1-10 ms.
SEED_CORPUS = CorpusSpec(
    seed=3, count=10, kinds=("tiny",), formats=("jpeg", "png", "webp", "gif", "tiff"), malformed=True
)
MAX_LEN = 4096  # bytes per input: larger seeds (the corpus' 140 KB corrupt PNG) are cut down instead
# libFuzzer names what it saves by what happened: a Python exception or a signal is a "crash".
ARTIFACT_KINDS = ("crash", "timeout", "oom", "leak", "slow-unit")

# Headers each seed image is tried with first: defaults, each backend, each route, budgets, the file path,
# the largest values.
SEED_HEADERS = (
    FuzzInput(0, 0, 0, 0, 0, 0, 0, 0, 0, b""),
    FuzzInput(USE_CFFI | STRIP, 0b0010, 0, 0, 0, 0, 1, 0, 0, b""),
    FuzzInput(NATIVE_OPTIONS, 0b0101, 200, 20, 4, 4, 2, 0, 0, b""),
    FuzzInput(FROM_FILE | USE_CFFI, 0b1000, 0, 0, 0, 0, 0, 64, 0, b""),
    FuzzInput(0, 0, 65535, 251, 254, 0, 16, 65535, 65535, b""),  # the edges of the C field types
)


@dataclass(frozen=True)
class Finding:
    kind: str
    saved_as: Path
    description: str


@dataclass(frozen=True)
class RunFigures:
    inputs: int
    seconds: float
    exit_code: int
    findings: tuple[Finding, ...]
    outcomes: dict[str, int]  # a result format or an exception class -> inputs, tallied every 100
    backends: dict[str, int]  # inputs per backend, tallied with the outcomes
    library: str  # what the harness said it loaded, and how many native edge counters guide the run
    peak_rss_mb: int | None  # libFuzzer's final stats; a slow leak the exact counters miss shows here

    @property
    def per_second(self) -> float:
        return self.inputs / self.seconds if self.seconds else 0.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/fuzz.sh", description=__doc__)
    parser.add_argument("--runs", type=int, default=100_000, help="inputs to execute (default 100000)")
    parser.add_argument("--seconds", type=int, default=3600, help="stop after this long (default 3600)")
    parser.add_argument("--timeout", type=int, default=10, help="seconds one input may take: a hang")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=REPO_ROOT / "zig-out" / "fuzz",
        help="seeds, the growing corpus, artifacts and the log (default zig-out/fuzz)",
    )
    parser.add_argument(
        "--regressions", type=Path, default=REGRESSIONS, help="where findings are saved for pytest to replay"
    )
    parser.add_argument("--fresh", action="store_true", help="start from the seeds, not the saved corpus")
    parser.add_argument(
        "--coverage",
        choices=("native", "python"),
        default="native",
        help="native (default): guided by libpyjamaz's own edges too, on a library built for it with "
        "-Dfuzz-coverage; python: by the binding's Python only, on the production library (no build). "
        f"${LIB_PATH_ENV} (a leak mutant) overrides the library either way",
    )
    args = parser.parse_args(argv)
    for name in ("runs", "seconds", "timeout"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name} must be a positive number, got {getattr(args, name)}")
    return args


def seed_inputs() -> Iterator[tuple[str, bytes]]:
    """(name, encoded input): every tiny image under each seed header, the malformed inputs, and
    malformed ones made small from the tiny images (a truncated file, a corrupt first chunk)."""
    corpus = load_corpus(SEED_CORPUS)
    for image in corpus.images:
        data = image.read()
        for number, header in enumerate(SEED_HEADERS):
            yield f"{image.path.name}-h{number}", replace(header, image=data).encode()
        yield f"{image.path.name}-truncated", replace(SEED_HEADERS[0], image=data[: len(data) // 2]).encode()
        corrupt = data[:16] + bytes(b ^ 0xFF for b in data[16:24]) + data[24:]
        yield f"{image.path.name}-corrupt", replace(SEED_HEADERS[0], image=corrupt).encode()
    for malformed in corpus.malformed:
        yield (
            f"malformed-{malformed.path.name}",
            replace(SEED_HEADERS[0], image=malformed.read()[: MAX_LEN // 2]).encode(),
        )


def write_seeds(directory: Path) -> int:
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    count = 0
    for name, raw in seed_inputs():
        (directory / f"{name}.bin").write_bytes(raw)
        count += 1
    return count


def library_environment(coverage: str) -> dict[str, str]:
    """The library the harness loads: $PYJAMAZ_LIB_PATH if set, else the instrumented build (made on
    demand; Zig's cache makes a second build instant) or the production one."""
    if LIB_PATH_ENV in os.environ or coverage == "python":
        return {}
    build = [
        str(REPO_ROOT / "scripts" / "zig"),
        "build",
        "library",
        "-Dfuzz-coverage=true",
        "-p",
        str(COVERAGE_PREFIX),
    ]
    completed = subprocess.run(build, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"fuzz: {' '.join(build)} failed:\n{completed.stderr[-2000:]}")
    return {LIB_PATH_ENV: str(COVERAGE_PREFIX / "lib" / "libpyjamaz.so")}


def run_fuzzer(args: argparse.Namespace) -> RunFigures:
    workdir: Path = args.workdir
    corpus_dir, artifacts, log_path = workdir / "corpus", workdir / "artifacts", workdir / "fuzz.log"
    if args.fresh:
        shutil.rmtree(corpus_dir, ignore_errors=True)
    shutil.rmtree(artifacts, ignore_errors=True)
    for directory in (corpus_dir, artifacts, args.regressions):
        directory.mkdir(parents=True, exist_ok=True)
    seeds = write_seeds(workdir / "seeds")
    print(f"fuzz: {seeds} seeds, corpus {corpus_dir}, log {log_path}", flush=True)
    outcomes_path = workdir / "outcomes.json"
    outcomes_path.unlink(missing_ok=True)
    env = {
        **os.environ,
        **library_environment(args.coverage),
        # Every corrupt input makes libvips print a warning; thousands of them would bury the findings.
        "VIPS_WARNING": "0",
        "PYJAMAZ_FUZZ_OUTCOMES": str(outcomes_path),
    }
    # The regressions folder is a corpus too: saved findings are the first inputs every run replays.
    command = [
        sys.executable,
        str(HARNESS),
        f"-runs={args.runs}",
        f"-max_total_time={args.seconds}",
        f"-timeout={args.timeout}",
        f"-max_len={MAX_LEN}",
        f"-artifact_prefix={artifacts}/",
        "-print_final_stats=1",
        str(corpus_dir),
        str(workdir / "seeds"),
        str(args.regressions),
    ]
    started = time.monotonic()
    with log_path.open("w") as log:
        completed = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, env=env, check=False)
    seconds = time.monotonic() - started
    log_text = log_path.read_text(errors="replace")
    findings = tuple(save_finding(path, log_text, args.regressions) for path in sorted(artifacts.iterdir()))
    tally = json.loads(outcomes_path.read_text()) if outcomes_path.is_file() else {}
    return RunFigures(
        executed_inputs(log_text),
        seconds,
        completed.returncode,
        findings,
        tally.get("outcomes", {}),
        tally.get("backends", {}),
        loaded_library(log_text),
        peak_rss_mb(log_text),
    )


def loaded_library(log_text: str) -> str:
    loaded = re.search(r"^fuzz: (\d+) native edge counters in (.*)$", log_text, re.MULTILINE)
    return f"{loaded.group(2)} ({loaded.group(1)} native edge counters)" if loaded else "not loaded"


def peak_rss_mb(log_text: str) -> int | None:
    peak = re.search(r"stat::peak_rss_mb:\s*(\d+)", log_text)
    return int(peak.group(1)) if peak else None


def executed_inputs(log_text: str) -> int:
    """libFuzzer's own count: the final stats line, else the last status line (#N) it printed."""
    stats = re.search(r"stat::number_of_executed_units:\s*(\d+)", log_text)
    if stats:
        return int(stats.group(1))
    progress = re.findall(r"^#(\d+)\s", log_text, re.MULTILINE)
    return int(progress[-1]) if progress else 0


def save_finding(artifact: Path, log_text: str, regressions: Path) -> Finding:
    kind = next((k for k in ARTIFACT_KINDS if artifact.name.startswith(k)), "crash")
    raw = artifact.read_bytes()
    saved = regressions / f"{kind}-{hashlib.sha1(raw).hexdigest()[:12]}.bin"
    shutil.copyfile(artifact, saved)
    return Finding(kind, saved, describe_finding(log_text, raw))


def describe_finding(log_text: str, raw: bytes) -> str:
    """The exception the harness raised (FuzzFinding: a leak or broken contract; anything else: a bug
    in the harness), else libFuzzer's summary (a signal, a hang, out of memory) and the input."""
    raised: list[str] = re.findall(r"=== Uncaught Python exception: ===\n(.*)$", log_text, re.MULTILINE)
    if raised:
        return raised[-1]
    summary: list[str] = re.findall(r"^SUMMARY: libFuzzer: (.*)$", log_text, re.MULTILINE)
    cause = summary[-1] if summary else "no libFuzzer summary in the log"
    return f"{cause}; input: {FuzzInput.decode(raw).describe()}"


def print_figures(figures: RunFigures, log_path: Path) -> None:
    print(f"library: {figures.library}")
    print(f"inputs executed: {figures.inputs}")
    print(f"duration: {figures.seconds:.1f} s")
    print(f"exec/s: {figures.per_second:.0f}")
    if figures.peak_rss_mb is not None:
        print(f"peak RSS: {figures.peak_rss_mb} MB")
    tallied = sum(figures.outcomes.values())
    if tallied:
        shares = ", ".join(f"{name} {count}" for name, count in sorted(figures.backends.items()))
        print(f"outcomes of the first {tallied} inputs ({shares}):")
        for outcome, count in sorted(figures.outcomes.items(), key=lambda item: -item[1]):
            print(f"  {outcome:24} {count:8} {count / tallied:6.1%}")
    print(f"findings: {len(figures.findings)}")
    for finding in figures.findings:
        print(f"  {finding.kind}: {finding.description}")
        print(
            f"    saved as {finding.saved_as.relative_to(REPO_ROOT) if finding.saved_as.is_relative_to(REPO_ROOT) else finding.saved_as}"
        )
    if figures.findings:
        print("replay: .venv/bin/pytest bindings/python/tests/fuzz (commit the saved inputs)")
    elif figures.exit_code != 0:
        print(f"the fuzzer exited with {figures.exit_code} and saved no input; see {log_path}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if importlib.util.find_spec("atheris") is None:
        print("fuzz: atheris is not installed; scripts/setup.sh installs it (the dev extra)", file=sys.stderr)
        return 2
    try:
        figures = run_fuzzer(args)
    except CorpusUnavailable as exc:
        print(f"fuzz: no seed images: {exc}", file=sys.stderr)
        return 2
    print_figures(figures, args.workdir / "fuzz.log")
    if figures.findings:
        return 1
    return 0 if figures.exit_code == 0 else 2


if __name__ == "__main__":
    sys.exit(main())
