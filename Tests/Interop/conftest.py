"""Shared fixtures of the model-file interop tests: the probe binary, the data the models are
trained and evaluated on, and models trained once per session with the real CLI.

The data is the registered tiny data set `fashion-mnist-tiny` in data/fixtures/fashion-mnist-tiny
(the first 512 training and the first 256 test images of Fashion-MNIST):

    probe train --arch A --dataset fashion-mnist-tiny --data-dir data/fixtures --epochs 1 --seed 1 -o M --quiet
    probe eval M --dataset fashion-mnist-tiny --data-dir data/fixtures --json --predictions

The tests read the fixture's IDX files themselves, independently of the tool.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE_DIR = REPO_ROOT / "data" / "fixtures" / "fashion-mnist-tiny"
DATA_ARGS = ["--dataset", "fashion-mnist-tiny", "--data-dir", REPO_ROOT / "data" / "fixtures"]

# The models the tests train: id -> the architecture arguments of `probe train`.
MODELS = {
    "fc100-100-10": ["--arch", "fc100-100-10"],
    "fc123-456-10-relu": ["--arch", "fc123-456-10", "--activation", "relu"],
    "ae400-10": ["--arch", "ae400-10", "--pretrain-epochs", "1"],
    "maxout240-240-10": ["--arch", "maxout240-240-10"],
    "conv-small": ["--arch", "conv-small"],
    "fc50-10-tanh": ["--arch", "fc50-10", "--activation", "tanh"],
}


def probe_path() -> Path:
    """The probe binary: $PROBE_BIN if set, else .build/release/probe in the repository."""
    value = os.environ.get("PROBE_BIN")
    path = Path(value) if value else REPO_ROOT / ".build" / "release" / "probe"
    return path if path.is_absolute() else (REPO_ROOT / path)


def run(args, **kwargs) -> subprocess.CompletedProcess:
    """Runs a command from the repository root, capturing its output as text."""
    return subprocess.run([str(a) for a in args], cwd=REPO_ROOT, capture_output=True, text=True, **kwargs)


def describe(result: subprocess.CompletedProcess) -> str:
    return f"`{' '.join(result.args)}` exited with {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"


@pytest.fixture(scope="session")
def probe() -> Path:
    path = probe_path()
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(
            f"the probe binary {path} is missing: build it with "
            f"`cd {REPO_ROOT} && swift build -c release --product probe`, or set PROBE_BIN to a built binary",
            pytrace=False)
    return path


@pytest.fixture(scope="session")
def fixture_data() -> Path:
    if not (FIXTURE_DIR / "t10k-images-idx3-ubyte.gz").is_file():
        pytest.fail(f"the fixture data set {FIXTURE_DIR} is missing (regenerate it with data/fixtures/make-fixtures.py)",
                    pytrace=False)
    return FIXTURE_DIR


class Trainer:
    """Trains models with `probe train` into one session directory, each (id, seed) once."""

    def __init__(self, probe: Path, directory: Path):
        self.probe, self.directory = probe, directory
        self.cache = {}

    def train(self, model_id: str, seed: int = 1, copy: int = 0) -> Path:
        key = (model_id, seed, copy)
        if key not in self.cache:
            output = self.directory / f"{model_id}-seed{seed}-{copy}.h5"
            result = run([self.probe, "train", *MODELS[model_id], *DATA_ARGS, "--epochs", "1",
                          "--seed", str(seed), "-o", output, "--quiet"], timeout=600)
            if result.returncode != 0 or not output.is_file():
                pytest.fail("training failed:\n" + describe(result), pytrace=False)
            self.cache[key] = output
        return self.cache[key]

    def evaluate(self, model: Path) -> dict:
        key = ("eval", model)
        if key not in self.cache:
            result = run([self.probe, "eval", model, *DATA_ARGS, "--json", "--predictions"], timeout=600)
            if result.returncode != 0:
                pytest.fail("evaluation failed:\n" + describe(result), pytrace=False)
            self.cache[key] = json.loads(result.stdout)
        return self.cache[key]


@pytest.fixture(scope="session")
def trainer(probe, fixture_data, tmp_path_factory) -> Trainer:
    return Trainer(probe, tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def model_args() -> dict:
    """Model id -> the architecture arguments of `probe train`."""
    return MODELS


@pytest.fixture(params=sorted(MODELS))
def model_id(request) -> str:
    return request.param
