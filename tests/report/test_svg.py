"""The small-multiple charts: failing panel first and outlined with its reason, each signal on its own scale
read as growth from the measure start (so +538 on a baseline of 20,000 is a visible rise), limits drawn only
within sight of the data, warm-up and measure shaded and labelled, valid SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from leakcheck.report.model import ChartData, SlopeLine
from leakcheck.report.panels import panels
from leakcheck.report.svg import Frame, Panel, limit_in_sight, order, render

SVG = "{http://www.w3.org/2000/svg}"
XS = tuple(float(i) for i in range(100))
RISING = tuple(20_000.0 + max(0.0, i - 20) * 538 / 79 for i in range(100))
FLAT_RSS = tuple(50e6 for _ in range(100))


def _texts(svg: str) -> list[str]:
    return [element.text or "" for element in ET.fromstring(svg).iter(f"{SVG}text")]


def test_the_failing_panel_comes_first_outlined_with_its_reason() -> None:
    rss = Panel("RSS", "bytes", XS, FLAT_RSS, baseline=50e6, always_drawn=True)
    blocks = Panel("live blocks", "count", XS, RISING, baseline=20_000.0, failed=True, reason="live blocks +538: leak")
    assert order([rss, blocks]) == [blocks, rss]
    svg = render([rss, blocks], Frame("iteration", warmup_end=20.0))
    groups = list(ET.fromstring(svg).iter(f"{SVG}g"))
    assert groups[0].get("class") == "panel failed" and groups[1].get("class") == "panel"
    assert "live blocks +538: leak" in _texts(svg)
    assert groups[0].find(f"{SVG}rect").get("stroke") == "#b00020"


def test_a_small_rise_on_a_large_baseline_fills_its_panel_and_reads_as_growth() -> None:
    svg = render([Panel("live blocks", "count", XS, RISING, baseline=20_000.0)], Frame("iteration", 20.0))
    labels = _texts(svg)
    assert {"0", "+200", "+400"} <= set(labels)  # growth from the measure start, not 20,000 on a 0-based axis
    assert not any(label.startswith("20,") for label in labels[1:])
    assert "live blocks (from 20,000 at the measure start)" in labels


def test_a_limit_far_off_the_data_is_stated_not_drawn() -> None:
    near = Panel("RSS", "bytes", XS, RISING, baseline=20_000.0, limit=21_000.0, limit_label="rss_growth limit")
    far = Panel("RSS", "bytes", XS, RISING, baseline=20_000.0, limit=500e6, limit_label="rss_growth limit")
    assert limit_in_sight(near) and not limit_in_sight(far)
    assert "rss_growth limit" in _texts(render([near], Frame("iteration")))
    far_texts = _texts(render([far], Frame("iteration")))
    assert "rss_growth limit" not in far_texts and any("far off the data" in text for text in far_texts)


def test_warm_up_and_measure_are_shaded_and_labelled() -> None:
    svg = render([Panel("RSS", "bytes", XS, FLAT_RSS, always_drawn=True)], Frame("iteration", warmup_end=20.0))
    assert {"warm-up", "measure"} <= set(_texts(svg))
    assert render([Panel("RSS", "bytes", XS, FLAT_RSS, always_drawn=True)], Frame("iteration")).count("warm-up") == 0


def test_panels_from_chart_data_mark_the_failing_signal_and_draw_the_trend() -> None:
    chart = ChartData(x_label="iteration", memory={"rss": (XS, FLAT_RSS)}, counters={"live_blocks": (XS, RISING)},
                      handles={"fds": (XS, tuple(5.0 for _ in XS))}, warmup_end=20.0, phases=(("measure", 20.0),),
                      slope=SlopeLine(x0=60.0, y0=50e6, x_end=99.0, slope=0.0, ci_low=0.0, ci_high=0.0), limits=())
    built = panels(chart, {"counter:live_blocks": (True, "live_blocks +538: did not return to baseline"),
                           "rss": (False, "RSS slope 0 B/iter: not a leak")})
    assert [p.title for p in built] == ["RSS", "live_blocks", "open file descriptors"]
    blocks = built[1]
    assert blocks.failed and blocks.baseline == RISING[20] and blocks.reason.startswith("live_blocks +538")
    assert built[0].trend == (20.0, 50e6, 99.0, 50e6) and not built[0].failed


def test_signals_that_never_moved_are_one_line_under_the_panels_not_panels() -> None:
    flat = tuple(0.0 for _ in XS)
    moved = Panel("live blocks", "count", XS, RISING, baseline=20_000.0)
    still = [Panel(f"counter {k}", "bytes" if k % 2 else "count", XS, flat, baseline=0.0) for k in range(12)]
    svg = render([Panel("RSS", "bytes", XS, FLAT_RSS, always_drawn=True), moved, *still], Frame("iteration", 20.0))
    groups = list(ET.fromstring(svg).iter(f"{SVG}g"))
    assert len(groups) == 2  # RSS (drawn even when flat) and the counter that moved
    listed = " ".join(t for t in _texts(svg) if t.startswith(("Unchanged throughout", "  ")))
    assert listed.startswith("Unchanged throughout: counter 0 0, counter 1 0 B") and "counter 11 0 B" in listed
    failing_flat = Panel("fds", "count", XS, flat, failed=True, reason="fds: no samples")
    assert len(list(ET.fromstring(render([failing_flat], Frame("iteration"))).iter(f"{SVG}g"))) == 1


def test_fds_and_threads_counted_by_the_sdk_are_drawn_once() -> None:
    inside = tuple(float(5 + (i > 50)) for i in XS)
    chart = ChartData(x_label="iteration", memory={"rss": (XS, FLAT_RSS)}, counters={"fds": (XS, inside)},
                      handles={"fds": (XS, tuple(5.0 for _ in XS)), "threads": (XS, tuple(2.0 for _ in XS))},
                      warmup_end=20.0, phases=(), slope=None, limits=())
    built = panels(chart, {"fds": (True, "fds +1: a leak")})
    fds = [p for p in built if p.title == "open file descriptors"]
    assert [(p.ys[-1], p.failed, p.reason) for p in fds] == [(6.0, True, "fds +1: a leak")]
    assert [p.title for p in built].count("threads") == 1


def _points(svg: str) -> list[tuple[float, float]]:
    polyline = next(ET.fromstring(svg).iter(f"{SVG}polyline"))
    pairs = [pair.split(",") for pair in (polyline.get("points") or "").split()]
    return [(float(x), float(y)) for x, y in pairs]


def test_a_swinging_series_is_drawn_with_its_floors_and_its_peaks_from_its_first_floor() -> None:
    # RSS of a pressure run: 120 MB between images, 300 MB while one is decoded, 10,000 samples.
    xs = tuple(float(i) for i in range(10_000))
    ys = tuple(300e6 if i % 7 == 0 else 120e6 for i in range(10_000))
    chart = ChartData(x_label="iteration", memory={"rss": (xs, ys)}, counters={}, handles={}, warmup_end=6.0,
                      phases=(("measure", 6.0),), slope=None, limits=())
    rss = panels(chart, {})[0]
    assert rss.baseline == 120e6  # the first twentieth's floor; the first measured sample (i = 7) is a peak
    svg = render([rss], Frame("iteration", warmup_end=6.0))
    heights = {y for _, y in _points(svg)}
    assert len(_points(svg)) <= 400 and len(heights) == 2  # both the floor and the peak are drawn
    assert "warm-up" not in _texts(svg) and "measure" in _texts(svg)  # 6 of 10,000: too narrow for its label
