"""Python-side leaks put into a copy of the binding, to show the probes catch leaks the library's own
counters cannot see (kept references) and leaks of one backend only (a skipped native free)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

BINDING = Path(__file__).resolve().parents[2] / "pyjamaz"


@dataclass(frozen=True)
class SourceEdit:
    file: str
    old: str
    new: str


PYTHON_LEAKS: dict[str, tuple[SourceEdit, ...]] = {
    # Every result of optimize() appended to a module-level list.
    "kept-results": (
        SourceEdit(
            "_api.py",
            "    return get_backend(backend).optimize(data, chosen.to_native())\n",
            "    result = get_backend(backend).optimize(data, chosen.to_native())\n"
            "    _KEPT.append(result)\n"
            "    return result\n\n\n_KEPT: list[OptimizeResult] = []\n",
        ),
    ),
    # The native result is never freed, in one backend only.
    "ctypes-skip-free": (SourceEdit("_ctypes_backend.py", "self._lib.pyjamaz_result_free(out)", "pass"),),
    "cffi-skip-free": (SourceEdit("_cffi_backend.py", "self._lib.pyjamaz_result_free(result)", "pass"),),
}


def copy_binding_with_leak(leak: str, workdir: Path) -> Path:
    """Copies the package to workdir/pyjamaz with the leak put in; returns the directory to put first
    on PYTHONPATH. Refuses an edit whose text is not found exactly once (a leak that is not there
    would make every probe look good)."""
    target = workdir / "pyjamaz"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(BINDING, target, ignore=shutil.ignore_patterns("__pycache__"))
    for edit in PYTHON_LEAKS[leak]:
        path = target / edit.file
        source = path.read_text()
        if source.count(edit.old) != 1:
            raise RuntimeError(
                f"leak {leak}: {edit.old!r} occurs {source.count(edit.old)} times in {edit.file}"
            )
        path.write_text(source.replace(edit.old, edit.new))
    return workdir
