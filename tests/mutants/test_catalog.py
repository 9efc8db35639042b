"""The leak mutants come from zig/src/mutants.zig alone; every other place that names them must agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from leakcheck.config import ConfigError
from leakcheck.mutants.catalog import Mutant, choose, load_mutants, parse_mutants

REPO = Path(__file__).resolve().parents[2]
DECLARED = tuple(m.name for m in load_mutants(REPO))
_NAME = r"[a-z]+(?:-[a-z]+)+"


def _names_between(path: Path, start: str, end: str) -> tuple[str, ...]:
    """The mutant-like names in `path` between `start` and `end` (in Markdown, only those in backticks)."""
    text = path.read_text(encoding="utf-8")
    section = text[text.index(start) + len(start):]
    pattern = f"`({_NAME})`" if path.suffix == ".md" else f"({_NAME})"
    return tuple(re.findall(pattern, section[:section.index(end)]))


def test_the_enum_declares_five_mutants_each_with_its_description() -> None:
    mutants = load_mutants(REPO)
    assert DECLARED == ("result-buffer", "losing-candidates", "vips-unref", "error-message", "file-descriptor")
    assert all(m.description for m in mutants)
    assert mutants[0].description == "pyjamaz_result_free does not free the output bytes."


@pytest.mark.parametrize(("path", "start", "end"), [
    ("build.zig", '"Build with one deliberate leak: ', "(default: none)"),
    ("zig/src/mutants.zig", "expected one of: none, ", ");"),
    ("scripts/mutants-memory-test.sh", "mutants=(", ")"),
    ("bindings/python/tests/memory/leak_matrix.py", "NATIVE_LEAKS = (", ")"),
    ("README.md", "Leak mutants (`-Dleak-mutant=`; the default build has none):", "Point any binding"),
])
def test_every_other_list_of_the_mutants_agrees_with_the_enum(path: str, start: str, end: str) -> None:
    assert tuple(dict.fromkeys(_names_between(REPO / path, start, end))) == DECLARED


def test_the_test_command_keeps_no_list_of_its_own() -> None:
    text = (REPO / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert "leakcheck mutants" in text
    assert not [name for name in DECLARED if name in text]


def test_plain_and_quoted_members_are_read_and_none_is_left_out() -> None:
    text = 'pub const Mutant = enum {\n    none,\n    /// Leaks a.\n    /// Twice.\n    plain_one,\n    @"quoted-two",\n};'
    assert parse_mutants(text, Path("m.zig")) == (Mutant("plain_one", "Leaks a. Twice."), Mutant("quoted-two", ""))


@pytest.mark.parametrize(("text", "message"), [
    ("const x = 1;", "no `pub const Mutant = enum"),
    ("pub const Mutant = enum {\n    none,\n};", "declares no leak mutant besides 'none'"),
])
def test_a_source_without_mutants_is_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_mutants(text, Path("m.zig"))


def test_a_project_without_the_source_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="leakcheck mutants works on the libpyjamaz project"):
        load_mutants(tmp_path)


def test_choosing_keeps_declaration_order_and_refuses_unknown_names() -> None:
    mutants = load_mutants(REPO)
    assert [m.name for m in choose(mutants, ["file-descriptor", "result-buffer"])] == ["result-buffer", "file-descriptor"]
    assert choose(mutants, []) == mutants
    with pytest.raises(ConfigError, match="unknown leak mutant.s. leaky; declared in zig/src/mutants.zig: result-buffer"):
        choose(mutants, ["leaky"])
