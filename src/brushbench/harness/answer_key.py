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

__all__ = ["ORDER_COLUMNS", "ScoringData", "read_scoring_data"]

#: The columns of ``orders`` that the metrics read: ids to match the answer key and to group
#: by buyer and shop, and the creation time for the time to detect.
ORDER_COLUMNS = ("order_id", "buyer_id", "shop_id", "created_at")


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
    orders = _frame(_read(path, manifest, "orders", ORDER_COLUMNS))
    key: dict[str, pd.DataFrame] = {}
    for name in ANSWER_KEY_TABLES:
        if manifest.get("has_answer_key") and name in manifest["tables"]:
            key[name] = _frame(_read(path, manifest, name, None), categorical=True)
        else:
            key[name] = _frame(table_schema(name, manifest["timezone"]).empty_table())
    return ScoringData(orders, key["labels"], key["entity_labels"], key["campaigns"], manifest)


def _read(folder: Path, manifest: dict[str, Any], name: str,
          columns: tuple[str, ...] | None) -> pa.Table:
    """Table ``name`` (only ``columns``, if given), its files read one after the other."""
    fmt = get_format(manifest["format"])
    schema = table_schema(name, manifest["timezone"])
    where = folder / MANIFEST_NAME
    parts = []
    for file, entry in table_files(folder, manifest["tables"][name], where):
        try:
            part = fmt.read(file, schema, table=name, columns=columns)
        except (OSError, ValueError, pa.ArrowException) as exc:
            line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DatasetError(f"{file}: cannot read table {name}: {line}") from None
        if part.num_rows != entry["rows"]:
            raise DatasetError(f"{file}: {part.num_rows} rows, manifest says {entry['rows']}")
        parts.append(part)
    if not parts:
        wanted = schema if columns is None else pa.schema([schema.field(c) for c in columns])
        return wanted.empty_table()
    return parts[0] if len(parts) == 1 else pa.concat_tables(parts)


def _frame(table: pa.Table, *, categorical: bool = False) -> pd.DataFrame:
    """``table`` as pandas (:func:`~brushbench.dataset.frames.to_pandas`'s dtypes); with
    ``categorical``, its text columns dictionary-encoded first, so that pandas holds codes
    rather than a Python string per row."""
    if categorical:
        for i, column in enumerate(table.columns):
            if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                table = table.set_column(i, table.field(i).name, column.dictionary_encode())
    return to_pandas(table)
