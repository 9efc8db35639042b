"""A probe of the runner tests that writes its events by hand, to show what the harness does with a plan.

RAW_PROTOCOL (1 or 2), RAW_WARMUP (announced in a v2 hello; the measure phase starts there), RAW_DONE (the
count done reports; default: the iterations), RAW_SLEEP (seconds each iteration takes, so that RSS is sampled
enough to be judged; default 0). Ticks at every 4th iteration from 3 (3, 7, 11, ...), so the
first measure tick comes after the warm-up's end, and carries a steady counter.
"""

import json
import os
import time

ITERATIONS = int(os.environ["LEAKCHECK_ITERATIONS"])
PROTOCOL = int(os.environ.get("RAW_PROTOCOL", "2"))
WARMUP = int(os.environ.get("RAW_WARMUP", "50"))
SLEEP = float(os.environ.get("RAW_SLEEP", "0"))
pipe = os.fdopen(int(os.environ["LEAKCHECK_FD"]), "w", buffering=1)


def emit(event: str, **fields: object) -> None:
    pipe.write(json.dumps({"event": event, **fields}) + "\n")


plan = {"iterations": ITERATIONS, "warmup": WARMUP} if PROTOCOL == 2 else {}
emit("hello", probe=os.environ["LEAKCHECK_PROBE"], lang="python", protocol=PROTOCOL, pid=os.getpid(), **plan)
emit("phase", name="setup")
emit("phase", name="warmup")
for i in range(ITERATIONS):
    if i == WARMUP:
        emit("phase", name="measure")
    if i % 4 == 3:
        emit("tick", i=i, counters={"steady_bytes": 1000})
    time.sleep(SLEEP)
emit("phase", name="teardown")
emit("done", iterations=int(os.environ.get("RAW_DONE", ITERATIONS)))
