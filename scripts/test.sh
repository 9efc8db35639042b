#!/usr/bin/env bash
# The project's test command: set-up from nothing (idempotent), then every test suite.
#   Zig: unit tests of the real pipeline, and the memory suite (leak loops through the real optimize path).
#   Python: pytest (leakcheck itself and the pyjamaz binding). Node: node --test (the pyjamaz binding).
# The 10,000-image pressure runs are not here: `scripts/zig build memory-pressure-test` and
# `.venv/bin/leakcheck run --suite pressure` run them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
failed=()
run() {
    local name=$1
    shift
    step "$name"
    if ! "$@"; then failed+=("$name"); fi
}

# The harness's own checks: lint, strict types, and the package layers ([tool.importlinter]).
run "ruff" .venv/bin/ruff check leakcheck tests scripts bindings/python examples
run "mypy (strict)" .venv/bin/mypy leakcheck
run "import layers" .venv/bin/lint-imports

# The leak mutants (declared in zig/src/mutants.zig): built, then the fast suite passes on the production library
# and catches every mutant in every language (each language stops at its first catch). The bindings' mutant
# tests below load the libraries built here.
run "leakcheck mutants" .venv/bin/leakcheck mutants --suite fast --first-catch --budget 300
run "zig build test" scripts/zig build test
run "zig build memory-test" scripts/zig build memory-test
run "pytest" .venv/bin/python -m pytest -q
# A short fuzz run of the error paths on the production library (the full one, guided by the library's own
# edges: scripts/fuzz.sh, 100,000 inputs).
run "fuzz (30 s)" scripts/fuzz.sh --seconds 30 --runs 100000 --coverage python
if [ -f bindings/nodejs/package.json ]; then
    run "node --test" bash -c 'cd bindings/nodejs && npm test --silent'
fi

if [ ${#failed[@]} -gt 0 ]; then
    printf '\nFAILED: %s\n' "${failed[*]}"
    exit 1
fi
printf '\nall test suites passed\n'
