"""Bring your own network and data, end to end through the CLI (issue 14, "Done when").

Three runs, each: a conv net with batch norm trained in PyTorch (CPU, seeded) and exported with
`torch.onnx.export`, `probe import`, `probe eval` against onnxruntime's predictions on the same
images, `probe record`, `probe units` on a conv layer by channel, `probe attack fgsm` and
`probe attack lbfgs`, `probe report`:

  - grey: on Fashion-MNIST (the Debian package's; trained on 4,096 training images, its predictions
    checked on the whole test set);
  - cifar: RGB, on the CIFAR-10 binary-format fixture `cifar10-tiny` (data/fixtures), with the
    normalisation the network was trained with put in front of it by --mean/--std;
  - folder: RGB, on a folder of PNG and JPEG images in class folders that the test writes from the
    same fixture's images.
"""
import gzip
import json
import tarfile
from pathlib import Path

import h5py
import numpy as np
import onnxruntime as ort
import pytest
import torch
from PIL import Image
from torch import nn

from conftest import REPO_ROOT, describe, run

FIXTURES = REPO_ROOT / "data" / "fixtures"
FASHION = Path("/usr/share/datasets/fashion-mnist")
CIFAR_MEAN, CIFAR_STD = [0.49, 0.48, 0.45], [0.25, 0.24, 0.26]


def read_idx(path):
    data = gzip.open(path).read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def read_cifar(split):
    """The fixture's images (N, 3, 32, 32) uint8 and labels, read with tarfile."""
    names = [f"data_batch_{i}.bin" for i in range(1, 6)] if split == "train" else ["test_batch.bin"]
    with tarfile.open(FIXTURES / "cifar10-tiny" / "cifar-10-binary.tar.gz") as t:
        data = b"".join(t.extractfile(f"cifar-10-batches-bin/{n}").read() for n in names)
    records = np.frombuffer(data, dtype=np.uint8).reshape(-1, 3073)
    return records[:, 1:].reshape(-1, 3, 32, 32), records[:, 0].astype(np.int64)


