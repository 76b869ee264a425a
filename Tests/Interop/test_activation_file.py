"""Activation files (`format = "neuron-probe/activations"`, version 1) read back with h5py alone.

`probe record` runs models trained by the session fixture (1 epoch on the tiny fixture data set)
and the test checks the file against docs/activation-file.md:

- every `/layers/<name>` and `/logits` equals the independent NumPy float64 forward pass of
  test_model_file.py (`forward`, the code docs/model-file.md documents) at that layer, on images
  the test reads from the fixture's IDX files itself;
- `/labels`, `/indices`, `/images` equal the fixture;
- the root attributes are those of the document's table (parsed from the document), with the
  documented types and values;
- dimension labels, per-layer attributes, chunk shapes, compression and unlimited first axis as
  documented; `--layers` selection and its error.

The per-layer reference values reuse `forward` unchanged: for a layer at index i the test runs
`forward` on a copy of the model file whose `layer_names` is cut after layer i, so `forward`
returns that layer's output.
"""

import gzip
import hashlib
import re
import shutil
from pathlib import Path

import h5py
import numpy as np
import pytest

from conftest import DATA_ARGS, FIXTURE_DIR, REPO_ROOT, describe, run
from test_model_file import forward, read_idx

RECORDED_MODELS = ["fc100-100-10", "maxout240-240-10", "conv-small"]
TOLERANCE = 1e-4  # max abs difference between the tool's float32 and NumPy's float64 values

# Recording variants: id -> extra arguments of `probe record` (besides model, data, -o, --quiet).
VARIANTS = {
    "test": ["--split", "test", "--with-images"],
    "gzip": ["--split", "test", "--with-images", "--compression", "gzip:4"],
    "all": ["--split", "all", "--with-images", "--batch-size", "100"],
}
TRAIN_ROWS, TEST_ROWS = 512, 256  # the fixture: the first 512 training and 256 test images
CHUNK_BYTES = 512 * 1024
ROWS_PER_CHUNK = 8192


# --- the document's root attribute table ---

def documented_root_attributes():
    """{name: type} from the "Root attributes" table of docs/activation-file.md."""
    text = (REPO_ROOT / "docs" / "activation-file.md").read_text()
    section = re.search(r"^## Root attributes\n(.*?)^## ", text, re.S | re.M)
    assert section, "docs/activation-file.md has no '## Root attributes' section"
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+?) \|", section.group(1), re.M)
    assert rows, "no attribute rows in the Root attributes table"
    return {name: kind.strip() for name, kind in rows}


def check_type(name, value, documented):
    if documented == "string":
        assert type(value) is str, (name, type(value))
    elif documented == "int64":
        assert type(value) is np.int64, (name, type(value))
    elif documented == "string array":
        assert isinstance(value, np.ndarray) and value.ndim == 1, (name, type(value))
        assert all(type(s) is str for s in value), (name, [type(s) for s in value])
    else:
        pytest.fail(f"the document gives {name} the type {documented!r}, which this test does not know")


# --- the fixture data, read independently ---

def sha256_of_decompressed(path):
    return hashlib.sha256(gzip.decompress(Path(path).read_bytes())).hexdigest()


@pytest.fixture(scope="session")
def fixture_split():
    """split -> (images uint8 (N, 28, 28), labels uint8 (N,), indices int64 (N,), dataset_sha256)."""
    train_images = read_idx(FIXTURE_DIR / "train-images-idx3-ubyte.gz")
    train_labels = read_idx(FIXTURE_DIR / "train-labels-idx1-ubyte.gz")
    test_images = read_idx(FIXTURE_DIR / "t10k-images-idx3-ubyte.gz")
    test_labels = read_idx(FIXTURE_DIR / "t10k-labels-idx1-ubyte.gz")
    assert train_images.shape == (TRAIN_ROWS, 28, 28) and test_images.shape == (TEST_ROWS, 28, 28)
    train_sha = sha256_of_decompressed(FIXTURE_DIR / "train-images-idx3-ubyte.gz")
    test_sha = sha256_of_decompressed(FIXTURE_DIR / "t10k-images-idx3-ubyte.gz")
    return {
        "test": (test_images, test_labels, np.arange(TEST_ROWS), test_sha),
        "all": (np.concatenate([train_images, test_images]), np.concatenate([train_labels, test_labels]),
                np.arange(TRAIN_ROWS + TEST_ROWS), train_sha + "+" + test_sha),
    }


