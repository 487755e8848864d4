"""The tables of a dataset and their Arrow schemas: the public contract of the order log.

Column names are snake_case, money is integer cents (fen), times are timezone-aware timestamps
with second precision. ``labels``, ``entity_labels`` and ``campaigns`` are the answer key: a
detector under test never sees them.
"""

from __future__ import annotations

import pyarrow as pa

#: Tables a detector sees, in the order they are written.
OBSERVED_TABLES = ("orders", "shipments", "refunds", "reviews", "buyers", "shops", "items")
#: Tables that hold the truth.
ANSWER_KEY_TABLES = ("labels", "entity_labels", "campaigns")
TABLES = OBSERVED_TABLES + ANSWER_KEY_TABLES

#: What ``labels.legit_kind`` says of a legitimate order (null for brushing orders).
LEGIT_KINDS = ("organic", "flash_sale", "split_order", "bulk", "household", "redirect")
ORDER_STATUSES = ("completed", "refunded", "cancelled")
CHANNELS = ("search", "recommend", "campaign", "affiliate", "share_link", "external")


def table_schema(name: str, timezone: str) -> pa.Schema:
    """The Arrow schema of table ``name``, with timestamps in ``timezone``."""
    ts = pa.timestamp("s", tz=timezone)
    schemas = {
        "orders": [
            ("order_id", pa.int64()), ("created_at", ts), ("buyer_id", pa.int64()),
            ("shop_id", pa.int64()), ("item_id", pa.int64()), ("quantity", pa.int32()),
            ("unit_price", pa.int64()), ("paid_amount", pa.int64()),
            ("coupon_amount", pa.int64()), ("channel", pa.string()), ("device_id", pa.int64()),
            ("ip", pa.string()), ("payment_account_id", pa.int64()), ("address_id", pa.int64()),
            ("distributor_id", pa.int64()), ("status", pa.string()),
        ],
        "shipments": [
            ("order_id", pa.int64()), ("carrier", pa.string()), ("tracking_id", pa.string()),
            ("shipped_at", ts), ("delivered_at", ts), ("declared_weight_g", pa.int32()),
            ("weighed_weight_g", pa.int32()), ("origin_city", pa.string()),
            ("dest_city", pa.string()),
        ],
        "refunds": [
            ("order_id", pa.int64()), ("requested_at", ts), ("refunded_at", ts),
            ("reason", pa.string()), ("amount", pa.int64()),
        ],
        "reviews": [
            ("order_id", pa.int64()), ("created_at", ts), ("rating", pa.int8()),
            ("text", pa.string()),
        ],
        "buyers": [
            ("buyer_id", pa.int64()), ("registered_at", ts), ("city", pa.string()),
            ("level", pa.int8()),
        ],
        "shops": [
            ("shop_id", pa.int64()), ("category", pa.string()), ("warehouse_city", pa.string()),
            ("rank_before", pa.int32()),
        ],
        "items": [
            ("item_id", pa.int64()), ("shop_id", pa.int64()), ("category", pa.string()),
            ("list_price", pa.int64()), ("weight_g", pa.int32()),
        ],
        "labels": [
            ("order_id", pa.int64()), ("is_brushing", pa.bool_()), ("pattern", pa.string()),
            ("campaign_id", pa.string()), ("beneficiary_shop_id", pa.int64()),
            ("victim_shop_id", pa.int64()), ("legit_kind", pa.string()),
        ],
        "entity_labels": [
            ("entity_type", pa.string()), ("entity_id", pa.int64()), ("role", pa.string()),
            ("campaign_id", pa.string()),
        ],
        "campaigns": [
            ("campaign_id", pa.string()), ("pattern", pa.string()),
            ("shops", pa.list_(pa.int64())), ("start", ts), ("end", ts), ("orders", pa.int64()),
            ("camouflage", pa.float64()),
        ],
    }
    try:
        return pa.schema(schemas[name])
    except KeyError:
        raise KeyError(f"unknown table {name!r}; tables are {', '.join(TABLES)}") from None
