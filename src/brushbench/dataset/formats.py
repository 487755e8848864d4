"""The file formats of a dataset's tables: one record per format, looked up by name or path.

A :class:`Format` says what a format is called (the ``format`` of a manifest, ``--format`` on
the command line), the suffix of its files, whether it is text, and how a table file is written
(:attr:`Format.open_sink`) and read back to its schema (:attr:`Format.read`). Code that writes or
reads a dataset looks the format up here instead of branching on its name:

>>> from brushbench.dataset import formats
>>> formats.names()
('parquet', 'csv')
>>> formats.get("csv").suffix
'.csv'
>>> formats.for_path("orders.parquet").name
'parquet'
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyarrow as pa
import pyarrow.ipc
import pyarrow.parquet as pq

from brushbench.dataset.conform import conform
from brushbench.dataset.csvio import read_csv_table
from brushbench.dataset.errors import DatasetError
from brushbench.dataset.sinks import ROW_GROUP_SIZE, ArrowSink, CsvSink, ParquetSink

__all__ = ["ARROW", "CSV", "FORMATS", "PARQUET", "Format", "TableSink", "for_path", "get", "names",
           "read_table_file"]


class TableSink(Protocol):
    """One table file being written (:mod:`brushbench.dataset.sinks`)."""

    path: Path
    rows: int

    def write(self, table: pa.Table) -> None: ...

    def close(self) -> None: ...

    def abort(self) -> None: ...


class SinkOpener(Protocol):
    def __call__(self, path: Path, schema: pa.Schema,
                 row_group_size: int = ROW_GROUP_SIZE) -> TableSink: ...


class TableReader(Protocol):
    def __call__(self, path: Path, schema: pa.Schema, *, table: str,
                 columns: Sequence[str] | None = None) -> pa.Table: ...


@dataclass(frozen=True)
class Format:
    """One file format of a dataset's tables.

    Attributes
    ----------
    name : str
        Its name in a manifest and on the command line (``"parquet"``).
    suffix : str
        Suffix of the files it writes, with the dot (``".parquet"``).
    text : bool
        Whether its files are text (rows are lines, a spreadsheet opens them).
    open_sink : callable
        ``open_sink(path, schema, row_group_size)``: a new file, written batch by batch
        (:class:`TableSink`); ``row_group_size`` means nothing to a text format.
    read : callable
        ``read(path, schema, table=name, columns=None)``: a file of this format read back to
        exactly ``schema`` (or to the ``columns`` of it, in that order, reading no others);
        ``table`` names it in messages. Raises OSError, ValueError or ``pyarrow.ArrowException``.
    also_named : tuple of str
        Further suffixes of files of this format (``.pq``), recognised by :func:`for_path`.
    how_to_read : str
        One line telling a reader what the files are and how to open them (the handout's).
    """

    name: str
    suffix: str
    text: bool
    open_sink: SinkOpener
    read: TableReader
    also_named: tuple[str, ...] = ()
    how_to_read: str = ""

    @property
    def suffixes(self) -> tuple[str, ...]:
        """Every suffix :func:`for_path` takes for this format, its own first."""
        return (self.suffix, *self.also_named)

    def file_name(self, table: str) -> str:
        """The file name of table ``table`` (``orders.parquet``)."""
        return f"{table}{self.suffix}"


def _open_parquet(path: Path, schema: pa.Schema,
                  row_group_size: int = ROW_GROUP_SIZE) -> TableSink:
    return ParquetSink(path, schema, row_group_size)


def _read_parquet(path: Path, schema: pa.Schema, *, table: str,
                  columns: Sequence[str] | None = None) -> pa.Table:
    if columns is not None:
        schema = pa.schema([schema.field(c) for c in columns])
    # Parquet has no second-precision timestamps; conform() casts ms back to s safely.
    # ParquetFile rather than read_table: one file needs no dataset layer, and read_table's
    # imports pandas, which a harness that only copies tables should not pay for.
    with pq.ParquetFile(path) as file:
        data = file.read(columns=None if columns is None else list(columns))
    return conform(table, data, schema)


def _open_csv(path: Path, schema: pa.Schema, row_group_size: int = ROW_GROUP_SIZE) -> TableSink:
    return CsvSink(path, schema)


def _read_csv(path: Path, schema: pa.Schema, *, table: str,
              columns: Sequence[str] | None = None) -> pa.Table:
    return read_csv_table(path, schema, columns)


PARQUET = Format(
    name="parquet", suffix=".parquet", text=False, open_sink=_open_parquet, read=_read_parquet,
    also_named=(".pq", ".parq"),
    how_to_read="Parquet files (read them with `pandas.read_parquet`, or DuckDB, or Arrow)",
)
CSV = Format(
    name="csv", suffix=".csv", text=True, open_sink=_open_csv, read=_read_csv,
    how_to_read="CSV files (UTF-8, comma-separated, a header line; open them in a spreadsheet, "
                "or with `pandas.read_csv`)",
)
#: Every format by name, the default (Parquet) first.
FORMATS: dict[str, Format] = {f.name: f for f in (PARQUET, CSV)}


def _open_arrow(path: Path, schema: pa.Schema, row_group_size: int = ROW_GROUP_SIZE) -> TableSink:
    return ArrowSink(path, schema, row_group_size)


def _read_arrow(path: Path, schema: pa.Schema, *, table: str,
                columns: Sequence[str] | None = None) -> pa.Table:
    # Memory-mapped: the columns stay in the file (the page cache) until they are used, and
    # a process reads a dataset in milliseconds whatever its size.
    data = pa.ipc.open_file(pa.memory_map(str(path))).read_all()
    if columns is not None:
        schema = pa.schema([schema.field(c) for c in columns])
        data = data.select(list(columns))
    return conform(table, data, schema)


#: The harness's own format, for the private copies a detector's process reads
#: (:mod:`brushbench.runtime.private`): :func:`get` knows it, but no command offers it and no
#: file name is taken for it (:func:`names`, :func:`for_path`), since Arrow IPC files are
#: uncompressed and meant to be read where they were written.
ARROW = Format(
    name="arrow", suffix=".arrow", text=False, open_sink=_open_arrow, read=_read_arrow,
    how_to_read="Arrow IPC files (read them with `pyarrow.ipc.open_file`)",
)
_INTERNAL: dict[str, Format] = {ARROW.name: ARROW}


def names() -> tuple[str, ...]:
    """The names of the formats, the default first: ``("parquet", "csv")``."""
    return tuple(FORMATS)


def get(name: str | Format) -> Format:
    """The format called ``name`` (a :class:`Format` is returned as it is).

    Raises
    ------
    ValueError
        Unknown name; the message lists the known ones.
    """
    if isinstance(name, Format):
        return name
    try:
        return FORMATS[name] if name in FORMATS else _INTERNAL[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown format {name!r}; expected one of "
                         f"{', '.join(FORMATS)}") from None


def for_path(path: str | os.PathLike[str], default: Format | None = None) -> Format:
    """The format of a file, told by its name's suffix (case does not matter).

    Parameters
    ----------
    path : str or os.PathLike
    default : Format, optional
        Returned when no format owns the suffix; without it, that raises.

    Raises
    ------
    ValueError
        No format owns the suffix and no ``default`` is given; the message lists the suffixes.
    """
    name = os.path.basename(os.fspath(path)).lower()
    for fmt in FORMATS.values():
        if name.endswith(fmt.suffixes):
            return fmt
    if default is not None:
        return default
    known = ", ".join(s for f in FORMATS.values() for s in f.suffixes)
    raise ValueError(f"{path}: cannot tell the format from the file name; expected a name "
                     f"ending in {known}")


def read_table_file(path: Path, schema: pa.Schema, fmt: str, name: str) -> pa.Table:
    """One table file of format ``fmt`` (:func:`get`) read back to ``schema``.

    Raises
    ------
    DatasetError
        One line naming the file and the table when it cannot be read to that schema (or
        ``fmt`` is not a known format).
    """
    try:
        return get(fmt).read(path, schema, table=name)
    except (OSError, ValueError, pa.ArrowException) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatasetError(f"{path}: cannot read table {name}: {message}") from None
