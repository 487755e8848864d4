"""click_farm: many accounts per phone, lockstep waves run by boards, batch sign-ups, CGNAT IPs,
one review."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import connected_components

from brushbench.generator.run import generate
from brushbench.patterns.click_farm import board_accounts

from fraud_fixtures import DAY, Dist, average_precision, base_scenario, campaign

START = DAY.replace(hour=8)
SEEDS = (31, 32, 33)


def scenario(camouflage: float):
    # The pattern's defaults: a farm of 300 accounts (100 per client shop) lifting 3 client
    # shops, 100 orders each,
    # in waves of 20 over 6 hours.
    return base_scenario(fraud=(campaign("click_farm", start=START, camouflage=camouflage),))


@pytest.fixture(scope="module")
def naive():
    return generate(scenario(0.0), seed=SEEDS[0])


@pytest.fixture(scope="module")
def careful():
    return generate(scenario(1.0), seed=SEEDS[0])


def pool_scenario(camouflage: float):
    # A farm that reuses its accounts: 120 accounts (40 per client shop), 600 orders in 30
    # waves (5 orders each), so that boards of 40 (careful) run 10 waves each.
    return base_scenario(fraud=(campaign("click_farm", start=START, camouflage=camouflage,
                                         accounts=Dist.constant(40),
                                         orders=Dist.constant(200)),))


@pytest.fixture(scope="module")
def naive_pool():
    return generate(pool_scenario(0.0), seed=SEEDS[0])


@pytest.fixture(scope="module")
def careful_pool():
    return generate(pool_scenario(1.0), seed=SEEDS[0])


def _fake(data) -> pd.DataFrame:
    return data.orders[data.labels.is_brushing.to_numpy()]


def _legit(data) -> pd.DataFrame:
    return data.orders[~data.labels.is_brushing.to_numpy()]


def _seconds(times: pd.Series) -> np.ndarray:
    return times.dt.as_unit("s").astype("int64").to_numpy()


def lockstep_share(orders: pd.DataFrame, window_s: int = 60, crowd: int = 10) -> float:
    """Share of orders with at least ``crowd`` other orders of the same item within the window."""
    t = _seconds(orders.created_at)
    key = np.sort(pd.factorize(orders.item_id)[0] * 10**10 + t)  # items apart on one axis
    lo = np.searchsorted(key, key - window_s, side="left")
    hi = np.searchsorted(key, key + window_s, side="right")
    return float(((hi - lo - 1) >= crowd).mean())


def test_naive_farm_runs_dozens_of_accounts_on_each_phone(naive):
    fake = _fake(naive)
    assert len(fake) == 300
    per_device = naive.orders.groupby("device_id").buyer_id.nunique()
    farm = per_device[per_device.index.isin(fake.device_id)]
    assert len(farm) <= 15 and farm.min() >= 10 and farm.median() >= 20
    # Households share phones too, but a few accounts each.
    legit = per_device[per_device.index.isin(_legit(naive).device_id)]
    assert (legit >= 2).sum() > 50 and legit.median() == 1


def test_careful_farm_runs_a_couple_of_accounts_per_phone(careful):
    per_device = careful.orders.groupby("device_id").buyer_id.nunique()
    farm = per_device[per_device.index.isin(_fake(careful).device_id)]
    assert len(farm) > 100 and farm.median() <= 2


def test_naive_waves_buy_one_item_in_lockstep(naive, careful):
    fake = _fake(naive).sort_values("created_at")
    t = _seconds(fake.created_at)
    wave = np.r_[0, np.cumsum(np.diff(t) > 60)]
    waves = fake.assign(wave=wave).groupby("wave").agg(
        size=("order_id", "size"), items=("item_id", "nunique"), shops=("shop_id", "nunique"),
        accounts=("buyer_id", "nunique"), span=("created_at", lambda s: s.max() - s.min()))
    assert len(waves) == 15 and (waves["size"] == 20).all() and (waves.accounts == 20).all()
    assert (waves["items"] == 1).all() and (waves.shops == 1).all()
    assert (waves.span < pd.Timedelta(minutes=1)).all()
    # Machine-regular: the scheduler's slots are evenly spaced.
    gaps = np.diff(_seconds(fake.groupby(wave).created_at.min()))
    assert gaps.std() < 0.1 * gaps.mean()
    assert lockstep_share(fake) == 1.0
    assert lockstep_share(_fake(careful)) < 0.1


def test_naive_accounts_signed_up_in_one_batch(naive, careful):
    def registrations(data):
        ent = data.entity_labels
        accounts = ent.entity_id[ent.role == "fake_buyer"]
        return data.buyers.registered_at[data.buyers.buyer_id.isin(accounts)]

    reg = registrations(naive)
    assert len(reg) == 300 and reg.max() - reg.min() <= pd.Timedelta(minutes=10)
    assert reg.max() < pd.Timestamp(START, tz="Asia/Shanghai") - pd.Timedelta(days=1)
    spread = registrations(careful)
    assert spread.max() - spread.min() > pd.Timedelta(days=180)


def test_every_order_rotates_over_carrier_nat_ips_legit_users_share(naive):
    fake, legit = _fake(naive), _legit(naive)
    assert fake.ip.nunique() > 100                       # rotated, not one address
    assert fake.ip.isin(legit.ip).all()                  # no IP of the farm's own
    users = legit[legit.ip.isin(fake.ip)].groupby("ip").buyer_id.nunique()
    assert users.median() >= 5                           # each shared by many real users


def test_naive_reviews_are_one_five_star_template(naive, careful):
    def fake_reviews(data):
        r = data.reviews.merge(data.labels, on="order_id")
        return r[r.is_brushing]

    r = fake_reviews(naive)
    assert len(r) == 300 and (r.rating == 5).all() and r.text.nunique() == 1
    assert fake_reviews(careful).text.nunique() > 10


def test_labels_campaigns_and_entities_agree(naive):
    lab, ent, camp = naive.labels, naive.entity_labels, naive.campaigns
    fake = _fake(naive)
    assert len(camp) == 1 and camp.pattern.iloc[0] == "click_farm"
    assert camp.orders.iloc[0] == lab.is_brushing.sum() == 300
    assert (lab.pattern[lab.is_brushing] == "click_farm").all()
    shops = set(camp.shops.iloc[0])
    assert len(shops) == 3 and set(fake.shop_id) == shops
    assert set(lab.beneficiary_shop_id.dropna()) == shops and lab.victim_shop_id.isna().all()
    roles = ent.groupby(["entity_type", "role"]).entity_id.apply(set)
    assert roles[("shop", "beneficiary")] == shops
    assert len(roles[("account", "fake_buyer")]) == 300
    assert set(fake.buyer_id) <= roles[("account", "fake_buyer")] <= set(naive.buyers.buyer_id)
    assert set(fake.device_id) <= roles[("device", "device")]
    t0 = pd.Timestamp(START, tz="Asia/Shanghai")
    assert fake.created_at.min() >= t0 and fake.created_at.max() < t0 + pd.Timedelta(hours=6)
    assert naive.labels.is_brushing.mean() < 0.05


def device_rule(data) -> np.ndarray:
    """Accounts seen on each order's device."""
    return data.orders.groupby("device_id").buyer_id.transform("nunique").to_numpy()


