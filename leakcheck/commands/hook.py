"""`leakcheck hook install|run`: a git pre-commit hook that runs the fast suite for the languages a commit touches.

`install` writes `.git/hooks/pre-commit` (a two-line script that calls `leakcheck hook run` with this
interpreter) and refuses to replace a hook it did not write unless given --force. `run` maps the staged
paths to probe languages and runs `leakcheck run --suite fast --lang ...` for them, or nothing.
"""

from __future__ import annotations

import argparse
import os
import stat
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from leakcheck.commands.common import add_config_argument, configuration
from leakcheck.config import LANGUAGES, ConfigError

HOOK_MARKER = "# leakcheck pre-commit hook (leakcheck hook install)"
ALL_LANGUAGES = frozenset(LANGUAGES)
# Path prefixes and the probe languages a change under them can affect. The harness itself and the probe
# declarations affect every language.
LANGUAGE_PATHS: tuple[tuple[str, frozenset[str]], ...] = (
    ("zig/", frozenset({"zig"})),
    ("build.zig", frozenset({"zig"})),
    ("bindings/nodejs/", frozenset({"node"})),
    ("node/", frozenset({"node"})),
    ("bindings/python/", frozenset({"python"})),
    ("leakcheck/", ALL_LANGUAGES),
    ("pyproject.toml", ALL_LANGUAGES),
    ("leakcheck.toml", ALL_LANGUAGES),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="hook_action", required=True, metavar="ACTION")
    install = actions.add_parser("install", help="write .git/hooks/pre-commit for this repository")
    install.add_argument("--force", action="store_true", help="replace a pre-commit hook leakcheck did not write")
    run = actions.add_parser("run", help="run the fast suite for the languages the staged files belong to")
    add_config_argument(run)
    run.add_argument("paths", nargs="*", metavar="PATH",
                     help="changed paths, relative to the repository root (default: the files staged in git)")


def execute(args: argparse.Namespace) -> int:
    if args.hook_action == "install":
        return install_hook(Path.cwd(), force=args.force)
    return run_hook(args)


# --- install ---------------------------------------------------------------------------------------------------

def install_hook(start: Path, *, force: bool) -> int:
    hook = _git_path(start, "hooks/pre-commit")
    if hook.exists() and HOOK_MARKER not in hook.read_text(encoding="utf-8", errors="replace") and not force:
        raise ConfigError(f"{hook} exists and was not written by leakcheck; "
                          "leakcheck hook install --force replaces it")
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text(hook_script(sys.executable), encoding="utf-8")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    print(f"leakcheck: installed {hook}")
    return 0


def hook_script(python: str) -> str:
    return f'#!/bin/sh\n{HOOK_MARKER}\nexec "{python}" -m leakcheck.cli hook run\n'


def _git_path(start: Path, name: str) -> Path:
    """`git rev-parse --git-path`, so that worktrees and core.hooksPath are honoured."""
    try:
        found = subprocess.run(["git", "rev-parse", "--git-path", name], cwd=start, capture_output=True,
                               text=True, check=False)
    except FileNotFoundError:
        raise ConfigError("git is not installed (not found on PATH)") from None
    if found.returncode != 0:
        raise ConfigError(f"{start} is not in a git repository: {found.stderr.strip()}")
    path = Path(found.stdout.strip())
    return path if path.is_absolute() else start / path


# --- run -------------------------------------------------------------------------------------------------------

def languages_for(paths: Iterable[str]) -> frozenset[str]:
    """The probe languages that changes to `paths` can affect."""
    languages: set[str] = set()
    for path in paths:
        for prefix, affected in LANGUAGE_PATHS:
            if (path.startswith(prefix) if prefix.endswith("/") else path == prefix):
                languages |= affected
    return frozenset(languages)


def run_hook(args: argparse.Namespace) -> int:
    paths = args.paths or _staged_paths(Path.cwd())
    config = configuration(args)
    declared = {probe.lang for probe in config.probes if probe.in_suite("fast")}
    languages = sorted(languages_for(paths) & declared)
    if not languages:
        print("leakcheck hook: no staged file affects a probe language; nothing to run")
        return 0
    print(f"leakcheck hook: fast suite for {', '.join(languages)}", flush=True)
    command = [sys.executable, "-m", "leakcheck.cli", "run", "--config", str(config.path), "--suite", "fast",
               "--lang", ",".join(languages)]
    # A child process, so that the hook's exit status is exactly the run's.
    return subprocess.run(command, check=False, env=_without_git_index(os.environ)).returncode


def _staged_paths(start: Path) -> list[str]:
    found = subprocess.run(["git", "diff", "--cached", "--name-only", "--diff-filter=ACMRD"], cwd=start,
                           capture_output=True, text=True, check=False)
    if found.returncode != 0:
        raise ConfigError(f"cannot list the staged files: {found.stderr.strip()}")
    return [line for line in found.stdout.splitlines() if line]


def _without_git_index(environment: os._Environ[str]) -> dict[str, str]:
    # git sets GIT_INDEX_FILE and friends for hooks; probes that call git must see an ordinary repository.
    return {key: value for key, value in environment.items() if not key.startswith("GIT_")}
