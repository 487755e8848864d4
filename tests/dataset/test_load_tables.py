"""load(..., tables=...): only the named tables are read; the others are empty."""

from __future__ import annotations

import pytest

import brushbench
from brushbench.dataset import DatasetError, load


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("subset") / "data"
    brushbench.generate("mixed_naive", seed=3, scale=0.003).write(out)
    return out


def test_only_the_named_tables_are_read(folder):
    full = load(folder)
    part = load(folder, verify=False, tables=("orders", "labels"))
    assert part.orders.equals(full.orders) and part.labels.equals(full.labels)
    assert len(full.shipments) > 0 and len(part.shipments) == 0
    assert list(part.shipments.columns) == list(full.shipments.columns)


def test_an_unknown_table_is_a_dataset_error(folder):
    with pytest.raises(DatasetError, match="no table parcels"):
        load(folder, tables=("orders", "parcels"))
