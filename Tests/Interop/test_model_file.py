"""Model files (`format = "neuron-probe/model"`, version 1) read back without the tool.

An independent NumPy float64 forward pass, driven only by what the file holds (root
`input_shape` and `layer_names`, each layer's `kind`, configuration attributes and weights),
must reproduce `probe eval`'s predictions and accuracy on the fixture's 256 test images, which
the test reads from the IDX files itself. The layout is the one docs/model-file.md describes; its
NumPy example is the code between the two REFERENCE markers below, character for character.
"""

import hashlib
import json
import math
import re
from pathlib import Path

from conftest import describe, run

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE_DIR = REPO_ROOT / "data" / "fixtures" / "fashion-mnist-tiny"

# --- REFERENCE FORWARD PASS: begin ---
import gzip

import h5py
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def read_idx(path):
    """An IDX file of unsigned bytes (gzip'd or not) as a uint8 array of its dimensions."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    assert data[:3] == b"\x00\x00\x08", "not an IDX file of unsigned bytes"
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * rank).reshape(dims)


def conv2d(x, weight, bias, stride, padding):
    """Cross-correlation as in PyTorch: x (N, C, H, W), weight (O, C, k, k) -> (N, O, H', W')."""
    k = weight.shape[2]
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    windows = sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::stride, ::stride]  # (N, C, H', W', k, k)
    y = np.tensordot(windows, weight, axes=([1, 4, 5], [1, 2, 3]))  # (N, H', W', O)
    return y.transpose(0, 3, 1, 2) + bias[:, None, None]


def maxpool2d(x, size, stride):
    """The maximum of each size x size window, windows `stride` apart (no padding)."""
    windows = sliding_window_view(x, (size, size), axis=(2, 3))[:, :, ::stride, ::stride]
    return windows.max(axis=(4, 5))


def avgpool2d(x, size, stride):
    """The mean of each size x size window, windows `stride` apart (no padding)."""
    windows = sliding_window_view(x, (size, size), axis=(2, 3))[:, :, ::stride, ::stride]
    return windows.mean(axis=(4, 5))


def forward(path, pixels):
    """The logits (float64, shape (N, classes)) of the model file at `path` for uint8 images (N, 28, 28)."""
    with h5py.File(path, "r") as f:
        assert f.attrs["format"] == "neuron-probe/model" and f.attrs["format_version"] == 1
        x = pixels.astype(np.float64) / 255.0
        x = x.reshape((len(x), *f.attrs["input_shape"]))  # (N, 1, 28, 28)
        for name in f.attrs["layer_names"]:
            layer = f["layers"][name]
            kind, a = layer.attrs["kind"], layer.attrs
            if kind in ("dense", "conv2d"):
                weight = layer["weight"][()].astype(np.float64)
                bias = layer["bias"][()].astype(np.float64)
            if kind == "dense":  # y = x W^T + b, W (outputs, inputs); any input is read row-major as (N, inputs)
                x = x.reshape(len(x), -1) @ weight.T + bias
            elif kind == "conv2d":
                x = conv2d(x, weight, bias, int(a["stride"]), int(a["padding"]))
            elif kind == "maxpool2d":
                x = maxpool2d(x, int(a["size"]), int(a["stride"]))
            elif kind == "maxout":  # the maximum of each group of `pieces` consecutive features
                x = x.reshape(len(x), -1, int(a["pieces"])).max(axis=2)
            elif kind == "dropout":  # the identity at inference
                pass
            elif kind == "relu":
                x = np.maximum(x, 0.0)
            elif kind == "sigmoid":
                x = 0.5 * (1.0 + np.tanh(0.5 * x))  # = 1 / (1 + exp(-x)), without overflow
            elif kind == "tanh":
                x = np.tanh(x)
            elif kind == "flatten":
                x = x.reshape(len(x), -1)
            elif kind == "avgpool2d":  # the mean of each size x size window
                x = avgpool2d(x, int(a["size"]), int(a["stride"]))
            elif kind == "normalize":  # (x - mean[c]) / std[c], channel c on axis 1
                shape = (1, -1) + (1,) * (x.ndim - 2)
                x = (x - layer["mean"][()].astype(np.float64).reshape(shape)) / layer["std"][()].astype(np.float64).reshape(shape)
            else:
                raise ValueError(f"layer {name}: unknown kind {kind!r}")
    return x
# --- REFERENCE FORWARD PASS: end ---


ALL_KINDS = {"dense", "conv2d", "maxpool2d", "maxout", "dropout", "relu", "sigmoid", "tanh", "flatten"}
# Per kind: the configuration attributes (besides `kind` and `index`) and their NumPy types.
CONFIGURATION = {
    "dense": {"inputs": np.int64, "outputs": np.int64},
    "conv2d": {"in_channels": np.int64, "out_channels": np.int64, "kernel": np.int64, "stride": np.int64,
               "padding": np.int64},
    "maxpool2d": {"size": np.int64, "stride": np.int64},
    "maxout": {"pieces": np.int64},
    "dropout": {"rate": np.float64},
    "relu": {}, "sigmoid": {}, "tanh": {}, "flatten": {},
}
ROOT_STRINGS = ["format", "tool_version", "created", "command_line", "blas_kernel", "blas_kernel_selection", "architecture", "activation", "dataset", "dataset_sha256"]
ROOT_INT64 = ["format_version", "maxout_pieces"]
ROOT_FLOAT64 = ["train_error", "test_error"]
ROOT_STRING_ARRAYS = ["layer_names", "class_names"]
TRAINING_STRINGS = ["optimizer", "weight_decay", "train_subset", "adversarial"]
TRAINING_INT64 = ["batch_size", "epochs", "pretrain_epochs", "seed", "validation"]
TRAINING_FLOAT64 = ["learning_rate", "momentum", "alpha"]
HISTORY_DTYPES = {"epoch": np.int64, "loss": np.float32, "accuracy": np.float32, "validation_loss": np.float32,
                  "validation_accuracy": np.float32, "seconds": np.float64}


@pytest.fixture(scope="session")
def test_set():
    images = read_idx(FIXTURE_DIR / "t10k-images-idx3-ubyte.gz")
    labels = read_idx(FIXTURE_DIR / "t10k-labels-idx1-ubyte.gz")
    assert images.shape == (256, 28, 28) and labels.shape == (256,)
    return images, labels.astype(np.int64)


def softmax_statistics(logits, labels):
    """Mean cross-entropy and mean top probability, in float64."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probabilities[np.arange(len(labels)), labels].mean()
    confidence = np.exp(log_probabilities.max(axis=1)).mean()
    return loss, confidence


