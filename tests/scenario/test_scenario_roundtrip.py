"""Canonical form and hash: to_plain loads back to an equal scenario; the hash follows meaning."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brushbench.scenario import (
    FlashSale,
    Marketplace,
    Promotion,
    Scenario,
    Seconds,
    Traffic,
    Window,
    load_scenario_text,
    scenario_hash,
    to_plain,
)
from brushbench.scenario.durations import format_duration

from scenario_helpers import BASE

finite = {"allow_nan": False, "allow_infinity": False}

dists = st.one_of(
    st.floats(-1e6, 1e6, **finite),
    st.builds(lambda s, scale: {"dist": "lognorm", "s": s, "scale": scale},
              st.floats(0.05, 3, **finite), st.floats(0.01, 1e5, **finite)),
    st.builds(lambda loc, scale: {"dist": "uniform", "loc": loc, "scale": scale},
              st.floats(-100, 100, **finite), st.floats(0.01, 100, **finite)),
    st.builds(lambda a: {"dist": "gamma", "a": a}, st.floats(0.1, 20, **finite)),
    st.builds(lambda mu: {"dist": "poisson", "mu": mu}, st.floats(0.1, 50, **finite)),
    st.lists(st.tuples(st.integers(0, 50), st.floats(0.01, 10, **finite)), min_size=1,
             max_size=5).map(lambda rows: {"dist": "categorical",
                                           "values": [v for v, _ in rows],
                                           "weights": [w for _, w in rows]}),
)
durations = st.integers(1, 40 * 86_400)


@st.composite
def scenario_texts(draw):
    """BASE with a few numeric fields, durations and distributions set at random."""
    data = yaml.safe_load(BASE)
    market, traffic = data["marketplace"], data["traffic"]
    market["shops"] = draw(st.integers(2, 10_000))          # flash sale is at rank 2
    market["item_popularity_skew"] = draw(st.floats(1, 50, **finite))
    market["city_skew"] = draw(st.integers(0, 5) | st.floats(0, 5, **finite))
    market["buyer_activity"] = draw(dists)
    data["bulk_buyers"] = {"quantity": draw(dists), "orders": draw(st.integers(0, 10**6))}
    data["refunds"] = {"rate": draw(st.floats(0, 1, **finite))}
    data["window"]["duration"] = draw(st.integers(2, 30)) * 86_400   # events stay inside
    promo = traffic["promotions"][0]
    promo["burst_tau"] = draw(durations)
    promo["duration"] = draw(st.integers(60, 40 * 86_400))
    traffic["hour_profile"] = draw(st.lists(st.floats(0.01, 100, **finite), min_size=24,
                                            max_size=24))
    traffic["channels"] = draw(st.dictionaries(
        st.sampled_from(["search", "recommend", "campaign", "affiliate", "share_link"]),
        st.floats(0.01, 10, **finite), min_size=1))
    data["redirects"] = [{"at": datetime(2024, 11, 10, draw(st.integers(0, 23))), "shop_rank": 1,
                          "duration": draw(st.integers(60, 40 * 86_400))}]
    # Durations may be written as whole seconds or with units: the meaning is the same.
    for holder, key in ((promo, "burst_tau"), (promo, "duration"), (data["redirects"][0],
                                                                     "duration")):
        if draw(st.booleans()):
            holder[key] = format_duration(holder[key])
    return yaml.safe_dump(data, allow_unicode=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario_texts())
def test_loading_the_plain_form_gives_an_equal_scenario_and_hash(text):
    s = load_scenario_text(text)
    plain = to_plain(s)
    json.dumps(plain, allow_nan=False)           # JSON-able, no NaN or Infinity
    again = load_scenario_text(yaml.safe_dump(plain, allow_unicode=True))
    assert again == s
    assert scenario_hash(again) == scenario_hash(s)
    assert to_plain(again) == plain


@settings(max_examples=25, deadline=None)
@given(scenario_texts(), st.integers(1, 1000))
def test_changing_a_field_changes_the_hash(text, bump):
    s = load_scenario_text(text)
    market = dataclasses.replace(s.marketplace, shops=s.marketplace.shops + bump)
    changed = dataclasses.replace(s, marketplace=market)
    assert changed != s and scenario_hash(changed) != scenario_hash(s)
    later = s.window.start.replace(second=1)
    assert scenario_hash(dataclasses.replace(
        s, window=dataclasses.replace(s.window, start=later))) != scenario_hash(s)


def test_hash_ignores_spelling_order_and_comments():
    a = load_scenario_text(BASE)
    b = load_scenario_text("# a comment\n" + BASE.replace("burst_tau: 20m", "burst_tau: 1200")
                           .replace("duration: 3d", "duration: 72h"))
    reordered = yaml.safe_load(BASE)
    reordered = dict(reversed(list(reordered.items())))
    c = load_scenario_text(yaml.safe_dump(reordered, sort_keys=False))
    assert a == b == c
    assert len({scenario_hash(a), scenario_hash(b), scenario_hash(c)}) == 1
    assert len(scenario_hash(a)) == 64 and int(scenario_hash(a), 16) >= 0


def test_plain_form_has_canonical_types():
    plain = to_plain(load_scenario_text(BASE))
    assert plain["window"] == {"start": "2024-11-10T00:00:00+08:00", "duration": 259200,
                               "timezone": "Asia/Shanghai"}
    assert plain["traffic"]["promotions"][0]["burst_tau"] == 1200
    assert type(plain["traffic"]["promotions"][0]["burst_tau"]) is int
    assert list(plain["traffic"]["channels"]) == sorted(plain["traffic"]["channels"])
    assert plain["traffic"]["quantity"] == {"dist": "geom", "p": 0.9}
    assert plain["fraud"] == []


def test_a_scenario_built_in_python_with_naive_times_hashes_like_the_loaded_one():
    built = Scenario(name="base", window=Window(start=datetime(2024, 11, 10),
                                                duration=Seconds(3 * 86_400)),
                     marketplace=Marketplace(shops=50, buyers=1000),
                     traffic=Traffic(orders=5000, promotions=(
                         Promotion(start=datetime(2024, 11, 11), burst_tau=Seconds(1200)),)),
                     flash_sales=(FlashSale(at=datetime(2024, 11, 11, 12), shop_rank=2),))
    loaded = load_scenario_text(BASE)
    assert scenario_hash(built) == scenario_hash(loaded)
    assert load_scenario_text(yaml.safe_dump(to_plain(built))) == loaded
