"""docs/file-layouts.json, the machine-readable list of what every kind of file holds, against the
files the tool writes and the documents that describe them (issue 12).

One file of every kind and variant is written with the real tool on the tiny fixture data set
(small models, one epoch, a few examples): model files of conv-small, a maxout, an autoencoder and
sigmoid and tanh networks, and one `probe import` made of an ONNX file (normalize, avgpool2d, /source);
activation files with and without --with-images, two shards and their
merge; units files with images (and figures), PCA and rotations, and without images or rotations;
attack files of FGSM with a fixed --target, PGD (--steps with --random-start), L-BFGS and noise
(--stddev and --match), two L-BFGS shards and their merge; transfer files of the FGSM and noise files over two models and of the
L-BFGS file with --amplify; Lipschitz files of the five models. h5py walks each file, links
included, and

  - every group, dataset, link and attribute found must be listed for its kind, with the listed
    type, dtype, rank and dimension labels (HDF5's own bookkeeping attributes, the list's
    reserved_attributes, are left out);
  - every entry listed without a condition (`when`) must be in every file of its kind (in every
    instance of its parent), and every entry must be found in at least one file;
  - every axis of a dataset whose axes are all labelled has one dimension scale attached, listed
    as a "dimension scale" that names that dataset's axis (its `axes`), with netCDF-4's `NAME`;
    no other axis has one, and every axis a scale is listed for is found in at least one file;
  - every name in the list must be in the kind's document in backticks, and every name in the
    document's attribute and dataset tables must be in the list (of a document several kinds
    share, docs/results-files.md, the section whose heading names the kind's format).

Every failure names the kind, the file's variant and the path.
"""
import hashlib
import json
import re
from pathlib import Path

import h5py
import numpy as np
import pytest

from conftest import DATA_ARGS, REPO_ROOT, describe, run

LAYOUTS = REPO_ROOT / "docs" / "file-layouts.json"
DATASET_DTYPES = {"<f4": "float32", "<f8": "float64", "<i8": "int64", "|u1": "uint8"}
ATTRIBUTE_DTYPES = {"string", "int64", "float64", "string array", "int64 array", "float64 array"}
# Columns of the documents' tables that name attributes, datasets, dimension scales or groups.
NAME_COLUMNS = {"attribute", "dataset", "path", "configuration", "datasets", "scale"}
# A dimension scale's NAME as netCDF-4 writes it for a dimension without coordinate values.
NETCDF_DIMENSION = "This is a netCDF dimension but not a netCDF variable."


def load_layouts():
    return json.loads(LAYOUTS.read_text())


LAYOUT = load_layouts()
KINDS = sorted(LAYOUT["kinds"])
RESERVED = set(LAYOUT["reserved_attributes"]["names"])


# --- paths and placeholders ---

def components(path):
    return [c for c in path.split("/") if c]


PLACEHOLDER = re.compile(r"<[^>]+>")


def is_placeholder(component):
    """A whole component that is a placeholder: `<layer>`."""
    return PLACEHOLDER.fullmatch(component) is not None


def has_placeholder(component):
    """A component that holds a placeholder, whole or in part: `<layer>`, `<layer>_unit`."""
    return PLACEHOLDER.search(component) is not None


def specificity(component):
    """Literal components first, then partial placeholders with the most literal characters
    (`<layer>_dead_unit` before `<layer>_<family>_unit` before `<layer>_unit`), then whole ones."""
    if is_placeholder(component):
        return 2, 0
    return (1, -len(PLACEHOLDER.sub("", component))) if has_placeholder(component) else (0, 0)


def bind(pattern, path_components):
    """The placeholders' values if `pattern` (components) matches the path, else None. A
    placeholder stands for one component or, inside a component (`<layer>_unit`), for a part of it."""
    if len(pattern) != len(path_components):
        return None
    bindings = {}
    for p, c in zip(pattern, path_components):
        if not has_placeholder(p):
            if p != c:
                return None
            continue
        match = re.fullmatch("(.+)".join(re.escape(literal) for literal in PLACEHOLDER.split(p)), c)
        if match is None:
            return None
        for name, value in zip(PLACEHOLDER.findall(p), match.groups()):
            if bindings.setdefault(name, value) != value:
                return None
    return bindings


