"""The harness knows nothing of its showcase subject: no file of the package names libpyjamaz, its binding
or libvips. What is libpyjamaz's lives in its configuration ([tool.leakcheck] of pyproject.toml)."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "leakcheck"
SUBJECT = re.compile(r"pyjamaz|vips", re.IGNORECASE)


def test_no_file_of_the_harness_names_the_subject() -> None:
    files = [path for path in PACKAGE.rglob("*") if path.is_file() and "__pycache__" not in path.parts]
    assert len(files) > 50  # the whole package was looked at, not an empty folder
    named = [f"{path.relative_to(PACKAGE)}:{number}"
             for path in files for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
             if SUBJECT.search(line)]
    assert named == []
