"""The atheris (libFuzzer) target: each input through the binding, both backends, with the counter
check after every one. A finding raises FuzzFinding, which atheris reports and saves as a crash input.

Run it through scripts/fuzz.sh (fuzz_driver.py), which prepares the seeds and summarises the run;
arguments are libFuzzer's (-runs=N, -max_total_time=S, -artifact_prefix=DIR/, corpus folders).
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["pyjamaz", "fuzz_check"]):
    import pyjamaz  # noqa: F401 - instrumented for coverage: the binding's branches guide the mutations
    from fuzz_check import InputRunner

runner: InputRunner | None = None


def test_one_input(raw: bytes) -> None:
    global runner
    if runner is None:  # created on the first input: after libFuzzer has parsed its flags
        runner = InputRunner()
    runner.check(raw)


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
