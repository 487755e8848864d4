"""What scoring costs (issue 4 target: all metrics of 10M orders in under 2 seconds; issue 11:
in memory that grows with the orders only as columns, never as Python objects per order).

    pytest benchmarks/bench_metrics.py --benchmark-only

A synthetic answer key of 10M orders shaped like a generated one: 1% brushing orders in 6
patterns and 120 campaigns at 5 camouflage levels, legitimate orders of the 6 kinds, 3M buyers
(30k of them fake) and 30k shops (120 beneficiaries, some culprits and victims). The detector's
scores are continuous (every score distinct: the slowest case for the sort) and informative.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from brushbench.dataset.tables import LEGIT_KINDS
from brushbench.metrics import score_orders
from brushbench.metrics.streaming import time_to_detect

N_ORDERS = 10_000_000
PATTERNS = ("self_purchase", "post_promo_return", "supplier_buyback", "competitor_framing",
            "click_farm", "distributor_fake")
KIND_SHARES = (0.78, 0.01, 0.02, 0.01, 0.16, 0.02)


def _strings(codes: np.ndarray, names: list[str]) -> pa.Array:
    """A string column from codes (-1 = null) without building millions of Python strings."""
    mask = codes < 0
    indices = pa.array(np.where(mask, 0, codes).astype(np.int32), mask=mask)
    return pa.DictionaryArray.from_arrays(indices, pa.array(names)).cast(pa.string())


def synthetic(n: int = N_ORDERS, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    n_buyers, n_fake, n_shops, n_campaigns = 3_000_000, 30_000, 30_000, 120
    brushing = rng.random(n) < 0.01
    P = int(brushing.sum())
    campaign = np.full(n, -1)
    campaign[brushing] = rng.integers(0, n_campaigns, P)
    camp_pattern = np.arange(n_campaigns) % len(PATTERNS)
    pattern = np.where(brushing, camp_pattern[np.maximum(campaign, 0)], -1)
    kind = np.where(brushing, -1, rng.choice(len(LEGIT_KINDS), n, p=KIND_SHARES))

    buyer_ids = rng.choice(np.iinfo(np.int64).max, n_buyers, replace=False)
    shop_ids = rng.choice(np.iinfo(np.int64).max, n_shops, replace=False)
    buyer = buyer_ids[rng.integers(0, n_buyers, n)]
    buyer[brushing] = buyer_ids[rng.integers(0, n_fake, P)]         # the first n_fake are fake
    shop = shop_ids[rng.integers(0, n_shops, n)]
    shop[brushing] = shop_ids[campaign[brushing]]                   # campaign c helps shop c
    order_ids = rng.choice(np.iinfo(np.int64).max, n, replace=False)

    labels = pa.table({
        "order_id": order_ids, "is_brushing": brushing,
        "pattern": _strings(pattern, list(PATTERNS)),
        "campaign_id": _strings(campaign, [f"c{i:03d}" for i in range(n_campaigns)]),
        "legit_kind": _strings(kind, list(LEGIT_KINDS)),
    }).to_pandas()
    orders = pd.DataFrame({"order_id": order_ids, "buyer_id": buyer, "shop_id": shop})
    entity_labels = pd.DataFrame({
        "entity_type": ["account"] * n_fake + ["shop"] * (n_campaigns + 20),
        "entity_id": np.concatenate([buyer_ids[:n_fake], shop_ids[:n_campaigns + 20]]),
        "role": ["fake_buyer"] * n_fake + ["beneficiary"] * n_campaigns + ["victim"] * 10
                + ["culprit"] * 10,
        "campaign_id": [None] * (n_fake + n_campaigns + 20),
    })
    campaigns = pd.DataFrame({
        "campaign_id": [f"c{i:03d}" for i in range(n_campaigns)],
        "pattern": [PATTERNS[p] for p in camp_pattern],
        "camouflage": np.arange(n_campaigns) % 5 / 4,
    })
    scores = rng.normal(size=n) + 2.0 * brushing
    buyer_scores = pd.Series(rng.random(n_buyers), index=buyer_ids)
    return {"labels": labels, "orders": orders, "entity_labels": entity_labels,
            "campaigns": campaigns, "scores": scores, "buyer_scores": buyer_scores}


@pytest.fixture(scope="module")
def data():
    return synthetic()


def _record(benchmark, data) -> None:
    benchmark.extra_info["orders"] = len(data["orders"])
    benchmark.extra_info["seconds_per_10m_orders"] = (
        benchmark.stats["mean"] / len(data["orders"]) * 1e7)


def test_score_10m_orders(benchmark, data):
    """Everything but the entity sections (no entity_labels)."""
    result = benchmark.pedantic(
        score_orders, args=(data["labels"], data["scores"]),
        kwargs={"orders": data["orders"], "campaigns": data["campaigns"]},
        rounds=5, iterations=1, warmup_rounds=1)
    assert result["orders"]["n_orders"] == N_ORDERS
    _record(benchmark, data)


def test_score_10m_orders_with_entities(benchmark, data):
    """Every section; buyer and shop scores are the max of their orders' scores."""
    result = benchmark.pedantic(
        score_orders, args=(data["labels"], data["scores"]),
        kwargs={"orders": data["orders"], "campaigns": data["campaigns"],
                "entity_labels": data["entity_labels"]},
        rounds=5, iterations=1, warmup_rounds=1)
    assert result["buyers"]["source"] == "max_order_score"
    _record(benchmark, data)


