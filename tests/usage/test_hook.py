"""`leakcheck hook install` and the hook it writes, on a throwaway git repository with real commits."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped]

from leakcheck.commands.hook import HOOK_MARKER, languages_for

CONFIG = '''
[tool.leakcheck.probes."python.buffers"]
lang = "python"
command = ["{python}", "{root}/bindings/python/probe_buffers.py"]
iterations = { fast = 120 }
exact_counters = []
'''

PROBE = '''
import time

from leakcheck_probe import run_probe

KEPT = []

def body(ctx, i):
    time.sleep(0.005)  # long enough a run to be judged: an instant loop is INCONCLUSIVE
    data = bytearray(256 * 1024)
    if LEAK:
        KEPT.append(data)

LEAK = {leak}
run_probe("python.buffers", body)
'''


def git(repo: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", *arguments],
                          cwd=repo, capture_output=True, text=True, check=False, timeout=300)


def leakcheck(repo: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "leakcheck.cli", *arguments], cwd=repo, capture_output=True,
                          text=True, check=False, timeout=300)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "pyproject.toml").write_text(CONFIG)
    (tmp_path / "bindings" / "python").mkdir(parents=True)
    (tmp_path / "bindings" / "python" / "probe_buffers.py").write_text(PROBE.format(leak=False))
    (tmp_path / "notes.txt").write_text("notes\n")
    return tmp_path


def test_hook_runs_the_affected_languages_and_blocks_a_leaking_commit(repo: Path) -> None:
    installed = leakcheck(repo, "hook", "install")
    assert installed.returncode == 0, installed.stderr
    assert HOOK_MARKER in (repo / ".git" / "hooks" / "pre-commit").read_text()

    git(repo, "add", "notes.txt")
    unrelated = git(repo, "commit", "-m", "notes")
    assert unrelated.returncode == 0, unrelated.stdout + unrelated.stderr
    assert "nothing to run" in unrelated.stderr  # git passes a hook's output on to its stderr

    git(repo, "add", "pyproject.toml", "bindings")
    clean = git(repo, "commit", "-m", "a clean probe")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "fast suite for python" in clean.stderr and "PASS" in clean.stderr

    (repo / "bindings" / "python" / "probe_buffers.py").write_text(PROBE.format(leak=True))
    git(repo, "add", "bindings")
    leaking = git(repo, "commit", "-m", "a leak")
    assert leaking.returncode != 0, leaking.stdout + leaking.stderr
    assert "LEAK" in leaking.stderr
    assert git(repo, "log", "--oneline").stdout.count("\n") == 2  # the leaking commit was refused


def test_install_refuses_a_foreign_hook_without_force(repo: Path) -> None:
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho mine\n")
    refused = leakcheck(repo, "hook", "install")
    assert refused.returncode == 2
    assert "was not written by leakcheck" in refused.stderr and "--force" in refused.stderr
    assert hook.read_text() == "#!/bin/sh\necho mine\n"
    assert leakcheck(repo, "hook", "install", "--force").returncode == 0
    assert HOOK_MARKER in hook.read_text()
    assert leakcheck(repo, "hook", "install").returncode == 0  # its own hook is rewritten without --force


def test_install_outside_git_is_a_clear_error(tmp_path: Path) -> None:
    result = leakcheck(tmp_path, "hook", "install")
    assert result.returncode == 2
    assert "is not in a git repository" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("paths", "expected"), [
    (["zig/src/optimize.zig"], {"zig"}),
    (["bindings/nodejs/index.js", "README.md"], {"node"}),
    (["node/probes/ffi_memory.js"], {"node"}),
    (["bindings/python/pyjamaz/api.py"], {"python"}),
    (["leakcheck/cli.py"], {"zig", "node", "python", "native"}),
    (["README.md", "zigzag.txt"], set()),
])
def test_languages_for_paths(paths: list[str], expected: set[str]) -> None:
    assert languages_for(paths) == expected


def test_pre_commit_framework_hook_runs_the_fast_suite_of_another_repository(repo: Path) -> None:
    hooks = yaml.safe_load((Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml").read_text())
    (hook,) = hooks
    assert {"id", "name", "entry", "language"} <= set(hook) and hook["pass_filenames"] is False
    program, *arguments = shlex.split(hook["entry"])
    assert program == "leakcheck"  # the console script the framework installs with the package
    assert leakcheck(repo, *arguments).returncode == 0
    (repo / "bindings" / "python" / "probe_buffers.py").write_text(PROBE.format(leak=True))
    leaking = leakcheck(repo, *arguments)
    assert leaking.returncode == 1 and "LEAK" in leaking.stdout
