#!/usr/bin/env python3
"""One training epoch of the MLP and of conv-small in PyTorch on the CPU (2 threads).

Prints one JSON line per work item: {"implementation": "pytorch", "work": ..., ...}.
Run it with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (bench/run does).
"""
import argparse
import json
import statistics
import time

import numpy as np
import torch
from torch import nn

import idx
import numpy_mlp

SEED = numpy_mlp.SEED
BATCH = numpy_mlp.BATCH
LR = float(numpy_mlp.LR)
MOMENTUM = float(numpy_mlp.MOMENTUM)
WARMUP_BATCHES = numpy_mlp.WARMUP_BATCHES
THREADS = 2


def mlp():
    """784-100-100-10 ReLU MLP with the same initial weights as numpy_mlp.py."""
    model = nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, 10))
    params = numpy_mlp.init_params(SEED)
    with torch.no_grad():
        for layer, w, b in zip([model[0], model[2], model[4]], params[0::2], params[1::2]):
            layer.weight.copy_(torch.from_numpy(w.T))   # NumPy keeps (in, out), torch (out, in)
            layer.bias.copy_(torch.from_numpy(b))
    return model


def conv_small():
    """conv 5x5x8 + ReLU, maxpool 2, conv 5x5x16 + ReLU, maxpool 2, dense 128 + ReLU, dense 10."""
    torch.manual_seed(SEED)
    model = nn.Sequential(
        nn.Unflatten(1, (1, 28, 28)),
        nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),   # 8x28x28 -> 8x14x14
        nn.Conv2d(8, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),  # 16x14x14 -> 16x7x7
        nn.Flatten(),
        nn.Linear(16 * 7 * 7, 128), nn.ReLU(),
        nn.Linear(128, 10),
    )
    for m in model.modules():   # He-normal weights, zero biases, like the other implementations
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)
    return model


def run_epoch(model, x, y, order, max_batches=None):
    """Train over the batches in `order`; returns the summed per-sample loss."""
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    loss_fn = nn.CrossEntropyLoss()   # mean over the batch
    loss_sum = 0.0
    for i, start in enumerate(range(0, len(order), BATCH)):
        if max_batches is not None and i >= max_batches:
            break
        batch = order[start:start + BATCH]
        xb, yb = x[batch], y[batch]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        loss_sum += loss.item() * len(batch)
    return loss_sum


def bench(work, make_model, x, y, order, repeats):
    run_epoch(make_model(), x, y, order, max_batches=WARMUP_BATCHES)   # warm-up, thrown away
    runs = []
    for _ in range(repeats):   # each timed epoch starts from the same fresh model
        model = make_model()
        start = time.perf_counter()
        loss_sum = run_epoch(model, x, y, order)
        runs.append(time.perf_counter() - start)
    print(json.dumps({
        "implementation": "pytorch",
        "work": work,
        "seconds": statistics.median(runs),
        "mean_loss": loss_sum / len(order),
        "runs": runs,
        "version": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas": "MKL" if torch.backends.mkl.is_available() else "unknown",
    }), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default=None, help=f"IDX folder (default {idx.DEFAULT_DIR})")
    parser.add_argument("--work", choices=["mlp-epoch", "conv-small-epoch"], action="append",
                        help="work item(s) to run (default: both)")
    parser.add_argument("--repeats", type=int, default=numpy_mlp.REPEATS, help="timed epochs (median reported)")
    args = parser.parse_args()

    torch.set_num_threads(THREADS)
    xn, yn = idx.load_train(args.data_dir)
    x, y = torch.from_numpy(xn), torch.from_numpy(yn)
    order = torch.from_numpy(np.random.default_rng(SEED).permutation(len(xn)))   # same order as NumPy

    assert x.dtype == torch.float32
    works = args.work or ["mlp-epoch", "conv-small-epoch"]
    if "mlp-epoch" in works:
        bench("mlp-epoch", mlp, x, y, order, args.repeats)
    if "conv-small-epoch" in works:
        bench("conv-small-epoch", conv_small, x, y, order, args.repeats)


if __name__ == "__main__":
    main()
