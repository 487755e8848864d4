"""Streaming runs in their own process: latency recorded, scores put together, breaches of the
protocol recorded with their status and reason."""

from __future__ import annotations

import numpy as np
import pandas as pd

from brushbench.harness import Status
from brushbench.runtime.streaming import Schedule, epoch_seconds


def test_a_streaming_detector_is_scored_with_its_latency(farm, records):
    record = records["device_counts"]
    assert record.status == Status.OK, record.reason
    n = len(farm["test"].orders)
    assert record.scores is not None and len(record.scores) == n
    # the scores of every batch went back to their orders' rows: each order scores the
    # orders of its device created before the end of its batch
    orders = farm["test"].orders
    created = epoch_seconds(orders["created_at"])
    schedule = Schedule(record.stream["start"], 3600, record.stream["batches"])
    device = pd.factorize(orders["device_id"])[0].astype(np.int64) << 33
    keys = np.sort(device + created)
    expected = (np.searchsorted(keys, device + schedule.scored_at(created))
                - np.searchsorted(keys, device))
    assert np.array_equal(record.scores, expected)
    stream = record.stream
    assert stream["batch"] == "1h" and stream["batch_seconds"] == 3600
    assert stream["batches"] >= 24 * 6 and 0 <= stream["empty_batches"] < stream["batches"]
    assert 0 < stream["latency_p50_seconds"] <= stream["latency_p99_seconds"]
    assert stream["latency_p99_seconds"] <= stream["latency_max_seconds"]
    assert record.score_seconds >= stream["latency_p50_seconds"]
    assert record.to_dict()["stream"] == stream
    assert records["device_counts_30m"].stream["batches"] >= 2 * stream["batches"] - 1


def test_batches_never_hold_the_future(records):
    record = records["future_guard"]
    assert record.status == Status.OK, (record.reason, record.traceback)
    assert "latest time seen" in record.log_tail


def test_wrong_length_in_a_batch_is_invalid_output_naming_the_batch(records):
    record = records["wrong_length"]
    assert record.status == Status.INVALID_OUTPUT
    assert record.scores is None
    assert record.problems[0].startswith("batch ") and "wrong length" in record.problems[0]
    assert "batches had problems in all" in record.problems[-1]


def test_reading_ahead_is_an_error_at_the_detectors_line(records):
    record = records["reads_ahead"]
    assert record.status == Status.ERROR and record.phase == "stream"
    assert "before yielding the scores of batch 0" in record.reason
    assert "reads_ahead.py" in record.reason and "list(batches)" in record.reason


def test_stopping_early_is_invalid_output(records):
    record = records["stops_early"]
    assert record.status == Status.INVALID_OUTPUT
    assert "stopped after yielding 1 result(s)" in record.reason


def test_both_modes_is_batch_by_default_and_streams_when_asked(records):
    batch, streamed = records["both_default"], records["both_stream"]
    assert batch.status == streamed.status == Status.OK
    assert batch.stream is None and streamed.stream is not None
    # per-device counts over the whole log vs so far: never higher when streamed
    assert (streamed.scores <= batch.scores).all() and (streamed.scores < batch.scores).any()


def test_stream_asked_of_a_batch_only_detector_is_skipped(records):
    record = records["score_only_stream"]
    assert record.status == Status.SKIPPED and "no score_stream" in record.reason
