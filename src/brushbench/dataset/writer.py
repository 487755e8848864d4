"""Write a dataset folder: streamed, deterministic, and atomic.

Files are written into a hidden sibling folder (``.<name>.tmp-<pid>``) which is renamed to the
final name only by a clean :meth:`DatasetWriter.close`; on an exception it is deleted. A folder
under the final name is therefore always complete, with its manifest.

A partitioned writer (``partitioned=True``) puts each table in a folder of parts
(:mod:`brushbench.dataset.parts`): the rows given to :meth:`DatasetWriter.write` are cut into
parts of a fixed number of rows, and parts written by other processes into :attr:`staging`
are declared with :meth:`DatasetWriter.add_part`.
"""

from __future__ import annotations

import os
import shutil
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import pyarrow as pa

from brushbench.dataset import formats
from brushbench.dataset._fs import fresh_sibling, fsync_dir, publish
from brushbench.dataset.conform import conform
from brushbench.dataset.formats import TableSink
from brushbench.dataset.manifest import (
    MANIFEST_NAME,
    build_manifest,
    file_entry,
    parts_entry,
    write_manifest,
)
from brushbench.dataset.parts import PART_ROWS, RollingParts
from brushbench.dataset.sinks import ROW_GROUP_SIZE
from brushbench.dataset.tables import OBSERVED_TABLES, TABLES, table_schema


def check_timezone(timezone: str) -> str:
    """Return ``timezone`` if it is an IANA zone name (``Asia/Shanghai``), else raise ValueError."""
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"unknown time zone {timezone!r}; use an IANA name such as "
                         "'Asia/Shanghai'") from None
    return timezone


def _check_replaceable(out_dir: Path, overwrite: bool) -> None:
    if not (out_dir.exists() or out_dir.is_symlink()):
        return
    if not overwrite:
        raise FileExistsError(f"{out_dir} already exists; pass overwrite=True to replace it")
    # Refuse to delete something that is not a dataset: a typo must not cost a home directory.
    if not out_dir.is_dir() or out_dir.is_symlink():
        raise FileExistsError(f"{out_dir} exists and is not a folder; not replacing it")
    if not (out_dir / MANIFEST_NAME).is_file() and any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} exists and has no {MANIFEST_NAME}, so it does not look "
                              "like a brushbench dataset; not replacing it")