class ConvBN(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(channels, 8, 3, padding=1), nn.BatchNorm2d(8)
        self.conv2, self.bn2 = nn.Conv2d(8, 12, 3, padding=1), nn.BatchNorm2d(12)
        self.fc = nn.Linear(12, 10)

    def forward(self, x):
        x = nn.functional.max_pool2d(torch.relu(self.bn1(self.conv1(x))), 2)
        x = torch.relu(self.bn2(self.conv2(x)))
        return self.fc(nn.functional.adaptive_avg_pool2d(x, 1).flatten(1))


class Case:
    def __init__(self, name, directory, network, normalise, data_args, test_images, test_labels):
        self.name, self.directory, self.network, self.normalise = name, directory, network, normalise
        self.data_args, self.test_images, self.test_labels = data_args, test_images, test_labels
        self.onnx, self.model = directory / f"{name}.onnx", directory / f"{name}.h5"


def train_and_export(name, directory, images, labels, mean=None, std=None, epochs=1):
    torch.manual_seed(0)
    channels = images.shape[1]
    network = ConvBN(channels)
    x = torch.from_numpy(images.astype(np.float32) / 255)
    if mean is not None:
        x = (x - torch.tensor(mean).view(1, -1, 1, 1)) / torch.tensor(std).view(1, -1, 1, 1)
    y = torch.from_numpy(labels)
    optimiser = torch.optim.Adam(network.parameters(), lr=3e-3)
    network.train()
    for _ in range(epochs):
        for start in range(0, len(x), 32):
            optimiser.zero_grad()
            nn.functional.cross_entropy(network(x[start:start + 32]), y[start:start + 32]).backward()
            optimiser.step()
    network.eval()
    path = directory / f"{name}.onnx"
    torch.onnx.export(network, (x[:1],), path, dynamo=False, training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False,
                      input_names=["x"], output_names=["logits"], dynamic_axes={"x": {0: "batch"}})
    return network


def checked(args, cwd=None):
    result = run(args, timeout=900) if cwd is None else run(args, timeout=900, cwd=cwd)
    assert result.returncode == 0, describe(result)
    return result


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    directory = tmp_path_factory.mktemp("byo")
    made = {}
    train = read_idx(FASHION / "train-images-idx3-ubyte.gz")[:4096, None]
    train_labels = read_idx(FASHION / "train-labels-idx1-ubyte.gz")[:4096].astype(np.int64)
    test = read_idx(FASHION / "t10k-images-idx3-ubyte.gz")[:, None]
    test_labels = read_idx(FASHION / "t10k-labels-idx1-ubyte.gz").astype(np.int64)
    network = train_and_export("grey", directory, train, train_labels)
    made["grey"] = Case("grey", directory, network, lambda x: x, ["--dataset", "fashion-mnist"], test, test_labels)

    images, labels = read_cifar("train")
    test_images, test_labels = read_cifar("test")
    normalise = lambda x: (x - np.array(CIFAR_MEAN, np.float32).reshape(1, 3, 1, 1)) / np.array(CIFAR_STD, np.float32).reshape(1, 3, 1, 1)
    network = train_and_export("cifar", directory, images, labels, CIFAR_MEAN, CIFAR_STD, epochs=4)
    made["cifar"] = Case("cifar", directory, network, normalise, ["--dataset", "cifar10-tiny", "--data-dir", FIXTURES], test_images,
                         test_labels)

    # The same images as a folder of PNGs and JPEGs in class folders (test split) — JPEG is lossy, so
    # the images compared with onnxruntime are the ones decoded back by Pillow.
    folder = directory / "folder"
    classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    for split, (split_images, split_labels) in (("train", (images, labels)), ("test", (test_images, test_labels))):
        for i, (image, label) in enumerate(zip(split_images, split_labels)):
            target = folder / split / classes[label]
            target.mkdir(parents=True, exist_ok=True)
            Image.fromarray(image.transpose(1, 2, 0)).save(target / f"{i:04d}.{'png' if i % 2 else 'jpg'}", quality=95)
    decoded, decoded_labels = [], []
    for label, name in enumerate(classes):
        for file in sorted((folder / "test" / name).iterdir()):
            decoded.append(np.asarray(Image.open(file).convert("RGB")).transpose(2, 0, 1))
            decoded_labels.append(label)
    shutil_copy = (directory / "cifar.onnx").read_bytes()
    (directory / "folder.onnx").write_bytes(shutil_copy)
    made["folder"] = Case("folder", directory, network, normalise, ["--dataset", folder], np.stack(decoded), np.array(decoded_labels))
    return made


@pytest.fixture(scope="module", params=["grey", "cifar", "folder"])
def case(request, cases, probe):
    c = cases[request.param]
    if not c.model.exists():
        options = ["--mean", ",".join(map(str, CIFAR_MEAN)), "--std", ",".join(map(str, CIFAR_STD))] if request.param != "grey" else []
        checked([probe, "import", c.onnx, "-o", c.model, *options])
    return c


def test_predictions_equal_onnxruntime(probe, case):
    ours = json.loads(checked([probe, "eval", case.model, *case.data_args, "--json", "--predictions"]).stdout)
    session = ort.InferenceSession(str(case.onnx), providers=["CPUExecutionProvider"])
    x = case.normalise(case.test_images.astype(np.float32) / 255).astype(np.float32)
    logits = np.concatenate([session.run(None, {"x": x[i:i + 500]})[0] for i in range(0, len(x), 500)])
    top2 = np.sort(logits, axis=1)[:, -2:]
    differ = (np.array(ours["predictions"]) != logits.argmax(axis=1)) & (top2[:, 1] - top2[:, 0] > 1e-4)
    assert ours["count"] == len(x) and not differ.any(), f"{case.name}: {int(differ.sum())} predictions differ from onnxruntime"
    assert ours["accuracy"] > 0.3, f"{case.name}: accuracy {ours['accuracy']}"


def test_record_units_by_channel_fgsm_lbfgs_and_report(probe, case, tmp_path):
    acts, fgsm, lbfgs, report = tmp_path / "acts.h5", tmp_path / "fgsm.h5", tmp_path / "lbfgs.h5", tmp_path / "report"
    checked([probe, "record", case.model, *case.data_args, "--limit", "100", "--with-images", "-o", acts, "--quiet"])
    with h5py.File(case.model, "r") as m:
        layers = list(m.attrs["layer_names"])
        kinds = [m["layers"][n].attrs["kind"] for n in layers]
    conv_relu = [n for n, k in zip(layers, kinds) if k == "relu"][-1]  # (12, H, W) maps
    units = json.loads(checked([probe, "units", acts, "--layer", conv_relu, "--top", "10", "--random", "12", "--rotations", "2", "--json",
                                "--quiet"]).stdout)
    layer = units["layers"][0]
    assert layer["unit"] == "channel" and layer["units"] == 12, layer
    with h5py.File(acts, "r") as a:
        assert a["images"].shape[1:] == ((3, 32, 32) if case.name != "grey" else (28, 28))
    checked([probe, "attack", "fgsm", case.model, *case.data_args, "--epsilon", "0.05", "--limit", "40", "-o", fgsm, "--quiet"])
    checked([probe, "attack", "lbfgs", case.model, *case.data_args, "--limit", "10", "--max-iterations", "30", "--c-search-steps", "5",
             "-o", lbfgs, "--quiet"])
    with h5py.File(fgsm, "r") as f, h5py.File(lbfgs, "r") as g:
        assert f["adversarial"].shape[2:] == case.test_images.shape[1:]
        linf = f["linf"][0]
        assert np.all(linf <= np.float32(0.05) + 1e-6)
        assert g["success"][0].any(), f"{case.name}: L-BFGS reached no target"
    checked([probe, "report", case.model, acts.with_suffix(".units.h5"), fgsm, lbfgs, *case.data_args[2:], "-o", report])
    assert (report / "report.html").is_file()
