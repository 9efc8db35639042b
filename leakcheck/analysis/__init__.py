"""Pure statistics over one probe run's series: leak vs plateau, exact counters, limits, the verdict.

Nothing here starts processes or reads files; the runner builds a `ProbeSeries` and calls `judge`.

The verdict (`leakcheck.analysis.verdict.judge`) is imported from its module, not from here: the package is
imported by light modules (units, limits) that the CLI and the pytest plugin load at start-up, and the
verdict brings numpy.
"""

from leakcheck.analysis.model import (
    INCONCLUSIVE,
    LEAK,
    OVER_LIMIT,
    PASS,
    Finding,
    Judgement,
    Point,
    ProbeSeries,
)

__all__ = ["INCONCLUSIVE", "LEAK", "OVER_LIMIT", "PASS", "Finding", "Judgement", "Point", "ProbeSeries"]
