"""`leakcheck doctor`: what the selected probes need (commands, interpreters, SDKs, required paths, stack
tools), found or missing, with how to install each; exit 1 when something required is missing."""

from __future__ import annotations

import argparse

from rich.table import Table

from leakcheck.commands.common import add_probe_arguments, configured_probes
from leakcheck.doctor import diagnose
from leakcheck.output.terminal import make_console


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_probe_arguments(parser, default_suite="all")


def execute(args: argparse.Namespace) -> int:
    config, probes = configured_probes(args)
    findings = diagnose(probes, config.root)
    table = Table(title=f"what {len(probes)} probe(s) need")
    for column in ("requirement", "needed by", "status", "detail / how to install"):
        table.add_column(column, overflow="fold")
    for finding in findings:
        status = "[green]found[/]" if finding.found else ("[red]missing[/]" if finding.required
                                                          else "[yellow]missing (optional)[/]")
        table.add_row(finding.name, finding.needed_by, status,
                      finding.detail if finding.found else f"{finding.detail}: {finding.install}")
    make_console(wide=True).print(table)
    return 0 if all(f.found or not f.required for f in findings) else 1
