"""docs/cluster.md's job scripts on a real scheduler (issue 14, point 5).

A one-node SLURM cluster is started on this machine (Debian's slurm-wlm and munge, installed by
scripts/setup.sh; munged, slurmctld and slurmd run as root from a generated slurm.conf in a
temporary directory: scripts/slurm-cluster.sh). The documented scripts are submitted as they are:
a recording and an L-BFGS run, each as an array of 3 tasks (`sbatch --array=1-3 --wait`), then the
merge-and-report job. The merged files are checked against unsharded runs of the same commands,
and the daemons are stopped whatever happens.
"""
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest

from conftest import DATA_ARGS, REPO_ROOT, describe, run

SCRIPTS = REPO_ROOT / "docs" / "slurm"
CLUSTER = REPO_ROOT / "scripts" / "slurm-cluster.sh"
LIMIT = 24


def test_the_documented_scripts_are_the_files_in_docs_slurm():
    page = (REPO_ROOT / "docs" / "cluster.md").read_text()
    for script in sorted(SCRIPTS.glob("*.sbatch")):
        block = re.search(rf"`docs/slurm/{re.escape(script.name)}`:\n\n```bash\n(.*?)```", page, re.S)
        assert block, f"docs/cluster.md does not show {script.name}"
        assert block.group(1) == script.read_text(), f"docs/cluster.md's {script.name} differs from docs/slurm/{script.name}"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    missing = [tool for tool in ("munged", "slurmctld", "slurmd", "sbatch") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: install slurm-wlm and munge (scripts/setup.sh does)", pytrace=False)
    if os.geteuid() != 0:
        pytest.fail("the one-node SLURM cluster runs its daemons as root: run the tests as root", pytrace=False)
    directory = tmp_path_factory.mktemp("slurm")
    # The jobs find the tiny fixture data set (the units' pixel measure reads its images) through PROBE_DATA.
    environment = {**os.environ, "PROBE_DATA": str(DATA_ARGS[-1])}
    started = subprocess.run(["bash", CLUSTER, "start", directory], capture_output=True, text=True, timeout=120)
    assert started.returncode == 0, describe(started)
    try:
        yield {**environment, "SLURM_CONF": started.stdout.strip()}
    finally:
        subprocess.run(["bash", CLUSTER, "stop", directory], capture_output=True, timeout=60)


def submit(environment, workdir, script, *options, **variables):
    exports = ",".join(["ALL"] + [f"{k}={v}" for k, v in variables.items()])
    result = subprocess.run(["sbatch", "--wait", *options, f"--export={exports}", str(SCRIPTS / script)], cwd=workdir, env=environment,
                            capture_output=True, text=True, timeout=900)
    logs = "\n".join(f"--- {p.name}\n{p.read_text()}" for p in sorted(Path(workdir).glob("probe-*.out")))
    assert result.returncode == 0, describe(result) + "\njob logs:\n" + logs
    return result


@pytest.fixture(scope="module")
def jobs(cluster, probe, trainer, tmp_path_factory):
    model = trainer.train("fc100-100-10")
    workdir = tmp_path_factory.mktemp("run")
    shutil.copy(model, workdir / "model.h5")
    data = " ".join(str(a) for a in DATA_ARGS)
    common = {"MODEL": "model.h5", "PROBE": probe}
    submit(cluster, workdir, "record.sbatch", "--array=1-3", OPTIONS=f"{data} --limit {LIMIT}", **common)
    submit(cluster, workdir, "lbfgs.sbatch", "--array=1-3",
           OPTIONS=f"{data} --limit {LIMIT} --max-iterations 20 --c-search-steps 4 --batch-size 4", **common)
    submit(cluster, workdir, "merge-and-report.sbatch", LAYERS="sigmoid1", UNITS_OPTIONS="--top 5 --random 10 --rotations 2", **common)
    # The same work in one process each, to compare with.
    whole_acts, whole_attack = workdir / "whole-acts.h5", workdir / "whole-lbfgs.h5"
    for args in (["record", "model.h5", "--split", "test", *DATA_ARGS, "--limit", LIMIT, "-o", whole_acts],
                 ["attack", "lbfgs", "model.h5", "--split", "test", *DATA_ARGS, "--limit", LIMIT, "--max-iterations", "20",
                  "--c-search-steps", "4", "--batch-size", "4", "-o", whole_attack]):
        result = subprocess.run([str(probe), *map(str, args), "--quiet"], cwd=workdir, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, describe(result)
    return workdir, whole_acts, whole_attack


def test_each_array_task_wrote_its_shard(jobs):
    workdir, _, _ = jobs
    for kind in ("acts", "lbfgs"):
        shards = sorted((workdir / kind).glob("part-*.h5"))
        assert [p.name for p in shards] == ["part-1.h5", "part-2.h5", "part-3.h5"], kind
        for i, shard in enumerate(shards, 1):
            with h5py.File(shard, "r") as f:
                assert f.attrs["shard"] == f"{i}/3", (kind, shard)


def test_the_merged_recording_equals_an_unsharded_one(jobs):
    workdir, whole, _ = jobs
    with h5py.File(workdir / "acts" / "all.h5", "r") as m, h5py.File(whole, "r") as w:
        assert m.attrs["shard"] == "merged" and m.attrs["rows"] == LIMIT
        np.testing.assert_array_equal(m["labels"][()], w["labels"][()])
        np.testing.assert_array_equal(m["indices"][()], w["indices"][()])
        for layer in w.attrs["layer_names"]:
            np.testing.assert_allclose(m["layers"][layer][()], w["layers"][layer][()], rtol=1e-5, atol=1e-6, err_msg=layer)


def test_the_merged_lbfgs_run_equals_an_unsharded_one(jobs):
    workdir, _, whole = jobs
    with h5py.File(workdir / "lbfgs" / "all.h5", "r") as m, h5py.File(whole, "r") as w:
        assert m.attrs["shard"] == "merged" and m.attrs["total_examples"] == LIMIT
        for key in ("indices", "labels", "targets", "success", "pred_adv"):
            np.testing.assert_array_equal(m[key][()], w[key][()], err_msg=key)
        np.testing.assert_allclose(m["distortion"][()], w["distortion"][()], rtol=1e-5, atol=1e-6)


def test_the_merge_job_analysed_the_units_and_wrote_the_report(jobs):
    workdir, _, _ = jobs
    assert (workdir / "acts" / "all.units.h5").is_file()
    report = workdir / "report"
    assert (report / "report.html").is_file()
    results = json.loads((report / "results.json").read_text())
    assert results["attacks"] and results["units"], sorted(results)
