"""leakcheck as a user gets it: the wheel and the sdist built from this repository, each installed into a fresh
venv (no editable install, nothing of this checkout on any path), then used on a foreign project — its
`--help`, `doctor` and `run` on probes declared in a leakcheck.toml (a Python probe under a bare venv of the
user's, which has no leakcheck in it, and a Node probe through `require('leakcheck-probe')`), and the pytest
plugin on a small foreign test suite. Clean probes pass and leaking ones are judged LEAK, so that a broken
install cannot pass by running nothing.

Slow (two venvs with numpy): about a minute per artifact, most of it pip."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PIP_TIMEOUT_S = 600

CONFIG = """\
python = "{user_python}"

[probes."python.strdup"]
lang = "python"
command = ["{{python}}", "{{root}}/probes/strdup.py"]
iterations = {{ fast = 2000 }}

[probes."node.cache"]
lang = "node"
command = ["{{node}}", "--expose-gc", "{{root}}/probes/cache.js"]
iterations = {{ fast = 2000 }}
exact_counters = ["cache_entries"]
# A bounded cache of 16 KiB Buffers still moves V8's and malloc's RSS by up to ~1 KiB a call over 2,000 calls
# (seen once: 787 B/iter, +1.34 MiB, read as a leak); the exact counter carries this probe's verdict, and the
# leaking variant keeps 16 KiB a call, far above the tolerated slope.
limits = {{ slope = "2KiB/iter" }}
"""

PYTHON_PROBE = """\
import ctypes, os
from leakcheck_probe import run_probe

libc = ctypes.CDLL(None)
libc.strdup.restype = ctypes.c_void_p
libc.strdup.argtypes = [ctypes.c_char_p]
libc.free.argtypes = [ctypes.c_void_p]
TEXT = b"x" * 16384
LEAK = os.environ.get("FOREIGN_LEAK") == "1"

def body(ctx, i):
    copy = libc.strdup(TEXT)
    ctypes.memset(copy, 1, len(TEXT))
    if not LEAK:
        libc.free(copy)

run_probe("python.strdup", body)
"""

NODE_PROBE = """\
const { runProbe } = require('leakcheck-probe');
const cache = new Map();
const leak = process.env.FOREIGN_LEAK === '1';
runProbe({
  name: 'node.cache',
  body: (ctx, i) => { cache.set(leak ? i : i % 100, Buffer.alloc(16384, 1)); },
  counters: () => ({ cache_entries: cache.size }),
});
"""

FOREIGN_TESTS = """\
import os

KEPT = []

def test_clean():
    assert len(bytes(65536)) == 65536

def test_leaky():
    KEPT.append(bytearray(os.urandom(65536)))
"""


def _run(command: list[str | Path], cwd: Path, timeout: float = 300,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    # Nothing of this checkout or of the outer venv may leak into what the installed package sees.
    clean = {key: value for key, value in os.environ.items()
             if key not in ("PYTHONPATH", "NODE_PATH", "VIRTUAL_ENV") and not key.startswith("LEAKCHECK_")}
    return subprocess.run([str(part) for part in command], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, check=False, env={**clean, **(env or {})})


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    built = _run([sys.executable, "-m", "build", "--wheel", "--sdist", "--outdir", out, REPO], cwd=out,
                 timeout=PIP_TIMEOUT_S)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return out


@pytest.fixture(scope="module", params=["whl", "tar.gz"], ids=["wheel", "sdist"])
def installed(request: pytest.FixtureRequest, dist: Path,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The bin/ of a fresh venv with only the artifact (and pytest, for the plugin) installed."""
    (artifact,) = dist.glob(f"leakcheck-*.{request.param}")
    home = tmp_path_factory.mktemp(f"venv-{request.param}")
    venv.create(home, with_pip=True)
    pip = _run([home / "bin" / "python", "-m", "pip", "install", "-q", artifact, "pytest>=8,<10"], cwd=home,
               timeout=PIP_TIMEOUT_S)
    assert pip.returncode == 0, pip.stderr[-3000:]
    yield home / "bin"
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's project: probes, a bare venv of theirs for the Python probe, a small test suite."""
    root = tmp_path_factory.mktemp("foreign")
    user_venv = root / "user-venv"
    venv.create(user_venv, with_pip=False)
    (root / "probes").mkdir()
    (root / "probes" / "strdup.py").write_text(PYTHON_PROBE)
    (root / "probes" / "cache.js").write_text(NODE_PROBE)
    (root / "leakcheck.toml").write_text(CONFIG.format(user_python=user_venv / "bin" / "python"))
    (root / "tests").mkdir()
    (root / "tests" / "test_foreign.py").write_text(FOREIGN_TESTS)
    return root


