"""`probe data fetch` of CIFAR-10's binary archive from a server on 127.0.0.1 (issue 14, point 3).

`python3 -m http.server` serves data/fixtures/cifar10-tiny. The fixture's own registry entry
(`cifar10-tiny`) downloads the archive once, verifies it by its sha256 and then loads; the real
`cifar10` entry, given the same server as its mirror, refuses the archive (not CIFAR-10's sha256)
in one line and installs nothing.
"""
import json
import socket
import subprocess
import sys
import time

import pytest

from conftest import REPO_ROOT, describe, run

SERVED = REPO_ROOT / "data" / "fixtures" / "cifar10-tiny"


@pytest.fixture(scope="module")
def mirror():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(SERVED)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait()


def test_the_archive_is_fetched_once_verified_and_loads(probe, mirror, tmp_path):
    target = tmp_path / "cifar10-tiny"
    result = run([probe, "data", "fetch", "cifar10-tiny", "--mirror", mirror, "--dir", target, "--json", "--quiet"])
    assert result.returncode == 0, describe(result)
    assert sorted(p.name for p in target.iterdir()) == ["cifar-10-binary.tar.gz"]
    assert (target / "cifar-10-binary.tar.gz").read_bytes() == (SERVED / "cifar-10-binary.tar.gz").read_bytes()
    verified = run([probe, "data", "verify", "cifar10-tiny", "--data-dir", tmp_path, "--json"])
    assert verified.returncode == 0, describe(verified)
    assert "sha256 of the file" in verified.stdout
    model = tmp_path / "m.h5"
    trained = run([probe, "train", "--arch", "fc10", "--dataset", "cifar10-tiny", "--data-dir", tmp_path, "--epochs", "1", "-o", model,
                   "--quiet", "--json"])
    assert trained.returncode == 0, describe(trained)


def test_an_archive_that_is_not_cifar10s_is_refused_and_nothing_installed(probe, mirror, tmp_path):
    target = tmp_path / "cifar10"
    result = run([probe, "data", "fetch", "cifar10", "--mirror", mirror, "--dir", target, "--quiet"])
    assert result.returncode != 0, describe(result)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd" in lines[0], describe(result)
    assert not target.exists() or list(target.iterdir()) == []
