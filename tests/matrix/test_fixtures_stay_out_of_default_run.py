"""Fixtures are test-only: the project's own configuration must never select them."""

from __future__ import annotations

import tomllib

from .conftest import ROOT


def test_default_configuration_declares_no_fixture_probe() -> None:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        probes = tomllib.load(handle).get("tool", {}).get("leakcheck", {}).get("probes", {})
    fixtures = [name for name, probe in probes.items()
                if "fixture" in name or "tests/fixtures" in " ".join(probe.get("command", []))]
    assert fixtures == []
