#!/usr/bin/env python3
"""leakcheck and psleak on real published packages: a documented leak in one version, its fix in the next.

Each case is a published PyPI package with a leak its changelog or tracker documents, the version
that leaks and the version that fixed it (plus one real plateau, a bounded cache, that must pass).
For each version the script sets up, in a cache folder, from nothing:

- a venv with the package and leakcheck, installed from a wheel built from this repository's work
  tree (the way a user installs it), where ``leakcheck run`` runs the case's probe
  (tests/foreign/cases/<case>/: leakcheck.toml and a probe written from the README, default settings);
- a venv with the package and psleak, where psleak runs the same call (psleak_case.py, psleak's
  documented use: MemoryLeakTestCase.execute, PYTHONMALLOC=malloc PYTHONUNBUFFERED=1).

It measures each version's truth by hand (tests/foreign/hand_measure.py: live blocks, RSS and traced
bytes per call, no leak tool), runs both tools N times, and prints a table: package, version, truth,
each tool's verdict counts, the size leakcheck reports and the seconds to a verdict (leakcheck's whole
command, which includes a LEAK's attribution re-run, and in brackets its probe's attempts alone); then
every wrong verdict with its reason line.

    python scripts/foreign_packages.py                      # every case, 5 runs of each tool
    python scripts/foreign_packages.py --runs 1 --case msgpack_invalid_nested --no-psleak
    python scripts/foreign_packages.py --json foreign.json  # every run's verdict, reason and time
    python scripts/foreign_packages.py --no-psleak --iterations 300   # the probes at a short user count
    python scripts/foreign_packages.py --repo ../other-worktree --cache /tmp/other   # another branch's leakcheck

The venvs are kept in --cache (default $LEAKCHECK_FOREIGN_CACHE, else ~/.cache/leakcheck-foreign)
and reused; leakcheck is reinstalled in them whenever the wheel built from the work tree changes.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = ROOT / "tests" / "foreign" / "cases"
HAND = ROOT / "tests" / "foreign" / "hand_measure.py"
PSLEAK = "psleak==0.1.6"
NICE = ["nice", "-n", "10"] if shutil.which("nice") else []


@dataclasses.dataclass(frozen=True)
class Case:
    name: str            # also the hand_measure.py function
    package: str
    folder: str          # under tests/foreign/cases/
    probe: str           # the probe's name in the folder's leakcheck.toml
    psleak_test: str     # TestLeaks.<method> in the folder's psleak_case.py
    versions: tuple[tuple[str, str], ...]   # (version, truth: LEAK or PASS)
    source: str          # where the leak and its fix are documented


CASES: tuple[Case, ...] = (
    Case("ujson_dump_failing_write", "ujson", "ujson", "python.ujson_dump_failing_write",
         "test_dump_failing_write", (("5.12.0", "LEAK"), ("5.12.1", "PASS")),
         "ujson 5.12.1 release notes: 'Fix memory leak when ujson.dump() is unable to write to its file'; "
         "PYSEC-2026-2293 / CVE-2026-44660: each failed write leaks the serialised payload"),
    Case("ujson_default_non_ascii", "ujson", "ujson", "python.ujson_default_non_ascii",
         "test_default_non_ascii", (("5.12.0", "LEAK"), ("5.12.1", "PASS")),
         "ujson 5.12.1 release notes: 'Fix encoding ref leak with non-English character (#714)'; "
         "ultrajson/ultrajson#631: the str a default() returns is leaked when it is not ASCII"),
    Case("orjson_default_raises", "orjson", "orjson", "python.orjson_default_raises",
         "test_default_raises", (("3.9.0", "LEAK"), ("3.9.1", "PASS")),
         "orjson 3.9.1 changelog: 'Fix memory leak on chained tracebacks of exceptions raised in default. "
         "This was introduced in 3.8.12.'; ijl/orjson#392"),
    Case("msgpack_invalid_nested", "msgpack", "msgpack", "python.msgpack_invalid_nested",
         "test_invalid_nested", (("1.1.2", "LEAK"), ("1.2.0", "PASS")),
         "msgpack 1.2.0 changelog: 'Fix memory leak when Unpacker returns error for invalid input. #671'; "
         "msgpack/msgpack-python#671: the nested lists built before the error are never freed"),
    Case("regex_pattern_cache", "regex", "regex", "python.regex_pattern_cache",
         "test_pattern_cache", (("2026.11.19", "PASS"),),
         "regex keeps at most 500 compiled patterns (regex._main._MAXCACHE) and drops a fifth at random "
         "when full: a bounded cache, a plateau"),
)


class IndexUnreachable(RuntimeError):
    """The package index cannot be reached (or does not serve a pinned version): nothing to test."""


# --- set-up ------------------------------------------------------------------------------------


def default_cache() -> Path:
    env = os.environ.get("LEAKCHECK_FOREIGN_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "leakcheck-foreign"


def default_python() -> str:
    return shutil.which("python3.11") or sys.executable


def run_quiet(cmd: Sequence[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(cmd), capture_output=True, text=True, check=False, **kwargs)


def build_wheel(cache: Path, repo: Path = ROOT) -> Path:
    """A wheel of leakcheck from a copy of the work tree's tracked files (local edits included)."""
    files = run_quiet(["git", "-C", str(repo), "ls-files", "-z"]).stdout.split("\0")
    out = cache / "wheel"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="leakcheck-src-") as tmp:
        for rel in filter(None, files):
            if rel.startswith("leakcheck/") or rel in ("pyproject.toml", "README.md", "LICENSE"):
                src = repo / rel
                if src.is_file():
                    (Path(tmp) / rel).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(src, Path(tmp) / rel)
        # As a user builds it (an isolated build fetches its setuptools), else offline with what is installed.
        attempts = [[sys.executable, "-m", "build", "--wheel", "-o", str(out), tmp],
                    [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--skip-dependency-check",
                     "-o", str(out), tmp],
                    [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), tmp]]
        for cmd in attempts:
            proc = run_quiet([*NICE, *cmd])
            wheels = sorted(out.glob("leakcheck-*.whl"))
            if proc.returncode == 0 and wheels:
                return wheels[0]
        raise RuntimeError(f"could not build the leakcheck wheel:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")


