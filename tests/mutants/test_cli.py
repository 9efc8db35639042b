"""`leakcheck mutants` as a user runs it: usage errors are exit 2 with a message, a library that cannot be
built is exit 1 with the reason, and a real run on libpyjamaz shows a caught mutant caught and a mutant the
selected probe cannot see as a hole."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil  # type: ignore[import-untyped]
import pytest

from leakcheck.cli import main
from leakcheck.config import load_config
from leakcheck.mutants.catalog import library_path
from leakcheck.mutants.document import SCORE_NAME

from .mutation_runs import suite_config
from .test_catalog import DECLARED

REPO = Path(__file__).resolve().parents[2]
PROBE = '[probes."python.one"]\nlang = "python"\ncommand = ["{python}", "-c", "pass"]\niterations = { fast = 10 }\n'
MUTANTS = ('[mutants]\nlist = ["{python}", "%s"]\nbuild_production = ["scripts/zig", "build"]\n'
           'build = ["scripts/zig", "build", "library", "-Dleak-mutant={mutant}", "-p", "zig-out/mutants/{mutant}"]\n'
           'production_library = "zig-out/lib/libpyjamaz.so"\nlibrary = "zig-out/mutants/{mutant}/lib/libpyjamaz.so"\n'
           'env = "PYJAMAZ_LIB_PATH"\n') % (REPO / "scripts" / "list_mutants.py")


def mutants_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "leakcheck.cli", "mutants", *args], capture_output=True, text=True,
                          timeout=timeout, check=False, cwd=REPO)


def _project(tmp_path: Path) -> Path:
    """A project with libpyjamaz's mutant catalogue and one probe, but no Zig and nothing built."""
    (tmp_path / "leakcheck.toml").write_text(MUTANTS + PROBE)
    return tmp_path / "leakcheck.toml"


@pytest.mark.parametrize(("args", "message"), [
    (["--mutant", "leaky"], "unknown leak mutant(s) leaky; declared: result-buffer, "),
    (["--lang", "cobol"], "unknown language(s) cobol"),
    (["-k", "no-such-probe"], "no probe in"),
])
def test_a_bad_selection_exits_2_with_a_message(args: list[str], message: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mutants", "--config", str(REPO / "pyproject.toml"), *args]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(("args", "message"), [
    (["--budget", "0"], "is not a positive number of seconds"),
    (["--budget", "soon"], "is not a positive number of seconds"),
    (["--jobs", "0"], "is not a whole number of at least 1"),
    (["--suite", "huge"], "invalid choice: 'huge'"),
])
def test_a_bad_argument_exits_2_with_a_message(args: list[str], message: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["mutants", *args])
    assert exited.value.code == 2 and message in capsys.readouterr().err


def test_a_project_without_leak_mutants_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "leakcheck.toml").write_text(PROBE)
    assert main(["mutants", "--config", str(tmp_path / "leakcheck.toml")]) == 2
    assert "no [mutants] table: leakcheck mutants needs the project to declare" in capsys.readouterr().err


def test_list_prints_the_declared_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mutants", "--config", str(REPO / "pyproject.toml"), "--list"]) == 0
    assert capsys.readouterr().out.split() == ["result-buffer", "losing-candidates", "vips-unref", "error-message",
                                               "file-descriptor"]


