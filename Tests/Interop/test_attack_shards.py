"""Attacks spread over the tasks of a job array (issue 14, point 5): `probe attack … --shard I/N` three
times and `probe merge` equal one unsharded run.

An fc100-100-10 trained on the tiny fixture data set is attacked on its first 24 test images with
Szegedy's L-BFGS (random targets), PGD (random starts) and Gaussian noise, once whole and once in
three shards that `probe merge` joins. The merged file is read with h5py alone (virtual datasets
resolving to the shards) and compared with the whole run: the same examples, targets, success and
predictions, images and distortions within float32 rounding; `probe transfer` gives the same table
for both. Shards that are not the slices of one attack are refused in one line, nothing written.
"""
import json

import h5py
import numpy as np
import pytest

from conftest import DATA_ARGS, describe, run

LIMIT, SHARDS = 24, 3
ATTACKS = {
    "lbfgs": ["lbfgs", "--target", "random", "--max-iterations", "20", "--c-search-steps", "4", "--batch-size", "4"],
    "pgd": ["fgsm", "--epsilon", "0.1,0.2", "--steps", "3", "--random-start", "--batch-size", "4"],
    "noise": ["noise", "--stddev", "0.2"],
}
SAME = ["indices", "labels", "targets", "pred_clean", "success", "pred_adv", "iterations", "failed"]


def checked(args):
    result = run(args, timeout=600)
    assert result.returncode == 0, describe(result)
    return result


@pytest.fixture(scope="module")
def model(trainer):
    return trainer.train("fc100-100-10")


@pytest.fixture(scope="module")
def attacks(probe, model, tmp_path_factory):
    made = {}
    for name, args in ATTACKS.items():
        directory = tmp_path_factory.mktemp(name)
        (directory / "shards").mkdir()
        whole = directory / "whole.h5"
        checked([probe, "attack", args[0], model, *args[1:], *DATA_ARGS, "--limit", LIMIT, "--seed", "5", "-o", whole, "--quiet"])
        parts = [directory / "shards" / f"part-{i}.h5" for i in range(1, SHARDS + 1)]
        for i, part in enumerate(parts, 1):
            checked([probe, "attack", args[0], model, *args[1:], *DATA_ARGS, "--limit", LIMIT, "--seed", "5", "--shard", f"{i}/{SHARDS}",
                     "-o", part, "--quiet"])
        merged = directory / "merged.h5"
        summary = json.loads(checked([probe, "merge", *reversed(parts), "-o", merged, "--json"]).stdout)
        assert summary["rows"] == LIMIT and summary["shards"] == SHARDS
        made[name] = (whole, parts, merged)
    return made


@pytest.fixture(params=sorted(ATTACKS))
def attack(request, attacks):
    return request.param, *attacks[request.param]


def test_each_shard_holds_its_slice_of_the_examples(attack):
    _, _, parts, _ = attack
    for i, part in enumerate(parts, 1):
        with h5py.File(part, "r") as f:
            rows = range(LIMIT * (i - 1) // SHARDS, LIMIT * i // SHARDS)
            assert f.attrs["shard"] == f"{i}/{SHARDS}" and f.attrs["first_example"] == rows.start and f.attrs["total_examples"] == LIMIT
            assert f["indices"][()].tolist() == list(rows)


def test_the_merge_equals_the_unsharded_run(attack):
    name, whole, parts, merged = attack
    with h5py.File(whole, "r") as w, h5py.File(merged, "r") as m:
        assert m.attrs["shard"] == "merged" and list(m.attrs["shards"]) == [f"shards/part-{i}.h5" for i in range(1, SHARDS + 1)]
        assert all(m[key].is_virtual for key in ("indices", "adversarial", "distortion"))
        for key in SAME:
            np.testing.assert_array_equal(m[key][()], w[key][()], err_msg=f"{name}: /{key}")
        np.testing.assert_array_equal(m["epsilons"][()], w["epsilons"][()])
        # The same batches of 4 in shards and whole: equal in practice; float32 rounding is what is promised.
        for key in ("adversarial", "distortion", "l2", "linf", "confidence"):
            np.testing.assert_allclose(m[key][()], w[key][()], rtol=1e-5, atol=1e-6, err_msg=f"{name}: /{key}")


def test_transfer_reads_the_merged_file_as_the_whole_one(probe, attack, model, tmp_path):
    _, whole, _, merged = attack
    tables = []
    for source in (whole, merged):
        result = checked([probe, "transfer", source, "--models", model, "--data-dir", DATA_ARGS[-1], "--json"])
        tables.append(json.loads(result.stdout))
    for key in ("error", "clean_error", "distortion"):
        np.testing.assert_allclose(tables[1][key], tables[0][key], rtol=1e-6, err_msg=key)


def refused(probe, tmp_path, files, expected):
    output = tmp_path / "merged.h5"
    result = run([probe, "merge", *files, "-o", output])
    assert result.returncode != 0, describe(result)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], describe(result)
    assert not output.exists()


def test_a_missing_shard_is_refused(probe, attacks, tmp_path):
    _, parts, _ = attacks["lbfgs"]
    refused(probe, tmp_path, parts[:2], "pass every shard once")


def test_a_shard_given_twice_is_refused(probe, attacks, tmp_path):
    _, parts, _ = attacks["lbfgs"]
    refused(probe, tmp_path, [parts[0], parts[0], parts[2]], "pass every shard once")


def test_shards_of_two_attacks_are_refused(probe, attacks, tmp_path):
    _, lbfgs, _ = attacks["lbfgs"]
    _, pgd, _ = attacks["pgd"]
    refused(probe, tmp_path, [lbfgs[0], pgd[1], lbfgs[2]], "are not shards of one attack")


def test_a_merged_file_is_not_merged_again(probe, attacks, tmp_path):
    _, parts, merged = attacks["lbfgs"]
    refused(probe, tmp_path, [merged, *parts[1:]], "is itself a merge of shards")


def test_attack_and_activation_files_are_not_merged_together(probe, attacks, model, tmp_path):
    acts = tmp_path / "acts.h5"
    checked([probe, "record", model, *DATA_ARGS, "--limit", "8", "-o", acts, "--quiet"])
    _, parts, _ = attacks["lbfgs"]
    refused(probe, tmp_path, [parts[0], acts], "joins the shards of one recording or of one attack")
