"""`probe report`: the report of a whole pipeline, opened in a real browser and checked number by number.

One pipeline is run once per module in a temporary directory, from there (so the files name each
other by their bare names), on the tiny fixture data set:

    probe train --arch fc100-100-10 D --epochs 2 --seed 1 -o fc100.h5 --quiet
    probe train --arch fc10 --weight-decay 1e-4 D --epochs 2 --seed 1 -o fc10.h5 --quiet
    probe record fc100.h5 D --split test --with-images -o acts.h5 --quiet
    probe units acts.h5 --layer sigmoid1,sigmoid2 --top 20 --rotations 3 --random 50 --quiet
    probe attack fgsm fc10.h5 D --epsilon 0.05,0.1,0.25 -o fgsm.h5 --quiet
    probe attack lbfgs fc100.h5 D --limit 20 -o lbfgs.h5 --quiet
    probe attack noise fc100.h5 D --match lbfgs.h5 -o noise.h5 --quiet
    probe transfer lbfgs.h5 noise.h5 fgsm.h5 --models fc100.h5 fc10.h5 --data-dir DATA -o transfer.h5
    probe lipschitz fc100.h5 -o lip.h5
    probe report fc100.h5 fc10.h5 acts.units.h5 fgsm.h5 lbfgs.h5 noise.h5 transfer.h5 lip.h5 --data-dir DATA -o report

(D = --dataset fashion-mnist-tiny --data-dir data/fixtures). The report must then

1. open in headless Chromium (Selenium; Debian's /usr/bin/chromium and /usr/bin/chromedriver, or
   $CHROMIUM and $CHROMEDRIVER) with every picture decoded, every chart drawn, no request but the
   page itself and data: URIs (Chrome's performance log), nothing on the console, and its policy
   enforced; a full-page screenshot goes to $PROBE_ARTIFACTS (or REPO_ROOT/ci-artifacts) as report.png;
2. forbid every load in its Content-Security-Policy, run no script, point nowhere outside, and keep
   every SVG id under its chart's `fig-N-` prefix, unique in the page;
3. show in its tables exactly the numbers of results.json, each printed as the report specifies,
   with results.json embedded unchanged;
4. hold in results.json the numbers recomputed here with h5py and NumPy from the input files and
   the fixture's IDX files (not from the tool's summaries), and the papers' published numbers;
5. reference in report.md exactly the files of figures/, which are the page's charts and pictures;
6. lose nothing: a report whose outputs would replace one of its inputs, by any name, is refused
   with one line and leaves the input as it was, as is an -o naming a file.
"""

import base64
import gzip
import hashlib
import json
import math
import os
import re
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import h5py
import numpy as np
import pytest

from conftest import FIXTURE_DIR, REPO_ROOT, describe

DATA_DIR = REPO_ROOT / "data" / "fixtures"
DATA = ["--dataset", "fashion-mnist-tiny", "--data-dir", DATA_DIR]

INPUTS = ["fc100.h5", "fc10.h5", "acts.units.h5", "fgsm.h5", "lbfgs.h5", "noise.h5", "transfer.h5", "lip.h5"]
FGSM_EPSILONS = (0.05, 0.1, 0.25)
UNITS_LAYERS = ("sigmoid1", "sigmoid2")
LBFGS_LIMIT = 20

# What the report of this pipeline must show. Charts: per units layer one distribution per
# measure (purity, entropy, cosine) and the detector bars; error and confidence against ε (the
# FGSM file has several radii); for the noise control the distortion histogram, error by
# distortion and the error bars; the transfer heat map. Pictures: per units layer its grid of top
# images; per attack that is not noise, 6 examples as clean | perturbation | adversarial.
EXPECTED_CHARTS = len(UNITS_LAYERS) * (3 + 1) + 2 + 3 + 1
EXAMPLES_SHOWN = 6
EXPECTED_PICTURES = len(UNITS_LAYERS) + 2 * 3 * EXAMPLES_SHOWN

# The papers' numbers (MNIST), transcribed here from the papers, independently of the tool.
PUBLISHED = {
    ("Szegedy et al. 2014, Table 1", "FC10(1e-4)"): {"train error": 0.067, "test error": 0.074,
                                                     "mean minimal distortion": 0.062},
    ("Szegedy et al. 2014, Table 1", "FC100-100-10"): {"train error": 0.0, "test error": 0.0164,
                                                       "mean minimal distortion": 0.058},
    ("Goodfellow et al. 2015, §4", "shallow softmax"): {"error": 0.999, "mean confidence": 0.793},
}
PERCENT_MEASURES = {"train error", "test error", "error"}

NEAR_TIE = 1e-4  # top-2 logit gap under which float32 (tool) and float64 (here) may name different classes
SCREENSHOT_HEIGHT_CAP = 16000  # CSS pixels per screenshot; a taller page is taken in several


# --- running the tool ---

def run_in(directory, args, timeout=600) -> subprocess.CompletedProcess:
    """Runs a command from `directory`, capturing its output as text."""
    return subprocess.run([str(a) for a in args], cwd=directory, capture_output=True, text=True, timeout=timeout)


def checked(directory, args):
    result = run_in(directory, args)
    if result.returncode != 0:
        pytest.fail("a pipeline step failed:\n" + describe(result), pytrace=False)
    return result


class Pipeline:
    """The pipeline's directory, its files and the report made of them."""

    def __init__(self, probe: Path, directory: Path):
        self.probe, self.directory = probe, directory
        self.report = directory / "report"

    def path(self, name) -> Path:
        return self.directory / name

    def make(self):
        p, d = self.probe, self.directory
        checked(d, [p, "train", "--arch", "fc100-100-10", *DATA, "--epochs", "2", "--seed", "1", "-o", "fc100.h5", "--quiet"])
        checked(d, [p, "train", "--arch", "fc10", "--weight-decay", "1e-4", *DATA, "--epochs", "2", "--seed", "1",
                    "-o", "fc10.h5", "--quiet"])
        checked(d, [p, "record", "fc100.h5", *DATA, "--split", "test", "--with-images", "-o", "acts.h5", "--quiet"])
        checked(d, [p, "units", "acts.h5", "--layer", ",".join(UNITS_LAYERS), "--top", "20", "--rotations", "3",
                    "--random", "50", "--quiet"])
        checked(d, [p, "attack", "fgsm", "fc10.h5", *DATA, "--epsilon", ",".join(map(str, FGSM_EPSILONS)),
                    "-o", "fgsm.h5", "--quiet"])
        checked(d, [p, "attack", "lbfgs", "fc100.h5", *DATA, "--limit", str(LBFGS_LIMIT), "-o", "lbfgs.h5", "--quiet"])
        checked(d, [p, "attack", "noise", "fc100.h5", *DATA, "--match", "lbfgs.h5", "-o", "noise.h5", "--quiet"])
        checked(d, [p, "transfer", "lbfgs.h5", "noise.h5", "fgsm.h5", "--models", "fc100.h5", "fc10.h5",
                    "--data-dir", DATA_DIR, "-o", "transfer.h5"])
        checked(d, [p, "lipschitz", "fc100.h5", "-o", "lip.h5"])
        for name in INPUTS:
            assert self.path(name).is_file(), f"the pipeline did not write {name}"
        checked(d, [p, "report", *INPUTS, "--data-dir", DATA_DIR, "-o", "report"])
        for name in ("report.html", "report.md", "results.json"):
            assert (self.report / name).is_file(), f"probe report did not write {name}"
        self.html = (self.report / "report.html").read_text(encoding="utf-8")
        self.markdown = (self.report / "report.md").read_text(encoding="utf-8")
        self.results_text = (self.report / "results.json").read_text(encoding="utf-8")
        self.results = json.loads(self.results_text)
        self.page = Page.parse(self.html)
        return self

    def figures(self, suffix) -> list:
        return sorted((self.report / "figures").glob(f"*{suffix}"))


