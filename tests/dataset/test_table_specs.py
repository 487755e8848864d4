"""The table declarations: schemas derived from them, tables built by column name."""

from __future__ import annotations

import pyarrow as pa
import pytest

from brushbench.dataset import ANSWER_KEY_TABLES, OBSERVED_TABLES, TABLES, table_schema
from brushbench.dataset.tables import TABLE_SPECS, build_table, table_spec

TZ = "Asia/Shanghai"


def _columns(name: str, rows: int = 2) -> dict[str, pa.Array]:
    return {f.name: pa.nulls(rows, f.type) for f in table_schema(name, TZ)}


def test_every_table_and_column_is_declared_once_with_a_description():
    assert tuple(TABLE_SPECS) == TABLES
    assert [t for t in TABLES if table_spec(t).answer_key] == list(ANSWER_KEY_TABLES)
    assert not set(OBSERVED_TABLES) & set(ANSWER_KEY_TABLES)
    for name in TABLES:
        spec = table_spec(name)
        assert spec.description.strip()
        assert len(set(spec.column_names)) == len(spec.column_names), name
        assert all(c.description.strip() for c in spec.columns), name
        assert table_schema(name, TZ).names == list(spec.column_names)
    assert table_schema("orders", TZ).field("created_at").type == pa.timestamp("s", tz=TZ)


def test_build_table_orders_the_columns_by_name():
    columns = _columns("reviews")
    shuffled = dict(reversed(list(columns.items())))
    table = build_table("reviews", TZ, shuffled)
    assert table.schema.equals(table_schema("reviews", TZ))
    assert table.num_rows == 2


def test_build_table_names_missing_and_unexpected_columns():
    columns = _columns("reviews")
    del columns["rating"]
    columns["stars"] = pa.array([5, 4])
    with pytest.raises(ValueError, match=r"table reviews: missing column\(s\) rating; "
                                         r"unexpected column\(s\) stars"):
        build_table("reviews", TZ, columns)


def test_unknown_table_and_column_name_the_known_ones():
    with pytest.raises(KeyError, match="unknown table 'order'; tables are orders, shipments"):
        table_schema("order", TZ)
    with pytest.raises(KeyError, match="table items has no column 'price'; its columns are "
                                       "item_id, shop_id"):
        table_spec("items").column("price")
