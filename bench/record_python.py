#!/usr/bin/env python3
"""The Python pipeline a user would write to record a model's activations into HDF5.

Runs a model file (docs/model-file.md) over the Fashion-MNIST images (--split all: the 70,000
training then test images; --split test: the 10,000 test images) and writes the layout of
docs/activation-file.md with h5py: /layers/<name> for every layer but flatten and dropout (the
tool's default layers), /logits, /labels uint8 and /indices int64, every dataset resizable
(maxshape None), appended batch by batch (1024 images), optional gzip as a chunk filter, and a
chunk cache big enough for one band of the largest dataset (h5py.File(..., rdcc_nbytes=...)).
Chunks as the tool's: (N,) -> (8192,); (N, units) -> (8192, min(units, 16)); (N, C, H, W) ->
(R, 1, H, W), R the largest power of two (at least 16) with R·H·W·4 <= 512 KiB; a recording of
fewer than 8192 rows caps the rows of a chunk at the next power of two (at least 16).

    record_python.py MODEL -o OUT.h5 [--impl torch|numpy] [--split all|test] [--compression none|gzip:4]
                     [--chunk-rows 8192] [--chunk-units 16] [--limit N]

--impl torch: the model file's layers as PyTorch modules (nn.Linear, nn.Conv2d, nn.MaxPool2d,
nn.Sigmoid, ...; peer_common.torch_model), outputs taken with forward hooks on every recorded layer,
torch.set_num_threads(2). --impl numpy: the same forward pass in float32 NumPy (dense networks only).
--chunk-rows 1024 --chunk-units 0 writes row-major (1024, units) chunks instead (a reference
layout for the read benchmark).

Prints one JSON line: seconds (the recording: file creation to the renamed, closed file, with
every forward pass, conversion, write and compression; not the imports, the data loading or the
model building), bytes, and the split of the time into forward and HDF5 writing.
"""
import argparse
import datetime
import hashlib
import json
import os
import sys
import time

import h5py
import numpy as np

import idx
import peer_common

BATCH = 1024
WARMUP_BATCHES = 8
THREADS = 2


SPLIT_FILES = {"all": ("train", "t10k"), "test": ("t10k",)}
NOT_RECORDED = ("flatten", "dropout")   # layers that only copy their input at inference (the tool skips them too)
ACTIVATIONS = ("relu", "sigmoid", "tanh")


def load_images(split, data_dir=None):
    """uint8 images (N, 28, 28) and labels (N,) of a split: "all" (training, then test) or "test"."""
    data_dir = data_dir or idx.DEFAULT_DIR
    parts = [(idx.read_idx(os.path.join(data_dir, f"{s}-images-idx3-ubyte.gz")),
              idx.read_idx(os.path.join(data_dir, f"{s}-labels-idx1-ubyte.gz"))) for s in SPLIT_FILES[split]]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def chunk_shape(row_shape, rows, chunk_rows, chunk_units):
    """The tool's chunk shape (ActivationLayout.chunk) for a dataset of per-row shape `row_shape` in a
    recording of `rows` rows; chunk_units 0: all units in one chunk (the row-major reference)."""
    cap = 16
    while cap < min(rows, chunk_rows):
        cap *= 2
    if len(row_shape) == 0:
        return (cap,)
    if len(row_shape) == 1:
        return (cap, row_shape[0] if chunk_units == 0 else min(row_shape[0], chunk_units))
    plane = row_shape[-2] * row_shape[-1] * 4        # one (H, W) float32 map per chunk row
    r = 16
    while r * 2 * plane <= 512 * 1024 and r * 2 <= cap:
        r *= 2
    return (r, 1) + tuple(row_shape[1:])


def axis_labels(rank):
    return {1: ["sample"], 2: ["sample", "unit"], 4: ["sample", "channel", "height", "width"]}[rank]


NETCDF_DIMENSION = "This is a netCDF dimension but not a netCDF variable."


def attach_dimension_scales(f):
    """The tool's dimension scales (docs/activation-file.md): for every labelled axis, an empty float32
    scale in the root group, netCDF-4's dimension without values, named after the label for root
    datasets and every sample axis, else <layer>_<label>; the sample scale unlimited and empty."""
    axes = []
    f.visititems(lambda name, item: axes.extend(
        (name, axis, dim.label, item.shape[axis]) for axis, dim in enumerate(item.dims))
        if isinstance(item, h5py.Dataset) else None)
    scales = {}
    for name, axis, label, length in axes:
        scale_name = label if "/" not in name or label == "sample" else f"{name.split('/')[-1]}_{label}"
        if scale_name not in scales:
            if label == "sample":
                scale = f.create_dataset(scale_name, shape=(0,), maxshape=(None,), chunks=(1,), dtype=np.float32)
                length = 0
            else:
                scale = f.create_dataset(scale_name, shape=(length,), dtype=np.float32)
            h5py.h5ds.set_scale(scale.id, (NETCDF_DIMENSION + "%10d" % length).encode())
            scales[scale_name] = scale
        f[name].dims[axis].attach_scale(scales[scale_name])


