"""Every kind of file the tool writes, read by h5py as any client would: no attribute is an
empty array (several clients, netCDF-based ones among them, refuse or mangle those)."""
import shutil
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest

from conftest import run


def walk_attributes(path):
    """Every (object, attribute, value) of the file at `path`."""
    found = []
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            for key, value in obj.attrs.items():
                found.append((name, key, value))
        visit("/", f)
        f.visititems(visit)
    return found


@pytest.fixture(scope="module")
def every_kind(probe, fixture_data, tmp_path_factory):
    """One file of every kind the tool writes, on the tiny data: a model, its recording with images,
    a recording merged from two shards, a units file, FGSM (with a fixed target, so with skipped
    examples) and L-BFGS attack files, the transfer file of both attack files over the model, and
    the model's Lipschitz file."""
    data = ["--dataset", "fashion-mnist-tiny", "--data-dir", str(fixture_data)]
    d = tmp_path_factory.mktemp("every-kind")
    files = {k: d / f"{k}.h5" for k in ("model", "activations", "merged", "units", "fgsm", "lbfgs", "transfer", "lipschitz")}
    shards = [d / "part-1.h5", d / "part-2.h5"]
    model = files["model"]
    # ReLU units die in a short training on this data: the units file has dead units and live ones.
    commands = [
        ["train", "--arch", "fc30-10", "--activation", "relu", "--epochs", "2", "-o", model, *data],
        ["record", model, "-o", files["activations"], "--with-images", *data],
        *[["record", model, "--shard", f"{i + 1}/2", "-o", shard, *data] for i, shard in enumerate(shards)],
        ["merge", *shards, "-o", files["merged"]],
        ["attack", "fgsm", model, "--epsilon", "0.1", "--target", "3", "--limit", "20", "-o", files["fgsm"], *data],
        ["attack", "lbfgs", model, "--limit", "4", "-o", files["lbfgs"], *data],
        ["units", files["activations"], "--layer", "fc1,relu1", "--random", "10", "--rotations", "2", "--top", "5",
         "-o", files["units"]],
        ["transfer", files["fgsm"], files["lbfgs"], "--models", model, "--data-dir", str(fixture_data), "-o", files["transfer"]],
        ["lipschitz", model, "-o", files["lipschitz"]],
    ]
    for args in commands:
        # merge, transfer and lipschitz show no progress and take no --quiet.
        result = run([probe, *map(str, args)] + (["--quiet"] if args[0] not in ("merge", "transfer", "lipschitz") else []))
        assert result.returncode == 0, result.stderr
    return files


def test_no_file_kind_has_an_empty_array_attribute(every_kind):
    for path in every_kind.values():
        for name, key, value in walk_attributes(path):
            assert not (isinstance(value, np.ndarray) and value.size == 0), f"{path.name}: {name} @{key} is an empty array"
    with h5py.File(every_kind["units"], "r") as f:
        assert f["units/fc1/dead_units"].dtype == np.int64


def groups_with_external_links(path):
    """The groups of the file at `path` that hold an external link (a units file's link to its recording)."""
    found = set()
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Group):
                for key in obj:
                    if isinstance(obj.get(key, getlink=True), h5py.ExternalLink):
                        found.add(obj.name)
        visit("/", f)
        f.visititems(visit)
    return found


def labelled_datasets(path):
    """{group path: {dataset name: its dimension labels}} for every dataset whose axes are all labelled."""
    groups = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and obj.ndim > 0 and not h5py.h5ds.is_scale(obj.id):
                labels = [dim.label for dim in obj.dims]
                if all(labels):
                    group = obj.parent.name
                    groups.setdefault(group, {})[name.rsplit("/", 1)[-1]] = labels
        f.visititems(visit)
    return groups


def test_xarray_and_netcdf4_name_every_labelled_axis_of_every_file_kind(every_kind):
    # xarray through h5netcdf (the reader) and netCDF4-python read the HDF5 dimension scales:
    # without them every axis is phony_dim_N. A dimension is named after its label, or after the
    # dataset and its label inside a group (fc1_unit): one layer's units are not another's.
    import netCDF4
    import xarray as xr
    for kind, path in every_kind.items():
        # No file holds an external link: netCDF-C cannot open a file linking to a dataset whose
        # dimension scales live in another file (the units file's activations are a virtual dataset).
        assert groups_with_external_links(path) == set(), f"{kind}: external links"
        for group, datasets in labelled_datasets(path).items():
            opened = xr.open_dataset(path, group=None if group == "/" else group, engine="h5netcdf")
            with netCDF4.Dataset(path) as nc:
                node = nc if group == "/" else nc[group]
                for name, labels in datasets.items():
                    dims = opened[name].dims
                    assert not any(d.startswith("phony_dim") for d in dims), f"{kind}: {group}/{name} has dims {dims}"
                    assert len(dims) == len(labels) and all(d.endswith(label) for d, label in zip(dims, labels)), \
                        f"{kind}: {group}/{name} dims {dims} do not carry its labels {labels}"
                    assert node.variables[name].dimensions == dims, f"{kind}: netCDF4 sees {group}/{name} differently"
                    with h5py.File(path, "r") as f:
                        dataset = f[group][name]
                        assert opened[name].shape == dataset.shape
                        np.testing.assert_array_equal(opened[name].values, dataset[()], err_msg=f"{kind}: {group}/{name}")
            opened.close()
    layers = xr.open_dataset(every_kind["activations"], group="layers", engine="h5netcdf")
    assert layers["fc1"].dims == ("sample", "fc1_unit") and layers.sizes["sample"] == 256
    assert "fc1_unit" not in h5py.File(every_kind["activations"], "r")["layers"], "/layers keeps only its layers"


def test_r_hdf5r_reads_every_attribute_of_every_file_kind(every_kind):
    # R users read the files with hdf5r (Debian's r-cran-hdf5r, which scripts/setup.sh installs).
    rscript = shutil.which("Rscript")
    if rscript is None or subprocess.run([rscript, "-e", "library(hdf5r)"], capture_output=True).returncode != 0:
        pytest.skip("R with hdf5r is not installed (apt-get install r-cran-hdf5r; scripts/setup.sh does)")
    script = Path(__file__).with_name("read_every_attribute.R")
    for kind, path in every_kind.items():
        result = subprocess.run([rscript, str(script), str(path)], capture_output=True, text=True)
        assert result.returncode == 0, f"{kind}: {result.stderr}"
        read = {}
        for line in result.stdout.splitlines():
            obj, name, rclass, length, shown = line.split("\t")
            assert rclass != "ERROR", f"{kind}: R could not read {obj} @{name}: {length}"
            read[(obj.lstrip("/") or "/", name)] = (rclass, shown)
        for obj, name, value in walk_attributes(path):
            assert (obj, name) in read, f"{kind}: R did not list {obj} @{name}"
            rclass, shown = read[(obj, name)]
            if isinstance(value, (bytes, str)):
                expected = value.decode() if isinstance(value, bytes) else value
                assert shown == expected, f"{kind}: {obj} @{name}: R read {shown!r}, h5py {expected!r}"
            elif isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
                assert float(shown) == pytest.approx(float(value), rel=1e-15), f"{kind}: {obj} @{name}: R {shown}, h5py {value}"
