"""The HTML report and the Markdown summary: a view-model built from a run document, then rendered."""
