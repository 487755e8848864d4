"""``brushbench eval --data DIR [--train DIR]`` checks every file against its manifest: a damaged
or edited table, a file name leaving the folder or a malformed manifest is exit 2 and one line,
before the detector runs."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import brushbench
from brushbench.cli import main
from brushbench.results import read_results
from tampering import edit_manifest, flip_byte, invert_labels

ORACLE = Path(__file__).resolve().parents[1] / "harness" / "detectors" / "oracle_train.py"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    root = tmp_path_factory.mktemp("verified_eval")
    for name, seed in (("test", 2), ("train", 1), ("other", 3)):
        brushbench.generate("mixed_naive", seed=seed, scale=0.003).write(root / name)
    return root


@pytest.fixture
def root(pristine, tmp_path):
    for name in ("test", "train", "other"):
        shutil.copytree(pristine / name, tmp_path / name)
    return tmp_path


def _eval(root, capsys, *extra):
    code = main(["eval", str(ORACLE), "--data", str(root / "test"), "--timeout", "60",
                 "--out", str(root / "out.json"), *extra])
    return code, capsys.readouterr().err.strip().splitlines()


def test_the_untouched_dataset_is_scored(root, capsys):
    code, _ = _eval(root, capsys, "--train", str(root / "train"))
    assert code == 0 and read_results(root / "out.json").runs[0].ok


@pytest.mark.parametrize("damage, file", [
    (lambda root: invert_labels(root / "test"), "test/labels.parquet"),
    (lambda root: flip_byte(root / "test" / "orders.parquet"), "test/orders.parquet"),
    (lambda root: invert_labels(root / "train"), "train/labels.parquet"),
    (lambda root: flip_byte(root / "train" / "orders.parquet"), "train/orders.parquet"),
])
def test_a_damaged_file_is_exit_2_naming_it_and_nothing_is_scored(root, capsys, damage, file):
    damage(root)
    code, err = _eval(root, capsys, "--train", str(root / "train"))
    assert code == 2 and len(err) == 1, err
    assert f"{root / file}: " in err[0] and err[0].endswith("(damaged or edited)")
    assert not (root / "out.json").exists()


@pytest.mark.parametrize("file", ["../other/orders.parquet", "/etc/passwd"])
def test_a_file_name_leaving_the_folder_is_exit_2(root, capsys, file):
    edit_manifest(root / "test", lambda m: m["tables"]["orders"].update(file=file))
    code, err = _eval(root, capsys)
    assert code == 2 and len(err) == 1
    assert f"{root / 'test' / 'manifest.json'}: table 'orders': file " in err[0]


def test_a_link_leaving_the_folder_is_exit_2(root, capsys):
    (root / "test" / "labels.parquet").unlink()
    os.symlink(root / "other" / "labels.parquet", root / "test" / "labels.parquet")
    code, err = _eval(root, capsys)
    assert code == 2 and len(err) == 1 and "is a link to" in err[0]


@pytest.mark.parametrize("change, message", [
    (lambda m: m.update(tables=list(m["tables"].values())), "tables must be a JSON object"),
    (lambda m: m["tables"]["labels"].update(rows=None), "table 'labels': rows must be"),
    (lambda m: m.pop("format"), "missing key(s) format"),
    (lambda m: m.update(timezone="Mars/Base"), "Mars/Base"),
    (lambda m: m["tables"].pop("campaigns"), "tables do not match has_answer_key=True"),
])
def test_a_malformed_manifest_is_exit_2_and_one_line(root, capsys, change, message):
    edit_manifest(root / "test", change)
    code, err = _eval(root, capsys)
    assert code == 2 and len(err) == 1 and message in err[0]


def test_a_malformed_training_manifest_is_exit_2(root, capsys):
    edit_manifest(root / "train", lambda m: m.update(tables=[]))
    code, err = _eval(root, capsys, "--train", str(root / "train"))
    assert code == 2 and len(err) == 1
    assert f"{root / 'train' / 'manifest.json'}: tables must be" in err[0]


def test_the_json_manifest_reader_survives_non_json(root, capsys):
    (root / "test" / "manifest.json").write_text(json.dumps([1, 2]))
    code, err = _eval(root, capsys)
    assert code == 2 and len(err) == 1 and "expected a JSON object" in err[0]
