"""RESULTS.md sections for the units analysis (units_bench.py) and the stability probes
(attack_bench.py, ProbeBench's in-process FGSM, on fc100-100-10 and on conv-small), rendered from their
JSON lines in bench/out/."""

import json
from pathlib import Path


def _read(path):
    p = Path(path)
    if not p.is_file():
        return []
    return [json.loads(line) for line in p.read_text().splitlines() if line.strip().startswith("{")]


def _name(r):
    """The implementation and its version, without saying the name twice."""
    version = r.get("version", "")
    return version if version.startswith(r["implementation"]) else f"{r['implementation']} {version}".strip()


def _ratio(peer, ours):
    return f"{peer / ours:.2f}" if peer and ours else "—"


def units_section(out_dir):
    rows = [r for r in _read(Path(out_dir) / "units.jsonl") if r.get("work") == "units"]
    lines = ["## units: `probe units` against NumPy/SciPy (a 10,000 × 200 layer, K = 1,000, R = 10)", ""]
    if not rows:
        return lines + ["Not run (see bench/out/units.log)."]
    ours = next((r for r in rows if r["implementation"] == "neuron-probe"), None)
    lines += [
        "sigmoid2 of fc200-200-10 over the 10,000 test images; top-k 100, 2,000 bootstrap resamples (`bench/units_bench.py`). "
        "neuron-probe is timed as a whole process (reading and hashing the activation file, the analysis, the PNG and the "
        "results file); NumPy/SciPy (argpartition, `scipy.stats.mannwhitneyu`, QR rotations) from opening the activation "
        "file to the closed results file. Median of 3. Ratio = peer / neuron-probe.",
        "",
        "| implementation | seconds (median) | runs | unit purity mean | random purity mean | ratio |",
        "| --- | ---: | --- | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(f"| {_name(r)} | {r['seconds']:.3f} | "
                     f"{', '.join(f'{x:.2f}' for x in r.get('runs', []))} | {r.get('purity_units_mean', float('nan')):.4f} | "
                     f"{r.get('purity_random_mean', float('nan')):.4f} | {_ratio(r['seconds'], ours and ours['seconds'])} |")
    check = next((r for r in _read(Path(out_dir) / "units.jsonl") if r.get("work") == "units-check"), None)
    if check:
        lines += ["", f"Same answers on the unit directions: {check.get('unit_top_sets_equal')} of 200 top sets identical, "
                  f"purity difference {check.get('unit_purity_max_abs_diff')}; the random directions are each side's own draws."]
    return lines


def _best(r):
    return min(r.get("runs") or [r["seconds"]])


