"""Shared fixtures of the model-file interop tests: the probe binary, the data the models are
trained and evaluated on, and models trained once per session with the real CLI.

The data is the tiny fixture data set data/fixtures/fashion-mnist-tiny (the first 512 training
and the first 256 test images of Fashion-MNIST). The intended commands are

    probe train --arch A --data-dir data/fixtures/fashion-mnist-tiny --epochs 1 --seed 1 -o M --quiet
    probe eval M --data-dir data/fixtures/fashion-mnist-tiny --json --predictions

If the tool rejects the fixture (it verifies every file it loads against the registered checksums
of the FULL Fashion-MNIST, which the fixture cannot match), the session falls back to the full
data set the tool finds by its own search order and restricts it to exactly the fixture's images:

    probe train ... --train-subset P1 --validation 29488     (trains on rows 0..<512 of the training set)
    probe eval M --limit 256 --json --predictions            (the first 256 test images)

The tests read the fixture's IDX files themselves, so in both modes the NumPy side sees the
images the tool was given (the fixture files are byte-for-byte the first rows of Fashion-MNIST;
a wrong image would show up as a prediction mismatch). `test_cli_accepts_fixture_data_dir`
records which mode ran.
"""

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE_DIR = REPO_ROOT / "data" / "fixtures" / "fashion-mnist-tiny"
FIXTURE_TRAIN_COUNT = 512
FIXTURE_TEST_COUNT = 256
# Fashion-MNIST's training split has 60,000 images; P1 is its first half (30,000). Holding out
# all but the first 512 of P1 for validation trains on exactly the fixture's training images.
FULL_P1_COUNT = 30_000
CHECKSUM_REFUSAL = "does not match the registered content sha256"

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


@dataclass
class DataMode:
    """How `probe` is pointed at the fixture's images (see the module docstring)."""

    name: str  # "fixture" or "full-restricted"
    train_args: list
    eval_args: list
    fixture_refusal: str = ""  # the tool's error when it refused the fixture
    notes: list = field(default_factory=list)


@pytest.fixture(scope="session")
def data_mode(probe, tmp_path_factory) -> DataMode:
    if not (FIXTURE_DIR / "t10k-images-idx3-ubyte.gz").is_file():
        pytest.fail(f"the fixture data set {FIXTURE_DIR} is missing (regenerate it with data/fixtures/make-fixtures.py)",
                    pytrace=False)
    directory = tmp_path_factory.mktemp("data-mode")
    fixture = DataMode("fixture", ["--data-dir", FIXTURE_DIR], ["--data-dir", FIXTURE_DIR])
    attempt = run([probe, "train", "--arch", "fc10", *fixture.train_args, "--epochs", "1", "--seed", "1",
                   "-o", directory / "check.h5", "--quiet"], timeout=120)
    if attempt.returncode == 0:
        return fixture
    if CHECKSUM_REFUSAL not in attempt.stderr:
        pytest.fail("probe train on the fixture data set failed:\n" + describe(attempt), pytrace=False)
    restricted = DataMode(
        "full-restricted",
        ["--train-subset", "P1", "--validation", str(FULL_P1_COUNT - FIXTURE_TRAIN_COUNT)],
        ["--limit", str(FIXTURE_TEST_COUNT)],
        fixture_refusal=attempt.stderr.strip())
    check = run([probe, "train", "--arch", "fc10", *restricted.train_args, "--epochs", "1", "--seed", "1",
                 "-o", directory / "check.h5", "--quiet"], timeout=120)
    if check.returncode != 0:
        pytest.fail("probe refuses the fixture data set and no full Fashion-MNIST is available to fall back on "
                    "(install dataset-fashion-mnist or set PROBE_DATA):\n" + attempt.stderr + "\n" + describe(check),
                    pytrace=False)
    return restricted


class Trainer:
    """Trains models with `probe train` into one session directory, each (id, seed) once."""

    def __init__(self, probe: Path, mode: DataMode, directory: Path):
        self.probe, self.mode, self.directory = probe, mode, directory
        self.cache = {}

    def train(self, model_id: str, seed: int = 1, copy: int = 0) -> Path:
        key = (model_id, seed, copy)
        if key not in self.cache:
            output = self.directory / f"{model_id}-seed{seed}-{copy}.h5"
            result = run([self.probe, "train", *MODELS[model_id], *self.mode.train_args, "--epochs", "1",
                          "--seed", str(seed), "-o", output, "--quiet"], timeout=600)
            if result.returncode != 0 or not output.is_file():
                pytest.fail("training failed:\n" + describe(result), pytrace=False)
            self.cache[key] = output
        return self.cache[key]

    def evaluate(self, model: Path) -> dict:
        key = ("eval", model)
        if key not in self.cache:
            result = run([self.probe, "eval", model, *self.mode.eval_args, "--json", "--predictions"], timeout=600)
            if result.returncode != 0:
                pytest.fail("evaluation failed:\n" + describe(result), pytrace=False)
            self.cache[key] = json.loads(result.stdout)
        return self.cache[key]


@pytest.fixture(scope="session")
def trainer(probe, data_mode, tmp_path_factory) -> Trainer:
    return Trainer(probe, data_mode, tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def model_args() -> dict:
    """Model id -> the architecture arguments of `probe train`."""
    return MODELS


@pytest.fixture(params=sorted(MODELS))
def model_id(request) -> str:
    return request.param
