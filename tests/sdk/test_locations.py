"""The SDK directories are found beside the installed leakcheck package, and go first on the search paths."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import leakcheck
from leakcheck.sdk.locations import NODE_SDK_PATH, PYTHON_SDK_PATH, ZIG_SDK_PACKAGE, sdk_search_paths

PACKAGE = Path(leakcheck.__file__).resolve().parent


def test_the_sdks_live_inside_the_leakcheck_package() -> None:
    assert (PYTHON_SDK_PATH / "leakcheck_probe" / "__init__.py").is_file()
    assert (NODE_SDK_PATH / "leakcheck-probe" / "package.json").is_file()
    assert (ZIG_SDK_PACKAGE / "build.zig.zon").is_file()
    assert all(path.is_relative_to(PACKAGE) for path in (PYTHON_SDK_PATH, NODE_SDK_PATH, ZIG_SDK_PACKAGE))


def test_the_python_sdk_directory_holds_nothing_else_to_import() -> None:
    assert {p.name for p in PYTHON_SDK_PATH.iterdir() if p.name != "__pycache__"} == {"__init__.py",
                                                                                   "leakcheck_probe"}


def test_sdk_paths_go_first_and_keep_what_was_there() -> None:
    paths = sdk_search_paths({"PYTHONPATH": f"/a{os.pathsep}/b", "NODE_PATH": "/n"})
    assert paths == {"PYTHONPATH": os.pathsep.join([str(PYTHON_SDK_PATH), "/a", "/b"]),
                     "NODE_PATH": os.pathsep.join([str(NODE_SDK_PATH), "/n"])}


def test_sdk_paths_without_any_and_without_repeating_an_outer_runs() -> None:
    assert sdk_search_paths({}) == {"PYTHONPATH": str(PYTHON_SDK_PATH), "NODE_PATH": str(NODE_SDK_PATH)}
    nested = sdk_search_paths({"PYTHONPATH": os.pathsep.join([str(PYTHON_SDK_PATH), "/a"])})
    assert nested["PYTHONPATH"] == os.pathsep.join([str(PYTHON_SDK_PATH), "/a"])


def test_the_zig_package_location_is_printed_for_a_build_zig_zon() -> None:
    completed = subprocess.run([sys.executable, "-m", "leakcheck.sdk.locations", "zig"], capture_output=True,
                               text=True, check=False, timeout=60)
    assert completed.returncode == 0 and completed.stdout.strip() == str(ZIG_SDK_PACKAGE)
    wrong = subprocess.run([sys.executable, "-m", "leakcheck.sdk.locations", "ruby"], capture_output=True,
                           text=True, check=False, timeout=60)
    assert wrong.returncode == 2 and "usage" in wrong.stderr