def pip_install(venv: Path, *requirements: str, extra: Sequence[str] = ()) -> None:
    proc = run_quiet([*NICE, str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
                      "--disable-pip-version-check", *extra, *requirements], timeout=900)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        pinned = [r for r in requirements if "==" in r]
        probe = run_quiet([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "--disable-pip-version-check",
                           "-d", tempfile.mkdtemp(prefix="foreign-dl-"), *(pinned[:1] or ["pip"])], timeout=300)
        if probe.returncode != 0:
            raise IndexUnreachable(f"pip cannot fetch {' '.join(pinned[:1]) or 'pip'}: "
                                   + " | ".join((probe.stderr or probe.stdout).strip().splitlines()[-2:]))
        raise RuntimeError(f"pip install {' '.join(requirements)} into {venv} failed: {' | '.join(tail)}")


def make_venv(venv: Path, python: str) -> None:
    if not (venv / "bin" / "python").exists():
        proc = run_quiet([python, "-m", "venv", str(venv)])
        if proc.returncode != 0:
            raise RuntimeError(f"{python} -m venv {venv} failed: {proc.stderr.strip()}")


def wheel_digest(wheel: Path) -> str:
    """What the wheel holds (names and bytes, not the zip's timestamps): a rebuild of the same tree matches."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(wheel) as archive:
        for name in sorted(archive.namelist()):
            digest.update(name.encode() + b"\0" + archive.read(name) + b"\0")
    return digest.hexdigest()


def leakcheck_venv(cache: Path, python: str, wheel: Path, package: str, version: str) -> Path:
    """<cache>/venvs/lc-<package>-<version>: the package and leakcheck from the wheel."""
    venv = cache / "venvs" / f"lc-{package}-{version}"
    stamp = venv / ".leakcheck-wheel"
    digest = wheel_digest(wheel)
    ready = venv / ".ready"
    make_venv(venv, python)
    if not ready.exists():
        pip_install(venv, f"{package}=={version}", str(wheel))
        ready.write_text("ok\n")
    elif not stamp.exists() or stamp.read_text() != digest:
        pip_install(venv, str(wheel), extra=["--force-reinstall", "--no-deps"])
    stamp.write_text(digest)
    return venv


def psleak_venv(cache: Path, python: str, package: str, version: str) -> Path:
    """<cache>/venvs/psleak-<package>-<version>: the package and psleak, nothing of leakcheck."""
    venv = cache / "venvs" / f"psleak-{package}-{version}"
    make_venv(venv, python)
    if not (venv / ".ready").exists():
        pip_install(venv, f"{package}=={version}", PSLEAK)
        (venv / ".ready").write_text("ok\n")
    return venv


# --- measuring and running ---------------------------------------------------------------------


def hand_measure(venv: Path, case: Case) -> dict[str, Any]:
    proc = run_quiet([*NICE, str(venv / "bin" / "python"), str(HAND), case.name], timeout=600)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1:]}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def case_config(case: Case, work: Path, iterations: int | None) -> Path:
    """The case's leakcheck.toml; with `iterations`, a copy of its folder whose probes run that many."""
    folder = CASES_DIR / case.folder
    if iterations is None:
        return folder / "leakcheck.toml"
    copy = work / f"config-{case.folder}-{iterations}"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(folder, copy)
    text = (copy / "leakcheck.toml").read_text()
    (copy / "leakcheck.toml").write_text(re.sub(r"(?m)^iterations = .*$", f"iterations = {iterations}", text))
    return copy / "leakcheck.toml"


