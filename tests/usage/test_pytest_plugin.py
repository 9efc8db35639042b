"""The pytest plugin on real pytest runs: a test that keeps memory fails with LEAK, a clean one passes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from leakcheck.limits import LimitError
from leakcheck.pytest_plugin import parse_test_limit

USER_TESTS = '''
import pytest

KEPT = []

@pytest.mark.leakcheck(iterations=120)
def test_keeps_every_buffer():
    KEPT.append(bytearray(256 * 1024))

@pytest.mark.leakcheck(iterations=120, limit="1KiB/iter")
def test_frees_every_buffer():
    data = bytearray(256 * 1024)
    assert len(data) == 256 * 1024

def test_not_marked():
    assert True
'''

UNMARKED_TESTS = '''
import os

OPEN = []

def test_opens_a_file_each_time(tmp_path):
    OPEN.append(open(os.devnull))
'''


def run_pytest(directory: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *arguments],
                          check=False, cwd=directory, capture_output=True, text=True, timeout=300)


def test_marked_leaking_test_fails_and_clean_test_passes(tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(USER_TESTS)
    result = run_pytest(tmp_path, "test_user.py")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 2 passed" in result.stdout
    assert "FAILED test_user.py::test_keeps_every_buffer" in result.stdout
    assert "leakcheck: LEAK" in result.stdout
    # 256 KiB kept per repetition; the allocator's headers and page rounding, and where the samples fall,
    # move the measured slope by a few KiB either way.
    slope = re.search(r"RSS slope ([\d.]+) KiB/iter", result.stdout)
    assert slope is not None and 248 <= float(slope[1]) <= 268, result.stdout


def test_repeat_option_checks_unmarked_tests(tmp_path: Path) -> None:
    (tmp_path / "test_files.py").write_text(UNMARKED_TESTS)
    assert run_pytest(tmp_path, "test_files.py").returncode == 0  # without the option: an ordinary test
    result = run_pytest(tmp_path, "test_files.py", "--leakcheck-repeat", "100")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "leakcheck: LEAK" in result.stdout
    assert "open file descriptors" in result.stdout


HANDLE_TESTS = '''
import pytest

OPEN_HANDLES = set()

def open_handle(number):  # a "library" whose handles are tiny: RSS cannot see this leak, its counter can
    OPEN_HANDLES.add(number)

@pytest.mark.leakcheck(iterations=100, exact_counters=["open_handles"])
def test_never_closes(request):
    open_handle(request.node.name + str(len(OPEN_HANDLES)))
'''

HANDLE_CONFTEST = '''
import test_handles

def pytest_leakcheck_counters():
    return {"open_handles": len(test_handles.OPEN_HANDLES)}
'''


def test_conftest_counters_catch_a_leak_memory_cannot_show(tmp_path: Path) -> None:
    (tmp_path / "test_handles.py").write_text(HANDLE_TESTS)
    (tmp_path / "conftest.py").write_text(HANDLE_CONFTEST)
    result = run_pytest(tmp_path, "test_handles.py")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "leakcheck: LEAK" in result.stdout
    assert "open_handles +" in result.stdout and "did not return to baseline" in result.stdout


def test_a_failing_body_is_reported_with_its_output(tmp_path: Path) -> None:
    (tmp_path / "test_broken.py").write_text(
        "import pytest\n\n@pytest.mark.leakcheck(iterations=10)\ndef test_broken():\n    assert 1 == 2\n")
    result = run_pytest(tmp_path, "test_broken.py")
    assert result.returncode == 1
    assert "leakcheck: FAIL" in result.stdout
    assert "assert 1 == 2" in result.stdout


def test_a_bad_limit_is_a_clear_failure(tmp_path: Path) -> None:
    (tmp_path / "test_limit.py").write_text(
        "import pytest\n\n@pytest.mark.leakcheck(limit='lots')\ndef test_x():\n    pass\n")
    result = run_pytest(tmp_path, "test_limit.py")
    assert result.returncode == 1
    assert "leakcheck limit 'lots' is not valid" in result.stdout
    assert "Traceback" not in result.stdout


@pytest.mark.parametrize(("text", "key"), [("1KiB/iter", "slope"), ("50MB", "rss_growth"),
                                           ("fd_growth=+0 fds", "fd_growth")])
def test_limit_text_names_its_key(text: str, key: str) -> None:
    assert parse_test_limit(text).key == key


def test_unknown_limit_key_is_rejected() -> None:
    with pytest.raises(LimitError, match="unknown limit 'speed'"):
        parse_test_limit("speed=3")


def test_bad_marker_arguments_and_options_are_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "test_args.py").write_text(
        "import pytest\n\n@pytest.mark.leakcheck(timeout='soon')\ndef test_t():\n    pass\n\n"
        "@pytest.mark.leakcheck(every=3)\ndef test_u():\n    pass\n")
    result = run_pytest(tmp_path, "test_args.py")
    assert "timeout='soon' must be a number of seconds" in result.stdout
    assert "unknown argument(s) every" in result.stdout
    repeat = run_pytest(tmp_path, "test_args.py", "--leakcheck-repeat", "1")
    assert repeat.returncode == 4 and "must be a whole number of at least 2" in repeat.stderr
    assert "Traceback" not in result.stdout + repeat.stderr
