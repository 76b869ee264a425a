#!/usr/bin/env python3
"""The Python pipeline a user would write to record a model's activations into HDF5.

Runs a model file (docs/model-file.md; dense + sigmoid/relu/tanh layers) over all 70,000
Fashion-MNIST images (training, then test) and writes the layout of docs/activation-file.md with
h5py: /layers/<name> (N, units) float32 chunked (8192, min(units, 16)), /logits likewise,
/labels uint8 and /indices int64 chunked (8192,), every dataset resizable (maxshape None),
appended batch by batch (1024 images), optional gzip as a chunk filter, and a chunk cache big
enough for one band of the widest layer (h5py.File(..., rdcc_nbytes=...)).

    record_python.py MODEL -o OUT.h5 [--impl torch|numpy] [--compression none|gzip:4]
                     [--chunk-rows 8192] [--chunk-units 16] [--limit N]

--impl torch: nn.Linear / nn.Sigmoid built from the model file's weights, outputs taken with
forward hooks, torch.set_num_threads(2). --impl numpy: the same forward pass in float32 NumPy.
--chunk-rows 1024 --chunk-units 0 writes row-major (1024, units) chunks instead (a reference
layout for the read benchmark).

Prints one JSON line: seconds (the recording: file creation to the renamed, closed file, with
every forward pass, conversion, write and compression; not the imports, the data loading or the
model building), bytes, and the split of the time into forward and HDF5 writing.
"""
import argparse
import collections
import datetime
import hashlib
import json
import os
import sys
import time

import h5py
import numpy as np

import idx

BATCH = 1024
WARMUP_BATCHES = 8
THREADS = 2


def load_all(data_dir=None):
    """uint8 images (70000, 28, 28) and labels (70000,): the training split, then the test split."""
    data_dir = data_dir or idx.DEFAULT_DIR
    parts = [(idx.read_idx(os.path.join(data_dir, f"{s}-images-idx3-ubyte.gz")),
              idx.read_idx(os.path.join(data_dir, f"{s}-labels-idx1-ubyte.gz"))) for s in ("train", "t10k")]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def read_model(path):
    """[(name, kind, weight or None, bias or None)] in network order, and the root attributes."""
    layers = []
    with h5py.File(path, "r") as f:
        attrs = dict(f.attrs)
        for name in f.attrs["layer_names"]:
            g = f["layers"][name]
            kind = g.attrs["kind"]
            if kind not in ("dense", "sigmoid", "relu", "tanh"):
                raise SystemExit(f"{path}: layer {name} of kind {kind} is not supported by this benchmark")
            w = g["weight"][()] if kind == "dense" else None
            b = g["bias"][()] if kind == "dense" else None
            layers.append((name, kind, w, b))
    return layers, attrs


class TorchRunner:
    """nn.Sequential from the model file, every layer's output captured by a forward hook."""

    def __init__(self, layers):
        import torch
        from torch import nn
        torch.set_num_threads(THREADS)
        self.torch = torch
        modules = collections.OrderedDict()
        for name, kind, w, b in layers:
            if kind == "dense":
                m = nn.Linear(w.shape[1], w.shape[0])
                with torch.no_grad():
                    m.weight.copy_(torch.from_numpy(w))
                    m.bias.copy_(torch.from_numpy(b))
            else:
                m = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU, "tanh": nn.Tanh}[kind]()
            modules[name] = m
        self.model = nn.Sequential(modules).eval()
        self.captured = {}
        for name, module in self.model.named_children():
            module.register_forward_hook(self._hook(name))
        self.version = torch.__version__

    def _hook(self, name):
        def hook(module, inputs, output):
            self.captured[name] = output
        return hook

    def prepare(self, pixels):
        return self.torch.from_numpy(pixels.reshape(len(pixels), -1).astype(np.float32) / np.float32(255))

    def forward(self, x, start, stop):
        with self.torch.inference_mode():
            logits = self.model(x[start:stop])
        return {k: v.numpy() for k, v in self.captured.items()}, logits.numpy()


