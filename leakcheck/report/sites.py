"""The view-model of a Python probe's allocation sites (the attribution of its LEAK under tracemalloc): shared by
the terminal and the HTML page."""

from __future__ import annotations

from dataclasses import dataclass

from leakcheck.results import Attribution
from leakcheck.units import format_bytes


@dataclass(frozen=True)
class SiteView:
    where: str
    """"file:line"."""
    per_iteration: str
    """e.g. "+4.69 KiB/iter"."""
    growth: str
    """e.g. "+8.24 MiB in 1,800 block(s)" over the measure phase."""


@dataclass(frozen=True)
class SitesView:
    title: str
    summary: str
    sites: tuple[SiteView, ...]
    directory: str
    """The re-run's logs ("" when the sites come from the probe's own attempt)."""


def sites_view(attribution: Attribution | None) -> SitesView | None:
    if attribution is None:
        return None
    report = attribution.report
    source = "its own run" if attribution.source == "attempt" else "a re-run"
    iterations = f", {report.iterations:,} measured iterations" if report is not None else ""
    sites = () if report is None else tuple(
        SiteView(where=site.where, per_iteration=f"{format_bytes(site.bytes_per_iteration, signed=True)}/iter",
                 growth=f"{format_bytes(site.bytes, signed=True)} in {site.blocks:+,} block(s)")
        for site in report.sites)
    return SitesView(title=f"Python allocation sites (tracemalloc, {source}{iterations})",
                     summary=attribution.summary, sites=sites, directory=attribution.directory)
