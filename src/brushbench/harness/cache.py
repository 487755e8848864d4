"""Generated datasets, cached in the user's cache folder.

A dataset is keyed by what determines its bytes: the generator version, the (scaled) scenario's
content hash and the seed; never by a scenario's name, so an edited scenario never serves a
stale dataset. Folders are written atomically by the generator, so a cache entry either exists
whole or not at all; a damaged one (its manifest's checksums do not match) is rebuilt.
"""

from __future__ import annotations

import os
from pathlib import Path

from .._version import GENERATOR_VERSION
from ..dataset import Dataset, DatasetError, load
from ..dataset.manifest import read_manifest, verify_manifest
from ..generator.run import generate_to
from ..scenario import Scenario, scenario_hash

ENV = "BRUSHBENCH_CACHE"


def cache_root() -> Path:
    """``$BRUSHBENCH_CACHE``, else ``$XDG_CACHE_HOME/brushbench``, else ``~/.cache/brushbench``."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "brushbench"


def dataset_dir(scenario: Scenario, seed: int, root: Path | None = None) -> Path:
    key = f"{scenario_hash(scenario)[:24]}-seed{seed}"
    return (root or cache_root()) / "datasets" / f"generator-{GENERATOR_VERSION}" / key


def cached_dataset(scenario: Scenario, seed: int, root: Path | None = None) -> Path:
    """The folder of ``scenario`` (already scaled) generated with ``seed``; generated if needed."""
    folder = dataset_dir(scenario, seed, root)
    if folder.is_dir():
        try:
            # Checksums only: the run's process reads the tables, no need to parse them here.
            verify_manifest(folder, read_manifest(folder))
            return folder
        except DatasetError:
            pass  # damaged: rebuild below (overwrite replaces it atomically)
    try:
        generate_to(folder, scenario, seed=seed, overwrite=folder.exists())
    except FileExistsError:
        pass  # another process filled the entry meanwhile: same key, same bytes
    return folder


def load_cached(scenario: Scenario, seed: int, root: Path | None = None) -> Dataset:
    return load(cached_dataset(scenario, seed, root), verify=False)
