"""The leak mutants of libpyjamaz, read from the one place they are declared: the `Mutant` enum of
zig/src/mutants.zig (what `zig build -Dleak-mutant=NAME` accepts). Nothing here lists them by hand."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from leakcheck.config import ConfigError

MUTANTS_SOURCE = Path("zig") / "src" / "mutants.zig"
NO_MUTANT = "none"
_ENUM = re.compile(r"pub const Mutant = enum \{(?P<body>.*?)\};", re.DOTALL)
_MEMBER = re.compile(r'^(?:@"(?P<quoted>[^"]+)"|(?P<plain>[A-Za-z_][A-Za-z0-9_]*)),$')


@dataclass(frozen=True)
class Mutant:
    name: str
    description: str
    """The doc comment above the enum member: what the leak is."""


def load_mutants(root: Path) -> tuple[Mutant, ...]:
    """Every mutant declared under `root` (the project holding zig/src/mutants.zig), in declaration order."""
    source = root / MUTANTS_SOURCE
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"no leak mutants to run: {source} cannot be read ({exc.strerror or exc}); "
                          "leakcheck mutants works on the libpyjamaz project") from None
    return parse_mutants(text, source)


def parse_mutants(text: str, source: Path) -> tuple[Mutant, ...]:
    match = _ENUM.search(text)
    if match is None:
        raise ConfigError(f"{source}: no `pub const Mutant = enum {{ ... }};` declaring the leak mutants")
    mutants, doc = [], []
    for line in (raw.strip() for raw in match.group("body").splitlines()):
        if line.startswith("///"):
            doc.append(line.removeprefix("///").strip())
            continue
        member = _MEMBER.match(line)
        if member is not None:
            name = member.group("quoted") or member.group("plain")
            if name != NO_MUTANT:
                mutants.append(Mutant(name, " ".join(doc)))
        doc = []
    if not mutants:
        raise ConfigError(f"{source}: the Mutant enum declares no leak mutant besides {NO_MUTANT!r}")
    return tuple(mutants)


def choose(mutants: tuple[Mutant, ...], names: list[str]) -> tuple[Mutant, ...]:
    """The mutants named on the command line (all when none is named), in declaration order."""
    if not names:
        return mutants
    known = {mutant.name for mutant in mutants}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ConfigError(f"--mutant: unknown leak mutant(s) {', '.join(unknown)}; "
                          f"declared in {MUTANTS_SOURCE}: {', '.join(m.name for m in mutants)}")
    return tuple(mutant for mutant in mutants if mutant.name in names)


def library_path(root: Path, mutant: str | None) -> Path:
    """Where `zig build library` installs the production library (None) or a mutant's."""
    prefix = root / "zig-out" if mutant is None else root / "zig-out" / "mutants" / mutant
    return prefix / "lib" / "libpyjamaz.so"
