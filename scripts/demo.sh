#!/usr/bin/env bash
# Sets up a fresh machine, builds neuron-probe (release), and runs the main job on Fashion-MNIST:
# train Szegedy's fc100-100-10, evaluate it, record its activations over the test set, and test
# whether its hidden units are more coherent than random directions (Szegedy et al. 2014, §3).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product probe
probe=.build/release/probe
mkdir -p models
$probe data list
$probe train --arch fc100-100-10 --epochs 5 --seed 1 -o models/fc100-100-10.h5
$probe eval models/fc100-100-10.h5
$probe record models/fc100-100-10.h5 --split test --with-images -o models/fc100-100-10.acts.h5
$probe units models/fc100-100-10.acts.h5 --layer sigmoid1,sigmoid2 --rotations 10 --seed 1
