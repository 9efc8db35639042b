"""The verdict of one probe run: every finding, then the outcome they imply."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from leakcheck.analysis.model import Judgement, ProbeSeries

if TYPE_CHECKING:  # limits imports analysis.units; a runtime import here would be circular
    from leakcheck.limits import Limit


def judge(series: ProbeSeries, limits: Sequence[Limit]) -> Judgement:
    raise NotImplementedError("analysis.judge is being implemented")
