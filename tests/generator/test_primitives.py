"""The generator's building blocks: ids, keyed uniforms, Poisson quantiles, seed streams."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from brushbench.generator.counts import poisson_quantile
from brushbench.generator.ids import ENTITY_BITS, ORDER_BITS, scramble
from brushbench.generator.randomness import KeyedUniforms
from brushbench.market.drafts import CapacityError, pack_rows
from brushbench.market.seeds import stream
from brushbench.scenario.distributions import Dist


@pytest.mark.parametrize("bits", [ENTITY_BITS, ORDER_BITS])
def test_scramble_is_a_bijection_without_order(bits):
    index = np.arange(200_000, dtype=np.uint64) * np.uint64(7919)
    ids = scramble(index, key=1234, bits=bits)
    assert len(np.unique(ids)) == len(ids)
    assert ids.min() >= 0 and ids.max() < 2**bits
    # Consecutive indices land far apart: the id tells nothing about the order of creation.
    assert abs(np.corrcoef(np.arange(len(ids)), ids)[0, 1]) < 0.02
    assert not np.array_equal(ids, scramble(index, key=1235, bits=bits))


def test_keyed_uniforms_are_a_pure_function_of_row_and_column():
    u = KeyedUniforms(42)
    rows = np.arange(100_000, dtype=np.uint64)
    a = u(rows, "quantity")
    assert np.array_equal(a, u(rows, "quantity"))
    assert np.array_equal(a[500:600], u(rows[500:600], "quantity"))  # no dependence on others
    assert (a >= 0).all() and (a < 1).all()
    assert scipy.stats.kstest(a, "uniform").pvalue > 1e-3
    b = u(rows, "device")
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.02
    assert not np.array_equal(a, KeyedUniforms(43)(rows, "quantity"))


@settings(max_examples=40, deadline=None)
@given(lam=st.floats(0.0, 200.0), seed=st.integers(0, 2**31))
def test_poisson_quantile_matches_scipy(lam, seed):
    u = np.random.default_rng(seed).random(2000)
    k = poisson_quantile(u, np.full(u.size, lam))
    exact = scipy.stats.poisson.ppf(u, lam) if lam > 0 else np.zeros(u.size)
    if lam < 40:
        assert np.array_equal(k, exact)
    else:  # normal approximation with a skew correction: off by at most one here
        assert np.abs(k - exact).max() <= 1


@pytest.mark.parametrize("spec", [
    {"dist": "lognorm", "s": 0.6, "scale": 700}, {"dist": "norm", "loc": 3, "scale": 2},
    {"dist": "uniform", "loc": 0.1, "scale": 0.3}, {"dist": "expon", "scale": 5},
    {"dist": "geom", "p": 0.3}, {"dist": "gamma", "a": 2.0},
    {"dist": "categorical", "values": [1, 2, 5], "weights": [3, 1, 1]},
])
def test_dist_ppf_matches_its_law(spec):
    dist = Dist.from_spec(spec)
    u = np.random.default_rng(0).random(50_000)
    draws = dist.ppf(u)
    if spec["dist"] == "categorical":
        freq = np.mean(draws == 1)
        assert abs(freq - 0.6) < 0.01
    else:
        np.testing.assert_allclose(draws, dist._frozen().ppf(u), rtol=1e-9, atol=1e-9)


def test_named_streams_are_independent_and_reproducible():
    a = stream(7, "marketplace", "shops").random(5)
    assert np.array_equal(a, stream(7, "marketplace", "shops").random(5))
    assert not np.array_equal(a, stream(7, "marketplace", "items").random(5))
    assert not np.array_equal(a, stream(8, "marketplace", "shops").random(5))
    assert not np.array_equal(stream(0, "x").random(3), stream(1, "x").random(3))


def test_row_identity_overflow_is_a_clear_error():
    with pytest.raises(CapacityError, match="orders in one shop-slice"):
        pack_rows(0, 0, 0, np.array([1 << 22]))
