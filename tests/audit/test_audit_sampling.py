"""The audit's reader: every order below --sample-orders, a keyed sample of buyers above it."""

from __future__ import annotations

import json

import numpy as np
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import brushbench
from brushbench.audit import audit_dataset
from brushbench.audit.sampling import keep_buyers, read_for_audit, sample_key
from brushbench.cli import main

from audit_helpers import PLANTS


@pytest.fixture(scope="module")
def folders(tmp_path_factory, random_labels):
    root = tmp_path_factory.mktemp("sampling")
    random_labels.write(root / "clean")
    random_labels.write(root / "clean_csv", fmt="csv")
    PLANTS["small_order_ids"](random_labels).write(root / "leaky")
    return root


def _same_report(a, b):
    da, db = a.to_dict(), b.to_dict()
    da.pop("seconds"), db.pop("seconds")
    return da == db


@pytest.mark.parametrize("name", ["clean", "clean_csv"])
def test_below_the_limit_every_row_is_read_and_the_report_is_the_full_ones(folders, name):
    full = brushbench.load(folders / name)
    calls = []
    data, sample = read_for_audit(folders / name, max_orders=10**9,
                                  progress=lambda done, total: calls.append((done, total)))
    assert not sample.sampled and sample.lines() == []
    for table in full.table_names:
        assert data.arrow(table).equals(full.arrow(table)), table
    assert calls and calls[-1][0] == calls[-1][1]  # the progress hook reaches the total
    assert _same_report(audit_dataset(data, workers=1), audit_dataset(full, workers=1))


def test_a_sample_is_every_row_of_the_kept_buyers_orders_and_nothing_else(folders):
    full = brushbench.load(folders / "clean")
    n = full.arrow("orders").num_rows
    data, sample = read_for_audit(folders / "clean", max_orders=n // 3, seed=4)
    assert sample.sampled and sample.rate == pytest.approx((n // 3) / n)
    orders = full.arrow("orders")
    keep = keep_buyers(orders["buyer_id"], sample.rate, sample_key(4))
    assert data.arrow("orders").equals(orders.filter(keep))  # file order kept
    assert 0.2 < keep.mean() < 0.5
    kept_ids = data.arrow("orders")["order_id"]
    for table in ("labels", "shipments", "refunds", "reviews"):
        whole = full.arrow(table)
        assert data.arrow(table).equals(whole.filter(pc.is_in(whole["order_id"], kept_ids)))
    buyers = full.arrow("buyers")
    assert data.arrow("buyers").equals(
        buyers.filter(keep_buyers(buyers["buyer_id"], sample.rate, sample_key(4))))
    for table in ("shops", "items", "campaigns", "entity_labels"):
        assert data.arrow(table).equals(full.arrow(table))


def test_the_sample_is_keyed_by_the_seed_and_never_by_the_labels(folders):
    n = brushbench.load(folders / "clean").arrow("orders").num_rows
    one = read_for_audit(folders / "clean", max_orders=n // 2, seed=1)[0].arrow("orders")
    again = read_for_audit(folders / "clean", max_orders=n // 2, seed=1)[0].arrow("orders")
    other = read_for_audit(folders / "clean", max_orders=n // 2, seed=2)[0].arrow("orders")
    leaky = read_for_audit(folders / "leaky", max_orders=n // 2, seed=1)[0].arrow("orders")
    assert one.equals(again)
    assert not one.equals(other)
    # The planted leak changed ids and labels, not buyers: the same buyers are sampled.
    assert one["buyer_id"].equals(leaky["buyer_id"])


def test_the_sample_counts_each_patterns_orders_and_accounts(folders):
    full = brushbench.load(folders / "clean")
    n = full.arrow("orders").num_rows
    data, sample = read_for_audit(folders / "clean", max_orders=n // 2)
    labels = full.labels.merge(full.orders[["order_id", "buyer_id"]], on="order_id")
    brushing = labels[labels["is_brushing"]]
    kept = set(data.arrow("orders")["order_id"].to_pylist())
    for pattern, rows in brushing.groupby("pattern"):
        counts = sample.patterns[pattern]
        assert counts["orders"] == len(rows)
        assert counts["accounts"] == rows["buyer_id"].nunique()
        mine = rows[rows["order_id"].isin(kept)]
        assert counts["orders_kept"] == len(mine)
        assert counts["accounts_kept"] == mine["buyer_id"].nunique()
        assert sample.missed(pattern) == pytest.approx((1 - sample.rate) ** counts["accounts"])


def test_a_planted_leak_is_still_found_on_a_sample_and_the_report_says_it_sampled(capsys,
                                                                                  folders):
    n = brushbench.load(folders / "clean").arrow("orders").num_rows
    code = main(["audit", str(folders / "leaky"), "--sample-orders", str(n // 2), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["n_orders"] < n
    assert report["sample"]["orders"] == n and report["sample"]["orders_kept"] == \
        report["n_orders"]
    assert "orders.order_id:magnitude" in {f["name"] for f in report["findings"]
                                           if not f["passed"]}
    code = main(["audit", str(folders / "clean"), "--sample-orders", str(n // 2)])
    out = capsys.readouterr().out
    assert code == 0
    assert f"of {n:,} orders: every order of" in out
    assert "chance the sample misses every account" in out


def test_a_bad_sample_size_is_one_line(capsys, folders):
    with pytest.raises(SystemExit) as exc:
        main(["audit", str(folders / "clean"), "--sample-orders", "-5"])
    assert exc.value.code == 2
    assert "--sample-orders: must be >= 0" in capsys.readouterr().err


def test_keep_buyers_takes_about_the_rate():
    import pyarrow as pa

    ids = pa.array(np.arange(1, 200_001, dtype=np.int64) * 7919)
    for rate in (0.01, 0.3, 0.9):
        assert keep_buyers(ids, rate, sample_key(0)).mean() == pytest.approx(rate, abs=0.01)
    assert keep_buyers(ids, 1.0, sample_key(0)).all()


@settings(max_examples=50, deadline=None)
@given(ids=st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1, max_size=50),
       low=st.floats(0.0, 1.0), high=st.floats(0.0, 1.0), seed=st.integers(0, 2**32))
def test_a_smaller_sample_is_part_of_a_larger_one(ids, low, high, seed):
    import pyarrow as pa

    low, high = sorted((low, high))
    array = pa.array(ids, pa.int64())
    small = keep_buyers(array, low, sample_key(seed))
    large = keep_buyers(array, high, sample_key(seed))
    assert not (small & ~large).any()  # nested: raising --sample-orders only adds buyers
    # A buyer's fate depends on its id alone, not on its neighbours in the batch.
    assert (keep_buyers(array[::-1], low, sample_key(seed)) == small[::-1]).all()


def test_csv_and_parquet_folders_give_the_same_sample(folders):
    n = brushbench.load(folders / "clean").arrow("orders").num_rows
    parquet, a = read_for_audit(folders / "clean", max_orders=n // 2)
    csv, b = read_for_audit(folders / "clean_csv", max_orders=n // 2)
    assert a == b
    for table in parquet.table_names:
        assert csv.arrow(table).equals(parquet.arrow(table)), table
