"""Profiles: a generated dataset against itself and against a shifted copy; the JSON round trip;
the bundled references and the sources they name."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow as pa
import pytest

import brushbench
from brushbench.cli import _choices
from brushbench.dataset import Dataset
from brushbench.realism import (
    BUNDLED,
    STATISTICS,
    ProfileError,
    bundled,
    compare,
    profile_of,
    read_profile,
    write_profile,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def data() -> Dataset:
    return brushbench.generate("normal_week", scale=0.05, seed=1)


@pytest.fixture(scope="module")
def profile(data) -> dict:
    return profile_of(data)


def _shifted(data: Dataset, factor: float) -> Dataset:
    """The dataset with every order's time moved away from the first by ``factor``."""
    orders = data.arrow("orders")
    t = orders.column("created_at").cast(pa.int64()).to_numpy()
    moved = (t.min() + (t - t.min()) * factor).astype("int64")
    col = pa.array(moved).cast(pa.timestamp("s", tz=data.timezone))
    tables = {name: data.arrow(name) for name in ("shipments", "refunds")}
    tables["orders"] = orders.set_column(orders.schema.get_field_index("created_at"),
                                         "created_at", col)
    return Dataset(tables, data.manifest)


def _without_platform(data: Dataset) -> Dataset:
    """The dataset with ``orders.platform`` empty, as an imported log that lacks it."""
    orders = data.arrow("orders")
    tables = {name: data.arrow(name) for name in ("shipments", "refunds")}
    tables["orders"] = orders.set_column(orders.schema.get_field_index("platform"), "platform",
                                         pa.nulls(orders.num_rows, pa.string()))
    return Dataset(tables, data.manifest)


def test_a_generated_dataset_is_within_tolerance_of_itself(profile, data):
    report = compare(profile, profile)
    computable = [r for r in report.rows if r.within is not None]
    assert len(computable) >= 16 and report.passed
    assert all(r.distance == pytest.approx(0) for r in computable)
    assert "mobile_share" in {r.name for r in computable}
    # what neither side can compute is not compared
    lacking = profile_of(_without_platform(data))
    assert "mobile_share" not in {r.name for r in compare(lacking, lacking).rows}


def test_the_mobile_share_is_read_from_the_platform_column(profile):
    # the default platform shares: 90% of orders from phones (Double 11 2017)
    row = next(r for r in compare(profile, bundled("double11")).rows if r.name == "mobile_share")
    assert row.within is True and row.value == pytest.approx(0.9, abs=0.03)


def test_what_the_dataset_cannot_compute_is_reported_and_neither_passes_nor_fails(data):
    # a log without orders.platform; the double11 reference has a mobile share
    lacking = profile_of(_without_platform(data))
    row = next(r for r in compare(lacking, bundled("double11")).rows if r.name == "mobile_share")
    assert row.within is None and row.value is None and "orders.platform" in row.note


def test_a_shifted_dataset_is_not(data, profile):
    report = compare(profile_of(_shifted(data, 0.5)), profile)
    assert not report.passed
    off = {r.name for r in report.rows if r.within is False}
    # halving every gap halves the repeat gaps and moves orders in the day; counts per shop
    # and pair do not change
    assert {"repeat_gap", "hour_of_day"} <= off
    assert not off & {"orders_per_shop_mean", "pairs_one_order", "basket_value"}
    gap = next(r for r in report.rows if r.name == "repeat_gap")
    assert gap.ratio == pytest.approx(0.5, rel=0.1)


def test_the_profile_round_trips_through_json(profile, tmp_path):
    path = write_profile(profile, tmp_path / "p.json")
    assert read_profile(path) == json.loads(json.dumps(profile))
    assert compare(read_profile(path), profile).passed
    # summary statistics only: no id or time of the log
    text = path.read_text()
    assert "order_id" not in text and "2019-" not in text


