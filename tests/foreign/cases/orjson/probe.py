import contextlib

import orjson
from leakcheck_probe import ProbeContext, run_probe


class Unserializable:
    def __init__(self):
        self.blob = bytearray(1000)


def default(obj):
    raise TypeError("cannot serialize")


def body(ctx: ProbeContext, i: int) -> None:
    with contextlib.suppress(TypeError):
        orjson.dumps({"item": Unserializable()}, default=default)


run_probe("python.orjson_default_raises", body)
