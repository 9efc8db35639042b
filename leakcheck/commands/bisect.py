"""`leakcheck bisect GOOD BAD [-k PROBE]`: the first commit where the selected probes stop passing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from leakcheck.commands.common import add_selection_arguments
from leakcheck.config import ConfigError, load_config
from leakcheck.history.bisect import BisectError, BisectRequest, bisect

EXIT_FOUND, EXIT_NOT_FOUND, EXIT_USAGE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("good", help="a commit where the probes pass")
    parser.add_argument("bad", help="a later commit where they fail")
    add_selection_arguments(parser, default_suite="fast")
    parser.add_argument("--config", default="pyproject.toml", metavar="PATH",
                        help="the configuration, relative to the repository root (default: pyproject.toml)")
    parser.add_argument("--build", metavar="CMD",
                        help="shell command that builds each commit before it is tested "
                             "(default: the configuration's build; '' for none)")
    parser.add_argument("--repository", type=Path, default=Path.cwd(), metavar="DIR",
                        help="the git repository (default: the current directory)")


def _configured_build(path: Path) -> str:
    """The `build` of the configuration as it stands now (bisect tests older commits with it)."""
    try:
        return load_config(path).build
    except ConfigError:
        return ""  # bisect reports a configuration it cannot use at the commits it tests


def execute(args: argparse.Namespace) -> int:
    build = args.build if args.build is not None else _configured_build(args.repository / args.config)
    selection = ["--suite", args.suite, *(["--lang", args.lang] if args.lang else []),
                 *[part for pattern in args.patterns for part in ("-k", pattern)]]
    request = BisectRequest(repository=args.repository, good=args.good, bad=args.bad, config=args.config,
                            build=build or None, leakcheck_args=tuple(selection))
    try:
        result = bisect(request)
    except BisectError as exc:
        print(f"leakcheck bisect: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if result.first_bad is None:
        print(result.log[-4000:], file=sys.stderr)
        print("leakcheck bisect: no first bad commit found (see git bisect's log above)", file=sys.stderr)
        return EXIT_NOT_FOUND
    print(f"first bad commit: {result.first_bad} {result.subject}")
    return EXIT_FOUND
