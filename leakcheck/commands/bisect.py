"""`leakcheck bisect GOOD BAD [-k PROBE]`: the first commit where the selected probes stop passing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from leakcheck.commands.common import add_selection_arguments
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
                             "(default: scripts/zig build when the repository has build.zig; '' for none)")
    parser.add_argument("--repository", type=Path, default=Path.cwd(), metavar="DIR",
                        help="the git repository (default: the current directory)")


def execute(args: argparse.Namespace) -> int:
    build = args.build
    if build is None:
        build = "scripts/zig build" if (args.repository / "build.zig").is_file() else ""
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
