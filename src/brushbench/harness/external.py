"""Score a log brushbench did not make: import a CSV or Parquet order log as a dataset folder.

>>> from brushbench.harness.external import import_log
>>> folder = import_log("train.csv", columns="scl2020", labels="answers.csv",
...                     timezone="Asia/Singapore")                        # doctest: +SKIP

:func:`import_log` turns an order log (at least order, shop and buyer ids and a time; the
column names are mapped) into a dataset folder written with
:class:`~brushbench.dataset.DatasetWriter`, cached under ``$BRUSHBENCH_CACHE/external``
by the content of what was imported (the log's and the labels' sha256, the mapping, the time
zone), or written into a folder of the caller's choice. ``orders`` holds the columns the log
has; every other column of the orders schema is null and every other table empty (with its
schema). The manifest records ``external: true``, the source file's sha256, the mapping and
which columns the log lacks.

Rules (also in ``docs/harness.md``):

- **Ids** (``order_id``, ``shop_id``, ``buyer_id``, any other ``*_id``) must be integers
  (digits in a CSV; integer, or integral float, columns in Parquet): anything else is an
  error naming the column, the first bad value and its line. They are not mapped to
  integers: results would then name ids that appear nowhere in the user's data.
- **Times**: ISO 8601 date-times (``2019-12-27 00:23:03``, ``2019-12-27T00:23:03+08:00``) or
  a Parquet timestamp column. Times without an offset are local times in ``timezone``
  (one that does not exist or is ambiguous there, at a DST change, is an error); times with
  one are converted. Fractions of a second are dropped (times are kept to the second).
- Rows are put in time order (stable: equal times keep the file's order); duplicate or
  missing order ids are errors.

**Labels** (optional) are the dataset's answer key, at one of three levels:

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
while the buyer and shop sections are scored (:func:`score_data`).

The detector's side (:func:`log_view`, :func:`unmet_requirements`, :func:`skip_if_lacking`)
is what the child process uses to report a detector that needs a column or table the log
lacks as ``skipped``, naming it, instead of ``error``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..dataset import Dataset, DatasetError, DatasetWriter, load, table_schema
from ..dataset.cache import imported_dir
from ..dataset.manifest import MANIFEST_NAME, read_manifest, sha256_file
from ..dataset.table_files import (
    ImportLogError,
    TableFile,
    blank_mask,
    bool_column,
    first_row,
    one_chunk,
    read_table_file,
    scl_buyer_lists,
    value_text,
)
from ..dataset.tables import OBSERVED_TABLES
from ..dataset.writer import check_timezone

__all__ = ["IMPORT_VERSION", "LABEL_LEVELS", "PRESETS", "REQUIRED", "ImportLogError",
           "data_identity", "import_log", "is_dataset_folder", "log_view", "parse_columns",
           "score_data", "skip_if_lacking", "stream_data", "unmet_requirements"]

#: Bumped when the same inputs would import to different tables (it is part of the cache key).
IMPORT_VERSION = 1
#: Columns every log must have (brushbench names).
REQUIRED = ("order_id", "shop_id", "buyer_id", "created_at")
LABEL_LEVELS = ("order", "buyer", "shop")
#: Named mappings for ``--columns NAME`` (brushbench name -> the file's column).
PRESETS: dict[str, dict[str, str]] = {
    "scl2020": {"order_id": "orderid", "shop_id": "shopid", "buyer_id": "userid",
                "created_at": "event_time"},
}
_ORDERS_COLUMNS = tuple(table_schema("orders", "UTC").names)
_LABEL_COLUMNS = ("order_id", "shop_id", "buyer_id", "is_brushing", "pattern", "campaign_id",
                  "legit_kind")
_EXAMPLE_TIME = "2019-12-27 00:23:03"
#: A time of day followed by a UTC offset (``...00:23:03+08:00``, ``...00:23:03Z``).
_OFFSET = r"\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?\s*(?:Z|[+-]\d\d(?::?\d\d)?)$"


# -- the column mapping ------------------------------------------------------------------------


def parse_columns(text: str | None) -> dict[str, str] | None:
    """The CLI's ``--columns``: ``scl2020`` or ``order_id=orderid,shop_id=shopid,...``.

    Items are comma-separated; a preset name expands to its mapping and ``NAME=SOURCE`` pairs
    (brushbench name on the left) add to or override it. None or an empty text: no mapping.
    """
    if text is None or not text.strip():
        return None
    presets: dict[str, str] = {}
    pairs: dict[str, str] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        if "=" not in item:
            if item in PRESETS:
                presets.update(PRESETS[item])
                continue
            raise ImportLogError(f"--columns: {item!r} is neither NAME=COLUMN nor a preset "
                                 f"({', '.join(PRESETS)})")
        name, _, source = (x.strip() for x in item.partition("="))
        if not name or not source:
            raise ImportLogError(f"--columns: {item!r}: expected NAME=COLUMN, with the "
                                 "brushbench name on the left and the file's column on the right")
        pairs[name] = source
    return check_mapping({**presets, **pairs})  # pairs override a preset, wherever written


def check_mapping(columns: Mapping[str, str] | str | None) -> dict[str, str]:
    """The mapping (brushbench name -> source column) checked; a preset name is expanded."""
    if columns is None:
        return {}
    if isinstance(columns, str):
        parsed = parse_columns(columns)
        return parsed or {}
    mapping = {str(k): str(v) for k, v in columns.items()}
    for name, source in mapping.items():
        if name in _ORDERS_COLUMNS:
            continue
        hint = (f"; did you mean {source}={name}?" if source in _ORDERS_COLUMNS else "")
        raise ImportLogError(f"column mapping {name}={source}: {name!r} is not a brushbench "
                             f"orders column (write BRUSHBENCH_NAME=FILE_COLUMN; the names are "
                             f"{', '.join(_ORDERS_COLUMNS)}){hint}")
    return mapping


# -- reading a file ----------------------------------------------------------------------------


def _ints(src: TableFile, column: str, target: str, *, required: bool, kind: str = "integer ids"
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


def _strings(src: TableFile, column: str, target: str) -> pa.Array:
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


def _times(src: TableFile, column: str, target: str, timezone: str) -> pa.Array:
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
            raise src.fail(column, target, f"expected a date-time such as '{_EXAMPLE_TIME}' "
                                           f"(ISO 8601), found {text.iloc[row]!r} at "
                                           f"{src.where(row)}")
    else:
        raise src.fail(column, target, f"expected date-time text such as '{_EXAMPLE_TIME}' or "
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


# -- import ------------------------------------------------------------------------------------


def _resolve_columns(src: TableFile, mapping: dict[str, str]) -> dict[str, str]:
    """brushbench name -> the file's column, for every orders column the log has."""
    present = set(src.columns)
    resolved: dict[str, str] = {}
    for name, source in mapping.items():
        if source not in present:
            raise ImportLogError(f"{src.path}: no column {source!r} (mapped to {name}); the "
                                 f"file has {', '.join(src.columns)}")
        resolved[name] = source
    taken = set(mapping.values())
    for name in _ORDERS_COLUMNS:  # columns already named like brushbench's, unless taken
        if name not in resolved and name in present and name not in taken:
            resolved[name] = name
    missing = [n for n in REQUIRED if n not in resolved]
    if missing:
        example = ",".join(f"{n}=COLUMN" for n in missing)
        raise ImportLogError(f"{src.path}: no column for {', '.join(missing)} (required); the "
                             f"file has {', '.join(src.columns)}: map them with --columns "
                             f"{example}")
    return {n: resolved[n] for n in _ORDERS_COLUMNS if n in resolved}


