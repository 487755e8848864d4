"""The real geography (bundled city tables, population weights, transit by distance) and the
orders' platform column."""

from __future__ import annotations

import dataclasses
from importlib import resources

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brushbench.dataset.tables import PLATFORMS
from brushbench.generator.run import generate
from brushbench.market.geography import (
    TABLE_LOCALES,
    city_table,
    invented_geography,
    table_geography,
)
from brushbench.market.marketplace import draw_cities
from brushbench.realism.stats import Log, compute_all
from brushbench.scenario.model import BulkBuyers, Logistics, Marketplace, Traffic

from builders import small_scenario

# Where each table's cities must lie (degrees): a city outside is a swapped or wrong column.
_BOUNDS = {"zh_CN": ((18, 54), (73, 135)), "en_US": ((18, 72), (-170, -65))}


@pytest.mark.parametrize("locale", TABLE_LOCALES)
def test_a_city_table_loads_and_is_well_formed(locale):
    table = city_table(locale)
    assert table is not None and len(table) >= 290
    assert len(set(table.names)) == len(table) and all(name.strip() for name in table.names)
    (lat_lo, lat_hi), (lon_lo, lon_hi) = _BOUNDS[locale]
    assert ((table.lat > lat_lo) & (table.lat < lat_hi)).all()
    assert ((table.lon > lon_lo) & (table.lon < lon_hi)).all()
    assert (table.population > 0).all() and (np.diff(table.population) <= 0).all()
    # The file cites its source and licence in its header.
    text = resources.files("brushbench.market").joinpath("data").joinpath(
        f"cities_{locale}.csv").read_text(encoding="utf-8")
    assert "GeoNames" in text and "CC BY 4.0" in text


def test_the_chinese_table_holds_prefecture_level_cities_and_the_municipalities():
    table = city_table("zh_CN")
    assert all(name.endswith("市") for name in table.names)
    assert {"北京市", "上海市", "天津市", "重庆市", "杭州市", "拉萨市"} <= set(table.names)
    # Beijing to Shanghai is about 1,070 km as the crow flies.
    i, j = table.names.index("北京市"), table.names.index("上海市")
    assert table.distance_km(np.array([i]), np.array([j]))[0] == pytest.approx(1070, rel=0.03)


def test_a_scenario_takes_the_most_populous_cities_and_at_most_the_table():
    assert table_geography("zh_CN", 10).names == city_table("zh_CN").names[:10]
    assert len(table_geography("en_US", 5000)) == len(city_table("en_US"))
    assert table_geography("fr_FR", 10) is None


@settings(max_examples=20, deadline=None)
@given(skew=st.floats(0, 2.5), n_cities=st.integers(1, 300), seed=st.integers(0, 2**32))
def test_accounts_live_in_cities_in_proportion_to_population_to_the_skew(skew, n_cities, seed):
    geo = table_geography("zh_CN", n_cities)
    w = geo.weights(skew)
    expected = geo.population ** skew
    np.testing.assert_allclose(w, expected / expected.sum(), rtol=1e-9)
    n = 100_000
    spec = Marketplace(city_skew=skew)
    drawn = np.bincount(draw_cities(np.random.default_rng(seed), spec, geo, n),
                        minlength=len(geo)) / n
    # Total variation between the drawn and the asked shares: ~sqrt(cities / n) at most.
    assert 0.5 * np.abs(drawn - w).sum() < 0.03


@pytest.fixture(scope="module")
def zh_data():
    scenario = small_scenario(traffic=Traffic(orders=20_000), flash_sales=(), redirects=(),
                              bulk_buyers=BulkBuyers(accounts=0, orders=0))
    return scenario, generate(scenario, seed=5)


def _distances(locale, shipments):
    table = city_table(locale)
    index = {name: i for i, name in enumerate(table.names)}
    origin = shipments.origin_city.map(index).to_numpy(dtype=np.int64)
    dest = shipments.dest_city.map(index).to_numpy(dtype=np.int64)
    return table.distance_km(origin, dest)


