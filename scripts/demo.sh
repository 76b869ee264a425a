#!/usr/bin/env bash
# Sets up a fresh machine, builds neuron-probe (release), and runs the main job: train Szegedy's
# fc100-100-10 on Fashion-MNIST and evaluate it on the test set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product probe
probe=.build/release/probe
mkdir -p models
$probe data list
$probe train --arch fc100-100-10 --epochs 5 --seed 1 -o models/fc100-100-10.h5
$probe eval models/fc100-100-10.h5
