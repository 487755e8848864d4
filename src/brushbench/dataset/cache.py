"""The dataset cache, in the user's cache folder: where an entry lives and whether it is whole.

One cache for every dataset brushbench makes for itself: the generated datasets of ``brushbench
eval`` and ``brushbench check`` (``datasets/``) and the imported logs of ``eval --data``
(``external/``). This module only knows the layout and how to look an entry up; what fills a
missing entry is the caller's (the harness generates one lazily through :func:`cached`,
:func:`brushbench.userdata.import_log` imports one).

A generated dataset is keyed by what determines its bytes: the generator version, the (scaled)
scenario's content hash, the seed, and the scale the manifest records when it is not 1; never by
a scenario's name, so an edited scenario never serves a stale dataset. Folders are written
atomically, so an entry either exists whole or not at all; a damaged one (its manifest's
checksums do not match) is made again.
"""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path

from brushbench._version import GENERATOR_VERSION
from brushbench.dataset._fs import write_file_atomic
from brushbench.dataset.errors import DatasetError
from brushbench.dataset.manifest import (
    MANIFEST_NAME,
    entry_files,
    read_manifest,
    verify_manifest,
)

__all__ = ["ENV", "cache_root", "cached", "generated_dir", "imported_dir", "is_whole",
           "stamp_path"]

ENV = "BRUSHBENCH_CACHE"


def cache_root() -> Path:
    """``$BRUSHBENCH_CACHE``, else ``$XDG_CACHE_HOME/brushbench``, else ``~/.cache/brushbench``."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "brushbench"


def generated_dir(scenario_hash: str, seed: int, *, scale: float = 1.0,
                  root: Path | None = None) -> Path:
    """The entry of a generated dataset: the scenario's content hash (of the scaled scenario),
    the seed, and ``scale`` (the one the manifest records; the harness passes scenarios it
    scaled itself, with scale 1)."""
    key = f"{scenario_hash[:24]}-seed{seed}" + ("" if scale == 1 else f"-scale{scale:g}")
    return (root or cache_root()) / "datasets" / f"generator-{GENERATOR_VERSION}" / key


def imported_dir(stem: str, import_key: str, root: Path | None = None) -> Path:
    """The entry of an imported log: a readable ``stem`` and the import's content key."""
    return (root or cache_root()) / "external" / f"{stem}-{import_key[:24]}"


def is_whole(folder: Path) -> bool:
    """True when ``folder`` is a dataset whose files match its manifest's checksums.

    Checksums only: the tables are not parsed (whoever uses the entry reads them). Hashing
    every file of every dataset on each ``eval`` would cost more than a fast detector, so a
    successful check leaves a *stamp* beside the entry (:func:`stamp_path`): the size and
    modification time (ns) of the manifest and of every file it lists. While they all still
    match the stamp, the entry is whole without hashing again; any change to a file (a write
    changes its mtime) or to the manifest sends it back to the full check. Files written in
    the last two seconds are not stamped (their mtime could stay put through a second write).
    """
    if not folder.is_dir():
        return False
    try:
        manifest = read_manifest(folder)
    except DatasetError:
        return False
    files = [MANIFEST_NAME, *sorted(file for entry in manifest["tables"].values()
                                    for file, _ in entry_files(entry))]
    stamp = _stamp(folder, files)
    if stamp is not None and _read_stamp(folder) == stamp:
        return True
    try:
        verify_manifest(folder, manifest)
    except DatasetError:
        return False
    if stamp is not None and _settled(stamp):
        try:
            write_file_atomic(stamp_path(folder), json.dumps(stamp))
        except OSError:
            pass  # a cache that cannot be written only costs the check next time
    return True


#: A file changed this recently may change again within the file system's timestamp
#: granularity without its mtime moving; such an entry is checked, not stamped (as git does
#: with its index).
_SETTLE_NS = 2_000_000_000


def _settled(stamp: dict[str, list[int]]) -> bool:
    now = time.time_ns()
    return all(mtime < now - _SETTLE_NS for _, mtime in stamp.values())


def stamp_path(folder: Path) -> Path:
    """Where :func:`is_whole` records that ``folder`` passed its check (beside it, so that the
    dataset folder itself is left as it was written)."""
    return folder.parent / f".{folder.name}.verified.json"


def _stamp(folder: Path, files: list[str]) -> dict[str, list[int]] | None:
    """``{file: [size, mtime_ns]}`` of ``files``; None when one cannot be read or is a link
    (a link is checked in full every time: its target may change without it)."""
    stamp = {}
    for name in files:
        try:
            st = (folder / name).lstat()
        except OSError:
            return None
        if stat.S_ISLNK(st.st_mode):
            return None
        stamp[name] = [st.st_size, st.st_mtime_ns]
    return stamp


def _read_stamp(folder: Path) -> object:
    try:
        return json.loads(stamp_path(folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def cached(folder: Path, make: Callable[[Path, bool], object]) -> Path:
    """``folder`` when it is a whole entry; else ``make(folder, overwrite)`` fills it first.

    ``make`` writes the dataset atomically; ``overwrite`` is True when a damaged entry is
    there to be replaced. A :class:`FileExistsError` from ``make`` means another process
    filled the entry meanwhile: same key, same bytes.

    Raises
    ------
    DatasetError
        The cache cannot be written (no permission, a file in the way, a full disk); the
        message names the folder and says how to choose another.
    """
    if is_whole(folder):
        return folder
    try:
        make(folder, folder.exists())
    except FileExistsError:
        pass
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise DatasetError(f"{folder}: cannot write the dataset cache ({reason}); set {ENV} "
                           f"to a writable folder") from None
    return folder
