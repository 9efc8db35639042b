"""Entry point: `leakcheck run | list | doctor`. Exit codes: 0 passed, 1 failed, 2 usage error, 130 interrupted."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from leakcheck.commands import bisect, compare, doctor, history, hook, list_probes, merge, report, run
from leakcheck.commands import mutants as mutants_command
from leakcheck.config import ConfigError

EXIT_USAGE = 2
COMMANDS = {
    "run": (run, "run the selected probes, each in its own process, and judge them"),
    "list": (list_probes, "list the declared probes, their suites and iteration counts"),
    "doctor": (doctor, "check the toolchains and libraries the selected probes need"),
    "report": (report, "write a run's self-contained HTML report and/or its Markdown summary"),
    "history": (history, "list the recorded runs, or one probe's figures across them"),
    "compare": (compare, "compare two runs probe by probe; exit 1 on a regression"),
    "merge": (merge, "join the results of run --shard K/N jobs into one run"),
    "hook": (hook, "install or run the git pre-commit hook (the fast suite for the languages a commit touches)"),
    "bisect": (bisect, "find the first commit where the selected probes stop passing (git bisect run)"),
    "mutants": (mutants_command, "build the leak mutants, run the suite against each and print the mutation score"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="leakcheck", description="Cross-language memory-leak verification.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(sub)
        sub.set_defaults(execute=module.execute)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
