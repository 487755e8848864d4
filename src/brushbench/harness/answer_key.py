"""What scoring a run reads of its test dataset, and only that, as compact columns.

:func:`read_answer_columns` is what the harness scores from: it reads the orders and the
answer key a Parquet row group at a time (one row group's columns in memory at once) and
keeps, per order, one small integer (:class:`~brushbench.metrics.key.OrderKey`: the kind of a
legitimate order, or brushing), details of the brushing orders only, and one best score per
buyer and shop seen (:class:`~brushbench.metrics.key.SeenEntities`): no order id, buyer or
shop id or time per order. With the run's scores (8 bytes an order) and the metrics' one sort
of them (8 more), scoring holds 17 bytes an order plus 16 a buyer seen (24 while they are
merged); measured, it grows at about 29 bytes an order on ``double11`` (docs/performance.md).
Its results are those of :func:`~brushbench.metrics.score_orders` on the dataset's frames
(``tests/harness/test_scoring_columns.py``).

:func:`read_scoring_data` (below) is the pandas form, used when the labels are not in the
orders' row order (they must then be joined on ``order_id``, which needs the ids). It reads
four columns of ``orders`` (ids and the creation time) and the answer key, not the rest of
the log: loading the whole dataset and converting it to pandas would hold every column of
every table in the parent, strings as Python objects (tens of bytes an order each).
It reads only the columns the metrics use, file after file of a partitioned table, and turns
the label tables' text columns (pattern, campaign, legitimate kind, role: a handful of
distinct values) into pandas categoricals, one small integer code a row. The metrics get the
same values as from :class:`~brushbench.dataset.Dataset`'s frames, so the results are the
same.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..dataset import ANSWER_KEY_TABLES, DatasetError
from ..dataset.conform import conform
from ..dataset.formats import get as get_format
from ..dataset.frames import to_pandas
from ..dataset.manifest import MANIFEST_NAME, read_manifest, table_files
from ..dataset.tables import table_schema
from ..metrics.key import (
    BRUSHING,
    OrderKey,
    SeenEntities,
    build_key,
    code_type,
    kind_codes,
    merge_seen,
    seen_entities,
)
from ..runtime.streaming import column_to_numpy, epoch_seconds

__all__ = ["KEY_COLUMNS", "ORDER_COLUMNS", "AnswerColumns", "ScoringData",
           "read_answer_columns", "read_scoring_data"]

#: The columns of ``orders`` that the metrics read: ids to match the answer key and to group
#: by buyer and shop, and the creation time for the time to detect.
ORDER_COLUMNS = ("order_id", "buyer_id", "shop_id", "created_at")
#: The columns of ``labels`` the metrics read (not the shops a campaign served or harmed);
#: the other key tables are read whole (one row per entity or campaign).
KEY_COLUMNS = {"labels": ("order_id", "is_brushing", "pattern", "campaign_id", "legit_kind")}


class _ManifestFacts:
    """What a reader's result says from the dataset's manifest."""

    manifest: dict[str, Any]

    @property
    def has_answer_key(self) -> bool:
        """Whether the dataset carries labels."""
        return bool(self.manifest.get("has_answer_key"))

    @property
    def timezone(self) -> str:
        """The IANA time zone of the timestamps."""
        return str(self.manifest["timezone"])


@dataclass
class ScoringData(_ManifestFacts):
    """The part of a test dataset that scoring reads, shaped like a :class:`Dataset`'s frames.

    Attributes
    ----------
    orders : pandas.DataFrame
        :data:`ORDER_COLUMNS` of every order, in the dataset's row order.
    labels, entity_labels, campaigns : pandas.DataFrame
        The answer key (empty frames when the dataset has none); text columns categorical.
    manifest : dict
        The dataset's manifest.
    """

    orders: pd.DataFrame
    labels: pd.DataFrame
    entity_labels: pd.DataFrame
    campaigns: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)


def read_scoring_data(folder: str | os.PathLike[str],
                      manifest: dict[str, Any] | None = None) -> ScoringData:
    """The orders' ids and times and the answer key of a dataset folder (no other column).

    Parameters
    ----------
    folder : path
        A dataset folder (one file per table or partitioned), already checked by the caller.
    manifest : dict, optional
        Its manifest (read from the folder when not given; pass the one recorded before a
        run so that scoring does not trust a manifest the detector could have rewritten).

    Raises
    ------
    DatasetError
        A file cannot be read to its table's schema, or its rows differ from the manifest.
    """
    path = Path(folder)
    manifest = dict(read_manifest(path) if manifest is None else manifest)
    frames = {"orders": _read_frame(path, manifest, "orders", ORDER_COLUMNS)}
    for name in ANSWER_KEY_TABLES:
        columns = KEY_COLUMNS.get(name) or tuple(table_schema(name, "UTC").names)
        if manifest.get("has_answer_key") and name in manifest["tables"]:
            frames[name] = _read_frame(path, manifest, name, columns, categorical=True)
        else:
            schema = table_schema(name, manifest["timezone"])
            frames[name] = to_pandas(pa.schema([schema.field(c) for c in columns])
                                     .empty_table())
    # Arrow's allocator keeps freed pages for reuse; scoring allocates with numpy from here on.
    pa.default_memory_pool().release_unused()
    return ScoringData(frames["orders"], frames["labels"], frames["entity_labels"],
                       frames["campaigns"], manifest)


def _read_frame(folder: Path, manifest: dict[str, Any], name: str, columns: tuple[str, ...],
                *, categorical: bool = False) -> pd.DataFrame:
    """``columns`` of table ``name`` as pandas (:func:`~brushbench.dataset.frames.to_pandas`'s
    dtypes), its files read one after the other.

    A columnar format is read one column at a time over all the files, each column converted
    before the next is read: the peak is the frame plus one column in Arrow, not the frame
    twice (a CSV file is parsed once for all its columns). With ``categorical``, text
    columns are dictionary-encoded as each file is read, so that they are held as codes
    rather than a string (then a Python object) per row.
    """
    fmt = get_format(manifest["format"])
    schema = table_schema(name, manifest["timezone"])
    files = list(table_files(folder, manifest["tables"][name], folder / MANIFEST_NAME))
    groups = [columns] if fmt.text else [(c,) for c in columns]
    data: dict[str, Any] = {}
    for group in groups:
        chunks: dict[str, list[pa.Array]] = {c: [] for c in group}
        for file, entry in files:
            part = _read_file(fmt, file, schema, name, group)
            if part.num_rows != entry["rows"]:
                raise DatasetError(f"{file}: {part.num_rows} rows, manifest says "
                                   f"{entry['rows']}")
            for column in group:
                values = part.column(column)
                if categorical and _is_text(values.type):
                    values = values.dictionary_encode()
                chunks[column].extend(values.chunks)
            del part
        for column in group:
            pieces = chunks.pop(column)
            kind = pieces[0].type if pieces else schema.field(column).type
            table = pa.table({column: pa.chunked_array(pieces, type=kind)})
            del pieces
            if pa.types.is_dictionary(kind):
                table = table.unify_dictionaries()
            data[column] = to_pandas(table)[column]
            del table
    rows = len(data[columns[0]])
    return pd.DataFrame(data, index=pd.RangeIndex(rows), copy=False)


def _read_file(fmt: Any, file: Path, schema: pa.Schema, name: str,
               columns: tuple[str, ...]) -> pa.Table:
    try:
        table: pa.Table = fmt.read(file, schema, table=name, columns=columns)
    except (OSError, ValueError, pa.ArrowException) as exc:
        line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatasetError(f"{file}: cannot read table {name}: {line}") from None
    return table


def _is_text(kind: pa.DataType) -> bool:
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


# -- the compact form ---------------------------------------------------------------------------

#: The entity sections and the column of ``orders`` naming their entity.
ENTITY_COLUMNS = (("buyers", "buyer_id"), ("shops", "shop_id"))


@dataclass
class AnswerColumns(_ManifestFacts):
    """What scoring reads of a test dataset, in columns of a byte or two an order.

    Attributes
    ----------
    n_orders : int
        Orders in the dataset.
    key : OrderKey or None
        The answer key of every order, in the orders' row order (with the brushing orders'
        creation times); None without one (no answer key, or a labels table with another
        number of rows than the orders).
    n_label_rows, n_unknown : int
        Rows of ``labels``, and of them those whose ``is_brushing`` is null (no order truth).
    seen : dict
        ``{"buyers": SeenEntities, "shops": SeenEntities}``: each entity of the orders with
        the best score of its orders.
    entity_labels, campaigns : pandas.DataFrame
        The answer key's small tables (one row per entity role or campaign; empty when none).
    manifest : dict
        The dataset's manifest.
    """

    n_orders: int
    key: OrderKey | None
    n_label_rows: int
    n_unknown: int
    seen: dict[str, SeenEntities]
    entity_labels: pd.DataFrame
    campaigns: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)


def read_answer_columns(folder: str | os.PathLike[str], scores: np.ndarray,
                        manifest: dict[str, Any] | None = None) -> AnswerColumns | None:
    """The answer key of a dataset folder as :class:`AnswerColumns`, read part by part.

    Parameters
    ----------
    folder : path
        A dataset folder (one file per table or partitioned), already checked by the caller.
    scores : array of float64, shape (n_orders,)
        The run's order scores, in the orders' row order: each buyer's and shop's best score
        is taken as their orders are read, so that no entity id per order is kept.
    manifest : dict, optional
        Its manifest (read from the folder when not given).

    Returns
    -------
    AnswerColumns or None
        None when the labels are not in the orders' row order (then they must be joined on
        ``order_id``: :func:`read_scoring_data`).

    Raises
    ------
    DatasetError
        A file cannot be read to its table's schema, or its rows differ from the manifest.
    """
    path = Path(folder)
    manifest = dict(read_manifest(path) if manifest is None else manifest)
    tables = manifest["tables"]
    n = int(tables["orders"]["rows"])
    if len(scores) != n:
        raise ValueError(f"{len(scores)} scores for {n} orders")
    labelled = bool(manifest.get("has_answer_key")) and "labels" in tables
    n_label_rows = int(tables["labels"]["rows"]) if labelled else 0
    aligned = labelled and n_label_rows == n
    small = {name: _small_table(path, manifest, name) for name in ("entity_labels", "campaigns")}
    runs: dict[str, list[SeenEntities]] = {name: [] for name, _ in ENTITY_COLUMNS}
    reader = _KeyReader(n) if aligned else None
    order_columns = (("order_id", "created_at") if aligned else ()) + tuple(
        column for _, column in ENTITY_COLUMNS)
    labels = _Cursor(_parts(path, manifest, "labels", KEY_COLUMNS["labels"]) if aligned
                     else iter(()))
    at = 0
    for orders in _parts(path, manifest, "orders", order_columns):
        rows = orders.num_rows
        part_scores = scores[at:at + rows]
        for name, column in ENTITY_COLUMNS:
            ids = orders.column(column)
            valid = ids.is_valid() if ids.null_count else None
            values = _int64(ids.fill_null(0) if valid is not None else ids)
            if valid is not None:
                mask = _bool(valid)
                runs[name].append(seen_entities(values[mask], part_scores[mask]))
            else:
                runs[name].append(seen_entities(values, part_scores))
            _compact(runs[name])
        if reader is not None:
            if not reader.add(orders, labels.take(rows), at):
                return None
        at += rows
        del orders
    key, n_unknown = (reader.key(), reader.unknown) if reader is not None else (
        None, _null_count(path, manifest) if labelled else 0)
    pa.default_memory_pool().release_unused()
    return AnswerColumns(n, key, n_label_rows, n_unknown,
                         {name: merge_seen(r) if r else SeenEntities(np.zeros(0, np.int64),
                                                                     np.zeros(0))
                          for name, r in runs.items()},
                         small["entity_labels"], small["campaigns"], manifest)


class _KeyReader:
    """Builds an :class:`OrderKey` from aligned chunks of ``orders`` and ``labels``."""

    def __init__(self, n: int) -> None:
        self.kind = np.empty(n, dtype=np.int8)
        self.names: dict[str, int] = {}
        self.positive: list[np.ndarray] = []
        self.pattern: list[pa.Array] = []
        self.campaign: list[pa.Array] = []
        self.created: list[np.ndarray] = []
        self.kind_rows = np.zeros(0, dtype=np.int64)
        self.unknown = 0

    def add(self, orders: pa.Table, labels: pa.Table, at: int) -> bool:
        """Add the rows ``at .. at + len`` (False when their order ids differ)."""
        if not np.array_equal(_int64(orders.column("order_id")),
                              _int64(labels.column("order_id"))):
            return False
        truth = labels.column("is_brushing")
        self.unknown += truth.null_count
        local = np.flatnonzero(_bool(truth.fill_null(False)))
        rows = labels.num_rows
        start = at
        for chunk in labels.column("legit_kind").chunks:
            encoded = chunk.dictionary_encode()
            codes = _int64(encoded.indices.fill_null(-1))
            values = kind_codes(codes, encoded.dictionary.to_pylist(), self.names)
            if np.iinfo(self.kind.dtype).max < len(self.names):
                self.kind = self.kind.astype(code_type(len(self.names)))
            self.kind[start:start + len(chunk)] = values
            counts = np.bincount(values, minlength=len(self.names))
            self.kind_rows = np.concatenate(
                [self.kind_rows, np.zeros(len(counts) - len(self.kind_rows), np.int64)]) + counts
            start += len(chunk)
        assert start == at + rows
        self.kind[local + at] = BRUSHING
        self.positive.append(local + at)
        picked = pa.array(local, type=pa.int64())
        for name, into in (("pattern", self.pattern), ("campaign_id", self.campaign)):
            into.append(labels.column(name).take(picked).combine_chunks())
        self.created.append(epoch_seconds(orders.column("created_at").take(picked)))
        return True

    def key(self) -> OrderKey:
        def values(arrays: list[pa.Array]) -> np.ndarray:
            joined = pa.chunked_array(arrays, type=pa.string())
            return np.asarray(joined.to_numpy(zero_copy_only=False), dtype=object)

        positive = (np.concatenate(self.positive) if self.positive
                    else np.zeros(0, dtype=np.int64))
        created = (np.concatenate(self.created) if self.created
                   else np.zeros(0, dtype=np.int64))
        return build_key(len(self.kind), self.kind, list(self.names), positive,
                         values(self.pattern), values(self.campaign), created, self.kind_rows)


def _compact(runs: list[SeenEntities]) -> None:
    """Merge the last runs while the one before is at most twice the last: the runs' sizes
    then fall geometrically, so they hold at most about twice the entities seen."""
    while len(runs) >= 2 and len(runs[-2].ids) <= 2 * len(runs[-1].ids):
        last = runs.pop()
        runs.append(merge_seen([runs.pop(), last]))


def _parts(folder: Path, manifest: dict[str, Any], name: str,
           columns: tuple[str, ...]) -> Iterator[pa.Table]:
    """``columns`` of table ``name``, file after file, rows checked against the manifest; a
    Parquet file a row group at a time (the unit it is compressed in), so that what is held
    at once is a row group's columns, not a part's."""
    fmt = get_format(manifest["format"])
    schema = table_schema(name, manifest["timezone"])
    for file, entry in table_files(folder, manifest["tables"][name], folder / MANIFEST_NAME):
        if fmt.name != "parquet":
            part = _read_file(fmt, file, schema, name, columns)
            if part.num_rows != entry["rows"]:
                raise DatasetError(f"{file}: {part.num_rows} rows, manifest says "
                                   f"{entry['rows']}")
            yield part
            continue
        wanted = pa.schema([schema.field(c) for c in columns])
        try:
            with pq.ParquetFile(file) as parquet:
                rows = parquet.metadata.num_rows
                if rows != entry["rows"]:
                    raise DatasetError(f"{file}: {rows} rows, manifest says {entry['rows']}")
                for group in range(parquet.num_row_groups):
                    # conform() as the format's own reader does (Parquet's ms back to s).
                    yield conform(name, parquet.read_row_group(group, columns=list(columns)),
                                  wanted)
        except DatasetError:
            raise
        except (OSError, ValueError, pa.ArrowException) as exc:
            line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DatasetError(f"{file}: cannot read table {name}: {line}") from None


class _Cursor:
    """The rows of a table's parts, handed out in runs of any length (the labels' parts need
    not end where the orders' do)."""

    def __init__(self, parts: Iterator[pa.Table]) -> None:
        self.parts = parts
        self.held: pa.Table | None = None

    def take(self, rows: int) -> pa.Table:
        """The next ``rows`` rows (zero-copy slices of at most two parts in general)."""
        pieces = []
        while rows > 0:
            if self.held is None or self.held.num_rows == 0:
                self.held = next(self.parts, None)
                if self.held is None:
                    raise DatasetError("labels has fewer rows than its manifest says")
            piece = self.held.slice(0, rows)
            self.held = self.held.slice(piece.num_rows)
            pieces.append(piece)
            rows -= piece.num_rows
        return pieces[0] if len(pieces) == 1 else pa.concat_tables(pieces)


def _small_table(folder: Path, manifest: dict[str, Any], name: str) -> pd.DataFrame:
    """A whole answer-key table (one row per entity role or campaign) as pandas."""
    columns = tuple(table_schema(name, "UTC").names)
    if manifest.get("has_answer_key") and name in manifest["tables"]:
        return _read_frame(folder, manifest, name, columns, categorical=True)
    schema = table_schema(name, manifest["timezone"])
    return to_pandas(pa.schema([schema.field(c) for c in columns]).empty_table())


def _null_count(folder: Path, manifest: dict[str, Any]) -> int:
    """Labels rows without order truth (``is_brushing`` null)."""
    return sum(part.column("is_brushing").null_count
               for part in _parts(folder, manifest, "labels", ("is_brushing",)))


def _int64(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return column_to_numpy(column, np.int64)


def _bool(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return column_to_numpy(column, np.bool_)
