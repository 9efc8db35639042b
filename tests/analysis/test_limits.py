"""Limits written as people write them, and errors that say what is allowed."""

from __future__ import annotations

import pytest

from leakcheck.limits import Limit, LimitError, parse_limits


@pytest.mark.parametrize(("key", "text", "value", "unit"), [
    ("rss_growth", "50MB", 50e6, "bytes"),
    ("rss_growth", "50 MiB", 50 * 2**20, "bytes"),
    ("vms_growth", "1.5GB", 1.5e9, "bytes"),
    ("peak_rss", "4096", 4096.0, "bytes"),
    ("slope", "1KiB/iter", 1024.0, "bytes/iter"),
    ("slope", "200 B / iteration", 200.0, "bytes/iter"),
    ("slope", "1MB/s", 1e6, "bytes/s"),
    ("counter_growth", "+0", 0.0, "count"),
    ("fd_growth", "+0 fds", 0.0, "count"),
    ("fd_growth", "2", 2.0, "count"),
    ("thread_growth", "+1 thread", 1.0, "count"),
    ("freed", "freed >= 70%", 0.7, "fraction"),
    ("freed", "90%", 0.9, "fraction"),
])
def test_accepted_forms(key: str, text: str, value: float, unit: str) -> None:
    (limit,) = parse_limits({key: text}, "leakcheck.toml")
    assert (limit.key, limit.value, limit.unit) == (key, pytest.approx(value), unit)


def test_numbers_from_toml_are_accepted() -> None:
    (limit,) = parse_limits({"counter_growth": 3}, "leakcheck.toml")
    assert limit.value == 3


@pytest.mark.parametrize(("key", "raw"), [
    ("rss_growth", "50 parsecs"), ("rss_growth", "-5MB"), ("rss_growth", True), ("slope", "1KiB"),
    ("fd_growth", "one"), ("freed", "freed >= 170%"), ("counter_growth", -1), ("peak_rss", [1]),
])
def test_bad_values_name_where_key_value_and_allowed_forms(key: str, raw: object) -> None:
    with pytest.raises(LimitError) as error:
        parse_limits({key: raw}, "pyproject.toml [tool.leakcheck.probes.\"zig.x\"]")
    message = str(error.value)
    assert message.startswith("pyproject.toml [tool.leakcheck.probes.\"zig.x\"]: limits.")
    assert key in message and repr(raw) in message and "allowed:" in message


def test_unknown_key_lists_the_allowed_keys() -> None:
    with pytest.raises(LimitError, match="unknown limit 'rss'; allowed keys: counter_growth, fd_growth"):
        parse_limits({"rss": "1MB"}, "f.toml")


def test_limits_table_must_be_a_table() -> None:
    with pytest.raises(LimitError, match=r"f\.toml: limits must be a table"):
        parse_limits("50MB", "f.toml")  # type: ignore[arg-type]


def test_limit_explains_its_own_failure() -> None:
    limit = Limit("rss_growth", "50MB", 50e6, "bytes")
    assert limit.explain(64 * 2**20) == "RSS growth 64.0 MiB exceeds the limit rss_growth = 50MB"
    assert limit.explain(1024).endswith("is within the limit rss_growth = 50MB")
    freed = parse_limits({"freed": "freed >= 70%"}, "t")[0]
    assert not freed.allows(0.5)
    assert freed.explain(0.5) == "freed 50.0% is below the limit freed = freed >= 70%"
