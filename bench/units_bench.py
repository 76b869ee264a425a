#!/usr/bin/env python3
"""`probe units` against the NumPy/SciPy script a user would write for the same analysis.

Work: layer sigmoid2 (10,000 x 200) of a fc200-200-10 recorded over the Fashion-MNIST test split,
K = 1,000 random directions, R = 10 rotated bases, top-k 100 (docs/units-file.md):

    probe units bench/out/units-acts.h5 --layer sigmoid2 --random 1000 --rotations 10 --top 100 --seed 1
                -o bench/out/units.h5 --json --quiet

against `numpy_units()` below: float32 activations read with h5py; normalised Gaussian random
directions; rotations as QR of Gaussian matrices with the sign fix; projections by matmul; top-k and
bottom-k by np.argpartition then a sort (ties to the lower row, as the tool); purity and entropy of
each top set; mean pairwise pixel cosine of each top set; bootstrap 95% intervals (2000 resamples);
scipy.stats.mannwhitneyu; detector counts; class selectivity; the results written with h5py.

Both are timed as whole processes, the implementations taking turns, median of --repeats (3).
The NumPy process also times the analysis alone (from opening the activation file to the closed
results file: everything but interpreter start and imports), which is the `seconds` it reports.

    units_bench.py [--repeats 3] [--probe .build/release/probe]

Prints one JSON line per implementation ({"work": "units", ...}) and a "units-check" line comparing
the two results. Progress goes to stderr. The models and the activation file are made when missing.
"""
import argparse
import os
import sys
import time

import peer_common as pc

WORK = dict(layer="sigmoid2", random=1000, rotations=10, top=100, seed=1, resamples=2000, threshold=0.8)
MODEL = os.path.join(pc.OUT, "fc200.h5")
ACTS = os.path.join(pc.OUT, "units-acts.h5")
PROBE_OUT = os.path.join(pc.OUT, "units.h5")
NUMPY_OUT = os.path.join(pc.OUT, "units-numpy.h5")


# --- the NumPy/SciPy implementation -----------------------------------------------------------------

def top_bottom(projections_t, k):
    """projections_t: (M, N) float32, one direction a row. Rows of the k largest (largest first) and
    of the k smallest (smallest first); ties go to the lower row."""
    import numpy as np

    def largest(p):
        m = p.shape[0]
        part = np.argpartition(-p, k - 1, axis=1)[:, :k]
        vals = np.take_along_axis(p, part, axis=1)
        order = np.lexsort((part, -vals), axis=1)          # by value descending, then row ascending
        top = np.take_along_axis(part, order, axis=1)
        # argpartition picks an arbitrary subset of the rows tied with the k-th value: redo those directions.
        kth = np.take_along_axis(p, top[:, -1:], axis=1)
        ties = np.flatnonzero((p >= kth).sum(axis=1) > k)
        for d in ties:
            rows = np.flatnonzero(p[d] >= kth[d, 0])
            top[d] = rows[np.lexsort((rows, -p[d, rows]))][:k]
        return top

    return largest(projections_t), largest(-projections_t)


def coherence(top, labels, normalized, nonzero, classes):
    """Purity, entropy (bits) and mean pairwise pixel cosine of each top set (rows of `top`)."""
    import numpy as np
    m, k = top.shape
    chosen = labels[top]                                           # (M, k)
    counts = (chosen[:, :, None] == np.arange(classes)).sum(axis=1)
    purity = counts.max(axis=1) / k
    p = counts / k
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.where(p > 0, p * np.log2(p), 0.0).sum(axis=1)
    cosine = np.empty(m)
    for first in range(0, m, 64):                                   # (64, k, 784) float64 at a time
        block = top[first:first + 64]
        s = normalized[block].sum(axis=1)
        cosine[first:first + 64] = ((s * s).sum(axis=1) - nonzero[block].sum(axis=1)) / (k * (k - 1))
    return purity, entropy, cosine


