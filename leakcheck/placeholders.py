"""`{name}` placeholders in a configuration's commands, paths and environment values.

Built in: `{root}` (the configuration's directory), `{python}` (the probe's Python interpreter: the probe's
`python`, else the configuration's, else the interpreter running leakcheck) and `{node}` (likewise, default
`node` on PATH); a configuration adds its own under `[vars]`. Only `{identifier}` is a placeholder, so code in
a command (`node -e "if (x) { y }"`) passes through, and `{{` / `}}` stand for literal braces; an unknown
identifier is an error, never left as is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_TOKEN = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")
BUILT_IN = ("root", "python", "node")


class UnknownPlaceholder(Exception):
    def __init__(self, name: str, text: str, known: Mapping[str, str]) -> None:
        super().__init__(f"unknown placeholder {{{name}}} in {text!r}; known: "
                         + ", ".join("{" + k + "}" for k in sorted(known)))
        self.name = name


def expand(text: str, values: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return match.group(0)[0]
        if name not in values:
            raise UnknownPlaceholder(name, text, values)
        return values[name]

    return _TOKEN.sub(replace, text)


def literal(text: str) -> str:
    """`text` as a template that expands to itself (for commands built by code, not written by a user)."""
    return text.replace("{", "{{").replace("}", "}}")

