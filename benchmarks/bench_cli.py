"""What a user waits for at the command line: ``brushbench --version``, ``--help``,
``brushbench eval baselines/null.py`` on the quick suite with its datasets cached, and
``brushbench generate double11`` (~1M orders, and at ``--scale 0.01``, where the fixed cost of
start-up is most of it).

    pytest benchmarks/bench_cli.py --benchmark-only

Each round is a fresh process (``python -m brushbench.cli``, what the ``brushbench`` script
runs). The cache (``BRUSHBENCH_CACHE``) is a folder of the session, filled once by a first
``eval`` in the fixture, as a user's second ``eval`` finds it. ``detector_seconds`` in the
extra info is the null detector's own time (fit + score) over the suite's runs, from the
results file. ``cpu_seconds`` is the median of the generate command's own user + system time,
``load_average`` the machine's one-minute load average before and after. Targets:
``--version`` and ``--help`` under 0.3 s; ``eval`` of the null detector under 1 s.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
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


@pytest.mark.parametrize("scale", ["1", "0.01"])
def test_generate_double11(benchmark, tmp_path, scale):
    cpu: list[float] = []

    def run() -> None:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        _brushbench("generate", "double11", "--scale", scale, "--out", str(tmp_path / "d"),
                    "--overwrite")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)

    load = os.getloadavg()[0]
    benchmark.pedantic(run, rounds=5, iterations=1, warmup_rounds=1)
    benchmark.extra_info["cpu_seconds"] = statistics.median(cpu[1:])  # the warm-up round aside
    benchmark.extra_info["load_average"] = [load, os.getloadavg()[0]]
