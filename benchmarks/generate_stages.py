"""Where one worker's CPU goes, stage by stage, per order.

    python benchmarks/generate_stages.py [SCALE]

Plans ``double11`` at ``SCALE`` (default 1), then builds every time block in this process one
stage at a time (organic drafts, planned events, sort, completion, Arrow tables) and writes the
order tables with the generator's Parquet sink, timing each stage's CPU (``process_time``);
prints microseconds per order. Nothing overlaps here (no writer thread), so the stages add up to
the work a run spreads over its main thread and its writer thread.
"""

from __future__ import annotations

import collections
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import brushbench
from brushbench.dataset.sinks import ParquetSink
from brushbench.generator import complete, materialize, tables
from brushbench.generator.run import _prepare
from brushbench.generator.sorting import by_time_then_id
from brushbench.market.drafts import OrderDraft


def main(scale: float) -> None:
    cpu: collections.Counter[str] = collections.Counter()

    def timed(stage: str, fn: Any, *args: Any) -> Any:
        started = time.process_time()
        out = fn(*args)
        cpu[stage] += time.process_time() - started
        return out

    _, _, plan = timed("plan", _prepare, brushbench.load_scenario("double11"), 1, scale)
    ids = tables.IdMaker(plan.seed)
    shops = plan.market.n_shops
    orders = 0
    with tempfile.TemporaryDirectory() as folder:
        sinks: dict[str, ParquetSink] = {}
        for block in plan.blocks:
            draft = OrderDraft.concat([
                timed("organic drafts", materialize.organic_drafts, plan, block, 0, shops),
                timed("planned events", materialize.event_drafts, plan, block, 0, shops)])
            order_id = timed("order ids", complete.order_ids, plan, draft.row)
            order = timed("sort", by_time_then_id, draft.time, order_id)
            draft = timed("sort", draft.take, order)
            columns = timed("complete", complete.complete_orders, plan, draft, order_id[order])
            orders += len(columns)
            for name, table in timed("arrow tables", tables.order_tables, plan, columns,
                                     ids).items():
                if name not in sinks:
                    sinks[name] = ParquetSink(Path(folder) / f"{name}.parquet", table.schema)
                timed(f"write {name}", sinks[name].write, table)
        for name, sink in sinks.items():
            timed(f"write {name}", sink.close)
    print(f"double11 at scale {scale:g}: {orders:,} orders (the marketplace tables not written)")
    for stage, seconds in cpu.most_common():
        print(f"{stage:16s} {seconds:7.2f} s CPU  {seconds / orders * 1e6:5.2f} us/order")
    total = sum(cpu.values()) - cpu["plan"]
    print(f"{'total':16s} {total:7.2f} s CPU  {total / orders * 1e6:5.2f} us/order (plan aside)")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
