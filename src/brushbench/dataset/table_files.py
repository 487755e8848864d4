"""Reading a user's table file: CSV or TSV (gzipped or not) or Parquet, every mistake one line.

The shared reader of users' order logs and labels (``eval --data``,
:mod:`brushbench.userdata`) and of teaching submissions
(:mod:`brushbench.teaching.submission`). CSV columns are read as text and typed by the caller,
so that a bad value is reported with its line (pyarrow's own inference looks at the first block
only and fails later without one).
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from . import formats

__all__ = ["FALSE_TEXT", "TRUE_TEXT", "ImportLogError", "TableFile", "blank_mask", "bool_column",
           "file_format", "first_row", "one_chunk", "read_table_file", "scl_buyer_lists",
           "value_text"]

TRUE_TEXT = {"true", "t", "yes", "y", "1"}
FALSE_TEXT = {"false", "f", "no", "n", "0"}


class ImportLogError(ValueError):
    """A log or labels file that cannot be imported; the message is one line naming the file,
    the column and what was expected."""


class TableFile:
    """A CSV or Parquet file's columns, with how to name a row in messages."""

    def __init__(self, path: Path, table: pa.Table, fmt: str):
        self.path = path
        self.table = table
        self.fmt = fmt
        self.columns = table.column_names

    def where(self, row: int) -> str:
        # CSV: the header is line 1 (a row never spans lines in an order log).
        return f"line {row + 2}" if formats.get(self.fmt).text else f"row {row + 1}"

    def fail(self, column: str, target: str | None, message: str) -> ImportLogError:
        mapped = f" ({target})" if target and target != column else ""
        return ImportLogError(f"{self.path}: column {column!r}{mapped}: {message}")


def file_format(path: Path) -> str:
    """The format a user's file is read in: by its suffix, else by its first bytes.

    Users' files come in more spellings than ours (tab-separated, compressed, ``.txt``); all
    of those are read as delimited text, see :func:`read_csv_as_text`.
    """
    known = formats.for_path(path, default=None)
    if known is not None:
        return known.name
    if path.name.lower().endswith((".tsv", ".txt", ".csv.gz", ".tsv.gz", ".csv.bz2")):
        return formats.CSV.name
    with open(path, "rb") as f:
        return "parquet" if f.read(4) == b"PAR1" else "csv"


def read_table_file(path: str | os.PathLike[str], what: str) -> TableFile:
    path = Path(path)
    if not path.is_file():
        raise ImportLogError(f"{path}: no such {what} file" if not path.exists()
                             else f"{path}: not a file (a {what} is a CSV or Parquet file)")
    fmt = file_format(path)
    try:
        if fmt == "parquet":
            table = pq.read_table(path)
        else:
            table = read_csv_as_text(path)
    except ImportLogError:
        raise
    except (OSError, pa.ArrowException, ValueError, UnicodeDecodeError) as exc:
        line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        # The parser quotes what it choked on: a binary file's bytes must not reach a terminal.
        line = "".join(c if c.isascii() and c.isprintable() else "?" for c in line)
        line = line if len(line) <= 200 else line[:200] + "..."
        raise ImportLogError(f"{path}: cannot read it as {fmt.upper()}: {line}") from None
    names = table.column_names
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ImportLogError(f"{path}: duplicated column(s) {', '.join(dup)}")
    return TableFile(path, table, fmt)


def read_csv_as_text(path: Path) -> pa.Table:
    delimiter = "\t" if ".tsv" in path.name.lower() else ","
    with pa.input_stream(str(path), compression="detect") as stream:
        head = stream.read(1 << 16).decode("utf-8-sig", errors="replace")
    first = next(csv.reader(io.StringIO(head), delimiter=delimiter), None)
    if not first or not any(c.strip() for c in first):
        raise ImportLogError(f"{path}: empty, expected a header line with the column names")
    # Every column as text: types are checked here, with the line of the first bad value
    # (pyarrow's inference looks at the first block only and fails later without a line).
    convert = pacsv.ConvertOptions(column_types={name: pa.string() for name in first},
                                   strings_can_be_null=False, quoted_strings_can_be_null=False)
    return pacsv.read_csv(path, parse_options=pacsv.ParseOptions(delimiter=delimiter),
                          convert_options=convert)


def one_chunk(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def blank_mask(column: pa.ChunkedArray) -> np.ndarray:
    """True where a value is missing (null, or an empty or blank string)."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        trimmed = pc.utf8_trim_whitespace(column)
        mask = pc.or_kleene(pc.is_null(trimmed), pc.equal(trimmed, ""))
        return np.asarray(pc.fill_null(mask, True).to_numpy(zero_copy_only=False), dtype=bool)
    return np.asarray(pc.is_null(column).to_numpy(zero_copy_only=False), dtype=bool)


def first_row(mask: np.ndarray) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if len(hits) else None


def value_text(column: pa.ChunkedArray, row: int) -> str:
    return repr(column[row].as_py())


def bool_column(src: TableFile, column: str) -> np.ndarray:
    """``is_brushing`` as floats: 1.0 true, 0.0 false, NaN missing."""
    values = src.table.column(column)
    blank = blank_mask(values)
    out = np.full(len(values), np.nan)
    if pa.types.is_boolean(values.type) or pa.types.is_integer(values.type) \
            or pa.types.is_floating(values.type):
        arr = np.asarray(pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False))
        bad = ~blank & ~np.isin(arr, (0.0, 1.0))
        if (row := first_row(bad)) is not None:
            raise src.fail(column, "is_brushing", f"expected true/false or 1/0, found "
                                                  f"{arr[row]!r} at {src.where(row)}")
        out[~blank] = arr[~blank]
        return out
    text = pd.Series(pc.utf8_lower(pc.utf8_trim_whitespace(pc.cast(values, pa.string())))
                     .to_pandas(), dtype=object)
    true = text.isin(TRUE_TEXT).to_numpy(bool)
    false = text.isin(FALSE_TEXT).to_numpy(bool)
    bad = ~blank & ~true & ~false
    if (row := first_row(bad)) is not None:
        raise src.fail(column, "is_brushing", f"expected true/false, 1/0 or yes/no, found "
                                              f"{value_text(values, row)} at {src.where(row)}")
    out[true] = 1.0
    out[false] = 0.0
    return out


def scl_buyer_lists(src: TableFile, column: str) -> list[list[int]]:
    """The SCL ``userid`` column: ``0`` (clean) or buyer ids joined by ``&``, per row."""
    values = src.table.column(column)
    if pa.types.is_integer(values.type):
        return [[] if v in (None, 0) else [int(v)] for v in values.to_pylist()]
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        raise src.fail(column, "buyer_id", f"expected buyer ids joined by '&' or 0, found a "
                                           f"column of type {values.type}")
    out: list[list[int]] = []
    for row, text in enumerate(values.to_pylist()):
        text = (text or "").strip()
        if text in ("", "0"):
            out.append([])
            continue
        parts = [p.strip() for p in text.split("&")]
        if not all(re.fullmatch(r"[+-]?[0-9]+", p) for p in parts):
            raise src.fail(column, "buyer_id", f"expected 0 or buyer ids joined by '&' (SCL "
                                               f"format), found {text!r} at {src.where(row)}")
        out.append([int(p) for p in parts])
    return out
