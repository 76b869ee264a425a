"""The Jupytext notebooks of notebooks-md/, run as tests.

Each notebook reads neuron-probe files with h5py, xarray (h5netcdf), pandas and matplotlib, without
the tool, recomputes what they hold in NumPy and SciPy, and asserts every recomputation: running it
is the test. The files are made once per session by a tiny run of the real CLI on the fixture data
set (`--dataset fashion-mnist-tiny --data-dir data/fixtures`, 256 test images):

    probe train --arch fc100-100-10 --epochs 1 --seed 1 -o fc100-100-10.h5        (and fc10, conv-small)
    probe record fc100-100-10.h5 --split test --with-images -o acts.h5              (and conv-small.acts.h5)
    probe units acts.h5 --layer sigmoid1,sigmoid2 --top 20 --random 50 --rotations 2 -o acts.units.h5
    probe attack fgsm fc100-100-10.h5 --epsilon 0.05,0.1,0.25 -o fgsm.h5
    probe attack lbfgs fc100-100-10.h5 --limit 20 -o lbfgs.h5
    probe attack noise fc100-100-10.h5 --match lbfgs.h5 -o noise.h5
    probe transfer fgsm.h5 lbfgs.h5 noise.h5 --models fc100-100-10.h5 fc10.h5 -o transfer.h5
    probe transfer … --models fc100-100-10.h5 fc10.h5 conv-small.h5 --amplify 0.1 -o transfer-amplified.h5
    probe lipschitz fc100-100-10.h5 -o lipschitz.h5                                 (and conv-small.lipschitz.h5)

and maxout240-240-10 and fc50-10 (tanh) trained and recorded as well, for the layer kinds the others lack.

The fc100-100-10 files lie in the run folder, where the notebooks find them by their `format`; the
conv-small, maxout and tanh networks' files and the amplified transfer lie in its others/ folder and
are named to the notebooks by their NP_* variables.

Each notebook is read with jupytext and executed by nbclient in the "python3" kernel (the one the
ipykernel package provides; nothing is registered), from the repository root, with the NP_*
environment variables pointing at these files. A failing cell fails its test with the cell's
error. Every notebook in notebooks-md/ must have a test here.
"""

import os
import re
import sys
from pathlib import Path

import jupytext
import pytest
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from conftest import DATA_ARGS, REPO_ROOT, describe, run

NOTEBOOK_DIR = REPO_ROOT / "notebooks-md"
CELL_TIMEOUT = 120  # seconds, per cell
KERNEL = "python3"
MODEL_BLOCK = re.compile(r"# --- NUMPY MODEL: begin.*?# --- NUMPY MODEL: end ---", re.S)

# Networks whose layer kinds (maxout, dropout, tanh) fc100-100-10, fc10 and conv-small lack: id -> `probe train` arguments.
OTHER_KINDS = {
    "maxout240-240-10": ["--arch", "maxout240-240-10"],
    "fc50-10-tanh": ["--arch", "fc50-10", "--activation", "tanh"],
}

# Notebook file name -> the tests that run it (filled by @runs).
COVERED = {}


def runs(notebook):
    """Marks a test as running `notebook`, for test_every_notebook_has_a_test."""
    def register(test):
        COVERED.setdefault(notebook, []).append(test.__name__)
        return test
    return register


def checked(args, timeout=300):
    result = run(args, timeout=timeout)
    if result.returncode != 0:
        pytest.fail(describe(result), pytrace=False)
    return result