class DatasetWriter:
    """Stream tables into a new dataset folder.

    Parameters
    ----------
    out_dir : str or os.PathLike
        The dataset folder to create. Its parent is created if needed.
    timezone : str
        IANA time zone of every timestamp column (``"Asia/Shanghai"``).
    fmt : str
        File format of the tables: a name of :func:`brushbench.dataset.formats.names`
        (``"parquet"``, ``"csv"``).
    overwrite : bool
        Replace ``out_dir`` if it exists (only if it looks like a dataset folder or is empty).
        Otherwise an existing ``out_dir`` raises :class:`FileExistsError`, here and at close.
    answer_key : bool
        Write ``labels``, ``entity_labels`` and ``campaigns``. When False those tables are
        omitted entirely and writing one raises ValueError.
    row_group_size : int
        Rows per Parquet row group. Row groups do not follow the batches given to
        :meth:`write`, so the bytes depend only on the rows and their order.
    manifest_fields : mapping, optional
        Extra manifest fields (scenario, scenario_hash, seed, scale, ...); more may be given
        to :meth:`close`.
    partitioned : bool
        Write each table as a folder of parts (``orders/part-00000.parquet``, ...) rather than
        one file; the manifest then has schema version 2.
    part_rows : int
        Rows per part of a table given to :meth:`write` in a partitioned dataset.

    Examples
    --------
    >>> with DatasetWriter("out/ds", timezone="Asia/Shanghai") as w:  # doctest: +SKIP
    ...     for shard in shards:
    ...         w.write("orders", shard.orders)
    ...     w.close({"scenario": "double11", "seed": 7})
    """

    def __init__(
        self,
        out_dir: str | os.PathLike[str],
        *,
        timezone: str,
        fmt: str = "parquet",
        overwrite: bool = False,
        answer_key: bool = True,
        row_group_size: int = ROW_GROUP_SIZE,
        manifest_fields: Mapping[str, Any] | None = None,
        partitioned: bool = False,
        part_rows: int = PART_ROWS,
    ):
        self.format = formats.get(fmt)  # ValueError naming the known formats
        if row_group_size < 1:
            raise ValueError(f"row_group_size must be positive, got {row_group_size}")
        self.out_dir = Path(out_dir).absolute()
        self.timezone = check_timezone(timezone)
        self.fmt = self.format.name
        self.overwrite = overwrite
        self.answer_key = answer_key
        self.tables = TABLES if answer_key else OBSERVED_TABLES
        self._row_group_size = row_group_size
        self._fields = dict(manifest_fields or {})
        _check_replaceable(self.out_dir, overwrite)  # fail before hours of generation, not after
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = fresh_sibling(self.out_dir, "tmp")
        self._tmp.mkdir()
        self._sinks: dict[str, TableSink] = {}
        self.partitioned = partitioned
        if part_rows < 1:
            raise ValueError(f"part_rows must be positive, got {part_rows}")
        self._part_rows = part_rows
        self._rolling: dict[str, RollingParts] = {}
        self._added: dict[str, dict[int, dict[str, Any]]] = {}
        self._state = "open"

    @property
    def staging(self) -> Path:
        """The hidden folder being filled; it becomes ``out_dir`` at :meth:`close`."""
        return self._tmp

    @property
    def rows(self) -> dict[str, int]:
        """Rows written so far, per table that has been written to."""
        rows = {name: sink.rows for name, sink in self._sinks.items()}
        rows.update({name: parts.rows for name, parts in self._rolling.items()})
        for name, added in self._added.items():
            rows[name] = sum(int(e["rows"]) for e in added.values())
        return rows

    def _sink(self, name: str) -> TableSink:
        sink = self._sinks.get(name)
        if sink is None:
            sink = self.format.open_sink(self._tmp / self.format.file_name(name),
                                         table_schema(name, self.timezone), self._row_group_size)
            self._sinks[name] = sink
        return sink

    def write(self, table: str, batch: pa.Table | pa.RecordBatch) -> None:
        """Append ``batch`` to table ``table``, cast to the table's schema.

        Raises
        ------
        ValueError
            Unknown table, an answer-key table when ``answer_key=False``, or a batch whose
            columns or types do not match the schema (the message names the column).
        RuntimeError
            If the writer is already closed.
        """
        if self._state != "open":
            raise RuntimeError(f"DatasetWriter for {self.out_dir} is {self._state}")
        self._check_table(table)
        if self.partitioned:
            if table in self._added:
                raise ValueError(f"table {table}: its parts are added with add_part, not "
                                 "written")
            parts = self._rolling.get(table)
            if parts is None:
                parts = self._rolling[table] = RollingParts(
                    self._tmp, table, self.fmt, self.timezone, self._part_rows,
                    self._row_group_size)
            parts.write(batch)  # each part conforms its rows
            return
        data = conform(table, batch, table_schema(table, self.timezone))
        try:
            self._sink(table).write(data)
        except ValueError as exc:  # a value the format cannot hold (CSV: a time before 1902)
            raise ValueError(f"table {table}: {exc}") from None

    def _check_table(self, table: str) -> None:
        if table not in TABLES:
            raise ValueError(f"unknown table {table!r}; tables are {', '.join(TABLES)}")
        if table not in self.tables:
            raise ValueError(f"table {table} is part of the answer key, which this writer "
                             "omits (answer_key=False)")

    def add_part(self, table: str, index: int, entry: Mapping[str, Any]) -> None:
        """Declare part ``index`` of ``table``, already written into :attr:`staging` (by
        :class:`brushbench.dataset.parts.PartWriter`, maybe in another process); ``entry`` is
        what its ``close`` returned. The parts of a table must be numbered 0, 1, ... with no
        gap by :meth:`close`.

        Raises
        ------
        ValueError
            Not a partitioned writer, an unknown or omitted table, a table also given to
            :meth:`write`, or a part declared twice.
        """
        if self._state != "open":
            raise RuntimeError(f"DatasetWriter for {self.out_dir} is {self._state}")
        if not self.partitioned:
            raise ValueError("add_part needs a partitioned DatasetWriter")
        self._check_table(table)
        if table in self._rolling:
            raise ValueError(f"table {table}: its rows are written, not added as parts")
        added = self._added.setdefault(table, {})
        if index in added:
            raise ValueError(f"table {table}: part {index} added twice")
        added[index] = dict(entry)

    def _parted_entries(self) -> dict[str, dict[str, Any]]:
        entries = {}
        for name in self.tables:
            if name in self._added:
                added = self._added[name]
                if sorted(added) != list(range(len(added))):
                    raise ValueError(f"table {name}: parts {sorted(added)} are not numbered "
                                     "0, 1, ... without a gap")
                parts = [added[i] for i in range(len(added))]
            else:
                rolling = self._rolling.get(name)
                if rolling is None:  # never written: one empty part with the schema
                    rolling = self._rolling[name] = RollingParts(
                        self._tmp, name, self.fmt, self.timezone, self._part_rows)
                parts = rolling.close()
            entries[name] = parts_entry(name, parts)
        return entries

    def close(self, manifest_fields: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Finish every file, write ``manifest.json`` and move the folder into place.

        Tables never written get a file with zero rows and the schema.

        Parameters
        ----------
        manifest_fields : mapping, optional
            Extra manifest fields, merged over those given to the constructor. They may not
            set ``schema_version``, ``format``, ``timezone``, ``tables`` or ``has_answer_key``;
            ``generator_version`` defaults to the running generator's.

        Returns
        -------
        dict
            The manifest as written.
        """
        if self._state != "open":
            raise RuntimeError(f"DatasetWriter for {self.out_dir} is {self._state}")
        try:
            entries = {}
            if self.partitioned:
                entries = self._parted_entries()
            for name in () if self.partitioned else self.tables:
                sink = self._sink(name)
                sink.close()
                entries[name] = file_entry(sink.path, sink.rows)
            manifest = build_manifest(
                fmt=self.fmt, timezone=self.timezone, tables=entries,
                has_answer_key=self.answer_key, extra={**self._fields, **(manifest_fields or {})},
            )
            for name in entries if self.partitioned else ():
                if (self._tmp / name).is_dir():  # parts uploaded elsewhere leave none here
                    fsync_dir(self._tmp / name)
            write_manifest(self._tmp, manifest)
            fsync_dir(self._tmp)
            _check_replaceable(self.out_dir, self.overwrite)  # it may have appeared meanwhile
            publish(self._tmp, self.out_dir, replace=self.out_dir.exists())
        except BaseException:
            self.abort()
            raise
        self._state = "closed"
        return manifest

    def abort(self) -> None:
        """Drop everything written so far; ``out_dir`` is left as it was. Safe to call twice."""
        if self._state == "open":
            for sink in self._sinks.values():
                try:
                    sink.abort()
                except Exception:  # the file is about to be deleted; its state does not matter
                    pass
            for parts in self._rolling.values():
                parts.abort()
        shutil.rmtree(self._tmp, ignore_errors=True)
        if self._state != "closed":
            self._state = "aborted"

    def __enter__(self) -> DatasetWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is not None:
            self.abort()
        elif self._state == "open":
            self.close()

