"""Atomic folders, determinism, checksums, the answer key and clear errors."""

from __future__ import annotations

import json
import os

import pyarrow as pa
import pytest

from brushbench.dataset import (
    ANSWER_KEY_TABLES,
    OBSERVED_TABLES,
    TABLES,
    DatasetError,
    DatasetWriter,
    load,
)
from brushbench.dataset.manifest import sha256_file

TZ = "Asia/Shanghai"


def write_all(out_dir, tables, fmt="parquet", chunks=1, **kwargs):
    with DatasetWriter(out_dir, timezone=TZ, fmt=fmt, **kwargs) as writer:
        for name in writer.tables:
            table = tables[name]
            step = max(1, -(-table.num_rows // chunks))
            for start in range(0, max(table.num_rows, 1), step):
                writer.write(name, table.slice(start, step))
        return writer.close({"scenario": "s", "seed": 1})


def digests(folder):
    return {p.name: sha256_file(p) for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_writing_twice_gives_identical_bytes(tmp_path, tables, fmt):
    write_all(tmp_path / "a", tables, fmt)
    write_all(tmp_path / "b", tables, fmt, chunks=5)  # batch boundaries must not matter
    a, b = digests(tmp_path / "a"), digests(tmp_path / "b")
    assert "manifest.json" in a and len(a) == len(TABLES) + 1
    assert a == b


def test_different_data_gives_different_bytes(tmp_path, make_tables):
    write_all(tmp_path / "a", make_tables(seed=0))
    write_all(tmp_path / "b", make_tables(seed=1))
    assert digests(tmp_path / "a")["orders.parquet"] != digests(tmp_path / "b")["orders.parquet"]


def test_exception_inside_with_leaves_nothing(tmp_path, tables):
    with pytest.raises(RuntimeError, match="boom"):
        with DatasetWriter(tmp_path / "ds", timezone=TZ) as writer:
            writer.write("orders", tables["orders"])
            assert any(p.name.startswith(".ds.tmp-") for p in tmp_path.iterdir())
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_keyboard_interrupt_leaves_nothing(tmp_path, tables):
    with pytest.raises(KeyboardInterrupt):
        with DatasetWriter(tmp_path / "ds", timezone=TZ, fmt="csv") as writer:
            writer.write("orders", tables["orders"])
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_existing_folder_without_overwrite_is_an_error_and_untouched(tmp_path, tables):
    write_all(tmp_path / "ds", tables)
    before = digests(tmp_path / "ds")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        DatasetWriter(tmp_path / "ds", timezone=TZ)
    assert digests(tmp_path / "ds") == before
    assert [p.name for p in tmp_path.iterdir()] == ["ds"]


def test_folder_appearing_during_the_write_is_not_replaced(tmp_path, tables):
    writer = DatasetWriter(tmp_path / "ds", timezone=TZ)
    writer.write("orders", tables["orders"])
    (tmp_path / "ds").mkdir()
    (tmp_path / "ds" / "mine.txt").write_text("keep me")
    with pytest.raises(FileExistsError):
        writer.close()
    assert [p.name for p in tmp_path.iterdir()] == ["ds"]
    assert (tmp_path / "ds" / "mine.txt").read_text() == "keep me"


def test_overwrite_replaces_and_leaves_no_litter(tmp_path, make_tables):
    write_all(tmp_path / "ds", make_tables(seed=0))
    (tmp_path / "ds" / "stale.txt").write_text("old")
    write_all(tmp_path / "ds", make_tables(seed=1), fmt="csv", overwrite=True)
    assert [p.name for p in tmp_path.iterdir()] == ["ds"]
    assert not (tmp_path / "ds" / "stale.txt").exists()
    assert load(tmp_path / "ds").arrow("orders").equals(make_tables(seed=1)["orders"])


def test_overwrite_refuses_a_folder_that_is_not_a_dataset(tmp_path, tables):
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "thesis.tex").write_text("precious")
    with pytest.raises(FileExistsError, match="does not look like a brushbench dataset"):
        DatasetWriter(tmp_path / "home", timezone=TZ, overwrite=True)
    assert (tmp_path / "home" / "thesis.tex").read_text() == "precious"


def test_verify_detects_a_modified_file(tmp_path, tables):
    write_all(tmp_path / "ds", tables, "csv")
    path = tmp_path / "ds" / "shipments.csv"
    path.write_bytes(path.read_bytes().replace(b'"EMS4"', b'"EMS5"'))  # same size
    with pytest.raises(DatasetError, match=r"ds/shipments\.csv: sha256 does not match the "
                       r"manifest \(damaged or edited\)$"):
        load(tmp_path / "ds")
    tampered = load(tmp_path / "ds", verify=False)  # readable when asked not to check
    assert "EMS5" in tampered.arrow("shipments").column("tracking_id").to_pylist()


def test_verify_reports_a_changed_size(tmp_path, tables):
    write_all(tmp_path / "ds", tables)
    with open(tmp_path / "ds" / "items.parquet", "ab") as f:
        f.write(b"\0")
    with pytest.raises(DatasetError, match=r"items\.parquet: \d+ bytes, the manifest says \d+ "
                                           r"\(damaged or edited\)"):
        load(tmp_path / "ds")


def test_load_errors_name_the_folder_and_the_problem(tmp_path, tables):
    with pytest.raises(DatasetError, match="no such dataset folder"):
        load(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match=r"no manifest\.json"):
        load(tmp_path / "empty")
    write_all(tmp_path / "ds", tables)
    manifest_path = tmp_path / "ds" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest_path.write_text(json.dumps({**manifest, "schema_version": 99}))
    with pytest.raises(DatasetError, match="schema_version 99 is not supported"):
        load(tmp_path / "ds")
    manifest_path.write_text(json.dumps(manifest))
    os.remove(tmp_path / "ds" / "refunds.parquet")
    with pytest.raises(DatasetError, match=r"refunds\.parquet: missing file of table refunds"):
        load(tmp_path / "ds", verify=False)


def test_without_answer_key_writes_no_key_files(tmp_path, tables):
    manifest = write_all(tmp_path / "ds", tables, answer_key=False)
    names = {p.name for p in (tmp_path / "ds").iterdir()}
    assert names == {f"{n}.parquet" for n in OBSERVED_TABLES} | {"manifest.json"}
    assert manifest["has_answer_key"] is False and set(manifest["tables"]) == set(OBSERVED_TABLES)
    data = load(tmp_path / "ds")
    assert not data.has_answer_key
    with pytest.raises(AttributeError, match="withheld"):
        data.labels  # noqa: B018
    writer = DatasetWriter(tmp_path / "other", timezone=TZ, answer_key=False)
    for name in ANSWER_KEY_TABLES:
        with pytest.raises(ValueError, match="answer key"):
            writer.write(name, tables[name])
    writer.abort()
    assert not (tmp_path / "other").exists()


def test_schema_mismatch_is_a_clear_error(tmp_path, tables):
    orders = tables["orders"]
    with DatasetWriter(tmp_path / "ds", timezone=TZ) as writer:
        with pytest.raises(ValueError, match=r"table orders: missing column\(s\) status"):
            writer.write("orders", orders.drop_columns(["status"]))
        with pytest.raises(ValueError, match=r"unexpected column\(s\) color"):
            writer.write("orders", orders.append_column("color", pa.array(["red"] * 12)))
        quantity = pa.array([str(q) for q in orders.column("quantity").to_pylist()])
        with pytest.raises(ValueError, match="column quantity: got string, expected int32"):
            writer.write("orders", orders.set_column(5, "quantity", quantity))
        too_big = pa.array([2**40] * 12, pa.int64())
        with pytest.raises(ValueError, match="column quantity: cannot cast int64 to int32"):
            writer.write("orders", orders.set_column(5, "quantity", too_big))
        naive = orders.column("created_at").cast(pa.timestamp("s"))
        with pytest.raises(ValueError, match=r"column created_at: got timestamp\[s\], expected"):
            writer.write("orders", orders.set_column(1, "created_at", naive))
        with pytest.raises(ValueError, match="unknown table 'order'"):
            writer.write("order", orders)
        # within a kind, casts that keep every value are accepted: reordered, int64, UTC, ms
        loose = pa.table({
            **{n: orders.column(n) for n in reversed(orders.column_names)},
            "quantity": orders.column("quantity").cast(pa.int64()),
            "created_at": orders.column("created_at").cast(pa.timestamp("ms", tz="UTC")),
        })
        writer.write("orders", loose)
    assert load(tmp_path / "ds").arrow("orders").equals(orders)


def test_the_next_write_removes_what_killed_writers_left(tmp_path, tables):
    """`.X.tmp-PID` folders of dead writers go; a live writer's folder, this process's own and
    an `old` folder holding the only copy of its dataset stay."""
    import subprocess
    import sys
    import time

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        def litter(name, days=0.0):
            folder = tmp_path / name
            folder.mkdir()
            (folder / "orders.parquet").write_bytes(b"x" * 1000)
            if days:
                then = time.time() - days * 86400
                os.utime(folder, (then, then))
            return folder

        stale = [litter(f".ds.tmp-{dead.pid}"), litter(f".other.withheld-{dead.pid}-2"),
                 litter(f".ds.tmp-{live.pid}-1", days=2)]  # pid reused by a younger process
        (tmp_path / "keep").mkdir()
        kept = [litter(f".ds.tmp-{live.pid}"), litter(f".ds.tmp-{os.getpid()}-7"),
                litter(f".gone.old-{dead.pid}"), litter(f".ds.tmpx-{dead.pid}"),
                litter("ds.tmp-1")]
        write_all(tmp_path / "ds", tables)
        assert not [p for p in stale if p.exists()]
        assert all(p.is_dir() for p in kept)
        assert (tmp_path / "ds" / "manifest.json").is_file()
    finally:
        live.kill()
        live.wait()
