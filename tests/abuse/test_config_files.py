"""Configuration files a careful user could write by accident: probe names that would need rewriting to name
a folder, a file in another encoding, a file saved with a byte-order mark."""

from __future__ import annotations

from pathlib import Path

import pytest

from leakcheck.cli import main

from .cli import leakcheck

ONE = '[probes."{name}"]\nlang = "python"\ncommand = ["{{python}}", "-c", "pass"]\niterations = 10\n'


@pytest.mark.parametrize(("name", "found"), [
    ("python.my probe", "' '"), ("python.a/b", "'/'"), ("python.ünïcode", "'ï', 'ü'"),
    ("python.a:b", "':'"), ("python." + "x" * 100, "107 characters"),
])
def test_a_name_outside_the_folder_safe_set_is_rejected_naming_file_and_probe(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, found: str) -> None:
    config = tmp_path / "leakcheck.toml"
    config.write_text(ONE.format(name=name), encoding="utf-8")
    assert main(["list", "--config", str(config)]) == 2
    message = capsys.readouterr().err
    assert f"{config}: probes.{name!r}: a probe name may use only" in message
    assert f"this one has {found}" in message


def test_names_that_one_folder_rule_would_merge_can_no_longer_share_a_folder(tmp_path: Path) -> None:
    config = tmp_path / "leakcheck.toml"
    config.write_text(ONE.format(name="python.my_probe") + ONE.format(name="python.my probe"))
    completed = leakcheck("run", "--config", str(config), "--run-dir", str(tmp_path / "run"))
    assert completed.returncode == 2 and "probes.'python.my probe': a probe name" in completed.stderr
    assert not (tmp_path / "run").exists() and "Traceback" not in completed.stderr


def test_every_allowed_character_names_its_own_folder(tmp_path: Path) -> None:
    names = ["python.my_probe", "python.my-probe", "python.my.probe", "python.My_Probe2"]
    config = tmp_path / "leakcheck.toml"
    config.write_text("".join(ONE.format(name=name) for name in names))
    # Each probe is too short to judge (INCONCLUSIVE, allowed): folder names are this test's subject.
    completed = leakcheck("run", "--no-escalate", "--allow", "inconclusive", "--config", str(config), "--run-dir",
                          str(tmp_path / "run"))
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert sorted(p.name for p in (tmp_path / "run").iterdir() if p.is_dir()) == sorted(names)


@pytest.mark.parametrize("name", ["leakcheck.toml", "pyproject.toml"])
def test_a_config_in_another_encoding_is_named_with_the_first_bad_byte(tmp_path: Path, name: str) -> None:
    config = tmp_path / name
    text = "# café\n" + ("[tool.leakcheck]\n" if name == "pyproject.toml" else "") + ONE.format(name="python.one")
    config.write_bytes(text.encode("latin-1"))
    completed = leakcheck("list", "--config", str(config))
    assert completed.returncode == 2
    assert (f"{config}: cannot read the configuration: it is not UTF-8 text (byte 0xe9 at line 1, column 6); "
            "TOML files are UTF-8") in completed.stderr
    assert "Traceback" not in completed.stderr


def test_a_config_with_a_byte_order_mark_is_read_like_without(tmp_path: Path) -> None:
    config = tmp_path / "leakcheck.toml"
    config.write_bytes(b"\xef\xbb\xbf" + ONE.format(name="python.one").encode())
    completed = leakcheck("list", "--config", str(config))
    assert completed.returncode == 0 and "python.one" in completed.stdout, completed.stderr


def test_a_bad_byte_after_a_byte_order_mark_is_placed_in_the_file_as_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "leakcheck.toml"
    config.write_bytes(b"\xef\xbb\xbf" + ONE.format(name="python.one").encode() + b"# \xff\n")
    assert main(["list", "--config", str(config)]) == 2
    assert "(byte 0xff at line 5, column 3)" in capsys.readouterr().err
