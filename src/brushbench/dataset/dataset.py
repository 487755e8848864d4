"""The :class:`Dataset` a detector receives: the tables of one order log, as Arrow and pandas."""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from typing import Any

import pandas as pd
import pyarrow as pa

from brushbench.dataset.conform import conform
from brushbench.dataset.frames import to_pandas
from brushbench.dataset.manifest import RESERVED_KEYS
from brushbench.dataset.tables import ANSWER_KEY_TABLES, OBSERVED_TABLES, TABLES, table_schema
from brushbench.dataset.writer import DatasetWriter, check_timezone

_WITHHELD = ("the answer key is withheld from this dataset (it was loaded without one, "
             "or made by without_answer_key())")


def _infer_timezone(tables: Mapping[str, pa.Table]) -> str | None:
    for table in tables.values():
        for field in table.schema:
            if pa.types.is_timestamp(field.type) and field.type.tz:
                return str(field.type.tz)
    return None


def _table_property(name: str) -> property:
    def get(self: Dataset) -> pd.DataFrame:
        return self._frame(name)

    key = " Part of the answer key: missing (AttributeError) when withheld." \
        if name in ANSWER_KEY_TABLES else ""
    get.__doc__ = f"The ``{name}`` table as a pandas DataFrame (cached; copy before changing).{key}"
    return property(get)


