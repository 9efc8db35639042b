"""What a configuration says about the code under test, beyond its probes: the library and versions a run
records (`[subject]`), and the leak mutants `leakcheck mutants` builds and runs the suite against
(`[mutants]`). The harness knows nothing of any subject but what is declared here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from leakcheck.config_fields import ConfigError, string_list

SUBJECT_KEYS = frozenset({"name", "path", "version_command", "packages", "tools"})
MUTANT_KEYS = frozenset({"list", "build", "build_production", "library", "production_library", "env"})


@dataclass(frozen=True)
class Subject:
    name: str = ""
    path: str = ""
    """The library under test (placeholders allowed); a mutant run records each mutant's build instead."""
    version_command: tuple[str, ...] = ()
    """Prints the subject's version (run in the configuration's directory)."""
    packages: tuple[str, ...] = ()
    """Python distributions whose versions are recorded, as the probes' interpreter sees them."""
    tools: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Other versions worth recording: name -> the command that prints it (a compiler, a system library)."""


@dataclass(frozen=True)
class MutantCatalogue:
    """How a project with deliberate leak mutants lists and builds them, and points its probes at a build."""

    list_command: tuple[str, ...]
    """Prints one mutant a line: its name, then optionally whitespace and what the leak is."""
    build: tuple[str, ...]
    """Builds one mutant; `{mutant}` is its name."""
    library: str
    """Where that build puts the library (`{mutant}` allowed)."""
    env: str
    """The environment variable through which every probe loads the library it is given."""
    production_library: str
    build_production: tuple[str, ...] = ()
    """Builds the production library (and whatever the probes run); none: it is already built."""


def parse_subject(raw: object, where: str) -> Subject:
    table = _table(raw, where, SUBJECT_KEYS)
    tools = table.get("tools", {})
    if not isinstance(tools, Mapping):
        raise ConfigError(f"{where}.tools = {tools!r}; allowed: a table of NAME = [command, ...]")
    return Subject(
        name=_string(table.get("name", ""), f"{where}.name"),
        path=_string(table.get("path", ""), f"{where}.path"),
        version_command=string_list(table.get("version_command", []), f"{where}.version_command"),
        packages=string_list(table.get("packages", []), f"{where}.packages"),
        tools={name: string_list(command, f"{where}.tools.{name}", required=True) for name, command in tools.items()},
    )


def parse_mutants(raw: object, where: str) -> MutantCatalogue:
    table = _table(raw, where, MUTANT_KEYS)
    missing = sorted({"list", "build", "library", "production_library", "env"} - set(table))
    if missing:
        raise ConfigError(f"{where}: missing {', '.join(missing)}; a mutant catalogue needs list (the command "
                          "naming the mutants), build (with {mutant}), library, production_library and env")
    env = _string(table["env"], f"{where}.env")
    if not env.isidentifier():
        raise ConfigError(f"{where}.env = {env!r}; allowed: an environment variable name")
    build = string_list(table["build"], f"{where}.build", required=True)
    if not any("{mutant}" in part for part in build):
        raise ConfigError(f"{where}.build = {list(build)!r} never names {{mutant}}: every mutant would be the same build")
    return MutantCatalogue(
        list_command=string_list(table["list"], f"{where}.list", required=True),
        build=build,
        library=_string(table["library"], f"{where}.library"),
        env=env,
        production_library=_string(table["production_library"], f"{where}.production_library"),
        build_production=string_list(table.get("build_production", []), f"{where}.build_production"),
    )


def _table(raw: object, where: str, keys: frozenset[str]) -> Mapping[str, object]:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where} must be a table")
    unknown = set(raw) - keys
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(keys))}")
    return raw


def _string(raw: object, where: str) -> str:
    if not isinstance(raw, str):
        raise ConfigError(f"{where} = {raw!r}; allowed: a string")
    return raw



