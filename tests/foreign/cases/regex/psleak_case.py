import itertools
import unittest

import regex
from psleak import MemoryLeakTestCase

TEXT = "the quick brown fox jumps over the lazy dog " * 4
counter = itertools.count()


def search_new_pattern():
    regex.search(rf"\b(?:fox|w{next(counter)})\w*\s+(\w+)", TEXT)   # compiled and cached


class TestLeaks(MemoryLeakTestCase):
    def test_pattern_cache(self):
        self.execute(search_new_pattern)


if __name__ == "__main__":
    unittest.main()
