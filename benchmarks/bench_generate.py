"""Generator throughput and memory (issue targets: >= 300,000 orders/s on one worker for
``double11`` at about 1M orders with every table written as Parquet; peak memory < 1.5 GB at
10M orders).

    pytest benchmarks/bench_generate.py --benchmark-only
    BRUSHBENCH_BENCH_MEMORY=1 pytest benchmarks/bench_generate.py -k memory -s   # ~1 min
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import brushbench
from brushbench.generator.run import generate_to


@pytest.fixture(scope="module")
def double11():
    return brushbench.load_scenario("double11")


@pytest.mark.parametrize("workers", [1, 2])
def test_generate_double11_1m_parquet(benchmark, tmp_path, double11, workers):
    runs = iter(range(100))

    def run():
        return generate_to(tmp_path / f"d{next(runs)}", double11, seed=1, workers=workers)

    summary = benchmark.pedantic(run, rounds=3, iterations=1)
    benchmark.extra_info["orders"] = summary.rows["orders"]
    benchmark.extra_info["orders_per_second"] = summary.rows["orders"] / benchmark.stats["mean"]


def test_plan_only(benchmark, double11):
    from brushbench.generator.plan import make_plan

    benchmark.pedantic(lambda: make_plan(double11, 1), rounds=3, iterations=1)


@pytest.mark.skipif(not os.environ.get("BRUSHBENCH_BENCH_MEMORY"),
                    reason="set BRUSHBENCH_BENCH_MEMORY=1 to run the 10M-order memory check")
def test_peak_memory_at_10m_orders(tmp_path):
    # A child process, so the figure is the generator's own peak, not this test session's.
    code = (
        "import resource, brushbench\n"
        "from brushbench.generator.run import generate_to\n"
        f"s = generate_to({str(tmp_path / 'big')!r}, brushbench.load_scenario('double11'),"
        " seed=1, scale=10)\n"
        "print(s.rows['orders'], s.seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    orders, seconds, peak_kib = int(out[0]), float(out[1]), int(out[2])
    print(f"\n{orders:,} orders in {seconds:.1f}s, peak RSS {peak_kib / 1024:.0f} MiB")
    assert orders > 9_000_000
    assert peak_kib / 1024 < 1536