def resolve(entries, path):
    """The entry of `path` and the placeholders' values: the most specific entry that matches
    (literal components win over partial placeholders, those with more literal characters over
    those with fewer, and partial placeholders over whole ones, from the root down), or (None, None)."""
    comps = components(path)
    matches = [(tuple(specificity(p) for p in e["pattern"]), i, e, b)
               for i, e in enumerate(entries) if (b := bind(e["pattern"], comps)) is not None]
    if not matches:
        return None, None
    _, _, entry, bindings = min(matches, key=lambda m: (m[0], m[1]))
    return entry, bindings


def substitute(pattern, bindings):
    for name, value in bindings.items():
        pattern = pattern.replace(name, value)
    return pattern


def entries_of(kind):
    entries = [dict(e) for e in LAYOUT["kinds"][kind]["objects"]]
    for e in entries:
        e["pattern"] = components(e["path"])
    return entries


def rank_of(shape):
    """The ranks a shape in words allows: "(N, units) or (N, C, H, W)" -> {2, 4}."""
    return {len([c for c in alternative.strip().strip("()").split(",") if c.strip()])
            for alternative in shape.split(" or ")}


# --- what a file holds ---

def attribute_type(obj, name):
    """An attribute's type in the list's words: string, int64, string array, …; anything else spelled out."""
    aid = obj.attrs.get_id(name)
    string = h5py.check_string_dtype(aid.dtype)
    if string is not None:
        base = "string" if (string.length is None and string.encoding == "utf-8") else \
            f"string ({string.encoding}, {'variable length' if string.length is None else f'{string.length} bytes'})"
    else:
        base = DATASET_DTYPES.get(aid.dtype.str, aid.dtype.str)
    shape = aid.shape
    if shape == ():
        return base
    return f"{base} array" if len(shape) == 1 else f"{base} array of rank {len(shape)}"


def walk(path):
    """Every object of the file at `path`, links included: {path: description}."""
    found = {}
    with h5py.File(path, "r") as f:
        def describe_attributes(obj):
            return {name: attribute_type(obj, name) for name in obj.attrs if name not in RESERVED}

        def visit(group, prefix):
            for name in group:
                child = f"{prefix.rstrip('/')}/{name}"
                link = group.get(name, getlink=True)
                if isinstance(link, h5py.ExternalLink):
                    found[child] = {"type": "external link", "target": link.path, "file": link.filename, "attributes": {}}
                    continue
                if isinstance(link, h5py.SoftLink):
                    found[child] = {"type": "soft link", "target": link.path, "attributes": {}}
                    continue
                obj = group[name]
                if isinstance(obj, h5py.Group):
                    found[child] = {"type": "group", "attributes": describe_attributes(obj)}
                    visit(obj, child)
                else:
                    scale = h5py.h5ds.is_scale(obj.id)
                    found[child] = {
                        "type": "dimension scale" if scale else "dataset",
                        "dtype": DATASET_DTYPES.get(obj.dtype.str, obj.dtype.str), "rank": obj.ndim,
                        "dims": [d.label for d in obj.dims], "attributes": describe_attributes(obj),
                        # The scales attached to each axis, by path; a scale's NAME and length.
                        "scales": [[s.name for s in d.values()] for d in obj.dims],
                        "name": obj.attrs["NAME"].decode() if scale else None, "length": len(obj) if scale else None}

        found["/"] = {"type": "group", "attributes": describe_attributes(f)}
        visit(f, "/")
    return found


def format_of(path):
    with h5py.File(path, "r") as f:
        return f.attrs.get("format"), f.attrs.get("format_version")


# --- one file of every kind and variant ---

def write_onnx_conv(path):
    """An ONNX file, made with onnx.helper: Conv 3x3 (2 maps), AveragePool 2, Flatten, Gemm to 10 classes."""
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(0)
    weights = [numpy_helper.from_array(rng.normal(size=shape).astype(np.float32), name)
               for name, shape in [("w", (2, 1, 3, 3)), ("b", (2,)), ("W", (10, 2 * 13 * 13)), ("c", (10,))]]
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["h"], name="conv", kernel_shape=[3, 3]),
             helper.make_node("AveragePool", ["h"], ["p"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
             helper.make_node("Flatten", ["p"], ["f"], name="flatten"),
             helper.make_node("Gemm", ["f", "W", "c"], ["y"], name="fc", transB=1)]
    graph = helper.make_graph(nodes, "conv-avgpool", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 1, 28, 28])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 10])], initializer=weights)
    path.write_bytes(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString())
    return path


