"""The CI workflows are valid YAML with the agreed triggers, and every command they run is in the README."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
COMMAND_SEPARATORS = re.compile(r"&&|\|\||;|\n")
EXPRESSION = re.compile(r"\$\{\{[^}]*\}\}")


def load(name: str) -> dict[Any, Any]:
    document = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def triggers(document: dict[Any, Any]) -> set[str]:
    on = document.get("on", document.get(True))  # YAML 1.1 reads a bare `on` key as true
    return set(on) if isinstance(on, dict) else set(on or ())


def run_commands(document: dict[Any, Any]) -> Iterator[str]:
    for job in document["jobs"].values():
        for step in job["steps"]:
            for command in COMMAND_SEPARATORS.split(step.get("run", "")):
                if command.strip():
                    yield command.strip()


def readme_commands(text: str) -> list[str]:
    """The command lines of the README's indented blocks, split at && and ;, without trailing comments."""
    lines = [line[4:] for line in text.splitlines() if line.startswith("    ") and not line.startswith("     ")]
    commands = []
    for line in lines:
        commands.extend(command.strip() for command in COMMAND_SEPARATORS.split(line.split("  #", 1)[0])
                        if command.strip())
    return commands


def undocumented(command: str, documented: list[str]) -> list[str]:
    """What of `command` the README does not show: its program and subcommand, or any of its --options."""
    words = shlex.split(EXPRESSION.sub("X", command))
    head = " ".join(words[:2])
    missing = [] if any(line.startswith(head) for line in documented) else [head]
    readme_options = {word for line in documented for word in line.split() if word.startswith("--")}
    return missing + [word for word in words if word.startswith("--") and word not in readme_options]


@pytest.fixture(scope="module")
def documented() -> list[str]:
    return readme_commands((ROOT / "README.md").read_text(encoding="utf-8"))


def test_fast_workflow_runs_on_every_push_and_pull_request() -> None:
    document = load("fast.yml")
    assert {"push", "pull_request"} <= triggers(document)
    commands = list(run_commands(document))
    assert "bash scripts/setup.sh" in commands and "bash scripts/test.sh" in commands
    suite = next(c for c in commands if c.startswith(".venv/bin/leakcheck run"))
    assert all(option in suite for option in ("--suite fast", "--json", "--junit", "--html"))
    assert any('>> "$GITHUB_STEP_SUMMARY"' in c for c in commands)
    uploads = [s for s in document["jobs"]["fast"]["steps"] if str(s.get("uses", "")).startswith("actions/upload")]
    assert uploads and uploads[0]["if"] == "always()"


def test_pressure_workflow_is_scheduled_sharded_by_language_and_merged() -> None:
    document = load("pressure.yml")
    assert {"schedule", "workflow_dispatch"} <= triggers(document)
    # One job a language, each with its own time limit (the measured per-image cost differs by language).
    include = document["jobs"]["pressure"]["strategy"]["matrix"]["include"]
    assert [entry["lang"] for entry in include] == ["zig", "node", "python"]
    assert all(isinstance(entry["minutes"], int) and 0 < entry["minutes"] <= 360 for entry in include)
    assert document["jobs"]["merge"]["needs"] == "pressure"
    commands = list(run_commands(document))
    assert any(c.startswith(".venv/bin/leakcheck run --suite pressure --lang") for c in commands)
    merge = next(c for c in commands if c.startswith(".venv/bin/leakcheck merge"))
    assert all(f"pressure-{lang}" in merge for lang in ("zig", "node", "python"))


@pytest.mark.parametrize("name", ["fast.yml", "pressure.yml"])
def test_every_workflow_command_is_documented_in_the_readme(name: str, documented: list[str]) -> None:
    for command in run_commands(load(name)):
        assert undocumented(command, documented) == [], f"{name}: {command}"


def test_an_undocumented_command_is_caught(documented: list[str]) -> None:
    assert undocumented(".venv/bin/leakcheck frobnicate", documented) == [".venv/bin/leakcheck frobnicate"]
    assert undocumented(".venv/bin/leakcheck run --no-such-option", documented) == ["--no-such-option"]
