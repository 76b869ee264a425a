"""Every kind of file the tool writes, read by h5py as any client would: no attribute is an
empty array (several clients, netCDF-based ones among them, refuse or mangle those)."""
import subprocess

import h5py
import numpy as np

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


def test_no_file_kind_has_an_empty_array_attribute(probe, fixture_data, tmp_path):
    data = ["--dataset", "fashion-mnist-tiny", "--data-dir", str(fixture_data)]
    model, acts, units, attack = (tmp_path / n for n in ("m.h5", "acts.h5", "u.h5", "a.h5"))
    # ReLU units die in a short training on this data: the units file has dead units and live ones.
    for args in (
        ["train", "--arch", "fc30-10", "--activation", "relu", "--epochs", "2", "-o", model],
        ["record", model, "-o", acts, "--with-images"],
        ["attack", "fgsm", model, "--epsilon", "0.1", "--target", "3", "--limit", "20", "-o", attack],
    ):
        result = run([probe, *map(str, args), *data, "--quiet"])
        assert result.returncode == 0, result.stderr
    result = run([probe, "units", str(acts), "--layer", "fc1,relu1", "--random", "10", "--rotations", "2", "--top", "5", "-o", str(units), "--quiet"])
    assert result.returncode == 0, result.stderr
    for path in (model, acts, units, attack):
        for name, key, value in walk_attributes(path):
            assert not (isinstance(value, np.ndarray) and value.size == 0), f"{path.name}: {name} @{key} is an empty array"
    with h5py.File(units, "r") as f:
        assert f["units/fc1/dead_units"].dtype == np.int64