@pytest.fixture(scope="module")
def written(probe, fixture_data, tmp_path_factory):
    """{kind: [(variant, path, walk)]} for files written by the tool in one directory."""
    d = tmp_path_factory.mktemp("layouts")
    (d / "shards").mkdir()
    (d / "merged").mkdir()
    conv, maxout, fc, ae, tanh = (d / n for n in ("conv-small.h5", "maxout.h5", "fc.h5", "ae.h5", "tanh.h5"))
    acts_images, acts_plain = d / "acts-images.h5", d / "acts.h5"
    parts = [d / "shards" / "part-1.h5", d / "shards" / "part-2.h5"]
    merged = d / "merged" / "all.h5"
    attack_parts = [d / "shards" / "attack-1.h5", d / "shards" / "attack-2.h5"]
    attack_merged = d / "merged" / "attack.h5"
    units_images, units_plain = d / "units-images.h5", d / "units.h5"
    fgsm, pgd, lbfgs, noise_matched, noise_sigma = (d / n for n in ("fgsm.h5", "pgd.h5", "lbfgs.h5", "noise-match.h5", "noise-stddev.h5"))
    transfer, transfer_amplified = d / "transfer.h5", d / "transfer-amplified.h5"
    data = [*DATA_ARGS]
    imported, onnx_file = d / "imported.h5", write_onnx_conv(d / "conv-avgpool.onnx")
    data_dir = DATA_ARGS[DATA_ARGS.index("--data-dir"):]  # probe transfer reads the data set the attack files name
    steps = [
        ("model", "conv-small (conv2d, maxpool2d, relu, flatten, dense; P1, --validation)", conv,
         ["train", "--arch", "conv-small", "--epochs", "1", "--train-subset", "P1", "--validation", "200", *data]),
        ("model", "maxout10-10 (dropout, maxout)", maxout, ["train", "--arch", "maxout10-10", "--maxout-pieces", "2", "--epochs", "1", *data]),
        ("model", "fc20-10 (sigmoid)", fc, ["train", "--arch", "fc20-10", "--epochs", "1", *data]),
        ("model", "ae20-10 (pre-training)", ae, ["train", "--arch", "ae20-10", "--pretrain-epochs", "1", "--epochs", "1", *data]),
        ("model", "fc20-10 tanh, sgd, adversarial training", tanh,
         ["train", "--arch", "fc20-10", "--activation", "tanh", "--optimizer", "sgd", "--adversarial", "fgsm:0.1", "--epochs", "1", *data]),
        ("activations", "conv-small --with-images", acts_images, ["record", conv, "--with-images", *data]),
        ("activations", "fc20-10, gzip, no images", acts_plain, ["record", fc, "--compression", "gzip:1", *data]),
        ("activations", "shard 1/2 --with-images", parts[0], ["record", fc, "--with-images", "--shard", "1/2", *data]),
        ("activations", "shard 2/2 --with-images", parts[1], ["record", fc, "--with-images", "--shard", "2/2", *data]),
        ("activations", "merged from 2 shards", merged, ["merge", *parts]),
        ("units", "with images and figures, a (N, C, H, W) layer, --pca 2, --rotations 2", units_images,
         ["units", acts_images, "--layer", "fc1,relu3,pool2", "--random", "10", "--rotations", "2", "--top", "5", "--pca", "2"]),
        ("units", "without images, --rotations 0", units_plain,
         ["units", acts_plain, "--layer", "fc1,sigmoid1", "--random", "5", "--rotations", "0", "--top", "5"]),
        ("attack", "fgsm, two radii, --target 3 (skipped_indices)", fgsm,
         ["attack", "fgsm", fc, "--epsilon", "0.1,0.25", "--target", "3", "--limit", "20", *data]),
        ("attack", "pgd (--steps 3 --random-start)", pgd,
         ["attack", "fgsm", fc, "--epsilon", "0.1", "--steps", "3", "--random-start", "--limit", "10", *data]),
        ("attack", "lbfgs --target 3", lbfgs,
         ["attack", "lbfgs", fc, "--target", "3", "--limit", "8", "--max-iterations", "10", "--c-search-steps", "3", *data]),
        ("attack", "noise --match (the fgsm file)", noise_matched, ["attack", "noise", fc, "--match", fgsm, *data]),
        ("attack", "lbfgs shard 1/2", attack_parts[0],
         ["attack", "lbfgs", fc, "--limit", "6", "--max-iterations", "5", "--c-search-steps", "2", "--shard", "1/2", *data]),
        ("attack", "lbfgs shard 2/2", attack_parts[1],
         ["attack", "lbfgs", fc, "--limit", "6", "--max-iterations", "5", "--c-search-steps", "2", "--shard", "2/2", *data]),
        ("attack", "merged from 2 attack shards", attack_merged, ["merge", *attack_parts]),
        ("attack", "noise --stddev", noise_sigma, ["attack", "noise", fc, "--stddev", "0.1", "--limit", "10", *data]),
        ("transfer", "fgsm (two radii) and noise --stddev over fc20-10 and conv-small (P1)", transfer,
         ["transfer", fgsm, noise_sigma, "--models", fc, conv, *data_dir]),
        ("transfer", "lbfgs over fc20-10, --amplify 0.1", transfer_amplified,
         ["transfer", lbfgs, "--models", fc, "--amplify", "0.1", *data_dir]),
        ("model", "imported from ONNX with --mean/--std (normalize, conv2d, avgpool2d, flatten, dense; /source)", imported,
         ["import", onnx_file, "--mean", "0.5", "--std", "0.25"]),
        *[("lipschitz", variant, d / f"{model.stem}.lipschitz.h5", ["lipschitz", model])
          for variant, model in [("conv-small (conv2d, relu, maxpool2d, flatten, dense)", conv), ("maxout10-10 (dropout, maxout)", maxout),
                                 ("fc20-10 (sigmoid)", fc), ("fc20-10 tanh", tanh), ("ae20-10", ae)]],
    ]
    files = {kind: [] for kind in KINDS}
    for kind, variant, output, args in steps:
        quiet = [] if args[0] in ("merge", "transfer", "lipschitz", "import") else ["--quiet"]  # no progress to quieten
        result = run([probe, *args, "-o", output, *quiet], timeout=300)
        if result.returncode != 0 or not output.is_file():
            pytest.fail(f"{kind} ({variant}): " + describe(result), pytrace=False)
        files[kind].append((variant, output, walk(output)))
    for layer in ("fc1", "relu3"):  # the figures beside the units file: written, but not HDF5
        assert (d / f"units-images.{layer}.png").is_file(), f"units (with images): no figure units-images.{layer}.png"
    return files


