"""Answer keys kept apart from their datasets, and the hashes that pair them.

A withheld dataset is an ordinary dataset folder without ``labels``, ``entity_labels`` and
``campaigns``; its answer key is a folder of its own (``key.json`` and those three tables, plus
``order_index``: each order's shop and buyer, so that shop/buyer answers are graded from the key
alone). Each names the other by hash:

- the key's **hash** is the sha256 of its ``key.json`` without the ``dataset`` field (canonical
  JSON: sorted keys, no spaces). It covers the sha256 of every key file, so it reveals nothing
  about their contents and changes with any of them. The dataset's manifest carries it as
  ``answer_key.sha256``;
- ``key.json``'s ``dataset.manifest_sha256`` is the sha256 of the dataset's ``manifest.json``
  file, which covers the sha256 of every table the students received.

The dataset's manifest carries nothing else of the key: no row count of a key table, and none of
the fields that would let a student make the dataset again with its key (scenario name and hash,
seed, scale); those move to the key's ``provenance``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..dataset import Dataset, DatasetError, formats, load
from ..dataset._fs import fsync_dir, fsync_file, make_private
from ..dataset.formats import read_table_file
from ..dataset.frames import to_pandas
from ..dataset.manifest import (
    MANIFEST_NAME,
    build_manifest,
    check_entries,
    dumps_manifest,
    entry_path,
    file_entry,
    is_partitioned,
    read_manifest,
    sha256_file,
    verify_manifest,
    write_manifest,
)
from ..dataset.tables import ANSWER_KEY_TABLES, OBSERVED_TABLES, table_schema
from ..dataset.writer import check_timezone

__all__ = ["KEY_FILE", "KEY_KIND", "KEY_SCHEMA_VERSION", "KEY_TABLES", "PROVENANCE_FIELDS",
           "AnswerKey", "AnswerKeyError", "check_pair", "key_from_labels", "key_hash", "load_key",
           "load_with_key", "not_a_key", "split_answer_key"]

KEY_FILE = "key.json"
KEY_KIND = "brushbench-answer-key"
#: Bumped on any incompatible change of the key folder, so an old reader refuses a new key.
KEY_SCHEMA_VERSION = 1
KEY_TABLES = (*ANSWER_KEY_TABLES, "order_index")
#: Manifest fields of a generated dataset that tell how to make it again (and so its key).
PROVENANCE_FIELDS = ("scenario", "scenario_hash", "seed", "scale", "libraries")


class AnswerKeyError(ValueError):
    """A key folder that is missing, damaged, or paired with another dataset; one line."""


def order_index_schema() -> pa.Schema:
    """``order_index``: the shop and buyer of every order (what shop/buyer grading needs)."""
    return pa.schema([("order_id", pa.int64()), ("shop_id", pa.int64()),
                      ("buyer_id", pa.int64())])


def _schema(name: str, timezone: str) -> pa.Schema:
    return order_index_schema() if name == "order_index" else table_schema(name, timezone)


def key_hash(manifest: Mapping[str, Any]) -> str:
    """The hash naming a key: sha256 of its manifest without ``dataset``, canonical JSON."""
    core = {k: v for k, v in manifest.items() if k != "dataset"}
    text = json.dumps(core, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read(path: Path, schema: pa.Schema, fmt: str, name: str) -> pa.Table:
    try:
        return read_table_file(path, schema, fmt, name)
    except DatasetError as exc:
        raise AnswerKeyError(str(exc)) from None


def _read_orders_columns(path: Path, fmt: str, timezone: str) -> pa.Table:
    """order_id, shop_id, buyer_id of a dataset's orders file, without reading the rest."""
    schema = order_index_schema()
    columns = formats.get(fmt).read(path, table_schema("orders", timezone), table="orders",
                                    columns=schema.names)
    return pa.Table.from_arrays(columns.columns, schema=schema)


# -- splitting a labelled dataset -----------------------------------------------------------------


