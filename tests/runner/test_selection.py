"""Which probes a run takes: suites from the iteration table, languages, -k substrings and globs."""

from __future__ import annotations

from pathlib import Path

import pytest

from leakcheck.config import ConfigError, load_config
from leakcheck.selection import Selection, parse_languages, select

CONFIG = """
[probes."python.ctypes_memory"]
lang = "python"
command = ["x"]
iterations = { fast = 100, medium = 1000 }
[probes."node.ffi_memory"]
lang = "node"
command = ["x"]
iterations = { medium = 500, pressure = 5000 }
[probes."zig.optimize"]
lang = "zig"
command = ["x"]
iterations = 300
"""


@pytest.fixture
def probes(tmp_path: Path):
    path = tmp_path / "leakcheck.toml"
    path.write_text(CONFIG)
    return load_config(path).probes


def names(probes, suite: str = "all", langs: str | None = None, *patterns: str) -> list[str]:
    return [p.name for p in select(probes, Selection(suite, parse_languages(langs), patterns))]


def test_suite_membership_comes_from_the_iteration_table(probes) -> None:
    assert names(probes, "fast") == ["python.ctypes_memory", "zig.optimize"]
    assert names(probes, "pressure") == ["node.ffi_memory", "zig.optimize"]
    assert names(probes, "all") == ["python.ctypes_memory", "node.ffi_memory", "zig.optimize"]


def test_all_runs_each_probe_at_its_largest_suite(probes) -> None:
    counts = {p.name: p.iterations_for("all") for p in probes}
    assert counts == {"python.ctypes_memory": 1000, "node.ffi_memory": 5000, "zig.optimize": 300}


def test_languages_and_patterns_narrow_the_selection(probes) -> None:
    assert names(probes, "all", "node,zig") == ["node.ffi_memory", "zig.optimize"]
    assert names(probes, "all", None, "MEMORY") == ["python.ctypes_memory", "node.ffi_memory"]
    assert names(probes, "all", None, "*.opt*") == ["zig.optimize"]
    assert names(probes, "all", None, "ctypes", "zig.*") == ["python.ctypes_memory", "zig.optimize"]


def test_exclusions_leave_probes_out(probes) -> None:
    taken = select(probes, Selection("all", frozenset(), (), excluded=("ffi", "zig.*")))
    assert [p.name for p in taken] == ["python.ctypes_memory"]


def test_unknown_language_is_a_usage_error() -> None:
    with pytest.raises(ConfigError, match=r"unknown language.*rust; allowed: python, node, zig, native"):
        parse_languages("python,rust")