def _fgsm_table(records, in_process):
    """The FGSM table: neuron-probe in-process first (the base of the ratios), then the other rows;
    a row without seconds (a peer that is not installed) shows its status."""
    lines = [
        "| implementation | timing | seconds (median) | best | images/s | adversarial error | ratio (time / neuron-probe) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    ours = in_process[0]["seconds"] if in_process else None
    for r in in_process:
        lines.append(f"| neuron-probe {r.get('version', '')} | in-process | {r['seconds']:.4f} | {_best(r):.4f} "
                     f"| {r['images_per_second']:,.0f} | {r['error_rate']:.4f} | 1.00 |")
    for r in records:
        if "seconds" not in r:
            lines.append(f"| {r['implementation']} | — | {r.get('status', 'no result')} | | | | |")
            continue
        timing = "whole process" if "process" in r["implementation"] or r["implementation"] == "neuron-probe" else "in-process"
        lines.append(f"| {_name(r)} | {timing} | {r['seconds']:.4f} | {_best(r):.4f} | "
                     f"{r['images_per_second']:,.0f} | {r['error_rate']:.4f} | {_ratio(r['seconds'], ours)} |")
    return lines


def attack_section(out_dir):
    records = _read(Path(out_dir) / "attack.jsonl")
    in_process = [r for r in _read(Path(out_dir) / "neuron-probe-fgsm.jsonl") if r.get("work") == "fgsm-in-process"]
    fgsm = [r for r in records if r.get("work") == "fgsm"]
    lines = ["## fgsm: FGSM at ε = 0.1 + classification, fc100-100-10, the 10,000 Fashion-MNIST test images", ""]
    if not fgsm and not in_process:
        return lines + ["Not run (see bench/out/attack.log)."]
    lines += [
        "In-process rows: the data and model in memory, timed after a warm-up (neuron-probe: `ProbeBench fgsm`, batches "
        "of 500; peers: `bench/attack_bench.py`). Whole-process rows include start-up, loading and writing the attack "
        "file. Ratio = peer seconds / neuron-probe's in-process seconds (above 1: neuron-probe is faster).",
        "",
    ] + _fgsm_table(fgsm, in_process)
    lbfgs = [r for r in records if r.get("work") == "lbfgs"]
    lines += ["", "## lbfgs: Szegedy's box-constrained L-BFGS, the first 1,000 test images of fc100-100-10, random targets", ""]
    if not lbfgs:
        return lines + ["Not run (see bench/out/attack.log)."]
    lines += [
        "neuron-probe: `probe attack lbfgs --limit 1000 --target random`, whole process. SciPy: `fmin_l_bfgs_b` one image "
        "at a time (NumPy gradients) with the same targets and the same search over c (×10 until success, ÷10 until "
        "failure, geometric bisection to c_high/c_low < 1.25, at most 10 values, warm starts), m 10, 100 iterations, "
        "SciPy's default stopping tolerances factr 1e7, pgtol 1e-5 (the reference), and once with the tool's "
        "defaults factr 1e10, pgtol 1e-3, which end each run once f no longer changes in its sixth digit or no pixel "
        "would move by more than about 1/2000. Ratio = peer seconds per image / neuron-probe's.",
        "",
        "| implementation | images | s / image | success | mean RMS distortion (successful) | ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    ours_lbfgs = next((r["seconds_per_image"] for r in lbfgs if r["implementation"] == "neuron-probe"), None)
    for r in lbfgs:
        lines.append(f"| {_name(r)} | {r['images']} | {r['seconds_per_image']:.4f} | "
                     f"{r['success_rate']:.3f} | {r['mean_distortion_successful']:.5f} | {_ratio(r['seconds_per_image'], ours_lbfgs)} |")
    return lines


def fgsm_rounds_section(out_dir):
    """FGSM in interleaved rounds (bench/out/fgsm-rounds.jsonl): in each round neuron-probe's in-process
    timing right before its peers', so that a swing in the machine's speed hits both sides of a ratio."""
    records = _read(Path(out_dir) / "fgsm-rounds.jsonl")
    lines = ["## fgsm in interleaved rounds: neuron-probe and its peers timed back to back, three times", ""]
    if not records:
        return lines + ["Not run (see bench/out/attack.log)."]
    lines += [
        "Each round times `ProbeBench fgsm` (in-process, median of 3 after a warm-up) and then, at once, the in-process "
        "peers of `bench/attack_bench.py --only fgsm` (median of 3 each), for fc100-100-10 and for conv-small, the work "
        "of the two items above. Ratio = peer seconds / neuron-probe's seconds of the same round (above 1: neuron-probe "
        "is faster); the median is over the rounds.",
        "",
        "| item | implementation | seconds per round | ratio per round | median ratio |",
        "| --- | --- | --- | --- | ---: |",
    ]
    items = sorted({r["item"] for r in records}, key=lambda i: (i != "fgsm", i))
    for item in items:
        ours = {r["round"]: r["seconds"] for r in records if r["item"] == item and r.get("work") == "fgsm-in-process"}
        peers = {}
        for r in records:
            if r["item"] == item and "in-process" in r.get("timing", "") and r.get("implementation") != "neuron-probe" and "seconds" in r:
                peers.setdefault(_name(r), {})[r["round"]] = r["seconds"]
        rounds = sorted(ours)
        lines.append(f"| {item} | neuron-probe (ProbeBench) | {', '.join(f'{ours[k]:.4f}' for k in rounds)} | | |")
        for name, seconds in peers.items():
            shared = [k for k in rounds if k in seconds]
            ratios = [seconds[k] / ours[k] for k in shared]
            median = sorted(ratios)[len(ratios) // 2] if len(ratios) % 2 else sum(sorted(ratios)[len(ratios) // 2 - 1:len(ratios) // 2 + 1]) / 2
            lines.append(f"| {item} | {name} | {', '.join(f'{seconds[k]:.4f}' for k in shared)} | "
                         f"{', '.join(f'{x:.2f}' for x in ratios)} | **{median:.2f}** |")
    return lines


def fgsm_conv_section(out_dir):
    """fgsm-conv-small: the FGSM item on the conv-small model (bench/out/{neuron-probe-fgsm,attack}-conv-small.jsonl)."""
    records = [r for r in _read(Path(out_dir) / "attack-conv-small.jsonl") if r.get("work") == "fgsm-conv-small"]
    in_process = [r for r in _read(Path(out_dir) / "neuron-probe-fgsm-conv-small.jsonl") if r.get("work") == "fgsm-in-process"]
    lines = ["## fgsm-conv-small: FGSM at ε = 0.1 + classification, conv-small, the 10,000 Fashion-MNIST test images", ""]
    if not records and not in_process:
        return lines + ["Not run (see bench/out/attack-conv-small.log)."]
    batch = next((r["batch"] for r in records if r.get("batch")), None)
    lines += [
        "The model: `probe train --arch conv-small --epochs 1 --seed 1`. neuron-probe: `ProbeBench fgsm --model "
        "bench/out/conv-small.h5` (in-process, batches of 500, median of 3 after a warm-up run) and `probe attack fgsm` "
        "(whole process, with loading and writing the attack file). Peers (`bench/attack_bench.py --model "
        "bench/out/conv-small.h5`): the network built in PyTorch from the model file's layers (nn.Conv2d with the stored "
        "(out, in, 5, 5) weights and padding 2, nn.MaxPool2d, nn.Flatten, nn.Linear), in-process after a warm-up, "
        f"median of 3, in batches of {batch or '?'} images; PyTorch's own autograd, Foolbox 3 and torchattacks. "
        "The NumPy peers of the fc100 item are not run (a NumPy conv would be unfair and slow). "
        "Ratio = peer seconds / neuron-probe's in-process seconds (above 1: neuron-probe is faster).",
        "",
    ] + _fgsm_table(records, in_process)
    torch_row = next((r for r in records if r.get("implementation") == "pytorch" and "seconds" in r), None)
    if torch_row:
        lines += ["", f"PyTorch's adversarial images are identical to neuron-probe's for "
                  f"{100 * torch_row['images_identical_to_probe']:.1f}% of the images, and its predictions on its own "
                  f"adversarial images agree with neuron-probe's on its own for "
                  f"{100 * torch_row['predictions_agree_with_probe']:.2f}% (the two compute in float32 with different "
                  "convolution kernels)."]
    return lines


def onnx_section(out_dir):
    """onnx: the import of a PyTorch-exported conv net with batch norm and its inference, against onnxruntime and PyTorch."""
    records = _read(Path(out_dir) / "onnx.jsonl")
    lines = ["## onnx: import and inference of a PyTorch-exported conv net with batch norm", ""]
    if not records:
        return lines + ["Not run (see bench/out/onnx.log)."]
    lines += [
        "`bench/onnx_bench.py --export`: conv 3x3x32 + BatchNorm + ReLU, max-pool 2, conv 3x3x64 + BatchNorm + ReLU, max-pool 2, "
        "dense 128 + ReLU, dense 10 on 1x28x28 inputs (seeded, eval mode; `torch.onnx.export` in TrainingMode.PRESERVE so the batch "
        "norms stay in the graph, a dynamic batch axis). Import: neuron-probe's `ModelImport.load` (decode, fold the shape "
        "subgraph and the batch norms, build the network: what `probe import` does before writing the model file; "
        "`ProbeBench onnx`, in-process) against onnxruntime's `InferenceSession` creation; PyTorch cannot read ONNX. "
        "Inference: the logits of the 10,000 Fashion-MNIST test images in batches of 500, 2 threads each, median of 5 after a "
        "warm-up. Ratio = peer seconds / neuron-probe's (above 1: neuron-probe is faster).",
        "",
        "| work | implementation | version | seconds (median) | images/s | ratio | sum of the logits |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for work in ("onnx-import", "onnx-inference"):
        rows = [r for r in records if r.get("work") == work]
        ours = next((r for r in rows if r.get("implementation") == "neuron-probe"), None)
        for r in sorted(rows, key=lambda r: r["implementation"] != "neuron-probe"):
            ratio = f"{r['seconds'] / ours['seconds']:.2f}" if ours and r is not ours else ("1.00" if r is ours else "–")
            rate = f"{r['images_per_second']:.0f}" if r.get("images_per_second") else "–"
            total = f"{r['logits_sum']:.4f}" if r.get("logits_sum") is not None else "–"
            seconds = f"{r['seconds']:.4f}" if r["seconds"] < 0.1 else f"{r['seconds']:.3f}"
            lines.append(f"| {work} | {r['implementation']} | {r.get('version', '')} | {seconds} | {rate} | {ratio} | {total} |")
    return lines


def adversarial_training_section(out_dir):
    rows = [r for r in _read(Path(out_dir) / "adversarial-training.jsonl") if r.get("work") == "adversarial-training"]
    lines = ["## adversarial training: Goodfellow et al. §6 on fc100-100-10, Fashion-MNIST", ""]
    if not rows:
        return lines + ["Not run (see bench/out/adversarial-training.log)."]
    epochs = rows[0]["epochs"]
    lines += [
        f"`bench/adversarial_training.py`: `probe train --arch fc100-100-10 --epochs {epochs} --seed S` with and without "
        "`--adversarial fgsm:0.1 --alpha 0.5` (J̃ = 0.5·J(x) + 0.5·J(x + 0.1·sign(∇ₓJ))), the same data, order and optimiser "
        "(Adam, step 0.002, batch 128); clean error from `probe eval` on the 10,000 test images, FGSM error from "
        "`probe attack fgsm --epsilon 0.1` against each model's own gradients. The issue's bar: the FGSM error at least "
        "halved, the clean error within 2 points.",
        "",
        "| seed | training | clean test error | FGSM ε = 0.1 error | training s |",
        "| ---: | --- | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(f"| {r['seed']} | {r['adversarial']} | {r['clean_error'] * 100:.2f}% | {r['fgsm_error'] * 100:.2f}% | "
                     f"{r['train_seconds']:.1f} |")
    lines.append("")
    for seed in sorted({r["seed"] for r in rows}):
        pair = {r["adversarial"] == "none": r for r in rows if r["seed"] == seed}
        if len(pair) == 2:
            base, adv = pair[True], pair[False]
            lines.append(f"- seed {seed}: FGSM error {base['fgsm_error'] * 100:.1f}% → {adv['fgsm_error'] * 100:.1f}% "
                         f"(×{adv['fgsm_error'] / base['fgsm_error']:.2f}); clean error "
                         f"{(adv['clean_error'] - base['clean_error']) * 100:+.2f} points.")
    return lines
