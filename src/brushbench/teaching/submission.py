"""Read a student's submission: flagged orders, order scores, or shops and their buyers.

Three forms, told apart by the header (names are matched without regard to case or spaces):

- **flagged orders**: an ``order_id`` column listing the orders the student flags; a ``flagged``
  column (1/0, true/false, yes/no) may list every order instead, and a ``score`` column may rank
  the flagged ones (it is then used for the ranking figures only);
- **order scores**: ``order_id,score`` scoring every order, higher = more suspicious. An
  ``order_id,score`` file that leaves orders out is read as flagged orders (the listed ones),
  unless the form is given (``--as scores``): then the orders left out score below every listed
  one;
- **shops and buyers**: ``shopid,userid`` (the Shopee Code League 2020 submission: one row per
  shop, ``0`` for a clean shop, else the buyer ids joined by ``&``) or ``shop_id,buyer_id``
  (one buyer per row, or ``&``-joined).

Files are read with :mod:`brushbench.dataset.table_files` (CSV, TSV, gzipped, or Parquet).
Every mistake is one :class:`SubmissionError` line, ``file:line: what was expected``: an empty
file, a missing header, an order, shop or buyer id that is not one of the dataset's, an order
listed twice, a score that is not a finite number.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..dataset import formats
from ..dataset.table_files import (
    ImportLogError,
    TableFile,
    blank_mask,
    bool_column,
    first_row,
    read_table_file,
    scl_buyer_lists,
)

__all__ = ["COLUMN_NAMES", "FORMS", "Submission", "SubmissionError", "read_submission"]

FORMS = ("flagged", "scores", "shops")
#: Accepted header names of each role (lower case, spaces and dashes read as ``_``).
COLUMN_NAMES = {
    "order": ("order_id", "orderid", "order"),
    "score": ("score", "suspicion", "probability", "proba"),
    "flag": ("flagged", "flag", "is_brushing", "brushing", "prediction"),
    "shop": ("shop_id", "shopid", "shop"),
    "buyer": ("buyer_id", "userid", "user_id", "buyer_ids", "buyerid", "buyer"),
}
EXPECTED = ("order_id (flagged orders), order_id,score (order scores) or shopid,userid "
            "(shops and their buyers)")


class SubmissionError(ValueError):
    """A submission that cannot be graded; the message is one line, ``file:line: ...``."""


@dataclass
class Submission:
    """A submission read and checked against the dataset's orders.

    Attributes
    ----------
    path : Path
    form : {"flagged", "scores", "shops"}
    rows : int
        Data rows of the file.
    flagged : array of bool, optional
        Per order of the key's ``order_index`` (its row order): flagged or not.
    scores : array of float, optional
        Per order: the student's score (-inf for an order a partial score file leaves out).
    pairs : DataFrame, optional
        ``shop_id, buyer_id`` pairs named (unique), for the shops form.
    listed_shops : array of int, optional
        Every shop the file names, clean (``0``) ones included.
    columns : dict
        Role -> the file's column.
    ignored : list of str
        Columns of the file that were not used.
    """

    path: Path
    form: str
    rows: int
    flagged: np.ndarray | None = None
    scores: np.ndarray | None = None
    pairs: pd.DataFrame | None = None
    listed_shops: np.ndarray | None = None
    columns: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """How the file was read, in a few words."""
        empty = np.zeros(0)
        if self.form == "shops":
            n = 0 if self.pairs is None else len(self.pairs)
            shops = self.listed_shops if self.listed_shops is not None else empty
            return (f"shops and buyers: {n:,} (shop, buyer) pair(s) named over "
                    f"{len(np.unique(shops)):,} shop(s)")
        if self.form == "scores":
            scores = self.scores if self.scores is not None else empty
            scored = int(np.count_nonzero(np.isfinite(scores)))
            return f"order scores: {scored:,} of {len(scores):,} orders scored"
        flags = self.flagged if self.flagged is not None else empty
        ranked = " (ranked by their scores)" if self.scores is not None else ""
        return (f"flagged orders: {int(np.count_nonzero(flags)):,} of {len(flags):,} orders "
                f"flagged{ranked}")


# -- locating --------------------------------------------------------------------------------------


#: The most bytes a submission may hold once decompressed: a flagged order is a line of about
#: 20 bytes, so this is room for ten million scored orders; a small ``.csv.gz`` that expands
#: to gigabytes is refused after reading this much, not read into memory.
MAX_SUBMISSION_BYTES = 512 * 1024 * 1024


def _check_size(path: Path, limit: int | None = None) -> None:
    """:class:`SubmissionError` when ``path`` holds more than ``limit`` bytes decompressed."""
    limit = MAX_SUBMISSION_BYTES if limit is None else limit
    total = 0
    with pa.input_stream(str(path), compression="detect") as stream:
        while chunk := stream.read(1 << 20):
            total += len(chunk)
            if total > limit:
                raise SubmissionError(f"{path}: more than {limit / 2**20:,.0f} MiB once "
                                      f"decompressed ({path.stat().st_size:,} bytes on disk); "
                                      "a submission is at most one line per order")


def _head_text(path: Path, size: int | None = None) -> str:
    """The text of ``path`` (its first ``size`` bytes), decompressed."""
    with pa.input_stream(str(path), compression="detect") as stream:
        data = stream.read() if size is None else stream.read(size)
        return data.decode("utf-8-sig", errors="replace")


def _lines(path: Path) -> tuple[int, ...]:
    """The line number of each data row: the CSV reader skips blank lines, so row ``i`` is not
    always line ``i + 2``. Read only when a message needs a line."""
    delimiter = "\t" if ".tsv" in path.name.lower() else ","
    reader = csv.reader(io.StringIO(_head_text(path)), delimiter=delimiter)
    next(reader, None)
    return tuple(reader.line_num for fields in reader if fields)


def _line(src: TableFile, row: int) -> str:
    """``line N`` of a data row (the header is line 1), or ``row N`` in Parquet."""
    if not formats.get(src.fmt).text:
        return f"row {row + 1}"
    lines = _lines(src.path)
    return f"line {lines[row] if row < len(lines) else row + 2}"


def _at(src: TableFile, row: int) -> str:
    """``file:line`` of a data row, or ``file: row N`` in Parquet."""
    where = _line(src, row)
    return f"{src.path}:{where[5:]}" if where.startswith("line ") else f"{src.path}: {where}"


def _parse_error(path: Path) -> SubmissionError:
    """The first line whose number of fields differs from the header's (pyarrow does not say)."""
    delimiter = "\t" if ".tsv" in path.name.lower() else ","
    reader = csv.reader(io.StringIO(_head_text(path)), delimiter=delimiter)
    header = next(reader, [])
    try:
        for fields in reader:
            if fields and len(fields) != len(header):
                return SubmissionError(f"{path}:{reader.line_num}: expected {len(header)} "
                                       f"field(s) like the header ({delimiter.join(header)}), "
                                       f"found {len(fields)}")
    except csv.Error:  # a binary file: stray NUL or carriage-return bytes
        return SubmissionError(f"{path}:{reader.line_num}: not a readable CSV file (binary "
                               "data?)")
    return SubmissionError(f"{path}: not a readable CSV file")