# --- models, recordings and the NumPy reference ---

class Recordings:
    """Records each (model, variant) once per session, and the NumPy reference per model."""

    def __init__(self, trainer, directory: Path, splits):
        self.trainer, self.directory, self.splits = trainer, directory, splits
        self.files, self.references = {}, {}

    def record(self, model_id, variant):
        key = (model_id, variant)
        if key not in self.files:
            model = self.trainer.train(model_id)
            output = self.directory / f"{model_id}-{variant}.h5"
            result = run([self.trainer.probe, "record", model, *DATA_ARGS, *VARIANTS[variant],
                          "-o", output, "--quiet"], timeout=600)
            if result.returncode != 0 or not output.is_file():
                pytest.fail("recording failed:\n" + describe(result), pytrace=False)
            self.files[key] = output
        return self.files[key]

    def reference(self, model_id):
        """{layer name: float64 output} and the logits over the `all` images (train rows, then test)."""
        if model_id not in self.references:
            model = self.trainer.train(model_id)
            images = self.splits["all"][0]
            with h5py.File(model, "r") as f:
                names = list(f.attrs["layer_names"])
            outputs = {}
            for i, name in enumerate(names):
                # forward() runs the layers of `layer_names`: cut after this layer, it returns its output.
                cut = self.directory / f"{model_id}-upto-{name}.h5"
                shutil.copyfile(model, cut)
                with h5py.File(cut, "r+") as f:
                    f.attrs.create("layer_names", names[:i + 1], dtype=h5py.string_dtype())
                outputs[name] = forward(cut, images)
                cut.unlink()
            self.references[model_id] = (outputs, forward(model, images))
        return self.references[model_id]


@pytest.fixture(scope="session")
def recordings(trainer, fixture_split, tmp_path_factory) -> Recordings:
    return Recordings(trainer, tmp_path_factory.mktemp("recordings"), fixture_split)


@pytest.fixture(params=RECORDED_MODELS)
def recorded_model(request) -> str:
    return request.param


@pytest.fixture(params=sorted(VARIANTS))
def variant(request) -> str:
    return request.param


def split_of(variant):
    return "all" if variant == "all" else "test"


def model_layers(path):
    """[(name, kind, index)] of a model file, in network order."""
    with h5py.File(path, "r") as f:
        return [(name, f["layers"][name].attrs["kind"], int(f["layers"][name].attrs["index"]))
                for name in f.attrs["layer_names"]]


def default_layers(path):
    return [name for name, kind, _ in model_layers(path) if kind not in ("flatten", "dropout")]


def expected_chunk(shape, itemsize):
    """The documented chunk shape of a dataset of shape `shape` (first axis: samples)."""
    # Rows per chunk are capped by the recording's size: the smallest power of two >= N, at least 16.
    cap = 16
    while cap < min(shape[0], ROWS_PER_CHUNK):
        cap *= 2
    if len(shape) == 1:
        return (cap,)
    if len(shape) == 2:
        return (cap, min(shape[1], 16))
    # (N, C, H, W) -> (R, 1, H, W); /images (N, H, W) -> (R, H, W): R the largest power of two >= 16
    # with R * H * W * itemsize <= 512 KiB, and R <= cap.
    height, width = shape[-2:]
    rows = 16
    while 2 * rows * height * width * itemsize <= CHUNK_BYTES and 2 * rows <= cap:
        rows *= 2
    return (rows, 1, height, width) if len(shape) == 4 else (rows, height, width)


# --- values ---

