"""Typing a column of a user's file: integer ids and amounts, text, and times.

- **Ids** (``order_id``, ``shop_id``, ``buyer_id``, any other ``*_id``) must be integers
  (digits in a CSV; integer, or integral float, columns in Parquet): anything else is an
  error naming the column, the first bad value and its line. They are not mapped to
  integers: results would then name ids that appear nowhere in the user's data.
- **Times**: ISO 8601 date-times (``2019-12-27 00:23:03``, ``2019-12-27T00:23:03+08:00``) or
  a Parquet timestamp column. Times without an offset are local times in ``timezone``
  (one that does not exist or is ambiguous there, at a DST change, is an error); times with
  one are converted. Fractions of a second are dropped (times are kept to the second).

Every function takes the file, the file's column and the brushbench name it is read as (for
the message); a bad value is one :class:`~brushbench.dataset.table_files.ImportLogError` line.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..dataset.table_files import TableFile, blank_mask, first_row, one_chunk, value_text

__all__ = ["EXAMPLE_TIME", "ints", "strings", "times"]

EXAMPLE_TIME = "2019-12-27 00:23:03"
#: A time of day followed by a UTC offset (``...00:23:03+08:00``, ``...00:23:03Z``).
_OFFSET = r"\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?\s*(?:Z|[+-]\d\d(?::?\d\d)?)$"


def ints(src: TableFile, column: str, target: str, *, required: bool, kind: str = "integer ids"
          ) -> pa.Array:
    values = src.table.column(column)
    blank = blank_mask(values)
    if required and (row := first_row(blank)) is not None:
        raise src.fail(column, target, f"expected {kind}, found an empty value at "
                                       f"{src.where(row)}")
    typ = values.type
    if pa.types.is_integer(typ):
        try:
            return one_chunk(pc.cast(values, pa.int64()))
        except pa.ArrowInvalid:
            raise src.fail(column, target, f"expected {kind} that fit in 64 bits") from None
    if pa.types.is_floating(typ):
        arr = np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.float64)
        bad = ~blank & ~(np.isfinite(arr) & (np.floor(arr) == arr) & (np.abs(arr) < 2**63))
        if (row := first_row(bad)) is not None:
            raise src.fail(column, target, f"expected {kind}, found {arr[row]!r} at "
                                           f"{src.where(row)}")
        out = np.where(blank, 0, arr).astype(np.int64)
        return pa.array(out, mask=blank, type=pa.int64())
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        trimmed = pc.utf8_trim_whitespace(values).combine_chunks()
        ok = pc.fill_null(pc.match_substring_regex(trimmed, r"^[+-]?[0-9]+$"), False)
        bad = ~blank & ~np.asarray(ok.to_numpy(zero_copy_only=False), dtype=bool)
        if (row := first_row(bad)) is not None:
            raise src.fail(column, target, f"expected {kind}, found {value_text(values, row)} at "
                                           f"{src.where(row)} (ids that are not integers are "
                                           "not mapped: give integer ids)")
        text = pc.if_else(pa.array(blank), pa.scalar(None, pa.string()), trimmed)
        try:
            return one_chunk(pc.cast(text, pa.int64()))
        except pa.ArrowInvalid:
            raise src.fail(column, target, f"expected {kind} that fit in 64 bits") from None
    raise src.fail(column, target, f"expected {kind}, found a column of type {typ}")


def strings(src: TableFile, column: str, target: str) -> pa.Array:
    values = src.table.column(column)
    if pa.types.is_dictionary(values.type):
        values = pc.cast(values, values.type.value_type)
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        if not (pa.types.is_integer(values.type) or pa.types.is_boolean(values.type)):
            raise src.fail(column, target, f"expected text, found a column of type "
                                           f"{values.type}")
        values = pc.cast(values, pa.string())
    blank = blank_mask(values)
    return one_chunk(pc.if_else(pa.array(blank), pa.scalar(None, pa.string()),
                                 one_chunk(pc.cast(values, pa.string()))))


def times(src: TableFile, column: str, target: str, timezone: str) -> pa.Array:
    values = src.table.column(column)
    typ = values.type
    blank = blank_mask(values)
    if (row := first_row(blank)) is not None:
        raise src.fail(column, target, f"expected a date-time, found an empty value at "
                                       f"{src.where(row)}")
    if pa.types.is_timestamp(typ):
        parsed = pd.Series(values.to_pandas())
        local = typ.tz is None
        text = None
    elif pa.types.is_string(typ) or pa.types.is_large_string(typ):
        text = pd.Series(pc.utf8_trim_whitespace(values).to_pandas(), dtype=object)
        offset = text.str.contains(_OFFSET, regex=True).to_numpy(bool)
        if offset.any() and not offset.all():
            row = int(np.flatnonzero(~offset)[0] if offset[0] else np.flatnonzero(offset)[0])
            raise src.fail(column, target, f"mixes times with and without a UTC offset "
                                           f"(first odd one: {text.iloc[row]!r} at "
                                           f"{src.where(row)})")
        local = not offset.any()
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=not local)
        if (row := first_row(parsed.isna().to_numpy())) is not None:
            raise src.fail(column, target, f"expected a date-time such as '{EXAMPLE_TIME}' "
                                           f"(ISO 8601), found {text.iloc[row]!r} at "
                                           f"{src.where(row)}")
    else:
        raise src.fail(column, target, f"expected date-time text such as '{EXAMPLE_TIME}' or "
                                       f"a timestamp column, found a column of type {typ}")
    if local:
        try:
            parsed = parsed.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT")
        except (ValueError, TypeError) as exc:  # pragma: no cover - pandas' own limits
            raise src.fail(column, target, f"cannot read as local time in {timezone}: "
                                           f"{exc}") from None
        if (row := first_row(parsed.isna().to_numpy())) is not None:
            shown = text.iloc[row] if text is not None else str(values[row].as_py())
            raise src.fail(column, target, f"{shown!r} at {src.where(row)} is not a valid "
                                           f"local time in {timezone} (skipped or repeated "
                                           "by a daylight-saving change)")
    parsed = parsed.dt.tz_convert(timezone).dt.floor("s")
    return pa.array(parsed, type=pa.timestamp("s", tz=timezone))
