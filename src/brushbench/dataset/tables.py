"""The tables of a dataset, their columns and Arrow schemas: the public contract of the order log.

Each table is declared once, below, column by column: name, Arrow type and a one-line
description. Everything else is derived from these declarations: the Arrow schemas
(:func:`table_schema`), the tables the generator builds (:func:`build_table`, by column name),
the students' handout and ``docs/dataset.md`` (:mod:`brushbench.dataset.docs`).

Column names are snake_case, money is integer cents (fen), times are timezone-aware timestamps
with second precision. ``labels``, ``entity_labels`` and ``campaigns`` are the answer key: a
detector under test never sees them.

The descriptions live here only, not in the files: Arrow field metadata would be written into
every Parquet file and change its bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

__all__ = ["ANSWER_KEY_TABLES", "CHANNELS", "LEGIT_KINDS", "OBSERVED_TABLES", "ORDER_STATUSES",
           "PLATFORMS", "TABLES", "TABLE_SPECS", "TIMESTAMP", "ColumnSpec", "TableSpec",
           "build_table", "table_schema", "table_spec"]

#: What ``labels.legit_kind`` says of a legitimate order (null for brushing orders).
LEGIT_KINDS = ("organic", "flash_sale", "split_order", "bulk", "household", "redirect")
ORDER_STATUSES = ("completed", "refunded", "cancelled")
CHANNELS = ("search", "recommend", "campaign", "affiliate", "share_link", "external")
#: What ``orders.platform`` says an order was placed on.
PLATFORMS = ("app", "mobile_web", "pc")

#: The type of a timestamp column as declared: seconds, in the dataset's time zone, which
#: :meth:`ColumnSpec.arrow_type` fills in.
TIMESTAMP = pa.timestamp("s")


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a table.

    Attributes
    ----------
    name : str
    type : pyarrow.DataType
        Its Arrow type; :data:`TIMESTAMP` for a time in the dataset's zone.
    description : str
        One line saying what it holds (Markdown: codes in backticks).
    unit : str
        ``"cents"`` for money, ``"grams"`` for weights, ``""`` otherwise.
    """

    name: str
    type: Any  # pyarrow.DataType
    description: str
    unit: str = ""

    def __post_init__(self) -> None:
        if not self.description.strip():
            raise ValueError(f"column {self.name} has no description")

    def arrow_type(self, timezone: str) -> Any:
        """The column's Arrow type, its timestamps in ``timezone``."""
        return pa.timestamp("s", tz=timezone) if self.type == TIMESTAMP else self.type


