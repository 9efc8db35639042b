"""Probe SDKs, shipped inside leakcheck so that the harness can hand them to any probe process.

- ``python/leakcheck_probe/``: the Python SDK, dependency-free. Probes write ``import leakcheck_probe``
  (the runner puts ``python/`` on their PYTHONPATH); leakcheck's own in-process code keeps
  ``from leakcheck.sdk import run_probe, ProbeContext``, the same source under this package.
- ``node/leakcheck-probe/``: the npm package ``leakcheck-probe`` (the runner puts ``node/`` on NODE_PATH).
- ``zig/``: the Zig package exposing the module ``leakcheck_probe``.
- ``preload/``: the preload counter, a C library LD_PRELOADed into every probe to count its live malloc blocks
  and bytes (built on first use; ``leakcheck.sdk.preload``).

docs/protocol.md is the contract all three speak.
"""

from leakcheck.sdk.python.leakcheck_probe import ProbeContext, ProbeSettings, ProbeUsageError, run_probe

__all__ = ["ProbeContext", "ProbeSettings", "ProbeUsageError", "run_probe"]
