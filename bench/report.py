#!/usr/bin/env python3
"""Write bench/RESULTS.md from the JSON lines that bench/run collected in bench/out/.

bench/out/<source>.jsonl holds what a side printed (one JSON object a line),
bench/out/<source>.status one line: "ok", "skipped ...", "build failed ...", "failed ...".
Sources: neuron-probe (the Swift ProbeBench), numpy, pytorch, record and record-conv-small
(record_bench.py: `probe record` against the PyTorch/NumPy + h5py pipelines, each its own section),
and the stability probes (stability_report.py). bench/out/openblas-corename: what OpenBLAS picks on
its own for this CPU (bench/run).
Exits non-zero when neuron-probe (unless --python-only), a Python side or a record item did not run.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stability_report  # noqa: E402

SOURCES = ["neuron-probe", "numpy", "pytorch"]
WORKS = {
    "mlp-epoch": "784-100-100-10 ReLU MLP, one epoch",
    "conv-small-epoch": "conv-small (conv5x5x8, pool, conv5x5x16, pool, dense 128, dense 10), one epoch",
    "conv-epoch": "conv, Madry et al.'s network (conv5x5x32, pool, conv5x5x64, pool, dense 1024, dense 10), one epoch",
}
NOT_CONV = "not measured (a NumPy conv would be unfair and slow)"
NOT_MEASURED = {("numpy", "conv-small-epoch"): NOT_CONV, ("numpy", "conv-epoch"): NOT_CONV}
EPOCH_REPEATS = 5        # timed epochs of the items that do not say otherwise
TRAIN_IMAGES = 60000


def read_source(out_dir, source):
    """(status, list of JSON objects) for one source; lines that are not JSON objects are skipped."""
    status_path = os.path.join(out_dir, source + ".status")
    status = open(status_path).read().strip() if os.path.exists(status_path) else "not run"
    records = []
    path = os.path.join(out_dir, source + ".jsonl")
    if os.path.exists(path):
        for line in open(path):
            line = line.strip()
            if line.startswith("{"):
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError:
                    pass
    return status, records


def command_output(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def cpu_model():
    """lscpu's model name line (/proc/cpuinfo's when lscpu is missing), family/model/stepping, and which
    of avx2 / avx512f the CPU has."""
    fields = {}
    for line in command_output("lscpu").splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    try:
        cpuinfo = open("/proc/cpuinfo").read()
    except OSError:
        cpuinfo = ""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        fields.setdefault({"model name": "Model name", "flags": "Flags"}.get(key.strip(), key.strip()), value.strip())
    model = fields.get("Model name") or platform.processor() or "unknown"
    ids = ", ".join(f"{label} {fields[key]}" for key, label in (("CPU family", "family"), ("Model", "model"),
                                                                ("Stepping", "stepping")) if fields.get(key))
    flags = [f for f in ("avx2", "avx512f") if f in fields.get("Flags", "").split()]
    return model, ids, flags


def openblas_choice(out_dir):
    """What bench/run's openblas_get_corename() program printed (with OPENBLAS_CORETYPE unset), or None."""
    path = os.path.join(out_dir, "openblas-corename")
    return open(path).read().strip() if os.path.exists(path) else None


def fmt_seconds(x):
    return f"{x:.3f}" if isinstance(x, (int, float)) else "—"


