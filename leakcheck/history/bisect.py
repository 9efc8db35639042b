"""Find the first commit where a probe starts to fail: `git bisect run` in a temporary worktree, so the
user's working tree, branch and index are never touched, and the worktree is removed afterwards."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

GOOD, BAD, SKIP = 0, 1, 125
"""git bisect run's exit codes for a step."""


class BisectError(Exception):
    """A repository or commit that cannot be bisected: the message says why."""


@dataclass(frozen=True)
class BisectRequest:
    repository: Path
    good: str
    bad: str
    config: str
    """The configuration's path relative to the repository root."""
    build: str | None
    """Shell command run in the worktree before each test (None: no build)."""
    leakcheck_args: tuple[str, ...]
    """--suite, --lang, -k ... given to `leakcheck run` at each step."""


@dataclass(frozen=True)
class BisectResult:
    first_bad: str | None
    subject: str
    log: str


def bisect(request: BisectRequest) -> BisectResult:
    root = Path(_git(request.repository, "rev-parse", "--show-toplevel"))
    good, bad = _commit(root, request.good), _commit(root, request.bad)
    with tempfile.TemporaryDirectory(prefix="leakcheck-bisect-") as scratch:
        worktree = Path(scratch) / "tree"
        _git(root, "worktree", "add", "--detach", "--quiet", str(worktree), bad)
        try:
            _git(worktree, "bisect", "start", bad, good)
            step = [sys.executable, "-m", "leakcheck.history.bisect_step", request.config, request.build or "",
                    str(Path(scratch) / "runs"), *request.leakcheck_args]
            completed = subprocess.run(["git", "-C", str(worktree), "bisect", "run", *step], capture_output=True,
                                       text=True, check=False)
            log = completed.stdout + completed.stderr
            first_bad = _first_bad(log)
            _git(worktree, "bisect", "reset")
        finally:
            subprocess.run(["git", "-C", str(root), "worktree", "remove", "--force", str(worktree)],
                           capture_output=True, check=False)
            subprocess.run(["git", "-C", str(root), "worktree", "prune"], capture_output=True, check=False)
    subject = _git(root, "log", "-1", "--format=%s", first_bad) if first_bad else ""
    return BisectResult(first_bad, subject, log)


def _first_bad(log: str) -> str | None:
    match = re.search(r"^([0-9a-f]{40}) is the first bad commit", log, re.MULTILINE)
    return match.group(1) if match else None


def _commit(root: Path, reference: str) -> str:
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", f"{reference}^{{commit}}")
    except BisectError:
        raise BisectError(f"{reference!r} is not a commit in {root}") from None


def _git(where: Path, *args: str) -> str:
    completed = subprocess.run(["git", "-C", str(where), *args], capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise BisectError(f"git {shlex.join(args)}: {completed.stderr.strip() or 'failed'}")
    return completed.stdout.strip()


def step_exit_code(build_status: int | None, run_status: int) -> int:
    """A build that fails cannot be judged (skip); leakcheck's own failures (usage, interrupt) neither."""
    if build_status not in (None, 0):
        return SKIP
    return {0: GOOD, 1: BAD}.get(run_status, SKIP)


def run_step(config: str, build: str, runs: str, leakcheck_args: Sequence[str]) -> int:
    """One bisect step, in the worktree (the current directory): build, then run the selected probes."""
    build_status = subprocess.run(build, shell=True, check=False).returncode if build else None
    if build_status not in (None, 0):
        return step_exit_code(build_status, 0)
    commit = _git(Path.cwd(), "rev-parse", "HEAD")
    run = subprocess.run([sys.executable, "-m", "leakcheck.cli", "run", "--config", config,
                          "--run-dir", str(Path(runs) / commit), *leakcheck_args], check=False)
    return step_exit_code(build_status, run.returncode)
