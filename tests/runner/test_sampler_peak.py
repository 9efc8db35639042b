"""The sampler's peak RSS holds a spike that falls between two samples: it reads the kernel's high-water mark
(VmHWM), so the peak a run reports (and two-point scaling compares) does not depend on when the samples fell."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from leakcheck.runner.sampler import Sampler

MIB = 1024 * 1024
# 64 MiB touched and freed before the sampler starts (so no sample can hold it), then half a second quiet.
SPIKE = """\
import time
spike = b"x" * (64 * 1024 * 1024)
del spike
print("freed", flush=True)
time.sleep(0.5)
"""


def test_a_spike_between_samples_is_in_the_peak(tmp_path: Path) -> None:
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-c", SPIKE], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline() == "freed\n"
    sampler = Sampler(process.pid, started_at=started, last_tick=lambda: None, memory_cap=1 << 40,
                      csv_path=tmp_path / "samples.csv", rate_hz=20.0)
    sampler.start()
    process.wait(timeout=30)
    sampler.stop()
    sampled = max(sample.rss for sample in sampler.samples.items())
    assert sampled < 40 * MIB
    assert sampler.peak_rss >= 64 * MIB