def split_answer_key(staged: Path, key_stage: Path, *,
                     key_fields: Mapping[str, Any] | None = None,
                     public_fields: Mapping[str, Any] | None = None) -> tuple[dict, dict]:
    """Move the answer key of the complete dataset folder ``staged`` into a new key folder.

    ``staged`` is rewritten in place as a dataset without the answer key (its table files keep
    their bytes; only ``manifest.json`` changes) and ``key_stage`` is created holding the key.
    Neither is in its final place yet: the caller renames both.

    Parameters
    ----------
    staged : Path
        A dataset folder with its answer key, not yet published.
    key_stage : Path
        The key folder to create (must not exist).
    key_fields : mapping, optional
        Extra fields of ``key.json`` (a lab's name, the student).
    public_fields : mapping, optional
        Extra fields of the dataset's manifest; they must say nothing about the key
        (the promotion calendar, say).

    Returns
    -------
    (dict, dict)
        The dataset's manifest and ``key.json``, as written.
    """
    m = read_manifest(staged)
    if not m["has_answer_key"]:
        raise AnswerKeyError(f"{staged}: has no answer key to withhold")
    if any(is_partitioned(entry) for entry in m["tables"].values()):
        raise AnswerKeyError(f"{staged}: a partitioned dataset (a folder of parts per table); "
                             "withholding takes one file per table (generate it with "
                             "--partition no)")
    fmt, tz = m["format"], m["timezone"]
    key_stage.mkdir(mode=0o700)  # the key is the teacher's alone, whatever the umask
    entries = {}
    for name in ANSWER_KEY_TABLES:
        entry = m["tables"][name]
        # Same bytes, so the manifest entry (size and sha256) stays true.
        shutil.move(staged / entry["file"], key_stage / entry["file"])
        entries[name] = dict(entry)
    file_format = formats.get(fmt)
    index_path = key_stage / file_format.file_name("order_index")
    index = _read_orders_columns(staged / m["tables"]["orders"]["file"], fmt, tz)
    sink = file_format.open_sink(index_path, order_index_schema())
    sink.write(index)
    sink.close()
    entries["order_index"] = file_entry(index_path, index.num_rows)
    campaigns = _read(key_stage / entries["campaigns"]["file"], table_schema("campaigns", tz),
                      fmt, "campaigns").to_pandas()
    per_pattern = campaigns.groupby("pattern")["orders"].sum()
    core = {
        "kind": KEY_KIND,
        "key_schema_version": KEY_SCHEMA_VERSION,
        "generator_version": m["generator_version"],
        "format": fmt,
        "timezone": tz,
        "tables": entries,
        "provenance": {k: m[k] for k in (*PROVENANCE_FIELDS, "window") if k in m},
        "summary": {"orders": int(m["tables"]["orders"]["rows"]),
                    "brushing_orders": int(campaigns["orders"].sum()),
                    "campaigns": len(campaigns),
                    "orders_per_pattern": {str(k): int(v) for k, v in per_pattern.items()}},
        **dict(key_fields or {}),
    }
    digest = key_hash(core)
    public = {"generator_version": m["generator_version"],
              "answer_key": {"withheld": True, "sha256": digest},
              **({"window": m["window"]} if "window" in m else {}),
              **dict(public_fields or {})}
    observed = {name: m["tables"][name] for name in OBSERVED_TABLES}
    manifest = build_manifest(fmt=fmt, timezone=tz, tables=observed, has_answer_key=False,
                              extra=public)
    write_manifest(staged, manifest)
    fsync_dir(staged)
    key = {**core, "dataset": {"manifest_sha256": sha256_file(staged / MANIFEST_NAME)}}
    path = key_stage / KEY_FILE
    path.write_text(dumps_manifest(key), encoding="utf-8")
    fsync_file(path)
    make_private(key_stage)
    fsync_dir(key_stage)
    return manifest, key


# -- reading a key ---------------------------------------------------------------------------------


@dataclass
class AnswerKey:
    """A key folder read back (or a labels file read as a key): its manifest and tables.

    Attributes
    ----------
    folder : Path
    manifest : dict
        ``key.json``.
    tables : dict of str to pyarrow.Table
        ``labels``, ``entity_labels``, ``campaigns`` and ``order_index``.
    """

    folder: Path
    manifest: dict
    tables: dict[str, pa.Table]
    _frames: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    #: ``shop_id, buyer_id``: the true (shop, buyer) pairs, when the key gives them as pairs
    #: (the SCL 2020 ``shopid,userid`` answer); None when they come from the order labels.
    true_pairs: pd.DataFrame | None = None

    @property
    def level(self) -> str:
        """What the key labels: ``order`` (a generated key, or order labels), ``shop``,
        ``buyer`` or ``shop+buyer`` (a labels file at those levels)."""
        return str(self.manifest.get("level") or "order")

    @property
    def sha256(self) -> str:
        """The key's hash (:func:`key_hash`), as the dataset's manifest names it."""
        return key_hash(self.manifest)

    @property
    def timezone(self) -> str:
        return self.manifest["timezone"]

    def frame(self, name: str) -> pd.DataFrame:
        """Table ``name`` as a pandas DataFrame (cached)."""
        if name not in self._frames:
            self._frames[name] = to_pandas(self.tables[name])
        return self._frames[name]

    @property
    def labels(self) -> pd.DataFrame:
        return self.frame("labels")

    @property
    def entity_labels(self) -> pd.DataFrame:
        return self.frame("entity_labels")

    @property
    def campaigns(self) -> pd.DataFrame:
        return self.frame("campaigns")

    @property
    def order_index(self) -> pd.DataFrame:
        return self.frame("order_index")


