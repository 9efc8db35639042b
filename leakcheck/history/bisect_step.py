"""Entry point of one `git bisect run` step: python -m leakcheck.history.bisect_step CONFIG BUILD RUNS ARGS..."""

import sys

from leakcheck.history.bisect import run_step

if __name__ == "__main__":
    sys.exit(run_step(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]))
