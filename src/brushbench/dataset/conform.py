"""Check a batch against a table's schema and cast it to exactly that schema.

Only casts within a kind are allowed (int to a wider or narrower int when the values fit, int to
float, one time zone to another, large_string to string, ...): casting text to numbers or a naive
time to an aware one would hide a bug in the generator instead of reporting it.
"""

from __future__ import annotations

import pyarrow as pa


def _kind(typ: pa.DataType) -> str:
    if pa.types.is_integer(typ):
        return "int"
    if pa.types.is_floating(typ):
        return "float"
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        return "string"
    if pa.types.is_timestamp(typ):
        return "timestamp" if typ.tz is not None else "naive timestamp"
    if pa.types.is_list(typ) or pa.types.is_large_list(typ):
        return "list"
    return str(typ)


def _castable(source: pa.DataType, target: pa.DataType) -> bool:
    if pa.types.is_null(source):  # an all-null column, e.g. pa.nulls(n)
        return True
    pair = (_kind(source), _kind(target))
    return pair[0] == pair[1] or pair == ("int", "float")


def conform(name: str, data: pa.Table | pa.RecordBatch, schema: pa.Schema) -> pa.Table:
    """Return ``data`` as a Table with exactly ``schema`` (column order, types, no metadata).

    Raises
    ------
    TypeError
        If ``data`` is not a pyarrow Table or RecordBatch.
    ValueError
        If columns are missing, unexpected or duplicated, or a column cannot be cast safely;
        the message names the table and column.
    """
    if isinstance(data, pa.RecordBatch):
        data = pa.Table.from_batches([data])
    elif not isinstance(data, pa.Table):
        raise TypeError(f"table {name}: expected a pyarrow Table or RecordBatch, "
                        f"got {type(data).__name__}")
    got = data.column_names
    missing = [c for c in schema.names if c not in got]
    unexpected = [c for c in got if c not in schema.names]
    duplicated = sorted({c for c in got if got.count(c) > 1})
    if missing or unexpected or duplicated:
        parts = [f"{label} column(s) {', '.join(cols)}" for label, cols in
                 (("missing", missing), ("unexpected", unexpected), ("duplicated", duplicated))
                 if cols]
        raise ValueError(f"table {name}: {'; '.join(parts)}")
    columns = []
    for field in schema:
        column = data.column(field.name)
        if column.type != field.type:
            if not _castable(column.type, field.type):
                raise ValueError(f"table {name}, column {field.name}: got {column.type}, "
                                 f"expected {field.type}")
            try:
                column = column.cast(field.type)  # safe: overflow or truncation raises
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise ValueError(f"table {name}, column {field.name}: cannot cast "
                                 f"{column.type} to {field.type}: {exc}") from None
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=schema)
