"""The keyed buyer population: bijections, household layout, activity and age laws, and a plan
whose memory does not grow with the number of buyers (issue 11, flat memory)."""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from brushbench.generator.ids import scramble
from brushbench.generator.plan import make_plan
from brushbench.generator.tables import IdMaker, buyer_chunks
from brushbench.market.geography import table_geography
from brushbench.market.keyed import Permutation
from brushbench.market.marketplace import city_weights
from brushbench.market.population import build_population
from brushbench.scenario.distributions import Dist
from brushbench.scenario.model import Households
from brushbench.scenario.model import Marketplace as MarketSpec

from builders import small_scenario

START = 1_573_401_600


def _population(**spec):
    weights = city_weights(table_geography("zh_CN", 40), 1.1)
    return build_population(MarketSpec(**spec), weights, START, key=99)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 3000), key=st.integers(0, 2**64 - 1))
def test_a_permutation_is_a_bijection_with_its_inverse(n, key):
    perm = Permutation(n, key)
    x = np.arange(n)
    y = perm(x)
    assert np.array_equal(np.sort(y), x)
    assert np.array_equal(perm.inverse(y), x)


def test_a_permutation_scatters_neighbours():
    n = 1_000_003
    y = Permutation(n, 7)(np.arange(n))
    assert abs(np.corrcoef(np.arange(n), y)[0, 1]) < 0.01
    assert not np.array_equal(y, Permutation(n, 8)(np.arange(n)))


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 50_000), sizes=st.sampled_from([
    Households().size, Dist.constant(3), Dist.of("poisson", mu=2.0, loc=1)]))
def test_households_seat_every_buyer_once(n, sizes):
    pop = _population(buyers=n, households=Households(size=sizes))
    home = pop.household(np.arange(n))
    assert home[0] == 0 and np.all(np.diff(home) >= 0)  # laid out in order, none skipped
    assert home[-1] == pop.n_households - 1
    counts = np.bincount(home)
    assert np.array_equal(counts, pop.household_size(np.arange(pop.n_households)))


def test_household_sizes_follow_the_law():
    law = Households().size
    pop = _population(buyers=400_000)
    size = pop.household_size(np.arange(pop.n_households))
    drawn = np.maximum(np.rint(law.ppf((np.arange(100_000) + 0.5) / 100_000)), 1)
    values = np.union1d(size, drawn)
    got = np.array([(size == v).mean() for v in values])
    want = np.array([(drawn == v).mean() for v in values])
    assert np.abs(got - want).max() < 0.002, (values, got, want)


def test_shared_identities_keep_their_shares():
    pop = _population(buyers=200_000)
    h = np.arange(pop.n_households)
    multi = pop.household_size(h) > 1
    dev, pay = pop.shared_device(h), pop.shared_payment(h)
    assert (dev[~multi] == -1).all() and (pay[~multi] == -1).all()
    assert abs((dev[multi] >= 0).mean() - Households().share_device) < 0.01
    assert abs((pay[multi] >= 0).mean() - Households().share_payment) < 0.01
    # Shared ones come after every buyer's own, so none is also someone's personal one.
    assert dev[dev >= 0].min() >= pop.n * pop.device_stride
    second = pop.second_address(np.arange(pop.n))
    assert abs((second >= 0).mean() - 0.15) < 0.005
    assert (second[second >= 0] >= pop.n_households).all()


def test_buyers_are_drawn_in_proportion_to_activity():
    pop = _population(buyers=2000, buyer_activity=Dist.of("lognorm", s=1.0, scale=1.0))
    u = np.random.default_rng(0).random(2_000_000)
    counts = np.bincount(pop.by_activity(u), minlength=pop.n)
    activity = pop.activity_of(np.arange(pop.n))
    expected = len(u) * activity / activity.sum()
    # Every buyer's count within a few standard deviations of its activity's share.
    z = (counts - expected) / np.sqrt(expected)
    assert np.abs(z).max() < 6, np.abs(z).max()
    # And the activities are the law's (here of mean e**0.5), one quantile per rank.
    assert scipy.stats.kstest(activity * np.exp(0.5), "lognorm", args=(1.0,)).pvalue > 0.5