# --- the list itself ---

def flat_dims(dims):
    """Every label of a list's dims, one list or alternatives."""
    return {label for alternative in (dims if isinstance(dims[0], list) else [dims]) for label in alternative}


def test_the_list_is_well_formed():
    problems = []
    declared = set(LAYOUT["placeholders"])
    for kind in KINDS:
        layout = LAYOUT["kinds"][kind]
        paths = [e["path"] for e in layout["objects"]]
        problems += [f"{kind}: {p} is listed twice" for p in sorted({p for p in paths if paths.count(p) > 1})]
        if "/" not in paths:
            problems.append(f"{kind}: the root / is not listed")
        for e in layout["objects"]:
            where = f"{kind}: {e['path']}"
            if e.get("type") not in LAYOUT["object_types"]:
                problems.append(f"{where}: type {e.get('type')!r} is not one of object_types")
            parent = "/" + "/".join(components(e["path"])[:-1])
            if e["path"] != "/" and parent not in paths:
                problems.append(f"{where}: its parent {parent} is not listed")
            problems += [f"{where}: placeholder {name} is not in placeholders" for c in components(e["path"])
                         for name in PLACEHOLDER.findall(c) if name not in declared]
            if e["type"] in ("dataset", "dimension scale"):
                if e.get("dtype") not in DATASET_DTYPES.values():
                    problems.append(f"{where}: dataset dtype {e.get('dtype')!r} is not one of {sorted(DATASET_DTYPES.values())}")
                if "dims" not in e or "shape" not in e:
                    problems.append(f"{where}: a dataset needs shape and dims (null when unlabelled)")
                elif e["dims"] is not None:
                    alternatives = e["dims"] if e["dims"] and isinstance(e["dims"][0], list) else [e["dims"]]
                    if {len(a) for a in alternatives} != rank_of(e["shape"]):
                        problems.append(f"{where}: dims {e['dims']} do not fit the shape {e['shape']}")
            if e["type"] == "external link" and "target" not in e:
                problems.append(f"{where}: an external link needs its target")
            if e["type"] == "dimension scale":
                if not e.get("axes"):
                    problems.append(f"{where}: a dimension scale needs the axes it names")
                datasets = [d for d in layout["objects"] if d["type"] == "dataset" and d["dims"]]
                for dataset, label in e.get("axes", {}).items():
                    if not any(bind(components(dataset), components(d["path"])) is not None and label in flat_dims(d["dims"])
                               for d in datasets):
                        problems.append(f"{where}: axes: no dataset {dataset} with an axis {label} is listed")
            names = [a["name"] for a in e.get("attributes", [])]
            problems += [f"{where}: attribute {n} is listed twice" for n in sorted({n for n in names if names.count(n) > 1})]
            problems += [f"{where}: attribute {n} is reserved" for n in names if n in RESERVED]
            problems += [f"{where}: attribute {a['name']} has dtype {a.get('dtype')!r}, not one of {sorted(ATTRIBUTE_DTYPES)}"
                         for a in e.get("attributes", []) if a.get("dtype") not in ATTRIBUTE_DTYPES]
    assert not problems, "docs/file-layouts.json:\n" + "\n".join(problems)


