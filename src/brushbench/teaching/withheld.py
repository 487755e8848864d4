"""Write a dataset without its answer key, and the key to a folder of its own, atomically.

>>> from brushbench.teaching import generate_withheld
>>> generate_withheld("out/s01", "keys/s01", brushbench.load_scenario("teach_easy"),
...                   seed=123456789, fmt="csv")                          # doctest: +SKIP

The dataset is generated whole into a hidden sibling of its destination, its key tables are
moved into a hidden sibling of the key's destination (:func:`~brushbench.teaching.keys.
split_answer_key`), and both are renamed into place only then (the key first): neither folder
ever appears half-written, and a failure leaves both destinations as they were.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..dataset._fs import fresh_sibling
from ..dataset.manifest import MANIFEST_NAME, verify_folder
from ..generator.run import Progress, generate_to
from ..scenario.canonical import to_plain
from ..scenario.model import Scenario
from ._publish import DestinationError, check_apart, check_replaceable, publish_together
from .keys import KEY_FILE, split_answer_key

__all__ = ["DestinationError", "Withheld", "generate_withheld", "promotions_of", "withhold"]


@dataclass(frozen=True)
class Withheld:
    """What :func:`generate_withheld` or :func:`withhold` wrote."""

    dataset: Path
    key: Path
    dataset_manifest: dict
    key_manifest: dict
    seconds: float

    @property
    def rows(self) -> dict[str, int]:
        """Rows per table of the dataset (the observed tables only)."""
        return {name: int(e["rows"]) for name, e in self.dataset_manifest["tables"].items()}


def promotions_of(scenario: Scenario) -> list[dict[str, str]]:
    """The scenario's promotion calendar as ``[{"start": ISO, "end": ISO}]``.

    Public knowledge on a marketplace (the students' handout states it too), so it goes into a
    withheld dataset's manifest, where ``brushbench explain`` finds the promotion's end.
    """
    out = []
    for promo in to_plain(scenario)["traffic"]["promotions"]:
        start = dt.datetime.fromisoformat(promo["start"])
        end = start + dt.timedelta(seconds=int(promo["duration"]))
        out.append({"start": start.isoformat(), "end": end.isoformat()})
    return out


def _prepare(out: str | os.PathLike[str], key_dir: str | os.PathLike[str],
             overwrite: bool) -> tuple[Path, Path]:
    out, key_dir = Path(out).absolute(), Path(key_dir).absolute()
    check_apart(out, key_dir, "the dataset and its answer key")
    check_replaceable(out, MANIFEST_NAME, "a brushbench dataset", overwrite)
    check_replaceable(key_dir, KEY_FILE, "a brushbench answer key", overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    key_dir.parent.mkdir(parents=True, exist_ok=True)
    return out, key_dir


def _finish(staged: Path, out: Path, key_dir: Path, overwrite: bool, started: float,
            key_fields: Mapping[str, Any] | None,
            public_fields: Mapping[str, Any] | None) -> Withheld:
    key_stage = fresh_sibling(key_dir, "tmp")
    try:
        manifest, key = split_answer_key(staged, key_stage, key_fields=key_fields,
                                         public_fields=public_fields)
        # Either may have appeared while the data was generated.
        check_replaceable(out, MANIFEST_NAME, "a brushbench dataset", overwrite)
        check_replaceable(key_dir, KEY_FILE, "a brushbench answer key", overwrite)
        publish_together([(key_stage, key_dir), (staged, out)])
    except BaseException:
        shutil.rmtree(key_stage, ignore_errors=True)
        raise
    return Withheld(out, key_dir, manifest, key, time.perf_counter() - started)


def generate_withheld(out: str | os.PathLike[str], key_dir: str | os.PathLike[str],
                      scenario: Scenario, *, seed: int | None = None, scale: float = 1.0,
                      fmt: str = "parquet", workers: int = 1, overwrite: bool = False,
                      progress: Callable[[Progress], None] | None = None,
                      key_fields: Mapping[str, Any] | None = None) -> Withheld:
    """Generate ``scenario`` into ``out`` without its answer key, and the key into ``key_dir``.

    Parameters
    ----------
    out, key_dir : path
        The dataset folder and the key folder to create: separate, neither inside the other.
    scenario : Scenario
    seed, scale, fmt, workers, progress
        As :func:`brushbench.generator.run.generate_to`.
    overwrite : bool
        Replace existing folders (a dataset folder, a key folder, or empty ones only).
    key_fields : mapping, optional
        Extra fields of ``key.json`` (a lab's name and the student's id).

    Raises
    ------
    FileExistsError
        A destination exists (and ``overwrite`` is off, or it is not a dataset/key folder).
    DestinationError
        The two folders are the same or nested.
    ValueError
        A bad seed or scale.
    """
    started = time.perf_counter()
    out, key_dir = _prepare(out, key_dir, overwrite)
    staged = fresh_sibling(out, "withheld")
    try:
        # One file per table: the key's tables are moved out file by file (:mod:`.keys`).
        generate_to(staged, scenario, seed=seed, scale=scale, fmt=fmt, workers=workers,
                    progress=progress, partition=False)
        return _finish(staged, out, key_dir, overwrite, started, key_fields,
                       {"promotions": promotions_of(scenario)})
    finally:
        shutil.rmtree(staged, ignore_errors=True)  # gone already when published


def withhold(source: str | os.PathLike[str], out: str | os.PathLike[str],
             key_dir: str | os.PathLike[str], *, overwrite: bool = False,
             key_fields: Mapping[str, Any] | None = None) -> Withheld:
    """Copy the labelled dataset folder ``source`` to ``out`` without its answer key, and the
    key to ``key_dir`` (``source`` is left as it is).

    ``source`` is checked against its manifest first (sizes and sha256): the published dataset
    and key keep its checksums, so a damaged file must not be published under them.

    Raises
    ------
    brushbench.dataset.DatasetError
        ``source`` is not a dataset folder, or a file of it differs from its manifest.
    """
    started = time.perf_counter()
    source = Path(source)
    if not verify_folder(source)["has_answer_key"]:
        raise ValueError(f"{source}: has no answer key to withhold")
    out, key_dir = _prepare(out, key_dir, overwrite)
    staged = fresh_sibling(out, "withheld")
    try:
        shutil.copytree(source, staged)
        return _finish(staged, out, key_dir, overwrite, started, key_fields, None)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
