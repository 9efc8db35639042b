"""The CLI's contract: usage and configuration errors are exit 2 with a message naming file and key, never a
traceback; `list` and `doctor` read the same configuration `run` does."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from leakcheck.cli import main

GOOD = '[probes."python.one"]\nlang = "python"\ncommand = ["{python}", "-c", "pass"]\niterations = { fast = 10 }\n'


def leakcheck_cli(*args: str, cwd: Path | None = None,
                  env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "leakcheck.cli", *args], capture_output=True, text=True,
                          timeout=120, check=False, cwd=cwd, env={**os.environ, **(env or {})})


@pytest.mark.parametrize(("config", "message"), [
    ('[probes."python.one"]\nlang = "ruby"\ncommand = ["x"]\niterations = 1\n',
     "probes.'python.one'.lang = 'ruby'; allowed: python, node, zig, native"),
    ('[probes."python.one"]\nlang = "python"\ncommand = []\niterations = 1\n',
     "probes.'python.one'.command = []; allowed: a non-empty list of strings"),
    ('[probes."python.one"]\nlang = "python"\ncommand = ["x"]\niterations = { quick = 5 }\n',
     "probes.'python.one'.iterations.quick = 5; allowed: a positive integer, or a table of suites"),
    ('[probes."python.one"]\nlang = "python"\ncommand = ["x"]\niterations = 1\nlimits = { slope = "fast" }\n',
     "limits.slope = 'fast' is not valid; allowed: a size per iteration"),
    ('[probes."python.one"]\nlang = "python"\ncommand = ["x"]\niterations = 1\ntimeout = "soon"\n',
     "probes.'python.one'.timeout = 'soon' is not a duration"),
    ('[probes."python.one"]\nlang = "python"\ncommand = ["x"]\niterations = 1\ncolour = "red"\n',
     "unknown key(s) colour; allowed:"),
    ('[probes."node.one"]\nlang = "python"\ncommand = ["x"]\niterations = 1\n',
     'a python probe\'s name must be "python.<name>"'),
    ("[probes\n", "cannot read the configuration"),
])
def test_config_errors_exit_2_naming_file_and_key(tmp_path: Path, config: str, message: str) -> None:
    path = tmp_path / "leakcheck.toml"
    path.write_text(config)
    completed = leakcheck_cli("run", "--config", str(path))
    assert completed.returncode == 2
    assert str(path) in completed.stderr and message in completed.stderr, completed.stderr
    assert "Traceback" not in completed.stderr


@pytest.mark.parametrize("args", [["run", "--suite", "huge"], ["run", "--retries", "-1"], ["run", "--timeout", "0"],
                                  ["run", "--repeat", "x"], ["bogus"]])
def test_bad_arguments_exit_2(args: list[str]) -> None:
    completed = leakcheck_cli(*args)
    assert completed.returncode == 2 and "Traceback" not in completed.stderr


def test_unknown_language_and_empty_selection_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "leakcheck.toml"
    path.write_text(GOOD)
    assert main(["run", "--config", str(path), "--lang", "cobol"]) == 2
    assert main(["run", "--config", str(path), "-k", "nothing-matches"]) == 2


def test_missing_config_is_exit_2(tmp_path: Path) -> None:
    completed = leakcheck_cli("list", cwd=Path("/"))
    assert completed.returncode == 2 and "pass --config PATH" in completed.stderr


def test_list_shows_probes_from_nearest_config(tmp_path: Path) -> None:
    (tmp_path / "leakcheck.toml").write_text(GOOD + GOOD.replace("python.one", "python.two")
                                             .replace("fast = 10", "medium = 20"))
    nested = tmp_path / "deeper"
    nested.mkdir()
    completed = leakcheck_cli("list", "--suite", "fast", cwd=nested)
    assert completed.returncode == 0
    assert "python.one" in completed.stdout and "python.two" not in completed.stdout


def test_pyproject_without_leakcheck_table_is_not_a_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    completed = leakcheck_cli("list", cwd=tmp_path)
    assert completed.returncode == 2 and "no leakcheck.toml or pyproject.toml" in completed.stderr


def test_doctor_names_what_is_missing_and_how_to_install_it(tmp_path: Path) -> None:
    (tmp_path / "leakcheck.toml").write_text(
        'setup = "make probes"\n[vars]\nout = "{root}/out"\n' + GOOD
        + '[probes."zig.built"]\nlang = "zig"\ncommand = ["x"]\niterations = 1\n'
          'requires = ["{out}/bin/probe-that-is-not-built"]\n'
          '[probes."python.typo"]\nlang = "python"\ncommand = ["{pythn}", "p.py"]\niterations = 1\n'
          '[probes."python.venv"]\nlang = "python"\npython = "venv/bin/python"\ncommand = ["{python}", "p.py"]\n'
          'iterations = 1\n')
    completed = leakcheck_cli("doctor", "--config", str(tmp_path / "leakcheck.toml"))
    lines = completed.stdout.splitlines()
    required = next(line for line in lines if "out/bin/probe-that-is-not-built" in line)
    assert "zig.built" in required and "missing" in required and "make probes" in required
    typo = next(line for line in lines if "python.typo" in line)
    assert "unknown placeholder {pythn}" in typo and "{python}" in typo
    venv = next(line for line in lines if "python.venv" in line)
    assert f"command {tmp_path / 'venv/bin/python'}" in venv and "missing" in venv
    assert "python3 -m venv" in completed.stdout
    assert completed.returncode == 1


def test_unwritable_output_path_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "leakcheck.toml"
    path.write_text(GOOD)
    blocker = tmp_path / "file"
    blocker.write_text("")
    completed = leakcheck_cli("run", "--config", str(path), "--run-dir", str(blocker / "runs"))
    assert completed.returncode == 2
    assert f"cannot write {blocker / 'runs'}" in completed.stderr and "Traceback" not in completed.stderr


def test_version_names_the_installed_distribution() -> None:
    completed = leakcheck_cli("--version")
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == f"leakcheck {metadata.version('leakcheck')}"
