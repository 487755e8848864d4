"""The CSV form of a table: what Arrow types become in text, and how they are parsed back.

Timestamps are ISO 8601 with the zone's UTC offset (``2019-11-11T00:00:05+08:00``) so a reader
without the time zone database still gets the right instant; list columns are joined with ``&``;
a null is an empty field and an empty string is ``""``, so the two stay apart on the way back.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from brushbench.dataset.isotime import ISO_FORMAT, iso_column

TIMESTAMP_FORMAT = ISO_FORMAT
LIST_SEPARATOR = "&"

# "needed" quotes every string value, which is what keeps "" apart from null.
_WRITE_OPTIONS = pacsv.WriteOptions(include_header=True, delimiter=",", quoting_style="needed")

# Before 1902 many zones kept local mean time, an offset with seconds (Shanghai: +08:05:43)
# that ISO 8601 text cannot carry, so the time would come back shifted: refuse it instead.
# Past 9999-12-30, local time in some zone no longer has a four-digit year.
_EARLIEST = dt.datetime(1902, 1, 1, tzinfo=dt.timezone.utc)
_LATEST = dt.datetime(9999, 12, 30, tzinfo=dt.timezone.utc)


def _is_text_encoded(typ: pa.DataType) -> bool:
    return bool(pa.types.is_timestamp(typ) or pa.types.is_list(typ))


def csv_schema(schema: pa.Schema) -> pa.Schema:
    """``schema`` with the columns CSV holds as text (timestamps, lists) turned into strings."""
    return pa.schema(
        [pa.field(f.name, pa.string()) if _is_text_encoded(f.type) else f for f in schema]
    )


def _check_range(name: str, column: pa.ChunkedArray) -> None:
    low, high = (pa.scalar(t, type=column.type) for t in (_EARLIEST, _LATEST))
    if pc.any(pc.or_(pc.less(column, low), pc.greater(column, high))).as_py():
        span = pc.min_max(column.cast(pa.timestamp("s", tz="UTC")).cast(pa.int64()))
        raise ValueError(f"column {name}: CSV holds times from {_EARLIEST:%Y-%m-%d} to "
                         f"{_LATEST:%Y-%m-%d} only; got seconds since 1970 from "
                         f"{span['min']} to {span['max']}")


def _encode(name: str, column: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_timestamp(column.type):
        _check_range(name, column)
        return iso_column(column)
    if pa.types.is_list(column.type):
        as_text = column.cast(pa.list_(pa.string()))
        return pc.binary_join(as_text, LIST_SEPARATOR)
    return column


def to_csv_table(table: pa.Table) -> pa.Table:
    """Turn a table of its real schema into the all-CSV-writable form of :func:`csv_schema`.

    Raises
    ------
    ValueError
        If a timestamp lies outside 1902-01-01 .. 9999-12-31, which the text cannot hold exactly.
    """
    columns = [_encode(f.name, table.column(i)) for i, f in enumerate(table.schema)]
    return pa.Table.from_arrays(columns, schema=csv_schema(table.schema))


def open_csv_writer(path: str | os.PathLike[str], schema: pa.Schema) -> pacsv.CSVWriter:
    """A streaming writer; the header goes out once, when it is opened."""
    return pacsv.CSVWriter(os.fspath(path), csv_schema(schema), write_options=_WRITE_OPTIONS)


def _decode(column: pa.ChunkedArray, typ: pa.DataType) -> pa.ChunkedArray:
    if pa.types.is_timestamp(typ):
        # The offset in the text fixes the instant; the cast then attaches the table's zone.
        return column.cast(pa.timestamp(typ.unit, tz="UTC")).cast(typ)
    if pa.types.is_list(typ):
        parts = pc.split_pattern(column, LIST_SEPARATOR)
        # split("") is [""], but "" was written for an empty list.
        empty = pa.scalar([], pa.list_(pa.string()))
        parts = pc.if_else(pc.equal(column, ""), empty, parts)
        return parts.cast(typ)
    return column


def csv_convert_options(schema: pa.Schema,
                        columns: Sequence[str] | None = None) -> pacsv.ConvertOptions:
    """How the text of a file written by :func:`open_csv_writer` is parsed: ``schema``'s
    text form, empty fields as nulls, ``""`` as the empty string (``columns``: only those)."""
    text_schema = csv_schema(schema)
    return pacsv.ConvertOptions(
        column_types={f.name: f.type for f in text_schema},
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
        true_values=["true"],
        false_values=["false"],
        **({} if columns is None else {"include_columns": list(columns)}),
    )


def decode_csv_table(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Rows parsed with :func:`csv_convert_options` back to exactly ``schema``.

    Raises
    ------
    ValueError
        If the columns are not the schema's, in order.
    """
    if table.column_names != schema.names:
        raise ValueError(f"header has columns {table.column_names}, expected {schema.names}")
    columns_read = [_decode(table.column(i), f.type) for i, f in enumerate(schema)]
    return pa.Table.from_arrays(columns_read, schema=schema)


def read_csv_table(path: str | os.PathLike[str], schema: pa.Schema,
                   columns: Sequence[str] | None = None) -> pa.Table:
    """Read a CSV file written by :func:`open_csv_writer` back to exactly ``schema``.

    With ``columns``, only those columns of ``schema`` are read (the others are skipped
    unparsed) and the table has them, in that order.

    Raises
    ------
    ValueError
        If the header does not name the schema's columns in order (with ``columns``: if it
        lacks one of them).
    """
    if columns is not None:
        schema = pa.schema([schema.field(c) for c in columns])
    parse = pacsv.ParseOptions(newlines_in_values=True)
    table = pacsv.read_csv(os.fspath(path), parse_options=parse,
                           convert_options=csv_convert_options(schema, columns))
    return decode_csv_table(table, schema)