def test_cities_in_the_data_are_the_tables_real_ones(zh_data):
    _, data = zh_data
    names = set(city_table("zh_CN").names)
    assert set(data.buyers.city) <= names and set(data.shops.warehouse_city) <= names
    assert set(data.shipments.origin_city) | set(data.shipments.dest_city) <= names
    # Population weights: the largest city holds the most buyers.
    assert data.buyers.city.value_counts().index[0] == "上海市"


def test_transit_grows_with_great_circle_distance(zh_data):
    scenario, data = zh_data
    s = data.shipments
    days = (s.delivered_at - s.shipped_at).dt.total_seconds().to_numpy() / 86400
    km = _distances("zh_CN", s)
    remote = km > 0
    near = remote & (km < np.quantile(km[remote], 0.25))
    far = remote & (km > np.quantile(km[remote], 0.75))
    assert days[far].mean() > days[near].mean() + 0.5
    assert days[~remote].mean() < days[near].mean()
    # Days per 1,000 km: the scenario's slope (the rest of the law does not depend on distance).
    slope = np.polyfit(km[remote] / 1000, days[remote], 1)[0]
    assert slope == pytest.approx(scenario.logistics.transit_days_per_1000km, abs=0.12)


def test_a_steeper_law_delivers_far_parcels_later():
    base = small_scenario(traffic=Traffic(orders=3000), flash_sales=(), redirects=())
    steep = dataclasses.replace(base, logistics=Logistics(transit_days_per_1000km=3.0))
    a, b = generate(base, seed=1).shipments, generate(steep, seed=1).shipments
    transit_a = (a.delivered_at - a.shipped_at).dt.total_seconds() / 86400
    transit_b = (b.delivered_at - b.shipped_at).dt.total_seconds() / 86400
    km = _distances("zh_CN", a)
    np.testing.assert_allclose((transit_b - transit_a)[km > 0], 2.1 * km[km > 0] / 1000,
                               atol=1e-3)
    assert (transit_b == transit_a)[km == 0].all()


def test_a_locale_without_a_table_keeps_fakers_names_at_invented_places():
    scenario = small_scenario(locale="fr_FR", traffic=Traffic(orders=3000), flash_sales=(),
                              redirects=(), marketplace=Marketplace(shops=50, buyers=2000,
                                                                    cities=25))
    data = generate(scenario, seed=2)
    cities = set(data.buyers.city) | set(data.shops.warehouse_city)
    assert 1 < len(cities) <= 25 and not cities & set(city_table("zh_CN").names)
    geo = invented_geography(tuple(f"c{i}" for i in range(50)), np.random.default_rng(0))
    km = geo.distance_km(np.zeros(50, dtype=np.int64), np.arange(50))
    assert km.max() <= 1200 + 1e-6 and km[1:].min() > 0


def test_platform_shares_follow_the_scenario_and_a_device_is_a_phone_or_a_pc():
    platforms = {"app": 0.5, "mobile_web": 0.2, "pc": 0.3}
    scenario = small_scenario(traffic=Traffic(orders=20_000, platforms=platforms),
                              flash_sales=(), redirects=())
    o = generate(scenario, seed=4).orders
    assert set(o.platform) <= set(PLATFORMS)
    shares = o.platform.value_counts(normalize=True)
    for name, share in platforms.items():
        assert shares[name] == pytest.approx(share, abs=0.05)
    is_pc = o.platform == "pc"
    assert (is_pc.groupby(o.device_id).nunique() == 1).all()


def test_no_pc_share_means_no_pc_orders_and_the_mobile_share_is_computable(zh_data):
    scenario = small_scenario(traffic=Traffic(orders=3000, platforms={"app": 1.0}),
                              flash_sales=(), redirects=())
    assert set(generate(scenario, seed=0).orders.platform) == {"app"}
    _, data = zh_data
    log = Log.of_tables(data.arrow("orders"), data.timezone)
    stat = compute_all(log, ("mobile_share",))["mobile_share"]
    # The default shares: 90% of orders from phones (Double 11 2017).
    assert stat["value"] == pytest.approx(0.9, abs=0.03)
