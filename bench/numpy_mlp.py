#!/usr/bin/env python3
"""One training epoch of the 784-100-100-10 ReLU MLP in NumPy, hand-written backprop, float32.

Prints one JSON line: {"implementation": "numpy", "work": "mlp-epoch", ...}.
Run it with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (bench/run does).
"""
import argparse
import json
import statistics
import time

import numpy as np

import idx

SEED = 0
BATCH = 128
LR = np.float32(0.05)
MOMENTUM = np.float32(0.9)
WARMUP_BATCHES = 5
REPEATS = 5   # timed epochs, each from the same fresh start; "seconds" is their median
SIZES = [784, 100, 100, 10]


def init_params(seed):
    """He-normal weights (std sqrt(2/fan_in)), zero biases, as [W1, b1, W2, b2, W3, b3]."""
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        w = rng.standard_normal((fan_in, fan_out), dtype=np.float32) * np.float32(np.sqrt(2.0 / fan_in))
        params += [w, np.zeros(fan_out, dtype=np.float32)]
    return params


def train_step(params, velocity, x, y):
    """Forward, backward and SGD-momentum update on one batch; returns the summed loss."""
    w1, b1, w2, b2, w3, b3 = params
    n = x.shape[0]
    # forward
    a1 = x @ w1
    a1 += b1
    np.maximum(a1, 0, out=a1)
    a2 = a1 @ w2
    a2 += b2
    np.maximum(a2, 0, out=a2)
    z = a2 @ w3
    z += b3
    # softmax cross-entropy
    z -= z.max(axis=1, keepdims=True)
    lse = np.log(np.exp(z).sum(axis=1, keepdims=True))
    rows = np.arange(n)
    loss_sum = float((lse[:, 0] - z[rows, y]).sum())
    dz = np.exp(z - lse)            # softmax probabilities
    dz[rows, y] -= 1
    dz *= np.float32(1.0 / n)       # mean over the batch
    # backward
    grads = [None] * 6
    grads[4] = a2.T @ dz
    grads[5] = dz.sum(axis=0)
    d2 = dz @ w3.T
    d2 *= a2 > 0
    grads[2] = a1.T @ d2
    grads[3] = d2.sum(axis=0)
    d1 = d2 @ w2.T
    d1 *= a1 > 0
    grads[0] = x.T @ d1
    grads[1] = d1.sum(axis=0)
    # SGD with momentum (PyTorch form: v = mu*v + g; p -= lr*v)
    for p, v, g in zip(params, velocity, grads):
        v *= MOMENTUM
        v += g
        p -= LR * v
    return loss_sum


def run_epoch(params, velocity, x, y, order, max_batches=None):
    loss_sum = 0.0
    for i, start in enumerate(range(0, len(order), BATCH)):
        if max_batches is not None and i >= max_batches:
            break
        batch = order[start:start + BATCH]
        loss_sum += train_step(params, velocity, x[batch], y[batch])
    return loss_sum


def blas_info():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    for lib in threadpool_info():
        if lib.get("user_api") == "blas":
            return {k: lib.get(k) for k in ("internal_api", "version", "architecture", "num_threads", "filepath")}
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default=None, help=f"IDX folder (default {idx.DEFAULT_DIR})")
    parser.add_argument("--repeats", type=int, default=REPEATS, help="timed epochs (median reported)")
    args = parser.parse_args()

    x, y = idx.load_train(args.data_dir)
    order = np.random.default_rng(SEED).permutation(len(x))

    # warm-up on a throw-away model, then train a fresh one
    params = init_params(SEED)
    run_epoch(params, [np.zeros_like(p) for p in params], x, y, order, max_batches=WARMUP_BATCHES)

    runs = []
    for _ in range(args.repeats):
        params = init_params(SEED)
        velocity = [np.zeros_like(p) for p in params]
        start = time.perf_counter()
        loss_sum = run_epoch(params, velocity, x, y, order)
        runs.append(time.perf_counter() - start)
        assert all(p.dtype == np.float32 for p in params + velocity), "float64 crept in"

    print(json.dumps({
        "implementation": "numpy",
        "work": "mlp-epoch",
        "seconds": statistics.median(runs),
        "mean_loss": loss_sum / len(x),
        "runs": runs,
        "version": np.__version__,
        "blas": blas_info(),
    }), flush=True)


if __name__ == "__main__":
    main()
