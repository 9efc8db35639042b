import unittest

import ujson
from psleak import MemoryLeakTestCase


class FailingFile:
    def write(self, s):
        raise OSError("disk full")


PAYLOAD = {"rows": ["x" * 100] * 10}


class Price:
    def __init__(self, amount):
        self.amount = amount

    def __str__(self):
        return f"{self.amount} €"


ITEM = {"price": Price(12)}


class TestLeaks(MemoryLeakTestCase):
    def test_dump_failing_write(self):
        self.execute_w_exc(OSError, ujson.dump, PAYLOAD, FailingFile())

    def test_default_non_ascii(self):
        self.execute(lambda: ujson.dumps(ITEM, default=str))


if __name__ == "__main__":
    unittest.main()
