"""Scoring from compact columns read part by part (``harness.answer_key.read_answer_columns``,
``harness.scoring.score_run``) gives exactly the metrics of the pandas frames, and those agree
with references written from the definitions (scikit-learn, pandas group-bys)."""

from __future__ import annotations

import types

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

import brushbench
from brushbench.dataset import DatasetWriter
from brushbench.dataset.manifest import read_manifest
from brushbench.harness.answer_key import _Cursor, read_answer_columns, read_scoring_data
from brushbench.harness.scoring import score_data, score_run, stream_data
from brushbench.metrics import REVIEW_BUDGET, budget_size
from brushbench.metrics.key import BRUSHING, merge_seen, order_key, seen_entities
from brushbench.runtime.streaming import Schedule, epoch_seconds

PART_ROWS = 700  # many parts at this scale


def _write(data, folder, *, partitioned, labels=None):
    with DatasetWriter(folder, timezone=data.timezone, partitioned=partitioned,
                       part_rows=PART_ROWS) as writer:
        for name in writer.tables:
            table = data.arrow(name)
            writer.write(name, labels if name == "labels" and labels is not None else table)
        writer.close({key: value for key, value in data.manifest.items()
                      if key in ("scenario", "seed", "scale")})
    return folder


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """A log with campaigns and entity labels, partitioned in small parts, and the same with
    its labels in another row order (one file)."""
    root = tmp_path_factory.mktemp("columns")
    test = brushbench.generate("mixed_naive", seed=3, scale=0.01)
    shuffled = test.arrow("labels").take(
        pa.array(np.random.default_rng(0).permutation(len(test.orders))))
    return {"test": test, "parts": _write(test, root / "parts", partitioned=True),
            "shuffled": _write(test, root / "shuffled", partitioned=False, labels=shuffled)}


def _scores(test):
    """Score vectors of several shapes: continuous, many ties, constant, two levels."""
    y = test.labels["is_brushing"].to_numpy(bool)
    rng = np.random.default_rng(7)
    n = len(y)
    return {"noisy": y + rng.normal(0, 0.6, n), "rounded": np.round(y * 0.4 + rng.random(n), 1),
            "constant": np.zeros(n),
            "two_levels": (rng.random(n) < 0.02) + y * (rng.random(n) < 0.5).astype(float)}


