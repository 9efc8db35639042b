"""Pure statistics over one probe run's series: leak vs plateau, exact counters, limits, the verdict.

Nothing here starts processes or reads files; the runner builds a `ProbeSeries` and calls `judge`.
"""

from leakcheck.analysis.model import LEAK, OVER_LIMIT, PASS, Finding, Judgement, Point, ProbeSeries
from leakcheck.analysis.verdict import judge

__all__ = ["LEAK", "OVER_LIMIT", "PASS", "Finding", "Judgement", "Point", "ProbeSeries", "judge"]
