"""The Node SDK's index.d.ts type-checks a use of its whole API under strict TypeScript, and rejects misuse
(each `@ts-expect-error` in tests/sdk/types/usage.ts must be an error, or tsc fails)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TSC = ROOT / "bindings" / "nodejs" / "node_modules" / ".bin" / "tsc"


@pytest.mark.skipif(not TSC.exists() or shutil.which("node") is None,
                    reason="TypeScript is not installed (cd bindings/nodejs && npm ci)")
def test_the_types_check_a_use_of_the_whole_api() -> None:
    completed = subprocess.run([str(TSC), "-p", str(Path(__file__).parent / "types" / "tsconfig.json")],
                               capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