def run_leakcheck(venv: Path, case: Case, work: Path, iterations: int | None = None) -> dict[str, Any]:
    """One `leakcheck run` of the case's probe in the venv: verdict, reason, reported sizes, seconds."""
    run_dir = Path(tempfile.mkdtemp(prefix="run-", dir=work))
    config = case_config(case, work, iterations)
    cmd = [*NICE, str(venv / "bin" / "leakcheck"), "run", "--config", str(config), "-k", case.probe,
           "--run-dir", str(run_dir)]
    started = time.monotonic()
    proc = run_quiet(cmd, cwd=config.parent, timeout=1800)
    seconds = time.monotonic() - started
    result: dict[str, Any] = {"seconds": round(seconds, 2), "command": " ".join(cmd), "exit": proc.returncode}
    try:
        document = json.loads((run_dir / "results.json").read_text())
        probe = next(p for p in document["probes"] if p["name"] == case.probe)
    except (OSError, ValueError, StopIteration, KeyError):
        result.update(verdict="ERROR", reason=(proc.stderr or proc.stdout).strip().splitlines()[-1:])
        return result
    attempt = probe["attempts"][-1]
    result.update(verdict=probe["outcome"], reason=probe.get("reason") or attempt.get("reason") or "",
                  key_figure=attempt.get("key_figure"), attempts=len(probe["attempts"]),
                  probe_seconds=round(sum(float(a.get("duration_s") or 0.0) for a in probe["attempts"]), 2))
    for finding in attempt.get("findings") or []:
        if finding.get("signal") == "rss" and "slope" in (finding.get("figures") or {}):
            result["rss_slope_bytes"] = round(finding["figures"]["slope"], 1)
        if finding.get("failed"):
            result.setdefault("failing", []).append(finding.get("reason"))
    result["run_dir"] = str(run_dir)
    return result


def run_psleak(venv: Path, case: Case) -> dict[str, Any]:
    """One psleak run of the same call (its documented environment: PYTHONMALLOC=malloc PYTHONUNBUFFERED=1)."""
    env = dict(os.environ, PYTHONMALLOC="malloc", PYTHONUNBUFFERED="1")
    cmd = [*NICE, str(venv / "bin" / "python"), "-m", "unittest", f"psleak_case.TestLeaks.{case.psleak_test}"]
    started = time.monotonic()
    proc = run_quiet(cmd, cwd=CASES_DIR / case.folder, env=env, timeout=1800)
    seconds = time.monotonic() - started
    out = proc.stdout + proc.stderr
    runs = re.findall(r"^Run #\s*\d+:.*$", out, flags=re.MULTILINE)
    if "MemoryLeakError" in out:
        verdict = "LEAK"
        reason = "memory kept increasing" + (f"; last: {runs[-1].strip()}" if runs else "")
    elif "Unclosed" in out and proc.returncode != 0:
        verdict, reason = "LEAK", next((line for line in out.splitlines() if "Unclosed" in line), "")
    elif proc.returncode == 0 and "skipped" in out:
        verdict, reason = "SKIP", out.strip().splitlines()[-1]
    elif proc.returncode == 0:
        verdict, reason = "PASS", "memory stabilised"
    else:
        verdict, reason = "ERROR", " | ".join(out.strip().splitlines()[-3:])
    return {"verdict": verdict, "reason": reason, "seconds": round(seconds, 2), "command": " ".join(cmd),
            "exit": proc.returncode}


# --- the table ---------------------------------------------------------------------------------


def counts(runs: Sequence[dict[str, Any]]) -> str:
    tally = Counter(r["verdict"] for r in runs)
    return " ".join(f"{verdict} {n}/{len(runs)}" for verdict, n in tally.most_common()) or "-"


def median(values: Sequence[float]) -> str:
    return f"{statistics.median(values):.1f}" if values else "-"


def size(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value / 1024:.2f} KiB" if abs(value) >= 1024 else f"{value:.0f} B"


