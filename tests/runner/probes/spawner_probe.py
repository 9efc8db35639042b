"""A probe that starts a grandchild which would outlive it, then hangs (for the Ctrl-C test)."""

import subprocess
import sys
import time
from pathlib import Path

child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
Path(sys.argv[1]).write_text(f"{child.pid}\n")
time.sleep(3600)