def _record(test, scores, *, own=False):
    times = epoch_seconds(test.orders["created_at"])
    schedule = Schedule.from_times(times, 3600, test.timezone)
    stream = {"start": schedule.start, "batch_seconds": 3600, "batches": schedule.n_batches,
              "batch": "1h", "empty_batches": 0, "latency_p50_seconds": 0.01,
              "latency_p99_seconds": 0.02, "latency_max_seconds": 0.03}
    buyers = pd.unique(test.orders["buyer_id"].to_numpy())
    return types.SimpleNamespace(
        scores=scores, stream=stream, shop_scores=None,
        predictions=scores >= np.quantile(scores, 0.98) if own else None,
        buyer_scores=pd.Series(np.linspace(0, 1, len(buyers) // 2),
                               index=buyers[:len(buyers) // 2]) if own else None)


def test_the_parts_really_are_parts(data):
    tables = read_manifest(data["parts"])["tables"]
    assert len(tables["orders"]["parts"]) > 5 and len(tables["labels"]["parts"]) > 5


@pytest.mark.parametrize("own", [False, True])
@pytest.mark.parametrize("shape", ["noisy", "rounded", "constant", "two_levels"])
def test_columns_score_exactly_as_the_frames(data, shape, own):
    test = data["test"]
    record = _record(test, _scores(test)[shape], own=own)
    frames = read_scoring_data(data["parts"])
    expected = (score_data(frames, record), stream_data(record.stream, frames, record.scores))
    assert score_run(data["parts"], record) == expected
    # Labels in another row order: joined on order_id (the frames), the same results.
    assert score_run(data["shuffled"], record) == expected
    assert expected[0]["orders"]["n_positive"] > 0
    assert expected[1]["time_to_detect"]["n_campaigns"] > 0


def test_columns_agree_with_references_from_the_definitions(data):
    test = data["test"]
    s = _scores(test)["noisy"]
    metrics, stream = score_run(data["parts"], _record(test, s))
    labels, orders = test.labels, test.orders
    y = labels["is_brushing"].to_numpy(bool)
    assert metrics["orders"]["average_precision"] == pytest.approx(
        average_precision_score(y, s), rel=1e-12)
    assert metrics["orders"]["roc_auc"] == pytest.approx(roc_auc_score(y, s), rel=1e-12)
    # False alarms per kind at 1%: continuous scores, so the top k orders are the alerts.
    k = budget_size(REVIEW_BUDGET, len(s))
    top = np.zeros(len(s), dtype=bool)
    top[np.argsort(-s, kind="stable")[:k]] = True
    legit = labels[~y].assign(top=top[~y])
    for kind, group in legit.groupby("legit_kind"):
        entry = metrics["false_alarms"][kind]
        assert (entry["n_orders"], entry["flagged_at_1pct"]) == (len(group), group.top.sum())
    # Buyers: the best order score of each buyer seen, positives from the entity labels.
    best = pd.Series(s).groupby(orders["buyer_id"].to_numpy()).max()
    el = test.entity_labels
    positive = el[(el.entity_type == "account")
                  & el.role.isin(["fake_buyer", "controller", "supplier"])].entity_id
    assert metrics["buyers"]["average_precision"] == pytest.approx(
        average_precision_score(best.index.isin(positive), best.to_numpy()), rel=1e-12)
    # Time to detect: each campaign's first alert (end of its batch) minus its first order.
    ends = Schedule(**{k: int(stream_info) for k, stream_info in (
        ("start", _record(test, s).stream["start"]), ("batch_seconds", 3600),
        ("n_batches", _record(test, s).stream["batches"]))}).scored_at(
            epoch_seconds(orders["created_at"]))
    fake = pd.DataFrame({"campaign": labels.campaign_id, "created": epoch_seconds(
        orders["created_at"]), "alert_at": np.where(top, ends, np.iinfo(np.int64).max)})[y]
    per = fake.groupby("campaign").agg(first=("created", "min"), alert=("alert_at", "min"))
    for campaign, row in per.iterrows():
        got = stream["time_to_detect"]["per_campaign"][campaign]["seconds"]
        if row.alert == np.iinfo(np.int64).max:
            assert got == {"value": None, "reason": "never alerted"}
        else:
            assert got == row.alert - row["first"]


def test_the_answer_key_is_held_as_a_byte_an_order(data):
    test = data["test"]
    s = _scores(test)["noisy"]
    columns = read_answer_columns(data["parts"], s)
    key = columns.key
    assert key.kind.dtype == np.int8 and key.kind.shape == (len(s),)
    y = test.labels["is_brushing"].to_numpy(bool)
    assert np.array_equal(key.positive_rows, np.flatnonzero(y))
    assert (key.kind[y] == BRUSHING).all() and (key.kind[~y] >= 0).all()
    assert [key.kind_names[c] for c in key.kind[~y]] == list(test.labels.legit_kind[~y])
    # One entry per buyer seen, not per order, with its best order score.
    buyers = columns.seen["buyers"]
    best = pd.Series(s).groupby(test.orders["buyer_id"].to_numpy()).max()
    assert len(buyers.ids) == len(best) < len(s)
    assert np.array_equal(pd.Series(buyers.best, index=buyers.ids).sort_index().to_numpy(),
                          best.to_numpy())
    # The same key as from the frames (kinds may be numbered in another order).
    frames = order_key(test.labels, test.orders, times=True)
    for name in ("positive_rows", "pattern", "campaign", "created"):
        assert np.array_equal(getattr(key, name), getattr(frames, name)), name
    assert dict(zip(key.kind_names, key.kind_rows, strict=True)) == \
        dict(zip(frames.kind_names, frames.kind_rows, strict=True))
    assert (key.pattern_names, key.campaign_ids) == (frames.pattern_names, frames.campaign_ids)


def test_a_cursor_hands_out_rows_across_part_boundaries():
    values = np.arange(100)
    parts = iter([pa.table({"v": values[a:b]}) for a, b in ((0, 7), (7, 8), (8, 50), (50, 100))])
    cursor = _Cursor(parts)
    got = [cursor.take(rows).column("v").to_numpy() for rows in (3, 30, 1, 60, 6)]
    assert np.array_equal(np.concatenate(got), values)
    assert [len(g) for g in got] == [3, 30, 1, 60, 6]


def test_merged_entities_keep_each_ones_best_score():
    rng = np.random.default_rng(1)
    ids, scores = rng.integers(0, 50, 1000), rng.random(1000)
    runs = [seen_entities(ids[a:a + 100], scores[a:a + 100]) for a in range(0, 1000, 100)]
    merged = merge_seen(runs)
    best = pd.Series(scores).groupby(ids).max()
    assert np.array_equal(merged.ids, best.index.to_numpy())
    assert np.array_equal(merged.best, best.to_numpy())


@pytest.mark.parametrize("shape", ["rounded", "constant"])
def test_false_alarms_with_ties_at_the_cut_as_before(data, shape):
    """Ties straddle the cut: each kind's expected false alarms share the tied slots, and
    ``all`` is their sum in the order pandas' ``value_counts`` gives the kinds (brushing rows
    included), as it always was: the same value to the last bit."""
    test = data["test"]
    s = _scores(test)[shape]
    metrics, _ = score_run(data["parts"], _record(test, s))
    k = budget_size(REVIEW_BUDGET, len(s))
    t = np.sort(s)[len(s) - k]
    above, tied = int((s > t).sum()), int((s == t).sum())
    assert k - above < tied  # the case under test: a fractional share
    share = (k - above) / tied
    kind = test.labels["legit_kind"].astype(object)
    legit = ~test.labels["is_brushing"].to_numpy(bool)
    expected = {}
    for name in kind.value_counts(dropna=False).index:
        mine = legit & (kind.isna().to_numpy() if pd.isna(name) else (kind == name).to_numpy())
        expected["unspecified" if pd.isna(name) else name] = (
            int((s[mine] > t).sum()) + share * int((s[mine] == t).sum()))
    for name, value in expected.items():
        if name in metrics["false_alarms"]:
            assert metrics["false_alarms"][name]["flagged_at_1pct"] == value
    assert metrics["false_alarms"]["all"]["flagged_at_1pct"] == sum(expected.values())