def test_naive_farm_is_far_easier_for_a_device_rule_than_a_careful_one():
    ap = {}
    for cam in (0.0, 1.0):
        runs = [generate(scenario(cam), seed=s) for s in SEEDS]
        ap[cam] = np.mean([average_precision(device_rule(d), d.labels.is_brushing.to_numpy())
                           for d in runs])
    assert ap[0.0] > 0.9
    assert ap[0.0] > ap[1.0] + 0.5


def lockstep_partners(orders: pd.DataFrame, window_s: int = 600) -> pd.Series:
    """Per account of ``orders``: how many others it bought the same item with, in the same
    window, in at least two separate bursts (another item, or the same after a quiet window).
    CopyCatch's lockstep, as ``baselines/lockstep.py`` counts it (one window offset)."""
    o = orders.assign(slot=_seconds(orders.created_at) // window_s)
    o = o[["buyer_id", "item_id", "slot"]].drop_duplicates()
    met = o.merge(o, on=["item_id", "slot"])
    met = met[met.buyer_id_x < met.buyer_id_y].sort_values(
        ["buyer_id_x", "buyer_id_y", "item_id", "slot"])
    new_pair = met.buyer_id_x.ne(met.buyer_id_x.shift()) | met.buyer_id_y.ne(met.buyer_id_y.shift())
    burst = new_pair | met.item_id.ne(met.item_id.shift()) | met.slot.diff().gt(1)
    bursts = burst.groupby([met.buyer_id_x, met.buyer_id_y]).sum()
    pairs = bursts[bursts >= 2].index.to_frame(index=False)
    counts = pd.concat([pairs.buyer_id_x, pairs.buyer_id_y]).value_counts()
    return counts.reindex(orders.buyer_id.unique(), fill_value=0)


def test_careful_boards_still_meet_on_one_item_wave_after_wave(naive_pool, careful_pool):
    naive, careful = lockstep_partners(_fake(naive_pool)), lockstep_partners(_fake(careful_pool))
    # A naive group fires together every time: each account's whole wave are its partners.
    assert (naive >= 19).all()
    # A careful board sends a different share of itself each wave, jittered over 45 minutes,
    # but always its own accounts on one item: most accounts still meet some board-mates
    # again. Accounts drawn from the whole farm, on a mix of items, would rarely meet twice.
    assert (careful > 0).mean() > 0.75 and careful.mean() >= 3
    assert careful.mean() < naive.mean() / 2
    # The legitimate look-alike: a flash-sale crowd on one item in the same minutes, but once.
    kind = careful_pool.labels.legit_kind.to_numpy()
    crowd = careful_pool.orders[kind == "flash_sale"]
    assert crowd.buyer_id.nunique() > 100 and (lockstep_partners(crowd) == 0).all()


def test_careful_waves_vary_the_item_naive_waves_keep_the_hero(naive_pool, careful_pool):
    assert (_fake(naive_pool).groupby("shop_id").item_id.nunique() == 1).all()
    assert (_fake(careful_pool).groupby("shop_id").item_id.nunique() > 1).all()


def _waves(draw_sizes):
    size = np.asarray(draw_sizes)
    wave = np.repeat(np.arange(len(size)), size)
    pos = np.arange(len(wave)) - np.repeat(np.cumsum(size) - size, size)
    return wave, pos


@settings(max_examples=40, deadline=None)
@given(n_accounts=st.integers(1, 150), board=st.integers(1, 60),
       sizes=st.lists(st.integers(1, 25), min_size=1, max_size=40),
       seed=st.integers(0, 2**32 - 1))
def test_a_careful_wave_is_run_by_one_board(n_accounts, board, sizes, seed):
    accounts = np.arange(n_accounts) + 1000
    wave, pos = _waves(sizes)
    buyer = board_accounts(np.random.default_rng(seed), accounts, board, 1.0, wave, pos)
    assert np.isin(buyer, accounts).all()
    # Accounts linked by sharing a wave form the boards: none holds more than ``board``.
    codes = np.searchsorted(accounts, buyer)
    link = sp.coo_matrix((np.ones(len(wave)), (codes, wave)), shape=(n_accounts, len(sizes)))
    graph = sp.bmat([[None, link], [link.T, None]])
    _, label = connected_components(graph, directed=False)
    used = np.unique(codes)
    assert np.bincount(label[used]).max() <= board
    # Within a wave no account orders twice while its board has accounts to spare (boards
    # share the farm evenly, so the smallest holds n // boards).
    smallest = n_accounts // -(-n_accounts // min(board, n_accounts))
    per_wave = pd.DataFrame({"w": wave, "b": buyer}).groupby("w").b.nunique().to_numpy()
    assert (per_wave >= np.minimum(sizes, smallest)).all()


@settings(max_examples=40, deadline=None)
@given(n_accounts=st.integers(1, 150), sizes=st.lists(st.integers(1, 25), min_size=1,
                                                      max_size=40),
       seed=st.integers(0, 2**32 - 1))
def test_a_naive_farm_fires_its_accounts_in_a_fixed_rotation(n_accounts, sizes, seed):
    wave, pos = _waves(sizes)
    buyer = board_accounts(np.random.default_rng(seed), np.arange(n_accounts), 40, 0.0, wave,
                           pos)
    first = buyer[:n_accounts]
    assert len(np.unique(first)) == len(first)             # every account before any again
    np.testing.assert_array_equal(buyer, np.resize(first, len(buyer)))


def test_a_careful_farm_drives_rented_real_accounts_a_naive_one_its_own(naive, careful):
    for data, rented in ((naive, False), (careful, True)):
        fake = data.labels.is_brushing.to_numpy()
        farm = data.orders.buyer_id[fake].unique()
        # A rented account is a real shopper's: it also buys for its owner.
        shops_too = np.isin(farm, data.orders.buyer_id[~fake].unique()).mean()
        if rented:
            assert shops_too > 0.5, shops_too
        else:
            assert shops_too == 0
        # Only the farm's own phones are labelled as its devices, never a renter's (at
        # camouflage 1 every account is rented, so none is).
        devices = set(data.entity_labels.query("entity_type == 'device'").entity_id)
        assert devices <= set(data.orders.device_id[fake]) and bool(devices) != rented
        owners = data.orders[~fake & data.orders.device_id.isin(devices).to_numpy()]
        assert owners.empty
