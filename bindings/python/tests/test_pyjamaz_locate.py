"""Finding the library: PYJAMAZ_LIB_PATH first and without fallback, then the build output; clear errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyjamaz
import pytest
from pyjamaz._locate import REPO_BUILD_OUTPUT, locate_library, not_found_message


def test_explicit_path_wins(tmp_path: Path) -> None:
    library = tmp_path / "libpyjamaz.so"
    library.write_bytes(b"")
    location = locate_library({pyjamaz.LIB_PATH_ENV: str(library)})
    assert (location.path, location.source) == (str(library), "environment")


def test_explicit_path_never_falls_back(tmp_path: Path) -> None:
    with pytest.raises(pyjamaz.LibraryNotFoundError, match="does not name a file"):
        locate_library({pyjamaz.LIB_PATH_ENV: str(tmp_path / "missing.so")})


def test_build_output_is_next() -> None:
    if not REPO_BUILD_OUTPUT.is_file():
        pytest.fail(f"{REPO_BUILD_OUTPUT} is missing: run scripts/zig build")
    assert locate_library({}).path == str(REPO_BUILD_OUTPUT)


def test_not_found_message_says_where_and_how() -> None:
    message = not_found_message()
    assert (
        str(REPO_BUILD_OUTPUT) in message and "scripts/zig build" in message and "PYJAMAZ_LIB_PATH" in message
    )


@pytest.mark.parametrize("backend", pyjamaz.BACKENDS)
def test_a_file_that_is_no_library_gives_a_clear_error(tmp_path: Path, backend: str) -> None:
    fake = tmp_path / "libpyjamaz.so"
    fake.write_text("not an ELF file")
    script = (
        f"import pyjamaz\ntry:\n    pyjamaz.version(backend={backend!r})\nexcept pyjamaz.LibraryNotFoundError as e:\n"
        "    print(e)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        env={pyjamaz.LIB_PATH_ENV: str(fake)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert f"{fake} (from environment) could not be loaded" in completed.stdout
