"""Putting finished folders in place: the replace checks, and several folders at once.

A folder is built under a hidden sibling name and renamed into place only once complete
(:mod:`brushbench.dataset._fs`). A withheld dataset and its answer key are two folders that may
live anywhere, so no single rename covers both: :func:`publish_together` renames them in one
short step after both are complete (the key first, so that a dataset never appears without
its key), and puts back what it moved if a rename fails.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from ..dataset._fs import fresh_sibling, fsync_dir


class DestinationError(ValueError):
    """Destination folders that clash: the same folder, or one inside the other."""


def check_replaceable(target: Path, marker: str, what: str, overwrite: bool) -> None:
    """Raise :class:`FileExistsError` unless ``target`` may be created, or replaced.

    With ``overwrite`` only a folder holding ``marker`` (or an empty one) is replaced: a typo
    must not cost a home directory.
    """
    if not (target.exists() or target.is_symlink()):
        return
    if not overwrite:
        raise FileExistsError(f"{target} already exists")
    if not target.is_dir() or target.is_symlink():
        raise FileExistsError(f"{target} exists and is not a folder; not replacing it")
    if not (target / marker).is_file() and any(target.iterdir()):
        raise FileExistsError(f"{target} exists and has no {marker}, so it does not look like "
                              f"{what}; not replacing it")


def check_apart(first: Path, second: Path, what: str) -> None:
    """Raise :class:`DestinationError` when two destination folders are the same or one is
    inside the other (a key inside the dataset folder would go to the students with it)."""
    a, b = first.resolve(), second.resolve()
    if a == b or a in b.parents or b in a.parents:
        raise DestinationError(f"{what}: {first} and {second} must be separate folders, neither "
                               "inside the other")


def publish_together(moves: Sequence[tuple[Path, Path]]) -> None:
    """Rename each finished ``(staged, target)`` folder to its target, in order.

    Existing targets are renamed away first and deleted only once every new folder is in
    place; if a rename fails, the new folders go back to their staged names and the old ones
    return, so the caller's clean-up of the staged folders leaves everything as it was.
    """
    olds: list[tuple[Path, Path]] = []
    placed: list[tuple[Path, Path]] = []
    try:
        for _, target in moves:
            if target.exists() or target.is_symlink():
                old = fresh_sibling(target, "old")
                os.rename(target, old)
                olds.append((old, target))
        for staged, target in moves:
            os.rename(staged, target)
            placed.append((staged, target))
    except BaseException:
        for staged, target in reversed(placed):
            os.rename(target, staged)
        for old, target in reversed(olds):
            os.rename(old, target)
        raise
    for parent in {target.parent for _, target in moves}:
        fsync_dir(parent)
    for old, _ in olds:
        shutil.rmtree(old, ignore_errors=True)
