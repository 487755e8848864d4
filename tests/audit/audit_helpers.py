"""Datasets for the leak audit's tests: legitimate traffic, fabricated labels, planted leaks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from brushbench.dataset import Dataset

PATTERNS = ("self_purchase", "click_farm", "distributor_fake")


def rebuild(data: Dataset, **tables: pa.Table) -> Dataset:
    """A new Dataset with some tables replaced."""
    all_tables = {name: data.arrow(name) for name in data.table_names}
    all_tables.update(tables)
    return Dataset(all_tables, data.manifest)


def set_column(table: pa.Table, name: str, values) -> pa.Table:
    i = table.schema.get_field_index(name)
    return table.set_column(i, name, pa.array(values, type=table.schema.field(name).type))


def fabricate_labels(data: Dataset, share: float = 0.03, seed: int = 0,
                     patterns: tuple[str, ...] = PATTERNS) -> Dataset:
    """Mark a random ``share`` of the orders as brushing, each with a random pattern name."""
    rng = np.random.default_rng(seed)
    labels = data.arrow("labels")
    n = labels.num_rows
    brushing = rng.random(n) < share
    pattern = np.where(brushing, rng.choice(patterns, n), None)
    labels = set_column(labels, "is_brushing", brushing)
    labels = set_column(labels, "pattern", pattern)
    labels = set_column(labels, "legit_kind", np.where(brushing, None,
                                                       labels["legit_kind"].to_numpy(False)))
    return rebuild(data, labels=labels)


def brushing_mask(data: Dataset, table: str = "orders") -> np.ndarray:
    """Per row of ``table``: whether its order is labelled brushing."""
    labels = data.labels
    brushing = set(labels.order_id[labels.is_brushing].tolist())
    ids = data.arrow(table)["order_id"].to_numpy()
    return np.isin(ids, np.fromiter(brushing, dtype=np.int64, count=len(brushing)))


# -- planted leaks ----------------------------------------------------------------------------

def plant_small_order_ids(data: Dataset) -> Dataset:
    """(a) Brushing orders get small, sequential order ids (in every table)."""
    ids = data.arrow("orders")["order_id"].to_numpy()
    old = ids[brushing_mask(data)]
    new = 100_000 + np.arange(len(old), dtype=np.int64)
    index = pd.Index(old)

    def renumber(table: pa.Table) -> pa.Table:
        current = table["order_id"].to_numpy()
        at = index.get_indexer(current)
        return set_column(table, "order_id", np.where(at >= 0, new[np.maximum(at, 0)], current))

    return rebuild(data, **{name: renumber(data.arrow(name))
                            for name in ("orders", "shipments", "refunds", "reviews", "labels")})


def plant_odd_prices(data: Dataset) -> Dataset:
    """(b) Brushing orders' prices are not rounded to 10 cents like everyone else's."""
    orders = data.arrow("orders")
    b = brushing_mask(data)
    qty = orders["quantity"].to_numpy().astype(np.int64)
    unit = orders["unit_price"].to_numpy() + np.where(b, 3, 0)
    paid = orders["paid_amount"].to_numpy() + np.where(b, 3 * qty, 0)
    orders = set_column(set_column(orders, "unit_price", unit), "paid_amount", paid)
    return rebuild(data, orders=orders)


def plant_minute_times(data: Dataset) -> Dataset:
    """(c) Brushing orders' created_at truncated to the minute (the table is re-sorted)."""
    orders = data.arrow("orders")
    b = brushing_mask(data)
    t = orders["created_at"].cast(pa.int64()).to_numpy()
    t = np.where(b, t - t % 60, t)
    orders = set_column(orders, "created_at", pa.array(t).cast(orders.schema.field(
        "created_at").type))
    orders = orders.take(np.argsort(t, kind="stable"))
    return rebuild(data, orders=orders)


def plant_rows_at_end(data: Dataset) -> Dataset:
    """(d) Brushing orders appended after all legitimate ones."""
    b = brushing_mask(data)
    order = np.concatenate([np.flatnonzero(~b), np.flatnonzero(b)])
    return rebuild(data, orders=data.arrow("orders").take(order))


def plant_last_in_second(data: Dataset) -> Dataset:
    """(d') Still sorted by time, but brushing orders come last among orders of their second."""
    b = brushing_mask(data)
    t = data.arrow("orders")["created_at"].cast(pa.int64()).to_numpy()
    return rebuild(data, orders=data.arrow("orders").take(np.lexsort((b, t))))


def plant_distributor(data: Dataset) -> Dataset:
    """(e) Brushing orders carry a distributor even when not bought through an affiliate link."""
    orders = data.arrow("orders")
    b = brushing_mask(data)
    dist = orders["distributor_id"].to_numpy(zero_copy_only=False)
    some = pc.drop_null(orders["distributor_id"])[0].as_py()
    dist = np.where(b & pd.isna(dist), some, dist)
    return rebuild(data, orders=set_column(orders, "distributor_id",
                                           [None if pd.isna(x) else int(x) for x in dist]))


def plant_missing_shipments(data: Dataset) -> Dataset:
    """(e') Brushing orders have no shipment, whatever their status."""
    shipments = data.arrow("shipments")
    return rebuild(data, shipments=shipments.filter(~brushing_mask(data, "shipments")))


def plant_other_carrier(data: Dataset) -> Dataset:
    """(f) Brushing orders' parcels go with another carrier than their shop's."""
    shipments = data.arrow("shipments")
    carriers = sorted(set(shipments["carrier"].to_pylist()))
    current = np.asarray(shipments["carrier"].to_pylist(), dtype=object)
    rotated = np.asarray([carriers[(carriers.index(c) + 1) % len(carriers)] for c in current],
                         dtype=object)
    b = brushing_mask(data, "shipments")
    return rebuild(data, shipments=set_column(shipments, "carrier",
                                              np.where(b, rotated, current)))


PLANTS = {
    "small_order_ids": plant_small_order_ids,
    "odd_prices": plant_odd_prices,
    "minute_times": plant_minute_times,
    "rows_at_end": plant_rows_at_end,
    "last_in_second": plant_last_in_second,
    "distributor": plant_distributor,
    "missing_shipments": plant_missing_shipments,
    "other_carrier": plant_other_carrier,
}
