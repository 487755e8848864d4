"""Partitioned datasets: a folder of parts per table, listed in a version-2 manifest, read back by
brushbench and by any Parquet reader as one table; single-file datasets keep version 1."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from brushbench.dataset import DatasetError, DatasetWriter, load
from brushbench.dataset.cache import is_whole
from brushbench.dataset.dataset import Dataset
from brushbench.dataset.manifest import PARTS_SCHEMA_VERSION, SCHEMA_VERSION, read_manifest
from brushbench.dataset.parts import PartWriter, RollingParts, part_name

TZ = "Asia/Shanghai"


def _write(folder, tables, *, part_rows=5, batch=None, fmt="parquet", **kw):
    with DatasetWriter(folder, timezone=TZ, fmt=fmt, partitioned=True, part_rows=part_rows,
                       **kw) as writer:
        for name in writer.tables:
            table = tables[name]
            step = batch or max(table.num_rows, 1)
            for start in range(0, max(table.num_rows, 1), step):
                writer.write(name, table.slice(start, step))
        return writer.close({"scenario": "t"})


def _manifest(folder):
    return json.loads((folder / "manifest.json").read_text())


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_partitioned_round_trip_matches_the_single_file_dataset(tmp_path, tables, fmt):
    manifest = _write(tmp_path / "p", tables, fmt=fmt)
    assert manifest["schema_version"] == PARTS_SCHEMA_VERSION
    orders = manifest["tables"]["orders"]
    assert orders["folder"] == "orders" and orders["rows"] == tables["orders"].num_rows == 12
    assert [p["file"] for p in orders["parts"]] == [part_name(i, fmt) for i in range(3)]
    assert [p["rows"] for p in orders["parts"]] == [5, 5, 2]
    assert orders["bytes"] == sum(p["bytes"] for p in orders["parts"])
    assert (tmp_path / "p" / "orders" / part_name(2, fmt)).is_file()
    assert not (tmp_path / "p" / f"orders.{fmt}").exists()

    single = Dataset(tables).write(tmp_path / "s", fmt)
    assert single["schema_version"] == SCHEMA_VERSION and "file" in single["tables"]["orders"]
    parted, whole = load(tmp_path / "p"), load(tmp_path / "s")
    for name in whole.table_names:
        assert parted.arrow(name).equals(whole.arrow(name)), name


def test_parts_do_not_depend_on_how_rows_were_batched(tmp_path, tables):
    a = _write(tmp_path / "a", tables, batch=1)
    b = _write(tmp_path / "b", tables, batch=7)
    c = _write(tmp_path / "c", tables)
    assert a == b == c


def test_a_table_never_written_is_one_empty_part(tmp_path, tables):
    with DatasetWriter(tmp_path / "d", timezone=TZ, partitioned=True) as writer:
        writer.write("orders", tables["orders"])
        manifest = writer.close()
    refunds = manifest["tables"]["refunds"]
    assert refunds["rows"] == 0 and [p["rows"] for p in refunds["parts"]] == [0]
    assert load(tmp_path / "d").arrow("refunds").num_rows == 0


def test_any_parquet_reader_takes_a_table_folder_as_the_table(tmp_path, tables):
    import pandas as pd
    import pyarrow.dataset as ds

    _write(tmp_path / "p", tables, part_rows=4)
    expected = load(tmp_path / "p").arrow("orders")
    folder = tmp_path / "p" / "orders"
    read = ds.dataset(folder, format="parquet").to_table()
    assert read.column("order_id").to_pylist() == expected.column("order_id").to_pylist()
    assert read.column("created_at").cast(pa.int64()).to_pylist() == [
        v * 1000 for v in expected.column("created_at").cast(pa.int64()).to_pylist()]
    frame = pd.read_parquet(folder)
    assert frame["order_id"].tolist() == expected.column("order_id").to_pylist()


def test_dask_reads_a_table_folder_in_order(tmp_path, tables):
    dd = pytest.importorskip("dask.dataframe", reason="the dask extra is not installed")
    _write(tmp_path / "p", tables, part_rows=4)
    frame = dd.read_parquet(tmp_path / "p" / "orders").compute()
    assert frame["order_id"].tolist() == load(tmp_path / "p").arrow("orders").column(
        "order_id").to_pylist()


def test_duckdb_reads_a_table_folder_in_order(tmp_path, tables):
    duckdb = pytest.importorskip("duckdb", reason="duckdb is not installed")
    _write(tmp_path / "p", tables, part_rows=4)
    pattern = str(tmp_path / "p" / "orders" / "*.parquet")
    rows = duckdb.sql(f"SELECT order_id FROM read_parquet('{pattern}')").fetchall()
    assert [r[0] for r in rows] == load(tmp_path / "p").arrow("orders").column(
        "order_id").to_pylist()


def test_parts_written_elsewhere_are_added_in_order(tmp_path, tables):
    orders = tables["orders"]
    with DatasetWriter(tmp_path / "d", timezone=TZ, partitioned=True) as writer:
        # Written out of order, as workers finish: the manifest follows the numbers.
        for index, (start, stop) in reversed(list(enumerate([(0, 3), (3, 12)]))):
            part = PartWriter(writer.staging, "orders", index, "parquet", TZ)
            part.write(orders.slice(start, stop - start))
            writer.add_part("orders", index, part.close())
        manifest = writer.close()
    assert [p["rows"] for p in manifest["tables"]["orders"]["parts"]] == [3, 9]
    assert load(tmp_path / "d").arrow("orders").column("order_id").equals(
        Dataset(tables).arrow("orders").column("order_id"))


def test_a_gap_in_the_parts_is_refused_and_nothing_is_published(tmp_path, tables):
    writer = DatasetWriter(tmp_path / "d", timezone=TZ, partitioned=True)
    part = PartWriter(writer.staging, "orders", 1, "parquet", TZ)
    part.write(tables["orders"])
    writer.add_part("orders", 1, part.close())
    with pytest.raises(ValueError, match=r"orders: parts \[1\] are not numbered 0, 1"):
        writer.close()
    assert not (tmp_path / "d").exists()


def test_adding_and_writing_the_same_table_is_refused(tmp_path, tables):
    with DatasetWriter(tmp_path / "d", timezone=TZ, partitioned=True) as writer:
        writer.write("orders", tables["orders"])
        with pytest.raises(ValueError, match="written, not added"):
            writer.add_part("orders", 0, {})
        writer.abort()
    with DatasetWriter(tmp_path / "e", timezone=TZ) as writer:
        with pytest.raises(ValueError, match="needs a partitioned"):
            writer.add_part("orders", 0, {})
        writer.abort()


def test_rolling_parts_cut_at_exactly_part_rows(tmp_path, tables):
    (tmp_path / "x").mkdir()
    rolling = RollingParts(tmp_path / "x", "orders", "parquet", TZ, part_rows=4)
    for start in range(0, 12, 5):
        rolling.write(tables["orders"].slice(start, 5))
    entries = rolling.close()
    assert [e["rows"] for e in entries] == [4, 4, 4]
    assert [pq.ParquetFile(tmp_path / "x" / "orders" / e["file"]).metadata.num_rows
            for e in entries] == [4, 4, 4]


def test_a_damaged_part_is_named(tmp_path, tables):
    _write(tmp_path / "p", tables)
    part = tmp_path / "p" / "orders" / part_name(1, "parquet")
    data = bytearray(part.read_bytes())
    data[100] ^= 0xFF
    part.write_bytes(bytes(data))
    with pytest.raises(DatasetError, match=r"orders/part-00001\.parquet: sha256 does not match"):
        load(tmp_path / "p")
    assert not is_whole(tmp_path / "p")


def test_a_missing_part_is_named(tmp_path, tables):
    _write(tmp_path / "p", tables)
    (tmp_path / "p" / "orders" / part_name(2, "parquet")).unlink()
    with pytest.raises(DatasetError, match=r"part-00002\.parquet: missing file of table orders"):
        load(tmp_path / "p", verify=False)


def test_the_cache_takes_a_partitioned_dataset_as_whole(tmp_path, tables):
    _write(tmp_path / "p", tables)
    assert is_whole(tmp_path / "p")


def _edit(folder, change):
    manifest = _manifest(folder)
    change(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize(("change", "message"), [
    (lambda m: m["tables"]["orders"].update(folder="../elsewhere"),
     r"table 'orders': folder '\.\./elsewhere' is not a folder name inside the dataset"),
    (lambda m: m["tables"]["orders"].update(rows=99),
     r"table 'orders': rows is 99, its parts add up to 12"),
    (lambda m: m["tables"]["orders"].update(parts=[]),
     r"table 'orders': parts is empty"),
    (lambda m: m["tables"]["orders"]["parts"][1].update(file="../x.parquet"),
     r"table 'orders': part 1: file '\.\./x\.parquet' is not a file name inside"),
    (lambda m: m["tables"]["orders"]["parts"][0].pop("sha256"),
     r"table 'orders': part 0 lacks sha256"),
    (lambda m: m.update(schema_version=SCHEMA_VERSION),
     r"table '\w+' lacks file, sha256"),
    (lambda m: m.update(schema_version=3), r"schema_version 3 is not supported .* 1 or 2"),
])
def test_a_malformed_parts_manifest_is_one_line(tmp_path, tables, change, message):
    _write(tmp_path / "p", tables)
    _edit(tmp_path / "p", change)
    with pytest.raises(DatasetError, match=message) as caught:
        read_manifest(tmp_path / "p")
    assert "\n" not in str(caught.value)


def test_a_part_folder_linking_out_of_the_dataset_is_refused(tmp_path, tables):
    _write(tmp_path / "p", tables)
    outside = tmp_path / "outside"
    (tmp_path / "p" / "orders").rename(outside)
    (tmp_path / "p" / "orders").symlink_to(outside)
    with pytest.raises(DatasetError, match="outside"):
        load(tmp_path / "p", verify=False)


def test_a_detector_view_and_a_snapshot_of_a_partitioned_dataset(tmp_path, tables):
    from brushbench.runtime.private import changed, prepare_view, snapshot

    _write(tmp_path / "p", tables)
    view = load(prepare_view(tmp_path / "p", tmp_path / "view", answer_key=True))
    source = load(tmp_path / "p")
    for name in source.table_names:
        assert view.arrow(name).equals(source.arrow(name)), name
    recorded = snapshot(tmp_path / "p", ["orders", "labels"])
    assert sorted(recorded)[:3] == [f"labels/{part_name(0, 'parquet')}",
                                    f"labels/{part_name(1, 'parquet')}",
                                    f"labels/{part_name(2, 'parquet')}"]
    assert changed(tmp_path / "p", recorded) == []
    (tmp_path / "p" / "orders" / part_name(1, "parquet")).write_bytes(b"edited")
    assert changed(tmp_path / "p", recorded) == [f"orders/{part_name(1, 'parquet')}"]
    with pytest.raises(DatasetError, match=r"orders/part-00001\.parquet: sha256 does not match"):
        prepare_view(tmp_path / "p", tmp_path / "view2", answer_key=False)
