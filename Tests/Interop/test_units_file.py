"""Units files (`format = "neuron-probe/units"`, version 1): the acceptance test of `probe units`.

Two fc30-30-10 networks (ReLU and sigmoid hidden units) and a conv-small (whose (N, C, H, W) layers
are analysed by channel, each map max-pooled) are trained for 3 epochs on the tiny fixture data set, their hidden layers recorded over the 256 test images with the images, and
analysed with

    probe units A.h5 --layer L1,L2 --top 20 --random 50 --rotations 3 --seed 7 -o U.h5 --json --quiet

Everything is then recomputed from the activation file and the units file alone (h5py, NumPy,
SciPy; no tool code), as docs/units-file.md promises:

- the projections <phi(x), d> in float64 for every unit, random and rotated direction (phi read
  both from the activation file and through the units file's external link), the top-k and
  bottom-k rows with the documented tie rule (stable sort, lower row first), and the purity,
  entropy and pixel cosine of every top set. Unit directions are exact in float32 as well, so their
  rows must agree exactly; for the other directions a float32-vs-float64 reordering is allowed only
  among values within 1e-5 relative of the k-th value (those directions are counted and must be
  rare, and their stored measures must then be those of the stored top set);
- the Mann-Whitney U test of every measure with scipy.stats.mannwhitneyu, AUC, Cliff's delta, the
  group means and the z behind the p-value;
- dead units, class selectivity, Bau et al.'s detector counts, unit-norm random directions and
  orthogonal rotations;
- reproducibility of a seed, and a different seed giving different directions;
- the activation file is not touched (its sha256 is unchanged and recorded), the root attributes
  and their types, and the PNG pictures.
"""

import hashlib
import json
import struct
import zlib
from pathlib import Path

import h5py
import numpy as np
import pytest
from scipy import stats

from conftest import DATA_ARGS, describe, run

TOP_K, RANDOM_K, ROTATIONS, SEED = 20, 50, 3, 7
ROUNDING = 1e-5  # float32 vs float64 projections: reorderings allowed within this relative distance
MEASURES = ("purity", "entropy", "cosine")
# The tool normalises pixel vectors in float32 (see test_pixel_cosine_exact): the cosine it stores is
# accurate to a few 1e-6.
COSINE_FLOAT32 = 2e-5

# Network id -> (the training arguments, the analysed layers).
NETWORKS = {
    "relu": (["--arch", "fc30-30-10", "--activation", "relu"], ["relu1", "relu2"]),
    "sigmoid": (["--arch", "fc30-30-10"], ["sigmoid1", "sigmoid2"]),
    # (N, C, H, W) layers: channel units by default, each channel's map max-pooled over its positions.
    "conv": (["--arch", "conv-small"], ["relu1", "pool2"]),
}


def scores(raw, directions, group):
    """(N, M) float64 scores of each direction (rows of `directions`) as docs/units-file.md defines them:
    <phi(x), d> for position units; for channel units the projection at every position, then pooled."""
    d = directions.astype(np.float64)
    if group.attrs["unit"] == "channel":
        per_position = np.einsum("nchw,mc->nmhw", raw.astype(np.float64), d)
        return per_position.max(axis=(2, 3)) if group.attrs["pool"] == "max" else per_position.mean(axis=(2, 3))
    return raw.reshape(len(raw), -1).astype(np.float64) @ d.T


def unit_scores(raw, group):
    """(N, U): each unit's score, the values of the layer or each channel's pooled map."""
    if group.attrs["unit"] == "channel":
        return raw.max(axis=(2, 3)) if group.attrs["pool"] == "max" else raw.astype(np.float64).mean(axis=(2, 3))
    return raw.reshape(len(raw), -1)

def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def checked(args, timeout=300):
    result = run(args, timeout=timeout)
    if result.returncode != 0:
        pytest.fail(describe(result), pytrace=False)
    return result


class Analysis:
    """One network trained, recorded and analysed: the paths and what the runs printed."""

    def __init__(self, probe, directory, network):
        self.network = network
        arguments, self.layers = NETWORKS[network]
        self.model = directory / f"{network}.h5"
        self.acts = directory / f"{network}-acts.h5"
        self.units = directory / f"{network}-units.h5"
        checked([probe, "train", *arguments, *DATA_ARGS, "--epochs", "3", "--seed", "1", "-o", self.model, "--quiet"])
        checked([probe, "record", self.model, *DATA_ARGS, "--split", "test", "--with-images", "-o", self.acts,
                 "--quiet"])
        self.acts_sha_before = sha256(self.acts)
        self.json = json.loads(checked(self.units_command(probe, SEED, self.units)).stdout)
        self.acts_sha_after = sha256(self.acts)

    def units_command(self, probe, seed, output):
        return [probe, "units", self.acts, "--layer", ",".join(self.layers), "--top", TOP_K, "--random", RANDOM_K,
                "--rotations", ROTATIONS, "--seed", seed, "-o", output, "--json", "--quiet"]


