"""LSan only: blocks alive at exit that grow with the iterations, to explain a failing verdict LSan saw no loss in.

A leak that something still points to is no leak to LSan: a GObject-based library keeps every live object in a
global table, so an object the code under test forgets to unref stays reachable to the end. When the exact
counters fail and the first report names no lost block through the code under test, the probe runs twice more,
short and long, with no roots at all (globals, stacks, registers, TLS): LSan then reports every block alive at
exit, grouped by allocation stack. Why not `use_globals=0` alone: a stale pointer on a worker thread's stack
then keeps the global table, and with it every image, reachable in one run and not in the next. Why
G_SLICE=always-malloc: glib 2.74 puts GObjects in slab pages of its own, which LSan sees as one block each.

Why two runs: one-time set-up through the library is large too (GType class set-up under a library's init
function: 1,087 blocks on one stack, seen), larger than a run's iteration count, so a count alone cannot tell it from a leak. Kept are
the stacks through the code under test present in both runs whose blocks grew by at least one per extra
iteration: set-up has the same count in both runs, a per-call leak grows with the calls.

Like valgrind's reachable growth, this only names what grew; the verdict stays with the exact counters.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from leakcheck.tools.model import SCALING, Frame, LeakRecord

LEAK_OPTIONS = ("use_globals=0", "use_stacks=0", "use_registers=0", "use_tls=0")
ENVIRONMENT = {"G_SLICE": "always-malloc"}
DIRECTORY = "alive-at-exit"
ITERATIONS = (10, 30)
"""The two runs' iterations: ~10-25 s together for a Zig probe under LSan, 20 calls apart."""


def pass_iterations(iterations: int) -> tuple[int, int]:
    """The short and long runs' iterations, never more than the probe's own count."""
    short, long = ITERATIONS
    if iterations >= long:
        return short, long
    return max(1, iterations // 3), iterations


def scaling_records(short: Sequence[LeakRecord], long: Sequence[LeakRecord],
                    extra_iterations: int) -> tuple[LeakRecord, ...]:
    """Stacks through the code under test in both runs whose blocks grew by at least one per extra iteration,
    as records of the growth, most blocks first."""
    short_blocks, short_bytes = _by_stack(short)
    long_blocks, long_bytes = _by_stack(long)
    allocated_in = {r.stack: r.allocated_in for r in long if r.in_subject}
    grown = [LeakRecord(kind=SCALING, bytes=long_bytes[stack] - short_bytes[stack], blocks=blocks - short_blocks[stack],
                        stack=stack, in_subject=True, allocated_in=allocated_in[stack])
             for stack, blocks in long_blocks.items()
             if stack in short_blocks and blocks - short_blocks[stack] >= max(1, extra_iterations)]
    return tuple(sorted(grown, key=lambda r: (-r.blocks, -r.bytes)))


def _by_stack(records: Sequence[LeakRecord]) -> tuple[Counter[tuple[Frame, ...]], Counter[tuple[Frame, ...]]]:
    """Blocks and bytes per allocation stack (LSan reports a stack's direct and indirect blocks apart)."""
    blocks: Counter[tuple[Frame, ...]] = Counter()
    size: Counter[tuple[Frame, ...]] = Counter()
    for record in records:
        if record.in_subject:
            blocks[record.stack] += record.blocks
            size[record.stack] += record.bytes
    return blocks, size