def test_every_kind_the_tool_writes_is_listed(written):
    source = (REPO_ROOT / "Sources" / "Files" / "FileKind.swift").read_text()
    cases = re.search(r"^\s*case ([a-z, ]+)$", source, re.M)
    assert cases, "Sources/Files/FileKind.swift: no `case` list of the kinds"
    tool_kinds = {c.strip() for c in cases.group(1).split(",")}
    assert tool_kinds == set(KINDS), f"FileKind has {sorted(tool_kinds)}, docs/file-layouts.json lists {KINDS}"
    for kind in KINDS:
        layout = LAYOUT["kinds"][kind]
        assert layout["format"] == f"neuron-probe/{kind}", f"{kind}: format {layout['format']!r}"
        for variant, path, _ in written[kind]:
            fmt, version = format_of(path)
            assert (fmt, version) == (layout["format"], layout["format_version"]), \
                f"{kind} ({variant}): / has format {fmt!r} version {version}, the list says {layout['format']!r} version {layout['format_version']}"


# --- the files against the list ---

def check_object(kind, variant, path, found, entry, bindings):
    """What is wrong with one object found in a file, against its entry."""
    where = f"{kind} ({variant}): {path}"
    problems = []
    if found["type"] != entry["type"]:
        return [f"{where} is a {found['type']}, the list says {entry['type']}"]
    if found["type"] in ("dataset", "dimension scale"):
        if found["dtype"] != entry["dtype"]:
            problems.append(f"{where} holds {found['dtype']}, the list says {entry['dtype']}")
        if found["rank"] not in rank_of(entry["shape"]):
            problems.append(f"{where} has rank {found['rank']}, the list's shape is {entry['shape']}")
        dims = entry["dims"]
        allowed = [[""] * found["rank"]] if dims is None else (dims if dims and isinstance(dims[0], list) else [dims])
        if found["dims"] not in allowed:
            problems.append(f"{where} has dimension labels {found['dims']}, the list says {dims}")
    if found["type"] == "external link":
        target = substitute(entry["target"], bindings)
        if found["target"] != target:
            problems.append(f"{where} links to {found['file']}:{found['target']}, the list says {target}")
    listed = {a["name"]: a["dtype"] for a in entry.get("attributes", [])}
    for name, dtype in sorted(found["attributes"].items()):
        if name not in listed:
            problems.append(f"{where} @{name} ({dtype}) is not listed")
        elif dtype != listed[name]:
            problems.append(f"{where} @{name} is {dtype}, the list says {listed[name]}")
    return problems