def test_score_10m_orders_with_detector_buyer_scores(benchmark, data):
    """Every section; the detector gives its own scores for the 3M buyers."""
    result = benchmark.pedantic(
        score_orders, args=(data["labels"], data["scores"]),
        kwargs={"orders": data["orders"], "campaigns": data["campaigns"],
                "entity_labels": data["entity_labels"], "buyer_scores": data["buyer_scores"]},
        rounds=5, iterations=1, warmup_rounds=1)
    assert result["buyers"]["source"] == "detector"
    _record(benchmark, data)


def _streamed(data) -> tuple:
    """Creation times over one day, in order, and the end of each order's 10-minute batch."""
    n = len(data["orders"])
    created = np.sort(np.random.default_rng(1).integers(1_573_401_600, 1_573_488_000, n))
    orders = data["orders"].assign(created_at=pd.to_datetime(created, unit="s", utc=True)
                                   .tz_convert("Asia/Shanghai"))
    return orders, created - created % 600 + 600


def test_time_to_detect_10m_orders(benchmark, data):
    """The streaming section: per campaign, its first fake order to its first alert."""
    orders, scored_at = _streamed(data)
    result = benchmark.pedantic(
        time_to_detect, args=(data["labels"], data["scores"]),
        kwargs={"orders": orders, "scored_at": scored_at, "campaigns": data["campaigns"]},
        rounds=5, iterations=1, warmup_rounds=1)
    assert result["n_campaigns"] == 120
    _record(benchmark, data)


#: Bytes per order each may allocate beyond its inputs (tracemalloc's peak, which sees numpy's
#: buffers): a few float64, int64 and bool columns (measured 36 and 27). Campaign and pattern
#: as Python objects for every order cost time_to_detect 16 more (43 before issue 11).
BYTES_PER_ORDER = {"score_orders": 48, "time_to_detect": 32}


@pytest.mark.parametrize("what", ["score_orders", "time_to_detect"])
def test_memory_per_order_is_a_few_columns(benchmark, data, what):
    orders, scored_at = _streamed(data)
    if what == "score_orders":
        def run():
            return score_orders(data["labels"], data["scores"], orders=data["orders"],
                                campaigns=data["campaigns"],
                                entity_labels=data["entity_labels"])
    else:
        def run():
            return time_to_detect(data["labels"], data["scores"], orders=orders,
                                  scored_at=scored_at, campaigns=data["campaigns"])

    peaks = []

    def measured():
        tracemalloc.start()
        try:
            return run()
        finally:
            peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()

    benchmark.pedantic(measured, rounds=1, iterations=1)
    per_order = peaks[0] / N_ORDERS
    benchmark.extra_info["peak_bytes_per_order"] = per_order
    print(f"\n{what}: peak {peaks[0] / 2**20:,.0f} MiB beyond its inputs, "
          f"{per_order:.0f} bytes per order")
    assert per_order < BYTES_PER_ORDER[what]
