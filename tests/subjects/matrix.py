"""The foreign-subjects matrix: a C library nobody here wrote against (libsubject.c, refleak.c), probed the
way users write probes (a native loop, Python and Node with and without the SDK), at default settings and at
a short and a plausible iteration count. Each cell has a known truth; `run_matrix` runs them all in one
`leakcheck run` and says which came out right.

    python tests/subjects/matrix.py --runs 20        # the repeats: counts of right, inconclusive, wrong
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BUILD = HERE / "build"
PROBES = HERE / "probes"
FLAGS = ("-O1", "-g", "-Wall", "-Wextra", "-Werror", "-pthread")

LEAK, PASS, INCONCLUSIVE = "LEAK", "PASS", "INCONCLUSIVE"
TRUTH = {"clean": PASS, "leak_1k": LEAK, "leak_64": LEAK, "leak_16": LEAK, "leak_every_100": LEAK, "cache": PASS,
         "fd": LEAK, "thread": LEAK, "finalizer": PASS, "pyref": LEAK, "pyref_fixed": PASS}
NATIVE_KINDS = ("clean", "leak_1k", "leak_64", "leak_16", "leak_every_100", "cache", "fd", "thread")
STYLES: dict[str, tuple[str, ...]] = {
    "native": NATIVE_KINDS,
    "python_plain": (*NATIVE_KINDS, "pyref", "pyref_fixed"),
    "python_sdk": (*NATIVE_KINDS, "pyref", "pyref_fixed"),
    # Not `finalizer`: a plain loop that never calls gc() holds the buffers until V8 decides to collect the
    # small wrappers, which it need not do for a long time: the process really grows (4 KiB a call, 178 MiB
    # after 32,000 calls), so no verdict is "the truth" there.
    "node_plain": NATIVE_KINDS,
    "node_sdk": (*NATIVE_KINDS, "finalizer"),
}
ITERATIONS = (200, 2000)
"""A short run (what a quick first probe uses) and a plausible one."""


@dataclass(frozen=True)
class Cell:
    style: str
    kind: str
    iterations: int

    @property
    def name(self) -> str:
        return f"{self.style.split('_')[0]}.{self.style}_{self.kind}_{self.iterations}"

    @property
    def truth(self) -> str:
        return TRUTH[self.kind]


SHORT_ONLY = frozenset({"thread"})
"""A thread a call, at 2,000 calls and the 4× run scaling asks for, is 10,000 threads at once with two cells side
by side: the machine's task limit, after which nothing can start (EAGAIN). Threads run at the short count."""


def cells(styles: Sequence[str] = tuple(STYLES), counts: Sequence[int] = ITERATIONS) -> list[Cell]:
    return [Cell(style, kind, n) for style in styles for kind in STYLES[style] for n in counts
            if kind not in SHORT_ONLY or n == min(counts)]


def build() -> None:
    """libsubject.so, the native probe (the library linked in) and the refleak module, if out of date."""
    BUILD.mkdir(exist_ok=True)
    library, native = BUILD / "libsubject.so", BUILD / "native_probe"
    extension = BUILD / f"refleak{sysconfig.get_config_var('EXT_SUFFIX')}"
    source = HERE / "libsubject.c"
    if _stale(library, source):
        _compile([*FLAGS, "-fPIC", "-shared", "-o", str(library), str(source)])
    if _stale(native, source, PROBES / "native_probe.c"):
        _compile([*FLAGS, "-o", str(native), str(PROBES / "native_probe.c"), str(source)])
    if _stale(extension, HERE / "refleak.c"):
        include = sysconfig.get_paths()["include"]
        _compile(["-O1", "-g", "-Wall", "-fPIC", "-shared", f"-I{include}", "-o", str(extension),
                  str(HERE / "refleak.c")])


def config_text(selected: Sequence[Cell]) -> str:
    """One probe a cell, at default settings: no limits, no tolerances."""
    commands = {"native": (f'"{BUILD / "native_probe"}"',),
                "python_plain": ('"{python}"', f'"{PROBES / "plain.py"}"'),
                "python_sdk": ('"{python}"', f'"{PROBES / "sdk.py"}"'),
                "node_plain": ('"{node}"', f'"{PROBES / "plain.js"}"'),
                "node_sdk": ('"{node}"', '"--expose-gc"', f'"{PROBES / "sdk.js"}"')}
    tables = []
    for cell in selected:
        lang = cell.style.split("_")[0]
        tables.append(f'[probes."{cell.name}"]\nlang = "{lang}"\ncommand = [{", ".join(commands[cell.style])}]\n'
                      f'env = {{ SUBJECT_KIND = "{cell.kind}" }}\niterations = {cell.iterations}\n')
    return "\n".join(tables)


