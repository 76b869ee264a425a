#!/usr/bin/env python3
"""The "record" work item of bench/run: neuron-probe's `probe record` against the Python pipeline a
user would write (PyTorch forward hooks + h5py, and a NumPy forward pass + h5py; record_python.py),
recording every layer of fc200-200-10 over all 70,000 Fashion-MNIST images into the layout of
docs/activation-file.md, uncompressed and with gzip level 4. With --item record-conv-small: every
layer of a conv-small model over the 10,000 test images, uncompressed, against the PyTorch pipeline
alone (a NumPy convolution would be unfair and slow), --repeats runs each.

    record_bench.py --probe .build/release/probe --model bench/out/fc200.h5 [--python-only] [--repeats 3]
    record_bench.py --item record-conv-small --model bench/out/conv-small.h5 [--repeats 3] [--limit N]

Prints JSON lines (bench/README.md lists them); report.py turns them into RESULTS.md's "record"
section. Every process runs under `/usr/bin/time -v` (wall time and peak RSS of the whole process),
and this script samples the process's VmRSS from /proc every few milliseconds to tell the memory
held before the recording (data set, model) from the peak while recording. The implementations
take turns in each repetition, so a burst of load elsewhere hits them alike. neuron-probe runs with
the environment as found, the Python pipelines with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import zlib

import h5py
import numpy as np

from peer_common import OthersMeter, busy_cpu_seconds, emit, loadavg, log, own_cpu_seconds

HERE = os.path.dirname(os.path.abspath(__file__))
COMPRESSIONS = ["none", "gzip:4"]
PYTHON_IMPLS = ["pytorch", "numpy"]   # record_python.py --impl torch | numpy
ROWS = 70000
READ_REPEATS = 5
READ_COLUMN = 7
READ_BLOCK = slice(0, 1024)
SAMPLE_INTERVAL = 0.005


def python_env():
    """OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset, threads left to each pipeline (record_python.py sets
    PyTorch's; NumPy's BLAS uses every core): unlike peer_common.python_env, no thread variables."""
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    return env


def child_of(pid):
    """The first child process of `pid` (the command /usr/bin/time runs), or None."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            children = f.read().split()
        return int(children[0]) if children else None
    except OSError:
        return None


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def parse_time_v(text):
    """Elapsed wall seconds and maximum RSS (kB) from /usr/bin/time -v's report."""
    elapsed = peak = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("Maximum resident set size"):
            peak = int(line.rsplit(":", 1)[1])
        elif line.startswith("Elapsed (wall clock) time"):
            value = line.rsplit(": ", 1)[1]
            seconds = 0.0
            for part in value.split(":"):
                seconds = seconds * 60 + float(part)
            elapsed = seconds
    return elapsed, peak


