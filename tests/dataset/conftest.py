"""Small, realistic tables of every column type: nulls, Chinese text, tz-aware times, lists."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

from brushbench.dataset import TABLES, table_schema

TZ = "Asia/Shanghai"
START = int(dt.datetime(2019, 11, 11, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp())


def build_tables(n_orders: int = 12, tz: str = TZ, seed: int = 0) -> dict[str, pa.Table]:
    """Every table of :data:`TABLES`, built to its schema, with nulls and non-ASCII text."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, 2**62, size=n_orders)  # random 64-bit ids: float64 would mangle them
    shop_ids = rng.integers(1, 2**62, size=3)
    created = START + np.sort(rng.integers(0, 86_400, size=n_orders))
    distributors = rng.integers(1, 2**62, n_orders)
    distributor = [None if i % 3 else int(x) for i, x in enumerate(distributors)]
    cities = ["杭州", "深圳", "Zürich", "上海"]
    raw = {
        "orders": {
            "order_id": ids, "created_at": created, "buyer_id": rng.integers(1, 2**62, n_orders),
            "shop_id": shop_ids[np.arange(n_orders) % 3],
            "item_id": rng.integers(1, 2**62, n_orders), "quantity": rng.integers(1, 5, n_orders),
            "unit_price": rng.integers(100, 99_900, n_orders),
            "paid_amount": rng.integers(100, 99_900, n_orders), "coupon_amount": [0] * n_orders,
            "channel": ["search", "flash_sale,\"quoted\"", "", None] * (n_orders // 4),
            "device_id": rng.integers(1, 2**62, n_orders),
            "platform": ["app", "mobile_web", "pc", None] * (n_orders // 4),
            "ip": [f"10.0.{i}.1" for i in range(n_orders)],
            "payment_account_id": rng.integers(1, 2**62, n_orders),
            "address_id": rng.integers(1, 2**62, n_orders), "distributor_id": distributor,
            "status": ["completed", "refunded", "cancelled"] * (n_orders // 3),
        },
        "shipments": {
            "order_id": ids[:4], "carrier": ["顺丰", "中通", None, "EMS"],
            "tracking_id": ["SF1", "ZT2", "", "EMS4"],
            "shipped_at": created[:4] + 3600,
            "delivered_at": [START + 90_000, None, None, START + 1],
            "declared_weight_g": [500, 20, None, 1500], "weighed_weight_g": [510, 8, 0, None],
            "origin_city": cities, "dest_city": cities[::-1],
        },
        "refunds": {
            "order_id": ids[1:3], "requested_at": created[1:3] + 86_400,
            "refunded_at": [START + 200_000, None], "reason": ["七天无理由退货", "line\nbreak"],
            "amount": [1999, 5],
        },
        "reviews": {
            "order_id": ids[:3], "created_at": created[:3] + 7 * 86_400, "rating": [5, 1, None],
            "text": ["好评！物流很快 👍", "", None],
        },
        "buyers": {
            "buyer_id": ids[:3], "registered_at": [START - 10**8, START - 5, None],
            "city": cities[:3], "level": [1, 5, None],
        },
        "shops": {
            "shop_id": shop_ids, "category": ["手机", "phone", "数码"],
            "warehouse_city": ["东莞", None, "深圳"], "rank_before": [1, 20, None],
        },
        "items": {
            "item_id": ids[:2], "shop_id": shop_ids[:2], "category": ["手机", "phone"],
            "list_price": [399_900, 129_900], "weight_g": [450, None],
        },
        "labels": {
            "order_id": ids, "is_brushing": [True, False, None] * (n_orders // 3),
            "pattern": ["self_purchase", None, None] * (n_orders // 3),
            "campaign_id": ["c-1", None, None] * (n_orders // 3),
            "beneficiary_shop_id": [int(shop_ids[0]), None, None] * (n_orders // 3),
            "victim_shop_id": [None] * n_orders,
            "legit_kind": [None, "flash_sale", "household"] * (n_orders // 3),
        },
        "entity_labels": {
            "entity_type": ["account", "shop", "device"], "entity_id": ids[:3],
            "role": ["brusher", "beneficiary", "farm_device"], "campaign_id": ["c-1", "c-1", None],
        },
        "campaigns": {
            "campaign_id": ["c-1", "c-2", "c-3"], "pattern": ["self_purchase", "click_farm", "x"],
            "shops": [[int(shop_ids[0]), int(shop_ids[1])], [], None],
            "start": [START, START + 60, None], "end": [START + 3600, None, None],
            "orders": [4, 0, None], "camouflage": [0.0, 1 / 3, None],
        },
    }
    tables = {}
    for name in TABLES:
        schema = table_schema(name, tz)
        tables[name] = pa.table(
            {f.name: pa.array(raw[name][f.name], type=f.type) for f in schema}, schema=schema
        )
    return tables


@pytest.fixture
def tables() -> dict[str, pa.Table]:
    return build_tables()


@pytest.fixture(name="make_tables")
def make_tables_fixture():
    """The table factory, for tests that need other sizes, seeds or time zones."""
    return build_tables