def test_the_installed_package_is_complete_and_nothing_of_the_checkout(installed: Path) -> None:
    found = _run([installed / "python", "-c", "import leakcheck, leakcheck.cli; print(leakcheck.__file__)"],
                 cwd=installed)
    assert found.returncode == 0 and "site-packages" in found.stdout and str(REPO) not in found.stdout, found
    shown = _run([installed / "leakcheck", "--help"], cwd=installed)
    assert shown.returncode == 0 and "doctor" in shown.stdout
    for module in ("matplotlib", "scipy", "ziglang", "cffi", "pyjamaz"):
        absent = _run([installed / "python", "-c", f"import {module}"], cwd=installed)
        assert absent.returncode != 0, f"{module} came with leakcheck"


def test_the_installed_package_builds_the_preload_counter_from_its_own_source(installed: Path,
                                                                            tmp_path: Path) -> None:
    built = _run([installed / "python", "-m", "leakcheck.sdk.preload"], cwd=tmp_path,
                 env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert built.returncode == 0, built.stdout + built.stderr
    assert Path(built.stdout.strip()).is_relative_to(tmp_path / "cache") and Path(built.stdout.strip()).is_file()
    source = _run([installed / "python", "-c", "from leakcheck.sdk.preload import SOURCE; print(SOURCE)"],
                  cwd=tmp_path)
    assert "site-packages" in source.stdout and str(REPO) not in source.stdout, source


def test_doctor_finds_what_the_foreign_probes_need(installed: Path, project: Path) -> None:
    doctor = _run([installed / "leakcheck", "doctor"], cwd=project)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    sdk_lines = [line for line in doctor.stdout.splitlines() if " SDK " in line]
    assert len(sdk_lines) == 2 and all("found" in line for line in sdk_lines), doctor.stdout
    missing = [line for line in doctor.stdout.splitlines() if "missing" in line]
    assert all("(optional)" in line for line in missing), doctor.stdout  # py-spy is not in a fresh venv


def test_foreign_probes_pass_clean_and_leak_when_they_leak(installed: Path, project: Path) -> None:
    clean = _run([installed / "leakcheck", "run", "--suite", "fast", "--fail-on", "skip"], cwd=project)
    assert clean.returncode == 0, clean.stdout[-4000:] + clean.stderr[-2000:]
    assert clean.stdout.count("PASS") >= 2
    leaking = _run([installed / "leakcheck", "run", "--suite", "fast"], cwd=project, env={"FOREIGN_LEAK": "1"})
    assert leaking.returncode == 1
    for name in ("python.strdup", "node.cache"):
        assert any(name in line and "LEAK" in line for line in leaking.stdout.splitlines()), leaking.stdout[-4000:]


def test_the_pytest_plugin_fails_the_leaking_test_of_a_foreign_suite(installed: Path, project: Path) -> None:
    completed = _run([installed / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests",
                      "--leakcheck-repeat", "300"], cwd=project)
    assert completed.returncode == 1, completed.stdout[-4000:]
    assert "1 failed, 1 passed" in completed.stdout and "test_leaky" in completed.stdout
    assert "leakcheck: LEAK" in completed.stdout
