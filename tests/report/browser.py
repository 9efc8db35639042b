"""Debian's headless chromium: load a page from disk, report console messages and the requests the page
made (the browser's own background requests, initiated by no origin, are not the page's)."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = shutil.which("chromium")
_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
          "--enable-logging=stderr", "--v=0", "--window-size=1200,1600")


@dataclass(frozen=True)
class PageLoad:
    console: tuple[str, ...]
    page_requests: tuple[str, ...]
    screenshot: Path
    dom: str


def load_page(page: Path, work: Path) -> PageLoad:
    assert CHROMIUM, "chromium is not installed (scripts/setup.sh installs it)"
    net_log, screenshot = work / "net.json", work / "shot.png"
    common = [CHROMIUM, *_FLAGS, f"--user-data-dir={work / 'profile'}"]
    shot = subprocess.run([*common, f"--log-net-log={net_log}", f"--screenshot={screenshot}", page.as_uri()],
                          capture_output=True, text=True, timeout=120, check=False)
    dom = subprocess.run([*common, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120,
                         check=False)
    console = tuple(line for line in shot.stderr.splitlines() if "CONSOLE" in line)
    return PageLoad(console=console, page_requests=_page_requests(net_log), screenshot=screenshot, dom=dom.stdout)


def _page_requests(net_log: Path) -> tuple[str, ...]:
    log = json.loads(net_log.read_text())
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    jobs = [event["params"] for event in log["events"] if event["type"] == start_job and "url" in event.get("params", {})]
    return tuple(str(job["url"]) for job in jobs if job.get("initiator") != "not an origin")