@dataclass(frozen=True)
class TableSpec:
    """One table: its name, what a row is, its columns in file order.

    Attributes
    ----------
    name : str
    description : str
        What one row is (Markdown).
    columns : tuple of ColumnSpec
    answer_key : bool
        Part of the answer key (never shown to a detector under test).
    """

    name: str
    description: str
    columns: tuple[ColumnSpec, ...]
    answer_key: bool = False

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> ColumnSpec:
        """The column called ``name`` (KeyError naming the table's columns)."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"table {self.name} has no column {name!r}; its columns are "
                       f"{', '.join(self.column_names)}")

    def schema(self, timezone: str) -> pa.Schema:
        """The Arrow schema, timestamps in ``timezone``."""
        return pa.schema([(c.name, c.arrow_type(timezone)) for c in self.columns])


def _codes(values: tuple[str, ...]) -> str:
    return ", ".join(f"`{v}`" for v in values[:-1]) + f" or `{values[-1]}`"


_C = ColumnSpec
_I64, _I32, _I8, _STR = pa.int64(), pa.int32(), pa.int8(), pa.string()

_DECLARED = (
    TableSpec("orders", "one row per order, in time order", (
        _C("order_id", _I64, "the order (ids are random numbers: they carry no information)"),
        _C("created_at", TIMESTAMP, "when it was placed"),
        _C("buyer_id", _I64, "the buyer's account (see `buyers`)"),
        _C("shop_id", _I64, "the shop it was bought from (see `shops`)"),
        _C("item_id", _I64, "the item (see `items`)"),
        _C("quantity", _I32, "units bought"),
        _C("unit_price", _I64, "price paid per unit", "cents"),
        _C("paid_amount", _I64, "total paid, after the coupon", "cents"),
        _C("coupon_amount", _I64, "coupon discount", "cents"),
        _C("channel", _STR, "how the buyer arrived: `search`, `recommend`, `campaign` (a "
                            "promotion page), `affiliate` (a distributor's link), `share_link`, "
                            "`external` (the shop's own website)"),
        _C("device_id", _I64, "the phone or computer it was placed from"),
        _C("platform", _STR, "what it was placed on: `app` (the marketplace's phone app), "
                             "`mobile_web` (its pages in a phone's browser) or `pc` (a "
                             "computer)"),
        _C("ip", _STR, "the IP address it came from (mobile networks put many users behind one "
                       "address)"),
        _C("payment_account_id", _I64, "the payment account charged"),
        _C("address_id", _I64, "the shipping address"),
        _C("distributor_id", _I64, "the distributor whose link it came through (affiliate "
                                   "orders only, else empty)"),
        _C("status", _STR, "how it ended: `completed`, `refunded` or `cancelled`"),
    )),
    TableSpec("shipments", "one row per parcel (orders cancelled before shipping have none)", (
        _C("order_id", _I64, "the order shipped"),
        _C("carrier", _STR, "the delivery company"),
        _C("tracking_id", _STR, "the parcel's tracking number"),
        _C("shipped_at", TIMESTAMP, "when the parcel left the shop"),
        _C("delivered_at", TIMESTAMP, "when it was delivered (empty if it never was)"),
        _C("declared_weight_g", _I32, "weight declared for the parcel, in grams", "grams"),
        _C("weighed_weight_g", _I32, "weight measured by the carrier's scale, in grams",
           "grams"),
        _C("origin_city", _STR, "city it was sent from"),
        _C("dest_city", _STR, "city it was sent to"),
    )),
    TableSpec("refunds", "one row per refund or cancellation", (
        _C("order_id", _I64, "the order refunded"),
        _C("requested_at", TIMESTAMP, "when the buyer asked for the refund (or cancelled)"),
        _C("refunded_at", TIMESTAMP, "when the money went back"),
        _C("reason", _STR, "the reason the buyer chose (`cancelled` for a cancellation)"),
        _C("amount", _I64, "amount refunded", "cents"),
    )),
    TableSpec("reviews", "one row per review a buyer left", (
        _C("order_id", _I64, "the order reviewed"),
        _C("created_at", TIMESTAMP, "when the review was written"),
        _C("rating", _I8, "stars, 1 to 5"),
        _C("text", _STR, "what the buyer wrote"),
    )),
    TableSpec("buyers", "one row per buyer account", (
        _C("buyer_id", _I64, "the account"),
        _C("registered_at", TIMESTAMP, "when the account was opened"),
        _C("city", _STR, "the city the account gives"),
        _C("level", _I8, "membership level (higher = more history on the marketplace)"),
    )),
    TableSpec("shops", "one row per shop", (
        _C("shop_id", _I64, "the shop"),
        _C("category", _STR, "what it sells"),
        _C("warehouse_city", _STR, "where it ships from"),
        _C("rank_before", _I32, "its sales rank before the log starts (1 = the best seller)"),
    )),
    TableSpec("items", "one row per item a shop lists", (
        _C("item_id", _I64, "the item"),
        _C("shop_id", _I64, "the shop selling it"),
        _C("category", _STR, "its category"),
        _C("list_price", _I64, "its list price, before discounts", "cents"),
        _C("weight_g", _I32, "its weight in grams", "grams"),
    )),
    TableSpec("labels", "answer key: one row per order, brushing or not, and why", (
        _C("order_id", _I64, "the order (see `orders`)"),
        _C("is_brushing", pa.bool_(), "whether the order is fake (placed by a fraud campaign)"),
        _C("pattern", _STR, "the fraud pattern of its campaign (empty for a legitimate order)"),
        _C("campaign_id", _STR, "its campaign (see `campaigns`; empty for a legitimate order)"),
        _C("beneficiary_shop_id", _I64, "the shop the fake order serves: the brushed shop, or "
                                        "the rival behind a framing (empty for a legitimate "
                                        "order)"),
        _C("victim_shop_id", _I64, "the shop a framing harms (empty where none)"),
        _C("legit_kind", _STR, "what made a legitimate order: " + _codes(LEGIT_KINDS)
           + " (empty for a fake order)"),
    ), answer_key=True),
    TableSpec("entity_labels", "answer key: one row per entity, role and campaign: who took "
                               "part in brushing", (
        _C("entity_type", _STR, "what the entity is: `account` (a `buyer_id`), `shop`, "
                                "`device`, `distributor`, `payment_account` or `address`"),
        _C("entity_id", _I64, "its id, as in the observed tables"),
        _C("role", _STR, "what it did in the campaign (`fake_buyer`, `controller`, "
                         "`beneficiary`, `victim`, ...)"),
        _C("campaign_id", _STR, "the campaign (see `campaigns`)"),
    ), answer_key=True),
    TableSpec("campaigns", "answer key: one row per fraud campaign", (
        _C("campaign_id", _STR, "the campaign (`c01-self_purchase`)"),
        _C("pattern", _STR, "its fraud pattern"),
        _C("shops", pa.list_(_I64), "ids of the shops it serves"),
        _C("start", TIMESTAMP, "when its first order was placed"),
        _C("end", TIMESTAMP, "one second after its last order was placed"),
        _C("orders", _I64, "its orders in the log"),
        _C("camouflage", pa.float64(), "how careful it is, from 0 (naive) to 1 (careful)"),
    ), answer_key=True),
)

#: Every table's declaration by name, in the order they are written.
TABLE_SPECS: dict[str, TableSpec] = {t.name: t for t in _DECLARED}
#: Tables a detector sees, in the order they are written.
OBSERVED_TABLES = tuple(t.name for t in _DECLARED if not t.answer_key)
#: Tables that hold the truth.
ANSWER_KEY_TABLES = tuple(t.name for t in _DECLARED if t.answer_key)
TABLES = OBSERVED_TABLES + ANSWER_KEY_TABLES


def table_spec(name: str) -> TableSpec:
    """The declaration of table ``name`` (KeyError naming the tables)."""
    try:
        return TABLE_SPECS[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; tables are {', '.join(TABLES)}") from None


def table_schema(name: str, timezone: str) -> pa.Schema:
    """The Arrow schema of table ``name``, with timestamps in ``timezone``."""
    return table_spec(name).schema(timezone)


def build_table(name: str, timezone: str, columns: Mapping[str, Any]) -> pa.Table:
    """Table ``name`` from its columns by name (Arrow arrays), in the declared order and types.

    Raises
    ------
    ValueError
        If a declared column is missing or an undeclared one is given (naming them), or a
        column's type or length does not fit (pyarrow's message).
    """
    schema = table_schema(name, timezone)
    missing = [c for c in schema.names if c not in columns]
    unexpected = [c for c in columns if c not in schema.names]
    if missing or unexpected:
        parts = [f"{label} column(s) {', '.join(cols)}" for label, cols in
                 (("missing", missing), ("unexpected", unexpected)) if cols]
        raise ValueError(f"table {name}: {'; '.join(parts)}")
    return pa.Table.from_arrays([columns[c] for c in schema.names], schema=schema)
