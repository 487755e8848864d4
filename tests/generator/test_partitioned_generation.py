"""A partitioned run: parts cut from the scenario alone, so the bytes never depend on the shard
layout or the number of workers, and the parts read back as the one-file dataset's tables."""

from __future__ import annotations

import itertools
from unittest import mock

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brushbench.dataset import load
from brushbench.generator import parts, plan
from brushbench.generator.run import Progress, generate_to
from brushbench.scenario.model import Traffic

from builders import manifest_files, small_scenario

#: About 20,000 orders cut into 5 parts.
PART_ORDERS = 4000
#: The real size, before the fixture below makes parts small.
REAL_PART_ORDERS = parts.PART_ORDERS


@pytest.fixture(autouse=True)
def small_parts(monkeypatch):
    monkeypatch.setattr(parts, "PART_ORDERS", PART_ORDERS)



def test_parts_hold_the_one_file_tables_sorted_by_time_across_parts(tmp_path, small):
    parted = generate_to(tmp_path / "p", small, seed=3, partition=True)
    single = generate_to(tmp_path / "s", small, seed=3, partition=False)
    assert parted.manifest["schema_version"] == 2 and single.manifest["schema_version"] == 1
    assert parted.rows == single.rows
    a, b = load(parted.out), load(single.out)
    for name in b.table_names:
        assert a.arrow(name).equals(b.arrow(name)), name
    entry = parted.manifest["tables"]["orders"]
    assert len(entry["parts"]) == 5
    times = [pq.read_table(parted.out / "orders" / p["file"], columns=["created_at"])
             .column(0).to_numpy() for p in entry["parts"]]
    assert all(len(t) for t in times)
    for before, after in itertools.pairwise(times):
        assert before.max() <= after.min()


def test_a_part_of_each_order_table_and_the_marketplace_in_row_parts(tmp_path, small):
    done = generate_to(tmp_path / "p", small, seed=3, partition=True, answer_key=False)
    tables = done.manifest["tables"]
    assert "labels" not in tables and not (done.out / "labels").exists()
    for name in parts.ORDER_TABLES:
        if name != "labels":
            assert len(tables[name]["parts"]) == 5, name
    assert len(tables["buyers"]["parts"]) == 1


def test_part_bounds_tile_the_window_whatever_the_blocks(small):
    bounds = parts.part_bounds(plan.make_plan(small, 1))
    with mock.patch.object(plan, "BLOCK_ORDERS", 700):
        other = plan.make_plan(small, 1)
    assert parts.part_bounds(other) == bounds
    assert len(other.blocks) > len(bounds)
    assert bounds[0][0] == other.start and bounds[-1][1] == other.end
    assert all(a[1] == b[0] and a[0] < a[1] for a, b in itertools.pairwise(bounds))


def test_auto_partitions_large_runs_only(tmp_path, small):
    assert parts.auto_partition(parts.AUTO_PARTITION_ORDERS + 1)
    assert not parts.auto_partition(parts.AUTO_PARTITION_ORDERS)
    done = generate_to(tmp_path / "d", small, seed=1)
    assert done.manifest["schema_version"] == 1 and (done.out / "orders.parquet").is_file()


def test_the_dataset_reference_states_the_generators_numbers():
    from brushbench.dataset.docs import AUTO_PARTITION_TEXT

    assert AUTO_PARTITION_TEXT == (
        f"when the scenario expects more than {parts.AUTO_PARTITION_ORDERS:,} orders "
        "(scale included)", f"about {REAL_PART_ORDERS:,} expected orders")


def test_progress_reaches_every_shard_and_order(tmp_path, small):
    seen: list[Progress] = []
    done = generate_to(tmp_path / "p", small, seed=3, partition=True, progress=seen.append)
    assert len(seen) == 5
    assert seen[-1].shards_done == seen[-1].shards_total
    assert seen[-1].orders == done.rows["orders"]


# A reference per layout, generated once; each example must give the same bytes.
_REFERENCE: dict[bool, dict[str, str]] = {}
_TINY = small_scenario(traffic=Traffic(orders=8000))


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(block_orders=st.integers(200, 20_000), shop_block=st.sampled_from([7, 64, 300, 4096]),
       workers=st.sampled_from([1, 2]), partition=st.booleans())
def test_shard_boundaries_and_workers_never_change_the_bytes(
        tmp_path_factory, block_orders, shop_block, workers, partition):
    with mock.patch.object(parts, "PART_ORDERS", 2000):
        if partition not in _REFERENCE:
            ref = generate_to(tmp_path_factory.mktemp("ref") / "d", _TINY, seed=6,
                              partition=partition)
            _REFERENCE[partition] = manifest_files(ref.out)
        with mock.patch.object(plan, "BLOCK_ORDERS", block_orders), \
                mock.patch.object(plan, "SHOP_BLOCK", shop_block):
            done = generate_to(tmp_path_factory.mktemp("run") / "d", _TINY, seed=6,
                               partition=partition, workers=workers)
    assert manifest_files(done.out) == _REFERENCE[partition]



def test_the_audit_reads_a_partitioned_dataset_part_after_part(tmp_path, small):
    from brushbench.audit.sampling import read_for_audit

    parted = generate_to(tmp_path / "p", small, seed=3, partition=True)
    single = generate_to(tmp_path / "s", small, seed=3, partition=False)
    assert len(parted.manifest["tables"]["orders"]["parts"]) > 1
    n = parted.rows["orders"]
    for limit in (10**9, n // 2):  # every row, then a keyed sample of buyers
        a, _ = read_for_audit(parted.out, max_orders=limit, seed=1)
        b, _ = read_for_audit(single.out, max_orders=limit, seed=1)
        for name in b.table_names:
            assert a.arrow(name).equals(b.arrow(name)), (limit, name)


def test_a_failed_marketplace_write_stops_the_parts_and_leaves_nothing_behind(tmp_path, small):
    # A one-worker run writes the marketplace tables on their own thread while the parts are
    # generated: its error must reach the caller, end the parts at the next part's end and
    # remove everything.
    import threading

    from brushbench.dataset.writer import DatasetWriter

    failed = threading.Event()
    real_write, real_block_orders = DatasetWriter.write, parts.block_orders

    def write(self, table, batch):
        if table == "buyers":
            failed.set()
            raise OSError("disk full")
        real_write(self, table, batch)

    def block_orders(plan, block):  # the first part waits for the failure
        failed.wait(timeout=30)
        return real_block_orders(plan, block)

    seen = []
    with mock.patch.object(parts, "PART_ORDERS", 2000), \
            mock.patch.object(DatasetWriter, "write", write), \
            mock.patch.object(parts, "block_orders", block_orders), \
            pytest.raises(OSError, match="disk full"):
        generate_to(tmp_path / "p", small, seed=3, partition=True, progress=seen.append)
    assert failed.is_set()
    assert seen == []  # not one part reported after the first
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_in_a_later_part_leaves_nothing_behind(tmp_path, small):
    # The parts' encoding runs on a background thread, behind the generation: an error there
    # (here the third part's orders) must still stop the run and remove everything it made.
    real_write = parts.PartWriter.write

    def write(self, batch):
        if self.table == "orders" and self.index == 2:
            raise OSError("disk full")
        real_write(self, batch)

    with mock.patch.object(parts.PartWriter, "write", write), pytest.raises(OSError,
                                                                            match="disk full"):
        generate_to(tmp_path / "p", small, seed=3, partition=True)
    assert list(tmp_path.iterdir()) == []
