"""The hook of `.pre-commit-hooks.yaml` through the real pre-commit framework: `pre-commit try-repo` of this
repository from a scratch git repository with a leakcheck.toml. The framework installs leakcheck the way it
installs any Python hook (a non-editable `pip install` into its own environment), then runs the hook: a clean
probe lets the commit through, a leaking one blocks it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HOOK_ID = "leakcheck-fast"

CONFIG = """\
[probes."python.buffers"]
lang = "python"
command = ["{python}", "{root}/probe.py"]
iterations = { fast = 400 }
"""

PROBE = """\
import os
from leakcheck_probe import run_probe

KEPT = []
LEAK = os.environ.get("SCRATCH_LEAK") == "1"

def body(ctx, i):
    data = bytearray(os.urandom(64 * 1024))
    if LEAK:
        KEPT.append(data)

run_probe("python.buffers", body)
"""


def _git(repo: Path, *arguments: str) -> None:
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", *arguments],
                   cwd=repo, check=True, capture_output=True, timeout=60)


def _try_repo(scratch: Path, home: Path, leak: bool) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items()
           if key not in ("PYTHONPATH", "VIRTUAL_ENV") and not key.startswith("LEAKCHECK_")}
    env.update({"PRE_COMMIT_HOME": str(home), "SCRATCH_LEAK": "1" if leak else "0"})
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(REPO), HOOK_ID, "--all-files"],
                          cwd=scratch, capture_output=True, text=True, timeout=900, check=False, env=env)


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    repo = tmp_path / "scratch"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    (repo / "leakcheck.toml").write_text(CONFIG)
    (repo / "probe.py").write_text(PROBE)
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "probes")
    return repo


def test_the_framework_installs_the_hook_and_it_blocks_only_a_leak(scratch: Path, tmp_path: Path) -> None:
    home = tmp_path / "pre-commit-home"
    clean = _try_repo(scratch, home, leak=False)
    assert clean.returncode == 0, clean.stdout[-4000:] + clean.stderr[-2000:]
    assert "leakcheck fast suite" in clean.stdout and "Passed" in clean.stdout
    leaking = _try_repo(scratch, home, leak=True)
    assert leaking.returncode == 1, leaking.stdout[-4000:]
    assert "Failed" in leaking.stdout and "LEAK" in leaking.stdout
