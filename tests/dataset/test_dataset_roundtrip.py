"""What is written is what is read back, in both formats, and the Dataset views of it."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from brushbench.dataset import (
    ANSWER_KEY_TABLES,
    OBSERVED_TABLES,
    SCHEMA_VERSION,
    TABLES,
    Dataset,
    DatasetWriter,
    load,
)

TZ = "Asia/Shanghai"


def write_all(out_dir, tables, fmt="parquet", **kwargs):
    with DatasetWriter(out_dir, timezone=TZ, fmt=fmt, **kwargs) as writer:
        for name in writer.tables:
            writer.write(name, tables[name])
        return writer.close({"scenario": "双十一", "seed": np.int64(7)})


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_round_trip_gives_the_written_tables(tmp_path, tables, fmt):
    manifest = write_all(tmp_path / "ds", tables, fmt)
    data = load(tmp_path / "ds")
    assert data.table_names == TABLES
    for name in TABLES:
        got = data.arrow(name)
        assert got.schema.equals(tables[name].schema), name
        assert got.equals(tables[name]), f"{name}: {got.to_pylist()} != {tables[name].to_pylist()}"
        assert manifest["tables"][name]["rows"] == tables[name].num_rows
    assert data.manifest["seed"] == 7 and data.manifest["scenario"] == "双十一"


@pytest.mark.parametrize("tz", ["America/New_York", "UTC"])
def test_csv_round_trip_across_dst_and_utc(tmp_path, tz, make_tables):
    tables = make_tables(tz=tz)
    shifted = tables["buyers"].set_column(  # one timestamp in summer, one in winter
        1, "registered_at", pa.array([1_562_000_000, 1_573_000_000, None],
                                     pa.timestamp("s", tz=tz)))
    with DatasetWriter(tmp_path / "ds", timezone=tz, fmt="csv") as writer:
        writer.write("buyers", shifted)
    text = (tmp_path / "ds" / "buyers.csv").read_text(encoding="utf-8")
    if tz == "America/New_York":
        assert "-04:00" in text and "-05:00" in text
    assert load(tmp_path / "ds").arrow("buyers").equals(shifted)


def test_csv_text_form(tmp_path, tables):
    write_all(tmp_path / "ds", tables, "csv")
    orders = (tmp_path / "ds" / "orders.csv").read_bytes().decode("utf-8").splitlines()
    assert orders[0].replace('"', "").split(",")[:3] == ["order_id", "created_at", "buyer_id"]
    assert sum(line.startswith('"order_id"') for line in orders) == 1  # one header
    assert "2019-11-11T" in orders[1] and "+08:00" in orders[1]
    campaigns = (tmp_path / "ds" / "campaigns.csv").read_text(encoding="utf-8").splitlines()
    shops = tables["campaigns"].column("shops")[0].as_py()
    assert f'"{shops[0]}&{shops[1]}"' in campaigns[1]
    assert ',"",' in campaigns[2]  # an empty list is an empty string...
    assert campaigns[3].split(",")[2] == ""  # ...and a null list an empty field
    assert "顺丰" in (tmp_path / "ds" / "shipments.csv").read_text(encoding="utf-8")


def test_streamed_batches_form_one_table_with_fixed_row_groups(tmp_path, make_tables):
    import pyarrow.parquet as pq

    parts = [make_tables(n_orders=12, seed=s)["orders"] for s in range(3)]
    with DatasetWriter(tmp_path / "ds", timezone=TZ, row_group_size=10) as writer:
        writer.write("orders", parts[0])
        writer.write("orders", parts[1].to_batches()[0])  # a RecordBatch works too
        writer.write("orders", parts[2].slice(0, 5))
        writer.write("orders", parts[2].slice(5))
        assert writer.rows["orders"] == 36
    meta = pq.ParquetFile(tmp_path / "ds" / "orders.parquet").metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [10, 10, 10, 6]
    assert load(tmp_path / "ds").arrow("orders").equals(pa.concat_tables(parts))


def test_unwritten_tables_get_empty_files_with_the_schema(tmp_path, tables):
    with DatasetWriter(tmp_path / "ds", timezone=TZ, fmt="csv") as writer:
        writer.write("orders", tables["orders"])
    data = load(tmp_path / "ds")
    assert data.arrow("orders").num_rows == 12
    for name in TABLES[1:]:
        assert (tmp_path / "ds" / f"{name}.csv").is_file()
        assert data.arrow(name).num_rows == 0
        assert data.arrow(name).schema.equals(tables[name].schema)


def test_manifest_content(tmp_path, tables):
    write_all(tmp_path / "ds", tables)
    text = (tmp_path / "ds" / "manifest.json").read_text(encoding="utf-8")
    manifest = json.loads(text)
    assert text == json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert manifest["format"] == "parquet" and manifest["timezone"] == TZ
    assert manifest["has_answer_key"] is True and manifest["generator_version"]
    entry = manifest["tables"]["orders"]
    assert entry["file"] == "orders.parquet" and entry["rows"] == 12
    assert entry["bytes"] == (tmp_path / "ds" / "orders.parquet").stat().st_size


def test_manifest_fields_may_not_override_the_writer(tmp_path, tables):
    writer = DatasetWriter(tmp_path / "ds", timezone=TZ)
    with pytest.raises(ValueError, match="timezone"):
        writer.close({"timezone": "UTC"})
    assert list(tmp_path.iterdir()) == []


def test_dataset_views(tmp_path, tables):
    write_all(tmp_path / "ds", tables)
    data = load(tmp_path / "ds")
    orders = data.orders
    assert orders is data.orders  # converted once
    assert isinstance(orders, pd.DataFrame) and len(orders) == 12
    assert str(orders["created_at"].dt.tz) == TZ
    assert orders["order_id"].dtype == np.int64
    assert orders["order_id"].tolist() == tables["orders"].column("order_id").to_pylist()
    # a nullable 64-bit id column must not go through float64
    assert orders["distributor_id"].dtype == pd.Int64Dtype()
    assert orders["distributor_id"].dropna().tolist() == [
        v for v in tables["orders"].column("distributor_id").to_pylist() if v is not None]
    assert data.reviews["text"].tolist()[0] == "好评！物流很快 👍"
    assert data.labels["is_brushing"].dtype == pd.BooleanDtype()
    assert data.campaigns["shops"][1].tolist() == []
    text = repr(data)
    assert "scenario='双十一'" in text and "answer_key=included" in text
    assert "orders" in text and "12 rows" in text


def test_without_answer_key_hides_the_key(tables):
    data = Dataset(tables, {"scenario": "s"}, timezone=TZ)
    test = data.without_answer_key()
    assert data.has_answer_key and not test.has_answer_key
    assert test.table_names == OBSERVED_TABLES
    for name in ANSWER_KEY_TABLES:
        with pytest.raises(AttributeError, match="answer key is withheld"):
            getattr(test, name)
        with pytest.raises(KeyError, match="withheld"):
            test.arrow(name)
        assert not hasattr(test, name) and name not in dir(test)
    assert test.orders.equals(data.orders)
    assert test.manifest["has_answer_key"] is False and test.manifest["scenario"] == "s"
    assert len(data.labels) == 12  # the original keeps its key


def test_dataset_write_round_trips_and_keeps_fields(tmp_path, tables):
    data = Dataset(tables, {"scenario": "s", "seed": 3, "generator_version": "0"}, timezone=TZ)
    data.write(tmp_path / "a", fmt="csv")
    again = load(tmp_path / "a")
    assert again.manifest["generator_version"] == "0" and again.manifest["seed"] == 3
    assert all(again.arrow(n).equals(tables[n]) for n in TABLES)
    data.without_answer_key().write(tmp_path / "b")
    assert not load(tmp_path / "b").has_answer_key