def _orders_table(src: TableFile, resolved: dict[str, str], timezone: str) -> pa.Table:
    schema = table_schema("orders", timezone)
    n = src.table.num_rows
    arrays = {}
    for field in schema:
        source = resolved.get(field.name)
        if source is None:
            arrays[field.name] = pa.nulls(n, field.type)
        elif field.name == "created_at":
            arrays[field.name] = _times(src, source, field.name, timezone)
        elif pa.types.is_integer(field.type):
            kind = "integer ids" if field.name.endswith("_id") else "integers"
            if field.name in ("unit_price", "paid_amount", "coupon_amount"):
                kind = "integer amounts (cents)"
            array = _ints(src, source, field.name, required=field.name in REQUIRED, kind=kind)
            try:
                arrays[field.name] = pc.cast(array, field.type)
            except pa.ArrowInvalid:
                raise src.fail(source, field.name, f"expected {kind} that fit in "
                                                   f"{field.type}") from None
        else:
            arrays[field.name] = _strings(src, source, field.name)
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


def content_key(*parts: Any) -> str:
    """SHA-256 of JSON-able parts: the identity of imported content in caches and results."""
    blob = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def import_log(path: str | os.PathLike[str], *, columns: Mapping[str, str] | str | None = None,
               labels: str | os.PathLike[str] | None = None, label_level: str | None = None,
               timezone: str = "UTC", out_dir: str | os.PathLike[str] | None = None) -> Path:
    """Import an order log (CSV or Parquet) as a brushbench dataset folder; return the folder.

    Parameters
    ----------
    path : path
        The log: one row per order.
    columns : mapping or str, optional
        brushbench name -> the file's column (``{"order_id": "orderid", ...}``), or a preset
        name (``"scl2020"``) or the CLI's ``order_id=orderid,...`` text. Columns already named
        like brushbench's need no entry. ``order_id, shop_id, buyer_id, created_at`` are
        required; any other orders column the file has (``item_id``, ``device_id``, ...) is
        kept.
    labels : path, optional
        The answer key: order, buyer or shop level, or the SCL ``shopid,userid`` format (see
        the module docs). Its columns are mapped with ``columns`` too.
    label_level : {"order", "buyer", "shop"}, optional
        Which labels to read; by default what the file's columns say (the SCL format gives
        both shop and buyer labels).
    timezone : str
        IANA zone of times written without an offset, and of the dataset.
    out_dir : path, optional
        Where to write the dataset (replaced if it is a dataset folder). By default a folder
        of the cache (``$BRUSHBENCH_CACHE/external/``) keyed by the content of what is
        imported, reused when it is already there.

    Raises
    ------
    ImportLogError
        One line naming the file, the column and what was expected.
    """
    path = Path(path)
    mapping = check_mapping(columns)
    if label_level is not None and labels is None:
        raise ImportLogError(f"label level {label_level!r} given without a labels file")
    if label_level is not None and label_level not in LABEL_LEVELS:
        raise ImportLogError(f"label level {label_level!r}: expected one of "
                             f"{', '.join(LABEL_LEVELS)}")
    try:
        timezone = check_timezone(timezone)
    except ValueError as exc:
        raise ImportLogError(str(exc)) from None
    if not path.is_file():
        raise ImportLogError(f"{path}: no such log file" if not path.exists()
                             else f"{path}: not a file (a log is a CSV or Parquet file)")
    if labels is not None and not Path(labels).is_file():
        raise ImportLogError(f"{labels}: no such labels file" if not Path(labels).exists()
                             else f"{labels}: not a file (labels are a CSV or Parquet file)")
    source_sha = sha256_file(path)
    labels_sha = sha256_file(labels) if labels is not None else None
    key = content_key(IMPORT_VERSION, source_sha, sorted(mapping.items()), timezone,
                       labels_sha, label_level)
    if out_dir is None:
        folder = imported_dir(_slug(path.stem), key)
        if folder.is_dir():
            try:
                load(folder, verify=True)
                return folder
            except DatasetError:
                pass  # damaged: written again below
    else:
        folder = Path(out_dir)

    src = read_table_file(path, "log")
    resolved = _resolve_columns(src, mapping)
    orders = _orders_table(src, resolved, timezone)
    answer = None
    if labels is not None:
        answer = _labels(read_table_file(labels, "labels"), mapping, label_level, orders)
    lacking = [n for n in _ORDERS_COLUMNS if n not in resolved]
    manifest = {
        "external": True,
        "import_version": IMPORT_VERSION,
        "import_key": key,
        "scenario": f"data:{path.name}",
        "source": {"file": path.name, "format": src.fmt, "sha256": source_sha,
                   "rows": src.table.num_rows},
        "column_mapping": resolved,
        "ignored_columns": [c for c in src.columns if c not in resolved.values()],
        "log_columns": {"orders": list(resolved)},
        "lacking": {"orders": lacking,
                    "tables": [t for t in OBSERVED_TABLES if t != "orders"]},
        "labels": None if answer is None else answer["summary"],
    }
    try:
        writer = DatasetWriter(folder, timezone=timezone, overwrite=True,
                               answer_key=answer is not None)
    except FileExistsError as exc:  # a folder that is not a dataset: never replaced
        raise ImportLogError(str(exc)) from None
    with writer:  # atomic: the folder appears whole at close(), or not at all
        writer.write("orders", orders)
        if answer is not None:
            writer.write("labels", answer["labels"])
            writer.write("entity_labels", answer["entity_labels"])
        writer.close(manifest)
    return folder


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")[:40] or "log"


