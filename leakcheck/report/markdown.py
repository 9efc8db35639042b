"""The summary as Markdown, for a CI step summary: the same rows as the HTML summary table."""

from __future__ import annotations

import html

from leakcheck.report.model import ReportView


def render_markdown(view: ReportView) -> str:
    counts = ", ".join(f"{outcome} {count}" for outcome, count in view.counts)
    lines = [f"### {_cell(view.title)}", "", f"suite {_cell(view.suite)}: {counts}"
             + ("" if view.complete else " (incomplete run)"), ""]
    if view.regressions:
        lines += [f"**Regressions across runs:** {_cell(', '.join(view.regressions))}", ""]
    lines += ["| probe | language | outcome | key figure | reason |", "|---|---|---|---|---|"]
    lines += [f"| {_cell(p.name)} | {_cell(p.lang)} | {'✅' if p.passed else '❌'} {p.outcome} | "
              f"{_cell(p.key_figure)} | {_cell(p.reasons[0])} |" for p in view.probes]
    if view.mutation is not None:
        scores = ", ".join(f"{s.lang} {s.caught}/{s.total}" + (f" (holes: {', '.join(s.holes)})" if s.holes else "")
                           for s in view.mutation.scores)
        lines += ["", f"{'✅' if view.mutation.passed else '❌'} **Mutation score** ({view.mutation.mode}): {_cell(scores)}"]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Shown as text in a table cell: markup escaped (step summaries render HTML: `<`, `>`, `&`), quotes left
    as they are (no `&#x27;` in the text people read), pipes and newlines kept out."""
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")