def bootstrap(values, rng, resamples):
    import numpy as np
    means = values[rng.integers(0, len(values), size=(resamples, len(values)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(values.mean()), float(low), float(high)


def numpy_units(acts_path, out_path, layer, random, rotations, top, seed, resamples, threshold):
    """The whole analysis; returns the time of each phase."""
    import h5py
    import numpy as np
    from scipy import stats

    times, t = {}, time.perf_counter()

    def lap(name):
        nonlocal t
        now = time.perf_counter()
        times[name] = times.get(name, 0.0) + now - t
        t = now

    with h5py.File(acts_path, "r") as f:
        a = f["layers"][layer][()].astype(np.float32, copy=False)
        labels = f["labels"][()].astype(np.int64)
        images = f["images"][()]
        classes = len(f.attrs["class_names"])
    a = a.reshape(len(a), -1)
    n, u = a.shape
    lap("read")

    pixels = images.reshape(n, -1).astype(np.float64)
    norms = np.sqrt((pixels * pixels).sum(axis=1))
    normalized = pixels / np.where(norms > 0, norms, 1.0)[:, None]
    nonzero = (norms > 0).astype(np.float64)                       # x̂·x̂ of each image
    dead = np.flatnonzero(a.min(axis=0) == a.max(axis=0))
    live = np.setdiff1d(np.arange(u), dead)
    rng = np.random.default_rng(seed)
    lap("prepare")

    families = {}
    # unit directions: the projections are the activations themselves
    families["units"] = (np.eye(u, dtype=np.float32)[live], np.ascontiguousarray(a[:, live].T))
    v = rng.standard_normal((random, u))
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    families["random"] = (v.astype(np.float32),)
    for r in range(rotations):
        q, rr = np.linalg.qr(rng.standard_normal((u, u)))
        q *= np.sign(np.diag(rr))                                  # Haar: the sign fix
        families[f"rotations/{r + 1}"] = (q.T.astype(np.float32),)  # the basis vectors as rows
    lap("directions")

    results = {}
    for name, value in families.items():
        d = value[0]
        proj_t = value[1] if len(value) > 1 else np.ascontiguousarray((a @ d.T).T)   # (M, N)
        lap("project")
        t_rows, b_rows = top_bottom(proj_t, top)
        lap("top-k")
        purity, entropy, cosine = coherence(t_rows, labels, normalized, nonzero, classes)
        lap("coherence")
        results[name] = dict(directions=d, top=t_rows, bottom=b_rows, purity=purity, entropy=entropy, cosine=cosine)

    comparisons = {}
    for measure in ("purity", "entropy", "cosine"):
        x, y = results["units"][measure], results["random"][measure]
        ux, uy = bootstrap(x, rng, resamples), bootstrap(y, rng, resamples)
        test = stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic")
        auc = test.statistic / (len(x) * len(y))
        comparisons[measure] = dict(units_mean=ux[0], units_low=ux[1], units_high=ux[2], random_mean=uy[0],
                                    random_low=uy[1], random_high=uy[2], u=float(test.statistic),
                                    p_value=float(test.pvalue), auc=auc, cliffs_delta=2 * auc - 1)
    natural = int((results["units"]["purity"] >= threshold).sum())
    rotated = [int((results[f"rotations/{r + 1}"]["purity"] >= threshold).sum()) for r in range(rotations)]
    means = np.stack([a[labels == c].mean(axis=0, dtype=np.float64) for c in range(classes)])
    best = means.max(axis=0)
    rest = (means.sum(axis=0) - best) / (classes - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        selectivity = np.where(best + rest > 0, (best - rest) / (best + rest), np.nan)
    selectivity[dead] = np.nan
    lap("statistics")

    tmp = out_path + ".tmp"
    with h5py.File(tmp, "w") as f:
        g = f.create_group(f"units/{layer}")
        g.attrs["units"], g.attrs["samples"], g.attrs["dead_units"] = u, n, dead
        g["class_selectivity"] = selectivity
        g["units/unit_indices"] = live
        for name, res in results.items():
            for key, value in res.items():
                g[f"{name}/{key}"] = value
        for measure, values in comparisons.items():
            c = g.create_group(f"comparison/{measure}")
            for key, value in values.items():
                c.attrs[key] = value
        dg = g.create_group("detectors")
        dg.attrs["threshold"], dg.attrs["natural"] = threshold, natural
        dg["rotated"] = np.array(rotated, dtype=np.int64)
    os.replace(tmp, out_path)
    lap("write")
    return times, dict(comparisons=comparisons, natural=natural, rotated=rotated, live=len(live))


def child_main(args):
    """One NumPy run in this process: imports, then the timed analysis."""
    t_start = time.perf_counter()
    import h5py
    import numpy as np
    import scipy
    from threadpoolctl import threadpool_info, threadpool_limits
    t_imports = time.perf_counter() - t_start
    with threadpool_limits(pc.THREADS):
        t0 = time.perf_counter()
        phases, summary = numpy_units(ACTS, args.output, **WORK)
        seconds = time.perf_counter() - t0
    blas = next((i for i in threadpool_info() if i.get("user_api") == "blas" and "numpy" in i.get("filepath", "")),
                next((i for i in threadpool_info() if i.get("user_api") == "blas"), {}))
    pc.emit(dict(seconds=seconds, imports_seconds=t_imports, phases=phases, summary=summary,
                 version=f"numpy {np.__version__}, scipy {scipy.__version__}, h5py {h5py.__version__}",
                 blas={k: blas.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}))


# --- the comparison of the two result files ---------------------------------------------------------

def compare(probe_path, numpy_path, layer):
    import h5py
    import numpy as np
    p = h5py.File(probe_path, "r")[f"units/{layer}"]
    q = h5py.File(numpy_path, "r")[f"units/{layer}"]
    out = {"work": "units-check"}
    pu, qu = p["units/purity"][()], q["units/purity"][()]
    out["unit_purity_max_abs_diff"] = float(np.abs(pu - qu).max())
    out["unit_purity_mean"] = [float(pu.mean()), float(qu.mean())]
    out["unit_top_sets_equal"] = int((p["units/top"][()] == q["units/top"][()]).all(axis=1).sum())
    out["unit_bottom_sets_equal"] = int((p["units/bottom"][()] == q["units/bottom"][()]).all(axis=1).sum())
    for measure in ("entropy", "cosine"):
        out[f"unit_{measure}_max_abs_diff"] = float(np.nanmax(np.abs(p[f"units/{measure}"][()] - q[f"units/{measure}"][()])))
    out["class_selectivity_max_abs_diff"] = float(np.nanmax(np.abs(p["class_selectivity"][()] - q["class_selectivity"][()])))
    for measure in ("purity", "entropy", "cosine"):
        out[f"random_{measure}_mean"] = [float(p[f"random/{measure}"][()].mean()), float(q[f"random/{measure}"][()].mean())]
    out["detectors_natural"] = [int(p["detectors"].attrs["natural"]), int(q["detectors"].attrs["natural"])]
    out["detectors_rotated_mean"] = [float(p["detectors/rotated"][()].mean()), float(q["detectors/rotated"][()].mean())]
    out["purity_p_value"] = [float(p["comparison/purity"].attrs["p_value"]), float(q["comparison/purity"].attrs["p_value"])]
    # The NumPy pipeline on the tool's own random directions and rotations (untimed): the same top sets?
    with h5py.File(ACTS, "r") as f:
        a = f["layers"][layer][()].reshape(f["layers"][layer].shape[0], -1)
        labels = f["labels"][()].astype(np.int64)
    k = p["units/top"].shape[1]
    for family in ["random"] + [f"rotations/{r}" for r in sorted(p["rotations"].keys(), key=int)]:
        top, _ = top_bottom(np.ascontiguousarray((a @ p[f"{family}/directions"][()].T).T), k)
        chosen = labels[top]
        purity = (chosen[:, :, None] == np.arange(10)).sum(axis=1).max(axis=1) / k
        key = "random" if family == "random" else "rotations"
        same = out.setdefault(f"{key}_same_directions_top_sets_equal", [0, 0])
        same[0] += int((top == p[f"{family}/top"][()]).all(axis=1).sum())
        same[1] += len(top)
        diff = out.get(f"{key}_same_directions_purity_max_abs_diff", 0.0)
        out[f"{key}_same_directions_purity_max_abs_diff"] = max(diff, float(np.abs(purity - p[f"{family}/purity"][()]).max()))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--probe", default=pc.PROBE)
    parser.add_argument("--child", choices=["numpy"], help=argparse.SUPPRESS)
    parser.add_argument("--output", default=NUMPY_OUT, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child_main(args)

    pc.ensure(MODEL, [args.probe, "train", "--arch", "fc200-200-10", "--epochs", "1", "--seed", "1", "-o", MODEL, "--quiet"])
    pc.ensure(ACTS, [args.probe, "record", MODEL, "--split", "test", "--with-images", "-o", ACTS, "--quiet"])
    w = WORK
    probe_cmd = [args.probe, "units", ACTS, "--layer", w["layer"], "--random", str(w["random"]), "--rotations",
                 str(w["rotations"]), "--top", str(w["top"]), "--seed", str(w["seed"]), "-o", PROBE_OUT, "--json", "--quiet"]
    numpy_cmd = [sys.executable, os.path.abspath(__file__), "--child", "numpy", "--output", NUMPY_OUT]
    load_before = pc.loadavg()
    runs = {"neuron-probe": [], "numpy": []}
    others = {"neuron-probe": [], "numpy": []}
    numpy_inner, numpy_info, probe_json = [], None, None
    for i in range(args.repeats):      # the implementations take turns
        wall, out, cores = pc.timed_process(probe_cmd)
        runs["neuron-probe"].append(wall)
        others["neuron-probe"].append(cores)
        probe_json = pc.last_json(out)
        wall, out, cores = pc.timed_process(numpy_cmd, env=pc.python_env())
        runs["numpy"].append(wall)
        others["numpy"].append(cores)
        numpy_info = pc.last_json(out)
        numpy_inner.append(numpy_info["seconds"])
        pc.log(f"run {i + 1}: neuron-probe {runs['neuron-probe'][-1]:.3f} s, numpy {runs['numpy'][-1]:.3f} s "
               f"(analysis {numpy_inner[-1]:.3f} s)")

    layer = probe_json["layers"][0]
    purity = next(c for c in layer["comparisons"] if c["measure"] == "purity")
    common = dict(work="units", layer=w["layer"], samples=layer["samples"], units=layer["units"], random_directions=w["random"],
                  rotations=w["rotations"], top_k=w["top"], loadavg_before=load_before)
    pc.emit(dict(common, implementation="neuron-probe", version=pc.probe_version(args.probe),
                 seconds=pc.median(runs["neuron-probe"]), runs=runs["neuron-probe"], timing="whole process",
                 others_cores=others["neuron-probe"], purity_units_mean=purity["units"]["mean"],
                 purity_random_mean=purity["random"]["mean"], p_value=purity["p_value"],
                 detectors_natural=layer["detectors"]["units"], detectors_rotated_mean=layer["detectors"]["rotated_mean"]))
    s = numpy_info["summary"]
    pc.emit(dict(common, implementation="numpy", version=numpy_info["version"], blas=numpy_info["blas"],
                 seconds=pc.median(numpy_inner), runs=numpy_inner,
                 timing="analysis alone: h5py read to closed results file (no interpreter start, no imports)",
                 process_seconds=pc.median(runs["numpy"]), process_runs=runs["numpy"],
                 imports_seconds=numpy_info["imports_seconds"], phases=numpy_info["phases"], others_cores=others["numpy"],
                 purity_units_mean=s["comparisons"]["purity"]["units_mean"],
                 purity_random_mean=s["comparisons"]["purity"]["random_mean"], p_value=s["comparisons"]["purity"]["p_value"],
                 detectors_natural=s["natural"], detectors_rotated_mean=sum(s["rotated"]) / len(s["rotated"])))
    pc.emit(compare(PROBE_OUT, NUMPY_OUT, w["layer"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
