"""Cutting a dataset into batches: contiguous windows, every order once, never the future."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from brushbench.dataset import Dataset
from brushbench.harness import load_detector, run_protocol
from brushbench.runtime.protocol import DetectorFailed, DetectorSkipped, check_output
from brushbench.runtime.streaming import (
    EVENT_TIME,
    Schedule,
    StreamPlan,
    batch_label,
    latency_summary,
    parse_batch,
)

from streaming_helpers import detector_file


@pytest.fixture(scope="module")
def plan(farm):
    return StreamPlan(farm["test"].without_answer_key(), "1h")


@pytest.fixture(scope="module")
def batches(plan):
    return list(plan)


def _epoch(column: pd.Series) -> np.ndarray:
    return pd.DatetimeIndex(column.dropna()).as_unit("s").asi8


def test_no_table_of_any_batch_holds_a_time_at_or_after_its_end(batches):
    checked = 0
    for batch in batches:
        end = batch.end
        for name in batch.data.table_names:
            frame = getattr(batch.data, name)
            for column in frame.columns:
                if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
                    values = frame[column].dropna()
                    assert (values < end).all(), (batch.index, name, column)
                    checked += len(values)
        assert (batch.data.orders["created_at"] >= batch.start).all()
        assert batch.data.orders["status"].isna().all()  # the final outcome is not known yet
        assert not batch.data.has_answer_key
        assert "tables" not in batch.data.manifest  # no row counts of the whole dataset
    assert checked > 10_000


def test_windows_are_contiguous_in_order_and_cover_every_order_once(farm, plan, batches):
    starts = [b.start for b in batches]
    ends = [b.end for b in batches]
    assert all(b.index == i for i, b in enumerate(batches))
    assert starts[1:] == ends[:-1]
    assert all(e - s == pd.Timedelta(hours=1) for s, e in zip(starts, ends, strict=True))
    assert starts[0].minute == starts[0].second == 0  # hourly windows start on the hour
    ids = np.concatenate([b.data.orders["order_id"].to_numpy() for b in batches])
    assert sorted(ids) == sorted(farm["test"].orders["order_id"])
    rows = np.concatenate([plan.order_rows(i) for i in range(len(plan))])
    assert np.array_equal(np.sort(rows), np.arange(len(farm["test"].orders)))
    assert np.array_equal(farm["test"].orders["order_id"].to_numpy()[rows], ids)


def test_events_arrive_once_in_the_window_they_happen_after_their_order(farm, batches):
    last_end = batches[-1].end
    seen_orders: set[int] = set()
    for name in ("shipments", "refunds", "reviews", "buyers"):
        delivered = pd.concat([getattr(b.data, name) for b in batches], ignore_index=True)
        whole = getattr(farm["test"], name)
        known = whole[whole[EVENT_TIME[name]] < last_end]
        assert len(delivered) == len(known), name
        for b in batches[1:]:
            frame = getattr(b.data, name)
            assert (frame[EVENT_TIME[name]] >= b.start).all(), name
    for b in batches:
        seen_orders |= set(b.data.orders["order_id"])
        for name in ("shipments", "refunds", "reviews"):
            assert set(getattr(b.data, name)["order_id"]) <= seen_orders, (b.index, name)
    # all buyers registered before the stream started come with the first batch
    assert len(batches[0].data.buyers) == (farm["test"].buyers["registered_at"]
                                           < batches[0].end).sum()
    assert all(len(b.data.shops) == len(farm["test"].shops) for b in batches)


def test_a_later_time_of_a_row_is_hidden_until_it_happens(farm, batches):
    hidden = sum(int(b.data.shipments["delivered_at"].isna().sum()) for b in batches)
    assert hidden > 0  # parcels still on their way at the end of their batch
    whole = farm["test"].shipments
    assert whole["delivered_at"].isna().sum() < hidden


def test_a_stream_with_a_quiet_window_keeps_it(farm):
    data = farm["test"].without_answer_key()
    orders = data.arrow("orders")
    created = _epoch(data.orders["created_at"])
    full = StreamPlan(data, "1h")
    keep = full.schedule.batch_of(created) != 2  # no order in the third window
    gappy = Dataset({**{n: data.arrow(n) for n in data.table_names},
                     "orders": orders.filter(pa.array(keep))}, data.manifest)
    plan = StreamPlan(gappy, 3600)
    sizes = [plan.batch(i).data.arrow("orders").num_rows for i in range(4)]
    assert sizes[2] == 0 and 0 not in sizes[:2] and len(plan) == len(full)


def test_batch_windows_parse_and_print():
    assert parse_batch("1h") == 3600 and parse_batch("30m") == 1800
    assert parse_batch("15min") == 900 and parse_batch("1d") == 86400
    assert parse_batch(90) == 90 and parse_batch("90") == 90
    assert parse_batch(timedelta(minutes=5)) == 300 and parse_batch("2h30m") == 9000
    for bad in ("soon", "0s", "-1h", "1.5s", ""):
        with pytest.raises(ValueError):
            parse_batch(bad)
    assert [batch_label(s) for s in (3600, 5400, 86400, 45)] == ["1h", "90m", "1d", "45s"]


def test_daily_windows_start_at_local_midnight():
    t = pd.Timestamp("2020-01-01 15:30", tz="Asia/Singapore")
    schedule = Schedule.from_times(np.array([t.value // 10**9]), 86400, "Asia/Singapore")
    start = pd.Timestamp(schedule.start, unit="s", tz="UTC").tz_convert("Asia/Singapore")
    assert start == pd.Timestamp("2020-01-01", tz="Asia/Singapore")
    assert schedule.n_batches == 1
    assert schedule.scored_at(np.array([t.value // 10**9]))[0] == schedule.start + 86400


def test_latency_percentiles_are_nearest_rank():
    values = np.arange(1, 101, dtype=float)
    summary = latency_summary(values)
    assert summary == {"latency_p50_seconds": 50.0, "latency_p99_seconds": 99.0,
                       "latency_max_seconds": 100.0}
    assert latency_summary(np.empty(0))["latency_p99_seconds"] is None


def test_run_protocol_streams_a_detector_without_score(farm):
    raw = run_protocol(load_detector(detector_file("device_counts")), None, farm["test"])
    assert raw.stream is not None and len(raw.stream.latencies) == len(raw.stream.plan)
    assert raw.returned is None and raw.score_seconds > 0
    checked = check_output(raw, farm["test"].without_answer_key())
    assert not checked.problems and len(checked.scores) == len(farm["test"].orders)
    assert (checked.scores >= 1).all()


def test_reading_ahead_is_refused(farm):
    with pytest.raises(DetectorFailed, match="before yielding the scores of batch 0") as info:
        run_protocol(load_detector(detector_file("reads_ahead")), None, farm["test"])
    assert info.value.phase == "stream"


def test_the_mode_follows_the_request(farm):
    both = load_detector(detector_file("both_modes"))
    assert run_protocol(both, None, farm["test"]).stream is None  # batch mode by default
    assert run_protocol(both, None, farm["test"], stream=True).stream is not None
    with pytest.raises(DetectorSkipped, match="no score_stream"):
        run_protocol(load_detector(detector_file("score_only")), None, farm["test"],
                     stream=True)
    with pytest.raises(DetectorSkipped, match="choose a longer window"):
        run_protocol(load_detector(detector_file("device_counts")), None, farm["test"],
                     batch="1s")
