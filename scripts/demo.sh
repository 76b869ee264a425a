#!/usr/bin/env bash
# Sets up a fresh machine, builds neuron-probe (release), and runs the main job on Fashion-MNIST:
# `probe demo` trains four models of Szegedy et al.'s Table 1, records fc100-100-10's activations and
# tests its units against random directions (Szegedy §3), attacks with FGSM (Goodfellow et al.) and
# box-constrained L-BFGS beside Gaussian noise of the same size (Szegedy §4), measures transfer and
# Lipschitz bounds, and writes runs/demo/report.html (one self-contained page) and report.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product probe
probe=.build/release/probe
$probe data list
# --resume keeps what an earlier demo in runs/demo finished (its models are always reused).
$probe demo -o runs/demo --resume