@pytest.fixture(scope="module")
def analyses(probe, fixture_data, tmp_path_factory):
    directory = tmp_path_factory.mktemp("units")
    return {network: Analysis(probe, directory, network) for network in NETWORKS}


@pytest.fixture(params=sorted(NETWORKS))
def analysis(request, analyses):
    return analyses[request.param]


# --- recomputation helpers ---

def families(group):
    """[(family name, its group)]: units, random, each rotation (and pca if present)."""
    found = [("units", group["units"]), ("random", group["random"])]
    rotations = group["rotations"]
    found += [(f"rotations/{name}", rotations[name]) for name in sorted(rotations, key=int)]
    if "pca" in group:
        found.append(("pca", group["pca"]))
    return found


def label_measures(rows, labels, classes):
    counts = np.bincount(labels[rows], minlength=classes)
    purity = counts.max() / len(rows)
    p = counts[counts > 0] / len(rows)
    entropy = float(-(p * np.log2(p)).sum()) + 0.0
    return purity, entropy


def pixel_cosine(rows, pixels):
    """Mean over pairs i != j of the cosine of the raw pixel vectors (an all-zero image: 0)."""
    x = pixels[rows].reshape(len(rows), -1).astype(np.float64)
    norms = np.linalg.norm(x, axis=1)
    safe = np.where(norms > 0, norms, 1.0)
    cosines = (x @ x.T) / np.outer(safe, safe)
    cosines[norms == 0, :] = 0.0
    cosines[:, norms == 0] = 0.0
    k = len(rows)
    return float((cosines.sum() - np.trace(cosines)) / (k * (k - 1)))


def ranked(values, k, largest):
    """The rows of the k largest (or smallest) values; ties to the lower row."""
    order = np.argsort(-values if largest else values, kind="stable")
    return order[:k]


def rounding_difference(values, stored, expected, largest):
    """None when `stored` (a top or bottom row list) is a valid ranking of `values` up to float32
    rounding (only values within ROUNDING relative of the k-th value, or of each other, exchanged);
    else a description of what is wrong."""
    s = values if largest else -values
    k = len(expected)
    if len(set(stored.tolist())) != k or stored.min() < 0 or stored.max() >= len(values):
        return f"not {k} distinct rows: {stored.tolist()}"
    kth = s[expected[-1]]
    tolerance = ROUNDING * abs(kth)
    outside = np.setdiff1d(np.arange(len(values)), stored)
    if s[stored].min() < kth - tolerance:
        return f"holds a row of value {s[stored].min()!r} below the k-th value {kth!r}"
    if len(outside) and s[outside].max() > kth + tolerance:
        return f"misses a row of value {s[outside].max()!r} above the k-th value {kth!r}"
    ordered = s[stored]
    for a, b in zip(ordered[:-1], ordered[1:]):
        if b > a + ROUNDING * max(abs(a), abs(b)):
            return f"out of order: {a!r} before {b!r}"
    return None


# --- the analysis against NumPy ---

