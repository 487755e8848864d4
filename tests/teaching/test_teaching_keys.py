"""``generate --withhold-labels``: the dataset and its key apart, each naming the other by hash;
a key refused against another dataset; both folders atomic; the teaching scenarios."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import brushbench
from brushbench import patterns
from brushbench.cli import main
from brushbench.dataset import OBSERVED_TABLES, load, table_schema
from brushbench.dataset.tables import table_spec
from brushbench.scenario.canonical import pattern_name
from brushbench.teaching import withheld as withhold_module
from brushbench.teaching.handout import render_handout
from brushbench.teaching.keys import AnswerKeyError, check_pair, load_key, load_with_key
from brushbench.teaching.lab import DIFFICULTIES
from brushbench.teaching.withheld import withhold


def test_dataset_and_key_together_are_the_labelled_dataset(withheld):
    data_dir, key_dir = withheld
    joined = load_with_key(data_dir, key_dir)
    full = brushbench.generate("teach_hard", scale=0.04, seed=5)
    for name in full.table_names:
        assert joined.arrow(name).equals(full.arrow(name)), name
    key = load_key(key_dir)
    assert key.manifest["provenance"]["seed"] == 5
    assert key.manifest["summary"]["brushing_orders"] == int(full.labels.is_brushing.sum())
    assert key.order_index.shop_id.tolist() == full.orders.shop_id.tolist()


def test_a_key_is_refused_against_another_dataset(withheld, lab, capsys):
    data_dir, key_dir = withheld
    other_key = load_key(lab / "key" / "s01")
    with pytest.raises(AnswerKeyError, match="is not the key of"):
        check_pair(data_dir, other_key)
    order = str(load(data_dir).orders.order_id.iloc[0])
    code = main(["explain", str(data_dir), "--order", order, "--key",
                 str(lab / "key" / "s01")])
    err = capsys.readouterr().err
    assert code == 2 and "is not the key of" in err and len(err.strip().splitlines()) == 1
    code = main(["grade", "whatever.csv", "--key", str(key_dir), "--data",
                 str(lab / "students" / "s01" / "data")])
    err = capsys.readouterr().err
    assert code == 2 and "is not the key of" in err


def test_both_hashes_are_checked(withheld, tmp_path):
    data_dir, key_dir = withheld
    copy, key_copy = tmp_path / "data", tmp_path / "key"
    shutil.copytree(data_dir, copy)
    shutil.copytree(key_dir, key_copy)
    check_pair(copy, load_key(key_copy))
    # A dataset manifest edited to name the key still fails: the key names the manifest's bytes.
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["window"]["start"] += 1
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(AnswerKeyError, match="belongs to another dataset"):
        check_pair(copy, load_key(key_copy))
    # A key file changed after the fact is refused when the key is read.
    labels = key_copy / load_key(key_copy).manifest["tables"]["labels"]["file"]
    labels.write_bytes(labels.read_bytes()[:-10])
    with pytest.raises(AnswerKeyError, match=r"labels\.\w+: \d+ bytes, key\.json says \d+ "
                                               r"\(damaged or edited\)"):
        load_key(key_copy)


def test_withhold_refuses_a_key_inside_the_dataset_and_keeps_what_exists(tmp_path, capsys):
    argv = ["generate", "teach_easy", "--scale", "0.1", "--seed", "1"]
    code = main([*argv, "--out", str(tmp_path / "d"), "--withhold-labels",
                 str(tmp_path / "d" / "key")])
    err = capsys.readouterr().err
    assert code == 2 and "separate folders" in err and not (tmp_path / "d").exists()
    (tmp_path / "k").mkdir()
    (tmp_path / "k" / "notes.txt").write_text("mine")
    code = main([*argv, "--out", str(tmp_path / "d"), "--withhold-labels", str(tmp_path / "k"),
                 "--overwrite"])
    err = capsys.readouterr().err
    assert code == 2 and "does not look like a brushbench answer key" in err
    assert (tmp_path / "k" / "notes.txt").read_text() == "mine"
    assert not (tmp_path / "d").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k"]     # no leftovers


def test_a_failure_leaves_neither_folder(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(withhold_module, "split_answer_key", broken)
    with pytest.raises(OSError, match="disk full"):
        withhold_module.generate_withheld(tmp_path / "d", tmp_path / "k",
                                          brushbench.load_scenario("teach_easy"), scale=0.1, seed=1)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_rename_puts_the_old_folders_back(withheld, tmp_path, monkeypatch):
    data_dir, key_dir = withheld
    shutil.copytree(data_dir, tmp_path / "d")
    shutil.copytree(key_dir, tmp_path / "k")
    before = (tmp_path / "d" / "manifest.json").read_bytes()
    real_rename = os.rename
    failed = []

    def rename(src, dst):
        # The new dataset's rename into place fails, after the new key's went through.
        if Path(dst) == tmp_path / "d" and not failed:
            failed.append(src)
            raise OSError("interrupted")
        real_rename(src, dst)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(OSError, match="interrupted"):
        withhold_module.generate_withheld(tmp_path / "d", tmp_path / "k",
                                          brushbench.load_scenario("teach_easy"), scale=0.1, seed=2,
                                          overwrite=True)
    monkeypatch.undo()
    assert (tmp_path / "d" / "manifest.json").read_bytes() == before
    check_pair(tmp_path / "d", load_key(tmp_path / "k"))      # the old pair, intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d", "k"]


def test_every_column_handed_out_is_described_in_the_handout():
    text = render_handout(title="t", fmt="csv", timezone="UTC",
                          window=("2024-01-01T00:00:00+00:00", "2024-01-02T00:00:00+00:00"))
    for table in OBSERVED_TABLES:
        assert f"### `{table}` (`{table}.csv`): {table_spec(table).description}\n" in text
        for field in table_schema(table, "UTC"):
            description = table_spec(table).column(field.name).description
            assert description.strip(), f"{table}.{field.name}"
            assert f"| `{field.name}` |" in text and f"| {description} |\n" in text, field.name


def test_teaching_scenarios_grow_in_size_and_care():
    easy, medium, hard = (brushbench.load_scenario(DIFFICULTIES[k]) for k in ("easy", "medium",
                                                                         "hard"))
    assert easy.traffic.orders <= 10_000 < medium.traffic.orders <= 50_000 \
        < hard.traffic.orders <= 150_000

    def kinds(s):
        return {pattern_name(f) for f in s.fraud}

    assert 1 <= len(kinds(easy)) <= 2 and all(f.camouflage == 0 for f in easy.fraud)
    assert len(kinds(medium)) >= 3 and any(f.camouflage > 0 for f in medium.fraud)
    assert medium.flash_sales and medium.redirects and medium.bulk_buyers.orders
    assert kinds(hard) == set(patterns.names()) and all(f.camouflage >= 0.5 for f in hard.fraud)


def test_an_existing_labelled_dataset_is_withheld_by_copy(tmp_path):
    full = brushbench.generate("teach_easy", scale=0.1, seed=3)
    full.write(tmp_path / "full", fmt="csv")
    done = withhold(tmp_path / "full", tmp_path / "data", tmp_path / "key")
    assert load(tmp_path / "full").has_answer_key                 # the source is left as it was
    assert done.rows["orders"] == len(full.orders)
    joined = load_with_key(tmp_path / "data", tmp_path / "key")
    for name in full.table_names:
        assert joined.arrow(name).equals(full.arrow(name)), name
