"""Mutation runs on a suite of small real probes (tests/mutants/probes/library_probe.py), whose "libraries"
are text files naming which probe each mutant breaks and how."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from leakcheck.config import load_config
from leakcheck.mutants.catalog import Mutant
from leakcheck.mutants.run import PRODUCTION, MutationPlan, MutationRun, run_mutation
from leakcheck.results import ProbeResult
from leakcheck.runner.attempt import Progress

PROBE = Path(__file__).parent / "probes" / "library_probe.py"
SUITE = {"python.quick": "0", "python.slow": "0.02", "zig.only": "0"}
"""Probe -> seconds each iteration sleeps (python.slow is the costlier Python probe)."""
LIBRARIES = {"production": "", "both": "python.quick=counter zig.only=crash", "python-only": "python.slow=check"}
"""Mutant `both` breaks a probe in each language; `python-only` is a hole in zig."""


def suite_config(directory: Path) -> Path:
    tables = [f'[probes."{name}"]\nlang = "{name.split(".")[0]}"\ncommand = ["{sys.executable}", "{PROBE}"]\n'
              f'iterations = {{ fast = 40 }}\nenv = {{ PROBE_DELAY_S = "{delay}", LEAKCHECK_WARMUP = "10" }}\n'
              f'exact_counters = ["lib_*"]\ntimeout = "60s"\n' for name, delay in SUITE.items()]
    path = directory / "leakcheck.toml"
    path.write_text("jobs = 2\n" + "\n".join(tables))
    return path


@dataclass
class RecordedStages:
    """Records which stages ran and what each handed over (and nothing else)."""

    names: list[str] = field(default_factory=list)
    finished: dict[str, list[ProbeResult]] = field(default_factory=dict)

    def stage(self, name: str, library: Path, run_dir: Path) -> RecordedStages._Stage:
        self.names.append(name)
        return RecordedStages._Stage(self, name)

    class _Stage:
        def __init__(self, owner: RecordedStages, name: str) -> None:
            self.owner, self.name = owner, name

        def probe_started(self, probe: object, iterations: int, repeat: int) -> None:
            pass

        def progress(self, update: Progress) -> None:
            pass

        def probe_finished(self, result: ProbeResult) -> None:
            pass

        def stage_finished(self, results: Sequence[ProbeResult], interrupted: bool) -> None:
            self.owner.finished[self.name] = list(results)


def run_suite(directory: Path, libraries: Mapping[str, str], *, languages: Sequence[str] = ("python", "zig"),
              first_catch: bool = False, budget_s: float | None = None,
              known_catches: Mapping[str, frozenset[str]] | None = None) -> tuple[MutationRun, RecordedStages]:
    """`libraries`: "production" and each mutant -> the effects its library has (`probe=effect` words)."""
    config = load_config(suite_config(directory))
    files = {}
    for name, effects in libraries.items():
        files[name] = directory / f"{name}.so"
        files[name].write_text(effects)
    mutants = tuple(Mutant(name, f"the {name} leak") for name in libraries if name != PRODUCTION)
    plan = MutationPlan(root=config.root, suite="fast", probes=tuple(p for p in config.probes if p.lang in languages),
                        mutants=mutants, libraries=files, library_env="PYJAMAZ_LIB_PATH", out_dir=directory / "out",
                        jobs=2, first_catch=first_catch,
                        budget_s=budget_s, production_retries=0, known_catches=known_catches or {})
    stages = RecordedStages()
    return run_mutation(plan, stages), stages
