"""What a user waits for at the command line: ``brushbench --version``, ``--help``, and
``brushbench eval baselines/null.py`` on the quick suite with its datasets cached.

    pytest benchmarks/bench_cli.py --benchmark-only

Each round is a fresh process (``python -m brushbench.cli``, what the ``brushbench`` script
runs). The cache (``BRUSHBENCH_CACHE``) is a folder of the session, filled once by a first
``eval`` in the fixture, as a user's second ``eval`` finds it. ``detector_seconds`` in the
extra info is the null detector's own time (fit + score) over the suite's runs, from the
results file. Targets: ``--version`` and ``--help`` under 0.3 s; ``eval`` of the null
detector under 1 s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NULL = str(ROOT / "baselines" / "null.py")


def _brushbench(*args: str, env: dict[str, str] | None = None,
                cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "brushbench.cli", *args], capture_output=True,
                          text=True, check=True, env=env, cwd=cwd)


@pytest.fixture(scope="module")
def cached(tmp_path_factory):
    """An environment whose cache holds the quick suite's datasets, and a folder to run in."""
    folder = tmp_path_factory.mktemp("cli")
    env = {**os.environ, "BRUSHBENCH_CACHE": str(folder / "cache")}
    _brushbench("eval", NULL, "--out", str(folder / "first.json"), env=env, cwd=folder)
    return env, folder


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_start_up(benchmark, flag):
    benchmark.pedantic(_brushbench, args=(flag,), rounds=10, iterations=1, warmup_rounds=1)
    assert benchmark.stats["median"] < 0.3


def test_eval_null_on_the_cached_quick_suite(benchmark, cached):
    env, folder = cached
    out = folder / "null.json"
    benchmark.pedantic(_brushbench, args=("eval", NULL, "--out", str(out)),
                       kwargs={"env": env, "cwd": folder}, rounds=5, iterations=1,
                       warmup_rounds=1)
    runs = json.loads(out.read_text())["runs"]
    assert all(run["status"] == "ok" for run in runs)
    benchmark.extra_info["runs"] = len(runs)
    benchmark.extra_info["detector_seconds"] = sum(
        (run["cost"].get("fit_seconds") or 0) + (run["cost"].get("score_seconds") or 0)
        for run in runs)
