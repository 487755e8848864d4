"""The probes: what the leak audit measures on every order, and why.

A probe is one feature of an order that must *not* tell brushing orders from legitimate ones:
an id's magnitude, a price's last digit, whether a timestamp falls on ``:00``, the row's place
among orders of the same second, whether a column is null... Behaviour (quantities, prices,
times of day, channel, sharing of devices, IPs and payment accounts, parcel weights, refund
timing, review content) is what a pattern legitimately changes and is never probed as a value,
only for its format and precision.

**Units.** Some columns are decided once for a whole group of orders: the carrier by the shop,
the price by the item, the review text by a campaign's template, an id by its entity. A campaign
concentrates on a few shops, items, accounts and texts, so an order-level comparison of such a
column would count one decision hundreds of times and see "separation" that is only the choice
of the shop. Each probe therefore names its *unit*: the columns that make the decision
(``()``: each order decides alone). The audit compares units, not orders: one unit per distinct
(unit columns, probe value), positive when one of its orders is. With unit ``orders.item_id``,
``multiple_of_10`` of the unit price makes one unit of an item's round prices and one of its
other prices: brushing orders sold at the item's usual prices share the legitimate orders' unit,
brushing orders sold at prices the item never has otherwise make units of their own. When the
value is a function of the unit (an id's digits, a text's length), the unit is the entity alone
(``per_unit``).

**Kinds.** ``numeric`` probes are ranked by value (AP of the feature and of its negation, the
larger kept); ``categorical`` probes (last digits, second of the minute, categories) are
target-encoded: each value's brushing rate is learnt on a random half of the units and scored on
the other half, so any association, not only a monotone one, shows.

``PROBES`` is the whole list; ``brushbench audit --list-probes`` prints it, and
``docs/audit.md`` explains it. A pattern whose *behaviour* is allowed to move a probe names it
in ``EXEMPT`` with the reason; exempt (probe, pattern) pairs are not scored, and that pattern's
orders are left out of the probe's comparison of all brushing against legitimate orders.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from brushbench.dataset.tables import CHANNELS, ORDER_STATUSES, PLATFORMS, table_schema

from .stats import to_codes as value_codes
from .view import OrderView

NUMERIC, CATEGORICAL, THRESHOLD, SHARE = "numeric", "categorical", "threshold", "share"


@dataclass(frozen=True)
class Probe:
    """One feature per order that must not separate brushing orders from legitimate ones.

    Attributes
    ----------
    name : str
        What is measured (``last_digit``, ``on_the_minute``...).
    column : str
        ``table.column`` it is measured on (``orders.<row>`` for the row's position).
    family : str
        ``row_order``, ``ids``, ``format``, ``nulls`` or ``category``.
    kind : str
        ``numeric`` (ranked by value, both signs), ``categorical`` (target-encoded),
        ``threshold`` (a floor or ceiling learnt on half the units, see
        :func:`brushbench.audit.stats.score_threshold`) or ``share`` (int64 codes like
        ``categorical``; the excess share of the most over-represented value, see
        :func:`brushbench.audit.stats.score_share`).
    unit : tuple of str
        Columns (``table.column``) whose values make the decision; ``()`` = each order.
    per_unit : bool
        The value is a function of the unit's columns (ids, texts): units are not split by it.
    why : str
        The leak it would reveal.
    compute : callable
        ``compute(view) -> ndarray``: float64 per order (NaN = not applicable) for numeric
        probes, int64 codes (-1 = not applicable) for categorical ones.
    """

    name: str
    column: str
    family: str
    kind: str
    unit: tuple[str, ...]
    why: str
    compute: Callable[[OrderView], np.ndarray]
    per_unit: bool = False

    @property
    def key(self) -> str:
        return f"{self.column}:{self.name}"


#: (probe key, pattern) pairs that a pattern's behaviour legitimately moves, with the reason.
#: None today. (The destination city's category is not probed at all: every pattern places its
#: ring's addresses in cities it chooses, near the shop's warehouse, in the farm's, the
#: distributor's or the rival's city, so that category is behaviour for all of them.)
EXEMPT: dict[tuple[str, str], str] = {}

# -- the columns probed ---------------------------------------------------------------------------

#: Id columns: an entity's id must not tell whether it takes part in brushing.
ID_COLUMNS = ("order_id", "buyer_id", "shop_id", "item_id", "device_id", "payment_account_id",
              "address_id", "distributor_id")
#: Integer money columns (cents).
MONEY_COLUMNS = ("orders.unit_price", "orders.paid_amount", "orders.coupon_amount",
                 "refunds.amount")
WEIGHT_COLUMNS = ("shipments.declared_weight_g", "shipments.weighed_weight_g")
#: Timestamps, and the unit that decides each (the buyer decides when it registered).
TIMESTAMP_COLUMNS = {
    "orders.created_at": (), "shipments.shipped_at": (), "shipments.delivered_at": (),
    "refunds.requested_at": (), "refunds.refunded_at": (), "reviews.created_at": (),
    "buyers.registered_at": ("orders.buyer_id",),
}
#: String columns and who decides their value: a carrier chosen by the shop, a city by the
#: address, a text by the campaign's template is one decision, whatever the number of orders.
#: A tracking number's format is the carrier's, hence the shop's.
STRING_COLUMNS = {
    "orders.channel": (), "orders.ip": (), "orders.status": (), "orders.platform": (),
    "shipments.carrier": ("orders.shop_id",),
    "shipments.tracking_id": ("orders.shop_id",),
    "shipments.origin_city": ("orders.shop_id",),
    "shipments.dest_city": ("orders.address_id",),
    "refunds.reason": (),
    "reviews.text": ("reviews.text",),
}
#: Strings whose length is worth probing (elsewhere the length *is* the value: a channel code,
#: a city's name, an IP's digits).
LENGTH_COLUMNS = ("shipments.tracking_id", "reviews.text")


# -- feature helpers ------------------------------------------------------------------------------

def _matches(view: OrderView, source: str, regex: str) -> np.ndarray:
    return view.per_value(source, f"re:{regex}", lambda a: pc.match_substring_regex(a, regex))


def _ints(view: OrderView, source: str) -> np.ndarray:
    """Numbers as float64 (NaN = null); exact below 2**53."""
    values, null = view.ints(source)
    out = values.astype(np.float64)
    out[null] = np.nan
    return out


def _mod(view: OrderView, source: str, m: int) -> np.ndarray:
    """``value % m`` as category codes (-1 = null), computed once per column and modulus."""
    def run() -> np.ndarray:
        values, null = view.ints(source)
        return np.where(null, -1, values % m)
    return view.memo(f"mod{m}:{source}", run)


def _multiple(view: OrderView, source: str, m: int) -> np.ndarray:
    """1 where a multiple of ``m``, 0 where not, NaN where null."""
    rest = _mod(view, source, m)
    return np.where(rest < 0, np.nan, rest == 0)


_POWERS_OF_TEN = np.array([10**i for i in range(19)], dtype=np.int64)


def _id_digits(view: OrderView, source: str) -> np.ndarray:
    values, null = view.ints(source)
    out = np.maximum(np.searchsorted(_POWERS_OF_TEN, np.abs(values), side="right"), 1)
    return np.where(null, -1, out).astype(np.int64)


def _category(values: np.ndarray) -> np.ndarray:
    """Codes of a numeric array's values, -1 for NaN."""
    return value_codes(values)[0]


def _off_mode(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """1 where a value is not its group's most common value (label-free), NaN where undefined."""
    out = np.full(len(values), np.nan)
    ok = (values >= 0) & (groups >= 0)
    if not ok.any():
        return out
    v, g = values[ok], groups[ok]
    kv = int(v.max()) + 1
    uniq, counts = np.unique(g * kv + v, return_counts=True)
    ug, uv = uniq // kv, uniq % kv
    order = np.lexsort((-counts, ug))  # by group, the most common value first
    first = order[np.r_[True, ug[order][1:] != ug[order][:-1]]]
    mode = np.full(int(g.max()) + 1, -1, dtype=np.int64)
    mode[ug[first]] = uv[first]
    out[ok] = (v != mode[g]).astype(np.float64)
    return out


def _time_groups(view: OrderView) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per order: its rank in a stable sort by created_at, and its tie group's start and end."""
    return view.memo("time_groups", lambda: _compute_time_groups(view))


def _compute_time_groups(view: OrderView) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t = view.created_at
    n = len(t)
    if n and np.all(t[1:] >= t[:-1]):
        order = None
        t_sorted = t
    else:
        order = np.argsort(t, kind="stable")
        t_sorted = t[order]
    change = np.ones(n, dtype=bool)
    change[1:] = t_sorted[1:] != t_sorted[:-1]
    group = np.cumsum(change) - 1
    starts = np.flatnonzero(change)
    ends = np.append(starts[1:], n)
    start, end = starts[group], ends[group]
    if order is None:
        return np.arange(n), start, end
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    return rank, start[rank], end[rank]


def _row_displacement(view: OrderView) -> np.ndarray:
    """Rows between a row and the rows its created_at belongs among (0 when in place)."""
    _, start, end = _time_groups(view)
    row = np.arange(view.n)
    return np.where(row < start, row - start, np.where(row >= end, row - end + 1, 0)) \
        .astype(np.float64)


def _position_in_second(view: OrderView) -> np.ndarray:
    return view.memo("position_in_second", lambda: _compute_position(view))


def _compute_position(view: OrderView) -> np.ndarray:
    rank, start, end = _time_groups(view)
    size = end - start
    out = np.full(view.n, np.nan)
    tied = size > 1
    out[tied] = np.rint(1000.0 * (rank[tied] - start[tied]) / (size[tied] - 1))
    return out


def _order_id_rank_in_second(view: OrderView) -> np.ndarray:
    return view.memo("id_rank_in_second", lambda: _compute_id_rank(view))


def _compute_id_rank(view: OrderView) -> np.ndarray:
    _, start, end = _time_groups(view)
    size = end - start
    order = np.lexsort((view.order_id, view.created_at))
    rank = np.empty(view.n, dtype=np.int64)
    rank[order] = np.arange(view.n)
    out = np.full(view.n, np.nan)
    tied = size > 1
    out[tied] = np.rint(1000.0 * (rank[tied] - start[tied]) / (size[tied] - 1))
    return out


def _row_vs_id_rank(view: OrderView) -> np.ndarray:
    return _position_in_second(view) - _order_id_rank_in_second(view)


def _script(view: OrderView, source: str) -> np.ndarray:
    han = _matches(view, source, r"\p{Han}")
    latin = _matches(view, source, r"[A-Za-z]")
    other = _matches(view, source, r"[\p{Hangul}\p{Hiragana}\p{Katakana}\p{Cyrillic}"
                                   r"\p{Arabic}\p{Thai}\p{Greek}\p{Devanagari}]")
    return _category(han + 2 * latin + 4 * other)  # NaN (no review) stays NaN


_TRACKING = r"^(?P<prefix>[A-Za-z]*)(?P<digits>[0-9]*)(?P<rest>.*)$"


def _tracking_part(view: OrderView, part: str) -> np.ndarray:
    """Codes per order of a part of the tracking number's format (prefix letters, digits)."""
    return view.per_value_codes(
        "shipments.tracking_id", f"tracking_{part}",
        lambda a: pc.struct_field(pc.extract_regex(a, _TRACKING), part))


def _null(view: OrderView, source: str) -> np.ndarray:
    table, _ = source.split(".", 1)
    isnull = view.nulls(source).astype(np.float64)
    if table != "orders":  # among orders that have a row in that table
        isnull[~view.has_row(table)] = np.nan
    return isnull


def _presence_vs_status(table: str) -> Callable[[OrderView], np.ndarray]:
    def compute(view: OrderView) -> np.ndarray:
        cancelled = view.equals("orders.status", "cancelled")
        has = view.has_row(table)
        if table == "shipments":
            expected = ~cancelled
        elif table == "refunds":
            expected = cancelled | view.equals("orders.status", "refunded")
        else:  # reviews: never on a cancelled order
            return (has & cancelled).astype(np.float64)
        return (has != expected).astype(np.float64)
    return compute


def _distributor_vs_channel(view: OrderView) -> np.ndarray:
    has = ~view.nulls("orders.distributor_id")
    return (has != view.equals("orders.channel", "affiliate")).astype(np.float64)


def _non_ascii(view: OrderView, source: str) -> np.ndarray:
    return view.per_value(source, "non_ascii", lambda a: pc.invert(pc.string_is_ascii(a)))


def _length(view: OrderView, source: str) -> np.ndarray:
    return view.per_value(source, "length", pc.utf8_length)


def _known_code(view: OrderView, source: str, codes: tuple[str, ...]) -> np.ndarray:
    return view.per_value(source, "known", lambda a: pc.is_in(a, pa.array(codes)))


def _tracking_digit_count(view: OrderView) -> np.ndarray:
    return view.per_value_codes(
        "shipments.tracking_id", "tracking_digit_count",
        lambda a: pc.utf8_length(pc.struct_field(pc.extract_regex(a, _TRACKING), "digits")))


def _prefix_off_carrier(view: OrderView) -> np.ndarray:
    return _off_mode(_tracking_part(view, "prefix"), view.codes("shipments.carrier"))


def _several_rows(view: OrderView, table: str) -> np.ndarray:
    return (view.row_count(table) > 1).astype(np.float64)


def _codes(view: OrderView, source: str) -> np.ndarray:
    return view.codes(source)


def _off_group_mode(view: OrderView, source: str, group: str) -> np.ndarray:
    return _off_mode(view.codes(source), view.codes(group))


# -- the list -------------------------------------------------------------------------------------

def _probe(name: str, column: str, family: str, kind: str, unit: tuple[str, ...], why: str,
           compute: Callable[[OrderView], np.ndarray]) -> Probe:
    # Values that are a function of their unit's columns: an entity's id, a text.
    per_unit = family == "ids" or unit == ("reviews.text",) or unit == ("orders.buyer_id",)
    return Probe(name, column, family, kind, unit, why, compute, per_unit)


def _row_order_probes() -> list[Probe]:
    """1. Row order."""
    return [
        _probe("row_displacement", "orders.<row>", "row_order", NUMERIC, (),
               "rows out of time order (how many rows before or after the rows of its "
               "created_at the row is; 0 in a sorted table): injected orders appended at the end",
               _row_displacement),
        _probe("position_in_second", "orders.<row>", "row_order", NUMERIC, (),
               "place of the row among the orders of the same second (0 first, 1000 last): "
               "injected orders written after the legitimate ones of their second",
               _position_in_second),
        _probe("order_id_rank_in_second", "orders.order_id", "row_order", NUMERIC, (),
               "rank of the order_id among the orders of the same second: ids handed out in "
               "generation order", _order_id_rank_in_second),
        _probe("row_vs_id_rank_in_second", "orders.<row>", "row_order", NUMERIC, (),
               "place of the row among the orders of its second minus its order_id's rank "
               "there: ties broken another way for injected orders (legitimate ties follow one "
               "rule, e.g. by order_id, so any other rule shows)", _row_vs_id_rank),
    ]


def _id_probes() -> list[Probe]:
    """2. Ids: compared per entity (a buyer, a shop...), not per order."""
    probes = []
    for col in ID_COLUMNS:
        source = f"orders.{col}"
        unit: tuple[str, ...] = () if col == "order_id" else (source,)
        entity = "order" if col == "order_id" else col.removesuffix("_id")
        probes += [
            _probe("magnitude", source, "ids", NUMERIC, unit,
                   f"the {entity}'s id is larger or smaller: ids handed out in blocks or "
                   "sequences", partial(_ints, source=source)),
            _probe("digit_count", source, "ids", CATEGORICAL, unit,
                   f"the {entity}'s id has another number of digits: another id generator",
                   partial(_id_digits, source=source)),
            _probe("parity", source, "ids", NUMERIC, unit,
                   f"the {entity}'s id is even or odd: interleaved id ranges",
                   partial(_multiple, source=source, m=2)),
            _probe("last_digit", source, "ids", CATEGORICAL, unit,
                   f"the {entity}'s id ends in given digits: ids with a suffix or a step",
                   partial(_mod, source=source, m=10)),
        ]
    return probes


def _number_format_probes() -> list[Probe]:
    """3a. Formats and precision of numbers: amounts, weights, timestamps."""
    probes = []
    for source in MONEY_COLUMNS:
        unit: tuple[str, ...] = ("orders.item_id",)
        probes += [
            _probe("last_digit", source, "format", CATEGORICAL, unit,
                   "cents ending in given digits: another rounding of prices",
                   partial(_mod, source=source, m=10)),
            _probe("multiple_of_10", source, "format", NUMERIC, unit,
                   "amounts rounded to 10 cents or not", partial(_multiple, source=source, m=10)),
            _probe("multiple_of_100", source, "format", NUMERIC, unit,
                   "amounts rounded to whole yuan or not",
                   partial(_multiple, source=source, m=100)),
        ]
    for source in WEIGHT_COLUMNS:
        unit = ("orders.item_id",) if source.endswith("declared_weight_g") else ()
        probes += [
            _probe("last_digit", source, "format", CATEGORICAL, unit,
                   "grams ending in given digits: another scale or rounding",
                   partial(_mod, source=source, m=10)),
            _probe("multiple_of_10", source, "format", NUMERIC, unit,
                   "weights rounded to 10 g or not", partial(_multiple, source=source, m=10)),
        ]
    for source, unit in TIMESTAMP_COLUMNS.items():
        probes += [
            _probe("second_of_minute", source, "format", CATEGORICAL, unit,
                   "timestamps from another clock or with another resolution",
                   partial(_mod, source=source, m=60)),
            _probe("on_the_minute", source, "format", NUMERIC, unit,
                   "timestamps truncated to the minute (second = 00)",
                   partial(_multiple, source=source, m=60)),
        ]
    return probes


def _text_format_probes() -> list[Probe]:
    """3b. Formats of strings: digits, alphabets, spaces, lengths, codes, tracking numbers."""
    probes = []
    for source, unit in STRING_COLUMNS.items():
        probes += [
            _probe("all_digits", source, "format", NUMERIC, unit,
                   "a value written as a bare number",
                   partial(_matches, source=source, regex=r"^[0-9]+$")),
            _probe("non_ascii", source, "format", NUMERIC, unit,
                   "another alphabet, encoding or full-width characters",
                   partial(_non_ascii, source=source)),
            _probe("whitespace", source, "format", NUMERIC, unit,
                   "spaces: padded, joined or differently formatted values",
                   partial(_matches, source=source, regex=r"\s")),
        ]
    for source in LENGTH_COLUMNS:
        probes.append(_probe("length", source, "format", NUMERIC, STRING_COLUMNS[source],
                             "strings of another length: another generator or template pool",
                             partial(_length, source=source)))
    probes += [
        _probe("known_code", "orders.channel", "format", NUMERIC, (),
               "a channel that is not one of the documented codes",
               partial(_known_code, source="orders.channel", codes=CHANNELS)),
        _probe("known_code", "orders.status", "format", NUMERIC, (),
               "a status that is not one of the documented codes",
               partial(_known_code, source="orders.status", codes=ORDER_STATUSES)),
        _probe("known_code", "orders.platform", "format", NUMERIC, (),
               "a platform that is not one of the documented codes",
               partial(_known_code, source="orders.platform", codes=PLATFORMS)),
        _probe("dotted_quad", "orders.ip", "format", NUMERIC, (),
               "an IP written another way (not a dotted quad)",
               partial(_matches, source="orders.ip", regex=r"^[0-9]{1,3}(\.[0-9]{1,3}){3}$")),
        _probe("prefix", "shipments.tracking_id", "format", CATEGORICAL, ("orders.shop_id",),
               "tracking numbers with another prefix than the carrier's",
               partial(_tracking_part, part="prefix")),
        _probe("prefix_off_carrier", "shipments.tracking_id", "format", NUMERIC, (),
               "a tracking prefix that is not the usual one of its carrier",
               _prefix_off_carrier),
        _probe("digit_count", "shipments.tracking_id", "format", CATEGORICAL,
               ("orders.shop_id",), "tracking numbers with another number of digits",
               _tracking_digit_count),
    ]
    return probes


def _null_probes() -> list[Probe]:
    """4. Null patterns."""
    probes = []
    for name in ("orders", "shipments", "refunds", "reviews"):
        for field in table_schema(name, "UTC"):
            if field.name == "order_id" and name != "orders":
                continue
            source = f"{name}.{field.name}"
            if source == "orders.distributor_id":
                probes.append(_probe(
                    "null_vs_channel", source, "nulls", NUMERIC, (),
                    "a distributor where the channel is not affiliate, or none where it is "
                    "(null unexplained by the channel)", _distributor_vs_channel))
                continue
            where = "" if name == "orders" else f" (among orders with a {name} row)"
            probes.append(_probe(
                "is_null", source, "nulls", NUMERIC, (),
                f"a value missing, or present, where it is not for legitimate orders{where}",
                partial(_null, source=source)))
    for table in ("shipments", "refunds", "reviews"):
        rule = {"shipments": "every order that is not cancelled has one",
                "refunds": "cancelled and refunded orders have one, completed orders none",
                "reviews": "cancelled orders have none"}[table]
        probes += [
            _probe("has_row_vs_status", f"{table}.<row>", "nulls", NUMERIC, (),
                   f"a {table[:-1]} row present or missing against the order's status ({rule})",
                   _presence_vs_status(table)),
            _probe("several_rows", f"{table}.<row>", "nulls", NUMERIC, (),
                   f"more than one {table[:-1]} row for one order",
                   partial(_several_rows, table=table)),
        ]
    return probes


def _category_probes() -> list[Probe]:
    """5. Categories that no pattern decides: the carrier and origin are the shop's (and the
    shop is behaviour, hence the shop unit); the destination city is the address's, which
    patterns choose, so only its consistency with the address is probed, not the city itself.
    """
    probes = []
    for source, group, decided_by, category in (
            ("shipments.carrier", "orders.shop_id", "shop", True),
            ("shipments.origin_city", "orders.shop_id", "shop", True),
            ("shipments.dest_city", "orders.address_id", "address", False)):
        unit = STRING_COLUMNS[source]
        if category:
            probes.append(_probe(
                "category", source, "category", CATEGORICAL, unit,
                f"a {source.split('.')[1]} used more (or less) by brushing orders, beyond what "
                f"the {decided_by} explains", partial(_codes, source=source)))
        probes.append(_probe(
            f"off_{decided_by}_mode", source, "category", NUMERIC, unit,
            f"a {source.split('.')[1]} that is not the {decided_by}'s usual one",
            partial(_off_group_mode, source=source, group=group)))
    return probes


def _build() -> tuple[Probe, ...]:
    probes = [*_row_order_probes(), *_id_probes(), *_number_format_probes(),
              *_text_format_probes(), *_null_probes(), *_category_probes()]
    keys = [p.key for p in probes]
    assert len(keys) == len(set(keys)), "duplicate probe"
    return tuple(probes)


PROBES: tuple[Probe, ...] = _build()


def describe_probes(probes: Sequence[Probe] = PROBES,
                    exempt: dict[tuple[str, str], str] | None = None) -> str:
    """A probe list as a text table (``brushbench audit --list-probes``)."""
    lines = []
    for p in probes:
        unit = "order" if not p.unit else " x ".join(p.unit)
        lines.append(f"{p.family:<11} {p.column + ':' + p.name:<48} {p.kind:<11} unit={unit}")
        lines.append(f"{'':<11} {p.why}")
    for (key, pattern), reason in (EXEMPT if exempt is None else exempt).items():
        lines.append(f"exempt      {key} for {pattern}: {reason}")
    return "\n".join(lines)
