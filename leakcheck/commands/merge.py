"""`leakcheck merge FILES... -o RUN.json`: one run from the results of `run --shard K/N` jobs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from leakcheck.history.shard import merge_runs
from leakcheck.history.store import RunFileError, read_run, results_path
from leakcheck.schema import run_document
from leakcheck.storage import write_atomically

EXIT_OK, EXIT_USAGE = 0, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", type=Path, help="the shards' results.json files or run directories")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="RUN.json",
                        help="where to write the merged results (a run directory's results.json keeps it in history)")


def execute(args: argparse.Namespace) -> int:
    try:
        shards = [(results_path(path), read_run(path)) for path in args.files]
        merged, warnings = merge_runs(shards)
    except RunFileError as exc:
        print(f"leakcheck merge: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for warning in warnings:
        print(f"leakcheck merge: warning: {warning}", file=sys.stderr)
    write_atomically(args.output, json.dumps(run_document(merged), indent=1, default=str))
    counts = ", ".join(f"{outcome} {count}" for outcome, count in sorted(merged.summary.items()))
    print(f"merged {len(shards)} shard(s), {len(merged.probes)} probe result(s) ({counts}): {args.output}")
    return EXIT_OK
