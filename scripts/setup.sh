#!/usr/bin/env bash
# Installs what neuron-probe needs on a Debian or Ubuntu machine (idempotent): the C libraries it
# links, Fashion-MNIST, R with hdf5r, headless Chromium and its driver (the report is opened in a real
# browser), and the Python packages of the interop tests (xarray, h5netcdf and netCDF4 among them: the
# files are read as other tools read them; jupytext and nbclient run notebooks-md/; selenium drives
# Chromium; PyTorch CPU, onnx, onnxruntime and onnxscript export and run the ONNX models the import is
# checked against; slurm-wlm and munge run the one-node cluster the job scripts of docs/cluster.md are
# tested on). Swift 6 must already be on PATH.
set -euo pipefail

packages=(libhdf5-dev libopenblas-dev liblbfgsb-dev zlib1g-dev libdeflate-dev libpng-dev libturbojpeg0-dev libarchive-dev pkg-config dataset-fashion-mnist python3 python3-pip r-cran-hdf5r chromium chromium-driver slurm-wlm munge)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi

python_missing=()
# module:package pairs, where the import name differs from the name on PyPI
for entry in numpy scipy h5py pytest xarray h5netcdf netCDF4 pandas matplotlib jupytext nbclient nbformat ipykernel selenium PIL:pillow torch onnx onnxruntime onnxscript; do
  module=${entry%%:*} package=${entry#*:}
  python3 -c "import $module" 2>/dev/null || python_missing+=("$package")
done
if [ ${#python_missing[@]} -gt 0 ]; then
  echo "setup: pip installing ${python_missing[*]}" >&2
  python3 -m pip install -q "${python_missing[@]}" || python3 -m pip install -q --break-system-packages "${python_missing[@]}"
fi

if ! command -v swift >/dev/null; then
  echo "setup: swift is not on PATH; install Swift 6 (https://www.swift.org/install/linux/) and run again" >&2
  exit 1
fi