def test_ordering_quantiles_are_those_of_the_buyers_who_order():
    """Buyers ordering Poisson(2 * activity + 0.2) times: the activity quantiles of those who
    ordered at least once are what ordering_quantile draws, busier than the population's."""
    pop = _population(buyers=20_000, buyer_activity=Dist.of("lognorm", s=1.0, scale=1.0))
    rng = np.random.default_rng(0)
    buyers = np.arange(pop.n)
    ordered = rng.poisson(2.0 * pop.activity_of(buyers) + 0.2) > 0
    seen = 1.0 - pop.activity_rank(buyers[ordered]) / (pop.n - 1)
    drawn = pop.ordering_quantile(rng.random(200_000), 2.0, 0.2)
    assert scipy.stats.ks_2samp(seen, drawn).pvalue > 0.01
    # More of them than of the population carry the activity bonus (quantile above 0.8) ...
    assert (drawn > 0.8).mean() > 0.25 and abs((drawn > 0.8).mean() - (seen > 0.8).mean()) < 0.02
    # ... and when everybody orders, they are the population's quantiles.
    everybody = pop.ordering_quantile(rng.random(200_000), 0.0, 50.0)
    assert scipy.stats.kstest(everybody, "uniform").pvalue > 0.01


def test_ages_follow_the_law_cut_to_the_marketplace_age():
    law = Dist.of("lognorm", s=1.0, scale=500)
    pop = _population(buyers=50_000, account_age_days=law, max_account_age_days=2000.0)
    age = pop.age_days(np.arange(pop.n))
    assert age.min() >= 1 and age.max() <= 2000
    frozen = scipy.stats.lognorm(1.0, scale=500)
    lo, hi = frozen.cdf(1), frozen.cdf(2000)
    # The law conditioned on [1, 2000]: its CDF, rescaled to the cut, is uniform.
    cond = (frozen.cdf(age) - lo) / (hi - lo)
    assert scipy.stats.kstest(cond, "uniform").pvalue > 0.5
    # No point mass at the cap (a clipped law would pile up there).
    assert (age > 1999).mean() < 0.001


def test_buyer_chunks_give_every_buyer_once_in_registration_order():
    plan = make_plan(small_scenario(), seed=3)
    m = plan.market
    assert m.n_buyers > m.n_organic  # sign-ups and bulk accounts appended
    whole = np.concatenate(list(buyer_chunks(plan, size=10**9)))
    parts = list(buyer_chunks(plan, size=97))
    assert max(len(p) for p in parts) < 2 * 97 + m.n_buyers - m.n_organic
    assert np.array_equal(np.concatenate(parts), whole)
    assert np.array_equal(np.sort(whole), np.arange(m.n_buyers))
    at = m.registered_at(whole)
    ids = IdMaker(plan.seed)("buyer", whole)
    assert np.array_equal(np.lexsort((ids, at)), np.arange(len(whole)))


def _array_bytes(obj, seen=None) -> int:
    """Bytes of every numpy array a plan holds (through dataclasses and tuples)."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return obj.nbytes
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return sum(_array_bytes(getattr(obj, f.name), seen) for f in dataclasses.fields(obj))
    if isinstance(obj, tuple | list):
        return sum(_array_bytes(x, seen) for x in obj)
    return 0


def test_the_plan_does_not_grow_with_the_buyers():
    # Same shops and orders, 16 times the buyers: the old plan held ~60 bytes per buyer
    # (household, activity CDF, registration, level, identity offsets, regulars' permutation).
    few = small_scenario()
    many = dataclasses.replace(few, marketplace=dataclasses.replace(
        few.marketplace, buyers=16 * few.marketplace.buyers))
    small, large = (_array_bytes(make_plan(sc, seed=3)) for sc in (few, many))
    assert large < 1.1 * small + 4096, (small, large)


def test_public_ids_of_buyers_stay_distinct():
    plan = make_plan(small_scenario(), seed=3)
    everyone = np.arange(plan.market.n_buyers)
    assert len(np.unique(scramble(everyone, 5))) == len(everyone)
