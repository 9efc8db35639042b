"""Prints libpyjamaz's leak mutants, one a line (name, a tab, what the leak is), from the one place they are
declared: the `Mutant` enum of zig/src/mutants.zig (what `zig build -Dleak-mutant=NAME` accepts).
The `list` command of [tool.leakcheck.mutants] in pyproject.toml."""

from __future__ import annotations

import re
import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "zig" / "src" / "mutants.zig"
NO_MUTANT = "none"
_ENUM = re.compile(r"pub const Mutant = enum \{(?P<body>.*?)\};", re.DOTALL)
_MEMBER = re.compile(r'^(?:@"(?P<quoted>[^"]+)"|(?P<plain>[A-Za-z_][A-Za-z0-9_]*)),$')


def mutants(text: str) -> list[tuple[str, str]]:
    """(name, description) of every member but `none`; the description is the doc comment above it."""
    match = _ENUM.search(text)
    if match is None:
        raise ValueError("no `pub const Mutant = enum { ... };`")
    found, doc = [], []
    for line in (raw.strip() for raw in match.group("body").splitlines()):
        if line.startswith("///"):
            doc.append(line.removeprefix("///").strip())
            continue
        member = _MEMBER.match(line)
        if member is not None and (name := member.group("quoted") or member.group("plain")) != NO_MUTANT:
            found.append((name, " ".join(doc)))
        doc = []
    return found


def main() -> int:
    try:
        listed = mutants(SOURCE.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"{SOURCE}: {exc}", file=sys.stderr)
        return 1
    for name, description in listed:
        print(f"{name}\t{description}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