@pytest.mark.parametrize("kind", KINDS)
def test_every_object_written_is_listed_with_its_type(written, kind):
    entries = entries_of(kind)
    problems = []
    for variant, _, objects in written[kind]:
        for path, found in objects.items():
            entry, bindings = resolve(entries, path)
            if entry is None:
                problems.append(f"{kind} ({variant}): {path} ({found['type']}) is not listed")
            else:
                problems += check_object(kind, variant, path, found, entry, bindings)
    assert not problems, "docs/file-layouts.json does not list what the tool writes:\n" + "\n".join(problems)


@pytest.mark.parametrize("kind", KINDS)
def test_what_is_listed_without_condition_is_in_every_file(written, kind):
    entries = entries_of(kind)
    problems = []
    for variant, _, objects in written[kind]:
        resolved = {path: resolve(entries, path)[0] for path in objects}
        for path, entry in resolved.items():
            if entry is None:
                continue
            for a in entry.get("attributes", []):
                if "when" not in a and a["name"] not in objects[path]["attributes"]:
                    problems.append(f"{kind} ({variant}): {path} has no attribute {a['name']}")
            # Children listed without a condition, under this object.
            for child in entries:
                if "when" in child or len(child["pattern"]) != len(entry["pattern"]) + 1:
                    continue
                if child["pattern"][:-1] != entry["pattern"] or has_placeholder(child["pattern"][-1]):
                    continue
                child_path = f"{path.rstrip('/')}/{child['pattern'][-1]}"
                if child_path not in objects:
                    problems.append(f"{kind} ({variant}): {child_path} ({child['type']}) is missing")
    assert not problems, "listed as always present, but not written:\n" + "\n".join(problems)


@pytest.mark.parametrize("kind", KINDS)
def test_everything_listed_is_written(written, kind):
    entries = entries_of(kind)
    seen_objects, seen_attributes = set(), set()
    for _, _, objects in written[kind]:
        for path, found in objects.items():
            entry, _ = resolve(entries, path)
            if entry is not None:
                seen_objects.add(entry["path"])
                seen_attributes |= {(entry["path"], name) for name in found["attributes"]}
    problems = [f"{kind}: {e['path']} ({e['type']}) is in no file written" for e in entries if e["path"] not in seen_objects]
    problems += [f"{kind}: {e['path']} @{a['name']} is in no file written"
                 for e in entries for a in e.get("attributes", []) if (e["path"], a["name"]) not in seen_attributes]
    assert not problems, "docs/file-layouts.json lists what no file holds:\n" + "\n".join(problems)


def names_axis(scale_entry, scale_bindings, dataset_path, label):
    """Whether the listed scale (its placeholders bound by the scale's name) names axis `label` of
    the dataset at `dataset_path`."""
    for pattern, listed_label in scale_entry.get("axes", {}).items():
        bindings = bind(components(pattern), components(dataset_path))
        if listed_label == label and bindings is not None and \
                all(scale_bindings.get(name, value) == value for name, value in bindings.items()):
            return pattern
    return None


