#!/usr/bin/env bash
# Idempotent set-up from nothing on a Debian machine (run as root, or with sudo available):
# system packages, the Python virtual environment with the project, Node packages, then `zig build`.
# A second run checks stamps and skips what is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
stamps="$root/.setup-stamps"
mkdir -p "$stamps"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# Debian packages the build, the probes and the tests need.
# valgrind, libclang-rt-14-dev (the ASan/LSan runtime) and llvm-14 (llvm-symbolizer): leakcheck run --tool.
apt_packages=(libvips-dev libvips-tools pkg-config gdb chromium valgrind libclang-rt-14-dev llvm-14)
missing=()
for pkg in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Python: a virtual environment with leakcheck (the harness, with its test tools) and the pyjamaz binding
# (with cffi, and the pinned Zig that builds libpyjamaz: bindings/python/pyproject.toml).
python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    say "creating .venv"
    "$python" -m venv .venv
fi
pyproject_hash=$(cat pyproject.toml bindings/python/pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamps/pip" 2>/dev/null)" != "$pyproject_hash" ]; then
    say "installing the project into .venv"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e '.[dev]' -e 'bindings/python[cffi,dev]'
    echo "$pyproject_hash" > "$stamps/pip"
fi

# The preload counter (leakcheck.sdk.preload), built into its cache now rather than on the first run (a
# no-op when it is there); without a C compiler the probes run without it, each result saying so.
if ! preload_library=$(.venv/bin/python -m leakcheck.sdk.preload); then
    say "no preload counter: ${preload_library}"
fi

# Node packages of the binding (koffi), reproduced from the committed lock file.
if [ -f bindings/nodejs/package-lock.json ]; then
    lock_hash=$(sha256sum bindings/nodejs/package-lock.json | cut -d' ' -f1)
    if [ "$(cat "$stamps/npm" 2>/dev/null)" != "$lock_hash" ] || [ ! -d bindings/nodejs/node_modules ]; then
        say "installing Node packages (npm ci)"
        (cd bindings/nodejs && npm ci --no-audit --no-fund --loglevel=error)
        echo "$lock_hash" > "$stamps/npm"
    fi
fi

# Native build: libpyjamaz, probes, tests (Zig caches, so a second run is quick).
say "zig build"
scripts/zig build
say "ready"
