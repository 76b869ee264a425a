#!/usr/bin/env python3
"""`probe attack fgsm` and `probe attack lbfgs` against the Python stack (docs/attack-file.md).

Model: fc100-100-10 (sigmoid), `probe train --arch fc100-100-10 --epochs 5 --seed 1` (made when missing),
or any model file given with --model (--only fgsm --model bench/out/conv-small.h5 --work fgsm-conv-small:
the fgsm-conv-small item; the PyTorch peers build the network from the file's layers, and the NumPy
peers, written for dense + sigmoid networks, are left out for other networks).

fgsm: FGSM at eps = 0.1 over the 10,000 Fashion-MNIST test images, then their classification.
  neuron-probe: `probe attack fgsm bench/out/fc100.h5 --epsilon 0.1 -o bench/out/fgsm.h5 --json --quiet`,
  timed as a whole process (loading the data and the model, the attack, classifying, writing the
  attack file), median of --repeats. Peers, in one process (`--child fgsm`), the same weights from
  the model file, float32, 2 threads, each timed in-process after a warm-up on 1,000 images, median
  of --repeats (attack + classification of the adversarial images; data already in memory):
    numpy           hand-written forward/backward, dJ/dz = softmax - onehot (what a user writes)
    numpy-exact     the same with the tool's saturation-safe dJ/dz_y = -sum_{j!=y} p_j
    pytorch         nn.Sequential, F.cross_entropy, torch.autograd
    foolbox         fb.attacks.FGSM() on fb.PyTorchModel(model, bounds=(0, 1)) (its call classifies too)
    torchattacks    torchattacks.FGSM(model, eps=0.1), then classification

lbfgs: Szegedy's box-constrained L-BFGS towards the tool's random targets (read from
  bench/out/lbfgs.h5 /targets) on the first --lbfgs-limit test images.
  neuron-probe: `probe attack lbfgs bench/out/fc100.h5 --limit 1000 --target random --seed 1 -o
  bench/out/lbfgs.h5 --json --quiet` (whole process). scipy (`--child lbfgs`): scipy.optimize.fmin_l_bfgs_b
  one image at a time (m 10, maxiter 100, bounds [0, 1]; factr 1e7 and pgtol 1e-5, SciPy's defaults,
  as the reference; and once more with the tool's defaults factr 1e10, pgtol 1e-3) on
  ||x' - x||^2 + c * CE(x', t) with NumPy float32 gradients of the same weights, and the tool's
  search over c: c = 1, x10 until success, /10 until failure, then geometric bisection until
  c_high / c_low < 1.25, at most 10 values of c, each warm-started from the best successful solution.
  NumPy rather than PyTorch for the gradients: one image's f and g take about 45 us in NumPy and
  170 us through torch.autograd. Timed once each, in-process (the attack loop; data and model in
  memory), on --scipy-limit images (default: as many as the tool attacks): as a plain loop (one
  core), and with the images split over 2 worker processes (multiprocessing, fork; one BLAS
  thread each), the tool using both cores; and the plain loop with the tool's tolerances.
  The FGSM table also has "numpy-process": the tool's whole job in one NumPy process (read the IDX
  files and the model, attack, classify, write the attack file's datasets with h5py, gzip 1), timed
  as a whole process like neuron-probe.

    attack_bench.py [--repeats 3] [--lbfgs-limit 1000] [--scipy-limit N] [--probe .build/release/probe]
                    [--only fgsm|lbfgs] [--model M.h5 --work fgsm-NAME]

Prints JSON lines {"work": "fgsm"|"lbfgs", "implementation": ..., ...} ("work" is --work for FGSM);
progress on stderr. The tool's FGSM file is written to bench/out/<work>.h5.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

import idx
import peer_common as pc

EPSILON = 0.1
MODEL = os.path.join(pc.OUT, "fc100.h5")
LBFGS_OUT = os.path.join(pc.OUT, "lbfgs.h5")
WARMUP = 1000


def load_test():
    """Test images (10000, 784) float32 in [0, 1] and labels (10000,) int64."""
    d = idx.DEFAULT_DIR
    images = idx.read_idx(os.path.join(d, "t10k-images-idx3-ubyte.gz"))
    labels = idx.read_idx(os.path.join(d, "t10k-labels-idx1-ubyte.gz"))
    return images.reshape(len(images), -1).astype(np.float32) / np.float32(255), labels.astype(np.int64)


def load_weights(path):
    """[(W, b)] of the dense layers of a dense/sigmoid model file, in order (float32); None for any other
    network (the NumPy code here is written for those)."""
    layers, _ = pc.model_layers(path)
    kinds = [kind for _, kind, _, _, _ in layers]
    if any(k not in ("dense", "sigmoid") for k in kinds) or kinds[-1] != "dense":
        return None
    return [(w, b) for _, kind, _, w, b in layers if kind == "dense"]


def require_weights(path):
    layers = load_weights(path)
    if layers is None:
        raise SystemExit(f"{path}: the NumPy peers handle dense + sigmoid networks only")
    return layers


# --- NumPy: forward, backward -----------------------------------------------------------------------

def np_forward(layers, x):
    """Logits and the hidden activations (sigmoid after every dense layer but the last)."""
    hidden = []
    h = x
    for i, (w, b) in enumerate(layers):
        z = h @ w.T + b
        if i < len(layers) - 1:
            h = np.float32(1) / (np.float32(1) + np.exp(-z))
            hidden.append(h)
        else:
            h = z
    return h, hidden


def np_softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def np_input_gradient(layers, x, labels, exact):
    """Per-example losses and the gradient of the summed cross-entropy with respect to x."""
    logits, hidden = np_forward(layers, x)
    p = np_softmax(logits)
    rows = np.arange(len(x))
    shifted = logits - logits.max(axis=1, keepdims=True)
    losses = np.log(np.exp(shifted).sum(axis=1)) - shifted[rows, labels]
    dz = p.copy()
    if exact:   # -sum_{j != y} p_j: not 0 when p_y rounds to 1
        dz[rows, labels] = 0
        dz[rows, labels] = -dz.sum(axis=1)
    else:
        dz[rows, labels] -= 1
    for i in range(len(layers) - 1, -1, -1):
        w = layers[i][0]
        dh = dz @ w
        if i > 0:
            h = hidden[i - 1]
            dz = dh * h * (np.float32(1) - h)
        else:
            return losses, dh


def np_predict(layers, x):
    return np_forward(layers, x)[0].argmax(axis=1)


# --- FGSM peers -----------------------------------------------------------------------------------

def fgsm_out(args):
    """The tool's attack file for this FGSM item."""
    return os.path.join(pc.OUT, f"{args.work}.h5")


