"""The format registry: lookups, and every format writing and reading a table the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from brushbench.dataset import DatasetError, DatasetWriter, formats, load, table_schema
from brushbench.dataset.manifest import MANIFEST_NAME

TZ = "Asia/Shanghai"


def test_names_and_lookup():
    assert formats.names() == ("parquet", "csv")
    for name in formats.names():
        fmt = formats.get(name)
        assert fmt.name == name and fmt.suffix == f".{name}"
        assert formats.get(fmt) is fmt
    assert formats.get("csv").text and not formats.get("parquet").text
    assert formats.get("parquet").file_name("orders") == "orders.parquet"


@pytest.mark.parametrize("bad", ["xlsx", "CSV", "", None])
def test_unknown_format_names_the_known_ones(bad):
    with pytest.raises(ValueError, match=r"unknown format .*; expected one of parquet, csv"):
        formats.get(bad)


@pytest.mark.parametrize(("path", "name"), [
    ("orders.parquet", "parquet"), ("x/ORDERS.PQ", "parquet"), (Path("a.parq"), "parquet"),
    ("orders.csv", "csv"), ("s07.CSV", "csv"),
])
def test_for_path_reads_the_suffix(path, name):
    assert formats.for_path(path).name == name


def test_for_path_unknown_suffix():
    with pytest.raises(ValueError, match=r"answers\.tsv: cannot tell the format.*\.parquet"):
        formats.for_path("answers.tsv")
    assert formats.for_path("answers.tsv", default=formats.CSV) is formats.CSV


def test_the_writer_refuses_an_unknown_format(tmp_path):
    with pytest.raises(ValueError, match="unknown format 'xlsx'; expected one of parquet, csv"):
        DatasetWriter(tmp_path / "ds", timezone=TZ, fmt="xlsx")
    assert not (tmp_path / "ds").exists()


@pytest.mark.parametrize("name", formats.names())
def test_every_format_round_trips_and_reads_a_projection(tmp_path, tables, name):
    fmt = formats.get(name)
    with DatasetWriter(tmp_path / "ds", timezone=TZ, fmt=name) as writer:
        for table in writer.tables:
            writer.write(table, tables[table])
    files = sorted(p.name for p in (tmp_path / "ds").iterdir() if p.name != MANIFEST_NAME)
    assert files == sorted(fmt.file_name(t) for t in tables)
    data = load(tmp_path / "ds")
    schema = table_schema("orders", TZ)
    for table in tables:
        assert data.arrow(table).equals(tables[table]), table
    path = tmp_path / "ds" / fmt.file_name("orders")
    picked = ["shop_id", "order_id", "created_at"]
    part = fmt.read(path, schema, table="orders", columns=picked)
    assert part.equals(tables["orders"].select(picked))
    assert part.schema.names == picked


def test_a_manifest_with_an_unknown_format_is_refused(tmp_path, tables):
    with DatasetWriter(tmp_path / "ds", timezone=TZ) as writer:
        for table in writer.tables:
            writer.write(table, tables[table])
    manifest = tmp_path / "ds" / MANIFEST_NAME
    manifest.write_text(manifest.read_text().replace('"format": "parquet"', '"format": "xml"'))
    with pytest.raises(DatasetError, match="unknown format 'xml'; expected one of parquet, csv"):
        load(tmp_path / "ds", verify=False)
