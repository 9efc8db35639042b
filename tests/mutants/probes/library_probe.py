"""A probe of the mutation tests. The "library" it loads (PYJAMAZ_LIB_PATH) is a text file naming what is
broken in it: `<probe>=<effect>` words. Effects: `counter` (an exact counter grows), `check` (the probe's
own check fails), `crash` (abort in the measure phase). A probe not named there behaves."""

import os
import time

from leakcheck_probe import ProbeContext, run_probe

PROBE = os.environ["LEAKCHECK_PROBE"]
with open(os.environ["PYJAMAZ_LIB_PATH"], encoding="utf-8") as library:
    EFFECTS = dict(word.split("=", 1) for word in library.read().split() if "=" in word)
EFFECT = EFFECTS.get(PROBE, "")
DELAY_S = float(os.environ.get("PROBE_DELAY_S", "0"))
held = {"bytes": 0.0}


def body(ctx: ProbeContext, i: int) -> None:
    time.sleep(DELAY_S)
    if EFFECT == "counter":
        held["bytes"] += 64
    if EFFECT == "crash" and i == 30:
        os.abort()


def teardown(ctx: ProbeContext) -> None:
    ctx.check("handles_closed", 1 if EFFECT == "check" else 0, "==", 0)


run_probe(PROBE, body, iterations=40, teardown=teardown, counters=lambda: {"lib_live_bytes": held["bytes"]})