def in_batches(run, size, join):
    """`run` over consecutive batches of `size` images, its (adversarial images, predictions) joined with
    `join` (np.concatenate or torch.cat)."""
    def run_batches(xs, ys):
        parts = [run(xs[i:i + size], ys[i:i + size]) for i in range(0, len(xs), size)]
        return join([p[0] for p in parts]), join([p[1] for p in parts])
    return run_batches


def fgsm_child(args):
    """All FGSM peers in this process; one JSON line each."""
    import h5py
    from threadpoolctl import threadpool_limits, threadpool_info
    threadpool_limits(pc.THREADS)
    x, y = load_test()
    layers = load_weights(args.model)       # None: not a dense + sigmoid network, no NumPy peers
    with h5py.File(fgsm_out(args), "r") as f:
        probe_adv = f["adversarial"][0].reshape(len(x), -1)
        probe_pred = f["pred_adv"][0]
    eps = np.float32(EPSILON)

    def numpy_fgsm(exact):
        def run(xs, ys):
            _, g = np_input_gradient(layers, xs, ys, exact)
            adv = np.clip(xs + eps * np.sign(g), 0, 1)
            return adv, np_predict(layers, adv)
        return run

    impls, versions, missing = {}, {}, {}
    if layers is not None:
        impls = {"numpy": numpy_fgsm(False), "numpy-exact": numpy_fgsm(True)}
        versions = {"numpy": f"numpy {np.__version__}", "numpy-exact": f"numpy {np.__version__}"}
    try:
        import torch
        import torch.nn.functional as F
        torch.set_num_threads(pc.THREADS)
        model_layers, model_attrs = pc.model_layers(args.model)
        model = pc.torch_model(model_layers, model_attrs["input_shape"])   # takes flat (N, 784) images
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)

        def torch_predict(adv):
            with torch.no_grad():
                return model(adv).argmax(dim=1)

        def torch_fgsm(xs, ys):
            xs = xs.clone().requires_grad_(True)
            loss = F.cross_entropy(model(xs), ys)
            (g,) = torch.autograd.grad(loss, xs)
            adv = (xs + EPSILON * g.sign()).clamp(0, 1).detach()
            return adv, torch_predict(adv)

        impls["pytorch"] = torch_fgsm
        versions["pytorch"] = f"torch {torch.__version__}"
        try:
            import foolbox as fb
            fmodel = fb.PyTorchModel(model, bounds=(0, 1), device="cpu")
            attack = fb.attacks.FGSM()

            def foolbox_fgsm(xs, ys):
                _, clipped, success = attack(fmodel, xs, ys, epsilons=EPSILON)
                return clipped, success     # the call classifies the clipped images itself

            impls["foolbox"] = foolbox_fgsm
            versions["foolbox"] = f"foolbox {fb.__version__} (torch {torch.__version__})"
        except ImportError as e:
            missing["foolbox"] = f"not installed ({e})"
        try:
            import torchattacks
            atk = torchattacks.FGSM(model, eps=EPSILON)

            def torchattacks_fgsm(xs, ys):
                adv = atk(xs, ys)
                return adv, torch_predict(adv)

            impls["torchattacks"] = torchattacks_fgsm
            versions["torchattacks"] = f"torchattacks {torchattacks.__version__} (torch {torch.__version__})"
        except ImportError as e:
            missing["torchattacks"] = f"not installed ({e})"
    except ImportError as e:
        missing["pytorch"] = f"not installed ({e})"

    blas = next((i for i in threadpool_info() if i.get("user_api") == "blas" and "numpy" in i.get("filepath", "")),
                next((i for i in threadpool_info() if i.get("user_api") == "blas"), {}))
    for name, run in impls.items():
        is_torch = name in ("pytorch", "foolbox", "torchattacks")
        xs, ys = (tx, ty) if is_torch else (x, y)
        if args.batch:
            run = in_batches(run, args.batch, torch.cat if is_torch else np.concatenate)
        run(xs[:WARMUP], ys[:WARMUP])                                   # warm-up
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            adv, pred = run(xs, ys)
            times.append(time.perf_counter() - t0)
        if is_torch:
            adv, pred = adv.numpy(), pred.numpy()
        if name == "foolbox":
            wrong = pred.astype(bool)
            pred = torch_predict(torch.from_numpy(adv)).numpy()         # (untimed) for the agreement
        else:
            wrong = pred != y
        same = np.abs(adv - probe_adv).max(axis=1) == 0
        sec = pc.median(times)
        line = dict(work=args.work, implementation=name, version=versions[name], seconds=sec, runs=times,
                    images=len(x), images_per_second=len(x) / sec, epsilon=EPSILON, batch=args.batch or len(x),
                    timing="in-process after a warm-up: attack + classification, data in memory",
                    error_rate=float(wrong.mean()), images_identical_to_probe=float(same.mean()),
                    predictions_agree_with_probe=float((pred == probe_pred).mean()), threads=pc.THREADS)
        if not is_torch:
            line["blas"] = {k: blas.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
        pc.emit(line)
        pc.log(f"{args.work} {name}: {sec:.3f} s, error rate {wrong.mean():.4f}")
    for name, why in missing.items():
        pc.emit(dict(work=args.work, implementation=name, status=why))


def fgsm_process_child(args):
    """The whole job in NumPy, as the tool does it: read the data and the model, attack, classify, write
    the attack file's datasets with h5py (adversarial images gzip level 1 in chunks of 256 images)."""
    t0 = time.perf_counter()
    import h5py
    from threadpoolctl import threadpool_limits
    threadpool_limits(pc.THREADS)
    x, y = load_test()
    layers = require_weights(args.model)
    t1 = time.perf_counter()
    eps = np.float32(EPSILON)
    _, g = np_input_gradient(layers, x, y, exact=True)
    adv = np.clip(x + eps * np.sign(g), 0, 1)
    pred_clean = np_predict(layers, x)
    logits, _ = np_forward(layers, adv)
    p = np_softmax(logits)
    pred = p.argmax(axis=1)
    r = adv - x
    n = len(x)
    t2 = time.perf_counter()
    tmp = os.path.join(pc.OUT, "fgsm-numpy.h5.tmp")
    with h5py.File(tmp, "w") as f:
        f.create_dataset("adversarial", data=adv.reshape(1, n, 1, 28, 28), chunks=(1, 256, 1, 28, 28),
                         compression="gzip", compression_opts=1)
        f["indices"], f["labels"], f["targets"] = np.arange(n), y, np.full(n, -1)
        f["pred_clean"], f["epsilons"] = pred_clean, np.array([eps])
        f["success"] = (pred != y).astype(np.uint8)[None]
        f["distortion"] = np.sqrt((r * r).mean(axis=1))[None]
        f["l2"], f["linf"] = np.sqrt((r * r).sum(axis=1))[None], np.abs(r).max(axis=1)[None]
        f["pred_adv"], f["confidence"] = pred[None], p.max(axis=1)[None]
        f["iterations"], f["failed"] = np.zeros((1, n), np.int64), np.zeros((1, n), np.uint8)
        f["c_low"] = f["c_high"] = np.full((1, n), np.nan)
    os.replace(tmp, os.path.join(pc.OUT, "fgsm-numpy.h5"))
    t3 = time.perf_counter()
    pc.emit(dict(seconds=t3 - t0, error_rate=float((pred != y).mean()),
                 phases={"imports_and_loading": t1 - t0, "attack_and_classification": t2 - t1, "writing": t3 - t2}))


# --- L-BFGS with SciPy ------------------------------------------------------------------------------

_LAYERS = None          # set in the child before the worker processes fork


def lbfgs_objective(xf, x0, target, c):
    """f(x') = ||x' - x||^2 + c * CE(x', t) and its gradient (float32 network, float64 outside)."""
    xs = xf.astype(np.float32)[None]
    loss, g = np_input_gradient(_LAYERS, xs, np.array([target]), exact=True)
    r = xf - x0
    return float(r @ r + c * float(loss[0])), 2 * r + c * g[0].astype(np.float64)


def lbfgs_attack(item):
    """The tool's search over c for one image: (best image or None, c_high, iterations, evaluations)."""
    from scipy.optimize import fmin_l_bfgs_b
    x0, target, factr, pgtol = item
    bounds = [(0.0, 1.0)] * len(x0)
    c, c_low, c_high, best, x, iterations, evaluations = 1.0, 0.0, np.inf, None, x0.copy(), 0, 0
    for _ in range(10):
        x, _, info = fmin_l_bfgs_b(lbfgs_objective, x, args=(x0, target, c), bounds=bounds, m=10, factr=factr,
                                   pgtol=pgtol, maxiter=100)
        iterations += info["nit"]
        evaluations += info["funcalls"]
        xc = np.clip(x, 0, 1)
        if np_predict(_LAYERS, xc.astype(np.float32)[None])[0] == target:
            if c < c_high:
                c_high, best = c, xc
        else:
            c_low = max(c_low, c)
        if np.isinf(c_high):
            c *= 10
        elif c_low == 0:
            c /= 10
        elif c_high / c_low < 1.25:
            break
        else:
            c = np.sqrt(c_low * c_high)
        if best is not None:
            x = best.copy()
    return best, c_high, iterations, evaluations


def lbfgs_child(args):
    """The scipy.optimize.fmin_l_bfgs_b search, one image at a time, in --processes worker processes
    (1: a plain loop); one JSON line."""
    global _LAYERS
    import h5py
    import scipy
    from threadpoolctl import threadpool_limits
    threadpool_limits(1)        # 1 x 784 products: BLAS threads only get in the way
    x_all, _ = load_test()
    _LAYERS = require_weights(args.model)
    with h5py.File(LBFGS_OUT, "r") as f:
        indices, targets = f["indices"][()], f["targets"][()]
        probe_success, probe_dist = f["success"][0].astype(bool), f["distortion"][0]
        probe_c_high = f["c_high"][0]
    count = min(args.scipy_limit or len(indices), len(indices))
    items = [(x_all[i].astype(np.float64), int(t), args.factr, args.pgtol) for i, t in zip(indices[:count], targets[:count])]

    t0 = time.perf_counter()
    if args.processes > 1:
        import multiprocessing
        with multiprocessing.get_context("fork").Pool(args.processes) as pool:
            results = pool.map(lbfgs_attack, items, chunksize=8)
    else:
        results = [lbfgs_attack(item) for item in items]
    seconds = time.perf_counter() - t0

    success = np.array([r[0] is not None for r in results])
    dist = np.array([np.sqrt(np.mean((r[0].astype(np.float32) - x_all[i]) ** 2)) if r[0] is not None else np.nan
                     for r, i in zip(results, indices[:count])])
    ps, pd = probe_success[:count], probe_dist[:count]
    both = success & ps
    name = "scipy" if args.processes == 1 else f"scipy x{args.processes} processes"
    if (args.factr, args.pgtol) != (1e7, 1e-5):
        name += f" (factr {args.factr:g}, pgtol {args.pgtol:g})"
    pc.emit(dict(
        work="lbfgs", implementation=name, version=f"scipy {scipy.__version__} fmin_l_bfgs_b, numpy {np.__version__} gradients",
        seconds=seconds, images=int(count), seconds_per_image=seconds / count, processes=args.processes,
        factr=args.factr, pgtol=args.pgtol,
        timing="in-process, once: the loop over the images (data and model in memory)",
        success_rate=float(success.mean()), mean_distortion_successful=float(np.nanmean(dist[success])),
        mean_iterations=float(np.mean([r[2] for r in results])), mean_evaluations=float(np.mean([r[3] for r in results])),
        probe_on_same_images=dict(success_rate=float(ps.mean()), mean_distortion_successful=float(pd[ps].mean())),
        both_successful=int(both.sum()),
        distortion_ratio_scipy_over_probe_mean=float(np.mean(dist[both] / pd[both])),
        distortion_ratio_scipy_over_probe_median=float(np.median(dist[both] / pd[both])),
        distortion_within_1pct=float(np.mean(np.abs(dist[both] / pd[both] - 1) < 0.01)),
        same_c_high=float(np.mean([np.isclose(r[1], ch) for r, ch in zip(results, probe_c_high[:count])]))))


# --- the driver ------------------------------------------------------------------------------------

def probe_runs(cmd, repeats):
    runs, cores, result = [], [], None
    for _ in range(repeats):
        wall, out, c = pc.timed_process(cmd)
        runs.append(wall)
        cores.append(c)
        result = pc.last_json(out)
    return runs, cores, result["runs"][0]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--lbfgs-limit", type=int, default=1000)
    parser.add_argument("--scipy-limit", type=int, default=None)
    parser.add_argument("--processes", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--factr", type=float, default=1e7, help=argparse.SUPPRESS)
    parser.add_argument("--pgtol", type=float, default=1e-5, help=argparse.SUPPRESS)
    parser.add_argument("--probe", default=pc.PROBE)
    parser.add_argument("--only", choices=["fgsm", "lbfgs"])
    parser.add_argument("--model", default=MODEL, help="the model file (default: bench/out/fc100.h5, made when missing)")
    parser.add_argument("--work", default="fgsm", help='the FGSM lines\' "work" (default fgsm)')
    parser.add_argument("--batch", type=int, default=0,
                        help="FGSM peers: attack and classify in batches of N images (default: all at once)")
    parser.add_argument("--child", choices=["fgsm", "fgsm-process", "lbfgs"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "fgsm":
        return fgsm_child(args)
    if args.child == "fgsm-process":
        return fgsm_process_child(args)
    if args.child == "lbfgs":
        return lbfgs_child(args)

    if args.model == MODEL:
        pc.ensure(MODEL, [args.probe, "train", "--arch", "fc100-100-10", "--epochs", "5", "--seed", "1", "-o", MODEL, "--quiet"])
    here = os.path.abspath(__file__)
    child = [sys.executable, here, "--model", args.model, "--work", args.work, "--child"]
    version = pc.probe_version(args.probe)
    load = pc.loadavg()

    if args.only in (None, "fgsm"):
        cmd = [args.probe, "attack", "fgsm", args.model, "--epsilon", str(EPSILON), "-o", fgsm_out(args), "--json", "--quiet"]
        runs, cores, r = probe_runs(cmd, args.repeats)
        sec = pc.median(runs)
        pc.emit(dict(work=args.work, implementation="neuron-probe", version=version, seconds=sec, runs=runs,
                     images=10000, images_per_second=10000 / sec, epsilon=EPSILON, loadavg_before=load,
                     timing="whole process: data and model loading, attack, classification, writing the attack file",
                     error_rate=r["error_rate"], clean_error_rate=r["clean_error_rate"], others_cores=cores))
        pc.log(f"{args.work} neuron-probe: {sec:.3f} s, error rate {r['error_rate']:.4f}")
        if load_weights(args.model) is not None:     # the NumPy process handles dense + sigmoid networks
            runs, inner, cores = [], [], []
            for _ in range(args.repeats):
                wall, out, c = pc.timed_process(child + ["fgsm-process"], env=pc.python_env())
                runs.append(wall)
                cores.append(c)
                res = pc.last_json(out)
                inner.append(res["seconds"])
            sec = pc.median(runs)
            pc.emit(dict(work=args.work, implementation="numpy-process", version=f"numpy {np.__version__}", seconds=sec,
                         runs=runs, images=10000, images_per_second=10000 / sec, epsilon=EPSILON,
                         timing="whole process, like neuron-probe's: interpreter start, imports, data and model loading, "
                                "attack, classification, writing the same datasets with h5py (gzip 1)",
                         seconds_after_interpreter_start=pc.median(inner), phases=res["phases"], error_rate=res["error_rate"],
                         others_cores=cores))
        with pc.OthersMeter() as m:
            wall, out, _ = pc.timed_process(child + ["fgsm", "--repeats", str(args.repeats), "--batch", str(args.batch)],
                                            env=pc.python_env())
        for line in out.splitlines():
            if line.startswith("{"):
                obj = json.loads(line)
                obj["others_cores"] = m.cores       # over the whole peer process
                pc.emit(obj)

    if args.only in (None, "lbfgs"):
        cmd = [args.probe, "attack", "lbfgs", args.model, "--limit", str(args.lbfgs_limit), "--target", "random", "--seed", "1",
               "-o", LBFGS_OUT, "--json", "--quiet"]
        runs, cores, r = probe_runs(cmd, args.repeats)
        sec = pc.median(runs)
        pc.emit(dict(work="lbfgs", implementation="neuron-probe", version=version, seconds=sec, runs=runs,
                     images=args.lbfgs_limit, seconds_per_image=sec / args.lbfgs_limit, loadavg_before=pc.loadavg(),
                     timing="whole process: data and model loading, attack, writing the attack file",
                     success_rate=r["success_rate"], mean_distortion_successful=r["mean_distortion_successful"],
                     others_cores=cores))
        pc.log(f"lbfgs neuron-probe: {sec:.3f} s ({sec / args.lbfgs_limit * 1000:.2f} ms/image)")
        # A plain loop and the images split over 2 processes with SciPy's defaults (the reference), and the
        # plain loop with the tool's stopping tolerances.
        for processes, factr, pgtol in ((1, 1e7, 1e-5), (pc.THREADS, 1e7, 1e-5), (1, 1e10, 1e-3)):
            cmd = child + ["lbfgs", "--processes", str(processes), "--factr", str(factr), "--pgtol", str(pgtol)]
            if args.scipy_limit:
                cmd += ["--scipy-limit", str(args.scipy_limit)]
            # One BLAS thread per process: 1 x 784 products gain nothing from threads, and an OpenBLAS thread
            # pool inherited through fork() makes the workers several times slower.
            env = dict(pc.python_env(), OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
            wall, out, cores = pc.timed_process(cmd, env=env)
            line = pc.last_json(out)
            line["others_cores"] = cores
            line["process_seconds"] = wall
            pc.emit(line)
            pc.log(f"lbfgs {line['implementation']}: {line['seconds']:.1f} s ({line['seconds_per_image'] * 1000:.1f} ms/image)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
