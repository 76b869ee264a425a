"""Attack files (`format = "neuron-probe/attack"`, version 1) against an independent NumPy FGSM.

Three networks (fc10, fc30-30-10 with ReLU, conv-small) are trained for 2 epochs on the tiny
fixture data set and attacked on its 256 test images with

    probe attack fgsm MODEL --epsilon 0.1,0.25 --dataset fashion-mnist-tiny --data-dir data/fixtures -o ADV.h5

The test computes FGSM itself, in float64, from the model file's weights (walking `layer_names`
and dispatching on `kind`, as docs/model-file.md describes; the forward pass is checked against
test_model_file.forward) and from the fixture's IDX images read independently:
∇ₓJ of the softmax cross-entropy with p from a log-sum-exp and the true-class term of ∂J/∂z
computed as −Σ_{j≠y} p_j (exact when p_y rounds to 1), then x′ = clip(x + ε·sign(∇ₓJ), 0, 1).
The stored images must equal these up to float rounding; a pixel may differ only where the
float64 gradient is tiny against the image's largest gradient (a sign that float32 and float64
may legitimately disagree on), and such pixels must be rare.

Saturated softmax: a copy of each model file whose logits layer (the last dense layer: weight and
bias) is multiplied by a factor s with h5py, so that its logits are s times larger and many test
images have p_y == 1.0 in float32 — where a gradient computed as p − onehot loses the true-class
term. A fixed ×5 saturates no image of these briefly trained networks (their largest margin
z_y − max_{j≠y} z_j is 2 to 3.5), so s puts the largest margin at 60: far past saturation
(~17.5) for many images, yet every other class's probability stays a normal float32 (e^-87), so
the float32 gradient is still representable. (Scaling every layer would multiply a deep
network's logits by s^L and underflow them all.) The same comparison must hold there.

The stored bookkeeping (/success, /pred_adv, /pred_clean, /confidence, /distortion, /l2, /linf)
is recomputed from the stored images, attributes and dataset types are checked against
docs/attack-file.md, and one L-BFGS run (`--limit 20 --target next`) is checked for box bounds,
success against a NumPy argmax and its [c_low, c_high] bracket.
"""

import hashlib
import re
import shutil

import h5py
import numpy as np
import pytest

from conftest import DATA_ARGS, FIXTURE_DIR, describe, run
from test_model_file import forward, read_idx

EPSILONS = (0.1, 0.25)
NETWORKS = {
    "fc10": ["--arch", "fc10"],
    "fc30-30-10-relu": ["--arch", "fc30-30-10", "--activation", "relu"],
    "conv-small": ["--arch", "conv-small"],
}
LARGEST_MARGIN = 60.0  # the saturated copies: the largest logit margin of a correct image, in nats
TINY_GRADIENT = 1e-4  # a pixel may differ only where |g| < TINY_GRADIENT * max |g| of its image
SAME_PIXEL = 1e-6  # float32 (tool) against float64 (NumPy) values of one pixel
NEAR_TIE = 1e-4  # top-2 logit gap under which float32 and float64 may name different classes


def checked(args, timeout=300):
    result = run(args, timeout=timeout)
    if result.returncode != 0:
        pytest.fail(describe(result), pytrace=False)
    return result


# --- an independent float64 network: forward with a cache, backward to the input ---

def load_layers(path):
    """[(kind, {configuration}, weight, bias)] in network order (weight, bias float64 or None)."""
    with h5py.File(path, "r") as f:
        assert f.attrs["format"] == "neuron-probe/model" and f.attrs["format_version"] == 1
        input_shape = tuple(int(v) for v in f.attrs["input_shape"])
        layers = []
        for name in f.attrs["layer_names"]:
            group = f["layers"][name]
            kind = group.attrs["kind"]
            configuration = {k: v for k, v in group.attrs.items() if k not in ("kind", "index")}
            weight = group["weight"][()].astype(np.float64) if "weight" in group else None
            bias = group["bias"][()].astype(np.float64) if "bias" in group else None
            layers.append((kind, configuration, weight, bias))
    return input_shape, layers


def windows_of(x, size, stride):
    from numpy.lib.stride_tricks import sliding_window_view
    return sliding_window_view(x, (size, size), axis=(2, 3))[:, :, ::stride, ::stride]


