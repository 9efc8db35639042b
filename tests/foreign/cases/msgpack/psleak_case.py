import unittest

import msgpack
from psleak import MemoryLeakTestCase

DATA = bytes([0x91] * 16 + [0xC1])   # 16 nested one-element arrays, then the never-used byte 0xC1


class TestLeaks(MemoryLeakTestCase):
    def test_invalid_nested(self):
        self.execute_w_exc(msgpack.FormatError, msgpack.unpackb, DATA)


if __name__ == "__main__":
    unittest.main()