# --- the tool's predictions against NumPy ---

def test_predictions_match_numpy(trainer, model_id, test_set):
    images, labels = test_set
    model = trainer.train(model_id)
    result = trainer.evaluate(model)
    logits = forward(model, images)
    assert logits.shape == (len(images), 10) and np.all(np.isfinite(logits))
    assert result["count"] == len(images) and result["split"] == "test"
    tool = np.asarray(result["predictions"])
    ours = logits.argmax(axis=1)
    differ = np.flatnonzero(tool != ours)
    top2 = np.sort(logits, axis=1)[:, -2:]
    assert differ.size == 0, (
        f"{model_id}: probe eval and the NumPy forward pass disagree on {differ.size} of {len(images)} images: "
        + ", ".join(f"#{i} tool {tool[i]} numpy {ours[i]} (top-2 logit gap {top2[i, 1] - top2[i, 0]:.3g})"
                    for i in differ[:10]))


def test_accuracy_loss_and_confidence_match_numpy(trainer, model_id, test_set):
    images, labels = test_set
    model = trainer.train(model_id)
    result = trainer.evaluate(model)
    logits = forward(model, images)
    correct = int((logits.argmax(axis=1) == labels).sum())
    # The tool counts in integers and reports Float32(correct / n) widened to a double.
    assert result["accuracy"] == float(np.float32(correct / len(labels)))
    assert result["error"] == float(np.float32(1 - correct / len(labels)))
    loss, confidence = softmax_statistics(logits, labels)
    # The tool computes in float32: agreement to float32 accuracy, not bit for bit.
    assert result["loss"] == pytest.approx(loss, rel=1e-4, abs=1e-6)
    assert result["mean_confidence"] == pytest.approx(confidence, rel=1e-4, abs=1e-6)


