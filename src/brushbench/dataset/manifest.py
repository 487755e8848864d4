"""``manifest.json``: what a dataset folder holds and the checksums that prove it is intact.

The manifest is JSON with sorted keys and an indent of 2 and carries no creation time, so the
same tables always give the same bytes. Its fixed keys are :data:`RESERVED_KEYS`; the caller adds
its own (scenario name, scenario hash, seed, scale, ...) next to them.

A table is one file (``{file, rows, bytes, sha256}``, schema version 1) or, in a partitioned
dataset (schema version 2), a folder of part files (``{folder, rows, bytes, parts: [{file,
rows, bytes, sha256}, ...]}``, :mod:`brushbench.dataset.parts`). A folder whose tables are all
single files keeps schema version 1, so its manifest reads as it always did.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from brushbench._version import GENERATOR_VERSION
from brushbench.dataset import formats
from brushbench.dataset.errors import DatasetError

#: Version of the folder layout and manifest format; bump it on any incompatible change so that
#: an old reader refuses a new folder instead of misreading it.
SCHEMA_VERSION = 1
#: The version of a partitioned dataset's manifest: its tables are folders of parts. An older
#: reader refuses it (it would look for a ``file`` that is not there).
PARTS_SCHEMA_VERSION = 2
#: The versions this brushbench reads.
SCHEMA_VERSIONS = (SCHEMA_VERSION, PARTS_SCHEMA_VERSION)
MANIFEST_NAME = "manifest.json"
#: Keys the dataset layer owns; ``generator_version`` may be given by the caller (to keep the
#: version of a dataset that is being copied), the others may not.
RESERVED_KEYS = frozenset({"schema_version", "format", "timezone", "tables", "has_answer_key"})

_CHUNK = 1 << 20


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def file_entry(path: Path, rows: int) -> dict[str, Any]:
    """The manifest entry of one table file: ``{file, rows, bytes, sha256}``."""
    return {
        "file": path.name,
        "rows": int(rows),
        "bytes": path.stat().st_size,
        "sha256": sha256_file(path),
    }


def parts_entry(folder: str, parts: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The manifest entry of a partitioned table: its ``folder``, its ``parts`` in order
    (:func:`file_entry` each, names relative to the folder) and their total rows and bytes."""
    listed = [dict(part) for part in parts]
    return {
        "folder": folder,
        "rows": sum(int(part["rows"]) for part in listed),
        "bytes": sum(int(part["bytes"]) for part in listed),
        "parts": listed,
    }


def is_partitioned(entry: Mapping[str, Any]) -> bool:
    """Whether a (checked) table entry is a folder of parts rather than one file."""
    return "parts" in entry