def run_forward(network, x):
    """Logits (N, C) for float64 inputs x (N, C, H, W), and the cache for `input_gradient`."""
    _, layers = network
    cache = []
    for kind, a, weight, bias in layers:
        cache.append(x)
        if kind == "dense":
            x = x.reshape(len(x), -1) @ weight.T + bias
        elif kind == "conv2d":
            k, stride, padding = weight.shape[2], int(a["stride"]), int(a["padding"])
            padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
            y = np.tensordot(windows_of(padded, k, stride), weight, axes=([1, 4, 5], [1, 2, 3]))
            x = y.transpose(0, 3, 1, 2) + bias[:, None, None]
        elif kind == "maxpool2d":
            x = windows_of(x, int(a["size"]), int(a["stride"])).max(axis=(4, 5))
        elif kind == "maxout":
            x = x.reshape(len(x), -1, int(a["pieces"])).max(axis=2)
        elif kind == "relu":
            x = np.maximum(x, 0.0)
        elif kind == "sigmoid":
            x = 0.5 * (1.0 + np.tanh(0.5 * x))
        elif kind == "tanh":
            x = np.tanh(x)
        elif kind == "flatten":
            x = x.reshape(len(x), -1)
        elif kind != "dropout":
            raise ValueError(f"unknown kind {kind!r}")
    return x, cache


def rounding_errors(network, cache):
    """For each layer's input, a bound on how far a float32 forward pass may be from this float64 one.

    A sum of k products computed in float32, in any order, is within γ_k·Σ|xᵢwᵢ| of its exact value
    (Higham 2002, §3.1; γ_k = k·u/(1 − k·u), u = 2⁻²⁴); an error δ already in the input reaches the
    output at most as |W|·δ. ReLU, max-pool and maxout pass δ on (a clearly negative ReLU input gives
    exactly 0 in both), the sigmoid scales it by ¼ and tanh by 1, each adding two ulps of its output."""
    _, layers = network
    u = 2.0 ** -24
    errors = [np.zeros_like(cache[0])]
    for i, (kind, a, weight, bias) in enumerate(layers[:-1]):
        x, error = cache[i], errors[i]
        if kind in ("dense", "conv2d"):
            k = weight[0].size + 1
            magnitude = run_forward((None, [(kind, a, np.abs(weight), np.zeros_like(bias))]), np.abs(x))[0]
            carried = run_forward((None, [(kind, a, np.abs(weight), np.zeros_like(bias))]), error)[0]
            bias_term = np.abs(bias).reshape(-1, *([1] * (magnitude.ndim - 2)))
            # A sum of zero products plus the bias is the bias exactly (an image's blank border).
            out = k * u / (1 - k * u) * (magnitude + bias_term * (magnitude > 0)) + carried
        elif kind == "relu":
            out = error * (x > -error)
        elif kind in ("sigmoid", "tanh"):
            y = run_forward((None, [(kind, a, weight, bias)]), x)[0]
            out = (0.25 if kind == "sigmoid" else 1.0) * error + 2 * u * np.abs(y)
        else:   # max-pool, maxout, flatten, dropout: the largest error of what they pass on
            out = run_forward((None, [(kind, a, weight, bias)]), error)[0]
        errors.append(out.reshape(cache[i + 1].shape))
    return errors


