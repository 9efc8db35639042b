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


# The probe (a small Python) starts a helper that holds 96 MiB for three seconds (the sampler looks for new
# children every second).
HELPER = """\
import subprocess, sys
subprocess.run([sys.executable, "-c", "import time; held = b'x' * (96 * 1024 * 1024); time.sleep(3)"], check=True)
"""


def test_the_probe_s_own_peak_leaves_out_the_processes_it_started(tmp_path: Path) -> None:
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-c", HELPER])
    sampler = Sampler(process.pid, started_at=started, last_tick=lambda: None, memory_cap=1 << 40,
                      csv_path=tmp_path / "samples.csv", rate_hz=20.0)
    sampler.start()
    process.wait(timeout=30)
    sampler.stop()
    assert sampler.peak_rss >= 96 * MIB
    assert 0 < sampler.probe_peak_rss < 40 * MIB
