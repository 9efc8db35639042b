"""The results document: long sample series are thinned in the JSON (peaks kept), never lost from the CSV."""

from __future__ import annotations

from pathlib import Path

from leakcheck.results import Attempt, Sample
from leakcheck.schema import MAX_SAMPLE_ROWS, attempt_document
from leakcheck.storage import write_samples_csv


def attempt_with(samples: list[Sample], csv: Path) -> Attempt:
    return Attempt(number=1, outcome="PASS", reasons=("ok",), key_figure="", returncode=0, phase="teardown",
                   last_tick=None, duration_s=1.0, peak_rss=max(s.rss for s in samples),
                   files={"samples": str(csv)}, samples=tuple(samples))


def series(count: int, spike_at: int) -> list[Sample]:
    return [Sample(t=k / 100, i=k, rss=(10**9 if k == spike_at else 10**6), vms=2 * 10**6, fds=3, threads=1,
                   processes=1) for k in range(count)]


def test_short_series_are_kept_whole(tmp_path: Path) -> None:
    document = attempt_document(attempt_with(series(500, 7), tmp_path / "s.csv"))["samples"]
    assert document["stride"] == 1 and document["count"] == 500 and len(document["rows"]) == 500
    assert document["rows"][7] == [0.07, 7, 10**9, 2 * 10**6, 3, 1, 1]


def test_long_series_are_thinned_but_keep_every_peak_and_the_csv_keeps_all(tmp_path: Path) -> None:
    samples = series(3 * MAX_SAMPLE_ROWS + 5, spike_at=45_001)
    csv = tmp_path / "samples.csv"
    write_samples_csv(csv, samples)
    document = attempt_document(attempt_with(samples, csv))["samples"]
    assert document["stride"] == 4 and document["count"] == len(samples)
    assert len(document["rows"]) <= 2 * (len(samples) // 4 + 1)
    assert max(row[2] for row in document["rows"]) == 10**9
    assert [row[0] for row in document["rows"]] == sorted(row[0] for row in document["rows"])
    assert document["all"] == str(csv)
    assert len(csv.read_text().splitlines()) == len(samples) + 1
