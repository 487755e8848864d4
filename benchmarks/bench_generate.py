"""Generator throughput and memory (issue targets: >= 300,000 orders/s on one worker for
``double11`` at about 1M orders with every table written as Parquet; peak memory < 1.5 GB at
any number of orders, 100M included).

    pytest benchmarks/bench_generate.py --benchmark-only
    BRUSHBENCH_BENCH_MEMORY=1 pytest benchmarks/bench_generate.py -k memory -s   # ~1 min
    BRUSHBENCH_BENCH_WORKERS=1 pytest benchmarks/bench_generate.py -k speed_up -s  # ~4 min

With ``BRUSHBENCH_BENCH_SCALE=97`` added, the memory check runs ~100M orders (several minutes).
"""

from __future__ import annotations

import json
import os
import shutil
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


#: ``--scale`` of the memory check (``BRUSHBENCH_BENCH_SCALE``): 10 is about 10M orders, 100
#: about 100M (minutes on one worker).
SCALE = float(os.environ.get("BRUSHBENCH_BENCH_SCALE", "10"))


@pytest.mark.skipif(not os.environ.get("BRUSHBENCH_BENCH_MEMORY"),
                    reason="set BRUSHBENCH_BENCH_MEMORY=1 to run the memory check (10M orders; "
                           "BRUSHBENCH_BENCH_SCALE=100 for 100M)")
def test_peak_memory_at_scale(tmp_path):
    # A child process, so the figures are the generator's own: peak RSS and CPU per order.
    code = (
        "import resource, brushbench\n"
        "from brushbench.generator.run import generate_to\n"
        f"s = generate_to({str(tmp_path / 'big')!r}, brushbench.load_scenario('double11'),"
        f" seed=1, scale={SCALE!r})\n"
        "r = resource.getrusage(resource.RUSAGE_SELF)\n"
        "print(s.rows['orders'], s.seconds, r.ru_maxrss, r.ru_utime + r.ru_stime)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    orders, seconds, peak_kib, cpu = int(out[0]), float(out[1]), int(out[2]), float(out[3])
    print(f"\nscale {SCALE:g}: {orders:,} orders in {seconds:.1f}s wall, "
          f"{cpu / orders * 1e6:.2f} us CPU per order, peak RSS {peak_kib / 1024:.0f} MiB, "
          f"load average {os.getloadavg()[0]:.1f}")
    assert orders > 0.9 * SCALE * 1_000_000
    assert peak_kib / 1024 < 1536


def _generate_in_child(out, workers: int, partition: bool) -> dict:
    """One run of ``double11 --scale 10`` in a child process: wall seconds, CPU seconds of the
    process and its workers, peak RSS of the largest one, and the manifest."""
    code = (
        "import json, resource, sys, time, brushbench\n"
        "from brushbench.generator.run import generate_to\n"
        "t = time.perf_counter()\n"
        f"s = generate_to({str(out)!r}, brushbench.load_scenario('double11'), seed=1, scale=10,"
        f" workers={workers}, partition={partition})\n"
        "wall = time.perf_counter() - t\n"
        "me, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF,"
        " resource.RUSAGE_CHILDREN))\n"
        "print(json.dumps({'wall': wall, 'orders': s.rows['orders'],"
        " 'cpu_main': me.ru_utime + me.ru_stime, 'cpu_workers': kids.ru_utime + kids.ru_stime,"
        " 'peak_mib': max(me.ru_maxrss, kids.ru_maxrss) / 1024, 'manifest': s.manifest}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout)


@pytest.mark.skipif(not os.environ.get("BRUSHBENCH_BENCH_WORKERS"),
                    reason="set BRUSHBENCH_BENCH_WORKERS=1 to time 1 against 2 workers at 10M "
                           "orders (~4 min)")
def test_two_workers_speed_up_a_partitioned_run_at_10m_orders(tmp_path):
    # Alternating runs, so that a change in the machine's load falls on both counts.
    runs: dict[int, list[dict]] = {1: [], 2: []}
    for i, workers in enumerate((1, 2, 2, 1)):
        runs[workers].append(_generate_in_child(tmp_path / f"d{i}", workers, True))
        shutil.rmtree(tmp_path / f"d{i}")
    for workers, done in runs.items():
        for run in done:
            print(f"\n{workers} worker(s): {run['orders']:,} orders in {run['wall']:.1f}s, CPU "
                  f"{run['cpu_main']:.1f}s main + {run['cpu_workers']:.1f}s workers, peak RSS "
                  f"{run['peak_mib']:.0f} MiB, load average {os.getloadavg()[0]:.2f}")
    assert runs[1][0]["manifest"] == runs[2][0]["manifest"]  # the same parts, the same bytes
    best = {w: min(r["wall"] for r in done) for w, done in runs.items()}
    print(f"speed-up (best of 2 each): {best[1] / best[2]:.2f}x")
    assert best[1] / best[2] >= 1.4