class Recomputation:
    """Everything test_units_file recomputes for one analysis, gathered once: problems by kind."""

    def __init__(self, analysis):
        self.problems = {"link": [], "rows": [], "labels": [], "cosine": [], "cosine_exact": []}
        self.rounding_cases = {}  # (layer, family, direction, "top"/"bottom") -> rows exchanged
        self.directions = 0
        self.worst_cosine = 0.0
        with h5py.File(analysis.acts, "r") as a, h5py.File(analysis.units, "r") as r:
            labels = a["labels"][()].astype(np.int64)
            pixels = a["images"][()]
            classes = len(a.attrs["class_names"])
            k = int(r.attrs["top_k"])
            assert k == TOP_K
            for layer in analysis.layers:
                group = r["units"][layer]
                linked = group["activations"]
                sources = linked.virtual_sources() if linked.is_virtual else []
                if not (len(sources) == 1 and sources[0].dset_name == f"/layers/{layer}"):
                    self.problems["link"].append(f"{layer}: activations is not a virtual dataset of /layers/{layer}: {sources}")
                direct = a["layers"][layer][()]
                through_link = linked[()]
                if through_link.dtype != direct.dtype or through_link.tobytes() != direct.tobytes():
                    self.problems["link"].append(f"{layer}: the virtual dataset gives other data")
                expected_unit = "channel" if direct.ndim == 4 else "position"
                if group.attrs["unit"] != expected_unit or group.attrs["pool"] != ("max" if direct.ndim == 4 else "none"):
                    self.problems["link"].append(f"{layer}: unit {group.attrs['unit']}, pool {group.attrs['pool']} for a layer of rank {direct.ndim}")
                for family, fg in families(group):
                    self.check_family(analysis.network, layer, family, fg, direct, group, labels, pixels, classes, k)

    def check_family(self, network, layer, family, fg, direct, group, labels, pixels, classes, k):
        directions = fg["directions"][()]
        assert directions.dtype == np.float32 and directions.shape[1] == int(group.attrs["units"]), (layer, family)
        projections = scores(direct, directions, group)  # (N, M), float64
        top, bottom = fg["top"][()], fg["bottom"][()]
        assert top.dtype == bottom.dtype == np.int64, (layer, family)
        assert top.shape == bottom.shape == (len(directions), k), (layer, family, top.shape)
        for name in ("top", "bottom"):
            assert tuple(d.label for d in fg[name].dims) == ("direction", "rank"), (layer, family, name)
        stored = {m: fg[m][()] for m in MEASURES}
        for m in MEASURES:
            assert stored[m].dtype == np.float64 and stored[m].shape == (len(directions),), (layer, family, m)
        for i in range(len(directions)):
            self.directions += 1
            values = projections[:, i]
            where = f"{network} {layer} {family}[{i}]"
            expected_top = ranked(values, k, True)
            for name, rows, largest in (("top", top[i], True), ("bottom", bottom[i], False)):
                expected = ranked(values, k, largest)
                if np.array_equal(rows, expected):
                    continue
                if family == "units":  # projections onto e_i are exact in float32 too: no allowance
                    self.problems["rows"].append(f"{where} {name}: {rows.tolist()} != {expected.tolist()}")
                    continue
                wrong = rounding_difference(values, rows, expected, largest)
                if wrong:
                    self.problems["rows"].append(f"{where} {name}: {wrong}")
                else:
                    self.rounding_cases[(layer, family, i, name)] = len(np.setdiff1d(rows, expected))
            # The measures of the top set: ours when the sets agree, else those of the stored set
            # (which the rounding check above has judged).
            same_set = set(top[i].tolist()) == set(expected_top.tolist())
            rows = expected_top if same_set else top[i]
            purity, entropy = label_measures(rows, labels, classes)
            for m, value in (("purity", purity), ("entropy", entropy)):
                if not abs(stored[m][i] - value) <= 1e-9:
                    self.problems["labels"].append(f"{where} {m}: stored {stored[m][i]!r}, NumPy {value!r}")
            cosine = pixel_cosine(rows, pixels)
            deviation = abs(stored["cosine"][i] - cosine)
            self.worst_cosine = max(self.worst_cosine, deviation)
            if not deviation <= 1e-9:
                self.problems["cosine_exact"].append(f"{where} cosine: stored {stored['cosine'][i]!r}, "
                                                     f"NumPy {cosine!r}")
            if not deviation <= COSINE_FLOAT32:
                self.problems["cosine"].append(f"{where} cosine: stored {stored['cosine'][i]!r}, NumPy {cosine!r}")
            if not same_set:  # rounding exchanged rows: the purity moves by at most that many labels
                expected_purity, _ = label_measures(expected_top, labels, classes)
                exchanged = len(np.setdiff1d(top[i], expected_top))
                if abs(expected_purity - stored["purity"][i]) > exchanged / k + 1e-12:
                    self.problems["labels"].append(f"{where}: purity {stored['purity'][i]} vs {expected_purity} "
                                                   f"with {exchanged} rows exchanged")


@pytest.fixture(scope="module")
def recomputations(analyses):
    return {network: Recomputation(analysis) for network, analysis in analyses.items()}


def report(problems):
    return f"{len(problems)} problems, the first ones:\n" + "\n".join(problems[:20])


def test_external_link_resolves_to_the_recorded_layer(analysis, recomputations):
    problems = recomputations[analysis.network].problems["link"]
    assert not problems, report(problems)