@dataclass(frozen=True)
class Verdict:
    cell: Cell
    outcome: str
    reason: str
    seconds: float

    @property
    def grade(self) -> str:
        """right; inconclusive (too little evidence: allowed, never a PASS on a leak); or wrong."""
        if self.outcome == self.cell.truth:
            return "right"
        return "inconclusive" if self.outcome == INCONCLUSIVE else "wrong"


def run_matrix(selected: Sequence[Cell], leakcheck: Sequence[str], *, jobs: int = 2) -> list[Verdict]:
    with tempfile.TemporaryDirectory(prefix="leakcheck-subjects-") as folder:
        config = Path(folder) / "leakcheck.toml"
        config.write_text(config_text(selected), encoding="utf-8")
        results = Path(folder) / "results.json"
        subprocess.run([*leakcheck, "run", "--config", str(config), "--jobs", str(jobs), "--json", str(results),
                        "--run-dir", str(Path(folder) / "run")], capture_output=True, text=True, check=False,
                       cwd=ROOT, timeout=3600)
        document = json.loads(results.read_text(encoding="utf-8"))
    by_name = {probe["name"]: probe for probe in document["probes"]}
    return [Verdict(cell, by_name[cell.name]["outcome"], by_name[cell.name]["reason"],
                    sum(a["duration_s"] for a in by_name[cell.name]["attempts"])) for cell in selected]


def _stale(output: Path, *sources: Path) -> bool:
    return not output.exists() or any(s.stat().st_mtime > output.stat().st_mtime for s in sources)


def _compile(arguments: list[str]) -> None:
    gcc = shutil.which("gcc")
    if gcc is None:
        raise RuntimeError("gcc is needed to build the foreign subject")
    subprocess.run([gcc, *arguments], check=True, cwd=HERE)


def _append_log(log: Path, run: int, verdicts: Sequence[Verdict]) -> None:
    """A long series of repeats keeps what it saw if it is stopped part-way."""
    with log.open("a", encoding="utf-8") as stream:
        for verdict in verdicts:
            stream.write(json.dumps({"run": run + 1, "cell": verdict.cell.name, "truth": verdict.cell.truth,
                                     "outcome": verdict.outcome, "grade": verdict.grade,
                                     "seconds": round(verdict.seconds, 2), "reason": verdict.reason}) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--style", action="append", choices=sorted(STYLES))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--log", type=Path, help="append every verdict to this JSON-lines file as each run ends")
    args = parser.parse_args()
    build()
    selected = cells(args.style or tuple(STYLES))
    leakcheck = [sys.executable, "-m", "leakcheck.cli"]
    tally: dict[Cell, Counter[str]] = {cell: Counter() for cell in selected}
    seconds: dict[Cell, list[float]] = {cell: [] for cell in selected}
    wrong: list[Verdict] = []
    started = time.monotonic()
    for run in range(args.runs):
        verdicts = run_matrix(selected, leakcheck, jobs=args.jobs)
        for verdict in verdicts:
            tally[verdict.cell][verdict.grade] += 1
            seconds[verdict.cell].append(verdict.seconds)
            if verdict.grade == "wrong":
                wrong.append(verdict)
        if args.log is not None:
            _append_log(args.log, run, verdicts)
        print(f"run {run + 1}/{args.runs} done ({time.monotonic() - started:.0f} s)", file=sys.stderr)
    print(f"{'cell':44} {'truth':6} {'right':>5} {'incon':>5} {'wrong':>5} {'median s':>8}")
    for cell in selected:
        times = sorted(seconds[cell])
        print(f"{cell.name:44} {cell.truth:6} {tally[cell]['right']:5} {tally[cell]['inconclusive']:5} "
              f"{tally[cell]['wrong']:5} {times[len(times) // 2]:8.2f}")
    totals = Counter(grade for counter in tally.values() for grade in counter.elements())
    print(f"cells {len(selected)} x runs {args.runs}: right {totals['right']}, inconclusive "
          f"{totals['inconclusive']}, wrong {totals['wrong']} ({time.monotonic() - started:.0f} s)")
    for verdict in wrong:
        print(f"WRONG {verdict.cell.name}: {verdict.outcome}: {verdict.reason}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
