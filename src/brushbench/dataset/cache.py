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

import os
from collections.abc import Callable
from pathlib import Path

from brushbench._version import GENERATOR_VERSION
from brushbench.dataset.errors import DatasetError
from brushbench.dataset.manifest import read_manifest, verify_manifest

__all__ = ["ENV", "cache_root", "cached", "generated_dir", "imported_dir", "is_whole"]

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

    Checksums only: the tables are not parsed (whoever uses the entry reads them).
    """
    if not folder.is_dir():
        return False
    try:
        verify_manifest(folder, read_manifest(folder))
    except DatasetError:
        return False
    return True


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