def input_gradient(network, cache, dz):
    """Back-propagates dJ/dlogits (N, C) to dJ/dx (N, C, H, W), and bounds per pixel how far a float32
    computation of the same gradient may be from it by taking another branch.

    The tool's forward pass runs in float32: where a ReLU input lies within its rounding error
    (`rounding_errors`) of 0, or two entries of a max-pool window or maxout group that close to each
    other, its choice may differ from float64's. The gradient is piecewise linear in those choices, so
    flipping any of them moves a pixel's gradient by at most the bound: |dy| of the unit, routed down
    through |W| and through every branch that is itself near a tie."""
    _, layers = network
    dy = dz
    bound = np.zeros_like(dz)
    errors = rounding_errors(network, cache)

    def undecided(i):
        """The entries of layer i's input whose float32 sign may differ from float64's."""
        return np.abs(cache[i]) <= errors[i]

    def tied_with_the_maximum(values, error, axes):
        """Entries that float32 may find the largest of their window, in windows with a real choice
        (equal values that both computations get exactly are no choice: both take the first)."""
        tolerance = error + error.max(axis=axes, keepdims=True)
        tied = (np.abs(values - values.max(axis=axes, keepdims=True)) <= tolerance) & (tolerance > 0)
        return tied & (tied.sum(axis=axes, keepdims=True) > 1)

    for i in reversed(range(len(layers))):
        (kind, a, weight, bias), x = layers[i], cache[i]
        if kind == "dense":
            dy, bound = (dy @ weight).reshape(x.shape), (bound @ np.abs(weight)).reshape(x.shape)
        elif kind == "conv2d":
            k, stride, padding = weight.shape[2], int(a["stride"]), int(a["padding"])
            n, c, h, w = x.shape
            out_h, out_w = dy.shape[2], dy.shape[3]
            dx = np.zeros((2, n, c, h + 2 * padding, w + 2 * padding))
            for u in range(k):
                for v in range(k):
                    window = (slice(None), slice(None), slice(u, u + stride * out_h, stride), slice(v, v + stride * out_w, stride))
                    dx[0][window] += np.einsum("nohw,oc->nchw", dy, weight[:, :, u, v])
                    dx[1][window] += np.einsum("nohw,oc->nchw", bound, np.abs(weight[:, :, u, v]))
            dy, bound = dx[0][:, :, padding:padding + h, padding:padding + w], dx[1][:, :, padding:padding + h, padding:padding + w]
        elif kind == "maxpool2d":
            size, stride = int(a["size"]), int(a["stride"])
            windows = windows_of(x, size, stride)
            first = windows.reshape(*windows.shape[:4], size * size).argmax(axis=4)  # first maximum, row-major
            tied = tied_with_the_maximum(windows, windows_of(errors[i], size, stride), (4, 5))
            dx, bx = np.zeros_like(x), np.zeros_like(x)
            out_h, out_w = dy.shape[2], dy.shape[3]
            for u in range(size):
                for v in range(size):
                    window = (slice(None), slice(None), slice(u, u + stride * out_h, stride), slice(v, v + stride * out_w, stride))
                    dx[window] += dy * (first == u * size + v)
                    bx[window] += bound * ((first == u * size + v) | tied[..., u, v]) + np.abs(dy) * tied[..., u, v]
            dy, bound = dx, bx
        elif kind == "maxout":
            pieces = int(a["pieces"])
            grouped = x.reshape(len(x), -1, pieces)
            first = grouped.argmax(axis=2)
            tied = tied_with_the_maximum(grouped, errors[i].reshape(grouped.shape), 2)
            chosen = np.zeros_like(grouped, dtype=bool)
            np.put_along_axis(chosen, first[..., None], True, axis=2)
            g, b = dy.reshape(len(x), -1, 1), bound.reshape(len(x), -1, 1)
            dy, bound = (g * chosen).reshape(x.shape), (b * (chosen | tied) + np.abs(g) * tied).reshape(x.shape)
        elif kind == "relu":
            flips = undecided(i)
            dy, bound = dy * (x > 0), bound * ((x > 0) | flips) + np.abs(dy) * flips
        elif kind == "sigmoid":
            s = 0.5 * (1.0 + np.tanh(0.5 * x))
            dy, bound = dy * s * (1.0 - s), bound * s * (1.0 - s)
        elif kind == "tanh":
            dy, bound = dy * (1.0 - np.tanh(x) ** 2), bound * (1.0 - np.tanh(x) ** 2)
        elif kind == "flatten":
            dy, bound = dy.reshape(x.shape), bound.reshape(x.shape)
    return dy, bound