def machine_section(out_dir, by_source, python_only):
    model, ids, flags = cpu_model()
    swift = command_output("swift", "--version").splitlines()
    openblas = command_output("dpkg-query", "-W", "-f", "${Version}", "libopenblas0") or \
        command_output("pkg-config", "--modversion", "openblas") or "unknown"
    first = {src: (recs[0] if recs else {}) for src, recs in by_source.items()}
    np_rec, pt_rec, probe_rec = first["numpy"], first["pytorch"], first["neuron-probe"]
    blas = np_rec.get("blas") or {}
    lines = [
        "## Machine",
        "",
        f"- CPU (lscpu's model name): {model} ({'; '.join(x for x in (ids, ', '.join(flags) or 'no avx2/avx512f') if x)}), "
        f"{os.cpu_count()} cores",
        f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- swift: {swift[0] if swift else 'not found'}",
        f"- OpenBLAS (Debian libopenblas0, used by neuron-probe): {openblas}"
        + (f"; ProbeBench reports `{probe_rec['blas']}`" if probe_rec.get("blas") else "")
        + (f"; kernel in use: **{probe_rec['blas_kernel']}**" if probe_rec.get("blas_kernel") else ""),
        f"- numpy: {np_rec.get('version', 'not run')}"
        + (f"; its BLAS (threadpoolctl): {blas.get('internal_api')} {blas.get('version')}, "
           f"kernel {blas.get('architecture')}, {blas.get('num_threads')} threads" if blas else ""),
        f"- torch: {pt_rec.get('version', 'not run')}"
        + (f"; {pt_rec.get('threads')} threads (torch.set_num_threads), BLAS {pt_rec.get('blas')}" if pt_rec else ""),
    ]
    choice = openblas_choice(out_dir)
    if choice:
        lines.append(f"- OpenBLAS's own choice on this CPU: {choice} (`openblas_get_corename()` of the system "
                     "OpenBLAS in a small C program built by bench/run, run with OPENBLAS_CORETYPE and "
                     "OPENBLAS_L2_SIZE unset)")
    env_vars = {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    shown = ", ".join(f"{k}={v}" if v is not None else f"{k} unset" for k, v in env_vars.items())
    lines.append(f"- environment: {shown}. neuron-probe ran as a user gets it: with the environment as found, "
                 "its kernel chosen by the tool (`BLASKernelSelection`, as `probe` does); NumPy and PyTorch ran with both unset in their command "
                 "alone (`env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 ...`), so NumPy uses the "
                 "kernel named above.")
    load_path = os.path.join(out_dir, "loadavg-before")
    if os.path.exists(load_path):
        load = open(load_path).read().split()[:3]
        note = ""
        if load and float(load[0]) > 1.0:
            note = (" — the machine was busy (1-minute load above 1): times may be inflated, "
                    "run again when it is quiet")
        lines.append(f"- load average before the run (1/5/15 min): {' '.join(load)}{note}")
    if python_only:
        lines.append("- run with `--python-only`: neuron-probe was not built or run")
    return lines


def work_table(work, by_source, status):
    recs = {src: next((r for r in by_source[src] if r.get("work") == work
                       and isinstance(r.get("seconds"), (int, float))), None) for src in SOURCES}
    base = recs["neuron-probe"]["seconds"] if recs["neuron-probe"] else None
    lines = [f"## {work}: {WORKS[work]}", "",
             "| implementation | version | seconds (median) | best | mean loss | ratio (time / neuron-probe) |",
             "| --- | --- | ---: | ---: | ---: | ---: |"]
    noisy_rows = False
    for src in SOURCES:
        r = recs[src]
        if r is None:
            why = NOT_MEASURED.get((src, work)) or status[src]
            if status[src] == "ok" and (src, work) not in NOT_MEASURED:
                why = "no result printed"
            lines.append(f"| {src} | — | {why} | | | |")
            continue
        runs = r.get("runs") or [r["seconds"]]
        ratio = f"{r['seconds'] / base:.2f}" if base else "—"
        loss = r.get("mean_loss")
        loss = f"{loss:.4f}" if isinstance(loss, (int, float)) else "—"
        noisy = " *" if r["seconds"] > 1.3 * min(runs) else ""
        if noisy:
            noisy_rows = True
        lines.append(f"| {src} | {r.get('version', '')} | {fmt_seconds(r['seconds'])}{noisy} "
                     f"| {fmt_seconds(min(runs))} | {loss} | {ratio} |")
    if noisy_rows:
        lines += ["", "\\* the median is more than 1.3x the best epoch: something else was probably "
                  "running on the machine; run again when it is quiet."]
    measured = [(src, r) for src, r in recs.items() if r]
    fewer = [f"{src} {len(r.get('runs') or [1])}" for src, r in measured if len(r.get("runs") or [1]) < EPOCH_REPEATS]
    if fewer:
        two = "; the median of two is their mean" if any(len(r.get("runs") or [1]) == 2 for _, r in measured) else ""
        lines += ["", f"Fewer repetitions for this item, whose epoch is slow: timed epochs {', '.join(fewer)} (after the "
                  f"warm-up of 5 batches), against {EPOCH_REPEATS} for the other items{two}."]
    quick = sorted({r["images"] for _, r in measured if r.get("images", TRAIN_IMAGES) != TRAIN_IMAGES})
    if quick:
        lines += ["", f"**Quick run**: the epochs covered only the first {', '.join(f'{n:,}' for n in quick)} training "
                  "images (`--images`), not a full epoch."]
    return lines


def sgemm_section(by_source, status):
    lines = ["## sgemm: neuron-probe's dense layers against OpenBLAS sgemm", ""]
    rec = next((r for r in by_source["neuron-probe"] if r.get("work") == "sgemm"), None)
    if rec is None:
        why = "ProbeBench printed no sgemm line" if status["neuron-probe"] == "ok" else status["neuron-probe"]
        return lines + [f"neuron-probe: {why}."]
    shapes = rec.get("shapes") or []
    if shapes:
        lines += ["| m | n | k | sgemm GFLOP/s |", "| ---: | ---: | ---: | ---: |"]
        lines += [f"| {s.get('m')} | {s.get('n')} | {s.get('k')} | {s.get('gflops', 0):.1f} |" for s in shapes]
        lines.append("")
    dense, sgemm = rec.get("dense_gflops"), rec.get("sgemm_gflops")
    if dense and sgemm:
        lines.append(f"- neuron-probe's dense layers run at {dense:.1f} GFLOP/s; sgemm alone at the same shapes "
                     f"runs at {sgemm:.1f} GFLOP/s ({100 * dense / sgemm:.0f}% of it).")
    floor_work = rec.get("floor_work", "mlp-epoch")
    epoch = next((r for r in by_source["neuron-probe"] if r.get("work") == floor_work), {})
    achieved = epoch.get("seconds")
    floor = rec.get("floor_seconds")
    if floor:
        text = f"- sgemm-bound floor for {floor_work}: {floor:.3f} s (its matrix products at sgemm's rate)"
        if achieved:
            text += f"; achieved {achieved:.3f} s, {achieved / floor:.2f}x the floor."
        lines.append(text)
    ratios, floors = epoch.get("floor_ratios"), epoch.get("floor_runs")
    if ratios and floors:
        target = FLOOR_TARGET
        verdict = "within" if epoch["floor_ratio"] <= target else "not within"
        lines.append(
            f"- each timed {floor_work} against the floor measured just before it (2000 products of each shape): "
            f"median **{epoch['floor_ratio']:.2f}x** the floor, {verdict} the target of {target}x "
            f"(per epoch: {', '.join(f'{r:.2f}' for r in ratios)}; floors {', '.join(f'{f:.3f}' for f in floors)} s). "
            "On a machine whose speed drifts, this pairing is the steadier figure.")
    share_floors, share_ratio = epoch.get("share_floor_runs"), epoch.get("share_floor_ratio")
    if share_floors and share_ratio:
        lines.append(
            f"- the engine makes a training step's products as one share of the batch per core, each core's "
            f"single-threaded and at the same time (faster than one product on two OpenBLAS threads); those "
            f"products alone, measured the same way just before each epoch, take "
            f"{', '.join(f'{f:.3f}' for f in share_floors)} s an epoch: the epoch is a median "
            f"**{share_ratio:.2f}x** that floor of the engine's own way.")
    return lines


FLOOR_TARGET = 1.3   # the target: the MLP epoch within 1.3x of its sgemm-bound floor


# --- the "record" work item (record_bench.py) ------------------------------------------------------

RECORD_IMPLS = ["neuron-probe", "pytorch", "numpy"]
RECORD_TARGET = 1.5   # the target: neuron-probe at least 1.5x faster than the Python pipeline
MB = 1e6


def mb(value):
    return f"{value / MB:.1f}" if isinstance(value, (int, float)) else "—"


def rss_mb(kb):
    return f"{kb * 1024 / MB:.0f}" if isinstance(kb, (int, float)) else "—"


def others_text(values):
    values = [v for v in (values or []) if isinstance(v, (int, float))]
    if not values:
        return "—"
    return f"{sum(values) / len(values):.2f} / {max(values):.2f}"


def ms(seconds):
    return f"{1000 * seconds:.1f}" if isinstance(seconds, (int, float)) else "—"


SGEMM_PEAK = 140.0   # GFLOP/s, OpenBLAS sgemm on 2 cores of these machines (DESIGN.md: roughly 140-150)
# fc200-200-10: multiply-adds per image of its three dense layers
RECORD_MACS_PER_IMAGE = 784 * 200 + 200 * 200 + 200 * 10


def probe_compressor():
    """How neuron-probe's recorder compresses gzip chunks, read from its source; None when unknown."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "Activations", "RowSink.swift")
    try:
        text = open(path).read()
    except OSError:
        return None
    if "H5Dwrite_chunk" not in text and "writeChunk" not in text and "StoredChunk" not in text:
        return None
    library = "libdeflate" if "libdeflate_" in text else "zlib" if "compress2" in text else None
    if library is None:
        return None
    return library + (", in parallel on all cores" if "concurrentPerform" in text else "")


def where_the_time_goes(runs, compressions, forward, zl, sgemm_rate):
    """Sentences on where each side's recording time goes, for the compressions where the target is missed."""
    lines = []
    flops = 2 * RECORD_MACS_PER_IMAGE * 70000
    for compression in compressions:
        base = runs.get(("neuron-probe", compression))
        others = [(impl, runs[(impl, compression)]) for impl in ("pytorch", "numpy") if (impl, compression) in runs]
        if not base or not others or all(r["seconds"] / base["seconds"] >= RECORD_TARGET for _, r in others):
            continue
        parts = []
        if forward.get("seconds"):
            parts.append(f"neuron-probe ≈ {forward['seconds']:.2f} s forward (the `--layers fc3` run) + "
                         f"{base['seconds'] - forward['seconds']:.2f} s writing")
        parts += [f"{impl} {r['forward_seconds']:.2f} s forward + {r['write_seconds']:.2f} s writing"
                  for impl, r in others if r.get("forward_seconds") is not None]
        text = f"Where the time goes ({compression}): " + "; ".join(parts) + ". "
        text += (f"The forward pass is {flops / 1e9:.1f} GFLOP: {flops / 1e9 / SGEMM_PEAK:.2f} s at the "
                 f"{SGEMM_PEAK:.0f} GFLOP/s OpenBLAS sgemm reaches on these 2-core machines (DESIGN.md)")
        fastest_forward = min((r["forward_seconds"] for _, r in others if r.get("forward_seconds")), default=None)
        if fastest_forward:
            text += f"; the Python side's forward ran at {flops / 1e9 / fastest_forward:.0f} GFLOP/s"
        if forward.get("seconds"):
            text += f", neuron-probe's (with its bookkeeping) at about {flops / 1e9 / forward['seconds']:.0f}"
        text += ". "
        fastest = min(r["seconds"] for _, r in others)
        text += (f"A {RECORD_TARGET}x lead needs neuron-probe at {fastest / RECORD_TARGET:.2f} s or less")
        if compression == "none":
            text += (": about its forward pass alone. neuron-probe already writes each batch on whichever core is free "
                     "while the next batches are computed, but writing is CPU work too (arranging the rows into chunks and "
                     "copying the file's 252 MB into the page cache: about 0.1 CPU-seconds) and both cores are busy with the "
                     "forward pass; bypassing the page cache with O_DIRECT was measured slower on this disk.")
        elif zl.get("seconds"):
            text += (f"; compressing the file's chunks with zlib takes {zl['seconds']:.2f} s on one core, "
                     f"{zl['seconds'] / 2:.2f} s on two at best, so a faster compressor is needed too.")
        else:
            text += "."
        lines += ["", text]
    return lines


def layout_note(layouts):
    """A sentence on record_bench.py's layout checks (neuron-probe's file against each Python file)."""
    same = all(not r.get("differences") for r in layouts)
    worst = max((v for r in layouts for k, v in r.get("max_abs_diff", {}).items()), default=None)
    text = ("same layout: every dataset of the Python files has the name, dtype, shape, chunk shape, filter "
            "and maxshape of neuron-probe's" if same else
            "LAYOUT DIFFERS: " + "; ".join(d for r in layouts for d in r.get("differences", [])[:5]))
    if worst is not None:
        text += f"; the values agree to {worst:.1e} (max abs difference, float32 BLAS rounding)"
    return text + "."


def record_conv_section(out_dir):
    """record-conv-small: `probe record` of a conv-small model over the test images against PyTorch + h5py.
    Returns (lines, whether the item failed)."""
    status, records = read_source(out_dir, "record-conv-small")
    title = ["## record-conv-small: conv-small, every layer over the 10,000 Fashion-MNIST test images, "
             "into HDF5 (uncompressed)", ""]
    if status.startswith("skipped") and not records:
        return title + [f"Not run: {status}."], False
    rows = {r.get("implementation"): r for r in records if r.get("work") == "record-conv-small"}
    if not rows:
        return title + [f"No result: {status} (see bench/out/record-conv-small.log)."], True
    meta = next((r for r in records if r.get("work") == "record-conv-small-meta"), {})
    lines = title + [
        "`probe record bench/out/conv-small.h5 --split test -o F --json` (neuron-probe) against `bench/record_python.py "
        "--split test` (PyTorch: nn.Conv2d / nn.MaxPool2d / nn.Linear built from the model file's layers, a forward "
        "hook on every recorded layer, `torch.set_num_threads(2)`; h5py appending batches of 1,024 rows). Both write "
        "conv1, relu1, pool1, conv2, relu2, pool2, fc1, relu3, fc2 (flatten is not recorded), logits, labels and "
        "indices, feature maps (N, C, H, W) chunked (R, 1, H, W) with R·H·W·4 ≤ 512 KiB (128 rows for 28×28, 512 for "
        "14×14, 2048 for 7×7). The model: `probe train --arch conv-small --epochs 1 --seed 1`. **seconds**: the "
        "recording alone, as in the record item above (file creation to the renamed file), median and best of "
        f"{meta.get('repeats', '?')} runs each, the two taking turns — fewer than the record item's 5, as each "
        f"run writes a file of {mb(next(iter(rows.values()))['bytes'])} MB. **process s** and **peak RSS**: the whole process.",
        "",
        "| implementation | version | seconds (median) | best | MB/s | file MB | process s | peak RSS MB "
        "| ratio (time / neuron-probe) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    base = rows.get("neuron-probe")
    for impl in ("neuron-probe", "pytorch"):
        r = rows.get(impl)
        if r is None:
            why = "skipped (--python-only)" if impl == "neuron-probe" and meta.get("python_only") else "failed"
            lines.append(f"| {impl} | — | {why} | | | | | | |")
            continue
        ratio = f"{r['seconds'] / base['seconds']:.2f}" if base else "—"
        lines.append(f"| {impl} | {r.get('version', '')} | {r['seconds']:.3f} | {min(r.get('runs') or [r['seconds']]):.3f} "
                     f"| {r['bytes'] / MB / r['seconds']:.0f} | {mb(r['bytes'])} | {fmt_seconds(r.get('process_seconds'))} "
                     f"| {rss_mb(r.get('peak_rss_kb'))} | {ratio} |")
    notes = []
    layouts = [r for r in records if r.get("work") == "record-conv-small-layout"]
    if layouts:
        notes.append(layout_note(layouts))
    rows_done = meta.get("rows")
    if rows_done and rows_done != 10000:
        notes.append(f"**Quick run**: only the first {rows_done:,} test images (`--limit`), not the full item.")
    if meta.get("others_cores_mean") is not None:
        busy = " — the machine was busy: times may be inflated" if meta["others_cores_mean"] > 0.25 else ""
        notes.append(f"other processes used {meta['others_cores_mean']:.2f} cores on average during this item{busy}.")
    return lines + [""] + [f"- {n}" for n in notes], False


def record_section(out_dir, sgemm_rate=140.0):
    status, records = read_source(out_dir, "record")
    title = ["## record: fc200-200-10, every layer over all 70,000 Fashion-MNIST images, into HDF5", ""]
    if status.startswith("skipped") and not records:
        return title + [f"Not run: {status}."], False
    by_work = {}
    for r in records:
        by_work.setdefault(r.get("work"), []).append(r)
    meta = (by_work.get("record-meta") or [{}])[0]
    runs = {(r.get("implementation"), r.get("compression")): r for r in by_work.get("record", [])}
    if not runs:
        return title + [f"No result: {status} (see bench/out/record.log)."], True
    lines = title + [
        "`probe record bench/out/fc200.h5 --split all [--compression gzip:4] -o F --json` (neuron-probe) against "
        "`bench/record_python.py` (the pipeline a user would write: the same model file's weights in "
        "nn.Linear/nn.Sigmoid with forward hooks, `torch.set_num_threads(2)`, or the same forward pass in "
        "float32 NumPy; h5py appending batches of 1,024 rows to resizable datasets). Both write the layout "
        "of docs/activation-file.md: `/layers/{fc1,sigmoid1,fc2,sigmoid2,fc3}` and `/logits` float32 chunked "
        "(8192, min(units, 16)), `/labels` and `/indices` chunked (8192,), maxshape None, the same filter; "
        "h5py with a chunk cache of one band (`rdcc_nbytes` = 1.25 x 8192 x 200 x 4 bytes). The model: "
        "`probe train --arch fc200-200-10 --epochs 1 --seed 1`.",
        "",
        f"- **recording s**: median (and best) of {meta.get('repeats_uncompressed', '?')} runs uncompressed and "
        f"{meta.get('repeats', '?')} with gzip (the implementations take turns) of the recording alone: from creating the file to the complete file renamed into place, with every forward "
        "pass, HDF5 write and compression. Not included: process start, imports, reading the model, "
        "loading and scaling the images (and for Python an untimed warm-up of 8 batches). neuron-probe's is "
        "the `seconds` of its `--json` output; the Python pipeline times the same span with "
        "`time.perf_counter`. **process s**: the whole process (`/usr/bin/time -v`), start to exit.",
        "- **MB/s** = file bytes / recording s (median). **ratio** = that implementation's recording s / "
        "neuron-probe's, of the medians (of the best runs): above 1, neuron-probe is faster. On a busy machine "
        "the ratio of the best runs is the steadier of the two.",
        "- **others, cores**: the CPU that other processes on the machine used during this row's runs, in "
        "cores (busy time from /proc/stat minus the benchmark's own; mean and largest over the runs). Near 0: "
        "the machine was quiet; the machine has 2 cores, and every implementation here uses both.",
        "- **peak RSS**: `/usr/bin/time -v`'s maximum resident set size of the whole process; **before** / "
        "**while recording**: VmRSS sampled from /proc every 5 ms, the last sample before the recording "
        "started and the largest during it (the data set and the model are already in memory then).",
        "",
        "| implementation | compression | recording s (best) | MB/s | file MB | ratio (of the bests) | "
        "forward / write s | process s | peak RSS MB | RSS before / while recording MB | others, cores |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    compressions, noisy_rows = [], False
    for r in by_work.get("record", []):
        if r.get("compression") not in compressions:
            compressions.append(r.get("compression"))
    forward = (by_work.get("record-forward") or [{}])[0]
    for compression in compressions:
        base = runs.get(("neuron-probe", compression))
        for impl in RECORD_IMPLS:
            r = runs.get((impl, compression))
            if r is None:
                why = "skipped (--python-only)" if impl == "neuron-probe" and meta.get("python_only") else "failed"
                lines.append(f"| {impl} | {compression} | {why} | | | | | | | | |")
                continue
            best = min(r.get("runs") or [r["seconds"]])
            base_best = min(base.get("runs") or [base["seconds"]]) if base else None
            ratio = f"{r['seconds'] / base['seconds']:.2f} ({best / base_best:.2f})" if base else "—"
            noisy = " *" if len(r.get("runs", [])) > 1 and r["seconds"] > 1.3 * min(r["runs"]) else ""
            noisy_rows = noisy_rows or bool(noisy)
            if impl == "neuron-probe":
                split = (f"≈ {forward['seconds']:.2f} / {r['seconds'] - forward['seconds']:.2f}"
                         if forward.get("seconds") else "—")
            else:
                split = f"{r.get('forward_seconds', 0):.2f} / {r.get('write_seconds', 0):.2f}"
            version = f" {r['version']}" if r.get("version") else ""
            lines.append(
                f"| {impl}{version} | {compression} | {r['seconds']:.3f}{noisy} ({best:.3f}) "
                f"| {r['bytes'] / MB / r['seconds']:.0f} "
                f"| {mb(r['bytes'])} | {ratio} | {split} | {fmt_seconds(r.get('process_seconds'))} "
                f"| {rss_mb(r.get('peak_rss_kb'))} | {rss_mb(r.get('rss_before_kb'))} / "
                f"{rss_mb(r.get('rss_recording_peak_kb'))} | {others_text(r.get('others_cores'))} |")
    lines.append("")
    if noisy_rows:
        lines += ["\\* the median is more than 1.3x the best run: the machine was probably busy.", ""]
    notes = []
    if forward.get("seconds"):
        notes.append(f"neuron-probe's forward / write split is estimated: the forward part is the time of the same "
                     f"recording with `--layers fc3` ({forward['seconds']:.3f} s: every layer is computed, only "
                     f"fc3, logits, labels and indices are written, 5.6 MB), the write part the rest. The Python "
                     f"pipelines time their forward calls (PyTorch with its hooks) and their h5py writes apart.")
    zl = (by_work.get("record-zlib") or [{}])[0]
    if zl.get("seconds"):
        text = (f"single-threaded zlib {zl.get('zlib', '')} at level {zl.get('level')} alone, over the "
                f"{zl.get('chunks')} chunks of the uncompressed file ({mb(zl.get('bytes_in'))} MB → "
                f"{mb(zl.get('bytes_out'))} MB), takes {zl['seconds']:.2f} s: the floor of a writer that "
                f"compresses on one thread with zlib, as h5py (HDF5's deflate filter) does")
        gzip_writes = [(impl, r["write_seconds"]) for (impl, c), r in runs.items()
                       if c and c.startswith("gzip") and r.get("write_seconds")]
        if gzip_writes:
            text += "; the Python pipelines' gzip write times (" + ", ".join(
                f"{impl} {w:.2f} s" for impl, w in gzip_writes) + ") are almost all of it"
        base = next((r for (impl, c), r in runs.items() if impl == "neuron-probe" and c and c.startswith("gzip")),
                    None)
        if base and forward.get("seconds"):
            text += (f". neuron-probe's ≈ {base['seconds'] - forward['seconds']:.2f} s of gzip writing is "
                     f"{zl['seconds'] / (base['seconds'] - forward['seconds']):.1f}x faster than that floor")
            how = probe_compressor()
            if how:
                text += (f": it compresses the chunks itself ({how}, Sources/Activations/Recording/RowSink.swift) and stores "
                         "them with `H5Dwrite_chunk`; the file is an ordinary gzip-filtered HDF5 file (h5py reads "
                         "it back below)")
        notes.append(text + ".")
    layouts = by_work.get("record-layout", [])
    if layouts:
        notes.append(layout_note(layouts))
    lines += [f"- {n}" for n in notes]

    # The target.
    verdicts = []
    for compression in compressions:
        base = runs.get(("neuron-probe", compression))
        if not base:
            continue
        for impl in ("pytorch", "numpy"):
            r = runs.get((impl, compression))
            if r:
                ratio = r["seconds"] / base["seconds"]
                verdict = ("met" if ratio >= RECORD_TARGET else
                           f"missed: neuron-probe would need {base['seconds'] - r['seconds'] / RECORD_TARGET:.2f} s "
                           f"less ({100 * (1 - r['seconds'] / RECORD_TARGET / base['seconds']):.0f}% of its time)")
                best = min(r.get("runs") or [r["seconds"]]) / min(base.get("runs") or [base["seconds"]])
                verdicts.append(f"{compression}, against {impl}: {ratio:.2f}x (best runs {best:.2f}x), {verdict}")
    if verdicts:
        lines += ["", f"**Target** (neuron-probe at least {RECORD_TARGET}x faster than the Python pipeline with the "
                  "same layout and compression), on the medians: " + "; ".join(verdicts) + "."]
    lines += where_the_time_goes(runs, compressions, forward, zl, sgemm_rate)
    load = meta.get("loadavg_before")
    usage = (by_work.get("record-load") or [{}])[0]
    if usage.get("others_cores_mean") is not None:
        mean = usage["others_cores_mean"]
        worst = max((c for r in by_work.get("record", []) for c in (r.get("others_cores") or []) if c is not None),
                    default=0.0)
        note = (" The machine was busy: times may be inflated; run again when it is quiet."
                if mean > 0.25 or worst > 0.5 else " The machine was quiet.")
        lines += ["", f"Other processes used {mean:.2f} cores on average during this item ({usage['seconds']:.0f} s), "
                  f"{worst:.2f} at most during a timed run.{note}"
                  + (f" (The load average when the item started, {' '.join(load)}, counts the benchmark's own "
                     "earlier work.)" if load else "")]
    elif load:
        note = " — busy (above 1): times may be inflated" if float(load[0]) > 1.0 else ""
        lines += ["", f"Load average when this item started (1/5/15 min): {' '.join(load)}{note}."]

    reads = by_work.get("record-read", [])
    if reads:
        lines += ["", "### Reading it back (h5py)", "",
                  "`f[\"layers/fc1\"][:, 7]` (one unit over all 70,000 rows) and `f[\"layers/fc1\"][0:1024]` "
                  "(a block of rows, all 200 units), each in a freshly opened file (h5py's default 1 MiB chunk "
                  "cache), median of 5. The files are in the OS page cache (just written), so this is the cost of "
                  "HDF5 and decompression, not of the disk. `row-major` is a reference file with (1024, units) "
                  "chunks, written by the NumPy pipeline, that is not neuron-probe's layout.",
                  "", "| file | compression | chunks | file MB | column ms | block ms |",
                  "| --- | --- | --- | ---: | ---: | ---: |"]
        for r in reads:
            lines.append(f"| {r['file']} | {r['compression']} | ({', '.join(map(str, r['chunks']))}) "
                         f"| {mb(r.get('bytes'))} | {ms(r['column_seconds'])} | {ms(r['block_seconds'])} |")

    rss = by_work.get("record-rss", [])
    if rss:
        lines += ["", "### Memory as the recording grows (neuron-probe)", "",
                  "`probe record … --split all --limit 10000` against all 70,000 rows. neuron-probe holds the "
                  "images it records in memory twice, as bytes and as float32 (N x 784 x 5 bytes: "
                  f"{mb(70000 * 784 * 5)} MB for 70,000, of which the uint8 data set itself is {mb(70000 * 784)} MB), "
                  "so the last column subtracts them from the peak while recording. These are single runs for the "
                  "memory (their recording s vary more than the timed runs'; the timed comparison is the table above).",
                  "", "| compression | rows | recording s | file MB | peak RSS MB (process) | RSS while recording MB "
                  "| while recording − images held MB |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for r in rss:
            held = r["rows"] * 784 * 5
            peak = r.get("rss_recording_peak_kb")
            rest = f"{(peak * 1024 - held) / MB:.0f}" if isinstance(peak, (int, float)) else "—"
            lines.append(f"| {r['compression']} | {r['rows']:,} | {r['seconds']:.3f} | {mb(r.get('bytes'))} "
                         f"| {rss_mb(r.get('peak_rss_kb'))} | {rss_mb(peak)} | {rest} |")
        lines += ["", "The process peak (`/usr/bin/time -v`) is reached while loading the data, before `--limit` "
                  "applies: `--split all` loads both splits (bytes and float32) and joins them into another copy. "
                  "The recorder's own memory is the last column: one band of chunks per dataset (the rows not yet "
                  "written), the activations of the batches in flight (at most three), the runtime and the model."]
    return lines, False


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--out-dir", default=os.path.join(here, "out"))
    parser.add_argument("--results", default=os.path.join(here, "RESULTS.md"))
    parser.add_argument("--python-only", action="store_true")
    args = parser.parse_args()

    status, by_source = {}, {}
    for src in SOURCES:
        status[src], by_source[src] = read_source(args.out_dir, src)

    lines = ["# neuron-probe benchmark results", "",
             "Written by `bench/run` (see bench/README.md). Ratio = implementation's time / neuron-probe's "
             "time: above 1 means neuron-probe is faster. Seconds: median of the timed epochs; best: the fastest.",
             ""]
    lines += machine_section(args.out_dir, by_source, args.python_only) + [""]
    for work in WORKS:
        lines += work_table(work, by_source, status) + [""]
    lines += sgemm_section(by_source, status) + [""]
    sgemm = next((r for r in by_source["neuron-probe"] if r.get("work") == "sgemm"), {})
    record_lines, record_failed = record_section(args.out_dir, sgemm.get("sgemm_gflops") or 140.0)
    lines += record_lines + [""]
    conv_lines, conv_failed = record_conv_section(args.out_dir)
    lines += conv_lines + [""]
    lines += stability_report.units_section(args.out_dir) + [""]
    lines += stability_report.attack_section(args.out_dir) + [""]
    lines += stability_report.fgsm_conv_section(args.out_dir) + [""]
    lines += stability_report.fgsm_rounds_section(args.out_dir) + [""]
    lines += stability_report.adversarial_training_section(args.out_dir) + [""]
    lines += stability_report.onnx_section(args.out_dir) + [""]
    with open(args.results, "w") as f:
        f.write("\n".join(lines))
    print(f"wrote {args.results}")

    problems = []
    if not by_source["neuron-probe"] and not args.python_only:
        problems.append(f"neuron-probe did not run ({status['neuron-probe']}): its rows say so")
    for src in ("numpy", "pytorch"):
        if not by_source[src]:
            problems.append(f"{src} did not run ({status[src]})")
    if record_failed:
        problems.append("the record item did not run (see bench/out/record.log)")
    if conv_failed:
        problems.append("the record-conv-small item did not run (see bench/out/record-conv-small.log)")
    for p in problems:
        print("report.py: " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
