"""Typed values (times, mappings) and the rules that span several keys."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest

from brushbench.scenario import ScenarioError, load_scenario_text

from scenario_helpers import BASE, with_key


def problems(text: str) -> list[tuple[str, str]]:
    """(key path, message) of every issue, or [] when the text loads."""
    try:
        load_scenario_text(text, "f.yaml")
    except ScenarioError as exc:
        return [(i.path, i.message) for i in exc.issues]
    return []


def test_times_are_aware_in_the_window_time_zone():
    text = BASE.replace("timezone: Asia/Shanghai", "timezone: America/New_York")
    s = load_scenario_text(text.replace("  - at: 2024-11-11 12:00:00",
                                        "  - at: '2024-11-11T12:00:00Z'"))
    ny = ZoneInfo("America/New_York")
    assert s.window.start == datetime(2024, 11, 10, tzinfo=ny)
    assert s.window.start.tzinfo is ny
    assert s.window.start.utcoffset() == timedelta(hours=-5)
    # An offset fixes the instant, which is then expressed in the window's zone.
    assert s.flash_sales[0].at == datetime(2024, 11, 11, 12, tzinfo=timezone.utc)
    assert (s.flash_sales[0].at.hour, s.flash_sales[0].at.tzinfo) == (7, ny)


@pytest.mark.parametrize("written", ["2024-11-10", "'2024-11-10'", "2024-11-10T00:00:00",
                                     "'2024-11-10 00:00'", "2024-11-09T16:00:00Z",
                                     "2024-11-10 00:00:00+08:00"])
def test_every_way_of_writing_the_same_instant_gives_the_same_value(written):
    s = load_scenario_text(BASE.replace("start: 2024-11-10 00:00:00", f"start: {written}"))
    assert s.window.start == datetime(2024, 11, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_a_wall_clock_time_skipped_by_daylight_saving_moves_forward():
    text = (BASE.replace("timezone: Asia/Shanghai", "timezone: America/New_York")
            .replace("2024-11-1", "2024-03-1")
            .replace("2024-03-11 12:00:00", "2024-03-10 02:30:00"))
    s = load_scenario_text(text)
    assert (s.flash_sales[0].at.hour, s.flash_sales[0].at.minute) == (3, 30)


def test_bad_times_are_reported():
    assert problems(BASE.replace("start: 2024-11-10 00:00:00", "start: next monday")) == [
        ("window.start", "expected a date and time such as 2024-11-11 00:00:00, found "
                         "'next monday' (a string)")]
    assert problems(BASE.replace("start: 2024-11-10 00:00:00", "start: 2024-13-10")) == [
        ("window.start", "expected a valid value, found '2024-13-10' (month must be in 1..12)")]


def test_events_outside_the_window_are_reported():
    text = (BASE.replace("    - start: 2024-11-11 00:00:00", "    - start: 2024-11-13 00:00:00")
            .replace("  - at: 2024-11-11 12:00:00", "  - at: 2024-11-09 23:59:59"))
    text += "redirects:\n  - at: 2024-11-12 23:59:59\n  - at: 2024-11-20\n"
    span = "2024-11-10 00:00:00 to 2024-11-13 00:00:00"
    assert problems(text) == [
        ("traffic.promotions[0].start", f"expected a time inside the window ({span}), found "
                                        "2024-11-13 00:00:00"),
        ("flash_sales[0].at", f"expected a time inside the window ({span}), found "
                              "2024-11-09 23:59:59"),
        ("redirects[1].at", f"expected a time inside the window ({span}), found "
                            "2024-11-20 00:00:00"),
    ]


def test_time_zone_must_be_an_iana_name():
    assert problems(BASE.replace("Asia/Shanghai", "Asia/Shangai")) == [
        ("window.timezone", "expected an IANA time zone such as Asia/Shanghai, found "
                            "'Asia/Shangai', did you mean 'Asia/Shanghai'?")]
    assert problems(BASE.replace("Asia/Shanghai", "../etc/passwd"))[0][0] == "window.timezone"


def test_name_must_be_a_plain_identifier():
    assert problems(BASE.replace("name: base", "name: 'double 11!'")) == [
        ("name", "expected letters, digits, '_' and '-' only, found 'double 11!'")]


def test_shop_ranks_must_exist():
    text = BASE.replace("    shop_rank: 2", "    shop_rank: 51")
    text = text.replace("  shops: 50", "  shops: 2")
    text += "redirects:\n  - at: 2024-11-10\n"
    assert problems(text) == [
        ("flash_sales[0].shop_rank", "expected a rank <= marketplace.shops (2), found 51"),
        ("redirects[0].shop_rank", "expected a rank <= marketplace.shops (2), found 3"),
    ]


def test_channels_are_known_weights_with_a_positive_sum():
    found = problems(with_key(BASE, "traffic", "channels",
                              "{serach: 1, external: 1, search: -1}"))
    assert found == [  # in the order they are written
        ("traffic.channels.serach", "expected one of search, recommend, campaign, affiliate, "
                                    "share_link, found 'serach', did you mean 'search'?"),
        ("traffic.channels.external", "expected one of search, recommend, campaign, affiliate, "
                                      "share_link ('external' is reserved for redirects), found "
                                      "'external'"),
        ("traffic.channels.search", "expected a weight >= 0, found -1.0"),
    ]
    assert problems(with_key(BASE, "traffic", "channels", "{search: 0, campaign: 0}")) == [
        ("traffic.channels", "expected weights with a positive sum, found 0.0")]


def test_mappings_are_read_only_and_sorted():
    s = load_scenario_text(with_key(BASE, "traffic", "channels", "{search: 2, campaign: 1}"))
    assert isinstance(s.traffic.channels, MappingProxyType)
    assert list(s.traffic.channels.items()) == [("campaign", 1.0), ("search", 2.0)]


def test_at_least_one_category():
    assert problems(with_key(BASE, "marketplace", "categories", "{}")) == [
        ("marketplace.categories", "expected at least one category, found none")]


def test_relative_weights_need_a_positive_sum():
    assert problems(with_key(BASE, "reviews", "ratings", "[0, 0, 0, 0, 0]")) == [
        ("reviews.ratings", "expected weights with a positive sum, found all zero")]
    assert problems(with_key(BASE, "traffic", "day_trend", "[]")) == [
        ("traffic.day_trend", "expected at least one value, found an empty list")]
    assert problems(with_key(BASE, "reviews", "ratings", "[1, 1, 1]")) == [
        ("reviews.ratings", "expected a list of exactly 5 items, found 3")]


def test_cross_field_rules_still_run_when_other_keys_are_wrong():
    text = BASE.replace("  buyers: 1000", "  buyers: lots").replace("    shop_rank: 2",
                                                                     "    shop_rank: 99")
    assert [p for p, _ in problems(text)] == ["marketplace.buyers", "flash_sales[0].shop_rank"]


def test_times_and_durations_out_of_range_are_issues_not_crashes():
    assert problems(BASE.replace("start: 2024-11-10 00:00:00", "start: 0001-01-01")) == [
        ("window.start", "expected a date and time such as 2024-11-11 00:00:00, found "
                         "0001-01-01 (a date), which is out of range")]
    found = problems(BASE.replace("duration: 3d", "duration: 99999999999999d"))
    assert [p for p, _ in found] == ["window.duration"]