def test_top_and_bottom_rows(analysis, recomputations):
    done = recomputations[analysis.network]
    assert not done.problems["rows"], report(done.problems["rows"])
    cases = sorted(done.rounding_cases)
    print(f"\n{analysis.network}: {done.directions} directions checked; {len(cases)} top/bottom row lists "
          f"needed the float32 rounding allowance: {cases}")
    assert len(cases) <= max(2, done.directions // 50), cases


def test_purity_and_entropy(analysis, recomputations):
    problems = recomputations[analysis.network].problems["labels"]
    assert not problems, report(problems)


def test_pixel_cosine(analysis, recomputations):
    """Agreement with the float64 recomputation (see also test_pixel_cosine_exact)."""
    problems = recomputations[analysis.network].problems["cosine"]
    assert not problems, report(problems)


def test_pixel_cosine_exact(analysis, recomputations):
    done = recomputations[analysis.network]
    assert not done.problems["cosine_exact"], f"worst {done.worst_cosine:.3g}; " + report(done.problems["cosine_exact"])


def test_mann_whitney_and_means(analysis):
    with h5py.File(analysis.units, "r") as r:
        for layer in analysis.layers:
            group = r["units"][layer]
            for measure in MEASURES:
                units = group["units"][measure][()]
                random = group["random"][measure][()]
                assert np.all(np.isfinite(units)) and np.all(np.isfinite(random)), (layer, measure)
                c = group["comparison"][measure].attrs
                keys = ["units_mean", "units_low", "units_high", "random_mean", "random_low", "random_high", "u",
                        "p_value", "z", "auc", "cliffs_delta"]
                assert set(c.keys()) == set(keys), (layer, measure, sorted(c.keys()))
                for key in keys:
                    assert type(c[key]) is np.float64, (layer, measure, key, type(c[key]))
                result = stats.mannwhitneyu(units, random, alternative="two-sided", method="asymptotic")
                where = f"{analysis.network} {layer} {measure}"
                assert c["u"] == result.statistic, (where, c["u"], result.statistic)
                assert c["p_value"] == pytest.approx(result.pvalue, rel=1e-9, abs=0), where
                assert 2 * stats.norm.sf(abs(c["z"])) == pytest.approx(result.pvalue, rel=1e-9), (where, c["z"])
                auc = result.statistic / (len(units) * len(random))
                assert c["auc"] == pytest.approx(auc, rel=1e-12, abs=1e-15), where
                assert c["cliffs_delta"] == pytest.approx(2 * auc - 1, rel=1e-12, abs=1e-12), where
                for name, values in (("units", units), ("random", random)):
                    assert c[f"{name}_mean"] == pytest.approx(values.mean(), rel=1e-12, abs=1e-15), (where, name)
                    assert c[f"{name}_low"] <= c[f"{name}_mean"] <= c[f"{name}_high"], (where, name)
                    assert values.min() <= c[f"{name}_low"] and c[f"{name}_high"] <= values.max(), (where, name)


def test_dead_units_and_class_selectivity(analysis):
    with h5py.File(analysis.acts, "r") as a, h5py.File(analysis.units, "r") as r:
        labels = a["labels"][()].astype(np.int64)
        for layer in analysis.layers:
            group = r["units"][layer]
            phi = unit_scores(a["layers"][layer][()], group)
            dead = np.flatnonzero(phi.min(axis=0) == phi.max(axis=0))
            stored_dead = group["dead_units"][()]
            assert isinstance(stored_dead, np.ndarray) and stored_dead.dtype == np.int64, type(stored_dead)
            assert stored_dead.tolist() == dead.tolist(), (layer, stored_dead, dead)
            live = np.setdiff1d(np.arange(phi.shape[1]), dead)
            indices = group["units"]["unit_indices"][()]
            assert indices.dtype == np.int64 and indices.tolist() == live.tolist(), (layer, indices)
            directions = group["units"]["directions"][()]
            np.testing.assert_array_equal(directions, np.eye(phi.shape[1], dtype=np.float32)[live])
            assert group.attrs["units"] == phi.shape[1] and group.attrs["samples"] == len(phi)
            # Class selectivity (Morcos et al. 2018): NaN for dead units or a non-positive denominator.
            means = np.stack([phi[labels == c].astype(np.float64).mean(axis=0) for c in np.unique(labels)])
            best = means.max(axis=0)
            rest = (means.sum(axis=0) - best) / (len(means) - 1)
            with np.errstate(invalid="ignore", divide="ignore"):
                expected = np.where(best + rest > 0, (best - rest) / (best + rest), np.nan)
            expected[dead] = np.nan
            stored = group["class_selectivity"][()]
            assert stored.dtype == np.float64 and stored.shape == (phi.shape[1],)
            np.testing.assert_allclose(stored, expected, rtol=1e-5, atol=1e-7, equal_nan=True, err_msg=layer)
        if analysis.network == "relu":
            # 3 epochs of ReLU training leave dead units on this data: the case is exercised.
            assert any(len(r["units"][layer]["dead_units"]) for layer in analysis.layers)


def test_detectors(analysis):
    with h5py.File(analysis.units, "r") as r:
        threshold = r.attrs["purity_threshold"]
        for layer in analysis.layers:
            group = r["units"][layer]
            detectors = group["detectors"]
            assert type(detectors.attrs["threshold"]) is np.float64 and detectors.attrs["threshold"] == threshold
            assert type(detectors.attrs["natural"]) is np.int64
            assert detectors.attrs["natural"] == int((group["units"]["purity"][()] >= threshold).sum())
            rotated = detectors["rotated"][()]
            assert rotated.dtype == np.int64 and rotated.shape == (ROTATIONS,)
            assert sorted(group["rotations"].keys(), key=int) == [str(i) for i in range(1, ROTATIONS + 1)]
            for index in range(ROTATIONS):
                purity = group["rotations"][str(index + 1)]["purity"][()]
                assert rotated[index] == int((purity >= threshold).sum()), (layer, index)


def test_random_directions_and_rotations(analysis):
    with h5py.File(analysis.units, "r") as r:
        for layer in analysis.layers:
            group = r["units"][layer]
            width = int(group.attrs["units"])
            random = group["random"]["directions"][()].astype(np.float64)
            assert random.shape == (RANDOM_K, width)
            np.testing.assert_allclose(np.linalg.norm(random, axis=1), 1.0, atol=1e-6)
            assert len(np.unique(random.round(6), axis=0)) == RANDOM_K
            for index in range(1, ROTATIONS + 1):
                q = group["rotations"][str(index)]["directions"][()].astype(np.float64)
                assert q.shape == (width, width)
                np.testing.assert_allclose(q @ q.T, np.eye(width), atol=1e-4, err_msg=f"{layer} rotation {index}")


def test_json_agrees_with_the_file(analysis):
    with h5py.File(analysis.units, "r") as r:
        printed = {entry["layer"]: entry for entry in analysis.json["layers"]}
        assert sorted(printed) == sorted(analysis.layers)
        for layer in analysis.layers:
            group, entry = r["units"][layer], printed[layer]
            assert entry["dead_units"] == group["dead_units"][()].tolist()
            assert entry["detectors"]["units"] == group["detectors"].attrs["natural"]
            assert entry["detectors"]["rotated"] == group["detectors"]["rotated"][()].tolist()
            assert entry["verdict"] == group.attrs["verdict"]
            for comparison in entry["comparisons"]:
                attrs = group["comparison"][comparison["measure"]].attrs
                assert comparison["p_value"] == attrs["p_value"] and comparison["u"] == attrs["u"]
                assert comparison["units"]["mean"] == attrs["units_mean"]


# --- reproducibility ---

def every_item(f):
    """{path: ("dataset", array) or ("group", None)} and {(path, attribute): value}, without `created`."""
    items, attributes = {}, {}

    def visit(name, item):
        if isinstance(item, h5py.Dataset):
            items[name] = ("dataset", item[()])
        else:
            items[name] = ("group", None)
        for key, value in item.attrs.items():
            # HDF5's dimension-scale bookkeeping holds object addresses, which move with the length
            # of the recording's relative name; the values themselves are compared.
            if key not in ("DIMENSION_LIST", "REFERENCE_LIST"):
                attributes[(name, key)] = value

    f.visititems(visit)  # does not follow the external links
    for key, value in f.attrs.items():
        # When it was written and the command that wrote it (which names its output) differ between runs.
        if key not in ("created", "command_line"):
            attributes[("/", key)] = value
    return items, attributes


def same_value(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind == "f":
        return np.array_equal(a, b, equal_nan=True)
    return np.array_equal(a, b)


def test_same_seed_same_file_other_seed_other_directions(analyses, probe, tmp_path):
    analysis = analyses["relu"]
    again, other = tmp_path / "again.h5", tmp_path / "other.h5"
    checked(analysis.units_command(probe, SEED, again))
    checked(analysis.units_command(probe, SEED + 1, other))
    with h5py.File(analysis.units, "r") as f, h5py.File(again, "r") as g:
        items_f, attrs_f = every_item(f)
        items_g, attrs_g = every_item(g)
        assert sorted(items_f) == sorted(items_g)
        assert sorted(attrs_f) == sorted(attrs_g)
        differ = [name for name, (kind, value) in items_f.items()
                  if items_g[name][0] != kind or (kind == "dataset" and not same_value(value, items_g[name][1]))]
        differ += [key for key, value in attrs_f.items() if not same_value(value, attrs_g[key])]
        assert not differ, f"the same --seed gave different values: {differ[:20]}"
        with h5py.File(other, "r") as h:
            for layer in analysis.layers:
                ours, theirs = f["units"][layer], h["units"][layer]
                assert not np.allclose(ours["random/directions"][()], theirs["random/directions"][()])
                assert not np.allclose(ours["rotations/1/directions"][()], theirs["rotations/1/directions"][()])
                np.testing.assert_array_equal(ours["units/top"][()], theirs["units/top"][()])
            assert h.attrs["seed"] == SEED + 1
    assert sha256(analysis.acts) == analysis.acts_sha_before


# --- the file around the numbers ---

ROOT_STRINGS = ["format", "tool_version", "created", "command_line", "blas_kernel", "blas_kernel_selection", "activations_file", "activations_sha256", "model_sha256",
                "model_architecture", "split"]
ROOT_INT64 = ["format_version", "seed", "top_k", "picture_k", "rotations", "bootstrap_resamples"]
ROOT_FLOAT64 = ["purity_threshold"]


def test_activation_file_untouched_and_root_attributes(analysis):
    assert analysis.acts_sha_after == analysis.acts_sha_before
    with h5py.File(analysis.units, "r") as r:
        attrs = r.attrs
        assert set(attrs.keys()) == set(ROOT_STRINGS + ROOT_INT64 + ROOT_FLOAT64 + ["layers"])
        for key in ROOT_STRINGS:
            assert type(attrs[key]) is str, key
        for key in ROOT_INT64:
            assert type(attrs[key]) is np.int64, key
        for key in ROOT_FLOAT64:
            assert type(attrs[key]) is np.float64, key
        assert isinstance(attrs["layers"], np.ndarray) and all(type(s) is str for s in attrs["layers"])
        assert list(attrs["layers"]) == analysis.layers
        assert attrs["format"] == "neuron-probe/units" and attrs["format_version"] == 2
        assert attrs["activations_file"] == str(analysis.acts)
        assert attrs["activations_sha256"] == analysis.acts_sha_before
        assert attrs["model_sha256"] == sha256(analysis.model)
        assert attrs["model_architecture"] == NETWORKS[analysis.network][0][1] and attrs["split"] == "test"
        assert attrs["seed"] == SEED and attrs["top_k"] == TOP_K and attrs["picture_k"] == 9
        assert attrs["rotations"] == ROTATIONS and attrs["purity_threshold"] == 0.8
        assert attrs["bootstrap_resamples"] > 0
        with h5py.File(analysis.acts, "r") as a:
            assert attrs["model_sha256"] == a.attrs["model_sha256"]
        for layer in analysis.layers:
            group = r["units"][layer]
            for key in ("units", "samples", "labels_available", "images_available"):
                assert type(group.attrs[key]) is np.int64, (layer, key)
            assert group.attrs["labels_available"] == 1 and group.attrs["images_available"] == 1
            assert type(group.attrs["verdict"]) is str and group.attrs["verdict"].strip()


def png_size(path):
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13, (kind, length)
    width, height = struct.unpack(">II", data[16:24])
    (crc,) = struct.unpack(">I", data[16 + length:20 + length])
    assert crc == zlib.crc32(data[12:16 + length]), "IHDR CRC"
    assert data.endswith(b"IEND\xaeB`\x82"), f"{path} does not end with IEND"
    return width, height


def test_pictures(analysis):
    for layer in analysis.layers:
        picture = analysis.units.with_name(f"{analysis.units.stem}.{layer}.png")  # beside -o, NAME.<layer>.png
        assert picture.is_file(), f"no picture {picture}"
        width, height = png_size(picture)
        assert width > 0 and height > 0