def cross_entropy_logit_gradient(logits, labels):
    """∂J/∂z of the softmax cross-entropy, exact when p_y rounds to 1: the true-class entry is
    −Σ_{j≠y} p_j, not p_y − 1."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    p = np.exp(log_p)
    rows = np.arange(len(labels))
    others = p.copy()
    others[rows, labels] = 0.0
    gradient = others.copy()
    gradient[rows, labels] = -others.sum(axis=1)
    return gradient


def float32_saturated(logits, labels):
    """Images whose float32 softmax gives the true class probability exactly 1."""
    z = logits.astype(np.float32)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    return p[np.arange(len(labels)), labels] == np.float32(1.0)


def softmax(logits):
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def top2_gap(logits):
    top = np.sort(logits, axis=1)[:, -2:]
    return top[:, 1] - top[:, 0]


# --- fixtures ---

class Attacked:
    """A model file, its FGSM attack file, and the NumPy gradient of its test images."""

    def __init__(self, probe, directory, name, model, test_set):
        self.name, self.model = name, model
        self.output = directory / f"{name}.adv.h5"
        checked([probe, "attack", "fgsm", model, "--epsilon", ",".join(str(e) for e in EPSILONS), *DATA_ARGS,
                 "-o", self.output, "--quiet"])
        pixels, labels = test_set
        self.network = load_layers(model)
        self.x = (pixels.astype(np.float64) / 255.0).reshape(len(pixels), *self.network[0])
        self.logits, cache = run_forward(self.network, self.x)
        self.gradient, self.branch_bound = input_gradient(self.network, cache, cross_entropy_logit_gradient(self.logits, labels))
        self.saturated = float32_saturated(self.logits, labels)


@pytest.fixture(scope="module")
def test_set(fixture_data):
    pixels = read_idx(FIXTURE_DIR / "t10k-images-idx3-ubyte.gz")
    labels = read_idx(FIXTURE_DIR / "t10k-labels-idx1-ubyte.gz").astype(np.int64)
    assert pixels.shape == (256, 28, 28) and labels.shape == (256,)
    return pixels, labels


def saturated_copy(model, output, pixels, labels):
    """A copy of `model` whose last dense layer's weight and bias are multiplied by s, with s such
    that the largest margin z_y − max_{j≠y} z_j over the test images becomes LARGEST_MARGIN. Every
    attribute and the layout are kept (the file is copied, then the two datasets rewritten in place)."""
    logits = forward(model, pixels)
    others = np.where(np.eye(logits.shape[1], dtype=bool)[labels], -np.inf, logits)
    margin = (logits[np.arange(len(labels)), labels] - others.max(axis=1)).max()
    assert margin > 0, "no test image is classified correctly"
    factor = np.float32(LARGEST_MARGIN / margin)
    shutil.copyfile(model, output)
    with h5py.File(output, "r+") as f:
        last = [n for n in f.attrs["layer_names"] if f["layers"][n].attrs["kind"] == "dense"][-1]
        for name in ("weight", "bias"):
            ds = f["layers"][last][name]
            ds[...] = (ds[()] * factor).astype(np.float32)
    return output, float(factor)


@pytest.fixture(scope="module")
def attacked(probe, test_set, tmp_path_factory):
    pixels, labels = test_set
    directory = tmp_path_factory.mktemp("attacks")
    found = {}
    for name, arguments in NETWORKS.items():
        model = directory / f"{name}.h5"
        checked([probe, "train", *arguments, *DATA_ARGS, "--epochs", "2", "--seed", "1", "-o", model, "--quiet"])
        found[name] = Attacked(probe, directory, name, model, test_set)
        saturated, factor = saturated_copy(model, directory / f"{name}-saturated.h5", pixels, labels)
        found[f"{name}-saturated"] = Attacked(probe, directory, f"{name}-saturated", saturated, test_set)
        found[f"{name}-saturated"].factor = factor
    return found


CASES = [name for base in NETWORKS for name in (base, f"{base}-saturated")]


@pytest.fixture(params=CASES)
def case(request, attacked):
    return attacked[request.param]


# --- FGSM against NumPy ---

def test_numpy_network_is_the_reference_forward_pass(case, test_set):
    pixels, _ = test_set
    np.testing.assert_allclose(case.logits, forward(case.model, pixels), rtol=1e-12, atol=1e-12)


def test_saturated_models_saturate(attacked, test_set):
    """The scaled copies give many images p_y == 1.0 in float32, none of them beyond float32's range."""
    counts = {name: int(attacked[name].saturated.sum()) for name in CASES}
    factors = {base: round(attacked[f"{base}-saturated"].factor, 2) for base in NETWORKS}
    print(f"\nimages with p_y == 1.0 in float32 (of 256): {counts}; logit-layer factors {factors}")
    for base in NETWORKS:
        assert counts[f"{base}-saturated"] >= 25, counts
        # the runner-up's probability e^-margin stays a normal float32 (> e^-87) in every saturated image
        case, labels = attacked[f"{base}-saturated"], test_set[1]
        others = np.where(np.eye(10, dtype=bool)[labels], -np.inf, case.logits)
        margin = case.logits[np.arange(len(labels)), labels] - others.max(axis=1)
        assert margin[case.saturated].max() <= LARGEST_MARGIN * (1 + 1e-6), (base, margin[case.saturated].max())


