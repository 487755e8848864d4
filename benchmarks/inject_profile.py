"""Compute cost of injecting fraud, without the writer: plan, materialize and table building of
``double11`` against ``mixed_naive`` (``double11`` plus all six patterns), warm, in one process.

    python benchmarks/inject_profile.py [SCALE]

The second pass of each is the figure to read (the first pays imports and caches). Writing is
the same for both, so this isolates what the patterns cost; see docs/performance.md.
"""

from __future__ import annotations

import sys
import time

import brushbench
from brushbench.generator.materialize import iter_blocks
from brushbench.generator.plan import make_plan
from brushbench.generator.run import scale_scenario
from brushbench.generator.tables import IdMaker, order_tables


def measure(name: str, scale: float) -> tuple[int, float, float, float]:
    scenario = scale_scenario(brushbench.load_scenario(name), scale)
    t0 = time.perf_counter()
    plan = make_plan(scenario, 1)
    t1 = time.perf_counter()
    orders, tables, ids = 0, 0.0, IdMaker(1)
    for columns in iter_blocks(plan):
        orders += len(columns)
        t = time.perf_counter()
        order_tables(plan, columns, ids)
        tables += time.perf_counter() - t
    return orders, t1 - t0, time.perf_counter() - t1 - tables, tables


def main() -> None:
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 0.5
    for name in ("double11", "mixed_naive", "double11", "mixed_naive"):
        orders, plan, materialize, tables = measure(name, scale)
        print(f"{name:<12} {orders:>9,} orders  plan {plan:.3f}s  materialize {materialize:.3f}s"
              f"  tables {tables:.3f}s  total {plan + materialize + tables:.3f}s")


if __name__ == "__main__":
    main()