@pytest.fixture(scope="session")
def run_dir(probe, fixture_data, tmp_path_factory) -> Path:
    """A run folder as the notebooks expect one (one file of each kind, which they find by its
    `format`), made by the real CLI; the other networks and the amplified transfer in others/."""
    d = tmp_path_factory.mktemp("notebooks")
    o = d / "others"
    o.mkdir()
    fc100, fc10, conv = d / "fc100-100-10.h5", d / "fc10.h5", o / "conv-small.h5"
    attacks = [d / "fgsm.h5", d / "lbfgs.h5", d / "noise.h5"]
    data_dir = ["--data-dir", REPO_ROOT / "data" / "fixtures"]
    for arch, output in (("fc100-100-10", fc100), ("fc10", fc10), ("conv-small", conv)):
        checked([probe, "train", "--arch", arch, *DATA_ARGS, "--epochs", "1", "--seed", "1", "-o", output, "--quiet"])
    checked([probe, "record", fc100, *DATA_ARGS, "--split", "test", "--with-images", "-o", d / "acts.h5", "--quiet"])
    checked([probe, "record", conv, *DATA_ARGS, "--split", "test", "-o", o / "conv-small.acts.h5", "--quiet"])
    for name, arguments in OTHER_KINDS.items():  # the layer kinds the networks above do not have
        checked([probe, "train", *arguments, *DATA_ARGS, "--epochs", "1", "--seed", "1", "-o", o / f"{name}.h5", "--quiet"])
        checked([probe, "record", o / f"{name}.h5", *DATA_ARGS, "--split", "test", "-o", o / f"{name}.acts.h5", "--quiet"])
    checked([probe, "units", d / "acts.h5", "--layer", "sigmoid1,sigmoid2", "--top", "20", "--random", "50",
             "--rotations", "2", "--seed", "1", "-o", d / "acts.units.h5", "--quiet"])
    checked([probe, "attack", "fgsm", fc100, "--epsilon", "0.05,0.1,0.25", *DATA_ARGS, "-o", attacks[0], "--quiet"])
    checked([probe, "attack", "lbfgs", fc100, "--limit", "20", *DATA_ARGS, "-o", attacks[1], "--quiet"])
    checked([probe, "attack", "noise", fc100, "--match", attacks[1], *DATA_ARGS, "-o", attacks[2], "--quiet"])
    checked([probe, "transfer", *attacks, "--models", fc100, fc10, *data_dir, "-o", d / "transfer.h5"])
    checked([probe, "transfer", *attacks, "--models", fc100, fc10, conv, "--amplify", "0.1", *data_dir,
             "-o", o / "transfer-amplified.h5"])
    checked([probe, "lipschitz", fc100, "-o", d / "lipschitz.h5"])
    checked([probe, "lipschitz", conv, "-o", o / "conv-small.lipschitz.h5"])
    return d


@pytest.fixture(scope="session")
def kernel():
    """The "python3" kernel: ipykernel's own (jupyter_client offers it whenever ipykernel is importable,
    without any registration), run by this Python, which has the notebooks' packages."""
    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL)
    except NoSuchKernel:
        pytest.fail(f"no Jupyter kernel {KERNEL!r}: install ipykernel in this Python (bash scripts/setup.sh)",
                    pytrace=False)
    # jupyter_client starts a kernel whose command is "python", "python3" or "python3.X" with sys.executable
    ours = {"python", f"python{sys.version_info[0]}", "python%d.%d" % sys.version_info[:2], sys.executable}
    if spec.argv[0] not in ours:
        pytest.fail(f"the {KERNEL!r} kernel in {spec.resource_dir} runs {spec.argv[0]}, not this Python "
                    f"({sys.executable})", pytrace=False)
    return spec


def execute(notebook, run_dir, **variables):
    """Runs notebooks-md/<notebook> from the repository root with NP_RUN_DIR = run_dir, NP_DATA_DIR =
    data/fixtures and the given NP_* variables; returns the executed notebook."""
    nb = jupytext.read(NOTEBOOK_DIR / notebook)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NP_") and k != "MPLBACKEND"}
    env.update({"NP_RUN_DIR": str(run_dir), "NP_DATA_DIR": "data/fixtures"})
    env.update({k: str(v) for k, v in variables.items()})
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name=KERNEL,
                            resources={"metadata": {"path": str(REPO_ROOT)}})
    try:
        client.execute(env=env)
    except CellExecutionError as error:
        message = re.sub(r"\x1b\[[0-9;]*m", "", str(error))
        pytest.fail(f"notebooks-md/{notebook} failed:\n{message}", pytrace=False)
    return nb


def outputs(nb, kind):
    """The outputs of the executed notebook holding `kind` (a MIME type, or "stream")."""
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if kind == "stream" and output.get("output_type") == "stream":
                found.append(output["text"])
            elif kind in output.get("data", {}):
                found.append(output["data"][kind])
    return found


@runs("activations-and-units.md")
def test_activations_and_units_notebook_recomputes_top_rows_purity_and_mann_whitney(run_dir, kernel):
    nb = execute("activations-and-units.md", run_dir)
    text = "".join(outputs(nb, "stream"))
    assert "300 top/bottom lists checked" in text, text  # 100 units and 50 random directions, top and bottom
    assert len(outputs(nb, "image/png")) == 2  # the purity histograms and the top images


@runs("activations-and-units.md")
def test_activations_and_units_notebook_on_the_second_layer(run_dir, kernel):
    execute("activations-and-units.md", run_dir, NP_LAYER="sigmoid2")