@pytest.fixture(scope="module")
def pipeline(probe, fixture_data, tmp_path_factory) -> Pipeline:
    return Pipeline(probe, tmp_path_factory.mktemp("report-pipeline")).make()


# --- reading the page ---

class Page(HTMLParser):
    """Every element of the page in order (tag, attributes, the id of the SVG chart it lies in),
    every table cell with its text and table, and every script with its text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements, self.cells, self.scripts, self.tables = [], [], [], []
        self._svg, self._cell, self._script, self._caption = None, None, None, None

    @classmethod
    def parse(cls, text):
        page = cls()
        page.feed(text)
        page.close()
        return page

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "svg":
            assert self._svg is None, "an SVG inside an SVG"
            self._svg = attributes.get("id", "")
        self.elements.append((tag, attrs, self._svg))
        if tag == "table":
            self.tables.append({"caption": "", "class": attributes.get("class")})
        elif tag == "caption":
            self._caption = ""
        elif tag in ("td", "th"):
            self._cell = {"tag": tag, "attrs": attributes, "text": "", "table": len(self.tables) - 1}
        elif tag == "script":
            self._script = {"attrs": attributes, "text": ""}

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg = None
        elif tag == "caption" and self._caption is not None:
            self.tables[-1]["caption"], self._caption = self._caption, None
        elif tag in ("td", "th") and self._cell is not None:
            self.cells.append(self._cell)
            self._cell = None
        elif tag == "script" and self._script is not None:
            self.scripts.append(self._script)
            self._script = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"] += data
        if self._script is not None:
            self._script["text"] += data
        if self._caption is not None:
            self._caption += data

    def svgs(self):
        """The id of every chart's root <svg>, in order."""
        return [dict(attrs).get("id") for tag, attrs, _ in self.elements if tag == "svg"]


# --- what the tables print ---

def percent(value):
    return "%.1f%%" % (100 * value)


def printf(fmt):
    return lambda value: fmt % value


def comparison_format(results, key):
    """The format of a paper | this run | Δ cell: percentages (Δ in points) for errors, else %.3f / %+.3f."""
    index, field = int(key.split(".")[1]), key.split(".")[2]
    is_percent = results["comparisons"][index]["measure"] in PERCENT_MEASURES
    if field == "delta":
        return (lambda v: "%+.1f pt" % (100 * v)) if is_percent else printf("%+.3f")
    return percent if is_percent else printf("%.3f")


# key pattern -> the format of its cell (a function of results and key, giving a function of the value)
CELL_FORMATS = [
    (r"models\.\d+\.(train_error|test_error)", lambda r, k: percent),
    (r"models\.\d+\.mean_minimal_distortion", lambda r, k: printf("%.4f")),
    (r"comparisons\.\d+\.(paper|ours|delta)", comparison_format),
    (r"attacks\.\d+\.runs\.\d+\.epsilon", lambda r, k: printf("%g")),
    (r"attacks\.\d+\.examples", lambda r, k: printf("%.0f")),
    (r"attacks\.\d+\.runs\.\d+\.(clean_error_rate|error_rate|success_rate)", lambda r, k: percent),
    (r"attacks\.\d+\.runs\.\d+\.mean_confidence", lambda r, k: printf("%.3f")),
    (r"attacks\.\d+\.runs\.\d+\.(mean_distortion|mean_distortion_successful)", lambda r, k: printf("%.4f")),
    (r"units\.\d+\.layers\.\d+\.comparisons\.\d+\.(units|random)\.(mean|low|high)", lambda r, k: printf("%.3f")),
    (r"units\.\d+\.layers\.\d+\.comparisons\.\d+\.p_value", lambda r, k: printf("%.2g")),
    (r"units\.\d+\.layers\.\d+\.statistics\.measures\.\d+\.holm_p_value", lambda r, k: printf("%.2g")),
    (r"units\.\d+\.layers\.\d+\.comparisons\.\d+\.cliffs_delta", lambda r, k: printf("%+.3f")),
    (r"transfer\.\d+\.(error|clean_error)\.\d+\.\d+", lambda r, k: percent),
    (r"transfer\.\d+\.distortion\.\d+", lambda r, k: printf("%.4f")),
    (r"lipschitz\.\d+\.(layers\.\d+\.bound|product)", lambda r, k: printf("%.4g")),
]


def resolve(results, key):
    """The value at a dotted path of results.json (integer components index lists)."""
    value = results
    for part in key.split("."):
        if isinstance(value, list):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            raise KeyError(f"{key}: no {part!r}")
    return value


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def same(a, b, rel=1e-12):
    return a is not None and b is not None and math.isclose(a, b, rel_tol=rel, abs_tol=0.0)


# --- reading the input files independently ---

def read_idx(path):
    """An IDX file of unsigned bytes (gzip'd or not) as a uint8 array of its dimensions."""
    data = Path(path).read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    assert data[:3] == b"\x00\x00\x08", f"{path} is not an IDX file of unsigned bytes"
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * rank).reshape(dims)


@pytest.fixture(scope="module")
def fixture_sets(fixture_data):
    """{split: (images in [0, 1] as float64 (N, 784), labels)} of the fixture's IDX files."""
    sets = {}
    for split, stem in (("test", "t10k"), ("train", "train")):
        images = read_idx(FIXTURE_DIR / f"{stem}-images-idx3-ubyte.gz")
        labels = read_idx(FIXTURE_DIR / f"{stem}-labels-idx1-ubyte.gz").astype(np.int64)
        sets[split] = (images.reshape(len(images), -1).astype(np.float64) / 255.0, labels)
    return sets


