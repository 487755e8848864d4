"""CSV against Parquet: generating ``double11`` (~1M orders, one worker) into each format.

Issue 11's target: CSV output at least 40% of the Parquet speed. The two formats are run
alternately in each round, so a change of load on a shared machine hits both alike, and the
best rounds are compared.

    pytest benchmarks/bench_csv.py --benchmark-only -s
"""

from __future__ import annotations

import time

import pytest

import brushbench
from brushbench.generator.run import generate_to


@pytest.fixture(scope="module")
def double11():
    return brushbench.load_scenario("double11")


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_generate_double11_1m(benchmark, tmp_path, double11, fmt):
    benchmark.group = "csv-vs-parquet"
    runs = iter(range(100))

    def run():
        return generate_to(tmp_path / f"d{next(runs)}", double11, seed=1, fmt=fmt)

    summary = benchmark.pedantic(run, rounds=3, iterations=1)
    benchmark.extra_info["orders"] = summary.rows["orders"]
    benchmark.extra_info["orders_per_second"] = summary.rows["orders"] / benchmark.stats["mean"]


def test_csv_speed_is_at_least_40_percent_of_parquet(benchmark, tmp_path, double11):
    benchmark.group = "csv-vs-parquet"
    seconds: dict[str, list[float]] = {"parquet": [], "csv": []}
    runs = iter(range(100))

    def both():
        for fmt in seconds:
            started = time.perf_counter()
            generate_to(tmp_path / f"d{next(runs)}", double11, seed=1, fmt=fmt)
            seconds[fmt].append(time.perf_counter() - started)

    benchmark.pedantic(both, rounds=3, iterations=1)
    ratio = min(seconds["parquet"]) / min(seconds["csv"])
    benchmark.extra_info.update({f"{fmt}_best_s": min(s) for fmt, s in seconds.items()})
    benchmark.extra_info["csv_speed_over_parquet"] = ratio
    print(f"\nbest of 3: parquet {min(seconds['parquet']):.2f} s, csv {min(seconds['csv']):.2f} s;"
          f" CSV at {ratio:.0%} of the Parquet speed")
    assert ratio >= 0.4
