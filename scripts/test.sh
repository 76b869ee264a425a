#!/usr/bin/env bash
# Sets up a fresh machine and runs every test: the Swift suites (gradient checks, HDF5, data sets,
# CLI) and the Python interop tests that read model files with h5py and NumPy.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build --build-tests
swift test --skip-build
PROBE_BIN="$PWD/.build/debug/probe" python3 -m pytest Tests/Interop -q