def test_a_library_that_cannot_be_built_is_exit_1_with_the_reason(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    config = _project(tmp_path)
    assert main(["mutants", "--config", str(config)]) == 1
    assert "cannot build the libraries: scripts/zig build: cannot run scripts/zig" in capsys.readouterr().err
    assert main(["mutants", "--config", str(config), "--no-build"]) == 1
    assert f"{tmp_path / 'zig-out' / 'lib' / 'libpyjamaz.so'} does not exist (--no-build)" in capsys.readouterr().err


def _text_project(tmp_path: Path, delay_s: float, effects: str) -> Path:
    """The project of `_project`, with the small probe suite and a "library" (a text file of effects, see
    probes/library_probe.py) in place of the production build and each mutant's."""
    config = _project(tmp_path)
    suite_config(tmp_path)  # rewrites leakcheck.toml
    config.write_text(config.read_text().replace('PROBE_DELAY_S = "0"', f'PROBE_DELAY_S = "{delay_s}"'))
    config.write_text(config.read_text() + "\n" + MUTANTS)
    loaded = load_config(config)
    for name in (None, *DECLARED):
        library_path(loaded, name).parent.mkdir(parents=True)
        library_path(loaded, name).write_text("" if name is None else effects)
    return config


def test_every_mutant_caught_in_every_language_is_exit_0(tmp_path: Path) -> None:
    config = _text_project(tmp_path, 0, "python.quick=counter zig.only=check")
    completed = mutants_cli("--config", str(config), "--no-build", "--first-catch", "--mutant", "vips-unref",
                            "--mutant", "result-buffer", "--out-dir", str(tmp_path / "out"))
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "python: 2/2 mutants caught (100%)" in completed.stdout and "zig: 2/2 mutants caught (100%)" in completed.stdout
    score = json.loads((tmp_path / "out" / SCORE_NAME).read_text())
    assert score["passed"] and score["complete"] and score["exit_code"] == 0 and score["misses"] == []


def test_ctrl_c_ends_the_run_with_130_its_probes_killed_and_the_score_written(tmp_path: Path) -> None:
    config = _text_project(tmp_path, 1.0, "")  # 40 iterations of a second each: still running when interrupted
    command = [sys.executable, "-m", "leakcheck.cli", "mutants", "--config", str(config), "--no-build",
               "--out-dir", str(tmp_path / "out")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    probe_pids = _wait_for_probes(process.pid)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stdout + stderr
    assert "Traceback" not in stderr and not [pid for pid in probe_pids if psutil.pid_exists(pid)]
    score = json.loads((tmp_path / "out" / SCORE_NAME).read_text())
    assert score["interrupted"] and not score["complete"] and score["mutants"][0]["probes"] == []


def _wait_for_probes(pid: int) -> list[int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        children = [c for c in psutil.Process(pid).children(recursive=True) if "library_probe.py" in " ".join(c.cmdline())]
        if children:
            return [c.pid for c in children]
        time.sleep(0.1)
    raise AssertionError("no probe started within 60 s")


def test_a_real_run_shows_a_caught_mutant_and_a_hole(tmp_path: Path) -> None:
    """zig.error_recovery sees the leaked error message; it never calls optimize_file, so it cannot see the
    descriptor that the file-descriptor mutant leaves open."""
    repo = load_config(REPO / "pyproject.toml")
    for name in (None, "error-message", "file-descriptor"):
        if not library_path(repo, name).is_file():
            pytest.skip(f"{library_path(repo, name)} not built (scripts/test.sh builds it)")
    score_path = tmp_path / "score.json"
    completed = mutants_cli("-k", "zig.error_recovery", "--mutant", "error-message", "--mutant", "file-descriptor",
                            "--no-build", "--out-dir", str(tmp_path / "out"), "--json", str(score_path),
                            "--html", str(tmp_path / "page.html"))
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "zig: 1/2 mutants caught (50%): not caught: file-descriptor" in completed.stdout
    score = json.loads(score_path.read_text())
    assert score["production"]["passed"] and score["passed"] is False and score["exit_code"] == 1
    caught, hole = score["mutants"]
    assert caught["languages"]["zig"]["status"] == "caught" and caught["languages"]["zig"]["caught_by"] == ["zig.error_recovery"]
    assert {"kind": "exact counter", "detail": "lib_live_bytes"} in caught["probes"][0]["signals"]
    assert hole["languages"]["zig"] == {"status": "hole", "caught_by": [], "ran": ["zig.error_recovery"]}
    assert hole["probes"][0]["outcome"] == "PASS"
    for stage in ("production", "error-message", "file-descriptor"):
        results = json.loads((tmp_path / "out" / stage / "results.json").read_text())
        assert results["provenance"]["library_path"].endswith(
            "zig-out/lib/libpyjamaz.so" if stage == "production" else f"zig-out/mutants/{stage}/lib/libpyjamaz.so")
    assert "HOLE" in (tmp_path / "page.html").read_text()
