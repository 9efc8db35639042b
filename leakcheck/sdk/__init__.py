"""Probe SDKs. ``from leakcheck.sdk import run_probe, ProbeContext`` for Python probes."""

from leakcheck.sdk.python import ProbeContext, run_probe

__all__ = ["ProbeContext", "run_probe"]