@pytest.mark.parametrize("kind", KINDS)
def test_every_labelled_axis_has_its_listed_dimension_scale(written, kind):
    entries = entries_of(kind)
    problems, seen = [], set()
    for variant, _, objects in written[kind]:
        for path, found in objects.items():
            where = f"{kind} ({variant}): {path}"
            if found["type"] == "dimension scale":
                name = f"{NETCDF_DIMENSION}{found['length']:>10}"
                if found["name"] != name or found["rank"] != 1 or any(found["scales"][0]):
                    problems.append(f"{where}: a scale of NAME {found['name']!r}, rank {found['rank']}, scales {found['scales']}; "
                                    f"netCDF-4 writes rank 1, NAME {name!r}, no scales")
            if found["type"] != "dataset" or resolve(entries, path)[0] is None:
                continue  # objects not listed are reported by test_every_object_written_is_listed_with_its_type
            labelled = all(found["dims"])
            for axis, (label, scales) in enumerate(zip(found["dims"], found["scales"])):
                if not labelled:
                    if scales:
                        problems.append(f"{where}: axis {axis} has the scales {scales}, but not every axis is labelled")
                    continue
                if len(scales) != 1:
                    problems.append(f"{where}: axis {axis} ({label}) has the scales {scales}, not one")
                    continue
                scale_entry, scale_bindings = resolve(entries, scales[0])
                if scale_entry is None or scale_entry["type"] != "dimension scale":
                    continue  # reported by test_every_object_written_is_listed_with_its_type
                pattern = names_axis(scale_entry, scale_bindings, path, label)
                if pattern is None:
                    problems.append(f"{where}: axis {axis} ({label}) has the scale {scales[0]}, listed as {scale_entry['path']}, "
                                    f"which names the axes {scale_entry['axes']}")
                else:
                    seen.add((scale_entry["path"], pattern))
    problems += [f"{kind}: {e['path']} names the axis {label} of {pattern}, in no file written"
                 for e in entries for pattern, label in e.get("axes", {}).items() if (e["path"], pattern) not in seen]
    assert not problems, "dimension scales:\n" + "\n".join(problems)


# --- the result files' names against their matrices (docs/results-files.md) ---

def test_result_files_name_every_row_column_and_layer(written):
    """A transfer file names each of its S sets and M models (set_names, attack_files; model_names,
    model_files, model_sha256s); a Lipschitz file each of its L layers, with the product of the
    bounds: as docs/results-files.md describes them."""
    problems = []
    for variant, path, _ in written["transfer"]:
        where = f"transfer ({variant})"
        with h5py.File(path, "r") as f:
            s, m = f["error"].shape
            for name, n in [("set_names", s), ("attack_files", s), ("attack_sha256s", s), ("model_names", m), ("model_files", m), ("model_sha256s", m)]:
                if len(f.attrs[name]) != n:
                    problems.append(f"{where}: @{name} has {len(f.attrs[name])} entries, /error is {(s, m)}")
            if f["clean_error"].shape != (s, m) or f["distortion"].shape != (s,):
                problems.append(f"{where}: /clean_error {f['clean_error'].shape}, /distortion {f['distortion'].shape}, /error {(s, m)}")
            if not all(((0 <= f[n][()]) & (f[n][()] <= 1)).all() for n in ("error", "clean_error")):
                problems.append(f"{where}: an error rate outside [0, 1]")
            files, models = list(f.attrs["model_files"]), list(f.attrs["model_names"])
            if models != [Path(p).name for p in files]:
                problems.append(f"{where}: @model_names {models} are not the names of @model_files {files}")
            if list(f.attrs["model_sha256s"]) != [hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in files]:
                problems.append(f"{where}: @model_sha256s are not the SHA-256 of @model_files")
            attacks = list(f.attrs["attack_files"])
            if list(f.attrs["attack_sha256s"]) != [hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in attacks]:
                problems.append(f"{where}: @attack_sha256s are not the SHA-256 of @attack_files")
            for set_name, attack in zip(f.attrs["set_names"], f.attrs["attack_files"]):
                if not set_name.startswith(Path(attack).name + " ("):
                    problems.append(f"{where}: set {set_name!r} does not name its attack file {attack}")
            if "amplify" in f.attrs:
                amplify = f.attrs["amplify"]
                if not (f["distortion"][()] == amplify).all() or np.float32(amplify) != np.float32(0.1):
                    problems.append(f"{where}: @amplify {amplify!r}, /distortion {f['distortion'][()]}")
    for variant, path, _ in written["lipschitz"]:
        where = f"lipschitz ({variant})"
        with h5py.File(path, "r") as f:
            bound = f["bound"][()]
            for name in ("layer_names", "layer_kinds", "methods"):
                if len(f.attrs[name]) != len(bound):
                    problems.append(f"{where}: @{name} has {len(f.attrs[name])} entries, /bound {len(bound)}")
            if not np.isclose(np.prod(bound), f.attrs["product"], rtol=1e-12) or not (bound > 0).all():
                problems.append(f"{where}: /bound {bound}, @product {f.attrs['product']}")
            with h5py.File(f.attrs["model_file"], "r") as model:
                if list(f.attrs["layer_names"]) != list(model.attrs["layer_names"]) or \
                        list(f.attrs["layer_kinds"]) != [model["layers"][n].attrs["kind"] for n in model.attrs["layer_names"]]:
                    problems.append(f"{where}: @layer_names / @layer_kinds are not the model's layers and kinds")
            if f.attrs["model_sha256"] != hashlib.sha256(Path(f.attrs["model_file"]).read_bytes()).hexdigest():
                problems.append(f"{where}: @model_sha256 is not the SHA-256 of @model_file")
    assert not problems, "\n".join(problems)


