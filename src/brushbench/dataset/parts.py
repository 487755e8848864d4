"""The part files of a partitioned table: ``orders/part-00000.parquet``, ``part-00001``, ...

A partitioned dataset keeps each table in a folder of its own, cut into parts that are read in
the order of their numbers (rows stay sorted across parts). Any Parquet reader takes such a
folder as one table: ``pyarrow.dataset.dataset("DIR/orders")``, ``pandas.read_parquet``,
``dask.dataframe.read_parquet``, DuckDB's ``read_parquet('DIR/orders/*.parquet')``, Spark.

:class:`PartWriter` writes one part (a generator's worker writes its own parts with it);
:class:`RollingParts` cuts a stream of rows into parts of a fixed number of rows, so that the
parts depend on the rows only, not on how they were batched.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pyarrow as pa

from brushbench.dataset import formats
from brushbench.dataset.conform import conform
from brushbench.dataset.formats import TableSink
from brushbench.dataset.manifest import file_entry
from brushbench.dataset.sinks import ROW_GROUP_SIZE
from brushbench.dataset.tables import table_schema

__all__ = ["PART_ROWS", "PartWriter", "RollingParts", "part_name"]

#: Rows per part of a table cut by row count (buyers, shops, items, ...): eight row groups,
#: large enough for a reader to stream well, small enough that a part is a unit of work.
PART_ROWS = 8 * ROW_GROUP_SIZE


def part_name(index: int, fmt: str | formats.Format) -> str:
    """The file name of part ``index``: ``part-00000.parquet``."""
    if index < 0:
        raise ValueError(f"part index must be >= 0, got {index}")
    return f"part-{index:05d}{formats.get(fmt).suffix}"


class PartWriter:
    """One part file of table ``table`` in the dataset folder ``folder``, written batch by batch.

    Parameters
    ----------
    folder : str or os.PathLike
        The (staging) dataset folder; the part goes to ``folder/table/part-NNNNN.suffix``.
    table : str
        The table's name (its schema and its folder).
    index : int
        The part's number.
    fmt : str
        The file format (:func:`brushbench.dataset.formats.get`).
    timezone : str
        IANA time zone of the timestamp columns.
    """

    def __init__(self, folder: str | os.PathLike[str], table: str, index: int, fmt: str,
                 timezone: str, row_group_size: int = ROW_GROUP_SIZE):
        self.table = table
        self.index = index
        self._schema = table_schema(table, timezone)
        path = Path(folder) / table / part_name(index, fmt)
        path.parent.mkdir(exist_ok=True)
        self._sink: TableSink = formats.get(fmt).open_sink(path, self._schema, row_group_size)

    @property
    def rows(self) -> int:
        return self._sink.rows

    def write(self, batch: pa.Table | pa.RecordBatch) -> None:
        """Append ``batch``, cast to the table's schema (ValueError naming the column)."""
        data = conform(self.table, batch, self._schema)
        try:
            self._sink.write(data)
        except ValueError as exc:  # a value the format cannot hold (CSV: a time before 1902)
            raise ValueError(f"table {self.table}: {exc}") from None

    def close(self) -> dict[str, Any]:
        """Finish and fsync the file; its manifest entry (``file`` is the part's name)."""
        self._sink.close()
        return file_entry(self._sink.path, self._sink.rows)

    def abort(self) -> None:
        try:
            self._sink.abort()
        except Exception:  # the staging folder is deleted next; the file's state is moot
            pass


class RollingParts:
    """Table ``table`` cut into parts of exactly ``part_rows`` rows (the last one shorter),
    numbered from 0; one empty part if no row is written."""

    def __init__(self, folder: str | os.PathLike[str], table: str, fmt: str, timezone: str,
                 part_rows: int = PART_ROWS, row_group_size: int = ROW_GROUP_SIZE):
        if part_rows < 1:
            raise ValueError(f"part_rows must be positive, got {part_rows}")
        self._args = (folder, table)
        self._fmt = fmt
        self._timezone = timezone
        self._part_rows = part_rows
        self._row_group_size = row_group_size
        self._done: list[dict[str, Any]] = []
        self._current: PartWriter | None = None

    @property
    def rows(self) -> int:
        return sum(int(e["rows"]) for e in self._done) + (
            self._current.rows if self._current is not None else 0)

    def _open(self) -> PartWriter:
        if self._current is None:
            self._current = PartWriter(*self._args, len(self._done), self._fmt, self._timezone,
                                       self._row_group_size)
        return self._current

    def write(self, batch: pa.Table | pa.RecordBatch) -> None:
        start = 0
        while start < batch.num_rows:
            part = self._open()
            take = min(self._part_rows - part.rows, batch.num_rows - start)
            part.write(batch.slice(start, take))
            start += take
            if part.rows == self._part_rows:
                self._done.append(part.close())
                self._current = None

    def close(self) -> list[dict[str, Any]]:
        """Finish the last part; the entries of every part, in order."""
        if self._current is not None or not self._done:
            self._done.append(self._open().close())
            self._current = None
        return list(self._done)

    def abort(self) -> None:
        if self._current is not None:
            self._current.abort()
            self._current = None