def _open(path: Path) -> TableFile:
    if not path.is_file():
        raise SubmissionError(f"{path}: no such file" if not path.exists()
                              else f"{path}: not a file (a submission is a CSV file)")
    csv_like = formats.for_path(path, default=formats.CSV).text  # .tsv, .txt... are text too
    try:
        _check_size(path)
        empty = csv_like and not _head_text(path, 1 << 16).strip()
    except (OSError, pa.ArrowException) as exc:
        raise SubmissionError(f"{path}: cannot read: {str(exc)[:200]}") from None
    if empty:
        raise SubmissionError(f"{path}:1: the file is empty: expected a header line, {EXPECTED}")
    try:
        return read_table_file(path, "submission")
    except ImportLogError as exc:
        if "parse error" in str(exc).lower():
            raise _parse_error(path) from None
        raise SubmissionError(str(exc)) from None


def _roles(src: TableFile) -> tuple[dict[str, str], list[str]]:
    by_name = {c.strip().lower().replace(" ", "_").replace("-", "_"): c for c in src.columns}
    roles = {}
    for role, names in COLUMN_NAMES.items():
        for name in names:
            if name in by_name:
                roles[role] = by_name[name]
                break
    ignored = [c for c in src.columns if c not in roles.values()]
    return roles, ignored


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# -- columns ---------------------------------------------------------------------------------------


def _text(src: TableFile, column: str) -> pa.Array:
    values = src.table.column(column)
    return pc.utf8_trim_whitespace(pc.cast(values, pa.string())).combine_chunks()