# --- the list against the documents ---

def document_text(kind):
    """The kind's document without its code blocks (they document nothing); of a document that
    several kinds share (docs/results-files.md), the one `## ` section whose heading names the
    kind's format (`## Transfer files (`format = "neuron-probe/transfer"`, version 1)`)."""
    document = LAYOUT["kinds"][kind]["document"]
    text = re.sub(r"^```.*?^```", "", (REPO_ROOT / document).read_text(), flags=re.S | re.M)
    sharing = sorted(k for k in KINDS if LAYOUT["kinds"][k]["document"] == document)
    if len(sharing) == 1:
        return text
    heading = f'"{LAYOUT["kinds"][kind]["format"]}"'
    sections = [s for s in re.split(r"^(?=## )", text, flags=re.M) if s.startswith("## ") and heading in s.splitlines()[0]]
    assert len(sections) == 1, f"{document}, shared by {sharing}: {len(sections)} sections headed with the format {heading}, not one"
    return sections[0]


def backticked(text):
    return re.findall(r"`([^`\n]+)`", text)


def normalised(span):
    """A documented path's components, placeholders (<name>, 1, R) as <>: `<name>_unit` -> `<>_unit`."""
    return [("<>" if re.fullmatch(r"\d+|[A-Z]", c) else PLACEHOLDER.sub("<>", c))
            for c in (c.strip() for c in span.strip().split("/")) if c]


def table_names(text):
    """The backticked names in the name columns of every table of `text`: [(row, span)]."""
    names = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if not lines[i].startswith("|"):
            i += 1
            continue
        block = []
        while i < len(lines) and lines[i].startswith("|"):
            block.append([c.strip() for c in lines[i].strip().strip("|").split("|")])
            i += 1
        header = [h.strip("`").lower() for h in block[0]]
        columns = [j for j, h in enumerate(header) if h in NAME_COLUMNS]
        for row in block[2:]:
            for j in columns:
                if j < len(row):
                    names += [(row[0], span) for span in backticked(row[j])]
    return names


@pytest.mark.parametrize("kind", KINDS)
def test_every_listed_name_is_in_the_document(kind):
    document = LAYOUT["kinds"][kind]["document"]
    spans = backticked(document_text(kind))
    documented = {s.strip() for s in spans} | {c for s in spans for c in normalised(s)}
    problems = []
    for e in entries_of(kind):
        problems += [f"{kind}: {e['path']}: `{c}` is not in {document}" for c in e["pattern"]
                     if not is_placeholder(c) and PLACEHOLDER.sub("<>", c) not in documented]
        problems += [f"{kind}: {e['path']} @{a['name']}: `{a['name']}` is not in {document}"
                     for a in e.get("attributes", []) if a["name"] not in documented]
    assert not problems, "\n".join(sorted(set(problems)))


@pytest.mark.parametrize("kind", KINDS)
def test_every_name_in_the_document_tables_is_listed(kind):
    document = LAYOUT["kinds"][kind]["document"]
    entries = entries_of(kind)
    paths = [[PLACEHOLDER.sub("<>", c) for c in e["pattern"]] for e in entries]
    attributes = {a["name"] for e in entries for a in e.get("attributes", [])}
    problems = []
    names = table_names(document_text(kind))
    assert names, f"{document}: no attribute or dataset table found"
    for row, span in names:
        comps = normalised(span)
        if not comps:
            continue
        listed = (len(comps) == 1 and comps[0] in attributes) or any(p[-len(comps):] == comps for p in paths if len(p) >= len(comps))
        if not listed:
            problems.append(f"{kind}: `{span}` (table row {row!r} of {document}) is not in docs/file-layouts.json")
    assert not problems, "\n".join(problems)
