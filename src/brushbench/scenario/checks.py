"""Rules that involve more than one key: times inside the window, ranks within the shop count.

They run on what the builder produced, which may be a :class:`~.build.Partial` where part of the
file was wrong, so every rule first checks that the values it needs are there: a mistake is
reported once, where it was made, and not again by every rule that depends on it.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from ..dataset.tables import CHANNELS, PLATFORMS
from .build import did_you_mean
from .errors import KeyPath
from .limits import FIRST_YEAR, LAST_YEAR, MAX_SLICES, SHOP_SLICE_BYTES, memory

NAME_PATTERN = r"^[A-Za-z0-9_-]+$"
#: Channels a scenario may weigh; 'external' is reserved for redirected traffic.
ORGANIC_CHANNELS = tuple(c for c in CHANNELS if c != "external")

Report = Callable[[KeyPath, str], None]


def valid_zone(name: Any) -> zoneinfo.ZoneInfo | None:
    """The time zone called ``name``, or None when there is no such IANA zone."""
    if not isinstance(name, str) or not name or name != name.strip():
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


@functools.cache
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def cross_check(s: Any, report: Report) -> None:
    """Report every cross-field problem of a built (possibly partial) scenario.

    Parameters
    ----------
    s : Scenario or Partial
        What the builder produced.
    report : callable
        ``report(key_path, message)`` records one issue.
    """
    name = getattr(s, "name", None)
    if isinstance(name, str) and not re.match(NAME_PATTERN, name):
        report(("name",), f"expected letters, digits, '_' and '-' only, found {name!r}")
    window = getattr(s, "window", None)
    tz = getattr(window, "timezone", None)
    if isinstance(tz, str) and valid_zone(tz) is None:
        report(("window", "timezone"), f"expected an IANA time zone such as Asia/Shanghai, "
                                       f"found {tz!r}{did_you_mean(tz, _zone_names())}")
    _check_times(s, window, report)
    _check_slices(s, window, report)
    _check_locale(getattr(s, "locale", None), report)
    _check_marketplace(s, report)
    traffic = getattr(s, "traffic", None)
    _check_channels(getattr(traffic, "channels", None), report)
    _check_platforms(getattr(traffic, "platforms", None), report)
    for key, values in (("hour_profile", getattr(traffic, "hour_profile", None)),
                        ("day_trend", getattr(traffic, "day_trend", None))):
        _check_weights(("traffic", key), values, report)
    _check_weights(("reviews", "ratings"), getattr(getattr(s, "reviews", None), "ratings", None),
                   report)


def _check_times(s: Any, window: Any, report: Report) -> None:
    start, duration = getattr(window, "start", None), getattr(window, "duration", None)
    if not isinstance(start, datetime) or not isinstance(duration, int):
        return
    # In UTC: aware datetimes sharing a tzinfo add and compare as wall-clock times, which is
    # off by the daylight-saving shift when the window spans one.
    try:
        first = start.astimezone(timezone.utc)
        end = first + timedelta(seconds=duration)
    except (OverflowError, ValueError):
        end = None
    if end is None or first.year < FIRST_YEAR or end.year >= LAST_YEAR:
        report(("window", "start"), f"expected a window from {FIRST_YEAR}-01-01 to "
                                    f"{LAST_YEAR}-01-01, found {duration} seconds from "
                                    f"{_local(start)}")
        return
    span = f"{_local(start)} to {_local(end.astimezone(start.tzinfo))}"
    traffic = getattr(s, "traffic", None)
    events = [(("traffic", "promotions"), getattr(traffic, "promotions", None), "start"),
              (("flash_sales",), getattr(s, "flash_sales", None), "at"),
              (("redirects",), getattr(s, "redirects", None), "at")]
    for path, items, key in events:
        for i, item in enumerate(items or ()):
            when = getattr(item, key, None)
            if isinstance(when, datetime) and not first <= when.astimezone(timezone.utc) < end:
                report((*path, i, key), f"expected a time inside the window ({span}), "
                                        f"found {_local(when)}")


def _check_slices(s: Any, window: Any, report: Report) -> None:
    """The window cut into re-ranking slices: at most MAX_SLICES of them."""
    duration = getattr(window, "duration", None)
    interval = getattr(getattr(getattr(s, "traffic", None), "reranking", None), "interval", None)
    if not isinstance(duration, int) or not isinstance(interval, int) or interval <= 0:
        return
    slices = -(-duration // interval)
    if slices > MAX_SLICES:
        shops = getattr(getattr(s, "marketplace", None), "shops", None)
        table = (f"; its table of {shops:,} shops x {slices:,} slices alone would take "
                 f"{memory(shops * slices * SHOP_SLICE_BYTES)}" if isinstance(shops, int) else "")
        report(("traffic", "reranking", "interval"),
               f"expected at most {MAX_SLICES:,} re-ranking slices in the window, found "
               f"{slices:,} ({duration:,} s / {interval:,} s){table}")


#: Locales checked without importing Faker (the default and the bundled scenarios' ones).
_KNOWN_LOCALES = frozenset({"zh_CN", "en_US", "zh_TW", "id_ID"})


def _check_locale(locale: Any, report: Report) -> None:
    if not isinstance(locale, str) or locale in _KNOWN_LOCALES:
        return
    from faker.config import AVAILABLE_LOCALES  # lazily: importing Faker takes 0.1 s

    if locale not in AVAILABLE_LOCALES:
        report(("locale",), f"expected a Faker locale such as zh_CN or en_US, found "
                            f"{locale[:40]!r}{did_you_mean(locale, tuple(AVAILABLE_LOCALES))}")


def _check_marketplace(s: Any, report: Report) -> None:
    market = getattr(s, "marketplace", None)
    categories = getattr(market, "categories", None)
    if isinstance(categories, Mapping) and not categories:
        report(("marketplace", "categories"), "expected at least one category, found none")
    shops = getattr(market, "shops", None)
    if not isinstance(shops, int):
        return
    for key in ("flash_sales", "redirects"):
        for i, item in enumerate(getattr(s, key, None) or ()):
            rank = getattr(item, "shop_rank", None)
            if isinstance(rank, int) and rank > shops:
                report((key, i, "shop_rank"), f"expected a rank <= marketplace.shops ({shops}), "
                                              f"found {rank}")


def _check_channels(channels: Any, report: Report) -> None:
    if not isinstance(channels, Mapping):
        return
    for key in channels:
        if key not in ORGANIC_CHANNELS:
            reserved = " ('external' is reserved for redirects)" if key == "external" else ""
            report(("traffic", "channels", key),
                   f"expected one of {', '.join(ORGANIC_CHANNELS)}{reserved}, found "
                   f"{key!r}{did_you_mean(key, ORGANIC_CHANNELS)}")
    _check_shares(("traffic", "channels"), channels, report)


def _check_platforms(platforms: Any, report: Report) -> None:
    if not isinstance(platforms, Mapping):
        return
    for key in platforms:
        if key not in PLATFORMS:
            report(("traffic", "platforms", key),
                   f"expected one of {', '.join(PLATFORMS)}, found "
                   f"{key!r}{did_you_mean(key, PLATFORMS)}")
    _check_shares(("traffic", "platforms"), platforms, report)


def _check_shares(path: KeyPath, shares: Mapping[Any, Any], report: Report) -> None:
    """Relative shares by name: none negative, not all zero."""
    weights = [w for w in shares.values() if isinstance(w, float)]
    for key, weight in shares.items():
        if isinstance(weight, float) and weight < 0:
            report((*path, key), f"expected a weight >= 0, found {weight!r}")
    if len(weights) == len(shares) and all(w >= 0 for w in weights) and sum(weights) <= 0:
        report(path, f"expected weights with a positive sum, found {sum(weights)!r}")


def _check_weights(path: KeyPath, values: Any, report: Report) -> None:
    """Relative weights: at least one, none negative, not all zero."""
    if not isinstance(values, tuple) or not all(isinstance(v, float) for v in values):
        return
    if not values:
        report(path, "expected at least one value, found an empty list")
    for i, v in enumerate(values):
        if v < 0:
            report((*path, i), f"expected a weight >= 0, found {v!r}")
    if values and all(v >= 0 for v in values) and sum(values) <= 0:
        report(path, "expected weights with a positive sum, found all zero")


def _local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")