def _ids(src: TableFile, column: str, what: str) -> np.ndarray:
    """Integer ids of a column; a blank or non-integer value is an error at its line."""
    values = src.table.column(column)
    blank = blank_mask(values)
    if (row := first_row(blank)) is not None:
        raise SubmissionError(f"{_at(src, row)}: {column} is empty: expected {what}")
    if pa.types.is_integer(values.type):
        return np.asarray(values.to_numpy(), dtype=np.int64)
    text = _text(src, column)
    ok = np.asarray(pc.fill_null(pc.match_substring_regex(text, r"^[+-]?[0-9]+$"), False)
                    .to_numpy(zero_copy_only=False), dtype=bool)
    if (row := first_row(~ok)) is None:
        try:
            return np.asarray(pc.cast(text, pa.int64()).to_numpy(), dtype=np.int64)
        except pa.ArrowInvalid:  # digits, but too many for a 64-bit id: find which
            row = next(i for i, v in enumerate(text.to_pylist()) if abs(int(v)) >= 2**63)
    raise SubmissionError(f"{_at(src, row)}: {column}: expected {what} (digits), found "
                          f"{text[row].as_py()!r}")


def _scores(src: TableFile, column: str) -> np.ndarray:
    values = src.table.column(column)
    if pa.types.is_integer(values.type) or pa.types.is_floating(values.type):
        out = np.asarray(pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False),
                         dtype=np.float64)
        shown = out.astype(str)
    else:
        text = pd.Series(_text(src, column).to_numpy(zero_copy_only=False), dtype=object)
        out = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64)
        shown = text.to_numpy()
    if (row := first_row(~np.isfinite(out))) is not None:
        raise SubmissionError(f"{_at(src, row)}: {column}: expected a finite number (higher = "
                              f"more suspicious), found {shown[row]!r}")
    return out


def _known(src: TableFile, column: str, ids: np.ndarray, known: pd.Index, what: str,
           hint: str = "") -> np.ndarray:
    """Positions of ``ids`` in ``known``; an id not there is an error at its line."""
    where = known.get_indexer(ids)
    if (row := first_row(where < 0)) is not None:
        raise SubmissionError(f"{_at(src, row)}: {column}: {ids[row]} is not {what} of this "
                              f"dataset{hint}")
    return where


def _unique(src: TableFile, ids: np.ndarray, what: str) -> None:
    dup = pd.Index(ids).duplicated()
    if (row := first_row(np.asarray(dup))) is not None:
        first = int(np.flatnonzero(ids == ids[row])[0])
        raise SubmissionError(f"{_at(src, row)}: {what} {ids[row]} is listed again (first at "
                              f"{_line(src, first)}): list each {what} once")


# -- the forms -------------------------------------------------------------------------------------

_WRONG_KEY = " (is this the right student's key?)"


def _orders_form(src: TableFile, roles: dict[str, str], order_ids: pd.Index,
                 form: str | None) -> Submission:
    column = roles["order"]
    ids = _ids(src, column, "an order id")
    where = _known(src, column, ids, order_ids, "an order", _WRONG_KEY)
    _unique(src, ids, "order")
    n = len(order_ids)
    scores = None
    if "score" in roles:
        given = _scores(src, roles["score"])
        scores = np.full(n, -np.inf)
        scores[where] = given
    elif form == "scores":
        raise SubmissionError(f"{src.path}:1: order scores need a score column (order_id,score);"
                              f" the header has {', '.join(src.columns)}")
    if "flag" in roles:
        if form == "scores":
            raise SubmissionError(f"{src.path}:1: a {roles['flag']} column makes this a list of "
                                  "flagged orders, not order scores")
        try:
            flags = bool_column(src, roles["flag"])
        except ImportLogError as exc:
            raise SubmissionError(str(exc)) from None
        if (row := first_row(np.isnan(flags))) is not None:
            raise SubmissionError(f"{_at(src, row)}: {roles['flag']} is empty: expected 1 or 0 "
                                  "(true/false, yes/no)")
        flagged = np.zeros(n, dtype=bool)
        flagged[where] = flags == 1
        return Submission(src.path, "flagged", src.table.num_rows, flagged=flagged,
                          scores=scores, columns=roles, ignored=[])
    scored_all = scores is not None and len(ids) == n
    if form == "scores" or (form is None and scored_all):
        return Submission(src.path, "scores", src.table.num_rows, scores=scores, columns=roles)
    flagged = np.zeros(n, dtype=bool)
    flagged[where] = True
    return Submission(src.path, "flagged", src.table.num_rows, flagged=flagged, scores=scores,
                      columns=roles)