def test_eval_reports_the_sha256_of_the_file(trainer, model_id):
    model = trainer.train(model_id)
    assert trainer.evaluate(model)["model_sha256"] == hashlib.sha256(model.read_bytes()).hexdigest()


# --- the layout ---

def test_root_attributes(trainer, model_id, model_args):
    model = trainer.train(model_id)
    arguments = model_args[model_id]
    with h5py.File(model, "r") as f:
        attrs = f.attrs
        expected = set(ROOT_STRINGS + ROOT_INT64 + ROOT_FLOAT64 + ROOT_STRING_ARRAYS + ["input_shape"])
        assert set(attrs.keys()) == expected
        for key in ROOT_STRINGS:
            assert type(attrs[key]) is str, key
        for key in ROOT_INT64:
            assert type(attrs[key]) is np.int64, key
        for key in ROOT_FLOAT64:
            assert type(attrs[key]) is np.float64, key
        for key in ROOT_STRING_ARRAYS:
            value = attrs[key]
            assert isinstance(value, np.ndarray) and value.ndim == 1, key
            assert all(type(s) is str for s in value), key
        assert attrs["format"] == "neuron-probe/model"
        assert attrs["format_version"] == 1
        assert attrs["input_shape"].dtype == np.int64 and list(attrs["input_shape"]) == [1, 28, 28]
        assert attrs["architecture"] == arguments[arguments.index("--arch") + 1]
        assert attrs["dataset"] == "fashion-mnist-tiny"
        assert len(attrs["class_names"]) == 10 and attrs["class_names"][9] == "Ankle boot"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", attrs["created"])
        assert re.fullmatch(r"[0-9a-f]{64}", attrs["dataset_sha256"])
        system = run([trainer.probe, "system", "--json"])
        assert system.returncode == 0, describe(system)
        kernel = json.loads(system.stdout)["blas_kernel"]
        assert attrs["blas_kernel"] == kernel["kernel"]
        assert attrs["blas_kernel_selection"].startswith(kernel["kernel"] + ", ")
        if "--activation" in arguments:
            assert attrs["activation"] == arguments[arguments.index("--activation") + 1]
        else:
            expected = {"fc": "sigmoid", "ae": "sigmoid", "maxout": "maxout", "conv": "relu"}
            assert attrs["activation"] == next(v for k, v in expected.items() if model_id.startswith(k))


def test_errors_in_file_are_finite_fractions(trainer, model_id, test_set):
    model = trainer.train(model_id)
    with h5py.File(model, "r") as f:
        for key in ("train_error", "test_error"):
            value = float(f.attrs[key])
            assert math.isfinite(value) and 0.0 <= value <= 1.0, (key, value)
        # test_error is the error on the fixture's 256 test images.
        images, labels = test_set
        correct = int((forward(model, images).argmax(axis=1) == labels).sum())
        assert f.attrs["test_error"] == float(np.float32(1 - correct / len(labels)))


def test_layer_groups(trainer, model_id):
    model = trainer.train(model_id)
    with h5py.File(model, "r") as f:
        names = list(f.attrs["layer_names"])
        assert sorted(f["layers"].keys()) == sorted(names)
        for index, name in enumerate(names):
            group = f["layers"][name]
            kind = group.attrs["kind"]
            assert type(kind) is str and kind in ALL_KINDS, (name, kind)
            assert type(group.attrs["index"]) is np.int64 and group.attrs["index"] == index
            configuration = {k: v for k, v in group.attrs.items() if k not in ("kind", "index")}
            assert {k: type(v) for k, v in configuration.items()} == CONFIGURATION[kind], name
            datasets = sorted(group.keys())
            if kind == "dense":
                assert datasets == ["bias", "weight"]
                assert group["weight"].shape == (group.attrs["outputs"], group.attrs["inputs"])
                assert group["bias"].shape == (group.attrs["outputs"],)
            elif kind == "conv2d":
                assert datasets == ["bias", "weight"]
                k = group.attrs["kernel"]
                assert group["weight"].shape == (group.attrs["out_channels"], group.attrs["in_channels"], k, k)
                assert group["bias"].shape == (group.attrs["out_channels"],)
            else:
                assert datasets == [], name
            for dataset in datasets:
                assert group[dataset].dtype == np.float32
                assert np.all(np.isfinite(group[dataset][()]))
            if kind == "dropout":
                assert 0.0 <= group.attrs["rate"] < 1.0


