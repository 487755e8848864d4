"""A table of a dataset folder read as a stream of batches, for work that must not hold it whole.

:func:`iter_batches` yields the rows of one table in file order, a bounded number at a time,
each batch cast to the table's schema like :func:`brushbench.dataset.load` casts the whole
table. A table stored as several part files (a partitioned dataset) is read part after part,
in the manifest's order, which is time order.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.ipc
import pyarrow.parquet as pq

from brushbench.dataset.conform import conform
from brushbench.dataset.csvio import csv_convert_options, decode_csv_table
from brushbench.dataset.errors import DatasetError
from brushbench.dataset.manifest import MANIFEST_NAME, table_files
from brushbench.dataset.tables import table_schema

#: Rows per batch: a Parquet row group's worth.
BATCH_ROWS = 1 << 17


def _parquet(path: Path, columns: list[str] | None, rows: int) -> Iterator[pa.RecordBatch]:
    with pq.ParquetFile(path) as file:
        yield from file.iter_batches(batch_size=rows, columns=columns)


def _csv(path: Path, schema: pa.Schema, rows: int) -> Iterator[pa.Table]:
    # ~64 bytes a row on average: blocks of about ``rows`` rows.
    read = pacsv.ReadOptions(block_size=max(rows * 64, 1 << 20))
    parse = pacsv.ParseOptions(newlines_in_values=True)
    with pacsv.open_csv(os.fspath(path), read_options=read, parse_options=parse,
                        convert_options=csv_convert_options(schema)) as reader:
        for batch in reader:
            yield decode_csv_table(pa.Table.from_batches([batch]), schema)


def _arrow(path: Path, columns: list[str] | None) -> Iterator[pa.RecordBatch]:
    with pa.memory_map(os.fspath(path)) as source:
        reader = pa.ipc.open_file(source)
        for i in range(reader.num_record_batches):
            batch = reader.get_batch(i)
            yield batch if columns is None else batch.select(columns)


def iter_batches(folder: str | os.PathLike[str], manifest: Mapping[str, Any], name: str, *,
                 columns: Sequence[str] | None = None,
                 rows: int = BATCH_ROWS) -> Iterator[pa.Table]:
    """The rows of table ``name`` of a checked dataset folder, batch by batch, in file order.

    Parameters
    ----------
    folder : path
        The dataset folder.
    manifest : mapping
        Its manifest, as :func:`brushbench.dataset.reader.check_folder` returns it.
    name : str
        The table.
    columns : sequence of str, optional
        Only these columns, in this order (Parquet and Arrow files read no others).
    rows : int
        Rows per batch (about: a CSV file is cut in blocks of bytes).

    Yields
    ------
    pyarrow.Table
        Batches cast to the table's schema (or to ``columns`` of it).

    Raises
    ------
    DatasetError
        One line naming the file and the table when a batch cannot be read to its schema.
    """
    folder = Path(folder)
    schema = table_schema(name, manifest["timezone"])
    if columns is not None:
        schema = pa.schema([schema.field(c) for c in columns])
    fmt = manifest["format"]
    wanted = None if columns is None else list(columns)
    for path, _ in table_files(folder, manifest["tables"][name], folder / MANIFEST_NAME):
        yield from _file_batches(path, name, fmt, schema, manifest["timezone"], wanted, rows)


def _file_batches(path: Path, name: str, fmt: str, schema: pa.Schema, timezone: str,
                  wanted: list[str] | None, rows: int) -> Iterator[pa.Table]:
    try:
        if fmt == "csv":
            for table in _csv(path, table_schema(name, timezone), rows):
                yield table if wanted is None else table.select(wanted)
            return
        batches = _parquet(path, wanted, rows) if fmt == "parquet" else _arrow(path, wanted)
        for batch in batches:
            yield conform(name, batch, schema)
    except (OSError, ValueError, pa.ArrowException) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatasetError(f"{path}: cannot read table {name}: {message}") from None
