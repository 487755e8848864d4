"""The detector's private view of its datasets, and the check that an answer key stayed intact.

A detector must not reach the answer key of the data it scores. The dataset folders the harness
is given (the cache's, or a caller's) hold the key, and their manifests name the scenario, seed
and scale the data was generated from (enough to generate it again, key included). So the
detector's process never gets those folders: for each run the parent copies what the detector
may see into a fresh folder of its own (:func:`prepare_view`):

- the test view: the observed tables only (no ``labels``, ``entity_labels``, ``campaigns``) and
  a manifest reduced to what :func:`brushbench.load` needs (:data:`KEPT_KEYS`: tables with their
  rows and sha256, format, time zone, schema and generator versions, and what an imported log
  lacks), with no scenario, seed, scale or scenario hash;
- the training view: every table, key included (``fit`` gets it legitimately), under the same
  reduced manifest, so that it does not name the training seed either (the test seed is the
  training seed minus a known offset).

Each file is checked against its manifest's sha256 before it is read: the detector reads data
that is what its manifest says. The views are written as Arrow IPC files, which the detector's
process memory-maps instead of parsing (:data:`brushbench.dataset.formats.ARROW`).

Scoring reads the key in the parent from the original folder, which the detector never named but
which its OS user can still write. :func:`snapshot` records the sha256 of the tables scoring
reads before the run (checking them against the manifest); :func:`changed` says, after the run,
which of them no longer match that record (the manifest on disk is not trusted after the run: a
detector that rewrote a table could rewrite its hash too).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from brushbench.dataset import ANSWER_KEY_TABLES, DatasetError, formats
from brushbench.dataset.conform import conform
from brushbench.dataset.manifest import (
    MANIFEST_NAME,
    entry_files,
    file_entry,
    read_manifest,
    sha256_file,
    table_files,
    verify_manifest,
    write_manifest,
)
from brushbench.dataset.tables import table_schema

__all__ = ["KEPT_KEYS", "changed", "prepare_view", "snapshot"]

#: The manifest keys a detector's view keeps: what reading the folder needs, and what an
#: imported log lacks (:mod:`brushbench.userdata.view`). Nothing from which the data could be
#: generated again.
KEPT_KEYS = ("schema_version", "format", "timezone", "generator_version", "external",
             "lacking", "log_columns")



def _convert_checked(sources: list[tuple[Path, str]], dest: Path, *, name: str, fmt: str,
                     timezone: str) -> dict[str, Any]:
    """Check each of ``sources`` (the table's file, or its parts in order, with their
    manifest's sha256), then write them to ``dest`` as one Arrow IPC file
    (:data:`brushbench.dataset.formats.ARROW`); the new file's manifest entry.

    Arrow rather than a copy of the file: the detector's process then memory-maps each table
    in a fraction of a millisecond instead of parsing it, while this (the harness's) side
    parses it once, during the run before (:func:`brushbench.harness.evaluate`)."""
    for source, sha256 in sources:
        if sha256_file(source) != sha256:
            raise DatasetError(f"{source}: sha256 does not match the manifest (damaged or "
                               "edited)")
    schema = table_schema(name, timezone)
    sink = formats.ARROW.open_sink(dest, schema)
    try:
        for source, _ in sources:
            for part in _parts(source, schema, fmt, name):
                sink.write(part)
        sink.close()
    except BaseException:
        sink.abort()
        raise
    return file_entry(dest, sink.rows)


def _parts(source: Path, schema: pa.Schema, fmt: str, name: str) -> Iterator[pa.Table]:
    """The table of ``source`` read back to ``schema``: a Parquet file row group by row group
    (so that copying a large table holds one group in memory, not the table), another format
    whole."""
    if fmt != formats.PARQUET.name:
        yield formats.read_table_file(source, schema, fmt, name)
        return
    try:
        file = pq.ParquetFile(source)
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise DatasetError(f"{source}: cannot read table {name}: {exc}") from None
    with file:
        for group in range(max(file.num_row_groups, 1)):
            try:
                data = (file.read_row_group(group) if file.num_row_groups
                        else file.read())
                yield conform(name, data, schema)
            except (OSError, ValueError, TypeError, pa.ArrowException) as exc:
                raise DatasetError(f"{source}: cannot read table {name}: {exc}") from None


def prepare_view(source: str | os.PathLike[str], dest: str | os.PathLike[str], *,
                 answer_key: bool) -> Path:
    """Write the dataset folder ``source`` into the new folder ``dest``, as a detector sees it.

    Parameters
    ----------
    source : path
        A dataset folder.
    dest : path
        A folder that does not exist yet; made with mode 0700.
    answer_key : bool
        Include the answer key too (a training set); False writes the observed tables only.

    Returns
    -------
    Path
        ``dest``, a dataset folder of Arrow IPC files (the same tables, rows and values as
        ``source``, which :func:`brushbench.load` reads memory-mapped) whose manifest keeps
        only :data:`KEPT_KEYS` and its tables.

    Raises
    ------
    DatasetError
        ``source`` is not a dataset folder, a table's file name leaves it, a file's sha256
        differs from its manifest, or a file cannot be read to its table's schema.
    """
    folder = Path(source)
    out = Path(dest)
    manifest = read_manifest(folder)
    with_key = bool(answer_key and manifest.get("has_answer_key"))
    out.mkdir(mode=0o700)
    tables: dict[str, Any] = {}
    for name, entry in sorted(manifest["tables"].items()):
        if name in ANSWER_KEY_TABLES and not with_key:
            continue
        files = [(path, str(part["sha256"]))
                 for path, part in table_files(folder, entry, folder / MANIFEST_NAME)]
        try:
            tables[name] = _convert_checked(
                files, out / formats.ARROW.file_name(name),
                name=name, fmt=manifest["format"], timezone=manifest["timezone"])
        except OSError as exc:
            where = exc.filename or files[0][0]
            raise DatasetError(f"{where}: cannot copy table {name} ({exc.strerror})") from None
    kept = {key: manifest[key] for key in KEPT_KEYS if key in manifest}
    write_manifest(out, {**kept, "format": formats.ARROW.name, "tables": tables,
                         "has_answer_key": with_key})
    return out


def _sha256(path: Path) -> str | None:
    """The file's sha256, None when it cannot be read (gone, replaced by a folder...)."""
    try:
        return sha256_file(path)
    except OSError:
        return None


def snapshot(folder: str | os.PathLike[str], tables: Iterable[str]) -> dict[str, str]:
    """``{file name: sha256}`` of the files of ``tables`` (those the folder has), checked
    against the manifest now.

    Raises
    ------
    DatasetError
        A file is missing, leaves the folder or differs from its manifest entry.
    """
    path = Path(folder)
    manifest = read_manifest(path)
    entries = manifest["tables"]
    present = [name for name in tables if name in entries]
    verify_manifest(path, manifest, names=present)
    # Names relative to the folder: a table's file, or each part of a partitioned table.
    return {file: str(part["sha256"]) for name in present
            for file, part in entry_files(entries[name])}


def changed(folder: str | os.PathLike[str], recorded: Mapping[str, str]) -> list[str]:
    """The files of ``recorded`` (a :func:`snapshot`) whose sha256 is no longer the recorded
    one (or that are gone), by name."""
    path = Path(folder)
    return [name for name, sha in sorted(recorded.items()) if _sha256(path / name) != sha]
