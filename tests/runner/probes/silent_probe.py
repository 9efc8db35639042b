"""A probe without the SDK: writes no events, allocates LEAK_KIB per 10 ms for DURATION seconds."""

import os
import time

held = []
leak = int(os.environ.get("LEAK_KIB", "0")) * 1024
end = time.monotonic() + float(os.environ.get("DURATION", "2"))
while time.monotonic() < end:
    if leak:
        held.append(bytearray(b"x" * leak))
    time.sleep(0.01)
