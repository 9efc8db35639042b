#!/usr/bin/env bash
# Fuzzes libpyjamaz's error paths through the Python binding (atheris): malformed and mutated images and
# options, exact counters back to baseline after every input. Findings are saved under
# bindings/python/tests/fuzz/regressions/, which pytest replays.
#   scripts/fuzz.sh [--runs N] [--seconds S] [--timeout S] [--fresh] [--workdir DIR] [--regressions DIR]
# Exit code: 0 no finding, 1 findings, 2 the fuzzer itself failed.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python bindings/python/tests/fuzz/fuzz_driver.py "$@"