def logits(model_path, x):
    """The float64 logits of the model file's network for inputs x (N, 784), walking `layer_names`."""
    with h5py.File(model_path, "r") as f:
        for name in f.attrs["layer_names"]:
            group = f["layers"][name]
            kind = group.attrs["kind"]
            if kind == "dense":
                x = x.reshape(len(x), -1) @ group["weight"][()].astype(np.float64).T + group["bias"][()].astype(np.float64)
            elif kind == "sigmoid":
                x = 0.5 * (1.0 + np.tanh(0.5 * x))
            elif kind == "relu":
                x = np.maximum(x, 0.0)
            elif kind == "tanh":
                x = np.tanh(x)
            elif kind not in ("flatten", "dropout"):
                raise ValueError(f"{model_path}: layer kind {kind!r} is not computed by this test")
    return x


def errors_and_ties(model_path, x, labels):
    """(misclassified examples, examples whose top-2 logits are within NEAR_TIE) of the float64 network."""
    z = logits(model_path, x)
    top2 = np.sort(z, axis=1)[:, -2:]
    return int((z.argmax(axis=1) != labels).sum()), int((top2[:, 1] - top2[:, 0] < NEAR_TIE).sum())


def attack_data(path):
    with h5py.File(path, "r") as f:
        data = {name: f[name][()] for name in f if isinstance(f[name], h5py.Dataset)}
        data["attrs"] = dict(f.attrs)
    return data


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def holm(p_values):
    """Holm's step-down adjusted p-values, in the order given."""
    p = np.asarray(p_values, dtype=np.float64)
    order = np.argsort(p, kind="stable")
    m = len(p)
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = adjusted
    return out


# === 1. In a real browser ===

