"""Settings every test of leakcheck runs under."""

from __future__ import annotations

import signal

# A shell starts a background job of a script (`cmd &` without job control) with SIGINT ignored, an ignored
# signal stays ignored across exec, and Python leaves it so: the leakcheck runs that the Ctrl-C tests start
# would never see their SIGINT. Ignoring it is right for leakcheck (as for any program started that way);
# the tests restore the default of a terminal, which their children inherit.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
