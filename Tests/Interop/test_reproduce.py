"""`probe reproduce`: every experiment runs on the tiny data set with --budget quick --check, prints
the paper's table beside ours, and leaves a run directory a reader can check (manifest.json,
results.json, report.html). The same experiments on Fashion-MNIST are a benchmark run (bench/RESULTS.md).
"""

import json
import re
import subprocess

import pytest

from conftest import REPO_ROOT, describe

EXPERIMENTS = [
    "szegedy2014-units", "szegedy2014-table1", "szegedy2014-table2", "szegedy2014-tables34", "szegedy2014-table5",
    "goodfellow2015-fgsm", "goodfellow2015-advtrain", "bau2017-rotation",
]
TINY = ["--dataset", "fashion-mnist-tiny", "--data-dir", str(REPO_ROOT / "data" / "fixtures")]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The runs/ directory every experiment of this module writes into (models shared in runs/models)."""
    return tmp_path_factory.mktemp("reproduce") / "runs"


def reproduce(probe, *args, cwd=None):
    return subprocess.run([str(probe), "reproduce", *map(str, args)], capture_output=True, text=True, cwd=cwd)


def test_the_list_names_the_eight_experiments_with_their_times(probe):
    result = reproduce(probe, "--list", "--json")
    assert result.returncode == 0, describe(result)
    listed = json.loads(result.stdout)
    assert [e["id"] for e in listed] == EXPERIMENTS
    for e in listed:
        assert 0 < int(e["quick_seconds"]) < int(e["paper_seconds"]), e
    text = reproduce(probe, "--list")
    assert text.returncode == 0 and all(e in text.stdout for e in EXPERIMENTS) and "quick" in text.stdout


@pytest.mark.parametrize("experiment", EXPERIMENTS)
def test_each_experiment_runs_quick_with_every_check_holding(probe, runs, experiment):
    directory = runs / experiment
    result = reproduce(probe, experiment, *TINY, "--budget", "quick", "--check", "--quiet", "--json", "-o", directory)
    assert result.returncode == 0, describe(result)
    outcome = json.loads(result.stdout)
    assert outcome["experiment"] == experiment and outcome["passed"] is True
    failed = [c for c in outcome["checks"] if not c["passed"]]
    assert outcome["checks"] and not failed, failed
    # The paper's tables beside ours: every row has a value of ours, and the paper's numbers are there.
    tables = outcome["tables"]
    assert tables
    for table in tables:
        assert table["rows"] and all(any(v is not None for v in row["ours"]) for row in table["rows"] if not row["label"].startswith(("AlexNet", "Bau")))
        if experiment != "szegedy2014-units":
            assert any(v is not None for row in table["rows"] for v in row["paper"]), "no published number beside ours"
        assert table["comparable"] is False, "the tiny Fashion-MNIST is not the papers' MNIST"
    for name in ["manifest.json", "results.json", "report.md", "report.html"]:
        assert (directory / name).is_file(), name
    # Sizes a browser refuses to draw (the page is opened in Chromium by test_report.py; this run's charts differ).
    html = (directory / "report.html").read_text()
    negative = re.findall(r'(?:width|height)="-[0-9.]+"', html)
    assert not negative, f"negative sizes in the charts: {negative[:5]}"
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest["experiment"] == experiment and manifest["budget"] == "quick" and manifest["dataset"] == "fashion-mnist-tiny"
    assert manifest["protocol"] and manifest["stages"]
    results = json.loads((directory / "results.json").read_text())
    assert results["experiment"]["id"] == experiment
    assert results["experiment"]["tables"] == tables
    assert [c["name"] for c in results["experiment"]["checks"]] == [c["name"] for c in outcome["checks"]]


def test_the_terminal_prints_the_papers_table_beside_ours(probe, runs):
    # Kept from the run above, so this costs only the report.
    result = reproduce(probe, "szegedy2014-table1", *TINY, "--resume", "--quiet", "-o", runs / "szegedy2014-table1")
    assert result.returncode == 0, describe(result)
    assert "Szegedy et al. 2014, Table 1" in result.stdout
    assert "paper / this run" in result.stdout
    assert "FC10(1e-4)" in result.stdout and "7.4% / " in result.stdout


def test_a_resumed_run_keeps_every_file_it_finished(probe, runs):
    directory = runs / "szegedy2014-table5"
    before = {p.name: p.stat().st_mtime_ns for p in directory.glob("*.h5")}
    result = reproduce(probe, "szegedy2014-table5", *TINY, "--resume", "--quiet", "--json", "-o", directory)
    assert result.returncode == 0, describe(result)
    assert {p.name: p.stat().st_mtime_ns for p in directory.glob("*.h5")} == before
    stages = json.loads((directory / "manifest.json").read_text())["stages"]
    assert all(s["reused"] for s in stages if s["name"] != "report"), stages


def test_a_second_run_into_a_finished_directory_needs_resume(probe, runs):
    directory = runs / "bau2017-rotation"
    manifest = (directory / "manifest.json").read_bytes()
    result = reproduce(probe, "bau2017-rotation", *TINY, "--quiet", "-o", directory)
    assert result.returncode != 0
    lines = [l for l in result.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and "--resume" in lines[0], result.stderr
    assert (directory / "manifest.json").read_bytes() == manifest


def test_an_unknown_experiment_is_named_with_the_known_ones(probe):
    result = reproduce(probe, "szegedy2014-table9")
    assert result.returncode != 0
    assert "unknown experiment 'szegedy2014-table9'" in result.stderr and "szegedy2014-table1" in result.stderr
    assert "Traceback" not in result.stderr and "Fatal error" not in result.stderr


def test_the_protocol_file_of_each_experiment_is_what_it_prints(probe):
    for experiment in EXPERIMENTS:
        result = reproduce(probe, experiment, "--protocol")
        assert result.returncode == 0, describe(result)
        assert (REPO_ROOT / "protocols" / f"{experiment}.md").read_text() == result.stdout


def test_a_data_set_that_cannot_be_found_fails_in_one_line_and_leaves_no_run(probe, tmp_path):
    # MNIST's training images are not on this machine (nor anywhere in an empty --data-dir).
    empty = tmp_path / "no-data"
    empty.mkdir()
    directory = tmp_path / "runs" / "szegedy2014-table1"
    result = reproduce(probe, "szegedy2014-table1", "--dataset", "mnist", "--data-dir", empty, "--quiet", "-o", directory)
    assert result.returncode != 0
    lines = [l for l in result.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and "mnist" in lines[0] and "not found" in lines[0], result.stderr
    assert not directory.exists(), sorted(p.name for p in directory.iterdir())
