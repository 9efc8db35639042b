"""``python -m leakcheck.sdk.preload``: builds the preload counter (if it is not in the cache) and prints its path."""

import sys

from leakcheck.sdk.preload.build import main

sys.exit(main())
