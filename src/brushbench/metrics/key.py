"""The answer key as the metrics use it: a code per order, and details of the brushing orders only.

Scoring reads, of the answer key of ``n`` orders, the truth of every order (brushing or the
kind of a legitimate order) and, for the brushing orders (a few percent), their pattern,
campaign and creation time. :class:`OrderKey` holds exactly that: one small integer per order
(``kind``: the legitimate kind's code, or :data:`BRUSHING`) and P-sized arrays for the
brushing orders. Order ids, buyer and shop ids and times are not kept per order: the label of
each order is matched to its row once, and the entities seen are reduced to one score each
(:class:`SeenEntities`). :func:`order_key` builds the key from pandas frames; the harness
builds the same key part by part from a dataset's files (:mod:`brushbench.harness.answer_key`),
so that scoring a log larger than memory holds columns of a byte or two an order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .breakdown import UNSPECIFIED, Positives

__all__ = ["BRUSHING", "OrderKey", "SeenEntities", "code_type", "count_codes", "kind_codes",
           "label_rows",
           "merge_seen", "order_key", "per_order", "seen_entities"]

#: The ``kind`` code of a brushing order (legitimate kinds are codes from 0).
BRUSHING = -1


def code_type(n_names: int) -> type[np.signedinteger[Any]]:
    """The narrowest signed integer holding codes ``-1 .. n_names - 1``."""
    for kind in (np.int8, np.int16, np.int32):
        if n_names <= np.iinfo(kind).max:
            return kind
    return np.int64


@dataclass
class OrderKey:
    """The answer key of ``n`` orders, in the orders' row order.

    Attributes
    ----------
    n : int
        Orders.
    kind : array of int, shape (n,)
        Per order: :data:`BRUSHING`, or the index of its legitimate kind in ``kind_names``
        (the narrowest integer type: one byte for up to 127 kinds).
    kind_names : list of str
        Legitimate kinds (an order without one is :data:`~brushbench.metrics.breakdown.
        UNSPECIFIED`); every name once.
    positive_rows : array of int64, shape (P,)
        Rows of the brushing orders, increasing.
    pattern, campaign : array of int64, shape (P,)
        Codes of each brushing order's pattern (into ``pattern_names``, where a missing
        pattern is :data:`UNSPECIFIED`) and campaign (into ``campaign_ids``; -1 for none),
        numbered by first appearance in row order.
    pattern_names, campaign_ids : list of str
    pattern_missing : int
        The code of a missing pattern (-1 when every brushing order has one).
    created : array of int64, shape (P,), or None
        The brushing orders' creation times, epoch seconds (for the time to detect).
    kind_rows : array of int64, shape (len(kind_names),), or None
        Label rows of each kind, brushing orders included (the order in which the false
        alarms of the kinds are added up; None: the order of ``kind_names``).
    """

    n: int
    kind: np.ndarray
    kind_names: list[str]
    positive_rows: np.ndarray
    pattern: np.ndarray
    pattern_names: list[str]
    pattern_missing: int
    campaign: np.ndarray
    campaign_ids: list[str]
    created: np.ndarray | None = None
    kind_rows: np.ndarray | None = None

    @property
    def n_positive(self) -> int:
        """Brushing orders."""
        return len(self.positive_rows)

    def positives(self, scores: np.ndarray) -> Positives:
        """The brushing orders' scores (from the orders' ``scores``) and codes."""
        return Positives(scores[self.positive_rows], self.pattern, self.pattern_names,
                         self.campaign, self.campaign_ids)

    def kind_counts(self) -> np.ndarray:
        """Legitimate orders of each kind."""
        return count_codes(self.kind, len(self.kind_names))


#: Rows counted at a time: ``bincount`` takes its input as 8-byte integers, so a one-byte code
#: an order is widened a block at a time, never for the whole log.
BLOCK_ROWS = 1 << 20


def count_codes(codes: np.ndarray, m: int, mask: np.ndarray | None = None) -> np.ndarray:
    """How many of ``codes`` (where ``mask``, if given) are each of ``0 .. m - 1``; negative
    codes are not counted."""
    counts = np.zeros(m, dtype=np.int64)
    for start in range(0, len(codes), BLOCK_ROWS):
        block = codes[start:start + BLOCK_ROWS]
        if mask is not None:
            block = block[mask[start:start + BLOCK_ROWS]]
        counts += np.bincount(block[block >= 0], minlength=m)
    return counts


def build_key(n: int, kind: np.ndarray, kind_names: list[str], positive_rows: np.ndarray,
              pattern: Any, campaign: Any, created: np.ndarray | None = None,
              kind_rows: np.ndarray | None = None) -> OrderKey:
    """A key from the per-order kind codes and the brushing orders' pattern and campaign values
    (pandas-readable, in row order; None for a column the answer key lacks)."""
    p = len(positive_rows)
    if pattern is None:
        pcodes = np.zeros(p, dtype=np.int64)
        pnames, missing = ([UNSPECIFIED], 0) if p else ([], -1)
    else:
        pcodes, uniques = pd.factorize(pattern)
        pnames, missing = [str(v) for v in uniques], -1
        if (pcodes < 0).any():
            missing = len(pnames)
            pcodes = np.where(pcodes < 0, missing, pcodes)
            pnames.append(UNSPECIFIED)
    if campaign is None:
        ccodes, cids = np.full(p, -1, dtype=np.int64), []
    else:
        ccodes, uniques = pd.factorize(campaign)
        cids = [str(v) for v in uniques]
    return OrderKey(n, kind, kind_names, np.asarray(positive_rows, dtype=np.int64),
                    np.asarray(pcodes, dtype=np.int64), pnames, missing,
                    np.asarray(ccodes, dtype=np.int64), cids, created, kind_rows)


def kind_codes(codes: np.ndarray, values: Sequence[Any], names: dict[str, int]) -> np.ndarray:
    """Codes into a growing list of kind names (``names``: name -> code, updated) from
    ``codes`` into ``values`` (-1: missing, i.e. :data:`UNSPECIFIED`)."""
    lut = np.empty(len(values) + 1, dtype=np.int64)
    for i, value in enumerate([*values, None]):
        name = UNSPECIFIED if value is None or pd.isna(value) else str(value)
        lut[i] = names.setdefault(name, len(names))
    out = np.empty(len(codes), dtype=code_type(len(names)))
    for start in range(0, len(codes), BLOCK_ROWS):  # no widened copy of every order's code
        block = codes[start:start + BLOCK_ROWS]
        out[start:start + BLOCK_ROWS] = lut[np.where(block < 0, len(values), block)]
    return out


def label_rows(labels: pd.DataFrame, orders: pd.DataFrame) -> np.ndarray | None:
    """The label row of each order (None when labels are already in the orders' row order)."""
    if len(labels) != len(orders):
        raise ValueError(f"labels has {len(labels)} rows and orders {len(orders)}: the answer "
                         "key must cover exactly the orders scored")
    for name, df in (("labels", labels), ("orders", orders)):
        if "order_id" not in df:
            raise ValueError(f"{name} has no order_id column")
    lid, oid = labels["order_id"].to_numpy(), orders["order_id"].to_numpy()
    if np.array_equal(lid, oid):
        return None
    index = pd.Index(lid)
    if not index.is_unique:
        raise ValueError("labels.order_id has duplicates")
    rows: np.ndarray = index.get_indexer(oid)
    if (rows < 0).any():
        missing = np.flatnonzero(rows < 0)
        raise ValueError(f"{len(missing)} orders have no label (first: order_id "
                         f"{oid[missing[0]]})")
    return rows


def order_key(labels: pd.DataFrame, orders: pd.DataFrame, *, times: bool = False,
              kinds: bool = True) -> OrderKey:
    """The :class:`OrderKey` of ``orders`` from its answer key ``labels`` (any row order,
    matched on ``order_id``).

    ``times`` also keeps the brushing orders' ``orders.created_at`` (epoch seconds); without
    ``kinds`` every legitimate order is of kind :data:`UNSPECIFIED` (for the time to detect,
    which does not read kinds).

    Raises
    ------
    ValueError
        ``labels`` does not have exactly one row per order, or lacks ``is_brushing``.
    """
    rows = label_rows(labels, orders)
    if "is_brushing" not in labels:
        raise ValueError("labels has no is_brushing column")
    y = labels["is_brushing"].to_numpy()
    y = np.asarray(y if rows is None else y[rows], dtype=bool)
    positive_rows = np.flatnonzero(y)
    lpos = positive_rows if rows is None else rows[positive_rows]
    names: dict[str, int] = {}
    if kinds and "legit_kind" in labels:
        codes, uniques = pd.factorize(labels["legit_kind"])
        kind = kind_codes(codes if rows is None else codes[rows], list(uniques), names)
    else:
        names[UNSPECIFIED] = 0
        kind = np.zeros(len(orders), dtype=np.int8)
    kind_rows = count_codes(kind, len(names))
    kind[positive_rows] = BRUSHING

    def column(name: str) -> Any:
        return labels[name].iloc[lpos] if name in labels else None

    created = None
    if times:
        created = epoch_seconds_of(orders["created_at"])[positive_rows]
    return build_key(len(orders), kind, list(names), positive_rows, column("pattern"),
                     column("campaign_id"), created, kind_rows)


def epoch_seconds_of(column: pd.Series) -> np.ndarray:
    """A timezone-aware time column as int64 epoch seconds."""
    return np.asarray(pd.DatetimeIndex(column).as_unit("s").asi8, dtype=np.int64)


@dataclass
class SeenEntities:
    """The entities seen in the orders, each with the highest score of its orders.

    ``ids`` are in no particular order (the entity metrics rank, they never read positions).
    """

    ids: np.ndarray
    best: np.ndarray


def seen_entities(ids: pd.Series | np.ndarray, scores: np.ndarray) -> SeenEntities:
    """The entities of ``ids`` (one per order, missing ids skipped) and their best score."""
    codes, uniques = pd.factorize(ids)
    best = np.full(len(uniques), -np.inf)
    seen = codes >= 0
    if seen.all():
        np.maximum.at(best, codes, scores)
    else:
        np.maximum.at(best, codes[seen], scores[seen])
    return SeenEntities(np.asarray(uniques), best)


def merge_seen(runs: list[SeenEntities]) -> SeenEntities:
    """One :class:`SeenEntities` from several (of consecutive parts of the orders): an entity
    seen in several keeps its best score. The result is sorted by id.

    ``runs`` is emptied, so that each run's arrays are released once merged. Two runs sorted
    by id are merged in linear time (no sort of their union): about 24 bytes an entity at the
    peak (both runs, and the merged ids while the scores are merged).
    """
    merged = _by_id(runs.pop(0)) if runs else SeenEntities(np.zeros(0, np.int64), np.zeros(0))
    while runs:
        merged = _merge_two(merged, _by_id(runs.pop(0)))
    return merged


def _by_id(run: SeenEntities) -> SeenEntities:
    """``run`` sorted by id (as it is, when it already is)."""
    ids = run.ids
    if len(ids) < 2 or bool((ids[1:] > ids[:-1]).all()):
        return run
    order = np.argsort(ids, kind="stable")
    return SeenEntities(ids[order], run.best[order])


def _merge_two(a: SeenEntities, b: SeenEntities) -> SeenEntities:
    """Two runs sorted by id (each id once in each) as one; ``a``'s scores are updated in
    place."""
    where = np.searchsorted(a.ids, b.ids)
    both = where < len(a.ids)
    both[both] = a.ids[where[both]] == b.ids[both]
    np.maximum.at(a.best, where[both], b.best[both])  # each position once: a plain maximum
    new = ~both
    at = where[new]
    ids = np.insert(a.ids, at, b.ids[new])
    a.ids = ids  # the old ids are released before the scores are copied
    return SeenEntities(ids, np.insert(a.best, at, b.best[new]))


def per_order(values: np.ndarray | pd.Series, orders: pd.DataFrame, name: str) -> np.ndarray:
    """``values`` as an array aligned with the rows of ``orders``; ValueError when it cannot be."""
    n = len(orders)
    if np.ndim(values) != 1 or len(values) != n:
        raise ValueError(f"{name} has shape {np.shape(values)}: expected one value per row of "
                         f"orders, shape ({n},)")
    if isinstance(values, pd.Series):
        idx = values.index
        if not (idx.equals(pd.RangeIndex(n)) or idx.equals(orders.index)
                or np.array_equal(idx.to_numpy(), orders["order_id"].to_numpy())):
            raise ValueError(f"{name} is a Series whose index is neither positional, "
                             "orders.index nor orders.order_id in row order: align it to the "
                             "rows of orders first")
        aligned: np.ndarray = values.to_numpy()
        return aligned
    return np.asarray(values)
