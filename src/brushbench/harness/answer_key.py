"""What scoring a run reads of its test dataset, and only that, as compact columns.

Scoring a run (:func:`brushbench.harness.evaluate`) needs four columns of ``orders`` (ids and
the creation time), the answer key and the manifest; not the rest of the log. Loading the
whole dataset and converting it to pandas would hold every column of every table in the
parent, strings as Python objects (tens of bytes an order each): on a log larger than memory
the harness would fail where the detector did not. :func:`read_scoring_data` reads only the
columns the metrics use, file after file of a partitioned table, and turns the label tables'
text columns (pattern, campaign, legitimate kind, role: a handful of distinct values) into
pandas categoricals, one small integer code a row. The metrics get the same values as from
:class:`~brushbench.dataset.Dataset`'s frames, so the results are the same.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from ..dataset import ANSWER_KEY_TABLES, DatasetError
from ..dataset.formats import get as get_format
from ..dataset.frames import to_pandas
from ..dataset.manifest import MANIFEST_NAME, read_manifest, table_files
from ..dataset.tables import table_schema

__all__ = ["KEY_COLUMNS", "ORDER_COLUMNS", "ScoringData", "read_scoring_data"]

#: The columns of ``orders`` that the metrics read: ids to match the answer key and to group
#: by buyer and shop, and the creation time for the time to detect.
ORDER_COLUMNS = ("order_id", "buyer_id", "shop_id", "created_at")
#: The columns of ``labels`` the metrics read (not the shops a campaign served or harmed);
#: the other key tables are read whole (one row per entity or campaign).
KEY_COLUMNS = {"labels": ("order_id", "is_brushing", "pattern", "campaign_id", "legit_kind")}


@dataclass
class ScoringData:
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

    @property
    def has_answer_key(self) -> bool:
        """Whether the dataset carries labels."""
        return bool(self.manifest.get("has_answer_key"))

    @property
    def timezone(self) -> str:
        """The IANA time zone of the timestamps."""
        return str(self.manifest["timezone"])


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
