"""Durations must be finite and above zero wherever they are given: nan or inf switches the watchdog off
(no comparison with nan is ever true), 0 or less ends every probe at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from leakcheck.cli import main

from .cli import leakcheck

GOOD = '[probes."python.one"]\nlang = "python"\ncommand = ["{python}", "-c", "pass"]\niterations = 10\n'


def usage_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """What `leakcheck ARGV` prints on stderr; it must exit 2."""
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    assert exited.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1", "0", "1e400"])
@pytest.mark.parametrize("command", ["run", "mutants"])
def test_the_timeout_flag_rejects_non_finite_and_non_positive_seconds(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, value: str) -> None:
    config = tmp_path / "leakcheck.toml"
    config.write_text(GOOD)
    message = usage_error(capsys, command, "--config", str(config), f"--timeout={value}")
    assert f"--timeout: {value!r} is not a positive number of seconds" in message


def test_the_mutants_budget_rejects_non_finite_seconds(capsys: pytest.CaptureFixture[str]) -> None:
    assert "'inf' is not a positive number of seconds: it must be finite" in usage_error(capsys, "mutants",
                                                                                         "--budget", "inf")


def test_the_command_line_says_it_and_exits_2_without_a_traceback(tmp_path: Path) -> None:
    config = tmp_path / "leakcheck.toml"
    config.write_text(GOOD)
    completed = leakcheck("run", "--config", str(config), "--timeout", "nan")
    assert completed.returncode == 2
    assert "argument --timeout: 'nan' is not a positive number of seconds: it must be finite" in completed.stderr
    assert "Traceback" not in completed.stderr


@pytest.mark.parametrize(("key", "value"), [
    ("timeout", "nan"), ("timeout", "inf"), ("timeout", "-inf"), ("timeout", "-1"), ("timeout", "0"),
    ("timeout", '"0s"'), ("timeout", f'"{"9" * 400}s"'), ("stall_timeout", "inf"), ("stall_timeout", "0.0"),
])
def test_a_configured_duration_must_be_finite_and_positive(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           key: str, value: str) -> None:
    config = tmp_path / "leakcheck.toml"
    config.write_text(GOOD + f"{key} = {value}\n")
    assert main(["list", "--config", str(config)]) == 2
    message = capsys.readouterr().err
    assert f"{config}: probes.'python.one'.{key} = " in message
    assert "is not a duration; allowed: a positive, finite number of seconds" in message


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_a_top_level_timeout_must_be_finite(tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str) -> None:
    config = tmp_path / "leakcheck.toml"
    config.write_text(f"timeout = {value}\n" + GOOD)
    assert main(["run", "--config", str(config)]) == 2
    assert "is not a duration" in capsys.readouterr().err


def run_pytest(directory: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *arguments],
                          check=False, cwd=directory, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("value", ["nan", "0"])
def test_the_plugin_timeout_option_is_a_usage_error(tmp_path: Path, value: str) -> None:
    (tmp_path / "test_t.py").write_text("def test_t():\n    pass\n")
    completed = run_pytest(tmp_path, "test_t.py", "--leakcheck-repeat", "5", f"--leakcheck-timeout={value}")
    assert completed.returncode == pytest.ExitCode.USAGE_ERROR
    assert f"--leakcheck-timeout: {value!r} is not a positive number of seconds" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_the_marker_timeout_fails_the_test_with_the_reason(tmp_path: Path) -> None:
    values = ["float('nan')", "float('inf')", "0", "-1.5"]
    (tmp_path / "test_t.py").write_text("import pytest\n" + "".join(
        f"\n@pytest.mark.leakcheck(timeout={value})\ndef test_{n}():\n    pass\n" for n, value in enumerate(values)))
    completed = run_pytest(tmp_path, "test_t.py")
    assert f"{len(values)} failed" in completed.stdout, completed.stdout
    for value in ("nan", "inf", "0", "-1.5"):
        assert f"timeout={value} must be a number of seconds above 0 and finite" in completed.stdout
    assert "Traceback" not in completed.stdout


@pytest.mark.parametrize("value", ["nan", "inf", "0", "1", "-0.5", "2", "x"])
def test_compare_rejects_an_alpha_that_is_not_a_probability(capsys: pytest.CaptureFixture[str], value: str) -> None:
    assert f"--alpha: {value!r} is not a probability between 0 and 1" in usage_error(capsys, "compare", "a", "b",
                                                                                      f"--alpha={value}")


@pytest.mark.parametrize("value", ["nan", "inf", "nan%", "0", "-5%"])
def test_compare_rejects_a_threshold_that_is_not_a_finite_positive_share(capsys: pytest.CaptureFixture[str],
                                                                         value: str) -> None:
    message = usage_error(capsys, "compare", "a", "b", f"--threshold={value}")
    assert f"--threshold: {value!r}: the threshold must be a finite number above 0" in message
