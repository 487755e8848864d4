"""The order log as the audit sees it: one row per order, after-sale tables joined by order_id.

Every probe computes one value per order from this view. An after-sale table (shipments,
refunds, reviews) contributes its *first* row for each order (in file order) and a row count;
orders without a row get nulls. ``buyers`` is joined by ``buyer_id``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from brushbench.dataset import Dataset

AFTER_SALE = ("shipments", "refunds", "reviews")
#: Columns with about one value per row: string features are evaluated once per distinct
#: :func:`digit_shape` rather than once per distinct value.
MOSTLY_UNIQUE = frozenset({"shipments.tracking_id", "orders.ip"})


def _gather(values: np.ndarray, row: np.ndarray, fill: Any) -> np.ndarray:
    """``values[row]``, ``fill`` where ``row`` is -1 (also when ``values`` is empty)."""
    if not len(values):
        return np.full(len(row), fill, dtype=values.dtype)
    return np.where(row >= 0, values[np.maximum(row, 0)], fill)


def _index_of(keys: np.ndarray | pd.Index, lookup: np.ndarray) -> np.ndarray:
    """Position of each ``lookup`` value in ``keys`` (first occurrence), -1 where absent."""
    index = keys if isinstance(keys, pd.Index) else pd.Index(keys)
    if not index.is_unique:
        first = ~index.duplicated(keep="first")
        found = index[first].get_indexer(lookup)
        return np.where(found >= 0, np.flatnonzero(first)[np.maximum(found, 0)], -1)
    return index.get_indexer(lookup)


def to_float(arr: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Numbers (integers, booleans, timestamps as epoch seconds) as float64, NaN for null."""
    if pa.types.is_timestamp(arr.type):
        arr = arr.cast(pa.timestamp("s", tz=arr.type.tz)).cast(pa.int64())
    elif pa.types.is_boolean(arr.type):
        arr = arr.cast(pa.int8())
    return np.asarray(pc.cast(arr, pa.float64(), safe=False).to_numpy(zero_copy_only=False),
                      dtype=np.float64)