def test_layers_and_logits_equal_numpy(recordings, recorded_model, variant):
    path = recordings.record(recorded_model, variant)
    outputs, logits = recordings.reference(recorded_model)
    rows = slice(TRAIN_ROWS, None) if split_of(variant) == "test" else slice(None)
    model = recordings.trainer.train(recorded_model)
    with h5py.File(path, "r") as f:
        assert sorted(f["layers"].keys()) == sorted(default_layers(model))
        worst = {}
        for name in default_layers(model):
            ours = outputs[name][rows]
            theirs = f["layers"][name][()]
            assert theirs.dtype == np.float32 and theirs.shape == ours.shape, (name, theirs.dtype, theirs.shape)
            worst[name] = float(np.max(np.abs(theirs - ours)))
        theirs = f["logits"][()]
        assert theirs.dtype == np.float32 and theirs.shape == logits[rows].shape
        worst["/logits"] = float(np.max(np.abs(theirs - logits[rows])))
    bad = {k: v for k, v in worst.items() if not v <= TOLERANCE}
    assert not bad, f"{recorded_model} ({variant}): max abs difference from NumPy above {TOLERANCE}: {bad}"


def test_labels_indices_and_images_equal_the_fixture(recordings, recorded_model, variant, fixture_split):
    images, labels, indices, _ = fixture_split[split_of(variant)]
    with h5py.File(recordings.record(recorded_model, variant), "r") as f:
        assert f["labels"].dtype == np.uint8 and f["labels"].shape == labels.shape
        np.testing.assert_array_equal(f["labels"][()], labels)
        assert f["indices"].dtype == np.int64
        np.testing.assert_array_equal(f["indices"][()], indices)
        assert f["images"].dtype == np.uint8 and f["images"].shape == images.shape
        np.testing.assert_array_equal(f["images"][()], images)


def test_compression_does_not_change_values(recordings):
    plain = recordings.record("fc100-100-10", "test")
    packed = recordings.record("fc100-100-10", "gzip")
    with h5py.File(plain, "r") as a, h5py.File(packed, "r") as b:
        for name in ["labels", "indices", "logits", "images"] + [f"layers/{k}" for k in a["layers"]]:
            assert a[name][()].tobytes() == b[name][()].tobytes(), name


def test_all_split_ends_with_the_test_split(recordings):
    """Rows 512.. of `--split all` are the test split's rows (batches of 100 straddle the boundary)."""
    whole = recordings.record("conv-small", "all")
    test = recordings.record("conv-small", "test")
    with h5py.File(whole, "r") as a, h5py.File(test, "r") as b:
        for name in ["logits"] + [f"layers/{k}" for k in b["layers"]]:
            np.testing.assert_allclose(a[name][TRAIN_ROWS:], b[name][()], rtol=0, atol=1e-5, err_msg=name)


# --- the layout ---

