"""A dataset written to an fsspec URL (``s3://bucket/ds``, ``gcs://...``, ``file:///...``).

An object store has no rename, so the folder cannot appear whole at once as a local one does.
Readers are kept safe by the manifest instead: it is removed first when a dataset is replaced,
written last when the new one is complete, and a reader refuses a folder without one
(:func:`brushbench.dataset.manifest.read_manifest`). Files are written locally first (the same
bytes as a local dataset's) and uploaded whole. ``fsspec`` (and the package for the URL's
scheme, ``s3fs`` for ``s3://``) must be installed; it comes with ``brushbench[dask]``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from brushbench.dataset.errors import DatasetError
from brushbench.dataset.manifest import MANIFEST_NAME

__all__ = ["RemoteFolder", "is_url"]

INSTALL = "pip install 'brushbench[dask]'"


def is_url(out: object) -> bool:
    """Whether ``out`` is a URL (``scheme://...``) rather than a local path."""
    return isinstance(out, str) and "://" in out


def _filesystem(url: str) -> tuple[Any, str]:
    try:
        import fsspec
    except ImportError:
        raise DatasetError(f"{url}: writing to a URL needs fsspec, which is not installed: "
                           f"{INSTALL}") from None
    try:
        fs, root = fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as exc:  # an unknown scheme, or its package missing
        raise DatasetError(f"{url}: cannot write there: {exc}") from None
    return fs, str(root).rstrip("/")


class RemoteFolder:
    """The dataset folder at ``url``; :class:`DatasetError` when fsspec or the package of the
    URL's scheme is missing.

    Parameters
    ----------
    url : str
        The folder to create or replace.
    overwrite : bool
        Replace a dataset already there (one with a manifest, or an empty folder); otherwise
        an existing folder is a :class:`FileExistsError`.
    check : bool
        Check that now (False: a worker uploading its parts into a run's folder).
    """

    def __init__(self, url: str, *, overwrite: bool = False, check: bool = True):
        self.url = url
        self._fs, self._root = _filesystem(url)
        self._overwrite = overwrite
        if check:
            self._check_replaceable()

    def _check_replaceable(self) -> None:
        if not self._fs.exists(self._root):
            return
        if not self._overwrite:
            raise FileExistsError(f"{self.url} already exists; pass overwrite=True to replace "
                                  "it")
        if not self._fs.exists(self._path(MANIFEST_NAME)) and self._fs.ls(self._root):
            raise FileExistsError(f"{self.url} exists and has no {MANIFEST_NAME}, so it does not "
                                  "look like a brushbench dataset; not replacing it")

    def _path(self, relative: str) -> str:
        return f"{self._root}/{relative}"

    def clear(self) -> None:
        """Remove the dataset there, if any: its manifest first, so that no reader takes the
        folder for a dataset while its files go."""
        self._check_replaceable()
        if self._fs.exists(self._path(MANIFEST_NAME)):
            self._fs.rm(self._path(MANIFEST_NAME))
        if self._fs.exists(self._root):
            self._fs.rm(self._root, recursive=True)

    def put(self, local: str | os.PathLike[str], relative: str) -> None:
        """Upload the local file ``local`` to ``relative`` (``orders/part-00000.parquet``)."""
        self._fs.makedirs(self._path(relative).rsplit("/", 1)[0], exist_ok=True)
        self._fs.put_file(os.fspath(local), self._path(relative))

    def publish(self, local: Path) -> None:
        """Upload every file of the finished local dataset folder ``local``, its manifest
        last."""
        for path in sorted(local.rglob("*")):
            if path.is_file() and path.name != MANIFEST_NAME:
                self.put(path, path.relative_to(local).as_posix())
        self.put(local / MANIFEST_NAME, MANIFEST_NAME)

    def abandon(self) -> None:
        """After a failed run: remove what was uploaded (no manifest was)."""
        try:
            if self._fs.exists(self._root) and not self._fs.exists(self._path(MANIFEST_NAME)):
                self._fs.rm(self._root, recursive=True)
        except OSError:
            pass  # without a manifest, what is left is refused by every reader anyway
