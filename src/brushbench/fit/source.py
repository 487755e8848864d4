"""The log a scenario is fitted to: read once, as the realism statistics read it.

A log is an order file in the ``--data`` formats (CSV, TSV, gzipped or Parquet; its columns
mapped as ``brushbench realism --profile`` maps them) or a dataset folder. Only the order,
shop and buyer ids and the order time are required; the item, quantity and paid amount are
used when the log has them. Nothing here writes to disk (no import into the cache).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from ..dataset import DatasetError, load
from ..dataset.manifest import sha256_file
from ..dataset.table_files import ImportLogError, read_table_file
from ..dataset.writer import check_timezone
from ..realism.stats import Log, NotComputable
from ..userdata import is_dataset_folder
from ..userdata.columns import check_mapping, resolve_columns
from ..userdata.orders import orders_table

__all__ = ["FitError", "Source", "read_source"]


class FitError(ValueError):
    """A log that cannot be fitted: one line naming the file and the problem."""


@dataclass(frozen=True)
class Source:
    """The log and where it came from (written into the fitted scenario's header)."""

    log: Log
    orders: pa.Table
    timezone: str
    name: str
    rows: int
    sha256: str

    def column(self, name: str) -> np.ndarray | None:
        """An optional orders column as numpy (None when the log lacks it: all null)."""
        if name not in self.orders.column_names:
            return None
        col = self.orders.column(name)
        if col.null_count == len(col):
            return None
        return np.asarray(col.to_numpy(zero_copy_only=False))


def read_source(path: str | os.PathLike[str], *, columns: Any = None,
                timezone: str | None = None) -> Source:
    """Read the log at ``path`` (an order file or a dataset folder).

    Parameters
    ----------
    path : path
        The log.
    columns : mapping or str, optional
        The column mapping of ``--columns`` (a preset such as ``"scl2020"`` or
        ``"order_id=orderid,..."``); order files only.
    timezone : str, optional
        IANA zone of times written without an offset (default UTC); the fitted window is in
        it. Order files only: a dataset folder has its own.

    Raises
    ------
    FitError
        The file cannot be read, lacks a required column, or has no orders.
    """
    path = Path(path)
    if is_dataset_folder(path):
        if columns or timezone:
            raise FitError(f"{path} is a dataset folder: --columns and --timezone only apply "
                           "to an order log file")
        try:
            data = load(path, tables=("orders",))
            orders = data.arrow("orders")
        except DatasetError as exc:
            raise FitError(str(exc)) from None
        zone = data.timezone
        files = sorted(p for p in path.iterdir() if p.name.startswith("orders"))
        digest = sha256_file(files[0]) if len(files) == 1 else "-"
        name = path.name
    else:
        if path.is_dir():
            raise FitError(f"{path}: a folder without manifest.json is not a dataset; give an "
                           "order log (CSV or Parquet) or a dataset folder")
        try:
            zone = check_timezone(timezone or "UTC")
            src = read_table_file(path, "log")
            orders = orders_table(src, resolve_columns(src, check_mapping(columns)), zone)
        except (ImportLogError, ValueError) as exc:
            raise FitError(str(exc)) from None
        digest = sha256_file(path)
        name = path.name
    if orders.num_rows == 0:
        raise FitError(f"{path}: no orders (a header and no rows); expected one order per line")
    try:
        log = Log.of_tables(orders, zone)
    except NotComputable as exc:
        raise FitError(f"{path}: {exc}") from None
    return Source(log, orders, zone, name, orders.num_rows, digest)
