import regex
from leakcheck_probe import ProbeContext, run_probe

TEXT = "the quick brown fox jumps over the lazy dog " * 4


def body(ctx: ProbeContext, i: int) -> None:
    regex.search(rf"\b(?:fox|w{i})\w*\s+(\w+)", TEXT)   # a new pattern each call: compiled and cached


run_probe("python.regex_pattern_cache", body)
