"""Read a dataset folder written by :class:`~brushbench.dataset.writer.DatasetWriter`."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa

from brushbench.dataset.dataset import Dataset
from brushbench.dataset.errors import DatasetError
from brushbench.dataset.formats import read_table_file
from brushbench.dataset.manifest import (
    MANIFEST_NAME,
    read_manifest,
    table_files,
    verify_manifest,
)
from brushbench.dataset.tables import OBSERVED_TABLES, TABLES, table_schema
from brushbench.dataset.writer import check_timezone


def _read_table(path: Path, name: str, fmt: str, timezone: str) -> pa.Table:
    return read_table_file(path, table_schema(name, timezone), fmt, name)


def check_folder(path: str | os.PathLike[str], *, verify: bool = True) -> dict[str, Any]:
    """Everything :func:`load` checks before it reads a table; returns the manifest.

    The manifest's shape, its time zone, that it lists the tables its ``has_answer_key``
    says, that every file is there inside the folder and (with ``verify``, the default) the
    size and sha256 of every file. Costs a hash of every file, not a parse: for checking a
    folder before it is handed to a detector's process.

    Raises
    ------
    DatasetError
        As :func:`load`, in one line.
    """
    folder = Path(path)
    manifest = read_manifest(folder)
    where = folder / MANIFEST_NAME
    try:
        manifest["timezone"] = check_timezone(manifest["timezone"])
    except ValueError as exc:
        raise DatasetError(f"{where}: {exc}") from None
    entries = manifest["tables"]
    expected = TABLES if manifest["has_answer_key"] else OBSERVED_TABLES
    if sorted(entries) != sorted(expected):
        missing = sorted(set(expected) - set(entries))
        extra = sorted(set(entries) - set(expected))
        raise DatasetError(f"{where}: tables do not match has_answer_key="
                           f"{manifest['has_answer_key']} (missing {missing}, unexpected {extra})")
    for name in expected:
        for file, _ in table_files(folder, entries[name], where):
            if not file.is_file():
                raise DatasetError(f"{file}: missing file of table {name}")
    if verify:
        verify_manifest(folder, manifest)
    return manifest


def load(path: str | os.PathLike[str], *, verify: bool = True,
         tables: Iterable[str] | None = None) -> Dataset:
    """Load a dataset folder.

    Parameters
    ----------
    path : str or os.PathLike
        The dataset folder (the one holding ``manifest.json``): one file per table, or a
        partitioned dataset (a folder of parts per table, read in order as one table).
    verify : bool
        Recompute the size and SHA-256 of every file and compare them with the manifest
        first (the default). With ``verify=False`` the files are only read back to their
        schemas and row counts; the manifest's shape and file names are checked either way
        (a file name that leaves the folder is always refused).
    tables : iterable of str, optional
        Read only these tables (the others are empty in the returned Dataset), e.g. the
        answer key and ``orders`` for scoring; all of them by default.

    Returns
    -------
    Dataset
        With the answer key if the folder has one.

    Raises
    ------
    DatasetError
        One line: missing folder, manifest or table file; unknown ``schema_version``; a
        malformed manifest or a file name in it that leaves the folder; a size or checksum
        that does not match (with ``verify``: ``DIR/labels.parquet: sha256 does not match
        the manifest (damaged or edited)``); a file that cannot be read back to its schema.
    """
    folder = Path(path)
    manifest = check_folder(folder, verify=verify)
    where = folder / MANIFEST_NAME
    timezone = manifest["timezone"]
    entries = manifest["tables"]
    expected = TABLES if manifest["has_answer_key"] else OBSERVED_TABLES
    wanted = set(expected) if tables is None else set(tables)
    unknown = wanted - set(expected)
    if unknown:
        raise DatasetError(f"{where}: no table {', '.join(sorted(unknown))} in this dataset")
    read = {}
    for name in expected:
        if name not in wanted:
            continue
        parts = []
        for file, entry in table_files(folder, entries[name], where):
            table = _read_table(file, name, manifest["format"], timezone)
            if table.num_rows != entry["rows"]:
                raise DatasetError(f"{file}: {table.num_rows} rows, manifest says "
                                   f"{entry['rows']}")
            parts.append(table)
        read[name] = parts[0] if len(parts) == 1 else pa.concat_tables(parts)
    return Dataset(read, manifest, timezone=timezone)
