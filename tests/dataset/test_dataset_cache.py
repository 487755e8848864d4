"""The dataset cache: where entries live (the keys of existing caches are unchanged) and how a
missing or damaged entry is filled."""

from __future__ import annotations

import pytest

from brushbench._version import GENERATOR_VERSION
from brushbench.dataset import DatasetWriter, cache, load

TZ = "Asia/Shanghai"


def fill(tables):
    """A ``make`` for :func:`cache.cached` that writes ``tables`` and records its calls."""
    calls = []

    def make(out, overwrite):
        calls.append(overwrite)
        with DatasetWriter(out, timezone=TZ, overwrite=overwrite) as writer:
            for name in writer.tables:
                writer.write(name, tables[name])
            writer.close({"scenario": "s", "seed": 1})

    return make, calls


def test_cache_root_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(cache.ENV, str(tmp_path / "mine"))
    assert cache.cache_root() == tmp_path / "mine"
    monkeypatch.delenv(cache.ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_root() == tmp_path / "xdg" / "brushbench"


def test_entry_names(tmp_path):
    digest = "ab" * 32
    generated = tmp_path / "datasets" / f"generator-{GENERATOR_VERSION}"
    # Scale 1 (the harness's pre-scaled suite scenarios): the key eval has always used.
    assert cache.generated_dir(digest, 3, root=tmp_path) == generated / f"{digest[:24]}-seed3"
    assert (cache.generated_dir(digest, 3, scale=0.003, root=tmp_path)
            == generated / f"{digest[:24]}-seed3-scale0.003")
    assert (cache.imported_dir("train", "cd" * 32, root=tmp_path)
            == tmp_path / "external" / f"train-{'cd' * 12}")


def test_a_missing_entry_is_made_once(tmp_path, tables):
    folder = cache.generated_dir("ab" * 32, 1, root=tmp_path)
    make, calls = fill(tables)
    assert cache.cached(folder, make) == folder
    assert cache.cached(folder, make) == folder
    assert calls == [False]
    assert cache.is_whole(folder)
    load(folder)  # verified


def test_a_damaged_entry_is_made_again(tmp_path, tables):
    folder = cache.generated_dir("ab" * 32, 1, root=tmp_path)
    make, calls = fill(tables)
    cache.cached(folder, make)
    (folder / "orders.parquet").write_bytes(b"not parquet")
    assert not cache.is_whole(folder)
    cache.cached(folder, make)
    assert calls == [False, True]
    assert cache.is_whole(folder)


def test_an_entry_filled_by_another_process_meanwhile_is_used(tmp_path, tables):
    folder = tmp_path / "entry"
    other, _ = fill(tables)

    def racing(out, overwrite):
        other(out, overwrite)  # the other process publishes first
        raise FileExistsError(out)

    assert cache.cached(folder, racing) == folder
    assert cache.is_whole(folder)


@pytest.mark.parametrize("name", ["nothing", "file"])
def test_is_whole_is_false_for_what_is_not_a_dataset(tmp_path, name):
    path = tmp_path / name
    if name == "file":
        path.write_text("x")
    assert not cache.is_whole(path)


def _age(folder, seconds=60):
    """Set every file's mtime ``seconds`` back, as if the entry had been written earlier."""
    import os
    import time

    past = time.time() - seconds
    for path in folder.iterdir():
        os.utime(path, (past, past))


def _no_hashing(monkeypatch):
    from brushbench.dataset import manifest

    def refuse(*args, **kwargs):
        raise AssertionError("hashed again")

    monkeypatch.setattr(manifest, "sha256_file", refuse)


def test_a_checked_entry_is_not_hashed_again_while_its_files_are_unchanged(
        tmp_path, tables, monkeypatch):
    folder = cache.generated_dir("ab" * 32, 1, root=tmp_path)
    make, _ = fill(tables)
    cache.cached(folder, make)
    assert cache.is_whole(folder)
    assert not cache.stamp_path(folder).exists()  # just written: too fresh to stamp
    _age(folder)
    assert cache.is_whole(folder)                 # hashed, then stamped
    assert cache.stamp_path(folder).exists()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        p.name for p in folder.iterdir() if not p.name.startswith("."))  # folder untouched
    _no_hashing(monkeypatch)
    assert cache.is_whole(folder)


@pytest.mark.parametrize("change", ["same size", "other size", "manifest"])
def test_a_stamped_entry_that_changed_is_checked_again(tmp_path, tables, monkeypatch, change):
    folder = cache.generated_dir("ab" * 32, 1, root=tmp_path)
    make, calls = fill(tables)
    cache.cached(folder, make)
    _age(folder)
    assert cache.is_whole(folder) and cache.stamp_path(folder).exists()
    name = "manifest.json" if change == "manifest" else "orders.parquet"
    data = (folder / name).read_bytes()
    if change == "same size":
        data = bytes([data[0] ^ 0xFF]) + data[1:]
    elif change == "other size":
        data = data + b"x"
    else:
        data = data.replace(b'"sha256": "', b'"sha256": "0', 1)[:-1]
    (folder / name).write_bytes(data)
    assert not cache.is_whole(folder)
    cache.cached(folder, make)
    assert calls == [False, True]
    assert cache.is_whole(folder)