def not_a_key(folder: Path) -> str:
    """Why ``folder`` is not a key folder, naming what it is instead."""
    if (folder / MANIFEST_NAME).is_file():
        return (f"{folder}: is a dataset folder, not an answer key (a key folder holds "
                f"{KEY_FILE}: the KEYDIR given to --withhold-labels)")
    if (folder / "lab.json").is_file() or (folder / "key" / "lab.json").is_file():
        return (f"{folder}: is a lab, not one student's key: pass --student ID, or the "
                "student's key folder (NAME/key/<student>)")
    return f"{folder}: no {KEY_FILE}; not a brushbench answer key (or an interrupted write)"


def load_key(folder: str | os.PathLike[str], *, verify: bool = True) -> AnswerKey:
    """Read a key folder.

    Raises
    ------
    AnswerKeyError
        One line: missing folder or ``key.json``, an unknown version, a malformed
        ``key.json`` or a file name in it that leaves the folder, a file whose size or
        sha256 differs from ``key.json`` (with ``verify``, the default:
        ``KEYDIR/labels.parquet: sha256 does not match key.json (damaged or edited)``), a
        table that cannot be read.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise AnswerKeyError(f"{folder}: no such answer-key folder")
    path = folder / KEY_FILE
    if not path.is_file():
        raise AnswerKeyError(not_a_key(folder))
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise AnswerKeyError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("kind") != KEY_KIND:
        raise AnswerKeyError(f"{path}: not a brushbench answer key (kind is not {KEY_KIND!r})")
    if manifest.get("key_schema_version") != KEY_SCHEMA_VERSION:
        raise AnswerKeyError(f"{path}: key_schema_version {manifest.get('key_schema_version')!r}"
                             f" is not supported (this brushbench reads {KEY_SCHEMA_VERSION})")
    try:
        check_entries(path, manifest.get("tables"))
        for key, kind in (("format", str), ("timezone", str)):
            if not isinstance(manifest.get(key), kind):
                raise DatasetError(f"{path}: {key} must be a string, got "
                                   f"{manifest.get(key)!r:.60}")
        formats.get(manifest["format"])
        check_timezone(manifest["timezone"])  # not replaced: key.json's hash covers it
    except ValueError as exc:
        raise AnswerKeyError(f"{path}: {exc}") from None
    except DatasetError as exc:
        raise AnswerKeyError(str(exc)) from None
    entries = manifest["tables"]
    missing = [name for name in KEY_TABLES if name not in entries]
    if missing:
        raise AnswerKeyError(f"{path}: missing table(s) {', '.join(missing)}")
    try:
        for name in KEY_TABLES:
            file = entry_path(folder, entries[name], path)
            if not file.is_file():
                raise AnswerKeyError(f"{file}: missing file of table {name}")
        if verify:
            verify_manifest(folder, manifest, names=KEY_TABLES, manifest_file=KEY_FILE)
    except DatasetError as exc:
        raise AnswerKeyError(str(exc)) from None
    tables = {}
    for name in KEY_TABLES:
        file = folder / entries[name]["file"]
        tables[name] = _read(file, _schema(name, manifest["timezone"]), manifest["format"],
                             name)
    return AnswerKey(folder, manifest, tables)


def check_pair(dataset_folder: str | os.PathLike[str], key: AnswerKey) -> None:
    """Raise :class:`AnswerKeyError` unless ``key`` is the key of the dataset in the folder.

    Both directions are checked: the dataset's manifest names the key's hash, and the key names
    the sha256 of the dataset's manifest file.
    """
    folder = Path(dataset_folder)
    try:
        manifest = read_manifest(folder)
    except DatasetError as exc:
        raise AnswerKeyError(str(exc)) from None
    named = (manifest.get("answer_key") or {}).get("sha256")
    if named is None:
        raise AnswerKeyError(f"{folder}: names no withheld answer key (it was not written "
                             "with --withhold-labels)")
    if named != key.sha256:
        raise AnswerKeyError(f"{key.folder} is not the key of {folder}: the dataset names key "
                             f"{named[:12]}, this key is {key.sha256[:12]}")
    expected = (key.manifest.get("dataset") or {}).get("manifest_sha256")
    actual = sha256_file(folder / MANIFEST_NAME)
    if expected != actual:
        raise AnswerKeyError(f"{key.folder} belongs to another dataset: it names dataset "
                             f"manifest {str(expected)[:12]}, {folder}/{MANIFEST_NAME} is "
                             f"{actual[:12]}")


def load_with_key(dataset_folder: str | os.PathLike[str], key: AnswerKey | str | os.PathLike[str],
                  *, verify: bool = True) -> Dataset:
    """A withheld dataset joined with its key: a :class:`Dataset` with the answer key.

    Raises
    ------
    AnswerKeyError
        The key does not belong to the dataset (:func:`check_pair`) or cannot be read.
    DatasetError
        The dataset folder cannot be read.
    """
    if not isinstance(key, AnswerKey):
        key = load_key(key, verify=verify)
    check_pair(dataset_folder, key)
    data = load(dataset_folder, verify=verify)
    tables = {name: data.arrow(name) for name in OBSERVED_TABLES}
    tables.update({name: key.tables[name] for name in ANSWER_KEY_TABLES})
    manifest = {**data.manifest, **key.manifest.get("provenance", {})}
    manifest.pop("tables", None)
    return Dataset(tables, manifest, timezone=data.timezone)


# -- a key given as a labels file ------------------------------------------------------------------


LABELS_SOURCE = "labels-file"


def key_from_labels(log: str | os.PathLike[str], labels: str | os.PathLike[str], *,
                    columns: Mapping[str, str] | str | None = None,
                    label_level: str | None = None, timezone: str = "UTC") -> AnswerKey:
    """A key made of a labels file about an order log (a real one, not made by brushbench).

    The labels are read as ``brushbench eval --data LOG --labels FILE`` reads them
    (:mod:`brushbench.userdata.labels`): order level (``order_id[,is_brushing]`` and optionally
    ``pattern``, ``campaign_id``, ``legit_kind``), shop or buyer level (``shop_id`` or
    ``buyer_id``, optionally ``is_brushing``), or the SCL 2020 answer ``shopid,userid`` (buyer
    ids joined by ``&``, ``0`` for a clean shop), whose (shop, buyer) pairs are kept as
    :attr:`AnswerKey.true_pairs`. The key's ``order_index`` is the log's orders.

    Such a key defines less than a generated one: no campaigns, patterns or legitimate kinds
    unless an order-level file has those columns, and no order truth at shop or buyer level.
    :func:`brushbench.teaching.grading.grade` grades what it defines and says what it cannot.

    Parameters
    ----------
    log : path
        The order log (CSV or Parquet): ``order_id, shop_id, buyer_id, created_at``, named so
        or mapped with ``columns``.
    labels : path
        The labels file.
    columns : mapping or str, optional
        The column mapping of the log and the labels (``"scl2020"`` for the SCL files).
    label_level : {"order", "buyer", "shop"}, optional
        Which labels to read; by default what the file's columns say.
    timezone : str
        IANA zone of times written without an offset.

    Raises
    ------
    AnswerKeyError
        One line: the log or the labels cannot be read (the file, column and row named).
    """
    from ..userdata import ImportLogError, import_log
    from ..userdata.columns import check_mapping, label_columns

    try:
        folder = import_log(log, columns=columns, labels=labels, label_level=label_level,
                            timezone=timezone)
        data = load(folder, verify=False)
        summary = dict(data.manifest.get("labels") or {})
        pairs = None
        if str(summary.get("format", "")).startswith("shop_id,buyer_id pairs"):
            from ..dataset.table_files import read_table_file as read_source
            from ..dataset.table_files import scl_buyer_lists
            from ..userdata.values import ints

            src = read_source(labels, "labels")
            cols = label_columns(src, check_mapping(columns))
            shops = ints(src, cols["shop_id"], "shop_id", required=True).to_pylist()
            lists = scl_buyer_lists(src, cols["buyer_id"])
            rows = sorted({(int(shop), int(b)) for shop, bs in zip(shops, lists, strict=True)
                           for b in bs})
            pairs = pd.DataFrame(rows, columns=["shop_id", "buyer_id"], dtype=np.int64)
    except ImportLogError as exc:
        raise AnswerKeyError(str(exc)) from None
    except DatasetError as exc:
        raise AnswerKeyError(f"{log}: {exc}") from None
    tz = data.timezone
    orders = data.arrow("orders")
    tables = {
        "labels": data.arrow("labels"),
        "entity_labels": data.arrow("entity_labels"),
        "campaigns": table_schema("campaigns", tz).empty_table(),
        "order_index": pa.Table.from_arrays(
            [orders.column(n).cast(pa.int64()) for n in ("order_id", "shop_id", "buyer_id")],
            schema=order_index_schema()),
    }
    manifest = {
        "kind": KEY_KIND,
        "key_schema_version": KEY_SCHEMA_VERSION,
        "source": LABELS_SOURCE,
        "level": summary.get("level", "order"),
        "timezone": tz,
        "labels": summary,
        "log": {k: data.manifest[k] for k in ("source", "column_mapping") if k in data.manifest},
        "summary": {"orders": orders.num_rows,
                    "brushing_orders": int(summary.get("orders_brushing", 0)),
                    "campaigns": 0, "orders_per_pattern": {}},
    }
    return AnswerKey(Path(labels), manifest, tables, true_pairs=pairs)