def entry_files(entry: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """The files of a checked table entry: ``(path relative to the dataset folder, its
    {file, rows, bytes, sha256} entry)``, parts in order."""
    if is_partitioned(entry):
        return [(f"{entry['folder']}/{part['file']}", part) for part in entry["parts"]]
    return [(str(entry["file"]), entry)]


def build_manifest(
    *,
    fmt: str,
    timezone: str,
    tables: Mapping[str, Mapping[str, Any]],
    has_answer_key: bool,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Assemble a manifest from the fixed fields and the caller's ``extra`` fields.

    Raises
    ------
    ValueError
        If ``extra`` sets a reserved key or a value JSON cannot hold.
    """
    extra = dict(extra or {})
    clash = sorted(RESERVED_KEYS & extra.keys())
    if clash:
        raise ValueError(f"manifest fields {clash} are set by the dataset writer, not the caller")
    manifest = {"generator_version": GENERATOR_VERSION, **extra}
    parted = any(is_partitioned(entry) for entry in tables.values())
    manifest.update(
        schema_version=PARTS_SCHEMA_VERSION if parted else SCHEMA_VERSION,
        format=fmt,
        timezone=timezone,
        tables={name: dict(entry) for name, entry in tables.items()},
        has_answer_key=bool(has_answer_key),
    )
    dumps_manifest(manifest)  # fail here, before any rename, if a value is not JSON
    return manifest


def _json_default(value: Any) -> Any:
    # numpy scalars (a seed drawn as np.int64, a scale as np.float64) are common caller values.
    item = getattr(value, "item", None)
    if callable(item):
        return item()
    raise ValueError(f"manifest value {value!r} of type {type(value).__name__} is not JSON")


def dumps_manifest(manifest: Mapping[str, Any]) -> str:
    """The canonical text of a manifest: sorted keys, indent 2, UTF-8 kept, final newline."""
    text = json.dumps(
        manifest, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False,
        default=_json_default,
    )
    return text + "\n"


def write_manifest(folder: Path, manifest: Mapping[str, Any]) -> Path:
    """Write ``manifest.json`` into ``folder`` and fsync it; returns its path."""
    path = Path(folder) / MANIFEST_NAME
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(dumps_manifest(manifest))
        f.flush()
        os.fsync(f.fileno())
    return path


def read_manifest(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and check the manifest of a dataset folder.

    The check is of the manifest's shape (:func:`check_entries`), not of the files it lists:
    :func:`verify_manifest` compares those with their checksums.

    Raises
    ------
    DatasetError
        One line naming the manifest: the folder or manifest is missing, the manifest is not
        valid JSON, its ``schema_version`` is unknown, a required key is missing or of the wrong
        type, or a table entry names a file outside the folder.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DatasetError(f"{folder}: no such dataset folder")
    path = folder / MANIFEST_NAME
    if not path.is_file():
        raise DatasetError(f"{folder}: no {MANIFEST_NAME}; not a brushbench dataset folder "
                           "(or an interrupted write)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: not valid JSON ({exc})") from None
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if not isinstance(manifest, dict):
        raise DatasetError(f"{path}: expected a JSON object, got {type(manifest).__name__}")
    version = manifest.get("schema_version")
    if version not in SCHEMA_VERSIONS or isinstance(version, bool):
        raise DatasetError(f"{path}: schema_version {version!r} is not supported by this "
                           f"brushbench (it reads schema_version "
                           f"{' or '.join(map(str, SCHEMA_VERSIONS))})")
    missing = sorted(RESERVED_KEYS - manifest.keys())
    if missing:
        raise DatasetError(f"{path}: missing key(s) {', '.join(missing)}")
    for key, kind in (("format", str), ("timezone", str), ("has_answer_key", bool)):
        if not isinstance(manifest[key], kind):
            raise DatasetError(f"{path}: {key} must be a {_KIND_NAMES[kind]}, got "
                               f"{_json_type(manifest[key])}")
    try:
        formats.get(manifest["format"])
    except ValueError as exc:
        raise DatasetError(f"{path}: {exc}") from None
    check_entries(path, manifest["tables"], parts=version == PARTS_SCHEMA_VERSION)
    return manifest


_KIND_NAMES: dict[type, str] = {str: "string", bool: "boolean (true or false)",
                                int: "whole number", dict: "JSON object", list: "JSON list"}
#: The keys of one table's entry and their types (``bool`` is not a count).
ENTRY_KEYS: dict[str, type] = {"file": str, "rows": int, "bytes": int, "sha256": str}


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def check_entries(path: Path, tables: object, *, what: str = "table",
                  parts: bool = False) -> None:
    """Check the ``tables`` mapping of a manifest (or of a key's ``key.json``, ``path``).

    Each entry is an object with ``file`` (a plain file name in the folder: no folder part,
    not absolute, not ``..``), ``rows`` and ``bytes`` (counts) and ``sha256`` (64 hex digits).
    With ``parts`` (a schema version 2 manifest), an entry may instead be a partitioned
    table: ``folder`` (a plain name), ``rows`` and ``bytes`` (the sums over its parts) and
    ``parts``, a non-empty list of entries of the first kind, their files inside ``folder``.

    Raises
    ------
    DatasetError
        One line naming ``path`` and the entry.
    """
    if not isinstance(tables, dict):
        raise DatasetError(f"{path}: tables must be a JSON object of table entries, got "
                           f"{_json_type(tables)}")
    for name, entry in tables.items():
        where = f"{path}: {what} {name!r}"
        if not isinstance(entry, dict):
            raise DatasetError(f"{where} must be a JSON object, got {_json_type(entry)}")
        if parts and "parts" in entry:
            _check_parts(where, entry)
        else:
            _check_file_entry(where, entry)


def _check_keys(where: str, entry: dict[str, Any], keys: dict[str, type]) -> None:
    missing = [key for key in keys if key not in entry]
    if missing:
        raise DatasetError(f"{where} lacks {', '.join(missing)}")
    for key, kind in keys.items():
        _check_value(where, key, entry[key], kind)


def _check_file_entry(where: str, entry: dict[str, Any]) -> None:
    _check_keys(where, entry, ENTRY_KEYS)
    if not _SHA256.fullmatch(entry["sha256"]):
        raise DatasetError(f"{where}: sha256 must be 64 hex digits, got "
                           f"{entry['sha256']!r:.80}")
    file = entry["file"]
    if not _is_plain_name(file):
        raise DatasetError(f"{where}: file {file!r:.200} is not a file name inside the "
                           "folder (absolute paths, folders and '..' are refused)")


def _check_value(where: str, key: str, value: object, kind: type) -> None:
    if not isinstance(value, kind) or isinstance(value, bool) \
            or (isinstance(value, int) and value < 0):
        raise DatasetError(f"{where}: {key} must be a {_KIND_NAMES[kind]}"
                           f"{' >= 0' if kind is int else ''}, got {value!r:.60}")


#: The keys of a partitioned table's entry and their types.
PARTS_KEYS: dict[str, type] = {"folder": str, "rows": int, "bytes": int, "parts": list}


def _check_parts(where: str, entry: dict[str, Any]) -> None:
    _check_keys(where, entry, PARTS_KEYS)
    if not _is_plain_name(entry["folder"]):
        raise DatasetError(f"{where}: folder {entry['folder']!r:.200} is not a folder name "
                           "inside the dataset (absolute paths, nesting and '..' are refused)")
    if not entry["parts"]:
        raise DatasetError(f"{where}: parts is empty (a table has at least one part)")
    for i, part in enumerate(entry["parts"]):
        if not isinstance(part, dict):
            raise DatasetError(f"{where}: part {i} must be a JSON object, got "
                               f"{_json_type(part)}")
        _check_file_entry(f"{where}: part {i}", part)
    for key in ("rows", "bytes"):
        total = sum(part[key] for part in entry["parts"])
        if total != entry[key]:
            raise DatasetError(f"{where}: {key} is {entry[key]}, its parts add up to {total}")


_SHA256 = re.compile(r"[0-9a-f]{64}")


def _is_plain_name(file: str) -> bool:
    seps = {"/", "\\", os.sep, *([os.altsep] if os.altsep else [])}
    return (file not in ("", ".", "..") and not any(sep in file for sep in seps)
            and "\0" not in file and not Path(file).is_absolute() and ":" not in file[:2])


def entry_path(folder: Path, entry: Mapping[str, Any], where: Path | str) -> Path:
    """The file of a checked manifest entry, inside ``folder``.

    A symbolic link is followed only when its target stays inside the folder.

    Raises
    ------
    DatasetError
        The file is a link that leads out of the folder (naming ``where``, the manifest).
    """
    path = folder / str(entry["file"])
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(folder.resolve()):
            raise DatasetError(f"{where}: file {entry['file']!r} is a link to {target}, outside "
                               f"{folder} (refused)")
    return path


def table_files(folder: Path, entry: Mapping[str, Any],
                where: Path | str) -> list[tuple[Path, Mapping[str, Any]]]:
    """Every file of a checked table entry, inside ``folder``, with its own
    ``{file, rows, bytes, sha256}`` entry: the one file, or the parts in order.

    Raises
    ------
    DatasetError
        A file, or a partitioned table's folder, is a link that leads out of ``folder``.
    """
    if not is_partitioned(entry):
        return [(entry_path(folder, entry, where), entry)]
    inner = entry_path(folder, {"file": entry["folder"]}, where)
    found = []
    for part in entry["parts"]:
        path = inner / str(part["file"])
        if path.is_symlink() or inner.is_symlink():
            target = path.resolve()
            if not target.is_relative_to(folder.resolve()):
                raise DatasetError(f"{where}: file {entry['folder']}/{part['file']!r} is a link "
                                   f"to {target}, outside {folder} (refused)")
        found.append((path, part))
    return found


def verify_manifest(folder: str | os.PathLike[str], manifest: Mapping[str, Any],
                    *, names: Iterable[str] | None = None,
                    manifest_file: str = MANIFEST_NAME) -> None:
    """Recompute the size and SHA-256 of every file the manifest lists (or of ``names``).

    Raises
    ------
    DatasetError
        One line naming every file that is missing or differs from its manifest entry:
        ``DIR/labels.parquet: sha256 does not match the manifest (damaged or edited)``.
    """
    folder = Path(folder)
    where = "the manifest" if manifest_file == MANIFEST_NAME else manifest_file
    problems = []
    tables = manifest["tables"]
    for name in sorted(tables if names is None else names):
        for path, entry in table_files(folder, tables[name], folder / manifest_file):
            if not path.is_file():
                problems.append(f"{path}: missing file of table {name}")
            elif path.stat().st_size != entry["bytes"]:
                problems.append(f"{path}: {path.stat().st_size} bytes, {where} says "
                                f"{entry['bytes']} (damaged or edited)")
            elif sha256_file(path) != entry["sha256"]:
                problems.append(f"{path}: sha256 does not match {where} (damaged or edited)")
    if problems:
        raise DatasetError("; ".join(problems))


def verify_folder(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """Read the manifest of ``folder`` and check every file it lists against it; returns it.

    Raises
    ------
    DatasetError
        As :func:`read_manifest` and :func:`verify_manifest`, in one line.
    """
    manifest = read_manifest(folder)
    verify_manifest(folder, manifest)
    return manifest