@pytest.mark.parametrize("doc, problem", [
    ({"profile_version": 1}, "not a realism profile"),
    ({"profile_version": 9, "statistics": {}}, "profile_version 9"),
    ({"profile_version": 1, "statistics": {"nope": {}}}, "statistics.nope: unknown statistic"),
    ({"profile_version": 1, "statistics": {"pairs_one_order": {"kind": "scalar",
                                                               "value": "x"}}},
     "statistics.pairs_one_order: expected a number"),
    ({"profile_version": 1, "statistics": {"hour_of_day": {"kind": "histogram",
                                                           "bins": ["0h"], "shares": [1]}}},
     "statistics.hour_of_day: expected 'bins'"),
    ({"profile_version": 1, "statistics": {"repeat_gap": {"kind": "quantiles",
                                                          "quantiles": {"2": 1}}}},
     "levels in (0, 1)"),
    ({"profile_version": 1, "statistics": {"pairs_one_order": {
        "kind": "scalar", "value": 0.8, "tolerance": {"ratio": 0.5}}}}, "'tolerance'"),
    ({"profile_version": 1, "tolerance": {"ks": -1}, "statistics": {}}, ": tolerance: expected"),
])
def test_a_bad_profile_file_is_one_line_naming_it(tmp_path, doc, problem):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ProfileError) as err:
        read_profile(path)
    assert str(err.value).startswith(str(path)) and problem in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("name", BUNDLED)
def test_the_bundled_profiles_load_and_cite_their_sources(name):
    doc = bundled(name)
    assert doc["name"] == name and doc["sources"] and doc["how"]
    anchors = set(re.findall(r'<a id="([^"]+)"></a>',
                             (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")))
    for key, entry in doc["statistics"].items():
        assert key in STATISTICS
        cited = entry["source"]
        assert cited.startswith("docs/sources.md#") and cited.split("#")[1] in anchors, key
    assert "../shared" not in json.dumps(doc)


def test_the_scl2020_profile_holds_the_figures_of_the_sources_page():
    doc = bundled("scl2020")["statistics"]
    assert doc["orders_per_shop_mean"]["value"] == pytest.approx(222_750 / 18_770, abs=1e-3)
    assert doc["shops_under_3_orders"]["value"] == 0.519
    assert doc["orders_per_shop_hour"]["quantiles"]["0.99"] == 51
    assert doc["repeat_gap"]["quantiles"] == {"0.5": 8647}
    assert sum(doc["hour_of_day"]["shares"]) == pytest.approx(1, abs=0.005)


def test_the_command_lines_copy_of_the_bundled_names_matches():
    assert _choices.REALISM_PROFILES == BUNDLED


def _doc(**stats) -> dict:
    return {"profile_version": 1, "name": "x", "statistics": stats}


def test_ratios_distances_and_tolerances_by_kind():
    import math

    ref = _doc(
        repeat_gap={"kind": "quantiles", "quantiles": {"0.5": 10, "0.99": 100}},
        pairs_one_order={"kind": "scalar", "value": 0.8, "tolerance": {"ratio": 1.25}},
        orders_per_buyer_mean={"kind": "scalar", "value": 2.0},
        shops_per_buyer={"kind": "histogram", "bins": ["1", "2", "3+"], "shares": [6, 3, 1]})
    mine = _doc(
        repeat_gap={"kind": "quantiles", "quantiles": {"0.25": 1, "0.5": 10, "0.99": 50}},
        pairs_one_order={"kind": "scalar", "value": 1.0},   # exactly at its own bound 1.25
        orders_per_buyer_mean={"kind": "scalar", "value": 2.7},  # 1.35 > the default 1.3
        shops_per_buyer={"kind": "histogram", "bins": ["1", "2", "3+"],
                         "shares": [0.5, 0.4, 0.1]})
    rows = {r.name: r for r in compare(mine, ref).rows}
    gap = rows["repeat_gap"]
    assert (gap.ratio, gap.ratio_at, gap.within) == (0.5, "p99", False)
    assert gap.distance == pytest.approx(abs(math.log(51) - math.log(101)) / 2)
    assert set(gap.value) == {"0.5", "0.99"}  # only the reference's levels are compared
    assert rows["pairs_one_order"].within is True
    assert rows["orders_per_buyer_mean"].within is False
    hist = rows["shops_per_buyer"]  # cumulative 0.5/0.9 against 0.6/0.9: KS 0.1 > 0.05
    assert hist.distance == pytest.approx(0.1) and hist.within is False
    assert not compare(mine, ref).passed
