"""Issue 17, findings 2, 4, 5 and 6: careful rings must not give themselves away through the
generator's artefacts (who the accounts are, which channel they come through, how big the pool
is at a given ``--scale``) rather than through what the fraud forces.

Each test compares fraud with legitimate data drawn by the same run; none pins a generated value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brushbench import patterns
from brushbench.dataset.tables import LEGIT_KINDS
from brushbench.generator.plan import make_plan
from brushbench.generator.run import generate
from brushbench.scenario import load_scenario
from brushbench.scenario.distributions import Dist
from brushbench.scenario.scale import scale_scenario

from builders import DAY, small_scenario

#: A careful volume cap that never binds (the small scenario's shops sell tens of orders).
NO_CAP = 1e6


def _campaign(pattern: str, **keys):
    return patterns.get(pattern).Spec(**{"careful_share": NO_CAP, "start": DAY.replace(hour=1),
                                         "duration": 20 * 3600, **keys})


def _average_precision(score: np.ndarray, truth: np.ndarray) -> float:
    """AP with tied scores ranked as a group (a constant score gives the base rate)."""
    order = np.argsort(-np.asarray(score, dtype=float), kind="stable")
    s, t = np.asarray(score, dtype=float)[order], np.asarray(truth, dtype=bool)[order]
    ends = np.r_[np.flatnonzero(np.diff(s) != 0), len(s) - 1]
    tp = np.cumsum(t)[ends]
    return float((np.diff(np.r_[0, tp]) * tp / (ends + 1)).sum() / max(t.sum(), 1))


# -- finding 2: one-wallet supplier sites -----------------------------------------------------
def _one_wallet_sites(data) -> pd.DataFrame:
    """Orders shipped to an address with >= 2 accounts, one payment account and one shop."""
    o = data.orders.merge(data.labels, on="order_id")
    g = o.groupby("address_id").agg(accounts=("buyer_id", "nunique"),
                                    payers=("payment_account_id", "nunique"),
                                    shops=("shop_id", "nunique"))
    flagged = g.index[(g.accounts >= 2) & (g.payers == 1) & (g.shops == 1)]
    return o.assign(flagged=o.address_id.isin(flagged))


def test_one_wallet_one_shop_sites_are_not_only_suppliers():
    # The bundled careful price war at a tenth of its size (its standard-suite scale), pooled
    # over two seeds. The issue found the rule's precision 0.8-1.0 on supplier orders; with
    # honest groups (small resellers, offices) sharing one wallet at one shop at a rate
    # comparable to the supplier's sites, a rule on that trace alone must pay at least one
    # false alarm for every four hits: precision <= 0.8, far below the 0.95 found.
    sc = load_scenario("scenarios/supplier_price_war_careful.yaml")
    frames = [_one_wallet_sites(generate(sc, seed=seed, scale=0.1)) for seed in (1, 2)]
    o = pd.concat(frames)
    hit = o[o.flagged]
    supplier = o.pattern == "supplier_buyback"
    assert supplier.sum() > 40
    # The supplier's economics stays its trace: most of its orders still go to such sites.
    assert hit.is_brushing.sum() >= 0.5 * supplier.sum()
    assert hit.is_brushing.mean() <= 0.8, hit.is_brushing.mean()
    # The honest look-alikes are bulk buyers (small resellers), not a new kind of order; a
    # household or a redirect's buyer may happen to match the rule too.
    kinds = set(hit.legit_kind[~hit.is_brushing])
    assert "bulk" in kinds and kinds <= set(LEGIT_KINDS), kinds


# -- finding 4: channels ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def careful_mix():
    """Half-careful campaigns of every pattern that brings its own buyers (not
    distributor_fake): naive and careful orders alike come through the shoppers' channels."""
    fraud = (
        _campaign("self_purchase", camouflage=0.5, shops=4, orders=Dist.constant(60)),
        _campaign("click_farm", camouflage=0.5, shops=2, accounts=Dist.constant(60),
                  orders=Dist.constant(120)),
        _campaign("supplier_buyback", camouflage=0.5, shops=4, accounts=Dist.constant(12),
                  orders=Dist.constant(60)),
        _campaign("competitor_framing", camouflage=0.5, shops=4, orders=Dist.constant(60)),
        _campaign("post_promo_return", camouflage=0.5, shops=4, orders=Dist.constant(60)),
    )
    return generate(small_scenario(name="careful_mix", fraud=fraud), seed=7)


def test_careful_fraud_comes_through_the_channels_legitimate_orders_do(careful_mix):
    o = careful_mix.orders.merge(careful_mix.labels, on="order_id")
    organic = o.channel[o.legit_kind == "organic"].value_counts(normalize=True)
    for pattern, group in o[o.is_brushing].groupby("pattern"):
        shares = group.channel.value_counts(normalize=True)
        tvd = 0.5 * shares.sub(organic, fill_value=0).abs().sum()
        # ~240 orders per pattern: sampling alone moves the distance by a few points.
        assert len(group) >= 150 and tvd < 0.12, (pattern, len(group), shares.to_dict())


# -- finding 5: ring accounts' attributes -----------------------------------------------------
def _ring_plan(camouflage: float):
    fraud = (_campaign("self_purchase", camouflage=camouflage, shops=12,
                       accounts=Dist.constant(40)),
             _campaign("supplier_buyback", camouflage=camouflage, shops=8,
                       accounts=Dist.constant(30)))
    sc = small_scenario(name="rings", fraud=fraud)
    legit = make_plan(small_scenario(name="rings"), seed=3).market.n_buyers
    return make_plan(sc, seed=3), legit


