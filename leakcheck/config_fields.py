"""The configuration's error and the validators its readers share (config, subject)."""

from __future__ import annotations

from collections.abc import Mapping


class ConfigError(Exception):
    """The configuration cannot be used; the message is shown to the user as is."""


def string_list(raw: object, where: str, *, required: bool = False) -> tuple[str, ...]:
    if (not isinstance(raw, list) or not all(isinstance(item, str) for item in raw)
            or (required and not raw)):
        raise ConfigError(f"{where} = {raw!r}; allowed: a {'non-empty ' if required else ''}list of strings")
    return tuple(raw)


def string_table(raw: object, where: str) -> Mapping[str, str]:
    if not isinstance(raw, Mapping) or not all(isinstance(v, str) for v in raw.values()):
        raise ConfigError(f"{where} = {raw!r}; allowed: a table of NAME = \"value\" strings")
    return dict(raw)
