"""The fit's parts on their own: the daily rhythm and the law of unseen entities."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brushbench.fit.clock import fit_rhythm
from brushbench.fit.laws import fit_counts, population_cells
from brushbench.market.population import Population, _activity_table
from brushbench.scenario.distributions import Dist


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 9 * 86400 - 1), min_size=1, max_size=300),
       st.integers(0, 86399))
def test_the_rhythm_gives_back_the_orders_per_hour_of_day_and_per_day(offsets, start):
    local = 1_600_000_000 + start + np.sort(np.asarray(offsets, dtype=np.int64))
    rhythm = fit_rhythm(local)
    # The window holds every order, in whole hours.
    assert rhythm.start_local <= local.min() and local.max() < rhythm.start_local + rhythm.duration
    assert rhythm.start_local % 3600 == 0 and rhythm.duration % 3600 == 0
    assert rhythm.day_trend[0] == 1 or rhythm.day_trend[0] == 0
    # Poisson maximum likelihood of rate = profile x trend: the expected orders match the log's
    # per hour of day and per day (the margins), whatever the window's start.
    expected = rhythm.hour_shares() * len(local)
    hours = rhythm.start_local // 3600 + np.arange(rhythm.hours)
    day0 = rhythm.start_local // 86400
    of = (local // 3600) % 24
    assert np.allclose(np.bincount(hours % 24, weights=expected, minlength=24),
                       np.bincount(of, minlength=24), atol=0.01 * len(local) + 0.02)
    days = hours * 3600 // 86400 - day0
    assert np.allclose(np.bincount(days, weights=expected),
                       np.bincount(local // 86400 - day0, minlength=days.max() + 1),
                       atol=0.01 * len(local) + 0.02)


def _extrapolated_ratio(s, n, seed):
    rng = np.random.default_rng(seed)
    w = rng.lognormal(0.0, s, n)
    counts = rng.poisson(10 * n * w / w.sum())
    seen = counts[counts > 0]
    fit = fit_counts(seen, int(seen.sum()))
    assert fit.n >= len(seen)
    return fit.n / n


# How close the count of entities comes back depends on how many the log never shows. Measured
# over 40 logs each (300-3,000 entities, 10 orders each on average): at s <= 1.8 (up to 30%
# unseen) the ratio stayed within 0.93-1.11; at s = 2.0-2.2 (38-45% unseen) within 0.86-1.43,
# and a CI run drew 1.38 (s = 2.0, 890 entities).
@settings(max_examples=10, deadline=None)
@given(st.floats(0.4, 1.8), st.integers(300, 3000), st.integers(0, 2**32 - 1))
def test_unseen_entities_are_extrapolated_from_the_law(s, n, seed):
    assert 1 / 1.2 <= _extrapolated_ratio(s, n, seed) <= 1.2


def test_a_heavy_tail_leaves_more_unseen_and_a_wider_extrapolation():
    # A statement about the spread, so over a fixed set of logs rather than a random few: one
    # log in a hundred or so lands far out (hypothesis drew 2.66 at s = 2.0, 300 entities, and
    # 0.56 and 0.62 came up in 300 draws), which a bound per log cannot tell from a broken fit.
    # Measured over 300 logs (s 1.8-2.2, 300-3,000 entities): 5-95% 0.91-1.16, 1-99% 0.82-1.30.
    rng = np.random.default_rng(20261206)
    ratios = np.array([_extrapolated_ratio(rng.uniform(1.8, 2.2), int(rng.integers(300, 3001)),
                                           int(rng.integers(0, 2**32))) for _ in range(20)])
    assert 0.9 <= np.median(ratios) <= 1.1
    assert np.mean((ratios >= 1 / 1.35) & (ratios <= 1.35)) >= 0.9
    assert np.all((ratios >= 1 / 3) & (ratios <= 3))


@pytest.mark.parametrize(("family", "shape", "n"), [("lognorm", 0.5, 1000), ("lognorm", 2.5, 3),
                                                    ("pareto", 0.9, 364_042), ("pareto", 3.0, 777)])
def test_the_buyer_model_is_the_populations_activity_table(family, shape, n):
    # The fit models buyers as the generator draws them: each buyer's share of the draws is the
    # population's table's mass over its rank (population.activity_of).
    key = "s" if family == "lognorm" else "b"
    law = Dist.of(family, **{key: shape, "scale": 1.0})
    q, mass = _activity_table(law, n)
    size, activity = population_cells(family, shape, n)
    assert size.sum() == n and np.all(size >= 1)
    assert np.isclose(np.dot(size, activity), n)
    edges = np.concatenate(([0], np.cumsum(size)))
    assert np.allclose(np.diff(np.interp(edges / n, q, mass)) * n / size, activity, rtol=1e-9)
    # The most active buyer is modelled alone, with the population's own activity.
    pop = Population.__new__(Population)
    object.__setattr__(pop, "n", n)
    object.__setattr__(pop, "key", 11)
    object.__setattr__(pop, "activity_rank_q", q)
    object.__setattr__(pop, "activity_mass", mass)
    top = pop._by_activity()(np.array([0]))
    assert size[0] == 1 and np.isclose(pop.activity_of(top)[0], activity[0], rtol=1e-9)


@settings(max_examples=8, deadline=None)
@given(st.floats(0.3, 1.5), st.integers(500, 5000), st.integers(0, 2**32 - 1))
def test_unseen_buyers_are_extrapolated_from_the_populations_draw(s, n, seed):
    # Orders drawn from the population as the generator draws them (stratified activity).
    law = Dist.of("lognorm", s=s, scale=1.0)
    q, mass = _activity_table(law, n)
    u = np.random.default_rng(seed).random(5 * n)
    rank = np.minimum((np.interp(u, mass, q) * n).astype(np.int64), n - 1)
    counts = np.bincount(rank)
    seen = counts[counts > 0]
    fit = fit_counts(seen, int(seen.sum()), stratified=True)
    assert fit.n >= len(seen)
    assert n / 1.2 <= fit.n <= n * 1.2
