"""The dataset layer: the tables of an order log, their files on disk and the manifest.

Write with :class:`DatasetWriter` (streamed, deterministic, atomic), read with :func:`load`;
both give or take a :class:`Dataset`, which is what a detector receives. The tables and their
columns are declared in :mod:`.tables`, the file formats in :mod:`.formats`; ``docs/dataset.md``
is generated from both (:mod:`.docs`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from brushbench._lazy import lazy_exports

if TYPE_CHECKING:
    from brushbench.dataset import formats
    from brushbench.dataset.dataset import Dataset
    from brushbench.dataset.errors import DatasetError
    from brushbench.dataset.manifest import MANIFEST_NAME, SCHEMA_VERSION
    from brushbench.dataset.reader import load
    from brushbench.dataset.tables import (
        ANSWER_KEY_TABLES,
        CHANNELS,
        LEGIT_KINDS,
        OBSERVED_TABLES,
        ORDER_STATUSES,
        TABLES,
        build_table,
        table_schema,
        table_spec,
    )
    from brushbench.dataset.writer import DatasetWriter

# Imported on first use, so that a module needing only a table's column names (the scenario
# language does) does not pay for pandas.
_HOME = {
    "formats": "brushbench.dataset.formats:",
    "Dataset": "brushbench.dataset.dataset", "DatasetError": "brushbench.dataset.errors",
    "MANIFEST_NAME": "brushbench.dataset.manifest", "SCHEMA_VERSION": "brushbench.dataset.manifest",
    "load": "brushbench.dataset.reader", "DatasetWriter": "brushbench.dataset.writer",
    **{name: "brushbench.dataset.tables" for name in (
        "ANSWER_KEY_TABLES", "CHANNELS", "LEGIT_KINDS", "OBSERVED_TABLES", "ORDER_STATUSES",
        "TABLES", "build_table", "table_schema", "table_spec")},
}


__getattr__, __dir__ = lazy_exports(__name__, _HOME)

__all__ = [
    "ANSWER_KEY_TABLES",
    "CHANNELS",
    "LEGIT_KINDS",
    "MANIFEST_NAME",
    "OBSERVED_TABLES",
    "ORDER_STATUSES",
    "SCHEMA_VERSION",
    "TABLES",
    "Dataset",
    "DatasetError",
    "DatasetWriter",
    "build_table",
    "formats",
    "load",
    "table_schema",
    "table_spec",
]
