"""``manifest.json``: what a dataset folder holds and the checksums that prove it is intact.

The manifest is JSON with sorted keys and an indent of 2 and carries no creation time, so the
same tables always give the same bytes. Its fixed keys are :data:`RESERVED_KEYS`; the caller adds
its own (scenario name, scenario hash, seed, scale, ...) next to them.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from brushbench._version import GENERATOR_VERSION
from brushbench.dataset import formats
from brushbench.dataset.errors import DatasetError

#: Version of the folder layout and manifest format; bump it on any incompatible change so that
#: an old reader refuses a new folder instead of misreading it.
SCHEMA_VERSION = 1
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
    manifest.update(
        schema_version=SCHEMA_VERSION,
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

    Raises
    ------
    DatasetError
        If the folder or manifest is missing, the manifest is not valid JSON, its
        ``schema_version`` is unknown or a required key is missing.
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
    if not isinstance(manifest, dict):
        raise DatasetError(f"{path}: expected a JSON object, got {type(manifest).__name__}")
    version = manifest.get("schema_version")
    if version != SCHEMA_VERSION:
        raise DatasetError(f"{path}: schema_version {version!r} is not supported by this "
                           f"brushbench (it reads schema_version {SCHEMA_VERSION})")
    missing = sorted(RESERVED_KEYS - manifest.keys())
    if missing:
        raise DatasetError(f"{path}: missing key(s) {', '.join(missing)}")
    try:
        formats.get(manifest["format"])
    except ValueError as exc:
        raise DatasetError(f"{path}: {exc}") from None
    return manifest


def verify_manifest(folder: str | os.PathLike[str], manifest: Mapping[str, Any]) -> None:
    """Recompute the size and SHA-256 of every file the manifest lists.

    Raises
    ------
    DatasetError
        Naming every file that is missing or differs from its manifest entry.
    """
    folder = Path(folder)
    problems = []
    for name, entry in sorted(manifest["tables"].items()):
        path = folder / entry["file"]
        if not path.is_file():
            problems.append(f"{entry['file']} (table {name}) is missing")
        elif path.stat().st_size != entry["bytes"]:
            problems.append(f"{entry['file']} has {path.stat().st_size} bytes, "
                            f"manifest says {entry['bytes']}")
        elif sha256_file(path) != entry["sha256"]:
            problems.append(f"{entry['file']} sha256 differs from the manifest")
    if problems:
        raise DatasetError(f"{folder}: corrupted or modified: {'; '.join(problems)}")
