"""A Python probe through the SDK, as the README shows: the loop body is the call."""

import os

from leakcheck_probe import ProbeContext, run_probe
from subject import call_for

call = call_for(os.environ["SUBJECT_KIND"])


def body(ctx: ProbeContext, i: int) -> None:
    call(i)


run_probe(f"python.{os.environ['SUBJECT_KIND']}", body)
