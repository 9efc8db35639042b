"""run --shard K/N splits the selected probes so that the shards cover each exactly once; merge joins them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from leakcheck.cli import main
from leakcheck.history.shard import Shard, parse_shard, shard_items
from leakcheck.history.store import read_run
from leakcheck.schema import run_document

NAMES = [f"python.p{k}" for k in range(7)]


@pytest.mark.parametrize("count", [1, 2, 3, 7, 9])
def test_shards_cover_every_probe_exactly_once(count: int) -> None:
    shards = [shard_items(NAMES, NAMES, Shard(k, count)) for k in range(1, count + 1)]
    assert sorted(name for shard in shards for name in shard) == sorted(NAMES)
    assert max(map(len, shards)) - min(map(len, shards)) <= 1


@pytest.mark.parametrize("text", ["0/2", "3/2", "1", "a/b", "1/2/3"])
def test_bad_shard_is_a_clear_error(text: str) -> None:
    with pytest.raises(ValueError, match="K"):
        parse_shard(text)


def _config(tmp_path: Path) -> Path:
    lines = []
    for name in ("python.alpha", "python.beta", "python.gamma"):
        probe = tmp_path / f"{name}.py"
        # 10 ms an iteration: 0.4 s, enough RSS samples for each probe to be judged (PASS).
        probe.write_text(f"import time\nfrom leakcheck_probe import run_probe\n"
                         f"run_probe({name!r}, lambda ctx, i: time.sleep(0.01))\n")
        lines += [f'[probes."{name}"]', 'lang = "python"', f'command = ["{sys.executable}", "{probe}"]',
                  "iterations = { fast = 40 }", ""]
    config = tmp_path / "leakcheck.toml"
    config.write_text("\n".join(lines))
    return config


def test_two_real_shards_merge_into_one_run_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path)
    runs = tmp_path / "runs"
    for k in (1, 2):
        assert main(["run", "--config", str(config), "--shard", f"{k}/2", "--run-dir",
                     str(runs / f"20261123T10000{k}Z-shard"), "--html", str(tmp_path / f"shard{k}.html")]) == 0
        assert "python.alpha" in (tmp_path / "shard1.html").read_text()
    shard_names = [[p["name"] for p in json.loads((runs / f"20261123T10000{k}Z-shard" / "results.json").read_text())
                    ["probes"]] for k in (1, 2)]
    assert shard_names == [["python.alpha", "python.gamma"], ["python.beta"]]
    for k in (1, 2):  # the schema knows every key a real run writes: read and written again, nothing is lost
        path = runs / f"20261123T10000{k}Z-shard" / "results.json"
        assert json.loads(json.dumps(run_document(read_run(path)), default=str)) == json.loads(path.read_text())
    merged = runs / "20261123T110000Z-fast" / "results.json"
    assert main(["merge", str(runs / "20261123T100001Z-shard"), str(runs / "20261123T100002Z-shard" / "results.json"),
                 "-o", str(merged)]) == 0
    document = json.loads(merged.read_text())
    assert sorted(p["name"] for p in document["probes"]) == ["python.alpha", "python.beta", "python.gamma"]
    assert document["summary"] == {"PASS": 3} and len(document["shards"]) == 2
    assert main(["report", str(merged), "-o", str(tmp_path / "r.html"), "--runs-dir", str(runs)]) == 0
    assert main(["merge", str(tmp_path / "missing.json"), "-o", str(tmp_path / "x.json")]) == 2
    assert "missing.json: no such results file" in capsys.readouterr().err
