"""Fixtures of the harness tests: one tiny train/test pair, the fixture detectors, and the runs.

Every isolated run starts a Python process (about a second), so the runs the tests look at are
made once per session, several at a time, and the tests only read their records.
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest

import brushbench
from brushbench.harness import check_detector, run_isolated

from harness_helpers import (
    DETECTORS,
    SCALE,
    SCENARIO,
    TEST_SEED,
    TIMEOUT,
    TRAIN_SEED,
    detector_file,
)

WORKERS = 4

ENTRY_POINTS = """\
[brushbench.detectors]
fake-class = class_form:ClassForm
fake_random = random_scores
broken-entry = no_such_module_abc:Thing
"""


@pytest.fixture(scope="session")
def fake_site(tmp_path_factory):
    """A folder holding a fake installed distribution that declares ``brushbench.detectors``
    entry points."""
    site = tmp_path_factory.mktemp("site")
    info = site / "fake_brush_detectors-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-brush-detectors\n"
                                   "Version: 1.0\n")
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    return site


@contextmanager
def on_sys_path(*folders):
    """The folders at the front of sys.path for a while (child processes inherit them)."""
    added = [str(f) for f in folders]
    sys.path[:0] = added
    try:
        yield
    finally:
        for path in added:
            sys.path.remove(path)


@pytest.fixture
def import_paths(fake_site):
    """The fixture detectors importable by module name, and the fake entry points installed;
    only for the test that asks (other test folders must not see them)."""
    with on_sys_path(DETECTORS, fake_site):
        yield


@pytest.fixture(scope="session")
def data(tmp_path_factory):
    """(train, test) Datasets, both with the answer key, and their folders."""
    root = tmp_path_factory.mktemp("data")
    train = brushbench.generate(SCENARIO, seed=TRAIN_SEED, scale=SCALE)
    test = brushbench.generate(SCENARIO, seed=TEST_SEED, scale=SCALE)
    train.write(root / "train")
    test.write(root / "test")
    return {"train": train, "test": test, "train_dir": root / "train",
            "test_dir": root / "test"}


# name -> (target, keyword arguments of run_isolated); targets use every form.
RUNS = {
    "oracle_train": (detector_file("oracle_train"), {"memory_mb": 2000}),
    "random_scores": ("random_scores", {}),
    "function_form": ("function_form", {}),
    "class_form": ("class_form:ClassForm", {}),
    "entry_point": ("fake-class", {}),
    "raising": (detector_file("raising"), {}),
    "hanging": (detector_file("hanging"), {"timeout": 2.0}),
    "nan_scores": (detector_file("nan_scores"), {}),
    "wrong_length": (detector_file("wrong_length"), {}),
    "reads_labels": (detector_file("reads_labels"), {}),
    "memory_hog": (detector_file("memory_hog"), {"memory_mb": 300}),
    "no_train": (detector_file("oracle_train"), {"train": None}),
    "missing_module": ("no_such_detector_xyz", {}),
}


@pytest.fixture(scope="session")
def records(fake_site, data):
    """RunRecord of every entry of RUNS, made concurrently."""

    def run(item):
        target, options = item
        options = dict(options)
        train = data["train_dir"] if options.pop("train", True) is not None else None
        options.setdefault("timeout", TIMEOUT)
        return run_isolated(target, train, data["test_dir"], **options)

    with on_sys_path(DETECTORS, fake_site), ThreadPoolExecutor(WORKERS) as pool:
        return dict(zip(RUNS, pool.map(run, RUNS.values()), strict=True))


# name -> (target, keyword arguments of check_detector)
CHECKS = {
    "oracle_train": ("oracle_train", {}),
    "class_form": (detector_file("class_form") + ":ClassForm", {}),
    "nondeterministic": (detector_file("nondeterministic"), {}),
    "raising": ("raising", {}),
    "hanging": (detector_file("hanging"), {"timeout": 2.0}),
    "nan_scores": (detector_file("nan_scores"), {}),
    "wrong_length": (detector_file("wrong_length"), {}),
    "reads_labels": (detector_file("reads_labels"), {}),
    "memory_hog": (detector_file("memory_hog"), {"memory_mb": 300}),
    "missing_file": (str(DETECTORS / "no_such_file.py"), {}),
    "both_modes": (detector_file("both_modes"), {}),
    "broken_stream": (detector_file("broken_stream"), {}),
}


@pytest.fixture(scope="session")
def checks(fake_site):
    """CheckReport of every entry of CHECKS, made concurrently on check's own tiny data."""

    def run(item):
        target, options = item
        return check_detector(target, **{"timeout": TIMEOUT, **options})

    with on_sys_path(DETECTORS, fake_site), ThreadPoolExecutor(WORKERS) as pool:
        return dict(zip(CHECKS, pool.map(run, CHECKS.values()), strict=True))
