"""Arguments and steps several subcommands share: the configuration and the probe selection."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from leakcheck.config import SUITE_CHOICES, Config, ProbeSpec, find_config, load_config
from leakcheck.selection import Selection, parse_languages, select


def add_probe_arguments(parser: argparse.ArgumentParser, *, default_suite: str) -> None:
    """--config, --suite, --lang and -k: what every subcommand that works on probes takes."""
    add_config_argument(parser)
    add_selection_arguments(parser, default_suite=default_suite)


def add_process_arguments(parser: argparse.ArgumentParser) -> None:
    """--jobs, --timeout and --seed: how the probe processes run, for every subcommand that runs them."""
    parser.add_argument("--jobs", type=positive_int, metavar="N",
                        help="probes run at once (default: the configuration's jobs, else 1)")
    parser.add_argument("--timeout", type=positive_float, metavar="S",
                        help="seconds each probe may run (overrides the configured timeouts)")
    parser.add_argument("--seed", type=non_negative_int, default=0, help="LEAKCHECK_SEED given to probes")


def configured_probes(args: argparse.Namespace) -> tuple[Config, tuple[ProbeSpec, ...]]:
    config = configuration(args)
    return config, selected_probes(config, args)


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, metavar="PATH",
                        help="leakcheck.toml or pyproject.toml to read (default: the nearest from here up)")


def add_selection_arguments(parser: argparse.ArgumentParser, *, default_suite: str) -> None:
    parser.add_argument("--suite", choices=SUITE_CHOICES, default=default_suite,
                        help="which suite's probes and iteration counts; all: every probe at its largest "
                             f"suite's count (default: {default_suite})")
    parser.add_argument("--lang", metavar="LANGS", help="comma-separated languages: zig,node,python,native")
    parser.add_argument("-k", dest="patterns", action="append", default=[], metavar="PATTERN",
                        help="only probes whose name contains PATTERN (or matches it as a glob); repeatable")
    parser.add_argument("--exclude", dest="excluded", action="append", default=[], metavar="PATTERN",
                        help="leave out probes whose name contains PATTERN (or matches it as a glob); repeatable")


def configuration(args: argparse.Namespace) -> Config:
    return load_config(args.config if args.config is not None else find_config(Path.cwd()))


def selected_probes(config: Config, args: argparse.Namespace) -> tuple[ProbeSpec, ...]:
    selection = Selection(suite=args.suite, languages=parse_languages(args.lang), patterns=tuple(args.patterns),
                          excluded=tuple(args.excluded))
    return select(config.probes, selection)


# argparse types: a clear message for a bad number, never a traceback.
def positive_int(text: str) -> int:
    return int(_bounded(text, int, 1, "a whole number of at least 1"))


def non_negative_int(text: str) -> int:
    return int(_bounded(text, int, 0, "a whole number of at least 0"))


def positive_float(text: str) -> float:
    """Seconds above 0 and finite: nan and inf would switch a watchdog off ("nan > limit" is never true)."""
    value = _bounded(text, float, 0, "a positive number of seconds")
    if value == 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds: it must be finite")
    return value


def probability(text: str) -> float:
    """A significance level: above 0 and below 1 (nan would make every p-value "not significant")."""
    value = _bounded(text, float, 0, "a probability between 0 and 1")
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a probability between 0 and 1 (exclusive)")
    return value


def _bounded(text: str, kind: type[int | float], minimum: float, allowed: str) -> float:
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {allowed}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"{text!r} is not {allowed}")
    return value
