"""A user's labels file as the dataset's answer key (``labels`` and ``entity_labels``).

Labels are at one of three levels:

- ``order``: ``order_id`` and optionally ``is_brushing`` (true/false, 1/0, yes/no), plus
  ``pattern``, ``campaign_id``, ``legit_kind`` if present. Without ``is_brushing`` the listed
  orders are the brushing ones and every other order is legitimate; with it an order the file
  does not list has no label (order metrics are then undefined, saying how many). The shops
  and buyers of brushing orders become the ``beneficiary`` shops and ``fake_buyer`` buyers.
- ``shop``: ``shop_id`` (optionally ``is_brushing``); ``buyer``: ``buyer_id`` (idem). A
  shop or buyer not listed (or listed false) is clean.
- the SCL 2020 submission format ``shopid,userid`` (``userid`` is ``0`` for a clean shop or
  buyer ids joined by ``&``): shop *and* buyer labels.

Entity labels go to ``entity_labels`` (roles ``beneficiary`` and ``fake_buyer``). Order
labels are derived from them only where they are well defined: an order of a shop known to
be clean is legitimate; the orders of a brushing shop have no label (``is_brushing`` null),
since which of them are fake is not given. Order metrics are then undefined with that reason,
while the buyer and shop sections are scored (:func:`brushbench.harness.scoring.score_data`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..dataset import table_schema
from ..dataset.manifest import sha256_file
from ..dataset.table_files import ImportLogError, TableFile, bool_column, scl_buyer_lists
from .columns import label_columns
from .values import ints, strings

__all__ = ["LABEL_LEVELS", "read_labels"]

LABEL_LEVELS = ("order", "buyer", "shop")


def read_labels(src: TableFile, mapping: dict[str, str], level: str | None,
            orders: pa.Table) -> dict[str, Any]:
    cols = label_columns(src, mapping)
    has = set(cols)
    summary: dict[str, Any] = {"file": src.path.name, "sha256": sha256_file(src.path)}
    expected = ("expected order_id[,is_brushing], shop_id[,is_brushing], "
                "buyer_id[,is_brushing] or the SCL columns shopid,userid")
    if level == "order" or (level is None and "order_id" in has):
        if "order_id" not in has:
            raise ImportLogError(f"{src.path}: order-level labels need an order_id column; "
                                 f"the file has {', '.join(src.columns)}")
        return _order_labels(src, cols, orders, summary)
    want_shop = level in (None, "shop") and "shop_id" in has
    want_buyer = level in (None, "buyer") and "buyer_id" in has
    if level in ("shop", "buyer") and f"{level}_id" not in has:
        raise ImportLogError(f"{src.path}: {level}-level labels need a {level}_id column; the "
                             f"file has {', '.join(src.columns)}")
    if not (want_shop or want_buyer):
        raise ImportLogError(f"{src.path}: {expected}; the file has {', '.join(src.columns)}")
    positive_shops: set[int] = set()
    positive_buyers: set[int] = set()
    order_ids = np.asarray(orders.column("order_id").to_numpy(), dtype=np.int64)
    if "shop_id" in has and "buyer_id" in has and "is_brushing" not in has:
        # The SCL submission format: one row per shop, its suspicious buyers joined by '&'.
        summary["format"] = "shop_id,buyer_id pairs (SCL 2020: 0 for a clean shop, buyers "\
                            "joined by &)"
        shops = ints(src, cols["shop_id"], "shop_id", required=True)
        buyers = scl_buyer_lists(src, cols["buyer_id"])
        for shop, listed in zip(shops.to_pylist(), buyers, strict=True):
            if listed:
                positive_shops.add(int(shop))
                positive_buyers.update(listed)
    else:
        summary["format"] = "list" if "is_brushing" not in has else "flags"
        flags = bool_column(src, cols["is_brushing"]) if "is_brushing" in has else None
        for entity, bucket in (("shop", positive_shops), ("buyer", positive_buyers)):
            if f"{entity}_id" in has:
                ids = ints(src, cols[f"{entity}_id"], f"{entity}_id", required=True)
                ids_np = np.asarray(ids.to_numpy(), dtype=np.int64)
                bucket.update(int(i) for i in (ids_np if flags is None else ids_np[flags == 1]))
    if not want_shop:
        positive_shops = set()
    if not want_buyer:
        positive_buyers = set()
    summary["level"] = "+".join(x for x, w in (("shop", want_shop), ("buyer", want_buyer)) if w)

    shop_col = np.asarray(orders.column("shop_id").to_numpy(), dtype=np.int64)
    buyer_col = np.asarray(orders.column("buyer_id").to_numpy(), dtype=np.int64)
    if want_shop:
        # Well defined: a shop known to be clean has no brushing order. Which orders of a
        # brushing shop are fake is not given: those stay without a label.
        at_positive = np.isin(shop_col, np.fromiter(positive_shops, np.int64,
                                                    len(positive_shops)))
        is_brushing = pa.array(np.zeros(len(order_ids), dtype=bool), mask=at_positive)
    else:
        at_positive = np.ones(len(order_ids), dtype=bool)
        is_brushing = pa.nulls(len(order_ids), pa.bool_())
    unknown = int(np.count_nonzero(at_positive))
    summary.update(_entity_counts(positive_shops, positive_buyers, shop_col, buyer_col))
    summary.update(orders_brushing=0, orders_legit=len(order_ids) - unknown,
                   orders_unknown=unknown, ignored_rows=0)
    if unknown:
        if want_shop:
            n_shops = summary["shops_positive"] - summary["shops_positive_without_orders"]
            why = (f"labels at {summary['level'].replace('+', ' and ')} level do not say which "
                   f"orders of the {n_shops:,} brushing shop(s) are fake")
        else:
            why = "labels at buyer level do not say which orders are fake"
        summary["order_truth"] = (f"no order-level truth for {unknown:,} of "
                                  f"{len(order_ids):,} orders ({why})")
    labels = pa.table({"order_id": order_ids, "is_brushing": is_brushing})
    return {"summary": summary, "labels": _with_label_columns(labels),
            "entity_labels": _entity_table(positive_shops, positive_buyers)}


def _order_labels(src: TableFile, cols: dict[str, str], orders: pa.Table,
                  summary: dict[str, Any]) -> dict[str, Any]:
    ids = np.asarray(ints(src, cols["order_id"], "order_id", required=True).to_numpy(),
                     dtype=np.int64)
    flags = bool_column(src, cols["is_brushing"]) if "is_brushing" in cols else None
    index = pd.Index(ids)
    if not index.is_unique:
        row = int(np.flatnonzero(index.duplicated())[0])
        raise src.fail(cols["order_id"], "order_id", f"order {ids[row]} is labelled twice "
                                                     f"(again at {src.where(row)})")
    order_ids = np.asarray(orders.column("order_id").to_numpy(), dtype=np.int64)
    where = index.get_indexer(order_ids)           # label row of each order (-1: not listed)
    listed = where >= 0
    if flags is None:
        value = listed.astype(float)                # listed orders are the brushing ones
    else:
        value = np.full(len(order_ids), np.nan)
        value[listed] = flags[where[listed]]
    known = ~np.isnan(value)
    brushing = known & (value == 1)
    labels: dict[str, Any] = {"order_id": order_ids,
                              "is_brushing": pa.array(brushing, mask=~known)}
    extra: dict[str, Any] = {}
    for name in ("pattern", "campaign_id", "legit_kind"):
        if name in cols:
            text = strings(src, cols[name], name).to_pylist()
            extra[name] = pa.array([text[w] if w >= 0 else None for w in where], pa.string())
    table = _with_label_columns(pa.table({**labels, **extra}))
    shop_col = np.asarray(orders.column("shop_id").to_numpy(), dtype=np.int64)
    buyer_col = np.asarray(orders.column("buyer_id").to_numpy(), dtype=np.int64)
    shops = {int(s) for s in shop_col[brushing]}
    buyers = {int(b) for b in buyer_col[brushing]}
    unknown = int(np.count_nonzero(~known))
    summary.update(level="order", format="list" if flags is None else "flags",
                   orders_brushing=int(np.count_nonzero(brushing)),
                   orders_legit=int(np.count_nonzero(known & ~brushing)),
                   orders_unknown=unknown,
                   ignored_rows=int(len(ids) - np.count_nonzero(np.isin(ids, order_ids))),
                   entity_truth="derived from the order labels: the shop of a brushing order "
                                "is a beneficiary, its buyer a fake buyer")
    summary.update(_entity_counts(shops, buyers, shop_col, buyer_col))
    if unknown:
        first = int(order_ids[np.flatnonzero(~known)[0]])
        summary["order_truth"] = (f"no order-level truth for {unknown:,} of "
                                  f"{len(order_ids):,} orders: the labels file does not label "
                                  f"them (first: order {first})")
    return {"summary": summary, "labels": table, "entity_labels": _entity_table(shops, buyers)}


def _entity_counts(shops: set[int], buyers: set[int], shop_col: np.ndarray,
                   buyer_col: np.ndarray) -> dict[str, int]:
    return {"shops_positive": len(shops),
            "shops_positive_without_orders": len(shops - set(np.unique(shop_col).tolist())),
            "buyers_positive": len(buyers),
            "buyers_positive_without_orders": len(buyers - set(np.unique(buyer_col).tolist()))}


def _with_label_columns(table: pa.Table) -> pa.Table:
    schema = table_schema("labels", "UTC")
    return pa.table({f.name: table.column(f.name) if f.name in table.column_names
                     else pa.nulls(table.num_rows, f.type) for f in schema}, schema=schema)


def _entity_table(shops: Iterable[int], buyers: Iterable[int]) -> pa.Table:
    rows = [("shop", s, "beneficiary") for s in sorted(shops)]
    rows += [("account", b, "fake_buyer") for b in sorted(buyers)]
    return pa.table({"entity_type": pa.array([r[0] for r in rows], pa.string()),
                     "entity_id": pa.array([r[1] for r in rows], pa.int64()),
                     "role": pa.array([r[2] for r in rows], pa.string()),
                     "campaign_id": pa.nulls(len(rows), pa.string())})
