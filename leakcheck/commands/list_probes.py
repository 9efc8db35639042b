"""`leakcheck list`: the declared probes with their language, suites and iteration counts."""

from __future__ import annotations

import argparse

from rich.table import Table

from leakcheck.commands.common import add_probe_arguments, configured_probes
from leakcheck.config import SUITES
from leakcheck.output.terminal import make_console


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_probe_arguments(parser, default_suite="all")


def execute(args: argparse.Namespace) -> int:
    config, probes = configured_probes(args)
    table = Table(title=f"{len(probes)} probe(s) from {config.path}")
    for column in ("probe", "language", *SUITES, "timeout", "limits"):
        table.add_column(column, justify="right" if column in SUITES else "left")
    for probe in probes:
        table.add_row(probe.name, probe.lang,
                      *(f"{probe.iterations[s]:,}" if s in probe.iterations else "-" for s in SUITES),
                      f"{probe.timeout_s:g}s", ", ".join(f"{limit.key}={limit.text}" for limit in probe.limits))
    make_console().print(table)
    return 0
