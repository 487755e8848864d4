"""``brushbench eval TARGET --data DIR --train DIR``: a detector with fit() trains on a given
dataset; without one it is skipped; a training set without answer key is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

import brushbench
from brushbench.cli import main
from brushbench.results import read_results

ORACLE = Path(__file__).resolve().parents[1] / "harness" / "detectors" / "oracle_train.py"


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("train")
    for name, seed in (("train", 1), ("test", 2), ("other_train", 3)):
        brushbench.generate("mixed_naive", seed=seed, scale=0.003).write(root / name)
    brushbench.generate("mixed_naive", seed=4, scale=0.003).write(root / "keyless",
                                                                 answer_key=False)
    return root


def _eval(root, *extra, out="out.json"):
    return main(["eval", str(ORACLE), "--data", str(root / "test"), "--timeout", "60",
                 "--out", str(root / out), *extra])


def test_fit_gets_the_training_set(folders):
    assert _eval(folders, "--train", str(folders / "train")) == 0
    doc = read_results(folders / "out.json")
    run = doc.runs[0]
    assert run.ok and run.cost.fit_seconds > 0
    assert doc.data["train"]["name"] == "train"


def test_without_a_training_set_a_fitting_detector_is_skipped(folders):
    assert _eval(folders, out="untrained.json") == 1
    run = read_results(folders / "untrained.json").runs[0]
    assert run.status == "skipped"


def test_another_training_set_is_another_comparison(folders):
    _eval(folders, "--train", str(folders / "train"), out="a.json")
    _eval(folders, "--train", str(folders / "other_train"), out="b.json")
    hashes = {read_results(folders / f).suite.hash for f in ("a.json", "b.json")}
    assert len(hashes) == 2


def test_training_set_without_answer_key_is_refused(folders, capsys):
    assert _eval(folders, "--train", str(folders / "keyless"), out="x.json") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no answer key" in err[0]


def test_train_needs_data(folders, capsys):
    assert main(["eval", str(ORACLE), "--train", str(folders / "train")]) == 2
    assert "--train only applies with --data" in capsys.readouterr().err


def test_train_must_be_a_dataset_folder(folders, capsys):
    assert _eval(folders, "--train", str(folders / "nope"), out="y.json") == 2
    assert "not a brushbench dataset folder" in capsys.readouterr().err