def test_ring_accounts_live_where_buyers_live_and_level_up_like_them():
    plan, n_legit = _ring_plan(1.0)
    m = plan.market
    organic = m.n_organic
    everyone = np.arange(m.n_buyers)
    city = m.city_of(everyone)
    ring, buyers = city[n_legit:], city[:organic]
    assert len(ring) > 600
    top = np.argsort(-np.bincount(buyers, minlength=city.max() + 1))[:10]
    share = np.isin(ring, top).mean()
    assert abs(share - np.isin(buyers, top).mean()) < 0.08, share
    # Levels of aged ring accounts against legitimate accounts of comparable age.
    age = (plan.start - m.registered_at(everyone)) / 86400
    aged = age > 30
    level = m.level(everyone)
    ring_levels = np.bincount(level[n_legit:][aged[n_legit:]], minlength=7)
    legit_levels = np.bincount(level[:organic][aged[:organic]], minlength=7)
    tvd = 0.5 * np.abs(ring_levels / ring_levels.sum() - legit_levels / legit_levels.sum()).sum()
    assert tvd < 0.1, (ring_levels, legit_levels)


@pytest.mark.parametrize("camouflage", [1.0, 0.5])
def test_no_registration_second_is_shared_by_more_than_a_handful(camouflage):
    plan, n_legit = _ring_plan(camouflage)
    m = plan.market
    registered = m.registered_at(np.arange(m.n_buyers))
    _, legit_ties = np.unique(registered[:n_legit], return_counts=True)
    _, ring_ties = np.unique(registered[n_legit:], return_counts=True)
    # ~8,000 accounts over years of seconds: chance alone shares a second among two or three.
    assert legit_ties.max() <= 4 and ring_ties.max() <= 4, (legit_ties.max(), ring_ties.max())


@settings(max_examples=40, deadline=None)
@given(scale=st.floats(20, 20_000), cap=st.floats(2, 6000), seed=st.integers(0, 2**32 - 1))
def test_account_ages_stay_below_the_cap_without_a_point_mass(scale, cap, seed):
    from brushbench.market.marketplace import draw_account_ages
    from brushbench.scenario.model import Marketplace

    spec = Marketplace(account_age_days=Dist.of("lognorm", s=1.0, scale=scale),
                       max_account_age_days=cap)
    age = draw_account_ages(np.random.default_rng(seed), spec, 2000)
    assert (age >= min(1.0, cap)).all() and (age <= cap).all()
    seconds = np.rint(age * 86400)
    # 2,000 ages over at least a day of seconds: chance alone puts up to four or five in one
    # second when the cap leaves a single day; the point mass this guards against held 1%.
    assert np.unique(seconds, return_counts=True)[1].max() <= 8


# -- finding 6: the careful click farm at two scales ------------------------------------------
def _farm_scenario():
    return small_scenario(name="farm", fraud=(
        _campaign("click_farm", camouflage=0.9, shops=2, shop_ranks=(1, 20),
                  accounts=Dist.constant(60), orders=Dist.constant(150)),))


def test_careful_farm_reuses_its_accounts_alike_at_any_scale():
    reuse, ap = [], []
    for factor in (1, 2):
        data = generate(scale_scenario(_farm_scenario(), factor), seed=5)
        o = data.orders.merge(data.labels, on="order_id")
        fake = o[o.is_brushing]
        reuse.append(len(fake) / fake.buyer_id.nunique())
        # A per-account feature: how many orders the order's buyer placed in the log.
        per_buyer = o.groupby("buyer_id").order_id.transform("size")
        ap.append(_average_precision(per_buyer.to_numpy(), o.is_brushing.to_numpy()))
    assert reuse[1] / reuse[0] == pytest.approx(1.0, abs=0.25), reuse
    assert abs(ap[1] - ap[0]) < 0.15, ap


@pytest.mark.xfail(strict=True, reason="scale_scenario keeps fraud shop_ranks absolute: at twice "
                   "the shops the ranked shops are bigger and the careful cap admits about twice "
                   "the orders each. Scaling the ranks fixes this but at small scales collapses "
                   "them onto the top shops where flash sales and redirects (absolute ranks too) "
                   "sit; left to a decision on scale.py")
def test_a_scaled_careful_campaign_serves_shops_as_big():
    # shop_ranks name ranks among the scenario's shops: at twice the shops, rank 20 is a
    # bigger shop than before unless the ranks scale too, and the careful cap (a share of the
    # shop's real sales) then lets each shop take more fake orders.
    sc = small_scenario(name="farm_cap", fraud=(
        patterns.get("click_farm").Spec(camouflage=0.9, shops=4, shop_ranks=(5, 40),
                                        start=DAY.replace(hour=1), duration=20 * 3600,
                                        accounts=Dist.constant(60),
                                        orders=Dist.constant(400)),))
    per_shop = []
    for factor in (1, 2):
        plans = [make_plan(scale_scenario(sc, factor), seed=s) for s in (1, 2, 3)]
        per_shop.append(np.mean([p.campaigns[0].orders / len(p.campaigns[0].shops)
                                 for p in plans]))
    assert per_shop[1] / per_shop[0] == pytest.approx(1.0, abs=0.3), per_shop
