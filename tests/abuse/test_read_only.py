"""`history`, `report` and `compare` only read: in a git work tree that leakcheck is not configured for they
write nothing (no reports/history, no lock, no index); where it is configured they keep the index cache."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from .cli import leakcheck

CONFIG = '[probes."python.one"]\nlang = "python"\ncommand = ["{python}", "-c", "pass"]\niterations = 10\n'


def git_tree(path: Path) -> Path:
    path.mkdir()
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    (path / "README").write_text("a project that does not use leakcheck\n")
    return path


def every_file(tree: Path) -> set[str]:
    return {str(p.relative_to(tree)) for p in tree.rglob("*") if ".git" not in p.relative_to(tree).parts}


def recorded_run(tmp_path: Path) -> Path:
    """The reports/runs directory of one real run of a configured project."""
    project = tmp_path / "configured"
    project.mkdir()
    (project / "leakcheck.toml").write_text(CONFIG)
    # `-c pass` is too short to judge (INCONCLUSIVE): allowed, for the verdict is not what these tests are about.
    assert leakcheck("run", "--no-escalate", "--allow", "inconclusive", cwd=project).returncode == 0
    return project / "reports" / "runs"


def test_read_only_commands_write_nothing_in_a_work_tree_without_a_config(tmp_path: Path) -> None:
    tree = git_tree(tmp_path / "elsewhere")
    shutil.copytree(recorded_run(tmp_path), tree / "reports" / "runs")
    before = every_file(tree)
    listed = leakcheck("history", cwd=tree)
    assert listed.returncode == 0 and "1 recorded run(s)" in listed.stdout, listed.stdout + listed.stderr
    page = tmp_path / "page.html"
    assert leakcheck("report", "-o", str(page), cwd=tree).returncode == 0 and page.is_file()
    assert leakcheck("compare", "latest", "latest", cwd=tree).returncode == 0
    assert every_file(tree) == before


def test_a_work_tree_with_no_runs_gets_no_reports_directory(tmp_path: Path) -> None:
    tree = git_tree(tmp_path / "empty")
    listed = leakcheck("history", cwd=tree)
    assert listed.returncode == 0 and "0 recorded run(s)" in listed.stdout
    assert leakcheck("report", "-o", str(tmp_path / "page.html"), cwd=tree).returncode == 2  # no run to show
    assert every_file(tree) == {"README"}


def test_the_configured_reports_directory_keeps_its_index(tmp_path: Path) -> None:
    runs = recorded_run(tmp_path)
    listed = leakcheck("history", cwd=runs.parent.parent)
    assert listed.returncode == 0 and "1 recorded run(s)" in listed.stdout
    assert (runs.parent / "history" / "index.json").is_file()
