"""``baselines/fraudar.py``: FRAUDAR's dense blocks (Hooi et al., KDD 2016).

The fast peeling against a brute-force greedy on tiny graphs (hypothesis), a planted ring with
camouflage found among honest traffic, the order, buyer and shop scores on a log worked out by
hand, and the detector's quality on generated fake distributors, naive and careful.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from baseline_helpers import checked_output, evaluate, load_baseline, pattern_ap

fr = load_baseline("fraudar")
SCALE = 0.3
DAY = pd.Timestamp("2019-12-27 09:00", tz="Asia/Shanghai")


def brute_force_greedy(weights: np.ndarray):
    """FRAUDAR's greedy as the paper states it: remove the node of least priority (ties to the
    smaller index, rows first), one at a time, recomputing every priority; keep the densest
    set seen (the first one, on ties)."""
    n_rows, n_cols = weights.shape
    alive = np.ones(n_rows + n_cols, bool)
    f, n = weights.sum(), n_rows + n_cols
    best, best_alive = f / n, alive.copy()
    while alive.any():
        prio = np.concatenate([weights @ alive[n_rows:], weights.T @ alive[:n_rows]])
        prio[~alive] = np.inf
        u = int(np.argmin(prio))
        alive[u] = False
        f, n = f - prio[u], n - 1
        if n and f / n > best:
            best, best_alive = f / n, alive.copy()
    return best_alive[:n_rows], best_alive[n_rows:], best


def _log(buyers, shops, times=None) -> SimpleNamespace:
    """A log of one order per (buyer, shop) entry, all on one day unless times are given."""
    n = len(buyers)
    created = DAY + pd.to_timedelta(np.arange(n) if times is None else times, unit="s")
    return SimpleNamespace(orders=pd.DataFrame({
        "order_id": np.arange(n) + 1, "buyer_id": np.asarray(buyers, np.int64),
        "shop_id": np.asarray(shops, np.int64), "created_at": created}))


# -- the peeling -------------------------------------------------------------------------------


# Integer weights: sums are exact, so both implementations see the same ties.
small_graphs = st.tuples(st.integers(1, 7), st.integers(1, 7)).flatmap(
    lambda shape: arrays(np.int64, shape, elements=st.integers(0, 4)))


@settings(max_examples=150, deadline=None)
@given(small_graphs)
def test_fast_peeling_keeps_exactly_the_set_of_the_brute_force_greedy(weights):
    rows_in, cols_in, density = fr.densest_block(sp.csr_matrix(weights.astype(float)))
    want_rows, want_cols, want = brute_force_greedy(weights.astype(float))
    assert density == pytest.approx(want, abs=1e-12)
    np.testing.assert_array_equal(rows_in, want_rows)
    np.testing.assert_array_equal(cols_in, want_cols)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_fast_peeling_matches_the_greedy_around_a_planted_block(seed):
    # Sparse background plus one heavy block: the case where the core pruning cuts deepest.
    rng = np.random.default_rng(seed)
    weights = (rng.random((12, 9)) < 0.2) * rng.integers(1, 3, (12, 9))
    weights[:3, :2] = rng.integers(3, 9, (3, 2))
    rows_in, cols_in, density = fr.densest_block(sp.csr_matrix(weights.astype(float)))
    want_rows, want_cols, want = brute_force_greedy(weights.astype(float))
    assert density == pytest.approx(want, abs=1e-12)
    np.testing.assert_array_equal(rows_in, want_rows)
    np.testing.assert_array_equal(cols_in, want_cols)


@settings(max_examples=100, deadline=None)
@given(small_graphs)
def test_the_pruning_bound_is_the_densest_star(weights):
    # The core pruning trusts half this density as a floor of the greedy's result: it must be
    # a real set's density, the best one-row star (a row and its k heaviest entries).
    stars = [np.cumsum(np.sort(row[row > 0])[::-1]) / np.arange(2, (row > 0).sum() + 2)
             for row in weights.astype(float)]
    want = max((s.max() for s in stars if len(s)), default=0.0)
    assert fr._densest_star(sp.csr_matrix(weights.astype(float))) == pytest.approx(want)


def test_each_block_is_found_once_its_edges_are_gone():
    counts = np.zeros((6, 4))
    counts[:2, :1] = 9          # the densest block
    counts[2:4, 1:2] = 5        # a second one
    counts[4:, 2:] = 1          # sparse rest
    blocks = fr.find_blocks(sp.csr_matrix(counts), blocks=5)
    first_rows, first_cols, first = blocks[0]
    assert first_rows.tolist() == [True, True, False, False, False, False]
    assert first_cols.tolist() == [True, False, False, False]
    second_rows, second_cols, second = blocks[1]
    assert second_rows[2:4].all() and second_cols[1] and second < first
    assert len(blocks) <= 5


# -- order, buyer and shop scores --------------------------------------------------------------


def test_scores_are_the_density_of_the_block_holding_the_order():
    # Buyers 1 and 2 order 6 times each from shop 100; 30 other buyers order once from shops
    # 200..229. The block {1, 2, 100} weighs 12 orders / log(12 + 5) over 3 nodes.
    buyers = [1] * 6 + [2] * 6 + list(range(10, 40))
    shops = [100] * 12 + list(range(200, 230))
    scores = fr.Fraudar(blocks=1).score(_log(buyers, shops))
    density = 12 / np.log(12 + 5) / 3
    np.testing.assert_allclose(scores.orders[:12], density)
    np.testing.assert_array_equal(scores.orders[12:], 0.0)
    assert scores.buyers[1] == pytest.approx(density) and scores.buyers[10] == 0.0
    assert scores.shops[100] == pytest.approx(density) and scores.shops[200] == 0.0
    assert set(scores.buyers.index) == set(buyers) and set(scores.shops.index) == set(shops)


def test_a_popular_shop_does_not_make_its_buyers_dense():
    # Column weighting: 400 buyers once each at one shop weigh 400 / log(405) over 401 nodes,
    # less than a pair of buyers with 5 orders each at a shop of their own.
    buyers = list(range(1000, 1400)) + [1] * 5 + [2] * 5
    shops = [7] * 400 + [9] * 10
    scores = fr.Fraudar(blocks=1).score(_log(buyers, shops))
    assert scores.shops[9] > 0 and scores.shops[7] == 0.0


def test_day_columns_split_a_repeat_buyer_but_not_a_burst():
    # Buyer 1 orders from shop 100 once a day for 8 days; buyers 2 and 3 order 4 times each
    # from shop 200 within an hour. By shop alone buyer 1's pair is densest; by (shop, day)
    # the burst is.
    day = 86400
    buyers = [1] * 8 + [2] * 4 + [3] * 4 + list(range(10, 30))
    shops = [100] * 8 + [200] * 8 + list(range(300, 320))
    times = list(np.arange(8) * day) + list(np.arange(8) * 60) + list(np.arange(20) * 7 * 3600)
    log = _log(buyers, shops, times)
    by_day = fr.Fraudar(blocks=1).score(log)
    by_shop = fr.Fraudar(blocks=1, time_bucket=None).score(log)
    assert by_day.shops[200] > by_day.shops[100]
    assert by_shop.shops[100] > by_shop.shops[200]


def test_a_planted_ring_with_camouflage_is_found_among_honest_traffic():
    rng = np.random.default_rng(7)
    n_honest, n_shops = 3000, 300
    popularity = 1.0 / np.arange(1, n_shops + 1)                  # Zipf-like shops
    popularity /= popularity.sum()
    honest_buyers = np.repeat(np.arange(n_honest), rng.integers(1, 4, n_honest))
    honest_shops = rng.choice(n_shops, len(honest_buyers), p=popularity)
    # The ring: 8 accounts, 3 small shops, 15 orders per account and shop ...
    ring_buyers = 100_000 + np.arange(8)
    ring_shops = np.array([290, 291, 292])
    ring = np.array([(b, s) for b in ring_buyers for s in ring_shops for _ in range(15)])
    # ... and camouflage: each account also buys from 20 popular shops.
    camo = np.array([(b, s) for b in ring_buyers for s in rng.choice(20, 20, replace=False)])
    buyers = np.concatenate([honest_buyers, ring[:, 0], camo[:, 0]])
    shops = np.concatenate([honest_shops, ring[:, 1], camo[:, 1]])
    scores = fr.Fraudar().score(_log(buyers, shops, np.zeros(len(buyers))))

    top = scores.buyers.max()
    found_buyers = set(scores.buyers.index[scores.buyers == top])
    found_shops = set(scores.shops.index[scores.shops == top])
    truth = set(ring_buyers) | set(ring_shops)
    found = found_buyers | found_shops
    assert len(found & truth) / len(found) >= 0.9                  # precision
    assert len(found & truth) / len(truth) >= 0.9                  # recall


def test_an_empty_log_scores_nothing():
    scores = fr.Fraudar().score(_log([], []))
    assert len(scores.orders) == 0 and scores.buyers.empty and scores.shops.empty


# -- the protocol and quality ------------------------------------------------------------------


def test_protocol_finite_one_per_order_deterministic():
    _, scores, buyers, shops = checked_output(fr.Fraudar, "distributor_fake_naive", SCALE)
    assert (scores >= 0).all() and buyers is not None and shops is not None


def test_fake_distributors_rank_on_top_when_naive_and_lower_when_careful():
    naive = evaluate("fraudar", "distributor_fake_naive", SCALE)
    careful = evaluate("fraudar", "distributor_fake_careful", SCALE)
    ap = pattern_ap(naive, "distributor_fake")
    assert ap >= 0.9 and ap >= 50 * naive["orders"]["base_rate"]
    assert naive["buyers"]["average_precision"] >= 0.8
    assert pattern_ap(careful, "distributor_fake") <= ap - 0.1