class Dataset:
    """One generated order log: its tables and its manifest.

    Parameters
    ----------
    tables : mapping of str to pyarrow.Table
        Tables by name (see :data:`brushbench.dataset.TABLES`). Each is cast to its schema.
        An observed table that is not given is empty. Giving any answer-key table makes the
        dataset carry the answer key (the other key tables are then empty if not given).
    manifest : mapping, optional
        The manifest read from disk, or the fields to write into one (scenario, seed, ...).
    timezone : str, optional
        IANA time zone of the timestamps; defaults to ``manifest["timezone"]``, then to the
        zone of the first timestamp column found.

    Attributes
    ----------
    orders, shipments, refunds, reviews, buyers, shops, items : pandas.DataFrame
        The observed tables, converted once and cached. Timestamps are timezone-aware;
        integer and boolean columns with nulls use pandas' nullable dtypes (``Int64``, ...).
    labels, entity_labels, campaigns : pandas.DataFrame
        The answer key; accessing them raises AttributeError when it is withheld.

    Examples
    --------
    >>> data = brushbench.dataset.load("out/double11")          # doctest: +SKIP
    >>> data.orders.groupby("shop_id").size()                    # doctest: +SKIP
    >>> test = data.without_answer_key()                         # doctest: +SKIP
    """

    orders = _table_property("orders")
    shipments = _table_property("shipments")
    refunds = _table_property("refunds")
    reviews = _table_property("reviews")
    buyers = _table_property("buyers")
    shops = _table_property("shops")
    items = _table_property("items")
    labels = _table_property("labels")
    entity_labels = _table_property("entity_labels")
    campaigns = _table_property("campaigns")

    def __init__(
        self,
        tables: Mapping[str, pa.Table],
        manifest: Mapping[str, Any] | None = None,
        *,
        timezone: str | None = None,
    ):
        manifest = copy.deepcopy(dict(manifest or {}))
        unknown = sorted(set(tables) - set(TABLES))
        if unknown:
            raise ValueError(f"unknown table(s) {', '.join(unknown)}; tables are "
                             f"{', '.join(TABLES)}")
        tz = timezone or manifest.get("timezone") or _infer_timezone(tables)
        if tz is None:
            raise ValueError("cannot tell the time zone: pass timezone= or a manifest with one")
        self._timezone = check_timezone(tz)
        has_key = any(name in tables for name in ANSWER_KEY_TABLES)
        names = TABLES if has_key else OBSERVED_TABLES
        self._tables: dict[str, pa.Table] = {}
        for name in names:
            schema = table_schema(name, self._timezone)
            given = tables.get(name)
            self._tables[name] = schema.empty_table() if given is None \
                else conform(name, given, schema)
        manifest["timezone"] = self._timezone
        manifest["has_answer_key"] = has_key
        if not has_key and "tables" in manifest:
            manifest["tables"] = {k: v for k, v in manifest["tables"].items()
                                  if k not in ANSWER_KEY_TABLES}
        self._manifest = manifest
        self._frames: dict[str, pd.DataFrame] = {}

    @property
    def table_names(self) -> tuple[str, ...]:
        """Names of the tables this dataset holds, in the canonical order."""
        return tuple(self._tables)

    @property
    def has_answer_key(self) -> bool:
        """Whether ``labels``, ``entity_labels`` and ``campaigns`` are present."""
        return ANSWER_KEY_TABLES[0] in self._tables

    @property
    def timezone(self) -> str:
        """IANA time zone of every timestamp column."""
        return self._timezone

    @property
    def manifest(self) -> dict[str, Any]:
        """A copy of the manifest (changing it does not change the dataset)."""
        return copy.deepcopy(self._manifest)

    def arrow(self, name: str) -> pa.Table:
        """The table ``name`` as a pyarrow Table (zero-copy, immutable).

        Raises
        ------
        KeyError
            Unknown table, or an answer-key table when the answer key is withheld.
        """
        try:
            return self._tables[name]
        except KeyError:
            if name in ANSWER_KEY_TABLES:
                raise KeyError(f"{name}: {_WITHHELD}") from None
            raise KeyError(f"unknown table {name!r}; tables are "
                           f"{', '.join(self._tables)}") from None

    def _frame(self, name: str) -> pd.DataFrame:
        frame = self._frames.get(name)
        if frame is None:
            if name not in self._tables:
                raise AttributeError(f"{name}: {_WITHHELD}")
            frame = self._frames[name] = to_pandas(self._tables[name])
        return frame

    def without_answer_key(self) -> Dataset:
        """A new Dataset sharing the observed tables, without ``labels`` and the other key tables.

        This is what a detector under test receives.
        """
        observed = {name: self._tables[name] for name in OBSERVED_TABLES}
        return Dataset(observed, self._manifest, timezone=self._timezone)

    def write(
        self,
        out_dir: str | os.PathLike[str],
        fmt: str = "parquet",
        *,
        overwrite: bool = False,
        answer_key: bool | None = None,
    ) -> dict[str, Any]:
        """Write the dataset to a folder with :class:`DatasetWriter`.

        Parameters
        ----------
        out_dir : str or os.PathLike
            Folder to create.
        fmt : {"parquet", "csv"}
            File format.
        overwrite : bool
            Replace an existing dataset folder.
        answer_key : bool, optional
            Include the answer key; defaults to whether this dataset has it.

        Returns
        -------
        dict
            The manifest written; its extra fields (scenario, seed, generator_version, ...)
            are carried over from this dataset's manifest.
        """
        if answer_key is None:
            answer_key = self.has_answer_key
        elif answer_key and not self.has_answer_key:
            raise ValueError(f"cannot write an answer key: {_WITHHELD}")
        fields = {k: v for k, v in self._manifest.items() if k not in RESERVED_KEYS}
        with DatasetWriter(out_dir, timezone=self._timezone, fmt=fmt, overwrite=overwrite,
                           answer_key=answer_key) as writer:
            for name in writer.tables:
                writer.write(name, self._tables[name])
            return writer.close(fields)

    def __dir__(self) -> list[str]:
        withheld = set(TABLES) - set(self._tables)
        return sorted(set(super().__dir__()) - withheld)

    def __repr__(self) -> str:
        described = [f"{k}={self._manifest[k]!r}" for k in ("scenario", "seed", "scale")
                     if k in self._manifest]
        key = "included" if self.has_answer_key else "withheld"
        head = " ".join([*described, f"timezone={self._timezone!r}", f"answer_key={key}"])
        width = max(len(name) for name in self._tables)
        lines = [f"  {name:<{width}}  {table.num_rows:>12,} rows"
                 for name, table in self._tables.items()]
        return "\n".join([f"<brushbench.Dataset {head}", *lines]) + ">"
