"""bisect on a throwaway git repository: finds the commit that put a leak in, builds each step, and leaves
the repository (branch, HEAD, working tree, worktrees, bisect state) as it found it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from leakcheck.cli import main

PROBE = """\
import time
from pathlib import Path
from leakcheck_probe import run_probe

LEAKS = Path("build.out").read_text().strip() == "leak"  # written by the build step
held: list[bytes] = []

def body(ctx, i):
    time.sleep(0.003)  # 0.6 s: enough RSS samples for a clean commit to be judged PASS
    if LEAKS:
        held.append(b"x" * 1000)

run_probe("python.subject", body, iterations=200, counters=lambda: {"lib_live_bytes": float(len(held) * 1000)})
"""
CONFIG = f"""\
[probes."python.subject"]
lang = "python"
command = ["{sys.executable}", "{{root}}/probe.py"]
iterations = {{ fast = 200 }}
exact_counters = ["lib_*"]
"""


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout.strip()


def _repository(tmp_path: Path) -> tuple[Path, list[str]]:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "--quiet", "--initial-branch=main")
    _git(repo, "config", "user.email", "test@example.invalid")
    _git(repo, "config", "user.name", "test")
    (repo / "probe.py").write_text(PROBE)
    (repo / "leakcheck.toml").write_text(CONFIG)
    commits = []
    for k, mode in enumerate(["clean", "clean", "clean", "leak", "leak", "leak"]):
        (repo / "mode.src").write_text(f"{mode}\n")
        (repo / "notes.txt").write_text(f"change {k}\n")
        _git(repo, "add", ".")
        _git(repo, "commit", "--quiet", "-m", f"change {k}: {mode}")
        commits.append(_git(repo, "rev-parse", "HEAD"))
    (repo / "notes.txt").write_text("uncommitted edit\n")  # a dirty tree the bisection must not touch
    return repo, commits


def test_bisect_finds_the_commit_that_leaks_and_leaves_the_repository_alone(tmp_path: Path,
                                                                            capsys) -> None:  # type: ignore[no-untyped-def]
    repo, commits = _repository(tmp_path)
    before = [_git(repo, "rev-parse", "HEAD"), _git(repo, "symbolic-ref", "HEAD"), _git(repo, "status", "--porcelain"),
              _git(repo, "worktree", "list", "--porcelain")]
    code = main(["bisect", commits[0], commits[-1], "-k", "python.subject", "--config", "leakcheck.toml",
                 "--build", "cp mode.src build.out", "--repository", str(repo)])
    captured = capsys.readouterr()
    out = captured.out
    assert code == 0, captured.err
    assert f"first bad commit: {commits[3]} change 3: leak" in out
    after = [_git(repo, "rev-parse", "HEAD"), _git(repo, "symbolic-ref", "HEAD"), _git(repo, "status", "--porcelain"),
             _git(repo, "worktree", "list", "--porcelain")]
    assert after == before
    assert _git(repo, "for-each-ref", "refs/bisect") == ""
    assert (repo / "notes.txt").read_text() == "uncommitted edit\n"


def test_bisect_of_an_unknown_commit_is_a_clear_error(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    repo, commits = _repository(tmp_path)
    assert main(["bisect", "no-such-commit", commits[-1], "--repository", str(repo), "--build", ""]) == 2
    assert "'no-such-commit' is not a commit" in capsys.readouterr().err
