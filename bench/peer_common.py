"""Helpers shared by units_bench.py and attack_bench.py: JSON output, the Python environment,
whole-process timing, and how busy the rest of the machine was while a run went on."""
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
