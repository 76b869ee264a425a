#!/usr/bin/env python3
"""Write bench/RESULTS.md from the JSON lines that bench/run collected in bench/out/.

bench/out/<source>.jsonl holds what a side printed (one JSON object a line),
bench/out/<source>.status one line: "ok", "skipped ...", "build failed ...", "failed ...".
Sources: neuron-probe (the Swift ProbeBench), numpy, pytorch.
Exits non-zero when neuron-probe (unless --python-only) or a Python side did not run.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

SOURCES = ["neuron-probe", "numpy", "pytorch"]
WORKS = {
    "mlp-epoch": "784-100-100-10 ReLU MLP, one epoch",
    "conv-small-epoch": "conv-small (conv5x5x8, pool, conv5x5x16, pool, dense 128, dense 10), one epoch",
}
NOT_MEASURED = {("numpy", "conv-small-epoch"): "not measured (a NumPy conv would be unfair and slow)"}


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
    model, flags = platform.processor() or "unknown", []
    try:
        for line in open("/proc/cpuinfo"):
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                model = value.strip()
            elif key.strip() == "flags":
                flags = [f for f in ("avx2", "avx512f") if f in value.split()]
                break
    except OSError:
        pass
    return model, flags


def fmt_seconds(x):
    return f"{x:.3f}" if isinstance(x, (int, float)) else "—"


def machine_section(out_dir, by_source, python_only):
    model, flags = cpu_model()
    swift = command_output("swift", "--version").splitlines()
    openblas = command_output("dpkg-query", "-W", "-f", "${Version}", "libopenblas0") or \
        command_output("pkg-config", "--modversion", "openblas") or "unknown"
    first = {src: (recs[0] if recs else {}) for src, recs in by_source.items()}
    np_rec, pt_rec, probe_rec = first["numpy"], first["pytorch"], first["neuron-probe"]
    blas = np_rec.get("blas") or {}
    lines = [
        "## Machine",
        "",
        f"- CPU: {model} ({', '.join(flags) or 'no avx2/avx512f'}), {os.cpu_count()} cores",
        f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- swift: {swift[0] if swift else 'not found'}",
        f"- OpenBLAS (Debian libopenblas0, used by neuron-probe): {openblas}"
        + (f"; ProbeBench reports `{probe_rec['blas']}`" if probe_rec.get("blas") else ""),
        f"- numpy: {np_rec.get('version', 'not run')}"
        + (f"; its BLAS (threadpoolctl): {blas.get('internal_api')} {blas.get('version')}, "
           f"kernel {blas.get('architecture')}, {blas.get('num_threads')} threads" if blas else ""),
        f"- torch: {pt_rec.get('version', 'not run')}"
        + (f"; {pt_rec.get('threads')} threads (torch.set_num_threads), BLAS {pt_rec.get('blas')}" if pt_rec else ""),
    ]
    env_vars = {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    shown = ", ".join(f"{k}={v}" if v is not None else f"{k} unset" for k, v in env_vars.items())
    lines.append(f"- environment: {shown}. neuron-probe ran with the environment as found (the "
                 "system OpenBLAS may need these); NumPy and PyTorch ran with both unset in their command "
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
    achieved = next((r.get("seconds") for r in by_source["neuron-probe"] if r.get("work") == floor_work), None)
    floor = rec.get("floor_seconds")
    if floor:
        text = f"- sgemm-bound floor for {floor_work}: {floor:.3f} s (its matrix products at sgemm's rate)"
        if achieved:
            text += f"; achieved {achieved:.3f} s, {achieved / floor:.1f}x the floor."
        lines.append(text)
    return lines


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
    with open(args.results, "w") as f:
        f.write("\n".join(lines))
    print(f"wrote {args.results}")

    problems = []
    if not by_source["neuron-probe"] and not args.python_only:
        problems.append(f"neuron-probe did not run ({status['neuron-probe']}): its rows say so")
    for src in ("numpy", "pytorch"):
        if not by_source[src]:
            problems.append(f"{src} did not run ({status[src]})")
    for p in problems:
        print("report.py: " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
