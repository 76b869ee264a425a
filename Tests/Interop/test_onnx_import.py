"""`probe import` against the reference runtime (issue 14, points 1, 2 and 6).

Three networks are trained here in PyTorch (CPU, seeded, one pass over 4,096 Fashion-MNIST training
images) and exported with `torch.onnx.export`, as a user brings them:

  - `mlp`: Flatten, Linear, ReLU, Linear — the TorchScript exporter, a fixed batch of 1 (Gemm);
  - `convbn`: Conv, BatchNorm, ReLU, AvgPool, Conv (stride 2), BatchNorm, ReLU, adaptive average
    pool, view(batch, -1), Linear — the TorchScript exporter in TrainingMode.PRESERVE, so that the
    batch norms stay in the graph, with a dynamic batch axis (Shape, Gather, Unsqueeze, Concat);
  - `normalized`: Conv 5x5, ReLU, MaxPool, Conv, Sigmoid, AvgPool, Flatten, Linear, Tanh, Linear,
    trained on standardised pixels — the dynamo exporter (ONNX opset 18+, a dynamic batch, weights
    in an external .onnx.data file), imported with --mean and --std so that pixels stay in [0, 1].

For each, on the Fashion-MNIST test set (the Debian package's, read here with NumPy): the tool's
predictions equal onnxruntime's on all 10,000 images (but for near-ties), its logits equal
onnxruntime's within 1e-5 and its input gradients torch.autograd's within 1e-4 on 64 images, and its
FGSM images equal torch's FGSM on the same model. Files that cannot be imported get one line and
a non-zero exit, and nothing is written.
"""
import gzip
import json
from pathlib import Path

import h5py
import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from onnx import TensorProto, helper, numpy_helper
from torch import nn

from conftest import describe, run

FASHION = Path("/usr/share/datasets/fashion-mnist")
MEAN, STD = 0.2860, 0.3530
EPSILON = 0.1
DETAILED = 64


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


@pytest.fixture(scope="module")
def fashion():
    if not (FASHION / "t10k-images-idx3-ubyte.gz").is_file():
        pytest.fail(f"Fashion-MNIST is missing from {FASHION}: install Debian's dataset-fashion-mnist (scripts/setup.sh does)",
                    pytrace=False)
    train = read_idx(FASHION / "train-images-idx3-ubyte.gz")[:4096].astype(np.float32) / 255
    train_labels = read_idx(FASHION / "train-labels-idx1-ubyte.gz")[:4096].astype(np.int64)
    test = read_idx(FASHION / "t10k-images-idx3-ubyte.gz").astype(np.float32) / 255
    test_labels = read_idx(FASHION / "t10k-labels-idx1-ubyte.gz").astype(np.int64)
    return train[:, None], train_labels, test[:, None], test_labels


class ConvBN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8)
        self.conv2, self.bn2 = nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.BatchNorm2d(16)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        x = nn.functional.avg_pool2d(torch.relu(self.bn1(self.conv1(x))), 2)
        x = nn.functional.adaptive_avg_pool2d(torch.relu(self.bn2(self.conv2(x))), 1)
        return self.fc(x.view(x.size(0), -1))


