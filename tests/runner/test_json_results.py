"""The results document: long series are thinned in the JSON to a fixed size (floors and peaks kept), never
lost from the CSV; the file grows by a bounded amount a probe."""

from __future__ import annotations

import json
from pathlib import Path

from leakcheck.output.json_results import JsonResults
from leakcheck.results import KEPT_ROWS, Attempt, ProbeResult, Sample, SamplerStats, Tick
from leakcheck.schema import attempt_document
from leakcheck.storage import SamplesCsv


def attempt_with(samples: list[Sample], csv: Path, ticks: tuple[Tick, ...] = ()) -> Attempt:
    return Attempt(number=1, outcome="PASS", reasons=("ok",), key_figure="", returncode=0, phase="teardown",
                   last_tick=None, duration_s=1.0, peak_rss=max(s.rss for s in samples),
                   files={"samples": str(csv)}, samples=tuple(samples), ticks=ticks, tick_count=len(ticks),
                   sampler=SamplerStats(len(samples), 100.0, 0.1, 0.01))


def series(count: int, spike_at: int, dip_at: int = -1) -> list[Sample]:
    def rss(k: int) -> int:
        return 10**9 if k == spike_at else 10**3 if k == dip_at else 10**6 + k
    return [Sample(t=k / 100, i=k, rss=rss(k), vms=2 * 10**6, fds=3, threads=1, processes=1) for k in range(count)]


def test_short_series_are_kept_whole(tmp_path: Path) -> None:
    document = attempt_document(attempt_with(series(500, 7), tmp_path / "s.csv"))["samples"]
    assert document["count"] == 500 and len(document["rows"]) == 500
    assert document["rows"][7] == [0.07, 7, 10**9, 2 * 10**6, 3, 1, 1, None]


def test_long_series_are_thinned_but_keep_the_peak_and_the_floor_and_the_csv_keeps_all(tmp_path: Path) -> None:
    samples = series(90_005, spike_at=45_001, dip_at=61_234)
    csv_path = tmp_path / "samples.csv"
    csv = SamplesCsv(csv_path)
    for sample in samples:
        csv.write(sample)
    csv.close()
    document = attempt_document(attempt_with(samples, csv_path))["samples"]
    assert document["count"] == len(samples) and KEPT_ROWS // 2 <= len(document["rows"]) <= KEPT_ROWS
    assert max(row[2] for row in document["rows"]) == 10**9 and min(row[2] for row in document["rows"]) == 10**3
    assert [row[0] for row in document["rows"]] == sorted(row[0] for row in document["rows"])
    assert document["all"] == str(csv_path)
    assert len(csv_path.read_text().splitlines()) == len(samples) + 1


def test_long_tick_series_keep_each_phase_start_and_the_last_tick(tmp_path: Path) -> None:
    ticks = tuple(Tick(t=k / 10, i=k, phase="warmup" if k < 1_001 else "measure", counters={"live": float(k % 7)})
                  for k in range(50_000))
    document = attempt_document(attempt_with(series(10, 3), tmp_path / "s.csv", ticks))
    kept = [(tick["i"], tick["phase"]) for tick in document["ticks"]]
    assert len(kept) <= KEPT_ROWS and document["tick_count"] == 50_000
    assert kept[0] == (0, "warmup") and (1_001, "measure") in kept and kept[-1] == (49_999, "measure")


def test_the_file_grows_by_a_bounded_amount_a_probe_however_long_the_probes_ran(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    writer = JsonResults([path], {"provenance": {}})
    sizes = []
    for number, count in enumerate((3_000, 30_000, 300_000)):
        attempt = attempt_with(series(count, spike_at=count // 2), tmp_path / f"{number}.csv")
        writer.add(ProbeResult(f"native.p{number}", "native", "fast", count, "PASS", (attempt,)))
        sizes.append(path.stat().st_size)
    growth = [b - a for a, b in zip([0, *sizes], sizes, strict=False)]
    # A probe of 100 times the samples costs no more than the short one; none costs more than KEPT_ROWS rows.
    assert growth[2] < 1.5 * growth[0] and max(growth) < KEPT_ROWS * 60, growth
    document = json.loads(path.read_text())
    assert [p["name"] for p in document["probes"]] == ["native.p0", "native.p1", "native.p2"]
    assert document["summary"] == {"PASS": 3} and document["complete"] is False
