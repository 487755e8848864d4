"""Fixtures of the streaming tests: a naive click farm (train and test) written to tmp folders,
and the isolated runs of the streaming fixture detectors, made once, several at a time."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

import brushbench
from brushbench.harness import run_isolated

from streaming_helpers import SCALE, SCENARIO, TIMEOUT, detector_file


@pytest.fixture(scope="session")
def farm(tmp_path_factory):
    """(train, test) Datasets of the naive click farm, with the answer key, and their folders."""
    root = tmp_path_factory.mktemp("farm")
    train = brushbench.generate(SCENARIO, seed=11, scale=SCALE)
    test = brushbench.generate(SCENARIO, seed=1, scale=SCALE)
    train.write(root / "train")
    test.write(root / "test")
    return {"train": train, "test": test, "train_dir": root / "train",
            "test_dir": root / "test"}


# name -> (detector file, keyword arguments of run_isolated)
RUNS = {
    "device_counts": ("device_counts", {}),
    "device_counts_30m": ("device_counts", {"batch": "30m"}),
    "future_guard": ("future_guard", {}),
    "wrong_length": ("wrong_length_stream", {}),
    "reads_ahead": ("reads_ahead", {}),
    "stops_early": ("stops_early", {}),
    "both_default": ("both_modes", {}),
    "both_stream": ("both_modes", {"stream": True}),
    "score_only_stream": ("score_only", {"stream": True}),
}


@pytest.fixture(scope="session")
def records(farm):
    """RunRecord of every entry of RUNS."""

    def run(item):
        name, options = item
        return run_isolated(detector_file(name), farm["train_dir"], farm["test_dir"],
                            timeout=TIMEOUT, **options)

    with ThreadPoolExecutor(4) as pool:
        return dict(zip(RUNS, pool.map(run, RUNS.values()), strict=True))