def test_adversarial_images_equal_numpy_fgsm(case, test_set):
    pixels, labels = test_set
    with h5py.File(case.output, "r") as f:
        stored = f["adversarial"][()]
        epsilons = f["epsilons"][()]
    assert stored.dtype == np.float32 and stored.shape == (len(EPSILONS), len(pixels), *case.x.shape[1:])
    np.testing.assert_array_equal(epsilons, np.array(EPSILONS, dtype=np.float32))
    g = case.gradient.reshape(len(pixels), -1)
    largest = np.abs(g).max(axis=1, keepdims=True)
    assert np.all(largest > 0), "an image with an all-zero float64 gradient"
    # A pixel may move the other way where its gradient is tiny, or where a float32 forward pass may
    # have taken another ReLU or max-pool branch than float64's, by more than the gradient itself.
    near_branch = np.abs(g) <= case.branch_bound.reshape(len(pixels), -1)
    tiny = (np.abs(g) < TINY_GRADIENT * largest) | near_branch
    x = case.x.reshape(len(pixels), -1)
    report, bad = [], []
    for run_index, epsilon in enumerate(EPSILONS):
        ours = np.clip(x + float(np.float32(epsilon)) * np.sign(g), 0.0, 1.0)
        theirs = stored[run_index].reshape(len(pixels), -1).astype(np.float64)
        differ = np.abs(theirs - ours) > SAME_PIXEL
        unexplained = differ & ~tiny
        for n in np.flatnonzero(unexplained.any(axis=1))[:5]:
            j = np.flatnonzero(unexplained[n])[0]
            bad.append(f"ε={epsilon} image {n} pixel {j}: stored {theirs[n, j]!r}, NumPy {ours[n, j]!r}, "
                       f"g {g[n, j]:.3g} (image max |g| {largest[n, 0]:.3g}, saturated {case.saturated[n]})")
        saturated_differ = int(differ[case.saturated].sum())
        report.append(f"ε={epsilon}: {int(differ.sum())} of {differ.size} pixels differ (all with tiny |g| or near a branch), "
                      f"{saturated_differ} of them in the {int(case.saturated.sum())} saturated images")
        assert differ.sum() <= 1e-3 * differ.size, report[-1]
    # Near a branch: most of a conv net's blank background, whose equal float64 values float32 may
    # round apart in a pool window; the share of pixels that differ stays bounded above all the same.
    print(f"\n{case.name}: " + "; ".join(report) + f"; {near_branch.mean():.1%} of the pixels near a branch")
    assert not bad, f"{case.name}: {len(bad)}+ pixels differ from NumPy FGSM where |g| is not tiny:\n" + "\n".join(bad)


@pytest.mark.parametrize("name", [f"{base}-saturated" for base in NETWORKS])
def test_saturated_images_are_attacked_with_the_exact_gradient(name, attacked, test_set):
    """Where p_y == 1.0 in float32, the stored images still move along sign(∇ₓJ) of the exact
    gradient (p − onehot would drop the true-class term and move along the wrong sign)."""
    pixels, labels = test_set
    case = attacked[name]
    assert case.saturated.any()
    with h5py.File(case.output, "r") as f:
        stored = f["adversarial"][0].reshape(len(pixels), -1).astype(np.float64)
    x = case.x.reshape(len(pixels), -1)
    g = case.gradient.reshape(len(pixels), -1)
    moved = np.sign(np.round((stored - x) / np.float32(EPSILONS[0]), 6))
    interior = (x > 0.0) & (x < 1.0)  # pixels that can move both ways (clipping may shorten the step)
    checked = 0
    for n in np.flatnonzero(case.saturated):
        # Pixels whose sign a float32 forward pass cannot change (not tiny, not near a branch); in some
        # conv images that is none of them.
        strong = interior[n] & (np.abs(g[n]) >= TINY_GRADIENT * np.abs(g[n]).max()) & (np.abs(g[n]) > case.branch_bound[n].ravel())
        agree = moved[n][strong] == np.sign(g[n][strong])
        assert strong.sum() == 0 or agree.mean() > 0.999, (case.name, n, agree.mean())
        checked += int(strong.sum())
    assert checked >= 100 * case.saturated.sum(), (case.name, checked)


