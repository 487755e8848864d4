"""The answer key is out of the detector's reach (issue 16, section 1).

Five cheating detectors (``detectors/cheat_*.py``), each run through ``evaluate`` on a cached
dataset like ``brushbench eval``: (a) scanning the dataset cache, (b) walking the stack and heap
to the harness's ``job["test_dir"]``, (c) globbing the runs' ``job.json``, (d) generating the
data again from its manifest (or the training set's) and (e) overwriting the cached key so that
random scores agree with it. Each finds nothing and scores at the base rate; (e), told where
the cache is (as a detector would find the default ``~/.cache/brushbench``) where the cache
cannot be hidden, is recorded ``invalid_output`` and the next run is scored against the
untouched key; where it can (a forked run on Linux), even (a) told where it is finds nothing.
"""

from __future__ import annotations

import json

import pytest

import brushbench
from brushbench.dataset import ANSWER_KEY_TABLES, OBSERVED_TABLES, DatasetError
from brushbench.harness import run_isolated
from brushbench.harness.evaluate import evaluate
from brushbench.harness.suites import load_suite
from brushbench.metrics import score_orders
from brushbench.runtime.child import HIDDEN
from brushbench.runtime.private import KEPT_KEYS, changed, prepare_view, snapshot
from brushbench.runtime.runner import HIDE_ENV

from harness_helpers import detector_file

