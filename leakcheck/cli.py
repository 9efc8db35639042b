"""Entry point: `leakcheck COMMAND ...`. Exit codes: 0 passed, 1 failed, 2 usage error, 130 interrupted.

Only the chosen subcommand's module is imported (`leakcheck --help` imports none), so that the CLI starts
quickly: statistics, rich and psutil are loaded by the commands that use them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from importlib import metadata
from types import ModuleType

EXIT_USAGE, EXIT_INTERRUPTED = 2, 130
COMMANDS = {
    "run": ("run", "run the selected probes, each in its own process, and judge them"),
    "list": ("list_probes", "list the declared probes, their suites and iteration counts"),
    "doctor": ("doctor", "check what the selected probes need: commands, interpreters, SDKs, tools"),
    "report": ("report", "write a run's self-contained HTML report and/or its Markdown summary"),
    "history": ("history", "list the recorded runs, or one probe's figures across them"),
    "compare": ("compare", "compare two runs probe by probe; exit 1 on a regression"),
    "merge": ("merge", "join the results of run --shard K/N jobs into one run"),
    "hook": ("hook", "install or run the git pre-commit hook (the fast suite for the languages a commit touches)"),
    "bisect": ("bisect", "find the first commit where the selected probes stop passing (git bisect run)"),
    "mutants": ("mutants", "build the leak mutants, run the suite against each and print the mutation score"),
}


def command_module(name: str) -> ModuleType:
    return importlib.import_module(f"leakcheck.commands.{COMMANDS[name][0]}")


def build_parser(selected: str | None = None) -> argparse.ArgumentParser:
    """Every subcommand is listed; only `selected` gets its arguments, from its own module."""
    parser = argparse.ArgumentParser(prog="leakcheck", description="Cross-language memory-leak verification.")
    parser.add_argument("--version", action="version", version=f"leakcheck {installed_version()}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (_, help_text) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        if name == selected:
            module = command_module(name)
            module.add_arguments(sub)
            sub.set_defaults(execute=module.execute)
    return parser


def installed_version() -> str:
    """The installed distribution's version; "unknown" when leakcheck runs from a source tree."""
    try:
        return metadata.version("leakcheck")
    except metadata.PackageNotFoundError:
        return "unknown"


def _chosen_command(argv: Sequence[str]) -> str | None:
    """The subcommand named on the command line (the top level takes no option but --help and --version)."""
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    return first if first in COMMANDS else None


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:  # Ctrl-C outside a run's probes (those make a result of it): a line, no traceback
        print("leakcheck: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _main(argv: Sequence[str] | None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(_chosen_command(arguments)).parse_args(arguments)
    from leakcheck.config import ConfigError

    try:
        return int(args.execute(args))
    except ConfigError as exc:
        print(f"leakcheck: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:  # an output path that cannot be written, a run directory that cannot be made
        where = f" {exc.filename}" if exc.filename else ""
        print(f"leakcheck: cannot write{where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
