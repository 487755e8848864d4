"""Verified reads: a damaged or edited table file, a manifest file name that leaves the folder and
a malformed manifest are each one DatasetError line naming the file or the manifest's entry."""

from __future__ import annotations

import json
import os
import shutil

import pytest

import brushbench
from brushbench.dataset import DatasetError
from brushbench.dataset.cache import is_whole
from tampering import edit_manifest, flip_byte, invert_labels


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    root = tmp_path_factory.mktemp("verified")
    brushbench.generate("mixed_naive", seed=1, scale=0.003).write(root / "ds")
    brushbench.generate("mixed_naive", seed=2, scale=0.003).write(root / "other")
    return root


@pytest.fixture
def ds(pristine, tmp_path):
    shutil.copytree(pristine / "ds", tmp_path / "ds")
    shutil.copytree(pristine / "other", tmp_path / "other")
    return tmp_path / "ds"


def one_line(exc_info) -> str:
    text = str(exc_info.value)
    assert "\n" not in text
    return text


def test_inverted_labels_are_refused_naming_the_file(ds):
    path = invert_labels(ds)
    with pytest.raises(DatasetError) as info:
        brushbench.load(ds)
    assert one_line(info).startswith(f"{path}: ")
    assert one_line(info).endswith("(damaged or edited)")
    with pytest.raises(DatasetError, match=r"labels\.parquet"):
        brushbench.dataset.load(ds, tables=["labels"])  # only the key asked for: still checked


def test_a_flipped_byte_in_orders_is_a_sha256_mismatch(ds):
    flip_byte(ds / "orders.parquet")
    with pytest.raises(DatasetError) as info:
        brushbench.load(ds)
    assert one_line(info) == (f"{ds / 'orders.parquet'}: sha256 does not match the manifest "
                              "(damaged or edited)")
    assert not is_whole(ds)  # the cache's check says the same


@pytest.mark.parametrize("file", ["../other/orders.parquet", "../../other/orders.parquet",
                                  "/etc/passwd", "sub/orders.parquet", "..", ""])
def test_a_file_name_that_leaves_the_folder_is_refused(ds, file):
    edit_manifest(ds, lambda m: m["tables"]["orders"].update(file=file))
    for verify in (True, False):
        with pytest.raises(DatasetError) as info:
            brushbench.dataset.load(ds, verify=verify)
        text = one_line(info)
        assert text.startswith(f"{ds / 'manifest.json'}: table 'orders': file ")
        assert "not a file name inside the folder" in text


def test_a_copied_manifest_cannot_borrow_another_datasets_file(ds):
    """The ``..`` case with the other dataset's checksums: it would verify, so it must be the
    name that is refused."""
    other = json.loads((ds.parent / "other" / "manifest.json").read_text())
    edit_manifest(ds, lambda m: m["tables"].update(
        orders={**other["tables"]["orders"], "file": "../other/orders.parquet"}))
    with pytest.raises(DatasetError, match="not a file name inside the folder"):
        brushbench.load(ds)


def test_a_link_out_of_the_folder_is_refused_and_one_inside_is_followed(ds):
    (ds / "orders.parquet").rename(ds / "orders.real")
    os.symlink(ds.parent / "other" / "orders.parquet", ds / "orders.parquet")
    for verify in (True, False):
        with pytest.raises(DatasetError) as info:
            brushbench.dataset.load(ds, verify=verify)
        text = one_line(info)
        assert text.startswith(f"{ds / 'manifest.json'}: file 'orders.parquet' is a link to ")
        assert "outside" in text
    assert not is_whole(ds)
    (ds / "orders.parquet").unlink()
    os.symlink("orders.real", ds / "orders.parquet")
    assert brushbench.load(ds).orders.shape[0] > 0
    assert is_whole(ds)


@pytest.mark.parametrize("change, message", [
    (lambda m: m.update(tables=list(m["tables"].values())),
     "tables must be a JSON object of table entries, got a list"),
    (lambda m: m.update(tables="orders.parquet"), "tables must be a JSON object"),
    (lambda m: m["tables"].update(orders="orders.parquet"),
     "table 'orders' must be a JSON object, got a string"),
    (lambda m: m["tables"]["orders"].pop("sha256"), "table 'orders' lacks sha256"),
    (lambda m: m["tables"]["orders"].update(rows="12"), "table 'orders': rows must be a whole"),
    (lambda m: m["tables"]["orders"].update(bytes=-1), "bytes must be a whole number >= 0"),
    (lambda m: m["tables"]["orders"].update(bytes=True), "bytes must be a whole number"),
    (lambda m: m["tables"]["orders"].update(file=7), "file must be a string, got 7"),
    (lambda m: m["tables"]["orders"].update(sha256="abc"), "sha256 must be 64 hex digits"),
    (lambda m: m.pop("tables"), "missing key(s) tables"),
    (lambda m: m.update(has_answer_key="yes"), "has_answer_key must be a boolean"),
    (lambda m: m.update(timezone=8), "timezone must be a string, got a number"),
    (lambda m: m.update(format=["parquet"]), "format must be a string, got a list"),
])
def test_a_malformed_manifest_is_one_line(ds, change, message):
    edit_manifest(ds, change)
    with pytest.raises(DatasetError) as info:
        brushbench.load(ds)
    text = one_line(info)
    assert text.startswith(f"{ds / 'manifest.json'}: ")
    assert message in text
    assert not is_whole(ds)
