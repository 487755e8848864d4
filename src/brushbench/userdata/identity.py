"""The identity of given data: content keys, and which dataset folder a result scored.

An imported log is named by its content, never by where it lies: the same file, mapping,
time zone and labels give the same key (the cache's, and the ``data`` hash of results).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from ..dataset.manifest import MANIFEST_NAME, read_manifest

__all__ = ["content_key", "data_identity", "is_dataset_folder"]


def content_key(*parts: Any) -> str:
    """SHA-256 of JSON-able parts: the identity of imported content in caches and results."""
    blob = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def is_dataset_folder(path: str | os.PathLike[str]) -> bool:
    return Path(path).is_dir() and (Path(path) / MANIFEST_NAME).is_file()


def data_identity(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """``name`` (the file or folder scored), ``stem`` and ``hash`` of a dataset folder.

    For an imported log the hash covers the source file's sha256, the mapping, the time zone
    and the labels file's sha256 (the import key); for another dataset folder, the sha256 of
    every table file in its manifest.
    """
    manifest = read_manifest(folder)
    if manifest.get("external"):
        source = manifest.get("source") or {}
        name = source.get("file") or Path(folder).name
        digest = content_key(source.get("sha256"), manifest.get("column_mapping"),
                              manifest.get("timezone"),
                              (manifest.get("labels") or {}).get("sha256"),
                              (manifest.get("labels") or {}).get("level"))
        stem = re.sub(r"\.(gz|bz2)$", "", name)
        return {"name": name, "stem": Path(stem).stem or name, "hash": digest,
                "external": True}
    name = Path(folder).resolve().name
    digest = content_key({t: e.get("sha256") for t, e in sorted(manifest["tables"].items())})
    return {"name": name, "stem": name, "hash": digest, "external": False}
