"""The directory the harness puts on a Python probe's PYTHONPATH: it holds only the `leakcheck_probe` package."""
