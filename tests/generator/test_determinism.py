"""Same scenario and seed, same bytes: whatever the workers, shards or block layout."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from brushbench.dataset import load
from brushbench.generator import plan
from brushbench.generator.run import generate, generate_to
from brushbench.scenario.model import Traffic

from builders import small_scenario


def _hashes(folder):
    manifest = json.loads((folder / "manifest.json").read_text())
    return {name: entry["sha256"] for name, entry in manifest["tables"].items()}


def test_same_seed_gives_identical_files(tmp_path, small):
    a = generate_to(tmp_path / "a", small, seed=4)
    b = generate_to(tmp_path / "b", small, seed=4)
    assert _hashes(a.out) == _hashes(b.out)
    assert (a.out / "manifest.json").read_bytes() == (b.out / "manifest.json").read_bytes()
    for name in _hashes(a.out):
        assert (a.out / f"{name}.parquet").read_bytes() == (b.out / f"{name}.parquet").read_bytes()


def test_other_seed_gives_other_data(tmp_path, small):
    a = generate_to(tmp_path / "a", small, seed=4)
    b = generate_to(tmp_path / "b", small, seed=5)
    assert _hashes(a.out)["orders"] != _hashes(b.out)["orders"]


def test_workers_and_shard_layout_do_not_change_the_bytes(tmp_path, small, monkeypatch):
    one = generate_to(tmp_path / "one", small, seed=9, workers=1)
    # Many small blocks and shop blocks, run by two processes.
    monkeypatch.setattr(plan, "BLOCK_ORDERS", 1500)
    monkeypatch.setattr(plan, "SHOP_BLOCK", 64)
    two = generate_to(tmp_path / "two", small, seed=9, workers=2)
    assert _hashes(one.out) == _hashes(two.out)


def test_csv_and_parquet_hold_the_same_rows(tmp_path, small):
    pq = load(generate_to(tmp_path / "pq", small, seed=1).out)
    csv = load(generate_to(tmp_path / "csv", small, seed=1, fmt="csv").out)
    for name in ("orders", "shipments", "refunds", "reviews", "labels", "buyers"):
        assert pq.arrow(name).equals(csv.arrow(name)), name


def test_in_memory_and_on_disk_agree(tmp_path, small):
    disk = load(generate_to(tmp_path / "d", small, seed=2).out)
    memory = generate(small, seed=2)
    for name in ("orders", "shipments", "labels", "items"):
        assert disk.arrow(name).equals(memory.arrow(name)), name


def test_adding_a_flash_sale_leaves_other_shops_organic_orders_unchanged(small):
    # Per-order draws are keyed by the order's identity, so a new source of orders shifts
    # nothing else: the organic rows of shops it does not touch stay byte for byte.
    without = small_scenario(flash_sales=(), redirects=())
    with_sale = dataclasses.replace(without, flash_sales=small.flash_sales)
    a, b = generate(without, seed=6), generate(with_sale, seed=6)
    sale_shop = b.shops.loc[b.shops.rank_before == small.flash_sales[0].shop_rank, "shop_id"]
    sale_shop = sale_shop.iloc[0]

    def organic_elsewhere(data):
        o = data.orders
        keep = (data.labels.legit_kind.isin(["organic", "household"])
                & (o.shop_id != sale_shop)).to_numpy()
        return o[keep].reset_index(drop=True)

    left, right = organic_elsewhere(a), organic_elsewhere(b)
    assert len(left) > 1000
    # The re-ranking may move a few shops' counts; everything that exists in both is identical.
    common = left.merge(right, on="order_id", suffixes=("", "_b"))
    assert len(common) > 0.97 * len(left)
    for col in ("created_at", "buyer_id", "item_id", "paid_amount", "device_id", "ip"):
        assert (common[col] == common[f"{col}_b"]).all(), col


@pytest.mark.parametrize("bad", [0, -1.0])
def test_scale_must_be_positive(small, bad):
    with pytest.raises(ValueError, match="scale"):
        generate(small, scale=bad)


def test_scale_multiplies_the_volume(small):
    base = dataclasses.replace(small, traffic=Traffic(orders=4000), flash_sales=(), redirects=())
    n1 = len(generate(base, seed=1).orders)
    n3 = len(generate(base, seed=1, scale=3).orders)
    assert 2.6 < n3 / n1 < 3.4
    assert np.isfinite(n3)


def test_mapping_order_does_not_change_the_data(small):
    # The scenario hash ignores key order, so the data must too.
    from types import MappingProxyType

    cats = small.marketplace.categories
    reordered = dataclasses.replace(small, marketplace=dataclasses.replace(
        small.marketplace, categories=MappingProxyType(dict(reversed(list(cats.items()))))),
        traffic=dataclasses.replace(small.traffic, channels=MappingProxyType(
            dict(reversed(list(small.traffic.channels.items()))))))
    a, b = generate(small, seed=8), generate(reordered, seed=8)
    for name in ("orders", "items", "shops"):
        assert a.arrow(name).equals(b.arrow(name)), name


def test_fraud_datasets_are_byte_identical_across_workers_and_layouts(tmp_path, monkeypatch):
    import brushbench

    mixed = brushbench.load_scenario("mixed_naive")
    one = generate_to(tmp_path / "one", mixed, seed=2, scale=0.02)
    monkeypatch.setattr(plan, "BLOCK_ORDERS", 3000)
    monkeypatch.setattr(plan, "SHOP_BLOCK", 16)
    two = generate_to(tmp_path / "two", mixed, seed=2, scale=0.02, workers=2)
    assert _hashes(one.out) == _hashes(two.out)
    data = load(one.out)
    assert data.labels.is_brushing.any() and len(data.campaigns) == 6


def test_answer_key_tables_survive_csv(tmp_path):
    import brushbench

    mixed = brushbench.load_scenario("mixed_careful")
    pq = load(generate_to(tmp_path / "pq", mixed, seed=5, scale=0.02).out)
    csv = load(generate_to(tmp_path / "csv", mixed, seed=5, scale=0.02, fmt="csv").out)
    for name in ("labels", "entity_labels", "campaigns", "refunds"):
        assert pq.arrow(name).equals(csv.arrow(name)), name
