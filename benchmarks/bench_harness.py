"""What the harness costs besides the detector: one isolated run, and a whole ``quick`` suite.

    pytest benchmarks/bench_harness.py --benchmark-only

``harness_share`` in the extra info is ``1 - (fit + score + predict seconds) / wall seconds``:
the part of the wall time that is the harness's (starting processes, loading data, checking
the output, metrics). Datasets come from a cache folder made once per session, as a user's
second ``eval`` finds them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import brushbench
from brushbench.harness import run_isolated
from brushbench.harness.evaluate import evaluate
from brushbench.harness.suites import load_suite
from brushbench.runtime.launch import ISOLATION_ENV

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = str(ROOT / "examples" / "ten_line_detector.py")
#: A quick-suite-sized dataset (about 20,000 orders).
SCENARIO, SCALE = "mixed_naive", 0.02


@pytest.fixture(scope="module")
def test_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("harness") / "test"
    brushbench.generate(SCENARIO, seed=1, scale=SCALE).write(folder)
    return folder


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BRUSHBENCH_CACHE", str(cache))
        evaluate(EXAMPLE, load_suite("quick"))  # fills the cache
    return cache


def _detector_seconds(costs) -> float:
    return sum((c.get("fit_seconds") or 0) + (c.get("score_seconds") or 0)
               + (c.get("predict_seconds") or 0) for c in costs)


@pytest.mark.parametrize("mode", ["forkserver", "spawn"])
def test_one_isolated_run(benchmark, monkeypatch, test_dir, mode):
    """One run of the ten-line example on ~20k orders, by how its process starts."""
    monkeypatch.setenv(ISOLATION_ENV, mode)
    run_isolated(EXAMPLE, None, test_dir, timeout=60)  # a forkserver starts once per session
    record = benchmark.pedantic(run_isolated, args=(EXAMPLE, None, test_dir),
                                kwargs={"timeout": 60}, rounds=10, iterations=1)
    assert record.ok, record.reason
    detector = _detector_seconds([record.to_dict()])
    benchmark.extra_info["detector_seconds"] = detector
    benchmark.extra_info["harness_seconds"] = benchmark.stats["mean"] - detector


def test_quick_suite_with_the_example_detector(benchmark, monkeypatch, warm_cache):
    """``brushbench eval examples/ten_line_detector.py`` minus the CLI: 8 runs, cache warm."""
    monkeypatch.setenv("BRUSHBENCH_CACHE", str(warm_cache))
    suite = load_suite("quick")
    result = benchmark.pedantic(evaluate, args=(EXAMPLE, suite), rounds=3, iterations=1)
    assert result.statuses.get("ok") == len(result.runs)
    detector = _detector_seconds(run.cost.to_json() for run in result.runs)
    benchmark.extra_info["runs"] = len(result.runs)
    benchmark.extra_info["detector_seconds"] = detector
    benchmark.extra_info["harness_share"] = 1 - detector / benchmark.stats["mean"]
