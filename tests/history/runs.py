"""Run documents written by leakcheck's own results writer, from seeded synthetic sample series."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from scipy import stats

from leakcheck.output.json_results import JsonResults
from leakcheck.results import Attempt, Crash, ProbeResult, Sample, Tick

MIB = 1024 * 1024


@dataclass(frozen=True)
class SyntheticProbe:
    name: str
    outcome: str = "PASS"
    leak_per_iter: float = 0.0
    """Bytes of RSS added per iteration after warm-up."""
    noise: float = 64 * 1024
    """Standard deviation of RSS noise in bytes."""
    counter_leak: float = 0.0
    iterations: int = 1000
    samples: int = 400
    duration_s: float = 2.0
    crash: bool = False


def attempt(probe: SyntheticProbe, rng: random.Random) -> Attempt:
    warmup = probe.iterations // 10
    samples, points = [], []
    for k in range(probe.samples):
        i = k * probe.iterations // probe.samples
        rss = 40 * MIB + max(0, i - warmup) * probe.leak_per_iter + rng.gauss(0, probe.noise)
        samples.append(Sample(t=k * probe.duration_s / probe.samples, i=i, rss=int(rss), vms=int(300 * MIB + rss),
                              fds=4, threads=5, processes=1))
        if i >= warmup:
            points.append((i, rss))
    ticks = tuple(Tick(t=i / 500, i=i, phase="warmup" if i < warmup else "measure",
                       counters={"lib_live_bytes": max(0, i - warmup) * probe.counter_leak, "live_results": 0.0})
                  for i in range(0, probe.iterations, 5))
    fit = stats.linregress([p[0] for p in points], [p[1] for p in points])
    findings = ({"signal": "rss", "kind": "trend", "failed": probe.outcome == "LEAK",
                 "figures": {"slope": fit.slope, "ci_low": fit.slope - 2 * fit.stderr,
                             "ci_high": fit.slope + 2 * fit.stderr},
                 "reason": f"RSS slope {fit.slope:.1f} B/iter"},
                {"signal": "counter:lib_live_bytes", "kind": "baseline", "failed": probe.counter_leak > 0,
                 "figures": {"growth": (probe.iterations - warmup - 5) * probe.counter_leak}, "reason": "counter"},
                {"signal": "limit:rss_growth", "kind": "limit", "failed": False,
                 "figures": {"observed": 1.0, "limit": 50e6}, "reason": "limit"})
    crash = Crash("SIGSEGV", 11, "measure", "signal", "#0 pyjamaz_optimize\n#1 main") if probe.crash else None
    return Attempt(number=1, outcome=probe.outcome, reasons=(f"{probe.name}: {probe.outcome}",),
                   key_figure=f"peak RSS {max(s.rss for s in samples) / MIB:.1f} MiB", returncode=0,
                   phase="teardown", last_tick=probe.iterations - 1, duration_s=probe.duration_s,
                   peak_rss=max(s.rss for s in samples), files={}, samples=tuple(samples), ticks=ticks,
                   findings=findings, crash=crash, output_tail=f"output of {probe.name}")


def write_run(run_dir: Path, probes: list[SyntheticProbe], *, commit: str = "a" * 40, seed: int = 0,
              time: str = "2026-11-23T12:00:00+00:00", suite: str = "fast", library: str | None = None) -> Path:
    """reports/runs/<id>/results.json for these probes, as `leakcheck run` writes it."""
    rng = random.Random(seed)
    header = {"provenance": {"time": time, "commit": commit, "dirty": False, "machine": {"hostname": "test"},
                             "versions": {"leakcheck": "0.1.0"}, "library_path": library},
              "config": "pyproject.toml", "run_dir": str(run_dir), "selection": {"suite": suite, "lang": None}}
    writer = JsonResults([run_dir / "results.json"], header)
    for probe in probes:
        writer.add(ProbeResult(name=probe.name, lang=probe.name.split(".")[0], suite="fast",
                               iterations=probe.iterations, outcome=probe.outcome,
                               attempts=(attempt(probe, rng),)))
    writer.finish(interrupted=False, exit_code=0, harness={})
    return run_dir / "results.json"
