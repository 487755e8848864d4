"""``import_log``: a user's order log (and labels) as a dataset folder, cached by content.

>>> from brushbench.userdata import import_log
>>> folder = import_log("train.csv", columns="scl2020", labels="answers.csv",
...                     timezone="Asia/Singapore")                        # doctest: +SKIP

The folder is written with :class:`~brushbench.dataset.DatasetWriter`, cached under
``$BRUSHBENCH_CACHE/external`` (:func:`brushbench.dataset.cache.imported_dir`) by the content
of what was imported (the log's and the labels' sha256, the mapping, the time zone), or written
into a folder of the caller's choice. Every table but ``orders`` is empty (with its schema).
The manifest records ``external: true``, the source file's sha256, the mapping and which
columns the log lacks.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from ..dataset import DatasetError, DatasetWriter, load
from ..dataset.cache import imported_dir
from ..dataset.manifest import sha256_file
from ..dataset.table_files import ImportLogError, read_table_file
from ..dataset.tables import OBSERVED_TABLES
from ..dataset.writer import check_timezone
from .columns import ORDERS_COLUMNS, check_mapping, resolve_columns
from .identity import content_key
from .labels import LABEL_LEVELS, read_labels
from .orders import orders_table

__all__ = ["IMPORT_VERSION", "import_log"]

#: Bumped when the same inputs would import to different tables (it is part of the cache key).
IMPORT_VERSION = 1


def import_log(path: str | os.PathLike[str], *, columns: Mapping[str, str] | str | None = None,
               labels: str | os.PathLike[str] | None = None, label_level: str | None = None,
               timezone: str = "UTC", out_dir: str | os.PathLike[str] | None = None) -> Path:
    """Import an order log (CSV or Parquet) as a brushbench dataset folder; return the folder.

    Parameters
    ----------
    path : path
        The log: one row per order.
    columns : mapping or str, optional
        brushbench name -> the file's column (``{"order_id": "orderid", ...}``), or a preset
        name (``"scl2020"``) or the CLI's ``order_id=orderid,...`` text. Columns already named
        like brushbench's need no entry. ``order_id, shop_id, buyer_id, created_at`` are
        required; any other orders column the file has (``item_id``, ``device_id``, ...) is
        kept.
    labels : path, optional
        The answer key: order, buyer or shop level, or the SCL ``shopid,userid`` format (see
        :mod:`brushbench.userdata.labels`). Its columns are mapped with ``columns`` too.
    label_level : {"order", "buyer", "shop"}, optional
        Which labels to read; by default what the file's columns say (the SCL format gives
        both shop and buyer labels).
    timezone : str
        IANA zone of times written without an offset, and of the dataset.
    out_dir : path, optional
        Where to write the dataset (replaced if it is a dataset folder). By default a folder
        of the cache (``$BRUSHBENCH_CACHE/external/``) keyed by the content of what is
        imported, reused when it is already there.

    Raises
    ------
    ImportLogError
        One line naming the file, the column and what was expected.
    """
    path = Path(path)
    mapping = check_mapping(columns)
    if label_level is not None and labels is None:
        raise ImportLogError(f"label level {label_level!r} given without a labels file")
    if label_level is not None and label_level not in LABEL_LEVELS:
        raise ImportLogError(f"label level {label_level!r}: expected one of "
                             f"{', '.join(LABEL_LEVELS)}")
    try:
        timezone = check_timezone(timezone)
    except ValueError as exc:
        raise ImportLogError(str(exc)) from None
    if not path.is_file():
        raise ImportLogError(f"{path}: no such log file" if not path.exists()
                             else f"{path}: not a file (a log is a CSV or Parquet file)")
    if labels is not None and not Path(labels).is_file():
        raise ImportLogError(f"{labels}: no such labels file" if not Path(labels).exists()
                             else f"{labels}: not a file (labels are a CSV or Parquet file)")
    source_sha = sha256_file(path)
    labels_sha = sha256_file(labels) if labels is not None else None
    key = content_key(IMPORT_VERSION, source_sha, sorted(mapping.items()), timezone,
                       labels_sha, label_level)
    if out_dir is None:
        folder = imported_dir(_slug(path.stem), key)
        if folder.is_dir():
            try:
                load(folder, verify=True)
                return folder
            except DatasetError:
                pass  # damaged: written again below
    else:
        folder = Path(out_dir)

    src = read_table_file(path, "log")
    resolved = resolve_columns(src, mapping)
    orders = orders_table(src, resolved, timezone)
    if orders.num_rows == 0:
        raise ImportLogError(f"{src.path}: no orders (a header and no rows); expected one order "
                             "per line")
    answer = None
    if labels is not None:
        answer = read_labels(read_table_file(labels, "labels"), mapping, label_level, orders)
    lacking = [n for n in ORDERS_COLUMNS if n not in resolved]
    manifest = {
        "external": True,
        "import_version": IMPORT_VERSION,
        "import_key": key,
        "scenario": f"data:{path.name}",
        "source": {"file": path.name, "format": src.fmt, "sha256": source_sha,
                   "rows": src.table.num_rows},
        "column_mapping": resolved,
        "ignored_columns": [c for c in src.columns if c not in resolved.values()],
        "log_columns": {"orders": list(resolved)},
        "lacking": {"orders": lacking,
                    "tables": [t for t in OBSERVED_TABLES if t != "orders"]},
        "labels": None if answer is None else answer["summary"],
    }
    try:
        writer = DatasetWriter(folder, timezone=timezone, overwrite=True,
                               answer_key=answer is not None)
    except FileExistsError as exc:  # a folder that is not a dataset: never replaced
        raise ImportLogError(str(exc)) from None
    with writer:  # atomic: the folder appears whole at close(), or not at all
        writer.write("orders", orders)
        if answer is not None:
            writer.write("labels", answer["labels"])
            writer.write("entity_labels", answer["entity_labels"])
        writer.close(manifest)
    return folder


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")[:40] or "log"