def test_root_attributes(recordings, recorded_model, variant, fixture_split):
    path = recordings.record(recorded_model, variant)
    model = recordings.trainer.train(recorded_model)
    documented = documented_root_attributes()
    _, _, indices, dataset_sha = fixture_split[split_of(variant)]
    n = len(indices)
    with h5py.File(path, "r") as f:
        attrs = f.attrs
        assert set(attrs.keys()) == set(documented), (
            f"missing {sorted(set(documented) - set(attrs.keys()))}, "
            f"undocumented {sorted(set(attrs.keys()) - set(documented))}")
        for name, kind in documented.items():
            check_type(name, attrs[name], kind)
        with h5py.File(model, "r") as m:
            architecture, class_names = m.attrs["architecture"], list(m.attrs["class_names"])
            seed = int(m["training"].attrs["seed"])
        assert attrs["format"] == "neuron-probe/activations"
        assert attrs["format_version"] == 1
        assert re.fullmatch(r"\d+\.\d+\.\d+\S*", attrs["tool_version"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", attrs["created"])
        assert attrs["model_file"] == str(model)
        assert attrs["model_sha256"] == hashlib.sha256(model.read_bytes()).hexdigest()
        assert attrs["model_architecture"] == architecture == recorded_model
        assert attrs["seed"] == seed == 1
        assert attrs["dataset"] == "fashion-mnist-tiny"
        assert attrs["dataset_sha256"] == dataset_sha
        assert attrs["split"] == split_of(variant)
        assert list(attrs["class_names"]) == class_names
        assert list(attrs["layer_names"]) == default_layers(model)
        assert attrs["rows"] == n and attrs["rows_complete"] == attrs["rows"]
        assert attrs["first_row"] == 0 and attrs["total_rows"] == n and attrs["shard"] == "1/1"
        assert attrs["compression"] == ("gzip:4" if variant == "gzip" else "none")
        assert attrs["batch_size"] == (100 if variant == "all" else 1024)
        assert attrs["settings"] != ""


def test_datasets_shapes_labels_and_layer_attributes(recordings, recorded_model, variant):
    path = recordings.record(recorded_model, variant)
    model = recordings.trainer.train(recorded_model)
    layers = {name: (kind, index) for name, kind, index in model_layers(model)}
    n = TRAIN_ROWS + TEST_ROWS if variant == "all" else TEST_ROWS
    with h5py.File(path, "r") as f:
        assert sorted(k for k in f.keys() if not is_scale(f[k])) == ["images", "indices", "labels", "layers", "logits"]
        expected_labels = {"labels": ("sample",), "indices": ("sample",), "logits": ("sample", "class"),
                           "images": ("sample", "height", "width")}
        for name, labels in expected_labels.items():
            assert tuple(d.label for d in f[name].dims) == labels, name
        assert f["logits"].shape == (n, 10)
        for name in f["layers"]:
            ds = f["layers"][name]
            kind, index = layers[name]
            assert ds.dtype == np.float32 and ds.shape[0] == n, (name, ds.dtype, ds.shape)
            rank = len(ds.shape)
            assert rank in (2, 4), (name, ds.shape)
            labels = ("sample", "unit") if rank == 2 else ("sample", "channel", "height", "width")
            assert tuple(d.label for d in ds.dims) == labels, name
            assert type(ds.attrs["kind"]) is str and ds.attrs["kind"] == kind, name
            assert type(ds.attrs["position"]) is np.int64 and ds.attrs["position"] == index, name
            nonlinearity = ds.attrs["nonlinearity"]
            assert type(nonlinearity) is str, name
            if kind in ("relu", "sigmoid", "tanh"):
                assert nonlinearity == kind, name
            elif kind == "maxpool2d":
                assert nonlinearity == "max", name
            elif kind in ("dense", "conv2d"):
                assert nonlinearity == "none", name
            elif kind == "maxout":  # an activation layer: "the function" (maxout); accept "max" too
                assert nonlinearity in ("maxout", "max"), name


def is_scale(item):
    return isinstance(item, h5py.Dataset) and h5py.h5ds.is_scale(item.id)


def every_dataset(f):
    """Every dataset but the dimension scales (empty, unchunked: they name axes, docs/activation-file.md)."""
    found = []
    f.visititems(lambda name, item: found.append(name)
                 if isinstance(item, h5py.Dataset) and not h5py.h5ds.is_scale(item.id) else None)
    return found


def chunk_mismatches(f, names):
    """{dataset: "actual, documented"} for the datasets whose chunk shape is not the documented one."""
    wrong = {}
    for name in names:
        ds = f[name]
        expected = expected_chunk(ds.shape, ds.dtype.itemsize)
        if ds.chunks != expected:
            wrong[name] = f"{ds.chunks}, documented {expected}"
    return wrong


def test_compression_and_unlimited_rows(recordings, recorded_model, variant):
    path = recordings.record(recorded_model, variant)
    with h5py.File(path, "r") as f:
        names = every_dataset(f)
        assert {"labels", "indices", "logits", "images"} <= set(names)
        for name in names:
            ds = f[name]
            assert ds.chunks is not None, name
            assert ds.maxshape[0] is None, (name, ds.maxshape)
            assert ds.maxshape[1:] == ds.shape[1:], (name, ds.maxshape)
            if variant == "gzip":
                assert ds.compression == "gzip" and ds.compression_opts == 4, (name, ds.compression)
            else:
                assert ds.compression is None, (name, ds.compression)


def test_chunk_shapes(recordings, recorded_model, variant):
    """Layers, logits, labels and indices: the chunk table of docs/activation-file.md."""
    with h5py.File(recordings.record(recorded_model, variant), "r") as f:
        wrong = chunk_mismatches(f, [name for name in every_dataset(f) if name != "images"])
    assert not wrong, f"{recorded_model} ({variant}): chunk shapes differ from docs/activation-file.md: {wrong}"


def test_image_chunks(recordings):
    """/images (N, H, W) uint8: (R, H, W), R the largest power of two >= 16 with R*H*W <= 512 KiB (and <= the cap)."""
    with h5py.File(recordings.record("fc100-100-10", "test"), "r") as f:
        wrong = chunk_mismatches(f, ["images"])
    assert not wrong, f"/images chunk differs from docs/activation-file.md: {wrong}"


FULL_DATA = Path("/usr/share/datasets/fashion-mnist")  # Debian's dataset-fashion-mnist


def test_chunk_shapes_of_a_full_size_recording(trainer, tmp_path):
    """The 10,000 Fashion-MNIST test images: more rows than one 8,192-row chunk band."""
    if not (FULL_DATA / "t10k-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"the full Fashion-MNIST ({FULL_DATA}, Debian package dataset-fashion-mnist) is not installed")
    model = trainer.train("fc100-100-10")
    output = tmp_path / "full.h5"
    result = run([trainer.probe, "record", model, "--dataset", "fashion-mnist", "--data-dir", FULL_DATA,
                  "--split", "test", "--layers", "fc1", "--with-images", "-o", output, "--quiet"], timeout=600)
    assert result.returncode == 0, describe(result)
    with h5py.File(output, "r") as f:
        assert f.attrs["rows"] == 10000 and f["layers/fc1"].shape == (10000, 100)
        np.testing.assert_array_equal(f["images"][()], read_idx(FULL_DATA / "t10k-images-idx3-ubyte.gz"))
        wrong = chunk_mismatches(f, every_dataset(f))
    assert not wrong, f"chunk shapes differ from docs/activation-file.md: {wrong}"


# --- choosing layers ---

def test_chosen_layers_only(recordings, trainer, tmp_path):
    model = trainer.train("fc100-100-10")
    output = tmp_path / "two.h5"
    result = run([trainer.probe, "record", model, *DATA_ARGS, "--layers", "fc1,fc2", "-o", output, "--quiet"],
                 timeout=600)
    assert result.returncode == 0, describe(result)
    with h5py.File(output, "r") as f:
        assert sorted(f["layers"].keys()) == ["fc1", "fc2"]
        assert list(f.attrs["layer_names"]) == ["fc1", "fc2"]
        assert "images" not in f  # stored only with --with-images
        outputs, _ = recordings.reference("fc100-100-10")
        for name in ("fc1", "fc2"):
            assert float(np.max(np.abs(f["layers"][name][()] - outputs[name][TRAIN_ROWS:]))) <= TOLERANCE
        assert f["layers/fc2"].attrs["position"] == 2


def test_unknown_layer_fails_with_one_line_and_no_file(trainer, tmp_path):
    model = trainer.train("fc100-100-10")
    output = tmp_path / "bad.h5"
    result = run([trainer.probe, "record", model, *DATA_ARGS, "--layers", "fc1,nope", "-o", output, "--quiet"],
                 timeout=600)
    assert result.returncode != 0, describe(result)
    lines = [line for line in (result.stderr + result.stdout).splitlines() if line.strip()]
    assert len(lines) == 1, describe(result)
    assert "nope" in lines[0]
    for name in default_layers(model):
        assert re.search(rf"\b{name}\b", lines[0]), (name, lines[0])
    assert list(tmp_path.iterdir()) == [], f"left behind: {list(tmp_path.iterdir())}"