def artifacts_directory() -> Path:
    value = os.environ.get("PROBE_ARTIFACTS")
    directory = Path(value) if value else REPO_ROOT / "ci-artifacts"
    directory = directory if directory.is_absolute() else REPO_ROOT / directory
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def start_chromium():
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    chromedriver = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
    missing = [p for p in (chromium, chromedriver) if not (Path(p).is_file() and os.access(p, os.X_OK))]
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as error:
        pytest.fail(f"Selenium is missing ({error}): `pip install selenium`; the report must be opened in a browser",
                    pytrace=False)
    if missing:
        pytest.fail(f"{' and '.join(missing)} missing: `apt-get install chromium chromium-driver`, or set $CHROMIUM "
                    f"and $CHROMEDRIVER; the report must be opened in a browser", pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    try:
        driver = webdriver.Chrome(options=options, service=Service(chromedriver))
    except Exception as error:  # noqa: BLE001 - any failure to start is a failure of the test's setup
        pytest.fail(f"Chromium ({chromium}) could not be started through {chromedriver}: {error}", pytrace=False)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(30)
    return driver


@pytest.fixture(scope="module")
def browser(pipeline):
    """Opens report.html in headless Chromium and returns what the browser saw."""
    from selenium.webdriver.support.ui import WebDriverWait

    page = pipeline.report / "report.html"
    driver = start_chromium()
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.get(page.as_uri())
        WebDriverWait(driver, 30).until(lambda d: d.execute_script(
            "return document.readyState === 'complete' && Array.from(document.images).every(i => i.complete)"))
        seen = driver.execute_script("""
            const box = e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; };
            return {
              images: Array.from(document.images).map(i => ({complete: i.complete, width: i.naturalWidth,
                        height: i.naturalHeight, alt: i.alt, shown: box(i)})),
              svgs: Array.from(document.querySelectorAll('svg')).map(s => ({id: s.id, shown: box(s),
                        nested: s.parentElement.closest('svg') !== null, drawn: s.querySelectorAll('*').length})),
              height: Math.max(document.body.scrollHeight, document.documentElement.scrollHeight),
              width: document.documentElement.scrollWidth,
            };""")
        # Screenshots of the whole page: the window as tall as the page, in pieces past the cap.
        directory = artifacts_directory()
        height = int(seen["height"])
        window = min(height, SCREENSHOT_HEIGHT_CAP)
        width = max(1280, int(seen["width"]))
        driver.set_window_size(width, window)
        # The window's outer height includes the browser's frame: grow it until the viewport holds `window`.
        inner = driver.execute_script("return window.innerHeight")
        driver.set_window_size(width, window + (window - inner))
        screenshots = []
        for piece, top in enumerate(range(0, height, window)):
            driver.execute_script("window.scrollTo(0, arguments[0]);", top)
            target = directory / ("report.png" if piece == 0 else f"report-{piece + 1}.png")
            assert driver.save_screenshot(str(target)), f"no screenshot saved to {target}"
            screenshots.append(target)
        driver.execute_script("window.scrollTo(0, 0);")
        requests, failed = [], []
        for entry in driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                requests.append(message["params"]["request"]["url"])
            elif message["method"] == "Network.webSocketCreated":
                requests.append(message["params"]["url"])
            elif message["method"] == "Network.loadingFailed":
                failed.append(message["params"])
        console = driver.get_log("browser")
        # Last, the policy itself: a picture from outside, added to the page, must be refused by it.
        violation = driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            document.addEventListener('securitypolicyviolation',
                e => done({directive: e.effectiveDirective || e.violatedDirective, blocked: e.blockedURI}), {once: true});
            const img = document.createElement('img');
            img.src = 'https://neuron-probe.invalid/probe.png';
            document.body.appendChild(img);
            setTimeout(() => done(null), 5000);""")
        return {"url": page.as_uri(), "seen": seen, "requests": requests, "failed": failed, "console": console,
                "screenshots": screenshots, "violation": violation}
    finally:
        driver.quit()


def test_every_picture_of_the_page_decodes_in_a_browser(pipeline, browser):
    images = browser["seen"]["images"]
    assert len(images) == EXPECTED_PICTURES, f"{len(images)} <img> in the page, the report should have {EXPECTED_PICTURES}"
    assert len(images) == len(pipeline.figures(".png")), "one <img> per picture in figures/"
    broken = [i["alt"] for i in images if not (i["complete"] and i["width"] > 0 and i["height"] > 0)]
    assert not broken, f"pictures the browser could not decode: {broken}"
    hidden = [i["alt"] for i in images if not (i["shown"][0] > 0 and i["shown"][1] > 0)]
    assert not hidden, f"pictures shown with no size: {hidden}"


def test_every_chart_of_the_page_is_drawn_in_a_browser(pipeline, browser):
    svgs = browser["seen"]["svgs"]
    assert not [s["id"] for s in svgs if s["nested"]], "an SVG inside an SVG"
    files = [p.stem for p in pipeline.figures(".svg")]
    assert len(svgs) == EXPECTED_CHARTS, f"{len(svgs)} inline <svg> in the page, the report should have {EXPECTED_CHARTS}"
    assert sorted(s["id"] for s in svgs) == sorted(files), "one inline <svg> per chart file in figures/, by its id"
    empty = [s["id"] for s in svgs if not (s["shown"][0] > 0 and s["shown"][1] > 0 and s["drawn"] > 5)]
    assert not empty, f"charts drawn empty or with no size: {empty}"


def test_the_browser_loads_nothing_but_the_page_and_its_data_uris(browser):
    requests = browser["requests"]
    page = [u for u in requests if u.split("#")[0] == browser["url"]]
    assert page, f"the performance log did not record the page's own request (so it records nothing): {requests[:5]}"
    assert any(u.startswith("data:image/png;base64,") for u in requests), "the log recorded none of the data: pictures"
    outside = sorted({u for u in requests if u.split("#")[0] != browser["url"] and not u.startswith("data:")})
    assert not outside, f"requests other than the page and data: URIs: {outside}"
    assert not browser["failed"], f"loads that failed: {browser['failed']}"


def test_the_browser_console_shows_no_error(browser):
    errors = [e for e in browser["console"] if e["level"] in ("SEVERE", "ERROR")
              or "Content Security Policy" in e["message"] or "Content-Security-Policy" in e["message"]]
    assert not errors, "console messages:\n" + "\n".join(f"{e['level']}: {e['message']}" for e in errors)


def test_the_browser_enforces_the_pages_policy(browser):
    violation = browser["violation"]
    assert violation is not None, "a picture from outside added to the page was not refused by its policy"
    assert violation["directive"] == "img-src", violation
    assert violation["blocked"].startswith("https://neuron-probe.invalid"), violation


def test_a_full_page_screenshot_is_saved(browser):
    shots = browser["screenshots"]
    assert shots and shots[0].name == "report.png", shots
    for shot in shots:
        assert shot.is_file(), f"{shot} was not written"
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{shot} is not a PNG"
        assert len(data) > 10_000, f"{shot} holds only {len(data)} bytes"
    width, height = struct.unpack(">II", shots[0].read_bytes()[16:24])
    expected = min(browser["seen"]["height"], SCREENSHOT_HEIGHT_CAP)
    assert width >= 1000 and height >= expected, f"report.png is {width}×{height}, the page {browser['seen']['height']} high"


# === 2. Self-contained: the page's policy, scripts, links and SVG ids ===

def policy(content):
    directives = {}
    for part in content.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def test_the_page_forbids_every_load_in_its_content_security_policy(pipeline):
    elements = pipeline.page.elements
    metas = [i for i, (tag, attrs, _) in enumerate(elements)
             if tag == "meta" and (dict(attrs).get("http-equiv") or "").lower() == "content-security-policy"]
    assert len(metas) == 1, f"{len(metas)} Content-Security-Policy <meta> elements"
    directives = policy(dict(elements[metas[0]][1])["content"])
    assert directives.get("default-src") == ["'none'"], directives
    allowed = {"img-src": {"data:"}, "style-src": {"'unsafe-inline'"}}
    for name, sources in directives.items():
        if name == "default-src":
            continue
        assert set(sources) <= allowed.get(name, {"'none'"}), f"{name} allows {sources}"
    # A policy in a <meta> covers only what follows it: nothing that loads or styles may come first.
    first = next(i for i, (tag, _, _) in enumerate(elements) if tag in ("style", "img", "svg", "script", "link", "body"))
    assert metas[0] < first, "the policy comes after content it should cover"


def test_the_page_runs_no_script_and_points_nowhere_outside(pipeline):
    page = pipeline.page
    ids = {dict(attrs)["id"] for _, attrs, _ in page.elements if dict(attrs).get("id")}
    scripts = page.scripts
    assert len(scripts) == 1, f"{len(scripts)} <script> elements"
    assert scripts[0]["attrs"] == {"type": "application/json", "id": "results"}, scripts[0]["attrs"]
    forbidden = {"link", "iframe", "frame", "object", "embed", "base", "form", "audio", "video", "source", "track",
                 "applet", "portal", "image", "use", "foreignobject"}
    problems = []
    for tag, attrs, svg in page.elements:
        if tag in forbidden:
            problems.append(f"<{tag}>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                problems.append(f"<{tag} {name}> (an event handler)")
            elif name in ("srcset", "action", "formaction", "poster", "background", "ping", "data", "codebase", "manifest"):
                problems.append(f"<{tag} {name}={value[:60]!r}>")
            elif name == "src":
                if not value.startswith("data:image/png;base64,"):
                    problems.append(f"<{tag} src={value[:60]!r}>")
            elif name in ("href", "xlink:href"):
                if not (value.startswith("#") and value[1:] in ids):
                    problems.append(f"<{tag} {name}={value[:60]!r}> is not an anchor of the page")
            elif name == "xmlns" or name.startswith("xmlns:"):
                continue  # a namespace name, never fetched
            elif name == "http-equiv" and value.lower() == "refresh":
                problems.append("<meta http-equiv=refresh>")
            elif re.search(r"https?:|//|url\(\s*['\"]?(?!#)", value, re.I) and name != "content":
                problems.append(f"<{tag} {name}={value[:80]!r}> points outside")
    styles = re.findall(r"<style[^>]*>(.*?)</style>", pipeline.html, re.S | re.I)
    for style in styles:
        if re.search(r"@import|url\(|https?:", style, re.I):
            problems.append(f"the inline style loads something: {style[:80]!r}")
    assert not problems, "\n".join(problems)


def test_every_svg_id_lies_under_its_charts_prefix_and_every_id_is_unique(pipeline):
    page = pipeline.page
    charts = page.svgs()
    assert len(charts) == EXPECTED_CHARTS, charts
    numbers = []
    for chart in charts:
        match = re.fullmatch(r"fig-(\d+)-[a-z0-9-]+", chart or "")
        assert match, f"chart id {chart!r} is not fig-N-slug"
        numbers.append(int(match.group(1)))
    assert numbers == list(range(1, len(charts) + 1)), f"charts are not numbered 1… in order: {numbers}"
    all_ids, problems = [], []
    ids_in = {chart: set() for chart in charts}
    for tag, attrs, svg in page.elements:
        value = dict(attrs).get("id")
        if value is not None:
            all_ids.append(value)
            if svg is not None:
                ids_in[svg].add(value)
                if tag != "svg" and not value.startswith(svg + "-"):
                    problems.append(f"id {value!r} inside chart {svg!r}")
    duplicates = sorted({i for i in all_ids if all_ids.count(i) > 1})
    assert not duplicates, f"ids used more than once: {duplicates}"
    # References inside a chart stay inside it (so inlining many charts cannot cross them).
    for tag, attrs, svg in page.elements:
        if svg is None:
            continue
        for name, value in attrs:
            targets = re.findall(r"url\(#([^)]+)\)", value or "")
            if name in ("aria-labelledby", "aria-describedby"):
                targets += (value or "").split()
            if name in ("href", "xlink:href") and (value or "").startswith("#"):
                targets.append(value[1:])
            problems += [f"{svg}: {name} refers to {t!r} outside the chart" for t in targets if t not in ids_in[svg]]
    assert not problems, "\n".join(problems)


# === 3. The tables' numbers are results.json's ===

def test_every_number_in_the_tables_is_the_results_and_printed_as_specified(pipeline):
    results = pipeline.results
    keyed = [c for c in pipeline.page.cells if "data-key" in c["attrs"]]
    assert len(keyed) > 100, f"only {len(keyed)} table cells name a number of the results"
    problems = []
    for cell in keyed:
        key, shown = cell["attrs"]["data-key"], cell["text"].strip()
        try:
            value = resolve(results, key)
        except (KeyError, IndexError, ValueError) as error:
            problems.append(f"{key}: not in results.json ({error})")
            continue
        if not is_number(value):
            problems.append(f"{key}: results.json holds {value!r}, not a number")
            continue
        try:
            attribute = float(cell["attrs"].get("data-value"))
        except (TypeError, ValueError):
            problems.append(f"{key}: data-value {cell['attrs'].get('data-value')!r} is not a number")
            continue
        if not same(attribute, float(value)):
            problems.append(f"{key}: data-value {cell['attrs']['data-value']} but results.json {value!r}")
        formats = [f for pattern, f in CELL_FORMATS if re.fullmatch(pattern, key)]
        if len(formats) != 1:
            problems.append(f"{key}: no format specified for this cell (shown {shown!r})")
            continue
        expected = formats[0](results, key)(float(value))
        if shown != expected:
            problems.append(f"{key}: shows {shown!r}, {value!r} formatted is {expected!r}")
    assert not problems, f"{len(problems)} of {len(keyed)} cells:\n" + "\n".join(problems[:40])


def test_every_number_shown_in_a_table_of_results_names_its_key(pipeline):
    """A number in a table of this run's results without data-key cannot be checked against results.json.
    (Tables of the papers' numbers alone have no key at all; a number the results hold as text, such as a
    weight decay, may stand as text.)"""
    strings = set()

    def walk(value):
        if isinstance(value, str):
            strings.add(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
    walk(pipeline.results)
    cells = pipeline.page.cells
    keyed_tables = {c["table"] for c in cells if "data-key" in c["attrs"]}
    numeric = re.compile(r"[+\-−]?\d+(\.\d+)?(e[+\-]?\d+)?(%| pt)?")
    unkeyed = [(pipeline.page.tables[c["table"]]["caption"][:50], c["text"].strip()) for c in cells
               if c["tag"] == "td" and c["table"] in keyed_tables and "data-key" not in c["attrs"]
               and numeric.fullmatch(c["text"].strip()) and c["text"].strip() not in strings]
    assert not unkeyed, f"{len(unkeyed)} numbers shown without data-key (table, text): {unkeyed}"


def test_the_page_embeds_results_json_unchanged(pipeline):
    script = pipeline.page.scripts[0]
    text = script["text"].replace("<\\/", "</")
    assert json.loads(text) == pipeline.results, "the embedded results differ from results.json"
    assert text == pipeline.results_text, "the embedded results are not results.json's text"


# === 4. results.json against the input files ===

def test_attack_numbers_are_recomputed_from_the_attack_files_and_the_clean_images(pipeline, fixture_sets):
    images, labels = fixture_sets["test"]
    entries = {Path(e["file"]).name: e for e in pipeline.results["attacks"]}
    assert sorted(entries) == ["fgsm.h5", "lbfgs.h5", "noise.h5"], sorted(entries)
    for name, entry in entries.items():
        data = attack_data(pipeline.path(name))
        attrs, n = data["attrs"], len(data["labels"])
        indices = data["indices"]
        np.testing.assert_array_equal(data["labels"], labels[indices], err_msg=f"{name}: labels are not the IDX labels")
        assert entry["method"] == attrs["method"] and entry["examples"] == n, (name, entry["method"], entry["examples"])
        assert entry["model_sha256"] == attrs["model_sha256"] == sha256(pipeline.path(attrs["model_file"])), name
        assert entry["model_file"] == attrs["model_file"] and entry["split"] == attrs["split"], name
        assert entry.get("matches") == attrs.get("matches"), name
        clean = images[indices]
        runs = entry["runs"]
        assert len(runs) == len(data["epsilons"]), name
        for r, run in enumerate(runs):
            where = f"{name} run {r}"
            epsilon = data["epsilons"][r]
            if np.isnan(epsilon):
                assert run["epsilon"] is None, where
            else:
                assert np.float32(run["epsilon"]) == epsilon, (where, run["epsilon"], epsilon)
            assert same(run["error_rate"], float(np.mean(data["pred_adv"][r] != data["labels"]))), where
            assert same(run["clean_error_rate"], float(np.mean(data["pred_clean"] != data["labels"]))), where
            assert same(run["success_rate"], float(np.mean(data["success"][r] != 0))), where
            assert run["failed"] == int(np.sum(data["failed"][r] != 0)), where
            assert same(run["mean_confidence"], float(np.mean(data["confidence"][r].astype(np.float64)))), where
            adversarial = data["adversarial"][r].reshape(n, -1).astype(np.float64)
            distortion = np.sqrt(((adversarial - clean) ** 2).mean(axis=1))
            np.testing.assert_allclose(data["distortion"][r], distortion, rtol=1e-5, atol=1e-7,
                                       err_msg=f"{where}: stored distortion")
            assert math.isclose(run["mean_distortion"], float(distortion.mean()), rel_tol=1e-5), \
                (where, run["mean_distortion"], float(distortion.mean()))
            successful = distortion[data["success"][r] != 0]
            if len(successful):
                assert math.isclose(run["mean_distortion_successful"], float(successful.mean()), rel_tol=1e-5), \
                    (where, run["mean_distortion_successful"], float(successful.mean()))
            else:
                assert run["mean_distortion_successful"] is None, where
    fgsm = attack_data(pipeline.path("fgsm.h5"))
    np.testing.assert_array_equal(fgsm["epsilons"], np.float32(FGSM_EPSILONS))
    assert entries["lbfgs.h5"]["examples"] == LBFGS_LIMIT and entries["noise.h5"]["examples"] == LBFGS_LIMIT


def test_model_numbers_are_the_model_files_and_their_errors_recomputed(pipeline, fixture_sets):
    models = pipeline.results["models"]
    assert [Path(m["file"]).name for m in models] == ["fc100.h5", "fc10.h5"]
    lbfgs = attack_data(pipeline.path("lbfgs.h5"))
    for model in models:
        path = pipeline.path(model["file"])
        with h5py.File(path, "r") as f:
            attrs, training = dict(f.attrs), dict(f["training"].attrs)
        name = path.name
        assert model["train_error"] == float(attrs["train_error"]), (name, model["train_error"], attrs["train_error"])
        assert model["test_error"] == float(attrs["test_error"]), (name, model["test_error"], attrs["test_error"])
        assert model["architecture"] == attrs["architecture"] and model["dataset"] == attrs["dataset"], name
        assert model["dataset_sha256"] == attrs["dataset_sha256"], name
        assert model["sha256"] == sha256(path), name
        assert model["seed"] == int(training["seed"]) == 1, name
        assert float(model["weight_decay"]) == float(training["weight_decay"]), name
        assert model.get("adversarial_epsilon") is None, name  # absent or null: trained without
        # The recorded errors are those of the weights in the file, recomputed here in float64.
        for split in ("train", "test"):
            x, y = fixture_sets[split]
            wrong, ties = errors_and_ties(path, x, y)
            recorded = model[f"{split}_error"] * len(y)
            assert abs(wrong - recorded) <= ties, f"{name}: {split} error {wrong}/{len(y)} here, {recorded:g} recorded"
        # Mean minimal distortion: the successful L-BFGS examples made on this model, from their images.
        if model["sha256"] == lbfgs["attrs"]["model_sha256"]:
            x = fixture_sets["test"][0][lbfgs["indices"]]
            distortion = np.sqrt(((lbfgs["adversarial"][0].reshape(len(x), -1).astype(np.float64) - x) ** 2).mean(axis=1))
            expected = float(distortion[lbfgs["success"][0] != 0].mean())
            assert math.isclose(model["mean_minimal_distortion"], expected, rel_tol=1e-5), (name, model, expected)
            assert Path(model["lbfgs_file"]).name == "lbfgs.h5", name
        else:
            assert model.get("mean_minimal_distortion") is None and model.get("lbfgs_file") is None, name


def test_comparisons_put_the_papers_numbers_beside_ours(pipeline):
    results = pipeline.results
    comparisons = results["comparisons"]
    models = {Path(m["file"]).name: m for m in results["models"]}
    fgsm = next(e for e in results["attacks"] if e["method"] == "fgsm")
    strongest = next(r for r in fgsm["runs"] if math.isclose(r["epsilon"], 0.25))
    ours_for = {
        ("fc100.h5", "train error"): models["fc100.h5"]["train_error"],
        ("fc100.h5", "test error"): models["fc100.h5"]["test_error"],
        ("fc100.h5", "mean minimal distortion"): models["fc100.h5"]["mean_minimal_distortion"],
        ("fc10.h5", "train error"): models["fc10.h5"]["train_error"],
        ("fc10.h5", "test error"): models["fc10.h5"]["test_error"],
        ("fc10.h5", "mean minimal distortion"): None,  # no L-BFGS examples were made on fc10
        ("fgsm.h5", "error"): strongest["error_rate"],
        ("fgsm.h5", "mean confidence"): strongest["mean_confidence"],
    }
    seen = sorted((Path(c["file"]).name, c["measure"]) for c in comparisons)
    assert seen == sorted(ours_for), f"comparisons made: {seen}"
    for c in comparisons:
        where = (c["file"], c["measure"])
        paper = PUBLISHED.get((c["source"], c["paper_row"]), {}).get(c["measure"])
        assert paper is not None, f"{where}: {c['source']}, {c['paper_row']} has no {c['measure']}"
        assert c["paper"] == paper, (where, c["paper"], paper)
        ours = ours_for[(Path(c["file"]).name, c["measure"])]
        if ours is None:
            assert c.get("ours") is None and c.get("delta") is None, where
        else:
            assert c["ours"] == ours, (where, c["ours"], ours)
            assert math.isclose(c["delta"], ours - paper, rel_tol=1e-12, abs_tol=1e-15), (where, c["delta"], ours - paper)
        assert c["comparable"] is False, f"{where}: fashion-mnist-tiny is not the papers' MNIST"


def test_units_numbers_are_the_units_files_and_holm_is_recomputed(pipeline):
    from scipy import stats

    units = pipeline.results["units"]
    assert len(units) == 1 and Path(units[0]["file"]).name == "acts.units.h5"
    with h5py.File(pipeline.path("acts.units.h5"), "r") as f:
        assert units[0]["architecture"] == f.attrs["model_architecture"]
        layers = units[0]["layers"]
        assert [l["layer"] for l in layers] == list(f.attrs["layers"]) == list(UNITS_LAYERS)
        for layer in layers:
            group = f["units"][layer["layer"]]
            name = layer["layer"]
            assert layer["top_k"] == int(f.attrs["top_k"]) == 20, name
            assert layer["live_units"] == len(group["units/purity"]) and layer["random_directions"] == len(group["random/purity"])
            assert layer["dead_units"] == group["dead_units"][()].tolist(), name
            assert layer["samples"] == int(group.attrs["samples"]) == 256, name
            assert layer["units"] == int(group.attrs["units"]) == layer["live_units"] + len(layer["dead_units"]), name
            assert layer["verdict"] == group.attrs["verdict"], name
            measures = [c["measure"] for c in layer["comparisons"]]
            assert measures == ["purity", "entropy", "cosine"], measures
            for c in layer["comparisons"]:
                a, where = dict(group["comparison"][c["measure"]].attrs), f"{name} {c['measure']}"
                for family in ("units", "random"):
                    for field in ("mean", "low", "high"):
                        assert c[family][field] == a[f"{family}_{field}"], (where, family, field, c[family][field])
                for field in ("u", "p_value", "auc", "cliffs_delta"):
                    assert c[field] == a[field], (where, field, c[field], a[field])
                # …and those attributes are the directions' measures in the file.
                u, v = group["units"][c["measure"]][()], group["random"][c["measure"]][()]
                assert math.isclose(c["units"]["mean"], float(u.mean()), rel_tol=1e-9), where
                assert math.isclose(c["random"]["mean"], float(v.mean()), rel_tol=1e-9), where
                test = stats.mannwhitneyu(u, v, alternative="two-sided", method="asymptotic", use_continuity=True)
                assert c["u"] == float(test.statistic), (where, c["u"], test.statistic)
                assert math.isclose(c["p_value"], float(test.pvalue), rel_tol=1e-9), (where, c["p_value"], test.pvalue)
                assert math.isclose(c["cliffs_delta"], 2 * test.statistic / (len(u) * len(v)) - 1, rel_tol=1e-9, abs_tol=1e-12)
            statistics = layer["statistics"]["measures"]
            assert [m["measure"] for m in statistics] == measures, name
            adjusted = holm([c["p_value"] for c in layer["comparisons"]])
            for m, expected in zip(statistics, adjusted):
                assert m["p_value"] == layer["comparisons"][measures.index(m["measure"])]["p_value"], (name, m)
                assert same(m["holm_p_value"], float(expected)), (name, m["measure"], m["holm_p_value"], float(expected))
                assert m["significant"] == bool(expected < layer["statistics"]["alpha"]), (name, m)
            detectors, d = layer["detectors"], group["detectors"]
            rotated = d["rotated"][()]
            assert detectors["units"] == int(d.attrs["natural"]) and detectors["threshold"] == float(d.attrs["threshold"])
            assert detectors["rotated"] == [int(r) for r in rotated], name
            threshold = detectors["threshold"] - 1e-12
            assert detectors["units"] == int((group["units/purity"][()] >= threshold).sum()), name
            assert detectors["rotated"] == [int((group[f"rotations/{k}/purity"][()] >= threshold).sum())
                                            for k in range(1, len(rotated) + 1)], name
            assert same(detectors["rotated_mean"], float(np.mean(rotated))), name
            assert same(detectors["rotated_sd"], float(np.std(rotated, ddof=1)), rel=1e-9), name


def test_transfer_matrix_is_the_transfer_file_and_recomputed_from_the_examples(pipeline, fixture_sets):
    images, _ = fixture_sets["test"]
    (entry,) = pipeline.results["transfer"]
    assert Path(entry["file"]).name == "transfer.h5"
    with h5py.File(pipeline.path("transfer.h5"), "r") as f:
        attrs = dict(f.attrs)
        assert entry["error"] == f["error"][()].tolist()
        assert entry["clean_error"] == f["clean_error"][()].tolist()
        assert entry["distortion"] == f["distortion"][()].tolist()
    assert entry["sets"] == list(attrs["set_names"]) and entry["models"] == list(attrs["model_names"])
    models = list(attrs["model_files"])
    assert models == ["fc100.h5", "fc10.h5"]
    runs_taken, problems = {}, []
    attacks = {Path(e["file"]).name: e for e in pipeline.results["attacks"]}
    for s, attack_file in enumerate(attrs["attack_files"]):
        run = runs_taken.get(attack_file, 0)
        runs_taken[attack_file] = run + 1
        data = attack_data(pipeline.path(attack_file))
        labels, indices = data["labels"], data["indices"]
        adversarial = data["adversarial"][run].reshape(len(labels), -1).astype(np.float64)
        clean = images[indices]
        distortion = np.sqrt(((adversarial - clean) ** 2).mean(axis=1)).mean()
        if not math.isclose(entry["distortion"][s], float(distortion), rel_tol=1e-5):
            problems.append(f"set {s} ({attack_file} run {run}): distortion {entry['distortion'][s]} here {distortion}")
        if entry["distortion"][s] != attacks[attack_file]["runs"][run]["mean_distortion"]:
            problems.append(f"set {s}: distortion differs from attacks' mean_distortion")
        for m, model in enumerate(models):
            for matrix, x in (("error", adversarial), ("clean_error", clean)):
                wrong, ties = errors_and_ties(pipeline.path(model), x, labels)
                if abs(wrong - entry[matrix][s][m] * len(labels)) > ties:
                    problems.append(f"{matrix}[{s}][{m}] ({attack_file} run {run} on {model}): "
                                    f"{entry[matrix][s][m]} in the file, {wrong}/{len(labels)} here")
        # The model an attack was made on sees exactly the attack file's own error.
        made_on = models.index(Path(data["attrs"]["model_file"]).name)
        if entry["error"][s][made_on] != attacks[attack_file]["runs"][run]["error_rate"]:
            problems.append(f"error[{s}][{made_on}] is not the attack's own error rate")
    assert not problems, "\n".join(problems)


def test_lipschitz_bounds_are_the_lipschitz_file_and_recomputed_from_the_weights(pipeline):
    (entry,) = pipeline.results["lipschitz"]
    assert Path(entry["file"]).name == "lip.h5"
    with h5py.File(pipeline.path("lip.h5"), "r") as f:
        attrs, bounds = dict(f.attrs), f["bound"][()]
    assert [l["layer"] for l in entry["layers"]] == list(attrs["layer_names"])
    assert [l["kind"] for l in entry["layers"]] == list(attrs["layer_kinds"])
    assert [l["bound"] for l in entry["layers"]] == bounds.tolist()
    assert entry["product"] == float(attrs["product"])
    assert same(entry["product"], float(np.prod(bounds)), rel=1e-12)
    model = pipeline.path(attrs["model_file"])
    assert entry["model_sha256"] == sha256(model)
    with h5py.File(model, "r") as f:
        for layer in entry["layers"]:
            group = f["layers"][layer["layer"]]
            if layer["kind"] == "dense":
                sigma = float(np.linalg.norm(group["weight"][()].astype(np.float64), 2))
                assert math.isclose(layer["bound"], sigma, rel_tol=1e-5), (layer, sigma)
            elif layer["kind"] == "sigmoid":
                assert layer["bound"] == 0.25, layer
            else:
                pytest.fail(f"layer kind {layer['kind']} not expected in fc100-100-10")


def test_results_name_every_input_by_its_bytes(pipeline):
    inputs = pipeline.results["inputs"]
    assert [i["path"] for i in inputs] == INPUTS
    kinds = {"fc100.h5": "model", "fc10.h5": "model", "acts.units.h5": "units", "fgsm.h5": "attack", "lbfgs.h5": "attack",
             "noise.h5": "attack", "transfer.h5": "transfer", "lip.h5": "lipschitz"}
    for item in inputs:
        assert item["kind"] == kinds[item["path"]], item
        assert item["sha256"] == sha256(pipeline.path(item["path"])), item
    assert pipeline.results["format"] == "neuron-probe/report"
    assert pipeline.results["notes"] == [], "everything should be shown (images found, data set found)"


# === 5. report.md and figures/ ===

def test_the_markdown_references_exactly_the_figure_files(pipeline):
    targets = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", pipeline.markdown)
    links = re.findall(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)", pipeline.markdown)
    assert not [t for t in targets + links if re.match(r"[a-z]+:", t)], "report.md links outside"
    figures = {f"figures/{p.name}" for p in pipeline.figures("")}
    missing = sorted(t for t in targets if t not in figures)
    assert not missing, f"report.md references files that are not in figures/: {missing}"
    unreferenced = sorted(figures - set(targets))
    assert not unreferenced, f"figures/ holds files report.md never shows: {unreferenced}"
    assert len(figures) == EXPECTED_CHARTS + EXPECTED_PICTURES, sorted(figures)
    assert all((pipeline.report / t).resolve().parent == (pipeline.report / "figures").resolve() for t in targets)


def test_the_figure_files_are_the_pages_charts_and_pictures(pipeline):
    inline = {chart_id: svg for svg, chart_id in re.findall(r'(<svg\b[^>]*\bid="([^"]+)".*?</svg>)', pipeline.html, re.S)}
    files = {p.stem: p.read_text(encoding="utf-8") for p in pipeline.figures(".svg")}
    assert sorted(inline) == sorted(files)
    differing = [i for i in files if files[i].strip() != inline[i].strip()]
    assert not differing, f"figure files that are not the page's chart: {differing}"
    shown = sorted(hashlib.sha256(base64.b64decode(src[len("data:image/png;base64,"):])).hexdigest()
                   for tag, attrs, _ in pipeline.page.elements if tag == "img" for src in [dict(attrs)["src"]])
    written = sorted(sha256(p) for p in pipeline.figures(".png"))
    assert shown == written, "the page's pictures are not the PNG files of figures/"


# === 6. Nothing lost ===

def backtrace_in(text):
    return re.search(r"Stack dump|Fatal error|Current stack trace|backtrace|^\s*\d+\s+0x[0-9a-f]+|#\d+ 0x", text, re.M | re.I)


USAGE = re.compile(r"(Usage: probe report\b.*|  See 'probe report --help' for more information\.)")


def error_lines(result):
    """The lines of stderr, without ArgumentParser's usage hint that follows an error in the arguments."""
    return [line for line in result.stderr.splitlines() if line.strip() and not USAGE.fullmatch(line)]


def refuse_case(pipeline, directory, case):
    """Sets up `case` in `directory`: (the input's path as given, the file it is, extra inputs)."""
    out = directory / "out"
    (out / "figures").mkdir(parents=True)
    if case == "results.json":
        shutil.copyfile(pipeline.path("fgsm.h5"), out / "results.json")
        return ["out/results.json"], out / "results.json", ["fc100.h5"]
    if case == "report.html":
        shutil.copyfile(pipeline.path("lip.h5"), out / "report.html")
        return ["out/report.html"], out / "report.html", ["fc100.h5"]
    if case == "a chart's file":
        # The units file's first chart is fig-1-sigmoid1-purity.svg.
        target = out / "figures" / "fig-1-sigmoid1-purity.svg"
        shutil.copyfile(pipeline.path("lip.h5"), target)
        return ["out/figures/fig-1-sigmoid1-purity.svg"], target, ["acts.units.h5"]
    if case == "results.json by another name":
        shutil.copyfile(pipeline.path("fgsm.h5"), out / "results.json")
        (directory / "link.h5").symlink_to(out / "results.json")
        return ["link.h5", "out/./figures/../results.json"], out / "results.json", ["fc100.h5"]
    raise ValueError(case)


def refusal_directory(pipeline, tmp_path):
    """A copy of the inputs a refused report needs, in tmp_path."""
    for name in ("fc100.h5", "acts.units.h5", "acts.h5", "lip.h5", "fgsm.h5"):
        shutil.copyfile(pipeline.path(name), tmp_path / name)
    return tmp_path


@pytest.mark.parametrize("case", ["results.json", "report.html", "a chart's file", "results.json by another name"])
def test_a_report_that_would_replace_one_of_its_inputs_is_refused_and_the_input_kept(pipeline, tmp_path, case):
    directory = refusal_directory(pipeline, tmp_path)
    given, target, others = refuse_case(pipeline, directory, case)
    before = target.read_bytes()
    for name in given:
        result = run_in(directory, [pipeline.probe, "report", *others, name, "--data-dir", DATA_DIR, "-o", "out"])
        assert result.returncode != 0, describe(result)
        lines = error_lines(result)
        assert len(lines) == 1, f"not one line of error:\n{describe(result)}"
        assert not backtrace_in(result.stderr), describe(result)
        assert target.name in lines[0] and "input" in lines[0], lines[0]
        assert "wrote" not in result.stdout, describe(result)
        assert target.read_bytes() == before, f"{target} changed"
        assert not (directory / "out" / "report.html").exists() or case == "report.html", "a report was written"
        assert not (directory / "out" / "report.md").exists(), "a report was written"


def test_a_refused_report_leaves_its_directory_as_it_was(pipeline, tmp_path):
    directory = refusal_directory(pipeline, tmp_path)
    out = directory / "out"
    out.mkdir()
    shutil.copyfile(pipeline.path("fgsm.h5"), out / "results.json")
    before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    result = run_in(directory, [pipeline.probe, "report", "fc100.h5", "out/results.json", "--data-dir", DATA_DIR, "-o", "out"])
    assert result.returncode != 0, describe(result)
    after = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    assert after == before, f"the refused report changed {out}: {before} -> {after}"


def test_an_output_naming_a_file_is_refused_in_one_line(pipeline, tmp_path):
    target = tmp_path / "fc10-copy.h5"
    shutil.copyfile(pipeline.path("fc10.h5"), target)
    before = target.read_bytes()
    result = run_in(tmp_path, [pipeline.probe, "report", pipeline.path("fc100.h5"), "-o", target.name])
    assert result.returncode != 0, describe(result)
    lines = error_lines(result)
    assert len(lines) == 1, f"not one line of error:\n{describe(result)}"
    assert target.name in lines[0] and "file" in lines[0], lines[0]
    assert not backtrace_in(result.stderr), describe(result)
    assert target.read_bytes() == before, f"{target} changed"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name], f"left behind: {list(tmp_path.iterdir())}"


def test_an_output_directory_that_cannot_be_made_is_refused_in_one_line(pipeline, tmp_path):
    # /proc takes no new directories, even for root.
    result = run_in(tmp_path, [pipeline.probe, "report", pipeline.path("fc100.h5"), "-o", "/proc/neuron-probe-report"])
    assert result.returncode != 0, describe(result)
    lines = error_lines(result)
    assert len(lines) == 1, f"not one line of error:\n{describe(result)}"
    assert "/proc/neuron-probe-report" in lines[0] and "cannot create the directory" in lines[0], lines[0]
    assert "NSCocoaErrorDomain" not in result.stderr and not backtrace_in(result.stderr), describe(result)