@runs("attacks.md")
def test_attacks_notebook_recomputes_distortions_and_rejudges_success(run_dir, kernel):
    nb = execute("attacks.md", run_dir)
    text = "".join(outputs(nb, "stream"))
    for name in ("fgsm", "lbfgs", "noise"):
        assert f"{name}: fc100-100-10.h5" in text, text
    assert len(outputs(nb, "image/png")) == 2  # error against ε, the triples


@runs("transfer.md")
def test_transfer_notebook_recomputes_every_cell_and_the_dense_lipschitz_bounds(run_dir, kernel):
    nb = execute("transfer.md", run_dir)
    assert "(not amplified)" in "".join(outputs(nb, "stream"))
    assert len(outputs(nb, "image/png")) == 2  # the heat map, the bounds


@runs("transfer.md")
def test_transfer_notebook_on_an_amplified_matrix_with_a_conv_model_and_conv_lipschitz_bounds(run_dir, kernel):
    nb = execute("transfer.md", run_dir, NP_TRANSFER=run_dir / "others" / "transfer-amplified.h5",
                 NP_LIPSCHITZ=run_dir / "others" / "conv-small.lipschitz.h5", NP_TRANSFER_CELL="3,2")
    text = "".join(outputs(nb, "stream"))
    assert "amplified to RMS 0.1" in text and "conv-small" in text, text


@runs("model-forward.md")
def test_model_forward_notebook_matches_every_recorded_layer_of_a_sigmoid_network(run_dir, kernel):
    nb = execute("model-forward.md", run_dir)
    text = "".join(outputs(nb, "stream"))
    assert "test error" in text, text  # the recording is the whole test split: compared with test_error
    assert len(outputs(nb, "image/png")) == 1


@runs("model-forward.md")
def test_model_forward_notebook_matches_every_recorded_layer_of_a_conv_network(run_dir, kernel):
    execute("model-forward.md", run_dir, NP_ACTIVATIONS=run_dir / "others" / "conv-small.acts.h5")


@runs("model-forward.md")
@pytest.mark.parametrize("network", sorted(OTHER_KINDS))
def test_model_forward_notebook_matches_every_recorded_layer_of_maxout_and_tanh_networks(run_dir, kernel, network):
    execute("model-forward.md", run_dir, NP_ACTIVATIONS=run_dir / "others" / f"{network}.acts.h5")


def test_every_notebook_has_a_test():
    notebooks = sorted(p.name for p in NOTEBOOK_DIR.glob("*.md"))
    assert notebooks, f"no notebooks in {NOTEBOOK_DIR}"
    missing = [n for n in notebooks if n not in COVERED]
    assert not missing, f"notebooks no test runs (add a test marked @runs(name) to {Path(__file__).name}): {missing}"
    stale = [n for n in COVERED if n not in notebooks]
    assert not stale, f"tests run notebooks that do not exist: {stale}"


@pytest.mark.parametrize("notebook", sorted(p.name for p in NOTEBOOK_DIR.glob("*.md")))
def test_notebook_is_plain_jupytext_markdown_of_python_cells(notebook):
    """Jupytext's "markdown" format (not MyST) with the python3 kernel, so that GitHub renders it, and
    only Python code cells: a fenced block in another language (```sh) would become a cell that runs
    the shell, so command examples are fenced ```shell, which jupytext leaves as text."""
    text = (NOTEBOOK_DIR / notebook).read_text()
    nb = jupytext.reads(text, fmt="md")
    header = nb.metadata["jupytext"]["text_representation"]
    assert header["format_name"] == "markdown" and header["extension"] == ".md", header
    assert nb.metadata["kernelspec"]["name"] == KERNEL, nb.metadata["kernelspec"]
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.metadata.get("language", "python") == "python", cell.source[:80]
            assert not re.search(r"^\s*[%!]", cell.source, re.M), f"a magic or shell line:\n{cell.source[:200]}"
    assert "%%NUMPY_MODEL%%" not in text


def test_numpy_model_block_is_the_same_in_every_notebook_that_runs_a_model():
    blocks = {p.name: MODEL_BLOCK.findall(p.read_text()) for p in NOTEBOOK_DIR.glob("*.md")}
    blocks = {name: found for name, found in blocks.items() if found}
    assert set(blocks) >= {"model-forward.md", "attacks.md", "transfer.md"}, sorted(blocks)
    reference = blocks["model-forward.md"][0]
    different = [name for name, found in blocks.items() if found != [reference]]
    assert not different, f"the NUMPY MODEL block differs from model-forward.md's in {different}"
