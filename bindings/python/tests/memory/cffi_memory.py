"""python.cffi_memory: optimize() and optimize_file() through the cffi backend; every exact counter
returns to its baseline and Python-side memory stays flat."""

from backend_workload import run_backend_probe

if __name__ == "__main__":
    run_backend_probe("cffi")
