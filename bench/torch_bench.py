#!/usr/bin/env python3
"""One training epoch of the MLP, of conv-small and of conv in PyTorch on the CPU (2 threads).

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


def madry_conv(maps1, maps2, hidden):
    """conv 5x5 x maps1 + ReLU, maxpool 2, conv 5x5 x maps2 + ReLU, maxpool 2, dense hidden + ReLU, dense 10
    (Madry et al.'s network; "same" convolutions, padding 2)."""
    torch.manual_seed(SEED)
    model = nn.Sequential(
        nn.Unflatten(1, (1, 28, 28)),
        nn.Conv2d(1, maps1, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),       # maps1 x 28x28 -> maps1 x 14x14
        nn.Conv2d(maps1, maps2, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),   # maps2 x 14x14 -> maps2 x 7x7
        nn.Flatten(),
        nn.Linear(maps2 * 7 * 7, hidden), nn.ReLU(),
        nn.Linear(hidden, 10),
    )
    for m in model.modules():   # He-normal weights, zero biases, like the other implementations
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)
    return model


# work item -> (model builder, timed epochs by default)
WORKS = {
    "mlp-epoch": (mlp, numpy_mlp.REPEATS),
    "conv-small-epoch": (lambda: madry_conv(8, 16, 128), numpy_mlp.REPEATS),
    "conv-epoch": (lambda: madry_conv(32, 64, 1024), 2),   # Madry et al.'s conv: a minute or more an epoch
}


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
        "images": len(order),
        "version": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas": "MKL" if torch.backends.mkl.is_available() else "unknown",
    }), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default=None, help=f"IDX folder (default {idx.DEFAULT_DIR})")
    parser.add_argument("--work", choices=list(WORKS), action="append",
                        help="work item(s) to run (default: all)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="timed epochs, median reported (default: 5; 2 for conv-epoch)")
    parser.add_argument("--images", type=int, default=None,
                        help="train on the first N training images only (a quick run)")
    args = parser.parse_args()

    torch.set_num_threads(THREADS)
    xn, yn = idx.load_train(args.data_dir)
    if args.images:
        xn, yn = xn[:args.images], yn[:args.images]
    x, y = torch.from_numpy(xn), torch.from_numpy(yn)
    order = torch.from_numpy(np.random.default_rng(SEED).permutation(len(xn)))   # same order as NumPy

    assert x.dtype == torch.float32
    for work in args.work or list(WORKS):
        make_model, repeats = WORKS[work]
        bench(work, make_model, x, y, order, args.repeats or repeats)


if __name__ == "__main__":
    main()
