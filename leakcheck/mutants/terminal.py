"""The mutation score in the terminal: mutant x language table, score per language, holes (rendered
from the same view-model as the HTML section)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from leakcheck.mutants.view import CellView, MutationView

STATUS_STYLES = {"caught": "green", "hole": "bold red", "not run": "yellow"}


def print_score(console: Console, view: MutationView) -> None:
    if view.production_failures:
        table = Table(title="not passing on the production library: a failure on a mutant would mean nothing")
        for column in ("probe", "outcome", "reason"):
            table.add_column(column, overflow="fold")
        for probe, outcome, reason in view.production_failures:
            table.add_row(probe, f"[bold red]{outcome}[/]", reason)
        console.print(table)
    else:
        console.print(_score_table(view))
    for note in view.notes:
        console.print(f"note: {note}", style="yellow")
    for score in view.scores:
        holes = f": not caught: {', '.join(score.holes)}" if score.holes else ""
        style = "bold green" if not score.holes else "bold red"
        console.print(f"{score.lang}: {score.caught}/{score.total} mutants caught ({score.percent:.0f}%){holes}",
                      style=style)
    verdict = "every mutant caught in every language" if view.passed else "the leak suite has holes"
    console.print(f"mutation score ({view.mode}, suite {view.suite}, {view.wall_s:.1f}s wall): {verdict}",
                  style="bold green" if view.passed else "bold red")


def _score_table(view: MutationView) -> Table:
    table = Table(title=view.title, show_lines=True)
    table.add_column("mutant", overflow="fold")
    for lang in view.languages:
        table.add_column(lang, overflow="fold")
    for row in view.rows:
        table.add_row(row.name, *(_cell_text(cell) for cell in row.cells))
    return table


def _cell_text(cell: CellView) -> str:
    style = STATUS_STYLES.get(cell.status, "")
    if cell.caught:
        return "\n".join(f"[{style}]{c.probe}[/]: {c.kinds}" for c in cell.catches)
    if cell.status == "hole":
        return f"[{style}]HOLE[/]: none of {cell.ran} probe(s) caught it"
    return f"[{style}]{cell.status}[/]"
