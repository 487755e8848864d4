"""How long ``brushbench fit`` takes on a ~100k-order log.

    pytest benchmarks/bench_fit.py --benchmark-only

One round is a whole fit (read, first estimate, refinement on the generator, the check run and
the YAML text) of ``normal_week`` at scale 1 (~97,500 orders, 5 days of an SCL-shaped week)
as a dataset folder, and of its four SCL columns written as a CSV file. The target
(docs/performance.md): seconds, not minutes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from brushbench.fit import fit_log
from brushbench.generator.run import generate_to
from brushbench.scenario import load_scenario


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    root = tmp_path_factory.mktemp("fit")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BRUSHBENCH_CACHE", str(root / "cache"))
        scenario = load_scenario("normal_week")
        generate_to(root / "nw", scenario)
        from brushbench.dataset import load

        orders = load(root / "nw", tables=("orders",)).arrow("orders")
        created = pd.DatetimeIndex(orders.column("created_at").to_pandas()).tz_convert(
            scenario.window.timezone)
        pd.DataFrame({"orderid": np.asarray(orders.column("order_id")),
                      "shopid": np.asarray(orders.column("shop_id")),
                      "userid": np.asarray(orders.column("buyer_id")),
                      "event_time": created.strftime("%Y-%m-%d %H:%M:%S")}).to_csv(
            root / "nw.csv", index=False)
        yield root, scenario.window.timezone


def test_fit_a_dataset_folder(benchmark, logs):
    root, _ = logs
    fit = benchmark.pedantic(fit_log, args=(root / "nw",), rounds=3, iterations=1)
    benchmark.extra_info["orders"] = fit.source.rows


def test_fit_an_scl_csv(benchmark, logs):
    root, zone = logs
    fit = benchmark.pedantic(fit_log, args=(root / "nw.csv",),
                             kwargs={"columns": "scl2020", "timezone": zone}, rounds=3,
                             iterations=1)
    benchmark.extra_info["orders"] = fit.source.rows