def test_within_the_epsilon_ball_and_the_box(case, test_set):
    with h5py.File(case.output, "r") as f:
        stored = f["adversarial"][()].astype(np.float64)
    for run_index, epsilon in enumerate(EPSILONS):
        images = stored[run_index]
        assert images.min() >= 0.0 and images.max() <= 1.0
        assert np.abs(images - case.x).max() <= epsilon + 1e-6, epsilon


def test_bookkeeping_recomputed_from_the_stored_images(case, test_set):
    pixels, labels = test_set
    with h5py.File(case.output, "r") as f:
        data = {name: f[name][()] for name in f}
    n = len(pixels)
    np.testing.assert_array_equal(data["indices"], np.arange(n))
    np.testing.assert_array_equal(data["labels"], labels)
    np.testing.assert_array_equal(data["targets"], np.full(n, -1))
    clean = case.logits
    near = top2_gap(clean) < NEAR_TIE
    assert np.all((data["pred_clean"] == clean.argmax(axis=1)) | near)
    assert not data["failed"].any()
    np.testing.assert_array_equal(data["iterations"], 0)
    assert np.all(np.isnan(data["c_low"])) and np.all(np.isnan(data["c_high"]))
    ties = 0
    for run_index, epsilon in enumerate(EPSILONS):
        images = data["adversarial"][run_index].astype(np.float64)
        difference = (images - case.x).reshape(n, -1)
        np.testing.assert_allclose(data["distortion"][run_index], np.sqrt((difference ** 2).mean(axis=1)),
                                   rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(data["l2"][run_index], np.sqrt((difference ** 2).sum(axis=1)), rtol=1e-5,
                                   atol=1e-6)
        np.testing.assert_allclose(data["linf"][run_index], np.abs(difference).max(axis=1), rtol=1e-5, atol=1e-7)
        logits, _ = run_forward(case.network, images)
        ours = logits.argmax(axis=1)
        near = top2_gap(logits) < NEAR_TIE
        ties += int((near & (ours != data["pred_adv"][run_index])).sum())
        assert np.all((data["pred_adv"][run_index] == ours) | near), epsilon
        # success is computed from the stored prediction: misclassified (untargeted)
        np.testing.assert_array_equal(data["success"][run_index], (data["pred_adv"][run_index] != labels))
        confidence = softmax(logits)[np.arange(n), data["pred_adv"][run_index]]
        np.testing.assert_allclose(data["confidence"][run_index], confidence, rtol=1e-4, atol=1e-6)
    print(f"\n{case.name}: {ties} predictions on adversarial images decided by a near-tie")


DATASET_TYPES = {
    "indices": np.int64, "labels": np.int64, "targets": np.int64, "pred_clean": np.int64, "epsilons": np.float32,
    "adversarial": np.float32, "success": np.uint8, "distortion": np.float32, "l2": np.float32,
    "linf": np.float32, "pred_adv": np.int64, "confidence": np.float32, "iterations": np.int64,
    "c_low": np.float64, "c_high": np.float64, "failed": np.uint8,
}
PER_SAMPLE = {"indices", "labels", "targets", "pred_clean"}
FGSM_PARAMETERS = ["epsilon", "target", "steps", "step_size", "random_start"]
LBFGS_PARAMETERS = ["target", "max_iterations", "c_search_steps", "initial_c", "factr", "pgtol", "objective"]
COMMON_STRINGS = ["format", "tool_version", "created", "command_line", "blas_kernel", "blas_kernel_selection", "method", "model_file", "model_sha256", "model_architecture",
                  "dataset", "split", "shard"]


def check_layout(path, model, method, parameters, runs, n):
    with h5py.File(path, "r") as f:
        attrs = f.attrs
        expected = set(COMMON_STRINGS + parameters + ["format_version", "seed", "class_names", "first_example", "total_examples"])
        assert set(attrs.keys()) == expected, (sorted(set(attrs.keys()) - expected), sorted(expected - set(attrs)))
        for key in COMMON_STRINGS + parameters:
            assert type(attrs[key]) is str, key
        for key in ("format_version", "seed", "first_example", "total_examples"):
            assert type(attrs[key]) is np.int64, key
        # A whole run: the one slice of its examples.
        assert attrs["shard"] == "1/1" and attrs["first_example"] == 0 and attrs["total_examples"] == n
        assert isinstance(attrs["class_names"], np.ndarray) and all(type(s) is str for s in attrs["class_names"])
        assert attrs["format"] == "neuron-probe/attack" and attrs["format_version"] == 1
        assert attrs["method"] == method
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", attrs["created"])
        assert attrs["model_file"] == str(model)
        assert attrs["model_sha256"] == hashlib.sha256(model.read_bytes()).hexdigest()
        with h5py.File(model, "r") as m:
            assert attrs["model_architecture"] == m.attrs["architecture"]
            assert list(attrs["class_names"]) == list(m.attrs["class_names"])
        assert attrs["dataset"] == "fashion-mnist-tiny" and attrs["split"] == "test"
        # The dimension scales (empty datasets that name the axes, docs/attack-file.md) aside.
        assert sorted(k for k in f.keys() if not h5py.h5ds.is_scale(f[k].id)) == sorted(DATASET_TYPES)
        for name, dtype in DATASET_TYPES.items():
            ds = f[name]
            assert ds.dtype == dtype, (name, ds.dtype)
            if name in PER_SAMPLE:
                assert ds.shape == (n,), (name, ds.shape)
            elif name == "epsilons":
                assert ds.shape == (runs,)
            elif name == "adversarial":
                assert ds.shape == (runs, n, 1, 28, 28)
                assert ds.compression is None and ds.chunks == (1, min(n, 256), 1, 28, 28), (ds.compression, ds.chunks)
            else:
                assert ds.shape == (runs, n), (name, ds.shape)
        return dict(attrs)


def test_fgsm_layout_and_attributes(case, test_set):
    attrs = check_layout(case.output, case.model, "fgsm", FGSM_PARAMETERS, len(EPSILONS), len(test_set[1]))
    assert [float(e) for e in attrs["epsilon"].split(",")] == list(EPSILONS)
    assert attrs["target"] == "none" and attrs["steps"] == "1" and attrs["random_start"] == "false"


# --- L-BFGS ---

def test_lbfgs_next_target(attacked, probe, test_set, tmp_path):
    pixels, labels = test_set
    source = attacked["fc30-30-10-relu"]
    output = tmp_path / "lbfgs.h5"
    checked([probe, "attack", "lbfgs", source.model, "--limit", "20", "--target", "next", *DATA_ARGS, "-o", output,
             "--quiet"])
    attrs = check_layout(output, source.model, "lbfgs", LBFGS_PARAMETERS, 1, 20)
    assert attrs["target"] == "next"
    with h5py.File(output, "r") as f:
        data = {name: f[name][()] for name in f}
    np.testing.assert_array_equal(data["indices"], np.arange(20))
    np.testing.assert_array_equal(data["labels"], labels[:20])
    np.testing.assert_array_equal(data["targets"], (labels[:20] + 1) % 10)
    assert np.all(np.isnan(data["epsilons"]))
    images = data["adversarial"][0].astype(np.float64)
    assert images.min() >= 0.0 and images.max() <= 1.0
    logits, _ = run_forward(source.network, images)
    ours = logits.argmax(axis=1)
    success = data["success"][0].astype(bool)
    near = top2_gap(logits) < NEAR_TIE  # L-BFGS stops just past the decision boundary
    agree = (success == (ours == data["targets"])) | near
    assert agree.all(), (success.astype(int).tolist(), ours.tolist(), top2_gap(logits).tolist())
    print(f"\nL-BFGS: {int(success.sum())} of 20 reached the target; "
          f"{int((near & (success != (ours == data['targets']))).sum())} decided by a near-tie")
    np.testing.assert_array_equal(success, data["pred_adv"][0] == data["targets"])
    assert success.any()
    c_low, c_high = data["c_low"][0], data["c_high"][0]
    assert np.all(c_low[success] < c_high[success]), (c_low, c_high)
    assert np.all(c_low >= 0) and np.all(np.isfinite(c_high[success]))
    assert np.all(np.isinf(c_high[~success]))
    difference = (images - source.x[:20]).reshape(20, -1)
    np.testing.assert_allclose(data["distortion"][0], np.sqrt((difference ** 2).mean(axis=1)), rtol=1e-5,
                               atol=1e-7)
    np.testing.assert_allclose(data["l2"][0], np.sqrt((difference ** 2).sum(axis=1)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(data["linf"][0], np.abs(difference).max(axis=1), rtol=1e-5, atol=1e-7)
    assert not data["failed"].any()
