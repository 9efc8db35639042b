import contextlib

import ujson
from leakcheck_probe import ProbeContext, run_probe


class FailingFile:
    def write(self, s):
        raise OSError("disk full")


PAYLOAD = {"rows": ["x" * 100] * 10}


def body(ctx: ProbeContext, i: int) -> None:
    with contextlib.suppress(OSError):
        ujson.dump(PAYLOAD, FailingFile())


run_probe("python.ujson_dump_failing_write", body)
