"""libpyjamaz's leak mutants come from zig/src/mutants.zig alone (listed by scripts/list_mutants.py, the
[mutants] list command); every other place that names them must agree. And the catalogue reading of any
project's listing."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

from leakcheck.config import ConfigError, load_config
from leakcheck.mutants.catalog import Mutant, choose, load_mutants, parse_listing

REPO = Path(__file__).resolve().parents[2]
CONFIG = load_config(REPO / "pyproject.toml")
DECLARED = tuple(m.name for m in load_mutants(CONFIG))


def _lister() -> ModuleType:
    spec = importlib.util.spec_from_file_location("list_mutants", REPO / "scripts" / "list_mutants.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
_NAME = r"[a-z]+(?:-[a-z]+)+"


def _names_between(path: Path, start: str, end: str) -> tuple[str, ...]:
    """The mutant-like names in `path` between `start` and `end` (in Markdown, only those in backticks)."""
    text = path.read_text(encoding="utf-8")
    section = text[text.index(start) + len(start):]
    pattern = f"`({_NAME})`" if path.suffix == ".md" else f"({_NAME})"
    return tuple(re.findall(pattern, section[:section.index(end)]))


def test_the_enum_declares_five_mutants_each_with_its_description() -> None:
    mutants = load_mutants(CONFIG)
    assert DECLARED == ("result-buffer", "losing-candidates", "vips-unref", "error-message", "file-descriptor")
    assert all(m.description for m in mutants)
    assert mutants[0].description == "pyjamaz_result_free does not free the output bytes."


@pytest.mark.parametrize(("path", "start", "end"), [
    ("build.zig", '"Build with one deliberate leak: ', "(default: none)"),
    ("zig/src/mutants.zig", "expected one of: none, ", ");"),
    ("scripts/mutants-memory-test.sh", "mutants=(", ")"),
    ("bindings/python/tests/memory/leak_matrix.py", "NATIVE_LEAKS = (", ")"),
    ("zig/README.md", "Leak mutants (`-Dleak-mutant=`; the default build has none):", "Point any binding"),
])
def test_every_other_list_of_the_mutants_agrees_with_the_enum(path: str, start: str, end: str) -> None:
    assert tuple(dict.fromkeys(_names_between(REPO / path, start, end))) == DECLARED


def test_the_test_command_keeps_no_list_of_its_own() -> None:
    text = (REPO / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert "leakcheck mutants" in text
    assert not [name for name in DECLARED if name in text]


def test_the_lister_reads_plain_and_quoted_members_and_leaves_none_out() -> None:
    text = 'pub const Mutant = enum {\n    none,\n    /// Leaks a.\n    /// Twice.\n    plain_one,\n    @"quoted-two",\n};'
    assert _lister().mutants(text) == [("plain_one", "Leaks a. Twice."), ("quoted-two", "")]
    with pytest.raises(ValueError, match="no `pub const Mutant = enum"):
        _lister().mutants("const x = 1;")


def test_a_listing_gives_names_and_descriptions_in_order() -> None:
    listing = "none\nresult-buffer\tkeeps the bytes\n\nplain other words\n"
    assert parse_listing(listing, "lister") == (Mutant("result-buffer", "keeps the bytes"),
                                                Mutant("plain", "other words"))


@pytest.mark.parametrize(("listing", "message"), [
    ("", "lister names no leak mutant"),
    ("none\n", "lister names no leak mutant"),
    ("$(rm)\tbad\n", "line 1: '$(rm)' is not a mutant name"),
])
def test_a_listing_without_mutants_is_a_clear_error(listing: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_listing(listing, "lister")


def test_a_project_without_a_mutants_table_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "leakcheck.toml").write_text('[probes."python.a"]\nlang = "python"\ncommand = ["x"]\niterations = 1\n')
    with pytest.raises(ConfigError, match=re.escape("no [mutants] table")):
        load_mutants(load_config(tmp_path / "leakcheck.toml"))


def test_a_failing_list_command_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "leakcheck.toml").write_text(
        '[mutants]\nlist = ["{python}", "-c", "import sys; sys.exit(3)"]\nbuild = ["b", "{mutant}"]\n'
        'library = "m/{mutant}.so"\nproduction_library = "p.so"\nenv = "LIB"\n')
    with pytest.raises(ConfigError, match=r"mutants.list: .* failed \(exit 3\)"):
        load_mutants(load_config(tmp_path / "leakcheck.toml"))


def test_choosing_keeps_declaration_order_and_refuses_unknown_names() -> None:
    mutants = load_mutants(CONFIG)
    assert [m.name for m in choose(mutants, ["file-descriptor", "result-buffer"])] == ["result-buffer", "file-descriptor"]
    assert choose(mutants, []) == mutants
    with pytest.raises(ConfigError, match=r"unknown leak mutant.s. leaky; declared: result-buffer"):
        choose(mutants, ["leaky"])
