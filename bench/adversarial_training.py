#!/usr/bin/env python3
"""Goodfellow et al. (2015) §6 on Fashion-MNIST: `probe train --adversarial fgsm:0.1 --alpha 0.5` against
the same training without it, on fc100-100-10 (sigmoid), for each seed: clean test error (`probe eval`)
and the error under FGSM at eps = 0.1 (`probe attack fgsm`, each model attacked through its own
gradients). Both models see the same data, order, optimiser (Adam, step 0.002, batch 128) and number
of epochs.

    adversarial_training.py [--probe .build/release/probe] [--epochs 80] [--seeds 1,2]

Prints JSON lines {"work": "adversarial-training", ...}; progress on stderr.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import peer_common as pc


def run_json(cmd):
    out = subprocess.run([str(c) for c in cmd], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--probe", default=pc.PROBE)
    parser.add_argument("--epochs", type=int, default=80)
    parser.add_argument("--seeds", default="1,2")
    parser.add_argument("--epsilon", type=float, default=0.1)
    args = parser.parse_args()
    for seed in [int(s) for s in args.seeds.split(",")]:
        for adversarial in (False, True):
            name = f"advtrain-{'adversarial' if adversarial else 'standard'}-seed{seed}"
            model = os.path.join(pc.OUT, name + ".h5")
            cmd = [args.probe, "train", "--arch", "fc100-100-10", "--epochs", args.epochs, "--seed", seed,
                   "-o", model, "--json", "--quiet"]
            if adversarial:
                cmd += ["--adversarial", f"fgsm:{args.epsilon}", "--alpha", "0.5"]
            pc.log(f"== {' '.join(str(c) for c in cmd[1:])}")
            start = time.perf_counter()
            run_json(cmd)
            train_seconds = time.perf_counter() - start
            clean = run_json([args.probe, "eval", model, "--json", "--quiet"])
            attack = run_json([args.probe, "attack", "fgsm", model, "--epsilon", args.epsilon, "--seed", seed,
                               "-o", os.path.join(pc.OUT, name + "-fgsm.h5"), "--json", "--quiet"])
            pc.emit(dict(work="adversarial-training", implementation="neuron-probe", seed=seed, epochs=args.epochs,
                         adversarial=f"fgsm:{args.epsilon}, alpha 0.5" if adversarial else "none",
                         clean_error=clean["error"], fgsm_epsilon=args.epsilon,
                         fgsm_error=attack["runs"][0]["error_rate"], train_seconds=train_seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