SUITE = """\
name: tiny-cheats
description: one small scenario, one seed
seeds: 1
scenarios:
  - {scenario: mixed_naive, scale: 0.003}
"""
CHEATS = ["cheat_scan_cache", "cheat_stack", "cheat_job_files", "cheat_overwrite_key",
          "cheat_regenerate:Regenerate"]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    root = tmp_path_factory.mktemp("cheats")
    (root / "suite.yaml").write_text(SUITE, encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.setenv("BRUSHBENCH_CACHE", str(root / "cache"))
    mp.setenv("HOME", str(root / "home"))  # no user cache for the cheats to find instead
    mp.delenv("CHEAT_CACHE_HINT", raising=False)
    yield root
    mp.undo()


def _eval(env, name):
    target, _, attr = name.partition(":")
    target = detector_file(target) + (f":{attr}" if attr else "")
    return evaluate(target, load_suite(env / "suite.yaml"), timeout=120)


@pytest.fixture(scope="module")
def honest(env):
    return _eval(env, "function_form")


@pytest.fixture(scope="module")
def cheats(env, honest):
    return {name: _eval(env, name) for name in CHEATS}


@pytest.mark.parametrize("name", CHEATS)
def test_each_cheat_scores_at_the_base_rate(cheats, name):
    (run,) = cheats[name].runs
    assert run.status == "ok", run.reason
    ap, base = run.value("orders.average_precision"), run.value("orders.base_rate")
    assert ap < base + 0.1, (name, ap, base)


def test_a_normal_detector_is_scored_as_in_process(env, honest):
    (run,) = honest.runs
    assert run.ok
    (folder,) = (env / "cache").glob("datasets/*/*-seed0")
    test = brushbench.load(folder)
    from function_form import score  # tests/harness/detectors is on the path (conftest)

    scores = score(test.without_answer_key()).to_numpy()
    expected = score_orders(test.labels, scores, orders=test.orders,
                            entity_labels=test.entity_labels, campaigns=test.campaigns,
                            curves=True)
    expected.pop("curves")
    assert json.loads(json.dumps(run.metrics)) == json.loads(json.dumps(expected))


def test_a_detector_that_overwrites_the_key_is_not_scored(env, honest, cheats, monkeypatch):
    # As if it had found the cache (the default ~/.cache/brushbench is found without a hint),
    # where the cache cannot be hidden from it.
    monkeypatch.setenv("CHEAT_CACHE_HINT", str(env / "cache"))
    monkeypatch.setenv(HIDE_ENV, "0")
    (run,) = _eval(env, "cheat_overwrite_key").runs
    assert run.status == "invalid_output"
    assert "modified while the detector ran" in run.reason and "labels" in run.reason
    assert run.metrics is None
    # The damaged entry was dropped: the next run is scored against the true key again.
    monkeypatch.delenv("CHEAT_CACHE_HINT")
    (again,) = _eval(env, "function_form").runs
    assert again.metrics == honest.runs[0].metrics


def test_the_cache_is_hidden_where_namespaces_work(env, honest, monkeypatch):
    monkeypatch.setenv("CHEAT_CACHE_HINT", str(env / "cache"))
    (folder,) = (env / "cache").glob("datasets/*/*-seed0")
    record = run_isolated(detector_file("cheat_scan_cache"), None, folder, timeout=120)
    assert record.ok, record.reason
    if record.protection != HIDDEN:
        pytest.skip(f"not hidden here: {record.protection}")
    assert (record.scores == 0).all()  # it found no key: the base-rate fallback
    monkeypatch.setenv(HIDE_ENV, "0")
    visible = run_isolated(detector_file("cheat_scan_cache"), None, folder, timeout=120)
    assert visible.protection.startswith("private copies only")
    assert not (visible.scores == 0).all()  # the limit of copies alone: it read the key


def test_the_views_name_no_seed_and_hold_no_test_key(tmp_path):
    data = brushbench.generate("mixed_naive", seed=3, scale=0.003)
    data.write(tmp_path / "src")
    test = prepare_view(tmp_path / "src", tmp_path / "test", answer_key=False)
    train = prepare_view(tmp_path / "src", tmp_path / "train", answer_key=True)
    for view, tables in ((test, OBSERVED_TABLES), (train, OBSERVED_TABLES + ANSWER_KEY_TABLES)):
        manifest = json.loads((view / "manifest.json").read_text())
        assert set(manifest) <= {*KEPT_KEYS, "tables", "has_answer_key"}
        assert not {"scenario", "seed", "scale", "scenario_hash"} & set(manifest)
        assert sorted(manifest["tables"]) == sorted(tables)
        assert sorted(p.name for p in view.iterdir()) == sorted(
            ["manifest.json", *(e["file"] for e in manifest["tables"].values())])
    assert not brushbench.load(test).has_answer_key
    # The views are Arrow files the detector's process memory-maps; every table is the same.
    for view, tables in ((test, OBSERVED_TABLES), (train, OBSERVED_TABLES + ANSWER_KEY_TABLES)):
        loaded = brushbench.load(view)  # verify=True: the new files match the new manifest
        assert loaded.manifest["format"] == "arrow"
        for name in tables:
            assert loaded.arrow(name).equals(data.arrow(name)), name
    # ... from a CSV dataset too.
    data.write(tmp_path / "csv", fmt="csv")
    from_csv = brushbench.load(prepare_view(tmp_path / "csv", tmp_path / "csv_view",
                                            answer_key=True))
    for name in OBSERVED_TABLES + ANSWER_KEY_TABLES:
        assert from_csv.arrow(name).equals(brushbench.load(tmp_path / "csv").arrow(name)), name


def test_a_changed_or_escaping_file_is_refused(tmp_path):
    brushbench.generate("mixed_naive", seed=3, scale=0.003).write(tmp_path / "src")
    recorded = snapshot(tmp_path / "src", ("orders", "labels"))
    assert changed(tmp_path / "src", recorded) == []
    with open(tmp_path / "src" / "labels.parquet", "ab") as f:
        f.write(b"x")
    assert changed(tmp_path / "src", recorded) == ["labels.parquet"]
    # The manifest's own check: a file whose size already differs is named by its size.
    with pytest.raises(DatasetError, match=r"labels\.parquet: .*\(damaged or edited\)"):
        snapshot(tmp_path / "src", ("labels",))
    with open(tmp_path / "src" / "orders.parquet", "ab") as f:
        f.write(b"x")
    with pytest.raises(DatasetError, match=r"orders\.parquet: sha256"):
        prepare_view(tmp_path / "src", tmp_path / "view", answer_key=False)
    brushbench.generate("mixed_naive", seed=3, scale=0.003).write(tmp_path / "other")
    manifest = json.loads((tmp_path / "other" / "manifest.json").read_text())
    manifest["tables"]["shops"]["file"] = "../elsewhere/shops.parquet"
    (tmp_path / "other" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DatasetError, match="not a file name inside"):
        prepare_view(tmp_path / "other", tmp_path / "view2", answer_key=False)


def test_the_current_folder_and_the_detector_file_are_never_hidden(tmp_path, monkeypatch):
    from brushbench.runtime.runner import _to_hide

    (tmp_path / "work" / "sub").mkdir(parents=True)
    (tmp_path / "data").mkdir()
    monkeypatch.chdir(tmp_path / "work" / "sub")
    folders = (tmp_path / "work", tmp_path / "data", None)
    assert _to_hide("det.py", folders) == [str(tmp_path / "data")]
    assert _to_hide(str(tmp_path / "data" / "det.py") + ":Det", folders) == []


def test_a_view_is_copied_row_group_by_row_group(tmp_path):
    # A large table is copied one Parquet row group at a time (bounded memory): the view's
    # table is the source's, in order, whatever its row groups.
    import pyarrow.parquet as pq

    from brushbench.dataset.manifest import file_entry, read_manifest, write_manifest

    data = brushbench.generate("mixed_naive", seed=3, scale=0.003)
    data.write(tmp_path / "src")
    orders = tmp_path / "src" / "orders.parquet"
    pq.write_table(pq.read_table(orders), orders, row_group_size=1000)
    assert pq.ParquetFile(orders).num_row_groups > 3
    manifest = read_manifest(tmp_path / "src")
    manifest["tables"]["orders"] = file_entry(orders, data.arrow("orders").num_rows)
    write_manifest(tmp_path / "src", manifest)
    view = brushbench.load(prepare_view(tmp_path / "src", tmp_path / "view", answer_key=False))
    assert view.arrow("orders").equals(data.arrow("orders"))
