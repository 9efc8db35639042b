"""compare: noise alone never flags; a leak (RSS or an exact counter) and a newly failing verdict do."""

from __future__ import annotations

from pathlib import Path

import pytest

from leakcheck.cli import main
from leakcheck.history.compare import compare_runs
from leakcheck.history.figures import run_figures
from leakcheck.history.store import load_run

from .runs import SyntheticProbe, write_run

STEADY = [SyntheticProbe(f"zig.steady_{k}") for k in range(6)]


def _figures(tmp_path: Path, name: str, probes: list[SyntheticProbe], seed: int) -> dict:  # type: ignore[type-arg]
    return run_figures(load_run(write_run(tmp_path / name, probes, seed=seed)))


@pytest.mark.parametrize("seed", range(5))
def test_noise_alone_does_not_flag(tmp_path: Path, seed: int) -> None:
    comparisons = compare_runs(_figures(tmp_path, "base", STEADY, seed), _figures(tmp_path, "head", STEADY, seed + 100))
    assert [c.name for c in comparisons if c.regression] == []


def test_an_rss_leak_is_flagged_with_its_significance(tmp_path: Path) -> None:
    head = [*STEADY[:5], SyntheticProbe("zig.steady_5", leak_per_iter=1024)]
    comparisons = compare_runs(_figures(tmp_path, "base", STEADY, 1), _figures(tmp_path, "head", head, 2))
    assert [c.name for c in comparisons if c.regression] == ["zig.steady_5"]
    slope = next(ch for ch in comparisons[-1].changes if ch.figure.startswith("RSS slope"))
    assert slope.regression and slope.p_value is not None and slope.p_value < 0.01


def test_exact_counter_growth_and_failing_verdict_are_flagged(tmp_path: Path) -> None:
    head = [SyntheticProbe("zig.steady_0", counter_leak=8.0), SyntheticProbe("zig.steady_1", outcome="CRASH"),
            SyntheticProbe("zig.steady_2", outcome="LEAK"), *STEADY[3:]]
    comparisons = compare_runs(_figures(tmp_path, "base", STEADY, 1), _figures(tmp_path, "head", head, 2))
    flagged = {c.name: [ch.figure for ch in c.changes if ch.regression] for c in comparisons if c.regression}
    assert flagged == {"zig.steady_0": ["lib_live_bytes growth"], "zig.steady_1": ["verdict"]}
    # A LEAK verdict that no figure corroborates is the analysis meeting noise, not a regression.
    uncorroborated = next(c for c in comparisons if c.name == "zig.steady_2").changes[0]
    assert not uncorroborated.regression and "within run-to-run noise" in uncorroborated.reason


def test_a_leak_verdict_with_a_significant_slope_is_flagged(tmp_path: Path) -> None:
    head = [SyntheticProbe("zig.steady_0", outcome="LEAK", leak_per_iter=2048), *STEADY[1:]]
    comparisons = compare_runs(_figures(tmp_path, "base", STEADY, 1), _figures(tmp_path, "head", head, 2))
    flagged = {c.name: [ch.figure for ch in c.changes if ch.regression] for c in comparisons if c.regression}
    assert flagged["zig.steady_0"][0] == "verdict" and "RSS slope (B/iter)" in flagged["zig.steady_0"]


def test_compare_command_exits_1_on_regression_and_0_otherwise(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    runs = tmp_path / "runs"
    write_run(runs / "20261123T100000Z-fast", STEADY, seed=1, commit="1" * 40)
    write_run(runs / "20261123T110000Z-fast", STEADY, seed=2, commit="2" * 40)
    write_run(runs / "20261123T120000Z-fast", [*STEADY[:5], SyntheticProbe("zig.steady_5", leak_per_iter=4096)],
              seed=3, commit="3" * 40)
    common = ["--runs-dir", str(runs)]
    assert main(["compare", "20261123T100000Z-fast", "2222222", *common]) == 0
    assert main(["compare", "1111", "latest", *common]) == 1
    assert "regressions: zig.steady_5" in capsys.readouterr().out
    assert main(["compare", "nope", "latest", *common]) == 2
    assert "'nope' is neither" in capsys.readouterr().err
