"""The leak mutants of a project, as its `[mutants]` table lists them: the `list` command prints one a line,
its name, then optionally whitespace and what the leak is. Nothing here knows any project's mutants."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from leakcheck.config import Config, ConfigError
from leakcheck.placeholders import UnknownPlaceholder, expand
from leakcheck.subject import MutantCatalogue

NO_MUTANT = "none"
LIST_TIMEOUT_S = 60.0
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class Mutant:
    name: str
    description: str
    """What the leak is, as the project describes it."""


def catalogue(config: Config) -> MutantCatalogue:
    if config.mutants is None:
        raise ConfigError(f"{config.path}: no [mutants] table: leakcheck mutants needs the project to declare how "
                          "to list its leak mutants (list), build one (build, with {mutant}), where the build puts "
                          "the library (library, production_library) and the variable that points probes at it (env)")
    return config.mutants


def load_mutants(config: Config) -> tuple[Mutant, ...]:
    """Every mutant the project's list command names, in its order."""
    command = [expanded(config, part) for part in catalogue(config).list_command]
    shown = " ".join(command)
    try:
        completed = subprocess.run(command, cwd=config.root, capture_output=True, text=True, timeout=LIST_TIMEOUT_S,
                                   check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ConfigError(f"mutants.list: {shown} cannot be run: {exc}") from None
    if completed.returncode != 0:
        raise ConfigError(f"mutants.list: {shown} failed (exit {completed.returncode}): "
                          f"{completed.stderr.strip()[-500:]}")
    return parse_listing(completed.stdout, shown)


def parse_listing(text: str, source: str) -> tuple[Mutant, ...]:
    mutants = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        name, _, description = line.strip().partition(" ") if "\t" not in line else line.strip().partition("\t")
        if not _NAME.match(name):
            raise ConfigError(f"{source}: line {number}: {name!r} is not a mutant name (letters, digits, . _ -)")
        if name != NO_MUTANT:
            mutants.append(Mutant(name, description.strip()))
    if not mutants:
        raise ConfigError(f"{source} names no leak mutant")
    return tuple(mutants)


def choose(mutants: tuple[Mutant, ...], names: list[str]) -> tuple[Mutant, ...]:
    """The mutants named on the command line (all when none is named), in the project's order."""
    if not names:
        return mutants
    known = {mutant.name for mutant in mutants}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ConfigError(f"--mutant: unknown leak mutant(s) {', '.join(unknown)}; "
                          f"declared: {', '.join(m.name for m in mutants)}")
    return tuple(mutant for mutant in mutants if mutant.name in names)


def library_path(config: Config, mutant: str | None) -> Path:
    """Where the project's build puts the production library (None) or a mutant's."""
    spec = catalogue(config)
    path = Path(expanded(config, spec.production_library if mutant is None else spec.library, mutant))
    return path if path.is_absolute() else config.root / path


def expanded(config: Config, text: str, mutant: str | None = None) -> str:
    values = {**config.placeholders, **({"mutant": mutant} if mutant is not None else {})}
    try:
        return expand(text, values)
    except UnknownPlaceholder as exc:
        raise ConfigError(f"{config.path}: mutants: {exc}") from None