def test_training_group(trainer, model_id):
    model = trainer.train(model_id)
    with h5py.File(model, "r") as f:
        training = f["training"]
        assert set(training.attrs.keys()) == set(TRAINING_STRINGS + TRAINING_INT64 + TRAINING_FLOAT64)
        for key in TRAINING_STRINGS:
            assert type(training.attrs[key]) is str, key
        for key in TRAINING_INT64:
            assert type(training.attrs[key]) is np.int64, key
        for key in TRAINING_FLOAT64:
            assert type(training.attrs[key]) is np.float64, key
        assert training.attrs["seed"] == 1 and training.attrs["epochs"] == 1
        assert training.attrs["optimizer"] == "adam" and training.attrs["batch_size"] == 128
        assert training.attrs["pretrain_epochs"] == (1 if model_id.startswith("ae") else 0)
        assert training.attrs["train_subset"] == "all"
        history = training["history"]
        phases = list(history.attrs["phases"])
        assert phases == (["pretrain", "train"] if model_id.startswith("ae") else ["train"])
        assert {k: history[k].dtype.type for k in history.keys()} == HISTORY_DTYPES
        assert all(history[k].shape == (len(phases),) for k in history.keys())
        assert list(history["epoch"][()]) == [1] * len(phases)
        assert np.all(np.isfinite(history["loss"][()]))


def test_every_layer_kind_is_exercised(trainer, model_args):
    kinds = set()
    for model_id in model_args:
        with h5py.File(trainer.train(model_id), "r") as f:
            kinds |= {f["layers"][name].attrs["kind"] for name in f.attrs["layer_names"]}
    assert kinds == ALL_KINDS


# --- determinism ---

def dataset_values(path, skip=("training/history/seconds",)):
    """Every dataset of a file by path, except wall-clock timings."""
    values = {}
    with h5py.File(path, "r") as f:
        def visit(name, item):
            if isinstance(item, h5py.Dataset) and name not in skip:
                values[name] = (item.dtype, item.shape, item[()].tobytes())
        f.visititems(visit)
    return values


def test_same_seed_gives_byte_identical_weights(trainer):
    # maxout240-240-10 draws initial weights, the shuffling order and dropout masks from the seed.
    first = dataset_values(trainer.train("maxout240-240-10", seed=1, copy=0))
    second = dataset_values(trainer.train("maxout240-240-10", seed=1, copy=1))
    assert sorted(first) == sorted(second)
    assert any(name.startswith("layers/") for name in first)
    differing = [name for name in first if first[name] != second[name]]
    assert differing == [], f"the same --seed gave different values in {differing}"


def test_another_seed_gives_other_weights(trainer):
    first = dataset_values(trainer.train("fc50-10-tanh", seed=1))
    other = dataset_values(trainer.train("fc50-10-tanh", seed=2))
    assert first["layers/fc1/weight"] != other["layers/fc1/weight"]


# --- the document and the tool's handling of the fixture ---

def test_documented_example_is_the_tested_code():
    def block(text):
        match = re.search(r"# --- REFERENCE FORWARD PASS: begin ---\n(.*?)# --- REFERENCE FORWARD PASS: end ---",
                          text, re.S)
        assert match, "no REFERENCE FORWARD PASS block"
        return match.group(1)

    doc = (REPO_ROOT / "docs" / "model-file.md").read_text()
    assert block(doc) == block((REPO_ROOT / "Tests" / "Interop" / "test_model_file.py").read_text())


