"""The pages people read, from a real run in headless chromium: a LEAK of a small exact counter and an RSS
LEAK show their failing panel first, outlined, with the reason; a plateau PASS has no failing panel; a CRASH
shows its stacks; every chart's text is at a legible size; the page is not blank."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from .browser import CHROMIUM, load_page

PROBES = {
    "python.counter_leak": (
        "from leakcheck_probe import run_probe\n"
        "live = [0]\n"
        "def body(ctx, i):\n"
        "    live[0] += 1\n"
        "run_probe('python.counter_leak', body, counters=lambda: {'live_handles': live[0]})\n"),
    "python.rss_leak": (
        "from leakcheck_probe import run_probe\n"
        "KEPT = []\n"
        "run_probe('python.rss_leak', lambda ctx, i: KEPT.append(bytearray(65536)))\n"),
    "python.plateau": (
        "from leakcheck_probe import run_probe\n"
        "CACHE = {}\n"
        "run_probe('python.plateau', lambda ctx, i: CACHE.setdefault(i % 50, bytearray(4096)))\n"),
    "python.crash": (
        "import os, signal\n"
        "from leakcheck_probe import run_probe\n"
        "run_probe('python.crash', lambda ctx, i: os.kill(os.getpid(), signal.SIGSEGV) if i == 50 else None)\n"),
}


def _config(directory: Path) -> str:
    tables = []
    for name, source in PROBES.items():
        script = directory / f"{name}.py"
        script.write_text(source)
        tables.append(f'[probes."{name}"]\nlang = "python"\ncommand = ["{{python}}", "{script}"]\niterations = 400\n'
                      + ('exact_counters = ["live_handles"]\n' if name == "python.counter_leak" else ""))
    return "\n".join(tables)


def _section(page: str, name: str) -> str:
    start = page.index(f"<h2>{name} ")
    end = page.find("<section", start)
    return page[start:end if end != -1 else len(page)]


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/setup.sh installs it)")
def test_leak_plateau_and_crash_pages_show_their_evidence(tmp_path: Path) -> None:
    (tmp_path / "leakcheck.toml").write_text(_config(tmp_path))
    html = tmp_path / "report.html"
    run = subprocess.run([sys.executable, "-m", "leakcheck.cli", "run", "--config", str(tmp_path / "leakcheck.toml"),
                          "--run-dir", str(tmp_path / "run"), "--html", str(html)],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 1 and html.is_file(), run.stdout[-3000:] + run.stderr[-2000:]
    loaded = load_page(html, tmp_path)
    assert loaded.console == () and loaded.page_requests == ()
    page = loaded.dom
    for name, signal in (("python.counter_leak", "live_handles"), ("python.rss_leak", "RSS")):
        section = _section(page, name)
        panels = re.findall(r'<g class="(panel(?: failed)?)">.*?font-weight="bold" fill="[^"]+">([^<]+)<', section)
        assert panels and panels[0][0] == "panel failed" and panels[0][1].startswith(signal), (name, panels[:3])
        assert "did not return to baseline" in section or "slope" in section
    plateau = _section(page, "python.plateau")
    assert 'class="panel"' in plateau and 'class="panel failed"' not in plateau
    crash = _section(page, "python.crash")
    assert "SIGSEGV" in crash and "Segmentation fault" in crash
    assert set(re.findall(r'<svg[^>]*font-size="(\d+)"', page)) == {"12"}  # legible at the default size
    with Image.open(loaded.screenshot) as shot:
        low, high = shot.convert("L").getextrema()
    assert high - low > 100  # not a blank page
