"""``grade`` and ``explain --key`` read a key only when its files match ``key.json`` (and the
dataset only when its files match its manifest): a damaged or edited file, a file name leaving
the key folder or a malformed ``key.json`` is exit 2 and one line naming it."""

from __future__ import annotations

import json
import os
import shutil

import pyarrow.parquet as pq
import pytest

from brushbench.cli import main
from brushbench.teaching.keys import AnswerKeyError, load_key
from tampering import edit_manifest, flip_byte, invert_labels


@pytest.fixture
def pair(withheld, tmp_path):
    data, key = withheld
    shutil.copytree(data, tmp_path / "data")
    shutil.copytree(key, tmp_path / "key")
    order = int(pq.read_table(tmp_path / "key" / "labels.parquet").column("order_id")[0].as_py())
    (tmp_path / "flagged.csv").write_text(f"order_id\n{order}\n")
    return tmp_path, order


def _run(capsys, *argv):
    code = main([*map(str, argv)])
    return code, capsys.readouterr().err.strip().splitlines()


def _grade(capsys, root, *extra):
    return _run(capsys, "grade", root / "flagged.csv", "--key", root / "key", *extra)


def _explain(capsys, root, order):
    return _run(capsys, "explain", root / "data", "--order", order, "--key", root / "key",
                "--json")


def edit_key(folder, change):
    path = folder / "key.json"
    key = json.loads(path.read_text())
    change(key)
    path.write_text(json.dumps(key))


def test_the_untouched_key_grades_and_explains(pair, capsys):
    root, order = pair
    assert _grade(capsys, root, "--data", root / "data")[0] == 0
    assert _explain(capsys, root, order)[0] == 0


@pytest.mark.parametrize("damage, file", [
    (lambda root: invert_labels(root / "key"), "key/labels.parquet"),
    (lambda root: flip_byte(root / "key" / "campaigns.parquet"), "key/campaigns.parquet"),
    (lambda root: flip_byte(root / "key" / "order_index.parquet"), "key/order_index.parquet"),
])
def test_a_damaged_key_is_exit_2_naming_the_file(pair, capsys, damage, file):
    root, order = pair
    damage(root)
    for code, err in (_grade(capsys, root), _explain(capsys, root, order)):
        assert code == 2 and len(err) == 1, err
        assert f"{root / file}: " in err[0] and err[0].endswith("(damaged or edited)")
    with pytest.raises(AnswerKeyError, match=r"key\.json"):
        load_key(root / "key")


def test_a_damaged_dataset_is_exit_2_for_explain(pair, capsys):
    root, order = pair
    flip_byte(root / "data" / "orders.parquet")
    code, err = _explain(capsys, root, order)
    assert code == 2 and len(err) == 1
    assert err[0].endswith(f"{root / 'data' / 'orders.parquet'}: sha256 does not match the "
                           "manifest (damaged or edited)")


@pytest.mark.parametrize("file", ["../data/orders.parquet", "/etc/passwd", "x/labels.parquet"])
def test_a_key_file_name_leaving_the_folder_is_refused(pair, capsys, file):
    root, order = pair
    edit_key(root / "key", lambda k: k["tables"]["labels"].update(file=file))
    for code, err in (_grade(capsys, root), _explain(capsys, root, order)):
        assert code == 2 and len(err) == 1, err
        assert f"{root / 'key' / 'key.json'}: table 'labels': file " in err[0]


def test_a_key_link_leaving_the_folder_is_refused(pair, capsys, tmp_path):
    root, order = pair
    shutil.copy(root / "key" / "labels.parquet", tmp_path / "elsewhere.parquet")
    (root / "key" / "labels.parquet").unlink()
    os.symlink(tmp_path / "elsewhere.parquet", root / "key" / "labels.parquet")
    for code, err in (_grade(capsys, root), _explain(capsys, root, order)):
        assert code == 2 and len(err) == 1 and "is a link to" in err[0], err


@pytest.mark.parametrize("change, message", [
    (lambda k: k.update(tables=list(k["tables"].values())), "tables must be a JSON object"),
    (lambda k: k["tables"].update(labels=3), "table 'labels' must be a JSON object"),
    (lambda k: k["tables"]["campaigns"].pop("bytes"), "table 'campaigns' lacks bytes"),
    (lambda k: k.update(timezone=None), "timezone must be a string"),
    (lambda k: k.update(format="xlsx"), "xlsx"),
    (lambda k: k.update(timezone="Mars/Base"), "Mars/Base"),
])
def test_a_malformed_key_json_is_one_line(pair, capsys, change, message):
    root, _ = pair
    edit_key(root / "key", change)
    code, err = _grade(capsys, root)
    assert code == 2 and len(err) == 1 and message in err[0], err


def test_a_malformed_dataset_manifest_is_one_line_for_explain_and_grade_check(pair, capsys):
    root, order = pair
    edit_manifest(root / "data", lambda m: m.update(tables=[]))
    code, err = _explain(capsys, root, order)
    assert code == 2 and len(err) == 1 and "tables must be a JSON object" in err[0]
    code, err = _run(capsys, "grade", root / "flagged.csv", "--check", root / "data")
    assert code == 2 and len(err) == 1 and "tables must be a JSON object" in err[0]


def test_withholding_a_damaged_dataset_publishes_nothing(tmp_path):
    import brushbench
    from brushbench.dataset import DatasetError
    from brushbench.teaching import withhold

    brushbench.generate("mixed_naive", seed=1, scale=0.003).write(tmp_path / "src")
    invert_labels(tmp_path / "src")
    with pytest.raises(DatasetError, match=r"src/labels\.parquet: .*\(damaged or edited\)$"):
        withhold(tmp_path / "src", tmp_path / "data", tmp_path / "key")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src"]