def digit_shape(arr: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Strings with every ASCII digit replaced by ``9`` ("ZT7163" -> "ZT9999"): their format.

    Works on the UTF-8 data buffer directly (digits are single bytes and never part of a
    multi-byte character), so it costs one pass over the bytes.
    """
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    validity, offsets, data = arr.buffers()[:3]
    if data is None:
        return arr
    raw = np.frombuffer(data, dtype=np.uint8).copy()
    raw[(raw >= 48) & (raw <= 57)] = 57
    return pa.Array.from_buffers(arr.type, len(arr), [validity, offsets, pa.py_buffer(raw)],
                                 arr.null_count, arr.offset)


def to_codes(arr: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Dictionary codes (order of first appearance) of any column, -1 for null."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_timestamp(arr.type):
        arr = arr.cast(pa.int64())
    encoded = pc.dictionary_encode(arr)
    return np.asarray(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False),
                      dtype=np.int64)


class OrderView:
    """Columns of a dataset aligned to the rows of its ``orders`` table."""

    def __init__(self, data: Dataset):
        self.data = data
        self.orders = data.arrow("orders")
        self.n = self.orders.num_rows
        self._joins: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._columns: dict[str, pa.Array] = {}
        self._memo: dict[str, Any] = {}
        self._orphans: dict[str, int] = {}

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """``compute()``, once per view (shared intermediate results of several probes)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @cached_property
    def order_id(self) -> np.ndarray:
        return np.asarray(self.orders["order_id"].to_numpy(), dtype=np.int64)

    @cached_property
    def order_index(self) -> pd.Index:
        return pd.Index(self.order_id)

    @cached_property
    def created_at(self) -> np.ndarray:
        return to_float(self.orders["created_at"]).astype(np.int64)

    def join(self, table: str) -> tuple[np.ndarray, np.ndarray]:
        """For each order: the row of its first ``table`` row (-1 if none) and its row count."""
        if table not in self._joins:
            t = self.data.arrow(table)
            if table == "buyers":
                keys = np.asarray(t["buyer_id"].to_numpy(), dtype=np.int64)
                lookup = np.asarray(self.orders["buyer_id"].to_numpy(), dtype=np.int64)
                row = _index_of(keys, lookup)
                count = (row >= 0).astype(np.int64)
            else:
                of_row = _index_of(self.order_index,
                                   np.asarray(t["order_id"].to_numpy(), dtype=np.int64))
                ok = of_row >= 0
                self._orphans[table] = int(np.count_nonzero(~ok))
                count = np.bincount(of_row[ok], minlength=self.n)
                row = np.full(self.n, -1, dtype=np.int64)
                # Reversed assignment: the first row of an order is written last and wins.
                rows = np.flatnonzero(ok)[::-1]
                row[of_row[rows]] = rows
            self._joins[table] = (row, count)
        return self._joins[table]

    def orphans(self, table: str) -> int:
        """Rows of an after-sale table whose order_id is not an order."""
        self.join(table)
        return self._orphans[table]

    def column(self, source: str) -> pa.Array:
        """``table.column`` as an Arrow array with one entry per order (null where no row)."""
        if source not in self._columns:
            table, name = source.split(".", 1)
            if table == "orders":
                col = self.orders[name].combine_chunks()
            else:
                row, _ = self.join(table)
                indices = pa.array(row, mask=row < 0)
                col = pc.take(self.data.arrow(table)[name], indices).combine_chunks()
            self._columns[source] = col
        return self._columns[source]

    def ints(self, source: str) -> tuple[np.ndarray, np.ndarray]:
        """An integer or timestamp column exactly: int64 per order (0 where null) and nulls."""
        def run() -> tuple[np.ndarray, np.ndarray]:
            table, name = source.split(".", 1)
            col = self.data.arrow(table)[name].combine_chunks()
            if pa.types.is_timestamp(col.type):
                col = col.cast(pa.int64())
            null = np.asarray(col.is_null().to_numpy(zero_copy_only=False), dtype=bool)
            values = np.asarray(col.fill_null(0).to_numpy(zero_copy_only=False),
                                dtype=np.int64)
            if table != "orders":
                row, _ = self.join(table)
                values = _gather(values, row, 0)
                null = _gather(null, row, True)
            return values, null
        return self.memo(f"ints:{source}", run)

    def codes(self, source: str) -> np.ndarray:
        """Dictionary codes of ``table.column`` per order (-1 for null or no row)."""
        return self.encoded(source)[0]

    def encoded(self, source: str, shape: bool = False) -> tuple[np.ndarray, pa.Array]:
        """Codes per order (-1 for null or no row) and the distinct values they index.

        With ``shape``, the distinct values are the strings' :func:`digit_shape`.
        """
        def run() -> tuple[np.ndarray, pa.Array]:
            table, name = source.split(".", 1)
            col = self.data.arrow(table)[name].combine_chunks()
            if pa.types.is_timestamp(col.type):
                col = col.cast(pa.int64())
            if shape:
                col = digit_shape(col)
            encoded = pc.dictionary_encode(col)
            codes = np.asarray(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False),
                               dtype=np.int64)
            if table != "orders":
                codes = _gather(codes, self.join(table)[0], -1)
            return codes, encoded.dictionary
        return self.memo(f"codes:{source}:{shape}", run)

    def per_value(self, source: str, name: str,
                  compute: Callable[[pa.Array], pa.Array]) -> np.ndarray:
        """``compute`` of a string column as float64 per order (NaN for null or no row).

        Evaluated once per distinct value (strings repeat a lot); for the columns of
        ``MOSTLY_UNIQUE``, once per distinct :func:`digit_shape`, so ``compute`` must not
        depend on which digits a string has (formats do not).
        """
        def run() -> np.ndarray:
            codes, dictionary = self.encoded(source, shape=source in MOSTLY_UNIQUE)
            values = np.append(to_float(compute(dictionary)), np.nan)
            return values[codes]  # code -1 picks the NaN appended last
        return self.memo(f"{name}:{source}", run)

    def per_value_codes(self, source: str, name: str,
                        compute: Callable[[pa.Array], pa.Array]) -> np.ndarray:
        """Like :meth:`per_value` for a categorical result: its codes (-1 = null or no row)."""
        def run() -> np.ndarray:
            codes, dictionary = self.encoded(source, shape=source in MOSTLY_UNIQUE)
            per_value = np.append(to_codes(compute(dictionary)), -1)
            return per_value[codes]
        return self.memo(f"{name}:{source}", run)

    def equals(self, source: str, value: str) -> np.ndarray:
        """Per order: the column equals ``value`` (False for null or no row)."""
        codes, dictionary = self.encoded(source)
        where = np.flatnonzero(np.asarray(pc.equal(dictionary, value).fill_null(False)))
        return np.isin(codes, where) if len(where) > 1 else (
            codes == where[0] if len(where) else np.zeros(len(codes), dtype=bool))

    def nulls(self, source: str) -> np.ndarray:
        """Per order: the column is null (True also for orders without a row in its table)."""
        def run() -> np.ndarray:
            table, name = source.split(".", 1)
            col = self.data.arrow(table)[name]
            if col.null_count == 0:
                null = np.zeros(len(col), dtype=bool)
            else:
                null = np.asarray(col.is_null().to_numpy(zero_copy_only=False), dtype=bool)
            if table == "orders":
                return null
            return _gather(null, self.join(table)[0], True)
        return self.memo(f"nulls:{source}", run)

    def has_row(self, table: str) -> np.ndarray:
        return self.join(table)[1] > 0

    def row_count(self, table: str) -> np.ndarray:
        return self.join(table)[1]
