"""Streaming eval of a partitioned dataset: the same results as of the one-file dataset, while
neither the detector's batches nor the parent's scoring hold the whole log."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from brushbench.dataset import DatasetWriter
from brushbench.dataset.manifest import read_manifest
from brushbench.harness.answer_key import ORDER_COLUMNS, read_scoring_data
from brushbench.harness.evaluate import evaluate_data

from streaming_helpers import TIMEOUT, detector_file

RANDOM = str(Path(__file__).resolve().parents[2] / "baselines" / "random.py")
PART_ROWS = 700  # several parts per large table at this scale


@pytest.fixture(scope="module")
def partitioned(farm, tmp_path_factory):
    """The test dataset of ``farm`` written again as a partitioned dataset of small parts."""
    folder = tmp_path_factory.mktemp("parts") / "test"
    data = farm["test"]
    with DatasetWriter(folder, timezone=data.timezone, partitioned=True,
                       part_rows=PART_ROWS) as writer:
        for name in writer.tables:
            writer.write(name, data.arrow(name))
        writer.close({key: value for key, value in data.manifest.items()
                      if key in ("scenario", "seed", "scale")})
    return folder


def _metrics(results):
    (run,) = results.runs
    assert run.status == "ok", run.reason
    return run.metrics, dict(run.stream)


def test_the_fixture_is_partitioned(partitioned):
    entries = read_manifest(partitioned)["tables"]
    assert len(entries["orders"]["parts"]) > 3
    assert len(entries["labels"]["parts"]) > 3


@pytest.mark.parametrize("target", ["device_counts", "random"])
def test_streaming_eval_of_parts_matches_the_one_file_dataset(farm, partitioned, target):
    file = RANDOM if target == "random" else detector_file(target)
    one = evaluate_data(file, farm["test_dir"], timeout=TIMEOUT, stream=True)
    parts = evaluate_data(file, partitioned, timeout=TIMEOUT, stream=True)
    (m1, s1), (m2, s2) = _metrics(one), _metrics(parts)
    assert m1 == m2
    assert m1["orders"]["n_positive"] > 0  # metrics with something in them
    latency = ("latency_p50_seconds", "latency_p99_seconds", "latency_max_seconds")
    assert {k: v for k, v in s1.items() if k not in latency} == \
        {k: v for k, v in s2.items() if k not in latency}
    assert s1["time_to_detect"]["n_campaigns"] > 0


def test_scoring_reads_the_answer_key_as_compact_columns(farm, partitioned):
    data = read_scoring_data(partitioned)
    assert tuple(data.orders.columns) == ORDER_COLUMNS
    assert len(data.orders) == len(farm["test"].orders)
    # Text columns of the answer key are categoricals (a code a row), values unchanged.
    assert data.labels["pattern"].dtype == "category"
    full = farm["test"].labels

    def text(column):
        return [None if pd.isna(v) else str(v) for v in column]

    assert text(data.labels["pattern"]) == text(full["pattern"])
    assert text(data.labels["campaign_id"]) == text(full["campaign_id"])
    assert (data.labels["order_id"].to_numpy() == full["order_id"].to_numpy()).all()


def test_a_batch_gathers_its_rows_chunk_by_chunk_as_take_would():
    from brushbench.runtime.streaming import _gather

    table = pa.Table.from_batches([pa.record_batch({"x": pa.array(range(lo, lo + 5))})
                                   for lo in range(0, 20, 5)])
    rng = np.random.default_rng(0)
    for rows in (np.array([17, 2, 2, 9, 0, 19]), np.arange(3, 12), np.array([], np.int64),
                 rng.permutation(20).astype(np.int32)):
        assert _gather(table, rows).column("x").to_pylist() == \
            table.take(pa.array(rows, pa.int64())).column("x").to_pylist()


def test_order_rows_are_found_by_binary_search():
    from brushbench.runtime.streaming import _OrderLookup

    lookup = _OrderLookup(np.array([30, 10, 20], dtype=np.int64))
    assert lookup.unique
    assert lookup.rows(np.array([20, 99, 30, 10, 5])).tolist() == [2, -1, 0, 1, -1]
    assert not _OrderLookup(np.array([3, 1, 3], dtype=np.int64)).unique