def _buyer_lists(src: TableFile, column: str) -> list[list[int]]:
    try:
        return scl_buyer_lists(src, column)
    except ImportLogError as exc:
        text = _text(src, column).to_pylist()
        for row, value in enumerate(text):
            parts = [p.strip() for p in (value or "").split("&")]
            if value not in ("", "0") and not all(p.lstrip("+-").isdigit() for p in parts):
                raise SubmissionError(f"{_at(src, row)}: {column}: expected 0 (a clean shop) or "
                                      f"buyer ids joined by '&', found {value!r}") from None
        raise SubmissionError(str(exc)) from None


def _shops_form(src: TableFile, roles: dict[str, str], index: pd.DataFrame) -> Submission:
    shop_col, buyer_col = roles["shop"], roles["buyer"]
    shops = _ids(src, shop_col, "a shop id")
    _known(src, shop_col, shops, pd.Index(pd.unique(index["shop_id"])), "a shop with orders",
           _WRONG_KEY)
    lists = _buyer_lists(src, buyer_col)
    lengths = np.fromiter((len(b) for b in lists), np.int64, len(lists))
    row_of = np.repeat(np.arange(len(lists)), lengths)
    buyers = np.fromiter((b for bs in lists for b in bs), np.int64, int(lengths.sum()))
    known = pd.Index(pd.unique(index["buyer_id"]))
    missing = known.get_indexer(buyers) < 0
    if (i := first_row(missing)) is not None:
        raise SubmissionError(f"{_at(src, int(row_of[i]))}: {buyer_col}: {buyers[i]} is not a "
                              f"buyer with orders in this dataset{_WRONG_KEY}")
    pairs = pd.DataFrame({"shop_id": shops[row_of], "buyer_id": buyers, "row": row_of})
    dup = pairs.duplicated(["shop_id", "buyer_id"]).to_numpy()
    if (i := first_row(dup)) is not None:
        shop, buyer = int(pairs.shop_id.iloc[i]), int(pairs.buyer_id.iloc[i])
        first = int(pairs.row[(pairs.shop_id == shop) & (pairs.buyer_id == buyer)].iloc[0])
        raise SubmissionError(f"{_at(src, int(row_of[i]))}: buyer {buyer} at shop {shop} is "
                              f"listed again (first at {_line(src, first)})")
    return Submission(src.path, "shops", src.table.num_rows,
                      pairs=pairs[["shop_id", "buyer_id"]].reset_index(drop=True),
                      listed_shops=shops, columns=roles)


def read_submission(path: str | os.PathLike[str], order_index: pd.DataFrame, *,
                    form: str | None = None) -> Submission:
    """Read and check a submission against the dataset's orders.

    Parameters
    ----------
    path : path
        The student's CSV (or TSV, gzipped, Parquet) file.
    order_index : DataFrame
        ``order_id, shop_id, buyer_id`` of every order (the key's ``order_index``); the
        submission's arrays are aligned with its rows.
    form : {"flagged", "scores", "shops"}, optional
        Read the file as this form instead of telling it from the header.

    Raises
    ------
    SubmissionError
        One line, ``file:line: what was expected``.
    """
    if form is not None and form not in FORMS:
        raise ValueError(f"unknown form {form!r}; expected one of {', '.join(FORMS)}")
    path = Path(path)
    src = _open(path)
    roles, ignored = _roles(src)
    if "order" in roles and form != "shops":
        sub = _orders_form(src, roles, pd.Index(order_index["order_id"].to_numpy()), form)
    elif "shop" in roles and "buyer" in roles and form in (None, "shops"):
        sub = _shops_form(src, roles, order_index)
    elif all(_is_number(c) for c in src.columns):
        raise SubmissionError(f"{path}:1: no header line: the first line is "
                              f"{','.join(src.columns)!r}; expected a header naming the "
                              f"columns, {EXPECTED}")
    elif "shop" in roles:
        raise SubmissionError(f"{path}:1: shops need their buyers: expected shopid,userid "
                              f"(userid 0 for a clean shop, else buyer ids joined by '&'); the "
                              f"header has {', '.join(src.columns)}")
    else:
        wanted = {"shops": "shopid,userid", "scores": "order_id,score",
                  "flagged": "order_id"}.get(form or "", EXPECTED)
        raise SubmissionError(f"{path}:1: expected a header with {wanted}; the header has "
                              f"{', '.join(src.columns)}")
    sub.ignored = [c for c in ignored if c not in sub.columns.values()]
    sub.columns = {role: col for role, col in roles.items()
                   if role in (("shop", "buyer") if sub.form == "shops"
                               else ("order", "score", "flag"))}
    return sub
