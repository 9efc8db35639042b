"""The binding's declarations match zig/include/pyjamaz.h, and both backends lay the structs out alike."""

from __future__ import annotations

import ctypes

import cffi
import pytest
from pyjamaz import _abi, _ctypes_backend
from pyjamaz._locate import REPO_ROOT

HEADER = REPO_ROOT / "zig" / "include" / "pyjamaz.h"


def test_cdef_is_the_header() -> None:
    assert _abi.normalized(_abi.CDEF) == _abi.normalized(_abi.header_to_cdef(HEADER.read_text()))


def test_header_abi_version_is_the_bindings() -> None:
    assert f"#define PYJAMAZ_ABI_VERSION {_abi.ABI_VERSION}" in HEADER.read_text()


@pytest.mark.parametrize(
    ("c_name", "structure"),
    [
        ("pyjamaz_options", _ctypes_backend._Options),
        ("pyjamaz_result", _ctypes_backend._Result),
        ("pyjamaz_memory_stats", _ctypes_backend._MemoryStats),
    ],
)
def test_ctypes_structs_match_the_cdef(c_name: str, structure: type[ctypes.Structure]) -> None:
    ffi = cffi.FFI()
    ffi.cdef(_abi.CDEF)
    c_fields = [name for name, _ in ffi.typeof(c_name).fields]
    assert [name for name, *_ in structure._fields_] == c_fields
    assert ctypes.sizeof(structure) == ffi.sizeof(c_name)
    for name in c_fields:
        assert getattr(structure, name).offset == ffi.offsetof(c_name, name), name
