"""Where the probe SDKs are, as installed (beside this file, never a checkout), and the search paths that make
them importable from any probe process: `import leakcheck_probe`, `require('leakcheck-probe')`.

``python -m leakcheck.sdk.locations zig`` prints the Zig package's directory (for a probe's build.zig.zon);
``python`` and ``node`` print the directories the runner puts on PYTHONPATH and NODE_PATH.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

SDK_ROOT = Path(__file__).resolve().parent
PYTHON_SDK_PATH = SDK_ROOT / "python"
"""Holds the package `leakcheck_probe` (and nothing else a probe could import by accident)."""
NODE_SDK_PATH = SDK_ROOT / "node"
"""Holds the npm package directory `leakcheck-probe`."""
ZIG_SDK_PACKAGE = SDK_ROOT / "zig"
"""The Zig package (build.zig, build.zig.zon) exposing the module `leakcheck_probe`."""
LOCATIONS = {"python": PYTHON_SDK_PATH, "node": NODE_SDK_PATH, "zig": ZIG_SDK_PACKAGE}


def sdk_search_paths(environment: Mapping[str, str]) -> dict[str, str]:
    """PYTHONPATH and NODE_PATH with the SDK directory first, then what `environment` already had (an outer
    run's copy of the SDK directory is not repeated)."""
    return {"PYTHONPATH": _prepend(PYTHON_SDK_PATH, environment.get("PYTHONPATH", "")),
            "NODE_PATH": _prepend(NODE_SDK_PATH, environment.get("NODE_PATH", ""))}


def _prepend(directory: Path, existing: str) -> str:
    kept = [entry for entry in existing.split(os.pathsep) if entry and Path(entry) != directory]
    return os.pathsep.join([str(directory), *kept])


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if len(arguments) != 1 or arguments[0] not in LOCATIONS:
        print(f"usage: python -m leakcheck.sdk.locations {{{','.join(LOCATIONS)}}}", file=sys.stderr)
        return 2
    print(LOCATIONS[arguments[0]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