# -- labels ------------------------------------------------------------------------------------


def _label_columns(src: TableFile, mapping: dict[str, str]) -> dict[str, str]:
    """brushbench name -> the labels file's column (mapped names first, then same names)."""
    found: dict[str, str] = {}
    for name, source in mapping.items():
        if name in _LABEL_COLUMNS and source in src.columns:
            found[name] = source
    for name in _LABEL_COLUMNS:
        if name not in found and name in src.columns and name not in found.values():
            found[name] = name
    return found


def _labels(src: TableFile, mapping: dict[str, str], level: str | None,
            orders: pa.Table) -> dict[str, Any]:
    cols = _label_columns(src, mapping)
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
        shops = _ints(src, cols["shop_id"], "shop_id", required=True)
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
                ids = _ints(src, cols[f"{entity}_id"], f"{entity}_id", required=True)
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
    ids = np.asarray(_ints(src, cols["order_id"], "order_id", required=True).to_numpy(),
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
    labels = {"order_id": order_ids,
              "is_brushing": pa.array(brushing, mask=~known)}
    extra = {}
    for name in ("pattern", "campaign_id", "legit_kind"):
        if name in cols:
            text = _strings(src, cols[name], name).to_pylist()
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


# -- what a detector sees ----------------------------------------------------------------------


class _LogView(Dataset):
    """An external log as a detector sees it: ``orders`` (pandas) without the columns the log
    lacks, so that asking for one raises KeyError; reading a table the log lacks is noted."""

    def __init__(self, base: Dataset, lacking_columns: tuple[str, ...],
                 lacking_tables: tuple[str, ...], touched: set[str]):
        super().__init__({name: base.arrow(name) for name in base.table_names}, base.manifest,
                         timezone=base.timezone)
        self.lacking_columns = lacking_columns
        self.lacking_tables = lacking_tables
        self.touched = touched

    def _frame(self, name: str) -> pd.DataFrame:
        if name in self.lacking_tables:
            self.touched.add(name)
        frame = self._frames.get(name)
        if frame is None:
            frame = super()._frame(name)
            if name == "orders" and self.lacking_columns:
                frame = self._frames[name] = frame.drop(columns=list(self.lacking_columns))
        return frame

    def without_answer_key(self) -> Dataset:
        return _LogView(Dataset.without_answer_key(self), self.lacking_columns,
                        self.lacking_tables, self.touched)


def log_view(data: Dataset | None) -> Dataset | None:
    """``data`` as a detector sees it: unchanged unless it is an imported log (see
    :class:`_LogView`)."""
    if data is None or isinstance(data, _LogView):
        return data
    manifest = data.manifest
    if not manifest.get("external"):
        return data
    lacking = manifest.get("lacking") or {}
    return _LogView(data, tuple(lacking.get("orders", ())), tuple(lacking.get("tables", ())),
                    set())


def _log_has(data: Dataset) -> str:
    columns = (data.manifest.get("log_columns") or {}).get("orders") or []
    return f"the log has orders columns {', '.join(columns)} and no other table"


def _requires_of(spec: Any) -> Any:
    obj = getattr(spec, "obj", None)
    found = getattr(obj, "requires", None)
    if found is None and getattr(spec, "kind", None) == "function":
        module = sys.modules.get(getattr(obj, "__module__", "") or "")
        found = getattr(module, "requires", None)
    return found


def unmet_requirements(spec: Any, data: Dataset) -> dict[str, Any] | None:
    """A ``skipped`` (or ``error``) result when the detector's ``requires`` names a column or
    table the imported log lacks; None when it has none, or the data has them all.

    ``requires`` is a class (or, for the function form, module) attribute:
    ``{"orders": ["device_id"], "shipments": ["weighed_weight_g"]}``, or a list of orders
    columns.
    """
    if not isinstance(data, _LogView):
        return None
    requires = _requires_of(spec)
    if requires is None:
        return None
    if isinstance(requires, list | tuple | set | frozenset):
        requires = {"orders": requires}
    if not isinstance(requires, Mapping) or not all(
            isinstance(cols, list | tuple | set | frozenset) and all(isinstance(c, str)
                                                                     for c in cols)
            for cols in requires.values()):
        return {"status": "error", "phase": "build",
                "reason": "requires must map table names to lists of column names, e.g. "
                          "{'orders': ['device_id']}; got " + repr(requires)[:120]}
    needed = []
    for table, cols in requires.items():
        if table not in OBSERVED_TABLES:
            return {"status": "error", "phase": "build",
                    "reason": f"requires names table {table!r}; the tables are "
                              f"{', '.join(OBSERVED_TABLES)}"}
        known = table_schema(table, "UTC").names
        unknown = [c for c in cols if c not in known]
        if unknown:
            return {"status": "error", "phase": "build",
                    "reason": f"requires names unknown column(s) {', '.join(unknown)} of "
                              f"{table}; its columns are {', '.join(known)}"}
        for col in sorted(cols):
            if table in data.lacking_tables or (table == "orders"
                                                and col in data.lacking_columns):
                needed.append(col if table == "orders" else f"{table}.{col}")
    if not needed:
        return None
    return {"status": "skipped", "phase": "skipped",
            "reason": f"needs column(s) {', '.join(needed)} that this log lacks (declared in "
                      f"requires); {_log_has(data)}"}


def _lacking_in(error: BaseException | None, columns: tuple[str, ...]) -> list[str]:
    """The lacking columns a KeyError/AttributeError (or one it came from) names."""
    found: list[str] = []
    seen = error
    while seen is not None:
        if isinstance(seen, KeyError | AttributeError):
            text = str(seen)
            names = {seen.args[0]} if isinstance(seen, KeyError) and seen.args else set()
            names.add(getattr(seen, "name", None))
            for col in columns:
                if col in names or f"'{col}'" in text or f'"{col}"' in text:
                    found.append(col)
        seen = seen.__cause__ or seen.__context__
    return sorted(set(found))


def skip_if_lacking(data: Dataset | None, failure: dict[str, Any],
                    error: BaseException | None = None) -> dict[str, Any]:
    """Turn a failure on an imported log into ``skipped`` when it comes from what the log lacks.

    An ``error`` whose exception is a KeyError/AttributeError naming an orders column the log
    lacks, or an ``error``/``invalid_output`` of a detector that read a table the log lacks
    (all of them but ``orders``: they are empty), becomes ``skipped`` with a reason naming the
    columns or tables; the original reason, traceback and problems are kept.
    """
    if not isinstance(data, _LogView) or failure.get("status") not in ("error",
                                                                       "invalid_output"):
        return failure
    if failure.get("reads_answer_key"):
        return failure
    columns = _lacking_in(error, data.lacking_columns) if failure["status"] == "error" else []
    tables = sorted(data.touched)
    if not columns and not tables:
        return failure
    what = []
    if columns:
        what.append(f"needs column(s) {', '.join(columns)} that this log lacks")
    if tables:
        what.append(f"read table(s) {', '.join(tables)}, which this log lacks (empty here)")
    reason = (f"{' and '.join(what)}; {_log_has(data)} (then: {failure.get('reason', '')})")
    return {**failure, "status": "skipped", "phase": "skipped", "reason": reason}


# -- evaluating on a given dataset -------------------------------------------------------------


def is_dataset_folder(path: str | os.PathLike[str]) -> bool:
    return Path(path).is_dir() and (Path(path) / MANIFEST_NAME).is_file()


def data_identity(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """``name`` (the file or folder scored), ``stem`` and ``hash`` of a dataset folder.

    For an imported log the hash covers the source file's sha256, the mapping, the time zone
    and the labels file's sha256 (the import key); for another dataset folder, the sha256 of
    every table file in its manifest.
    """
    manifest = read_manifest(folder)
    if manifest.get("external"):
        source = manifest.get("source") or {}
        name = source.get("file") or Path(folder).name
        digest = content_key(source.get("sha256"), manifest.get("column_mapping"),
                              manifest.get("timezone"),
                              (manifest.get("labels") or {}).get("sha256"),
                              (manifest.get("labels") or {}).get("level"))
        stem = re.sub(r"\.(gz|bz2)$", "", name)
        return {"name": name, "stem": Path(stem).stem or name, "hash": digest,
                "external": True}
    name = Path(folder).resolve().name
    digest = content_key({t: e.get("sha256") for t, e in sorted(manifest["tables"].items())})
    return {"name": name, "stem": name, "hash": digest, "external": False}


#: Sections of :func:`~brushbench.metrics.score_orders` that need order-level truth.
ORDER_SECTIONS = ("orders", "per_pattern", "per_camouflage", "false_alarms", "campaigns",
                  "predictions")


def score_data(test: Dataset, record: Any) -> dict[str, Any]:
    """Metrics of an ok run on a given dataset: what its answer key defines, the rest undefined
    with the reason (never 0).

    With order labels for every order, :func:`~brushbench.metrics.score_orders` as usual. With
    entity labels only (or orders without a label), the buyer and shop sections are scored and
    the order sections are undefined, saying why. Without an answer key everything but the
    counts is undefined.
    """
    from ..metrics import score_orders

    orders = test.orders
    kwargs = {"orders": orders, "buyer_scores": record.buyer_scores,
              "shop_scores": record.shop_scores, "predictions": record.predictions}
    dummy = pd.DataFrame({"order_id": orders["order_id"].to_numpy(),
                          "is_brushing": np.zeros(len(orders), dtype=bool)})
    if not test.has_answer_key:
        result = score_orders(dummy, record.scores, **kwargs)
        return _undefine(result, "the data has no labels (give --labels)")
    labels = test.labels
    external = bool(test.manifest.get("external"))
    campaigns = test.campaigns if not external or len(test.campaigns) else None
    unknown = int(labels["is_brushing"].isna().sum()) if "is_brushing" in labels else len(orders)
    if unknown == 0 and len(labels) == len(orders):
        return score_orders(labels.astype({"is_brushing": bool}), record.scores,
                            entity_labels=test.entity_labels, campaigns=campaigns, **kwargs)
    reason = ((test.manifest.get("labels") or {}).get("order_truth")
              or f"{unknown:,} orders have no order-level label")
    result = score_orders(dummy, record.scores, entity_labels=test.entity_labels, **kwargs)
    for section in ORDER_SECTIONS:
        result[section] = _undefine(result[section], reason)
    return result


def stream_data(info: dict[str, Any], test: Dataset, scores: np.ndarray) -> dict[str, Any]:
    """The ``stream`` section of an ok streaming run on a given dataset: batches and latency,
    and the time to detect each campaign when the answer key has order truth for every order
    (else undefined, with the reason)."""
    from ..metrics import undefined
    from ..runtime.streaming import RESULT_KEYS, stream_results

    reason = None
    if not test.has_answer_key:
        reason = "the data has no labels (give --labels)"
    elif test.labels["is_brushing"].isna().any():
        reason = ((test.manifest.get("labels") or {}).get("order_truth")
                  or "some orders have no order-level label")
    if reason is None:
        return stream_results(info, test, scores)
    return {**{key: info.get(key) for key in RESULT_KEYS}, "time_to_detect": undefined(reason)}


def _undefine(tree: Any, reason: str, keep: tuple[str, ...] = ("n_orders", "source")) -> Any:
    if isinstance(tree, dict):
        if "reason" in tree and tree.get("value", 0) is None:
            return {"value": None, "reason": reason}
        return {k: v if k in keep else _undefine(v, reason, keep) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_undefine(v, reason, keep) for v in tree]
    if isinstance(tree, int | float) and not isinstance(tree, bool):
        return {"value": None, "reason": reason}
    return tree
