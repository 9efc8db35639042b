import contextlib

import msgpack
from leakcheck_probe import ProbeContext, run_probe

DATA = bytes([0x91] * 16 + [0xC1])   # 16 nested one-element arrays, then the never-used byte 0xC1


def body(ctx: ProbeContext, i: int) -> None:
    with contextlib.suppress(msgpack.FormatError):
        msgpack.unpackb(DATA)


run_probe("python.msgpack_invalid_nested", body)
