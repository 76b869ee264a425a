"""Helpers shared by the bench scripts: JSON output, the Python environment, whole-process timing,
how busy the rest of the machine was while a run went on, and a model file (docs/model-file.md) read
with h5py and built as a PyTorch network."""
import collections
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)              # the package root
OUT = os.path.join(HERE, "out")
PROBE = os.path.join(ROOT, ".build", "release", "probe")
THREADS = 2


def emit(obj):
    """One JSON object a line on stdout (what bench/report.py reads)."""
    print(json.dumps(obj), flush=True)


def log(text):
    print(text, file=sys.stderr, flush=True)


def python_env():
    """The environment for NumPy/PyTorch: OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset (a current NumPy
    picks its own kernel), 2 threads everywhere."""
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(THREADS)
    return env


def busy_cpu_seconds():
    """CPU seconds all processes have used (/proc/stat: everything but idle and iowait)."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    busy = sum(fields[:8]) - fields[3] - fields[4]
    return busy / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds():
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class OthersMeter:
    """CPU that other processes used during a span, in cores (0 on a quiet machine)."""

    def __enter__(self):
        self.busy0, self.own0, self.wall0 = busy_cpu_seconds(), own_cpu_seconds(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        wall = time.perf_counter() - self.wall0
        others = (busy_cpu_seconds() - self.busy0) - (own_cpu_seconds() - self.own0)
        self.cores = max(0.0, others / wall) if wall > 0 else 0.0
        return False


def timed_process(cmd, env=None, cwd=ROOT):
    """Runs cmd, returns (wall seconds of the whole process, stdout, others_cores)."""
    with OthersMeter() as meter:
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd)
        wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"`{' '.join(map(str, cmd))}` exited with {proc.returncode}:\n{proc.stderr[-3000:]}")
    return wall, proc.stdout, meter.cores


def last_json(text):
    """The last JSON object printed (one a line), or the whole text parsed as one object."""
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{") and line.endswith("}"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                pass
    return json.loads(text[text.index("{"):text.rindex("}") + 1])


def median(values):
    return statistics.median(values)


def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().split()[:3]


def ensure(path, cmd):
    """Makes `path` with `cmd` (run in the package root) when it is missing."""
    if not os.path.exists(path):
        log(f"== {' '.join(cmd)}")
        subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def probe_version(probe=PROBE):
    try:
        return subprocess.run([probe, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def model_layers(path):
    """A model file's layers in network order, [(name, kind, attributes, weight or None, bias or None)]
    (weights float32, as stored), and its root attributes."""
    import h5py
    layers = []
    with h5py.File(path, "r") as f:
        for name in f.attrs["layer_names"]:
            g = f["layers"][name]
            weight, bias = (g["weight"][()], g["bias"][()]) if "weight" in g else (None, None)
            layers.append((name, g.attrs["kind"], dict(g.attrs), weight, bias))
        return layers, dict(f.attrs)


def torch_model(layers, input_shape):
    """The layers of model_layers() as an nn.Sequential in eval mode, one child per layer under the
    layer's name, weights copied and frozen. It takes flat images (N, 784) as the tool's dense layers
    do; a network that starts with a conv2d layer gets an nn.Unflatten to (N,) + input_shape in front
    (the child "input")."""
    import torch
    from torch import nn
    modules = collections.OrderedDict()
    if layers[0][1] == "conv2d":
        modules["input"] = nn.Unflatten(1, tuple(int(d) for d in input_shape))
    for name, kind, a, weight, bias in layers:
        if kind == "dense":
            m = nn.Linear(weight.shape[1], weight.shape[0])
        elif kind == "conv2d":   # weight (out, in, k, k), as nn.Conv2d's
            m = nn.Conv2d(int(a["in_channels"]), int(a["out_channels"]), int(a["kernel"]),
                          stride=int(a["stride"]), padding=int(a["padding"]))
        elif kind == "maxpool2d":
            m = nn.MaxPool2d(int(a["size"]), int(a["stride"]))
        elif kind == "flatten":
            m = nn.Flatten()
        elif kind == "dropout":
            m = nn.Dropout(float(a["rate"]))
        elif kind in ("relu", "sigmoid", "tanh"):
            m = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}[kind]()
        else:
            raise SystemExit(f"layer {name} of kind {kind} is not supported by this benchmark")
        if weight is not None:
            with torch.no_grad():
                m.weight.copy_(torch.from_numpy(weight))
                m.bias.copy_(torch.from_numpy(bias))
        modules[name] = m
    model = nn.Sequential(modules).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model