class Normalized(nn.Module):
    """A network that expects standardised pixels; `pixels` puts the standardisation in front, as
    the imported model does with --mean and --std."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 12, 3, padding=1), nn.Sigmoid(), nn.AvgPool2d(2),
            nn.Flatten(), nn.Linear(12 * 6 * 6, 32), nn.Tanh(), nn.Linear(32, 10))

    def forward(self, x):
        return self.features(x)


class Model:
    """A trained PyTorch network, its ONNX export, and the model file `probe import` made of it."""

    def __init__(self, name, network, pixels, onnx_path, h5_path):
        self.name, self.network, self.pixels, self.onnx, self.h5 = name, network, pixels, onnx_path, h5_path


def train(network, images, labels, standardise=False):
    torch.manual_seed(0)
    optimiser = torch.optim.Adam(network.parameters(), lr=2e-3)
    x, y = torch.from_numpy(images), torch.from_numpy(labels)
    if standardise:
        x = (x - MEAN) / STD
    network.train()
    for start in range(0, len(x), 64):
        optimiser.zero_grad()
        nn.functional.cross_entropy(network(x[start:start + 64]), y[start:start + 64]).backward()
        optimiser.step()
    network.eval()
    return network


@pytest.fixture(scope="module")
def models(probe, fashion, tmp_path_factory):
    directory = tmp_path_factory.mktemp("onnx")
    train_images, train_labels, _, _ = fashion
    torch.manual_seed(0)
    example = torch.from_numpy(train_images[:1])
    made = {}

    mlp = train(nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10)), train_images, train_labels)
    torch.onnx.export(mlp, (example,), directory / "mlp.onnx", dynamo=False, input_names=["x"], output_names=["logits"])
    made["mlp"] = (mlp, lambda x: x, [])

    convbn = train(ConvBN(), train_images, train_labels)
    torch.onnx.export(convbn, (example,), directory / "convbn.onnx", dynamo=False, training=torch.onnx.TrainingMode.PRESERVE,
                      do_constant_folding=False, input_names=["x"], output_names=["logits"], dynamic_axes={"x": {0: "batch"}})
    made["convbn"] = (convbn, lambda x: x, [])

    normalized = train(Normalized(), train_images, train_labels, standardise=True)
    torch.onnx.export(normalized, (example,), directory / "normalized.onnx", dynamo=True, external_data=True,
                      dynamic_shapes=({0: torch.export.Dim("batch", min=1)},))
    made["normalized"] = (normalized, lambda x: (x - MEAN) / STD, ["--mean", str(MEAN), "--std", str(STD)])

    result = {}
    for name, (network, pixels, options) in made.items():
        h5 = directory / f"{name}.h5"
        imported = run([probe, "import", directory / f"{name}.onnx", "-o", h5, "--dataset", "fashion-mnist", *options, "--json"])
        assert imported.returncode == 0, describe(imported)
        model = Model(name, network, pixels, directory / f"{name}.onnx", h5)
        model.summary = json.loads(imported.stdout)
        result[name] = model
    return result


@pytest.fixture(scope="module", params=["mlp", "convbn", "normalized"])
def model(request, models):
    return models[request.param]


def evaluate(probe, model_file, *options):
    result = run([probe, "eval", model_file, "--dataset", "fashion-mnist", "--json", *options], timeout=900)
    assert result.returncode == 0, describe(result)
    return json.loads(result.stdout)


def onnxruntime_logits(model, images):
    session = ort.InferenceSession(str(model.onnx), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    batch = session.get_inputs()[0].shape[0]
    if isinstance(batch, int):
        return np.concatenate([session.run(None, {name: model.pixels(images[i:i + 1])})[0] for i in range(len(images))])
    return np.concatenate([session.run(None, {name: model.pixels(images[i:i + 1000])})[0] for i in range(0, len(images), 1000)])


def torch_gradient(model, images, labels):
    x = torch.from_numpy(images).requires_grad_(True)
    loss = nn.functional.cross_entropy(model.network(model.pixels(x)), torch.from_numpy(labels), reduction="sum")
    loss.backward()
    return x.grad.numpy()


def test_the_import_keeps_every_layer_and_folds_the_batch_norms(models):
    kinds = {name: [layer["kind"] for layer in m.summary["layers"]] for name, m in models.items()}
    assert kinds["mlp"] == ["flatten", "dense", "relu", "dense"]
    assert kinds["convbn"] == ["conv2d", "relu", "avgpool2d", "conv2d", "relu", "avgpool2d", "flatten", "dense"]
    assert kinds["normalized"] == ["normalize", "conv2d", "relu", "maxpool2d", "conv2d", "sigmoid", "avgpool2d", "flatten", "dense",
                                   "tanh", "dense"]
    assert sum("BatchNormalization" in note for note in models["convbn"].summary["notes"]) == 2


def test_the_model_file_records_its_source_and_normalisation(models):
    import hashlib
    m = models["normalized"]
    with h5py.File(m.h5, "r") as f:
        source = f["source"].attrs
        assert source["format"] == "onnx" and source["file"] == "normalized.onnx"
        assert source["sha256"] == hashlib.sha256(m.onnx.read_bytes()).hexdigest()
        assert source["producer"].startswith("pytorch")
        np.testing.assert_array_equal(source["mean"], [np.float32(MEAN)])
        np.testing.assert_array_equal(f["layers/normalize/std"][()], [np.float32(STD)])
        assert f.attrs["architecture"].startswith("onnx:")
        assert list(f.attrs["class_names"])[0] == "T-shirt/top"


def test_predictions_equal_onnxruntime_on_the_whole_test_set(probe, model, fashion):
    _, _, test, labels = fashion
    ours = np.array(evaluate(probe, model.h5, "--predictions")["predictions"])
    logits = onnxruntime_logits(model, test)
    top2 = np.sort(logits, axis=1)[:, -2:]
    near_tie = top2[:, 1] - top2[:, 0] < 1e-4
    differ = ours != logits.argmax(axis=1)
    assert not (differ & ~near_tie).any(), f"{model.name}: {int((differ & ~near_tie).sum())} predictions differ from onnxruntime"
    assert (ours == labels).mean() > 0.25, f"{model.name}: the trained network should do far better than chance (0.1)"


def test_logits_equal_onnxruntime_within_1e_5(probe, model, fashion):
    _, _, test, _ = fashion
    ours = np.array(evaluate(probe, model.h5, "--limit", str(DETAILED), "--logits")["logits"], dtype=np.float64)
    np.testing.assert_allclose(ours, onnxruntime_logits(model, test[:DETAILED]), rtol=1e-5, atol=1e-5)


def test_input_gradients_equal_torch_autograd_within_1e_4(probe, model, fashion):
    _, _, test, labels = fashion
    ours = np.array(evaluate(probe, model.h5, "--limit", str(DETAILED), "--gradients")["input_gradients"], dtype=np.float64)
    theirs = torch_gradient(model, test[:DETAILED], labels[:DETAILED]).reshape(DETAILED, -1)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)


def test_fgsm_images_equal_torch_fgsm(probe, model, fashion, tmp_path):
    _, _, test, labels = fashion
    output = tmp_path / "fgsm.h5"
    attacked = run([probe, "attack", "fgsm", model.h5, "--epsilon", str(EPSILON), "--dataset", "fashion-mnist", "--limit", str(DETAILED),
                    "-o", output, "--quiet"])
    assert attacked.returncode == 0, describe(attacked)
    with h5py.File(output, "r") as f:
        stored = f["adversarial"][0].reshape(DETAILED, -1)
    x = torch.from_numpy(test[:DETAILED])
    g = torch_gradient(model, test[:DETAILED], labels[:DETAILED]).reshape(DETAILED, -1)
    theirs = torch.clamp(x + np.float32(EPSILON) * torch.sign(torch.from_numpy(g).reshape(x.shape)), 0, 1).numpy().reshape(DETAILED, -1)
    # A pixel whose gradient is within float32 rounding of zero may take either sign.
    tiny = np.abs(g) < 1e-5 * np.abs(g).max(axis=1, keepdims=True)
    differ = stored != theirs
    assert not (differ & ~tiny).any(), f"{model.name}: {int((differ & ~tiny).sum())} pixels differ from torch's FGSM where |g| is not tiny"
    assert differ.mean() < 1e-3


def test_the_documented_numpy_forward_pass_of_the_model_file_equals_onnxruntime(model, fashion):
    # docs/model-file.md's reference implementation, in float64, on the imported file alone.
    from test_model_file import forward
    _, _, test, _ = fashion
    pixels = np.rint(test[:DETAILED, 0] * 255).astype(np.uint8)
    np.testing.assert_allclose(forward(model.h5, pixels), onnxruntime_logits(model, test[:DETAILED]), rtol=1e-5, atol=1e-5)


def test_an_onnx_file_is_taken_wherever_a_model_file_is(probe, models):
    m = models["convbn"]
    direct = evaluate(probe, m.onnx, "--limit", "100", "--logits")
    imported = evaluate(probe, m.h5, "--limit", "100", "--logits")
    assert direct["logits"] == imported["logits"]


def test_a_report_takes_the_onnx_file_as_a_model(probe, models, tmp_path):
    m = models["convbn"]
    attack, report = tmp_path / "fgsm.h5", tmp_path / "report"
    checked = run([probe, "attack", "fgsm", m.onnx, "--epsilon", "0.1", "--dataset", "fashion-mnist", "--limit", "20", "-o", attack, "--quiet"])
    assert checked.returncode == 0, describe(checked)
    result = run([probe, "report", m.onnx, attack, "-o", report])
    assert result.returncode == 0, describe(result)
    results = json.loads((report / "results.json").read_text())
    assert [model["architecture"] for model in results["models"]] == ["onnx:main_graph"], results["models"]


# --- files that do not import: one line, a non-zero exit, nothing written ---

def small_model(op="Relu", opset=13, weight=None, input_shape=("batch", 4)):
    w = numpy_helper.from_array(weight if weight is not None else np.ones((3, 4), dtype=np.float32), "W")
    nodes = [helper.make_node("Gemm", ["x", "W"], ["h"], name="fc1", transB=1), helper.make_node(op, ["h"], ["y"], name="act1")]
    graph = helper.make_graph(nodes, "small", [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(input_shape))],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 3])], initializer=[w])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]).SerializeToString()


BAD = {
    "truncated": (small_model()[:-9], "not an ONNX model"),
    "not-onnx": (b"PK\x03\x04 this is a zip file, not a model", "not an ONNX model"),
    "unsupported-op": (small_model(op="LeakyRelu"), "unsupported operators: LeakyRelu (node act1)"),
    "old-opset": (small_model(opset=5), "operator set 5"),
    "nan-weight": (small_model(weight=np.full((3, 4), np.nan, dtype=np.float32)), "W holds NaN"),
    "no-fixed-shape": (small_model(input_shape=("batch", "features")), "no fixed shape"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_file_that_cannot_be_imported_gets_one_line_and_nothing_is_written(probe, tmp_path, case):
    content, expected = BAD[case]
    source, output = tmp_path / f"{case}.onnx", tmp_path / "model.h5"
    source.write_bytes(content)
    result = run([probe, "import", source, "-o", output])
    assert result.returncode != 0, describe(result)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], describe(result)
    assert "Traceback" not in result.stderr and "Fatal error" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [source.name], "a failed import left a file behind"