def measured_run(cmd, env=None, output=None):
    """Runs cmd under /usr/bin/time -v, sampling its RSS. Returns (JSON result, process info).

    Before the run, the file `output` from an earlier run is deleted (renaming a new file over an
    existing one makes ext4 write the new file's data back at once, inside the timed span: about 0.6 s
    for 252 MB), and os.sync() writes back the dirty pages earlier runs left (about 250 MB each), so that
    no run pays for the writeback of another. `others_cores`: the CPU other processes on the machine used
    during the run, in cores (0 on a quiet machine; the machine has os.cpu_count() cores)."""
    if output and os.path.exists(output):
        os.remove(output)
    os.sync()
    busy0, own0, wall0 = busy_cpu_seconds(), own_cpu_seconds(), time.perf_counter()
    proc = subprocess.Popen(["/usr/bin/time", "-v", *cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    first_output = []
    stdout_lines, stderr_text = [], []

    def read_stdout():
        for line in proc.stdout:
            if not first_output:
                first_output.append(time.perf_counter())
            stdout_lines.append(line)

    def read_stderr():
        stderr_text.append(proc.stderr.read())

    threads = [threading.Thread(target=read_stdout), threading.Thread(target=read_stderr)]
    for t in threads:
        t.start()
    samples, child = [], None
    while proc.poll() is None:
        child = child or child_of(proc.pid)
        if child:
            value = rss_kb(child)
            if value is not None:
                samples.append((time.perf_counter(), value))
        time.sleep(SAMPLE_INTERVAL)
    for t in threads:
        t.join()
    wall = time.perf_counter() - wall0
    others = (busy_cpu_seconds() - busy0) - (own_cpu_seconds() - own0)
    stderr = "".join(stderr_text)
    if proc.returncode != 0:
        raise RuntimeError(f"`{' '.join(map(str, cmd))}` exited with {proc.returncode}:\n{stderr[-3000:]}")
    text = "".join(stdout_lines)
    result = json.loads(text[text.index("{"):text.rindex("}") + 1])
    elapsed, peak = parse_time_v(stderr)
    info = {"process_seconds": elapsed, "peak_rss_kb": peak, "others_cores": max(0.0, others / wall)}
    # The recording is the last `seconds` before the JSON result appeared on stdout.
    if first_output and samples:
        end = first_output[0]
        start = end - result["seconds"]
        before = [v for t, v in samples if t < start]
        during = [v for t, v in samples if start <= t <= end]
        info["rss_before_kb"] = before[-1] if before else None
        info["rss_recording_peak_kb"] = max(during) if during else None
        info["rss_samples_during"] = len(during)
    return result, info


# work item -> the split it records
SPLITS = {"record": "all", "record-conv-small": "test"}


def probe_cmd(args, compression, output, extra=()):
    return [args.probe, "record", args.model, "--split", SPLITS[args.item], "--compression", compression,
            "-o", output, "--json", "--quiet", *extra]


def python_cmd(args, impl, compression, output, extra=()):
    return [sys.executable, os.path.join(HERE, "record_python.py"), args.model, "-o", output,
            "--impl", "torch" if impl == "pytorch" else "numpy", "--split", SPLITS[args.item],
            "--compression", compression, *extra]


def output_path(args, impl, compression):
    return os.path.join(args.out_dir, f"{args.item}-{impl}-{compression.replace(':', '')}.h5")


def timed_rounds(args, impls, compression, repeats, written, extra=()):
    """`repeats` rounds in which each implementation records once, in turn (so a burst of load elsewhere
    hits them alike). Returns ({implementation: [results of its runs]}, whether a run failed); the
    files written are added to `written`."""
    runs, failed = {impl: [] for impl in impls}, False
    for repeat in range(repeats):
        for impl in impls:
            path = output_path(args, impl, compression)
            if impl == "neuron-probe":
                cmd, env = probe_cmd(args, compression, path, extra), None
            else:
                cmd, env = python_cmd(args, impl, compression, path, extra), python_env()
            log(f"== {args.item} {impl} {compression} (run {repeat + 1} of {repeats})")
            try:
                result, info = measured_run(cmd, env, output=path)
            except (RuntimeError, ValueError) as error:
                log(f"record_bench.py: {impl} {compression} failed: {error}")
                failed = True
                continue
            runs[impl].append(dict(result, **info))
            if path not in written:
                written.append(path)
    return runs, failed


def emit_records(args, work, compression, runs):
    """One line per implementation that ran: the summary of its runs."""
    for impl, results in runs.items():
        if results:
            record = summarize(results)
            record.update({"work": work, "implementation": impl, "compression": compression})
            if impl == "neuron-probe":
                record["version"] = subprocess.run([args.probe, "--version"], capture_output=True,
                                                   text=True).stdout.strip()
            emit(record)


def emit_layout_checks(args, work, compression, impls):
    """Same layout? neuron-probe's file against each Python file."""
    for impl in impls:
        a, b = output_path(args, "neuron-probe", compression), output_path(args, impl, compression)
        if os.path.exists(a) and os.path.exists(b):
            differences, worst = layout_check(a, b)
            emit({"work": work, "compression": compression, "file": impl,
                  "differences": differences, "max_abs_diff": worst})


def remove(paths):
    for path in set(paths):
        if os.path.exists(path):
            os.remove(path)


def read_times(path, dataset="layers/fc1"):
    """Median seconds (of READ_REPEATS, reopening the file each time) of one unit's column and of one
    1,024-row block of `dataset`."""
    column, block = [], []
    for _ in range(READ_REPEATS):
        with h5py.File(path, "r") as f:
            start = time.perf_counter()
            values = f[dataset][:, READ_COLUMN]
            column.append(time.perf_counter() - start)
            assert values.shape == (ROWS,)
        with h5py.File(path, "r") as f:
            start = time.perf_counter()
            values = f[dataset][READ_BLOCK]
            block.append(time.perf_counter() - start)
    with h5py.File(path, "r") as f:
        chunks = f[dataset].chunks
    return {"column_seconds": statistics.median(column), "block_seconds": statistics.median(block),
            "column_runs": column, "block_runs": block, "chunks": list(chunks)}


def layout_check(reference, other):
    """Differences in dataset names, dtypes, shapes, chunks, filters and maxshape between two files, and
    the largest absolute difference of the float datasets."""
    def describe(path):
        found = {}
        with h5py.File(path, "r") as f:
            f.visititems(lambda name, item: found.__setitem__(name, (
                str(item.dtype), item.shape, item.chunks, item.compression, item.compression_opts,
                item.maxshape)) if isinstance(item, h5py.Dataset) else None)
        return found
    a, b = describe(reference), describe(other)
    differences = [f"{name}: {a.get(name)} vs {b.get(name)}" for name in sorted(set(a) | set(b))
                   if a.get(name) != b.get(name)]
    worst = {}
    with h5py.File(reference, "r") as f, h5py.File(other, "r") as g:
        for name in sorted(set(a) & set(b)):
            if f[name].size == 0:  # the unlimited sample dimension scale holds no values
                continue
            if f[name].dtype == np.float32:
                worst[name] = float(np.max(np.abs(f[name][()] - g[name][()])))
            else:
                worst[name] = float(np.max(np.abs(f[name][()].astype(np.int64) - g[name][()].astype(np.int64))))
    return differences, worst


def zlib_floor(path, level=4):
    """Seconds single-threaded zlib takes to compress every chunk of an uncompressed file at `level`."""
    chunks, raw, packed, seconds = 0, 0, 0, 0.0
    with h5py.File(path, "r") as f:
        datasets = []
        f.visititems(lambda name, item: datasets.append(item) if isinstance(item, h5py.Dataset) else None)
        for ds in datasets:
            for index in range(ds.id.get_num_chunks()):
                info = ds.id.get_chunk_info(index)
                _, data = ds.id.read_direct_chunk(info.chunk_offset)
                start = time.perf_counter()
                out = zlib.compress(data, level)
                seconds += time.perf_counter() - start
                chunks, raw, packed = chunks + 1, raw + len(data), packed + len(out)
    return {"seconds": seconds, "chunks": chunks, "bytes_in": raw, "bytes_out": packed, "level": level,
            "zlib": zlib.ZLIB_RUNTIME_VERSION}


def summarize(runs):
    """One record from several runs: medians of the times, the largest RSS values."""
    def med(key):
        values = [r[key] for r in runs if r.get(key) is not None]
        return statistics.median(values) if values else None

    def top(key):
        values = [r[key] for r in runs if r.get(key) is not None]
        return max(values) if values else None
    first = runs[0]
    out = {k: v for k, v in first.items() if k not in ("seconds", "process_seconds", "forward_seconds",
                                                        "write_seconds", "load_seconds")}
    out.update({"runs": [r["seconds"] for r in runs], "seconds": med("seconds"),
                "process_seconds": med("process_seconds"), "forward_seconds": med("forward_seconds"),
                "write_seconds": med("write_seconds"), "load_seconds": med("load_seconds"),
                "peak_rss_kb": top("peak_rss_kb"), "rss_before_kb": med("rss_before_kb"),
                "rss_recording_peak_kb": top("rss_recording_peak_kb"),
                "others_cores": [r.get("others_cores") for r in runs]})
    return out


def conv_item(args):
    """record-conv-small: neuron-probe against the PyTorch pipeline, uncompressed, on the test split."""
    impls = ([] if args.python_only else ["neuron-probe"]) + ["pytorch"]
    extra = ["--limit", str(args.limit)] if args.limit else []
    load = loadavg()
    written = []
    with OthersMeter() as meter:
        runs, failed = timed_rounds(args, impls, "none", args.repeats, written, extra)
    emit_records(args, "record-conv-small", "none", runs)
    if "neuron-probe" in impls:
        emit_layout_checks(args, "record-conv-small-layout", "none", ["pytorch"])
    emit({"work": "record-conv-small-meta", "loadavg_before": load, "model": args.model, "repeats": args.repeats,
          "rows": (runs.get("pytorch") or [{}])[0].get("rows"), "python_only": args.python_only,
          "others_cores_mean": meter.cores})
    if not args.keep_files:
        remove(written)
    return 1 if failed else 0


def fc200_item(args):
    """record: fc200-200-10 over all 70,000 images, uncompressed and gzip, against PyTorch and NumPy."""
    impls = ([] if args.python_only else ["neuron-probe"]) + PYTHON_IMPLS
    emit({"work": "record-meta", "loadavg_before": loadavg(), "rows": ROWS, "model": args.model,
          "data_bytes_uint8": ROWS * 784, "data_bytes_float32": ROWS * 784 * 4, "repeats": args.repeats,
          "repeats_uncompressed": args.repeats_uncompressed,
          "implementations": impls, "python_only": args.python_only})

    busy_start, own_start, wall_start = busy_cpu_seconds(), own_cpu_seconds(), time.perf_counter()
    written = []
    failed = False
    for compression in COMPRESSIONS:
        repeats = args.repeats_uncompressed if compression == "none" else args.repeats
        runs, run_failed = timed_rounds(args, impls, compression, repeats, written)
        failed = failed or run_failed
        emit_records(args, "record", compression, runs)

        # Reading back one unit's column and a block of rows, from each side's file.
        for impl in impls:
            path = output_path(args, impl, compression)
            if os.path.exists(path):
                emit(dict(read_times(path), work="record-read", file=impl, compression=compression,
                          bytes=os.path.getsize(path)))
        # A reference layout: row-major (1024, units) chunks, written by the NumPy pipeline.
        path = os.path.join(args.out_dir, f"record-rowmajor-{compression.replace(':', '')}.h5")
        try:
            subprocess.run(python_cmd(args, "numpy", compression, path, ["--chunk-rows", "1024", "--chunk-units", "0"]),
                           env=python_env(), check=True, capture_output=True, text=True)
            written.append(path)
            emit(dict(read_times(path), work="record-read", file="row-major", compression=compression,
                      bytes=os.path.getsize(path)))
        except subprocess.CalledProcessError as error:
            log(f"record_bench.py: the row-major reference file failed: {error.stderr[-2000:]}")

        if "neuron-probe" in impls:
            emit_layout_checks(args, "record-layout", compression, PYTHON_IMPLS)

    # Where the time goes: the forward pass alone (recording only the 10-unit fc3), and zlib alone.
    if "neuron-probe" in impls:
        path = os.path.join(args.out_dir, "record-probe-fc3.h5")
        try:
            times, others = [], []
            for _ in range(args.repeats_uncompressed):
                result, info = measured_run(probe_cmd(args, "none", path, ["--layers", "fc3"]), output=path)
                times.append(result["seconds"])
                others.append(info["others_cores"])
            written.append(path)
            emit({"work": "record-forward", "implementation": "neuron-probe", "layers": "fc3",
                  "seconds": statistics.median(times), "runs": times, "others_cores": others})
        except (RuntimeError, ValueError) as error:
            log(f"record_bench.py: --layers fc3 failed: {error}")
    base = output_path(args, impls[0], "none")
    if os.path.exists(base):
        emit(dict(zlib_floor(base), work="record-zlib", file=impls[0]))

    # Peak RSS as the recording grows: the first 10,000 rows against all 70,000.
    if "neuron-probe" in impls:
        for compression in COMPRESSIONS:
            path = os.path.join(args.out_dir, "record-probe-limit.h5")
            for limit in (10000, ROWS):
                try:
                    extra = ["--limit", str(limit)] if limit < ROWS else []
                    result, info = measured_run(probe_cmd(args, compression, path, extra), output=path)
                except (RuntimeError, ValueError) as error:
                    log(f"record_bench.py: --limit {limit} failed: {error}")
                    failed = True
                    continue
                written.append(path)
                emit(dict(info, work="record-rss", implementation="neuron-probe", compression=compression,
                          rows=result["rows"], seconds=result["seconds"], bytes=result["bytes"]))

    emit({"work": "record-load", "others_cores_mean": (busy_cpu_seconds() - busy_start - (own_cpu_seconds() - own_start))
          / (time.perf_counter() - wall_start), "seconds": time.perf_counter() - wall_start})
    if not args.keep_files:
        remove(written)
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--item", choices=list(SPLITS), default="record")
    parser.add_argument("--probe", default=os.path.join(HERE, "..", ".build", "release", "probe"))
    parser.add_argument("--model", default=os.path.join(HERE, "out", "fc200.h5"))
    parser.add_argument("--out-dir", default=os.path.join(HERE, "out"))
    parser.add_argument("--repeats", type=int, default=3, help="runs per implementation with gzip, and for record-conv-small")
    parser.add_argument("--repeats-uncompressed", type=int, default=5,
                        help="runs per implementation uncompressed (about 1 s each, and noisier)")
    parser.add_argument("--limit", type=int, help="record-conv-small: the first N images only (a quick run)")
    parser.add_argument("--python-only", action="store_true")
    parser.add_argument("--keep-files", action="store_true", help="keep the recorded .h5 files in --out-dir")
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    return conv_item(args) if args.item == "record-conv-small" else fc200_item(args)


if __name__ == "__main__":
    sys.exit(main())