class NumpyRunner:
    """The same network in float32 NumPy."""

    def __init__(self, layers):
        self.layers = [(name, kind, None if w is None else np.ascontiguousarray(w.T), b) for name, kind, w, b in layers]
        self.version = np.__version__

    def prepare(self, pixels):
        return pixels.reshape(len(pixels), -1).astype(np.float32) / np.float32(255)

    def forward(self, x, start, stop):
        h, out = x[start:stop], {}
        for name, kind, wt, b in self.layers:
            if kind == "dense":
                h = h @ wt + b
            elif kind == "sigmoid":
                h = np.float32(1) / (np.float32(1) + np.exp(-h))
            elif kind == "relu":
                h = np.maximum(h, np.float32(0))
            else:
                h = np.tanh(h)
            out[name] = h
        return out, h


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--impl", choices=["torch", "numpy"], default="torch")
    parser.add_argument("--compression", default="none")
    parser.add_argument("--chunk-rows", type=int, default=8192)
    parser.add_argument("--chunk-units", type=int, default=16, help="0: all units in one chunk (row-major)")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--data-dir")
    args = parser.parse_args()

    if args.compression == "none":
        filter_args = {}
    elif args.compression.startswith("gzip:"):
        filter_args = {"compression": "gzip", "compression_opts": int(args.compression[5:])}
    else:
        raise SystemExit(f"unknown compression {args.compression}")

    # --- not timed: data loading and model building ---
    load_start = time.perf_counter()
    pixels, labels = load_all(args.data_dir)
    if args.limit:
        pixels, labels = pixels[:args.limit], labels[:args.limit]
    layers, model_attrs = read_model(args.model)
    runner = TorchRunner(layers) if args.impl == "torch" else NumpyRunner(layers)
    x = runner.prepare(pixels)
    for lo in range(0, min(WARMUP_BATCHES * BATCH, len(x)), BATCH):  # warm-up: thread pools, allocator
        runner.forward(x, lo, min(lo + BATCH, len(x)))
    load_seconds = time.perf_counter() - load_start
    n = len(labels)
    names = [name for name, _, _, _ in layers]
    units = {name: (w.shape[0] if w is not None else None) for name, _, w, _ in layers}
    for i, name in enumerate(names):  # an activation layer has the width of the layer before it
        units[name] = units[name] or units[names[i - 1]]
    classes = units[names[-1]]

    def chunk(width):
        return (args.chunk_rows, width if args.chunk_units == 0 else min(width, args.chunk_units))

    # The chunk cache holds one band of the widest layer (all chunks `chunk_rows` rows touch), so each
    # chunk is written (and compressed) once, when the next band evicts it.
    widest = max(units.values())
    band = args.chunk_rows * widest * 4
    cache_bytes = max(band + band // 4, 1 << 20)

    # --- timed: the recording ---
    start = time.perf_counter()
    forward_seconds = 0.0
    final = os.path.abspath(args.output)
    partial = os.path.join(os.path.dirname(final), "." + os.path.basename(final) + ".partial")
    with h5py.File(partial, "w", rdcc_nbytes=cache_bytes, rdcc_nslots=10007) as f:
        f.attrs["format"] = "neuron-probe/activations"
        f.attrs["format_version"] = np.int64(1)
        f.attrs["tool_version"] = f"record_python.py ({args.impl} {runner.version}, h5py {h5py.__version__})"
        f.attrs["model_file"] = args.model
        with open(args.model, "rb") as m:
            f.attrs["model_sha256"] = hashlib.sha256(m.read()).hexdigest()
        f.attrs["model_architecture"] = model_attrs["architecture"]
        f.attrs["dataset"] = "fashion-mnist"
        f.attrs["split"] = "all"
        f.attrs.create("class_names", list(model_attrs["class_names"]), dtype=h5py.string_dtype())
        f.attrs.create("layer_names", names, dtype=h5py.string_dtype())
        f.attrs["rows"] = f.attrs["total_rows"] = np.int64(n)
        f.attrs["first_row"] = np.int64(0)
        f.attrs["shard"] = "1/1"
        f.attrs["compression"] = args.compression
        f.attrs["batch_size"] = np.int64(BATCH)

        def growing(name, dtype, width, dim_labels):
            shape = (0,) if width is None else (0, width)
            chunks = (args.chunk_rows,) if width is None else chunk(width)
            ds = f.create_dataset(name, shape=shape, maxshape=(None,) + shape[1:], dtype=dtype, chunks=chunks,
                                  **filter_args)
            for axis, label in enumerate(dim_labels):
                ds.dims[axis].label = label
            return ds

        targets = {"labels": growing("labels", np.uint8, None, ["sample"]),
                   "indices": growing("indices", np.int64, None, ["sample"]),
                   "logits": growing("logits", np.float32, classes, ["sample", "class"])}
        for position, (name, kind, _, _) in enumerate(layers):
            ds = growing(f"layers/{name}", np.float32, units[name], ["sample", "unit"])
            ds.attrs["kind"] = kind
            ds.attrs["nonlinearity"] = "none" if kind == "dense" else kind
            ds.attrs["position"] = np.int64(position)
            targets[name] = ds

        for lo in range(0, n, BATCH):
            hi = min(lo + BATCH, n)
            t = time.perf_counter()
            outputs, logits = runner.forward(x, lo, hi)
            forward_seconds += time.perf_counter() - t
            batch = dict(outputs, logits=logits, labels=labels[lo:hi], indices=np.arange(lo, hi, dtype=np.int64))
            for name, values in batch.items():
                ds = targets[name]
                ds.resize(hi, axis=0)
                ds[lo:hi] = values
        f.attrs["rows_complete"] = np.int64(n)
        f.attrs["created"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    os.replace(partial, final)
    seconds = time.perf_counter() - start

    size = os.path.getsize(final)
    print(json.dumps({"implementation": args.impl, "version": runner.version, "h5py": h5py.__version__,
                      "hdf5": h5py.version.hdf5_version, "rows": n, "seconds": seconds,
                      "forward_seconds": forward_seconds, "write_seconds": seconds - forward_seconds,
                      "load_seconds": load_seconds, "bytes": size, "megabytes_per_second": size / 1e6 / seconds,
                      "cache_bytes": cache_bytes, "compression": args.compression}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