def nonlinearity(kind):
    return kind if kind in ACTIVATIONS + ("maxout",) else "max" if kind == "maxpool2d" else "none"


class TorchRunner:
    """peer_common.torch_model, the outputs of the recorded layers captured by forward hooks."""

    def __init__(self, layers, input_shape, recorded):
        import torch
        torch.set_num_threads(THREADS)
        self.torch = torch
        self.model = peer_common.torch_model(layers, input_shape)
        self.captured = {}
        for name, module in self.model.named_children():
            if name in recorded:
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
    """The same network in float32 NumPy (dense layers and elementwise activations only)."""

    def __init__(self, layers, input_shape, recorded):
        unsupported = [kind for _, kind, _, _, _ in layers if kind != "dense" and kind not in ACTIVATIONS]
        if unsupported:
            raise SystemExit(f"--impl numpy handles dense networks only (this model has {', '.join(unsupported)})")
        self.layers = [(name, kind, None if w is None else np.ascontiguousarray(w.T), b) for name, kind, _, w, b in layers]
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
    parser.add_argument("--split", choices=list(SPLIT_FILES), default="all")
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
    pixels, labels = load_images(args.split, args.data_dir)
    if args.limit:
        pixels, labels = pixels[:args.limit], labels[:args.limit]
    layers, model_attrs = peer_common.model_layers(args.model)
    recorded = [(name, kind, a) for name, kind, a, _, _ in layers if kind not in NOT_RECORDED]
    names = [name for name, _, _ in recorded]
    runner = (TorchRunner if args.impl == "torch" else NumpyRunner)(layers, model_attrs["input_shape"], names)
    x = runner.prepare(pixels)
    for lo in range(0, min(WARMUP_BATCHES * BATCH, len(x)), BATCH):  # warm-up: thread pools, allocator
        outputs, logits = runner.forward(x, lo, min(lo + BATCH, len(x)))
    load_seconds = time.perf_counter() - load_start
    n = len(labels)
    row_shapes = {name: outputs[name].shape[1:] for name in names}   # from the warm-up's outputs
    row_shapes["logits"] = logits.shape[1:]

    def chunk(row_shape):
        return chunk_shape(row_shape, n, args.chunk_rows, args.chunk_units)

    # The chunk cache holds one band of the largest dataset (all chunks `chunk[0]` rows touch), so each
    # chunk is written (and compressed) once, when the next band evicts it.
    band = max(chunk(shape)[0] * int(np.prod(shape)) * 4 for shape in row_shapes.values())
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
        f.attrs["split"] = args.split
        f.attrs.create("class_names", list(model_attrs["class_names"]), dtype=h5py.string_dtype())
        f.attrs.create("layer_names", names, dtype=h5py.string_dtype())
        f.attrs["rows"] = f.attrs["total_rows"] = np.int64(n)
        f.attrs["first_row"] = np.int64(0)
        f.attrs["shard"] = "1/1"
        f.attrs["compression"] = args.compression
        f.attrs["batch_size"] = np.int64(BATCH)

        def growing(name, dtype, row_shape, dim_labels=None):
            ds = f.create_dataset(name, shape=(0,) + row_shape, maxshape=(None,) + row_shape, dtype=dtype,
                                  chunks=chunk(row_shape), **filter_args)
            for axis, label in enumerate(dim_labels or axis_labels(1 + len(row_shape))):
                ds.dims[axis].label = label
            return ds

        targets = {"labels": growing("labels", np.uint8, ()),
                   "indices": growing("indices", np.int64, ()),
                   "logits": growing("logits", np.float32, row_shapes["logits"], ["sample", "class"])}
        for name, kind, a in recorded:
            ds = growing(f"layers/{name}", np.float32, row_shapes[name])
            ds.attrs["kind"] = kind
            ds.attrs["nonlinearity"] = nonlinearity(kind)
            ds.attrs["position"] = np.int64(a["index"])
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
        attach_dimension_scales(f)
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
