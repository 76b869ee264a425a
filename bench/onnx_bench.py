#!/usr/bin/env python3
"""ONNX: the import of a conv net with batch norm and its inference on the 10,000 Fashion-MNIST test
images, onnxruntime and PyTorch on the same network (the neuron-probe side is `ProbeBench onnx`).

    onnx_bench.py --export M.onnx   write the network (seeded PyTorch, eval mode, batch norms kept
                                    in the graph by TrainingMode.PRESERVE, a dynamic batch axis)
    onnx_bench.py --model M.onnx    time onnxruntime (session creation: its "import"; inference) and
                                    PyTorch (inference), 2 threads each, batches of 500

Prints one JSON line per timing: {"implementation": ..., "work": "onnx-import" | "onnx-inference", ...}.
"""
import argparse
import statistics
import time

import numpy as np
import onnxruntime as ort
import torch
from torch import nn

import idx
from peer_common import THREADS, emit

BATCH = 500
REPEATS = 5


def network():
    """conv 3x3x32 + BN + ReLU, maxpool 2, conv 3x3x64 + BN + ReLU, maxpool 2, dense 128 + ReLU, dense 10 (1x28x28 in)."""
    torch.manual_seed(1)
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))
    with torch.no_grad():  # batch statistics other than the defaults, so that folding them is real work
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.1, 0.1)
    return model.eval()


def timed(body, repeats=REPEATS):
    body()  # warm-up
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), runs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--export")
    parser.add_argument("--model")
    args = parser.parse_args()
    model = network()
    if args.export:
        torch.onnx.export(model, (torch.zeros(1, 1, 28, 28),), args.export, dynamo=False, training=torch.onnx.TrainingMode.PRESERVE,
                          do_constant_folding=False, input_names=["x"], output_names=["logits"], dynamic_axes={"x": {0: "batch"}})
        return
    torch.set_num_threads(THREADS)
    images = (idx.read_idx(f"{idx.DEFAULT_DIR}/t10k-images-idx3-ubyte.gz").astype(np.float32) / np.float32(255)).reshape(-1, 1, 28, 28)
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = THREADS
    seconds, runs = timed(lambda: ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"]))
    emit({"implementation": "onnxruntime", "work": "onnx-import", "seconds": seconds, "runs": runs, "version": ort.__version__})
    session = ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])
    logits = {}

    def run_ort():
        logits["onnxruntime"] = np.concatenate([session.run(None, {"x": images[i:i + BATCH]})[0] for i in range(0, len(images), BATCH)])

    def run_torch():
        with torch.inference_mode():
            x = torch.from_numpy(images)
            logits["pytorch"] = torch.cat([model(x[i:i + BATCH]) for i in range(0, len(x), BATCH)]).numpy()

    for name, body, version in (("onnxruntime", run_ort, ort.__version__), ("pytorch", run_torch, torch.__version__)):
        seconds, runs = timed(body)
        emit({"implementation": name, "work": "onnx-inference", "seconds": seconds, "runs": runs, "images_per_second": len(images) / seconds,
              "logits_sum": float(logits[name].astype(np.float64).sum()), "version": version})


if __name__ == "__main__":
    main()
