import unittest

import orjson
from psleak import MemoryLeakTestCase


class Unserializable:
    def __init__(self):
        self.blob = bytearray(1000)


def default(obj):
    raise TypeError("cannot serialize")


class TestLeaks(MemoryLeakTestCase):
    def test_default_raises(self):
        self.execute_w_exc(TypeError, lambda: orjson.dumps({"item": Unserializable()}, default=default))


if __name__ == "__main__":
    unittest.main()
