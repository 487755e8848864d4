"""Issue 17: the audit's artefact probes catch each artefact class when it is planted back.

Each test takes a small careful dataset, first *neutralises* the column it is about (shuffles
its values over all orders or accounts, so that nothing about it can depend on the labels: the
probe must pass), then *plants* the artefact on the brushing orders or their accounts and
asserts that the right probe fails with a finding naming the column and the pattern. The tests
marked xfail assert that the generator's own output passes: they fail until the generator fixes
of issue 17 land (branches h1-aftersale, h2-accounts).
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import brushbench
from brushbench.audit import ARTEFACT_PROBES, audit_dataset
from brushbench.dataset import Dataset

from audit_helpers import rebuild, set_column

DAY = 86_400
ORDERS = 40_000


def _generate(name: str, seed: int, orders: int = ORDERS) -> Dataset:
    return brushbench.generate(name, scale=orders / brushbench.load_scenario(name).traffic.orders,
                               seed=seed)


@pytest.fixture(scope="module")
def careful() -> Dataset:
    """``mixed_careful``, about 40,000 orders and 700 brushing ones of six patterns."""
    return _generate("mixed_careful", 3)


# -- helpers --------------------------------------------------------------------------------------

def pattern_of(data: Dataset, table: str = "orders") -> np.ndarray:
    """Per row of ``table``: the pattern of its order ("" for a legitimate one)."""
    labels = data.labels.set_index("order_id")
    pattern = labels["pattern"].where(labels["is_brushing"], "").fillna("")
    return pattern.reindex(data.arrow(table)["order_id"].to_numpy()).fillna("").to_numpy()


def seconds(table: pa.Table, name: str) -> np.ndarray:
    return table[name].cast(pa.int64()).to_numpy(zero_copy_only=False)


def times(table: pa.Table, name: str, values: np.ndarray) -> pa.Table:
    return set_column(table, name, pa.array(values, type=pa.int64()).cast(
        table.schema.field(name).type))


def ring_accounts(data: Dataset) -> np.ndarray:
    """Per row of ``buyers``: the account placed brushing orders (a ring's account)."""
    o = data.orders.assign(p=pattern_of(data))
    return data.buyers.buyer_id.isin(set(o.buyer_id[o.p != ""])).to_numpy()


def audit(data: Dataset, *keys: str):
    probes = [p for p in ARTEFACT_PROBES if p.key in keys]
    assert len(probes) == len(keys)
    return audit_dataset(data, probes=probes, workers=1)


def failing(report, key: str) -> set[str]:
    """Patterns (and "all") for which the probe ``key`` fails."""
    return {f.pattern for f in report.leaks if f.name == key}


def delivered_refunds(data: Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per refund row: its order's delivery time (-1 if none), refunded status, pattern."""
    refunds, shipments = data.arrow("refunds"), data.arrow("shipments")
    delivered = pd.Series(shipments["delivered_at"].cast(pa.int64()).fill_null(-1).to_numpy(),
                          index=shipments["order_id"].to_numpy())
    delivered = delivered[~delivered.index.duplicated()]
    ids = refunds["order_id"].to_numpy()
    at = delivered.reindex(ids).fillna(-1).to_numpy(dtype=np.int64)
    status = data.orders.set_index("order_id")["status"].reindex(ids).to_numpy()
    return at, status == "refunded", pattern_of(data, "refunds")


def busiest_refunding_pattern(data: Dataset) -> str:
    at, refunded, pattern = delivered_refunds(data)
    counts = {p: int(np.sum(refunded & (at >= 0) & (pattern == p)))
              for p in set(pattern) - {""}}
    return max(sorted(counts), key=counts.__getitem__)


# -- random labels --------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1])
def test_random_labels_raise_no_artefact(seed):
    """Legitimate traffic with 3% of orders marked brushing at random under three patterns:
    nothing may separate, not even the accounts' activity (busy accounts are likelier to hold
    a marked order, hence one order per account)."""
    data = brushbench.generate("double11", scale=0.01, seed=1)
    rng = np.random.default_rng(seed)
    labels = data.arrow("labels")
    brushing = rng.random(labels.num_rows) < 0.03
    pattern = np.where(brushing, rng.choice(["click_farm", "self_purchase", "post_promo_return"],
                                            labels.num_rows), None)
    labels = set_column(set_column(labels, "is_brushing", brushing), "pattern", pattern)
    report = audit_dataset(rebuild(data, labels=labels), probes=ARTEFACT_PROBES, seed=seed)
    assert len(report.findings) > 60
    assert report.passed, report.render()


# -- 1. event order across tables -----------------------------------------------------------------

KEY_ORDER = "refunds.requested_at:requested_before_delivered"


def _refund_order(data: Dataset, plant: str | None) -> Dataset:
    """Every return asked for a day after delivery, or (``plant``) 6 hours before it."""
    refunds = data.arrow("refunds")
    at, refunded, pattern = delivered_refunds(data)
    req = seconds(refunds, "requested_at")
    move = refunded & (at >= 0)
    req = np.where(move, at + DAY, req)
    if plant is not None:
        req = np.where(move & (pattern == plant), at - 6 * 3600, req)
    refunded_at = np.maximum(seconds(refunds, "refunded_at"), req)
    refunds = times(times(refunds, "requested_at", req), "refunded_at", refunded_at)
    return rebuild(data, refunds=refunds)


def test_refund_before_delivery_is_caught(careful):
    pattern = busiest_refunding_pattern(careful)
    assert failing(audit(_refund_order(careful, None), KEY_ORDER), KEY_ORDER) == set()
    report = audit(_refund_order(careful, pattern), KEY_ORDER)
    assert pattern in failing(report, KEY_ORDER), report.render()
    assert failing(report, KEY_ORDER) <= {pattern, "all"}


def test_generated_refunds_follow_delivery_like_legitimate_ones(careful):
    report = audit(careful, KEY_ORDER, "refunds.requested_at:requested_before_shipped",
                   "reviews.created_at:review_before_delivered")
    assert report.passed, report.render()


# -- 2. constant delays ---------------------------------------------------------------------------

KEY_DELAY = "refunds.requested_at:order_to_refund_request"


def _refund_delay(data: Dataset, plant: str | None) -> Dataset:
    """Refund delays shuffled over all returns, or (``plant``) 35 days added to a pattern's
    (beyond the latest legitimate after-sale claims, up to three weeks after delivery)."""
    rng = np.random.default_rng(0)
    refunds = data.arrow("refunds")
    _, refunded, pattern = delivered_refunds(data)
    orders = data.arrow("orders")
    created = pd.Series(seconds(orders, "created_at"), index=orders["order_id"].to_numpy()
                        ).reindex(refunds["order_id"].to_numpy()).to_numpy(dtype=np.int64)
    req = seconds(refunds, "requested_at")
    delay = req - created
    rows = np.flatnonzero(refunded)
    delay[rows] = delay[rng.permutation(rows)]
    if plant is not None:
        delay = np.where(refunded & (pattern == plant), 35 * DAY + delay, delay)
    req = np.where(refunded, created + delay, req)
    refunded_at = np.maximum(seconds(refunds, "refunded_at"), req)
    return rebuild(data, refunds=times(times(refunds, "requested_at", req),
                                       "refunded_at", refunded_at))


def test_a_constant_part_in_a_delay_is_caught(careful):
    pattern = busiest_refunding_pattern(careful)
    assert failing(audit(_refund_delay(careful, None), KEY_DELAY), KEY_DELAY) == set()
    report = audit(_refund_delay(careful, pattern), KEY_DELAY)
    assert pattern in failing(report, KEY_DELAY), report.render()
    finding = next(f for f in report.leaks if f.pattern == pattern)
    assert finding.direction == "floor"


def test_generated_delays_have_no_floor_of_their_own():
    # The case: careful distributor refunds all >= 10.02 days after their order.
    data = _generate("distributor_fake_careful", 3, 30_000)
    keys = [p.key for p in ARTEFACT_PROBES if p.family == "delay"]
    report = audit(data, *keys)
    assert report.passed, report.render()


# -- 3. default categories ------------------------------------------------------------------------

KEY_CHANNEL = "orders.channel:default_share"


def _channel(data: Dataset, plant: bool) -> Dataset:
    """Channels shuffled over all orders, or (``plant``) every brushing order's ``search``."""
    orders = data.arrow("orders")
    channel = np.asarray(orders["channel"].to_pylist(), dtype=object)
    channel = channel[np.random.default_rng(1).permutation(len(channel))]
    if plant:
        channel = np.where(pattern_of(data) != "", "search", channel)
    return rebuild(data, orders=set_column(orders, "channel", channel))


def test_a_default_channel_is_caught(careful):
    assert failing(audit(_channel(careful, False), KEY_CHANNEL), KEY_CHANNEL) == set()
    report = audit(_channel(careful, True), KEY_CHANNEL)
    caught = failing(report, KEY_CHANNEL)
    assert {"all", "click_farm", "self_purchase"} <= caught, report.render()
    assert "distributor_fake" not in {f.pattern for f in report.findings}  # exempt
    assert any("distributor_fake" in line for line in report.exempt)


def test_generated_channels_are_not_a_default(careful):
    report = audit(careful, KEY_CHANNEL, "refunds.reason:default_share")
    assert report.passed, report.render()


# -- 4. ring accounts' attributes -----------------------------------------------------------------

KEY_CITY = "buyers.city:city_share"
KEY_LEVEL = "buyers.level:level_share"
KEY_SECOND = "buyers.registered_at:shared_second"


def _accounts(data: Dataset, plant: bool) -> Dataset:
    """Buyers' city, level and registration shuffled over all accounts, or (``plant``) the
    ring accounts' cities uniform, their level 1 and their registration one second."""
    rng = np.random.default_rng(2)
    buyers = data.arrow("buyers")
    n = buyers.num_rows
    city = np.asarray(buyers["city"].to_pylist(), dtype=object)[rng.permutation(n)]
    level = buyers["level"].to_numpy()[rng.permutation(n)]
    registered = seconds(buyers, "registered_at")[rng.permutation(n)]
    if plant:
        fraud = ring_accounts(data)
        cities = np.unique(city)
        city = np.where(fraud, rng.choice(cities, n), city)
        level = np.where(fraud, 1, level)
        registered = np.where(fraud, registered.min() + 7, registered)
    buyers = set_column(set_column(buyers, "city", city), "level", level)
    return rebuild(data, buyers=times(buyers, "registered_at", registered))


def test_ring_accounts_attributes_are_caught(careful):
    keys = (KEY_CITY, KEY_LEVEL, KEY_SECOND)
    clean = audit(_accounts(careful, False), *keys)
    assert clean.passed, clean.render()
    report = audit(_accounts(careful, True), *keys)
    # Not the cities' per-order share: over ~300 real cities a uniform law puts one or two of
    # the few dozen ring accounts in each, too few per city for that probe (AP 0.83 against a
    # 0.86 threshold here); the per-account share below still catches it.
    for key in (KEY_LEVEL, KEY_SECOND):
        assert "all" in failing(report, key), (key, report.render())
    # The accounts the answer key names, against the buyers table, one unit per account.
    labelled = {f.name for f in report.leaks if f.unit == "buyers row" and f.pattern == "all"}
    # (Campaign-made accounts only, a few dozen here: the popularity of their city is the
    # weakest of the four statistics and may stay under its threshold.)
    assert {"buyers.city:labelled_share", "buyers.level:labelled_share",
            "buyers.registered_at:labelled_shared_second"} <= labelled <= {
        "buyers.city:labelled_share", "buyers.level:labelled_share",
        "buyers.registered_at:labelled_shared_second",
        "buyers.city:labelled_popularity"}, report.render()
    assert {f.unit for f in clean.findings} == {"order", "buyers row"}


def test_generated_ring_accounts_look_like_buyers(careful):
    keys = [p.key for p in ARTEFACT_PROBES if p.column.startswith("buyers.")]
    report = audit(careful, *keys)
    assert report.passed, report.render()


# -- 5. one-wallet sites --------------------------------------------------------------------------

KEY_SITE = "orders.address_id:one_wallet_site"


def _sites(data: Dataset, pattern: str) -> Dataset:
    """The pattern's orders at its busiest shop regrouped into sites of three accounts sharing
    one address and one payment account."""
    orders = data.arrow("orders")
    p = pattern_of(data)
    shop = orders["shop_id"].to_numpy()
    mine = p == pattern
    busiest = np.bincount(np.unique(shop[mine], return_inverse=True)[1]).argmax()
    at = mine & (shop == np.unique(shop[mine])[busiest])
    buyer = orders["buyer_id"].to_numpy()
    _, index = np.unique(buyer[at], return_inverse=True)
    site = index // 3
    address = orders["address_id"].to_numpy().copy()
    wallet = orders["payment_account_id"].to_numpy().copy()
    address[at] = 9_000_000_000 + site
    wallet[at] = 9_100_000_000 + site
    orders = set_column(set_column(orders, "address_id", address), "payment_account_id", wallet)
    return rebuild(data, orders=orders)


def test_one_wallet_sites_are_caught(careful):
    assert failing(audit(careful, KEY_SITE), KEY_SITE) <= {"supplier_buyback", "all"}
    report = audit(_sites(careful, "click_farm"), KEY_SITE)
    assert "click_farm" in failing(report, KEY_SITE), report.render()


def test_generated_supplier_sites_are_not_one_wallet(careful):
    report = audit(careful, KEY_SITE)
    assert report.passed, report.render()


# -- the shortcut probe ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def two_seeds() -> tuple[Dataset, Dataset]:
    return _generate("mixed_careful", 10_003, 20_000), _generate("mixed_careful", 3, 20_000)


def _external(data: Dataset) -> Dataset:
    """Channels shuffled, then every brushing order's ``external`` (a rare channel)."""
    shuffled = _channel(data, False)
    orders = shuffled.arrow("orders")
    channel = np.where(pattern_of(data) != "", "external",
                       np.asarray(orders["channel"].to_pylist(), dtype=object))
    return rebuild(shuffled, orders=set_column(orders, "channel", channel))


def test_the_shortcut_model_names_the_feature_that_carries_it(two_seeds):
    pytest.importorskip("sklearn")
    train, test = (_external(d) for d in two_seeds)
    report = audit_dataset(test, probes=(), shortcut_with=train, shortcut_max_ap=0.5)
    shortcut = {f.pattern: f for f in report.findings if f.family == "shortcut"}
    assert not shortcut["all"].passed and shortcut["all"].ap > 0.5
    assert shortcut["all"].column == "channel"
    assert shortcut["click_farm"].column == "channel"
    assert any(n.startswith("shortcut model on all: AP") and "channel" in n
               for n in report.notes)
    assert not report.passed


def test_without_scikit_learn_the_shortcut_probe_says_how_to_install_it(two_seeds,
                                                                         monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.ensemble", None)  # import fails
    train, test = two_seeds
    report = audit_dataset(test, probes=ARTEFACT_PROBES[:1], shortcut_with=train)
    assert [n for n in report.notes if "shortcut" in n] == [
        "shortcut probe skipped: the shortcut probe needs scikit-learn: "
        "pip install 'brushbench[ml]'"]
    assert report.findings  # the other probes ran


def test_the_command_line_runs_the_shortcut_probe_on_request(two_seeds, tmp_path, capsys):
    pytest.importorskip("sklearn")
    from brushbench.cli import main

    train, test = (_external(d) for d in two_seeds)
    train.write(tmp_path / "train")
    test.write(tmp_path / "test")
    code = main(["audit", str(tmp_path / "test"), "--probes", "artefacts",
                 "--shortcut-with", str(tmp_path / "train")])
    out = capsys.readouterr().out
    assert code == 1
    assert "channel:shortcut" in out and "shortcut model on all" in out
    assert main(["audit", str(tmp_path / "test"), "--shortcut-with",
                 str(tmp_path / "missing")]) == 2
    assert capsys.readouterr().err.count("\n") == 1
