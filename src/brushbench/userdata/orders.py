"""A user's order log as the ``orders`` table: typed columns, unique ids, in time order.

``orders`` holds the columns the log has (found by :func:`~.columns.resolve_columns`); every
other column of the orders schema is null. Rows are put in time order (stable: equal times
keep the file's order); duplicate or missing order ids are errors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..dataset import table_schema
from ..dataset.table_files import TableFile
from .columns import REQUIRED
from .values import ints, strings, times

__all__ = ["orders_table"]


def orders_table(src: TableFile, resolved: dict[str, str], timezone: str) -> pa.Table:
    schema = table_schema("orders", timezone)
    n = src.table.num_rows
    arrays = {}
    for field in schema:
        source = resolved.get(field.name)
        if source is None:
            arrays[field.name] = pa.nulls(n, field.type)
        elif field.name == "created_at":
            arrays[field.name] = times(src, source, field.name, timezone)
        elif pa.types.is_integer(field.type):
            kind = "integer ids" if field.name.endswith("_id") else "integers"
            if field.name in ("unit_price", "paid_amount", "coupon_amount"):
                kind = "integer amounts (cents)"
            array = ints(src, source, field.name, required=field.name in REQUIRED, kind=kind)
            try:
                arrays[field.name] = pc.cast(array, field.type)
            except pa.ArrowInvalid:
                raise src.fail(source, field.name, f"expected {kind} that fit in "
                                                   f"{field.type}") from None
        else:
            arrays[field.name] = strings(src, source, field.name)
    table = pa.table(arrays, schema=schema)
    ids = np.asarray(table.column("order_id").to_numpy(), dtype=np.int64)
    dup = pd.Index(ids).duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup)[0])
        first = int(np.flatnonzero(ids == ids[row])[0])
        raise src.fail(resolved["order_id"], "order_id",
                       f"expected unique order ids, found {ids[row]} at {src.where(first)} and "
                       f"{src.where(row)}")
    created = table.column("created_at").cast(pa.int64()).to_numpy()
    order = np.argsort(created, kind="stable")
    if not np.array_equal(order, np.arange(n)):
        table = table.take(order)
    return table
