"""A whole lab for three students: make it, hand in a perfect, an empty and a random answer,
grade them all at once as a teacher would, and check the scores and their breakdowns."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from brushbench.cli import main
from brushbench.dataset import load
from brushbench.teaching.keys import check_pair, load_key, load_with_key

STUDENTS = ("s01", "s02", "s03")  # --students 3 (tests/teaching/conftest.py)


def _grade_json(capsys, *argv):
    code = main(["grade", *map(str, argv), "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


@pytest.fixture(scope="module")
def answers(lab, tmp_path_factory):
    """s01: perfect flags; s02: an empty answer (a header only); s03: random scores."""
    folder = tmp_path_factory.mktemp("answers")
    truth = load_key(lab / "key" / "s01").labels
    truth.loc[truth.is_brushing, ["order_id"]].to_csv(folder / "s01.csv", index=False)
    (folder / "s02.csv").write_text("order_id\n")
    orders = load(lab / "students" / "s03" / "data").orders
    rng = np.random.default_rng(3)
    pd.DataFrame({"order_id": orders.order_id, "score": rng.random(len(orders))}).to_csv(
        folder / "s03.csv", index=False)
    return folder


def test_the_lab_has_a_dataset_and_handout_per_student_and_the_keys_apart(lab):
    roster = json.loads((lab / "key" / "lab.json").read_text())
    assert list(roster["students"]) == list(STUDENTS)
    assert roster["format"] == "csv" and roster["difficulty"] == "easy"
    handout = (lab / "handout.md").read_text()
    seeds, first_orders = set(), set()
    for sid in STUDENTS:
        data_dir = lab / "students" / sid / "data"
        assert (lab / "students" / sid / "handout.md").read_text() == handout
        assert sorted(p.name for p in (lab / "students" / sid).iterdir()) == ["data",
                                                                              "handout.md"]
        data = load(data_dir)
        assert not data.has_answer_key and (data_dir / "orders.csv").is_file()
        key = load_key(lab / "key" / sid)
        check_pair(data_dir, key)                     # each pairs with its own key
        assert key.manifest["student"] == sid and key.manifest["lab"] == "lab1"
        full = load_with_key(data_dir, key)
        assert full.labels.order_id.tolist() == full.orders.order_id.tolist()
        seeds.add(roster["students"][sid]["seed"])
        first_orders.add(int(data.orders.order_id.iloc[0]))
    # Different seeds, so different logs: answers cannot be copied.
    assert len(seeds) == len(first_orders) == len(STUDENTS)
    assert all(s >= 2**32 for s in seeds)             # not guessable small integers


def test_perfect_empty_and_random_answers_grade_one_zero_and_the_base_rate(lab, answers,
                                                                           capsys):
    result = _grade_json(capsys, *(answers / f"{s}.csv" for s in STUDENTS), "--key", lab)
    assert result["errors"] == []
    grades = {g["student"]: g for g in result["grades"]}
    assert set(grades) == set(STUDENTS)

    perfect, empty, random = grades["s01"], grades["s02"], grades["s03"]
    assert perfect["form"] == "flagged" and perfect["score"] == 1.0
    assert perfect["missed"] == [] and perfect["false_alarms"]["all"]["flagged"] == 0
    assert all(e["recall"] == 1.0 for e in perfect["per_pattern"].values())

    assert empty["form"] == "flagged" and empty["score"] == 0.0
    key = load_key(lab / "key" / "s02")
    assert sorted(empty["missed"]) == sorted(key.campaigns.campaign_id)
    assert set(empty["per_pattern"]) == set(key.campaigns.pattern)

    assert random["form"] == "scores" and random["score_name"] == "average_precision"
    base = random["base_rate"]
    assert base == pytest.approx(load_key(lab / "key" / "s03").labels.is_brushing.mean())
    assert abs(random["score"] - base) < 0.5 * base


def test_a_single_submission_names_its_student_and_prints_a_breakdown(lab, answers, capsys):
    code = main(["grade", str(answers / "s02.csv"), "--key", str(lab / "key"), "--student",
                 "s02"])
    out = capsys.readouterr().out
    assert code == 0
    assert "score  0.000" in out and "missed campaigns" in out
    for pattern in load_key(lab / "key" / "s02").campaigns.pattern:
        assert pattern in out


def test_shops_and_buyers_in_the_shopee_format_grade_one_and_zero(lab, tmp_path, capsys):
    key = load_key(lab / "key" / "s01")
    orders = key.order_index.merge(key.labels, on="order_id")
    fake = orders[orders.is_brushing]
    shops = sorted(set(orders.shop_id))
    buyers = fake.groupby("shop_id").buyer_id.agg(lambda b: "&".join(map(str, sorted(set(b)))))
    rows = [f"{s},{buyers.get(s, 0)}" for s in shops]
    (tmp_path / "s01.csv").write_text("shopid,userid\n" + "\n".join(rows) + "\n")
    perfect = _grade_json(capsys, tmp_path / "s01.csv", "--key", lab)
    assert perfect["form"] == "shops" and perfect["score"] == 1.0
    assert perfect["metrics"]["scl2020_weighted_accuracy"] == 1.0

    (tmp_path / "s01.csv").write_text("shopid,userid\n" + "".join(f"{s},0\n" for s in shops))
    blank = _grade_json(capsys, tmp_path / "s01.csv", "--key", lab)
    assert blank["score"] == 0.0 and blank["metrics"]["pairs_named"] == 0
    # The competition's own score gives a blank answer the clean shops' share of the weight.
    assert 0 < blank["metrics"]["scl2020_weighted_accuracy"] < 1
    assert sorted(blank["missed"]) == sorted(key.campaigns.campaign_id)


def test_a_student_checks_their_file_against_their_log_without_the_key(lab, answers, capsys):
    code = main(["grade", str(answers / "s03.csv"), "--check",
                 str(lab / "students" / "s03" / "data")])
    out = capsys.readouterr()
    assert code == 0 and "ok, read as order scores" in out.out
    code = main(["grade", str(answers / "s03.csv"), "--check",
                 str(lab / "students" / "s01" / "data")])
    err = capsys.readouterr().err
    assert code == 2 and f"{answers / 's03.csv'}:2: order_id:" in err
    assert "is not an order of this dataset" in err


def test_a_lab_is_not_replaced_without_overwrite(lab, capsys):
    before = (lab / "key" / "lab.json").read_bytes()
    code = main(["lab", "new", str(lab), "--students", "2"])
    err = capsys.readouterr().err
    assert code == 2 and "--overwrite" in err and "Traceback" not in err
    assert (lab / "key" / "lab.json").read_bytes() == before


def test_same_lab_seed_makes_the_same_lab(lab, tmp_path, capsys):
    seed = json.loads((lab / "key" / "lab.json").read_text())["seed"]
    code = main(["lab", "new", str(tmp_path / "lab1"), "--students", "1", "--seed", str(seed)])
    capsys.readouterr()
    assert code == 0
    again = tmp_path / "lab1" / "students" / "s01" / "data" / "manifest.json"
    assert again.read_bytes() == (lab / "students" / "s01" / "data" / "manifest.json").read_bytes()


def test_a_roster_names_the_students_and_its_mistakes_name_the_line(tmp_path, capsys):
    roster = tmp_path / "class.txt"
    roster.write_text("# spring class\nada\n\ngrace_h  # lab partner of ada\n")
    code = main(["lab", "new", str(tmp_path / "lab"), "--roster", str(roster), "--scale",
                 "0.1", "--seed", "9"])
    capsys.readouterr()
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "lab" / "students").iterdir()) == ["ada",
                                                                                "grace_h"]
    roster.write_text("ada\nbob smith\n")
    code = main(["lab", "new", str(tmp_path / "lab2"), "--roster", str(roster)])
    assert code == 2 and f"{roster}:2: 'bob smith' is not a usable student id" in \
        capsys.readouterr().err
    roster.write_text("ada\n\nada\n")
    code = main(["lab", "new", str(tmp_path / "lab2"), "--roster", str(roster)])
    assert code == 2 and f"{roster}:3: student 'ada' is listed again (first at line 1)" in \
        capsys.readouterr().err
    assert not (tmp_path / "lab2").exists()
