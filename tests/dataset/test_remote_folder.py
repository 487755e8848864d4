"""A dataset at an fsspec URL: files uploaded whole, the manifest last (and removed first when a
dataset is replaced), so that a reader never takes a half-written folder for a dataset."""

from __future__ import annotations

import pytest

from brushbench.dataset import DatasetError, load
from brushbench.dataset.dataset import Dataset
from brushbench.dataset.remote import RemoteFolder, is_url

pytest.importorskip("fsspec", reason="fsspec comes with the dask extra")


def _local_dataset(tmp_path, tables):
    Dataset(tables).write(tmp_path / "local")
    return tmp_path / "local"


def test_publish_uploads_every_file_and_the_manifest_last(tmp_path, tables, monkeypatch):
    local = _local_dataset(tmp_path, tables)
    remote = RemoteFolder(f"file://{tmp_path}/remote")
    order: list[str] = []
    put = RemoteFolder.put
    monkeypatch.setattr(RemoteFolder, "put",
                        lambda self, path, rel: (order.append(rel), put(self, path, rel)))
    remote.publish(local)
    assert order[-1] == "manifest.json" and len(order) == 11
    copy, source = load(tmp_path / "remote"), load(local)
    for name in source.table_names:
        assert copy.arrow(name).equals(source.arrow(name)), name


def test_an_existing_folder_is_replaced_only_with_overwrite_and_only_a_dataset(tmp_path, tables):
    url = f"file://{tmp_path}/remote"
    RemoteFolder(url).publish(_local_dataset(tmp_path, tables))
    with pytest.raises(FileExistsError, match="already exists"):
        RemoteFolder(url)
    RemoteFolder(url, overwrite=True).clear()
    assert not (tmp_path / "remote").exists()
    (tmp_path / "remote").mkdir()
    (tmp_path / "remote" / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="does not look like a brushbench dataset"):
        RemoteFolder(url, overwrite=True)


def test_a_folder_without_its_manifest_is_refused_by_the_reader(tmp_path, tables):
    remote = RemoteFolder(f"file://{tmp_path}/remote")
    remote.put(_local_dataset(tmp_path, tables) / "orders.parquet", "orders.parquet")
    with pytest.raises(DatasetError, match=r"no manifest\.json"):
        load(tmp_path / "remote")
    remote.abandon()
    assert not (tmp_path / "remote").exists()


def test_an_unknown_scheme_is_one_line():
    assert is_url("s3://bucket/ds") and not is_url("out/ds")
    with pytest.raises(DatasetError, match=r"nosuch://x/ds: cannot write there"):
        RemoteFolder("nosuch://x/ds")
