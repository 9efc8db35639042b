"""JUnit XML: leaks and failed checks as <failure>, crashes and hangs as <error>, FLAKY as a passed case
with a <flakyFailure>/<flakyError> for every failed attempt."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from leakcheck.results import CRASH, ERROR, FLAKY, PASSING, SKIP, TIMEOUT, Attempt, ProbeResult

ERROR_OUTCOMES = frozenset({CRASH, TIMEOUT, ERROR})


def junit_tree(results: Sequence[ProbeResult], *, suite: str, interrupted: bool) -> ET.ElementTree:
    testsuite = ET.Element("testsuite", name=f"leakcheck.{suite}", tests=str(len(results)),
                           failures=str(sum(r.outcome not in PASSING and r.outcome not in ERROR_OUTCOMES
                                            for r in results)),
                           errors=str(sum(r.outcome in ERROR_OUTCOMES for r in results)),
                           skipped=str(sum(r.outcome == SKIP for r in results)),
                           time=f"{sum(a.duration_s for r in results for a in r.attempts):.3f}")
    if interrupted:
        ET.SubElement(testsuite, "properties").append(ET.Element("property", name="interrupted", value="true"))
    for result in results:
        testsuite.append(_testcase(result))
    return ET.ElementTree(testsuite)


def write_junit(path: Path, results: Sequence[ProbeResult], *, suite: str, interrupted: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tree = junit_tree(results, suite=suite, interrupted=interrupted)
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)


def _testcase(result: ProbeResult) -> ET.Element:
    name = result.name if result.repeat == 1 else f"{result.name}#{result.repeat}"
    case = ET.Element("testcase", classname=f"leakcheck.{result.lang}", name=name,
                      time=f"{sum(a.duration_s for a in result.attempts):.3f}")
    final = result.final
    if result.outcome == SKIP:
        ET.SubElement(case, "skipped", message=final.reason)
    elif result.outcome == FLAKY:
        for attempt in result.attempts:
            if attempt.outcome not in PASSING:
                tag = "flakyError" if attempt.outcome in ERROR_OUTCOMES else "flakyFailure"
                _problem(case, tag, attempt)
    elif result.outcome in ERROR_OUTCOMES:
        _problem(case, "error", final)
    elif result.outcome not in PASSING:
        _problem(case, "failure", final)
    output = "\n".join([*(f"attempt {a.number}{_attempt_plan(a)}: {a.outcome}: {'; '.join(a.reasons)}"
                          for a in result.attempts),
                        *(f"note: {note}" for note in final.notes)])
    ET.SubElement(case, "system-out").text = output
    return case


def _problem(case: ET.Element, tag: str, attempt: Attempt) -> None:
    kind = (attempt.crash.signal if attempt.crash is not None
            else "timeout" if attempt.outcome == TIMEOUT else attempt.outcome)
    element = ET.SubElement(case, tag, type=kind, message=attempt.reason)
    details = list(attempt.reasons)
    if attempt.crash is not None and attempt.crash.backtrace:
        details.append(attempt.crash.backtrace)
    if attempt.hang is not None and attempt.hang.stacks:
        details.append(attempt.hang.stacks)
    if attempt.output_tail:
        details.append(f"--- stderr (tail) ---\n{attempt.output_tail}")
    element.text = "\n".join(details)


def _attempt_plan(attempt: Attempt) -> str:
    """` (1,600 iterations, escalated: inconclusive: 400 → 1,600 iterations)`, as far as it is known."""
    parts = [f"{attempt.iterations:,} iterations"] if attempt.iterations else []
    if attempt.escalation:
        parts.append(f"escalated: {attempt.escalation}")
    return f" ({', '.join(parts)})" if parts else ""