def print_table(rows: Sequence[dict[str, Any]]) -> None:
    header = ["case", "package", "version", "truth", "hand: blocks, B/call", "leakcheck", "lc RSS/iter",
              "lc attempts", "lc s (probe s)", "psleak", "psleak s"]
    table = []
    for row in rows:
        lc, ps, hand = row["leakcheck"], row["psleak"], row["hand"]
        slopes = [r["rss_slope_bytes"] for r in lc if "rss_slope_bytes" in r]
        hand_text = (f"{hand.get('blocks_per_call', '?')}, {hand.get('rss_bytes_per_call', '?')}"
                     if "error" not in hand else "error")
        table.append([row["case"], row["package"], row["version"], row["truth"], hand_text, counts(lc),
                      size(statistics.median(slopes)) if slopes else "-",
                      "/".join(sorted({str(r.get("attempts", "-")) for r in lc})),
                      f"{median([r['seconds'] for r in lc])} ({median([r.get('probe_seconds', 0.0) for r in lc])})", counts(ps) if ps else "not run",
                      median([r["seconds"] for r in ps]) if ps else "-"])
    widths = [max(len(str(line[i])) for line in [header, *table]) for i in range(len(header))]
    for line in [header, ["-" * w for w in widths], *table]:
        print("  ".join(str(cell).ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())
    wrong = [(row, tool, r) for row in rows for tool in ("leakcheck", "psleak") for r in row[tool]
             if r["verdict"] != row["truth"]]
    print(f"\nwrong verdicts: {len(wrong)}")
    for row, tool, r in wrong:
        kept = f" [{r['run_dir']}]" if r.get("run_dir") else ""
        print(f"- {tool} {row['package']} {row['version']} ({row['case']}, truth {row['truth']}): "
              f"{r['verdict']} in {r['seconds']} s: {r['reason']}{kept}")


# --- main --------------------------------------------------------------------------------------


def cells(selected: Sequence[str]) -> list[tuple[Case, str, str]]:
    chosen = [c for c in CASES if not selected or c.name in selected or c.package in selected]
    return [(case, version, truth) for case in chosen for version, truth in case.versions]


def run_matrix(cache: Path, python: str, runs: int, selected: Sequence[str] = (), psleak: bool = True,
               log: bool = True, iterations: int | None = None, repo: Path = ROOT) -> list[dict[str, Any]]:
    cache.mkdir(parents=True, exist_ok=True)
    wheel = build_wheel(cache, repo)
    work = cache / "runs"
    work.mkdir(exist_ok=True)
    rows = []
    for case, version, truth in cells(selected):
        if log:
            print(f"[{case.name} {case.package}=={version}] set-up", file=sys.stderr, flush=True)
        lc_venv = leakcheck_venv(cache, python, wheel, case.package, version)
        ps_venv = psleak_venv(cache, python, case.package, version) if psleak else None
        row: dict[str, Any] = {"case": case.name, "package": case.package, "version": version, "truth": truth,
                               "source": case.source, "hand": hand_measure(lc_venv, case),
                               "leakcheck": [], "psleak": []}
        for n in range(runs):
            lc = run_leakcheck(lc_venv, case, work, iterations)
            if lc["verdict"] == truth:   # a wrong verdict keeps its run folder (samples, events, logs)
                shutil.rmtree(lc.pop("run_dir"), ignore_errors=True)
            row["leakcheck"].append(lc)
            if ps_venv is not None:
                row["psleak"].append(run_psleak(ps_venv, case))
            if log:
                ps_text = f", psleak {row['psleak'][-1]['verdict']}" if ps_venv is not None else ""
                print(f"  run {n + 1}/{runs}: leakcheck {row['leakcheck'][-1]['verdict']}{ps_text}",
                      file=sys.stderr, flush=True)
        rows.append(row)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each tool on each version (default 5)")
    parser.add_argument("--case", action="append", default=[], help="only this case or package (repeatable)")
    parser.add_argument("--cache", type=Path, default=default_cache(), help="where the venvs are kept")
    parser.add_argument("--python", default=default_python(), help="interpreter the venvs are made from")
    parser.add_argument("--no-psleak", action="store_true", help="run leakcheck only")
    parser.add_argument("--json", type=Path, help="write every run's verdict, reason and time here")
    parser.add_argument("--repo", type=Path, default=ROOT,
                        help="build leakcheck's wheel from this work tree (default: this repository's)")
    parser.add_argument("--iterations", type=int,
                        help="run leakcheck's probes this many iterations instead of their declared count "
                             "(a copy of the case's configuration; psleak escalates by itself)")
    args = parser.parse_args(argv)
    try:
        rows = run_matrix(args.cache, args.python, args.runs, args.case, psleak=not args.no_psleak,
                          iterations=args.iterations, repo=args.repo.resolve())
    except IndexUnreachable as error:
        print(f"foreign_packages: the package index is unreachable: {error}", file=sys.stderr)
        return 2
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    wrong = sum(r["verdict"] != row["truth"] for row in rows for tool in ("leakcheck", "psleak") for r in row[tool])
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
