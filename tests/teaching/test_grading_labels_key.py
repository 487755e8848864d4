"""Grading against a key given as a labels file about a real order log (not one brushbench made):
order, shop and buyer level, and the SCL 2020 ``shopid,userid`` answer. Each grade says what the
key cannot give instead of printing an empty or ``None`` breakdown.

The log: shop 1 is brushed by buyers 11 and 12 (orders 101-103), shop 3 by buyer 13 (order 107);
buyer 11 also orders legitimately at shop 2 (order 109). Nine (shop, buyer) pairs ordered, three
of them brushing.
"""

from __future__ import annotations

import json

import pytest

from brushbench.cli import main
from brushbench.teaching.grading import grade
from brushbench.teaching.keys import AnswerKeyError, key_from_labels
from brushbench.teaching.render import render_grade
from brushbench.teaching.submission import read_submission

LOG_SCL = """\
orderid,shopid,userid,event_time
101,1,11,2019-12-27 00:00:00
102,1,11,2019-12-27 00:10:00
103,1,12,2019-12-27 00:20:00
104,1,20,2019-12-27 01:00:00
105,2,20,2019-12-27 02:00:00
106,2,21,2019-12-27 03:00:00
107,3,13,2019-12-27 04:00:00
108,3,22,2019-12-27 05:00:00
109,2,11,2019-12-27 06:00:00
110,3,21,2019-12-27 07:00:00
"""
#: The same log with brushbench's column names (no mapping needed).
LOG = LOG_SCL.replace("orderid,shopid,userid,event_time", "order_id,shop_id,buyer_id,created_at")
SCL_KEY = "shopid,userid\n1,11&12\n2,0\n3,13\n"
ORDER_KEY = """\
order_id,is_brushing,pattern,campaign_id,legit_kind
101,1,click_farm,c1,
102,1,click_farm,c1,
103,1,click_farm,c1,
104,0,,,organic
105,0,,,organic
106,0,,,flash_sale
107,1,self_purchase,c2,
108,0,,,organic
109,0,,,organic
110,0,,,organic
"""
#: SCL weighted accuracy of SUB_PAIRS: shop 1 wrong (weight 1), shop 2 right (clean, 0.005),
#: shop 3 right (1).
SCL_ACCURACY = 1.005 / 2.005


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.setenv("BRUSHBENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    contents = {
        "log_scl.csv": LOG_SCL, "log.csv": LOG, "scl_key.csv": SCL_KEY,
        "order_key.csv": ORDER_KEY,
        "order_list_key.csv": "order_id\n101\n107\n",
        # 104 and 110 are not listed: no label
        "partial_key.csv": "order_id,is_brushing\n101,1\n102,1\n103,1\n105,0\n106,0\n107,1\n"
                           "108,0\n109,0\n",
        "shop_key.csv": "shop_id\n1\n3\n",
        "buyer_key.csv": "buyer_id,is_brushing\n11,1\n12,yes\n13,1\n20,0\n",
        "pairs.csv": "shopid,userid\n1,11\n2,0\n3,13\n",
        "flagged.csv": "order_id\n101\n102\n104\n",
        "scores.csv": "order_id,score\n" + "".join(
            f"{o},{s}\n" for o, s in zip(range(101, 111), (9, 8, 1, 7, 2, 3, 6, 4, 5, 0),
                                         strict=True)),
    }
    for name, text in contents.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def _grade(capsys, *argv: str) -> dict:
    assert main(["grade", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _text(capsys, *argv: str) -> str:
    assert main(["grade", *argv]) == 0
    out = capsys.readouterr().out
    assert "None" not in out
    return out


def test_scl_pairs_key_grades_pairs_shops_buyers_and_the_scl_score(files, capsys):
    argv = ("pairs.csv", "--key", "scl_key.csv", "--data", "log_scl.csv", "--columns",
            "scl2020")
    g = _grade(capsys, *argv)
    m = g["metrics"]
    assert g["score_name"] == "pair_f1" and g["unit"] == "pairs"
    assert (m["pairs_true"], m["pairs_named"], m["pairs_found"]) == (3, 2, 2)
    assert g["score"] == pytest.approx(0.8)
    assert g["base_rate"] == pytest.approx(3 / 9)
    assert m["shops"]["f1"] == 1.0 and m["buyers"]["recall"] == pytest.approx(2 / 3)
    assert m["scl2020_weighted_accuracy"] == pytest.approx(SCL_ACCURACY)
    assert g["false_alarms"]["all"] == {"n": 6, "flagged": 0.0, "rate": 0.0}
    assert g["per_pattern"] is None and g["campaigns"] is None and g["missed"] is None
    assert g["not_available"]["per_pattern"] == "the key has no patterns"
    assert g["key"]["level"] == "shop+buyer"
    text = _text(capsys, *argv)
    assert "per pattern: not available: the key has no patterns" in text
    assert "campaigns: not available: the key has no campaigns" in text
    assert "Shopee 2020 score 0.501" in text


def test_a_true_pair_that_never_ordered_is_still_found(files, capsys):
    (files / "scl_key.csv").write_text("shopid,userid\n1,11&12\n2,0\n3,13&12\n")
    (files / "pairs.csv").write_text("shopid,userid\n1,11&12\n3,13&12\n")
    g = _grade(capsys, "pairs.csv", "--key", "scl_key.csv", "--data", "log_scl.csv",
               "--columns", "scl2020")
    assert g["score"] == 1.0 and g["metrics"]["scl2020_weighted_accuracy"] == 1.0
    assert "never_ordered" not in g["false_alarms"]


def test_order_key_with_patterns_grades_every_form_and_breakdown(files, capsys):
    g = _grade(capsys, "flagged.csv", "--key", "order_key.csv", "--data", "log.csv")
    m = g["metrics"]
    assert (m["true_positives"], m["false_positives"], m["false_negatives"]) == (2, 1, 2)
    assert g["score"] == pytest.approx(4 / 7)
    assert g["per_pattern"]["click_farm"]["recall"] == pytest.approx(2 / 3)
    assert g["per_pattern"]["self_purchase"]["found"] == 0
    assert g["missed"] == ["c2"]
    assert g["false_alarms"]["organic"]["flagged"] == 1
    assert "not_available" not in g
    text = _text(capsys, "flagged.csv", "--key", "order_key.csv", "--data", "log.csv")
    assert "c2 (self_purchase, 1 orders)" in text

    s = _grade(capsys, "scores.csv", "--key", "order_key.csv", "--data", "log.csv")
    assert s["score_name"] == "average_precision"
    # Ranked 101, 102, 104, 107, ...: brushing at ranks 1, 2, 4, then 103 last but one.
    assert s["score"] == pytest.approx((1 + 1 + 3 / 4 + 4 / 9) / 4)

    p = _grade(capsys, "pairs.csv", "--key", "order_key.csv", "--data", "log.csv")
    assert p["score"] == pytest.approx(0.8)
    assert p["metrics"]["scl2020_weighted_accuracy"] == pytest.approx(SCL_ACCURACY)
    assert p["per_pattern"]["self_purchase"] == {"n": 1, "found": 1.0, "recall": 1.0}


def test_order_list_key_has_no_patterns_and_says_so(files, capsys):
    g = _grade(capsys, "flagged.csv", "--key", "order_list_key.csv", "--data", "log.csv")
    assert g["score"] == pytest.approx(2 * 1 / (2 * 1 + 2 + 1))
    assert g["per_pattern"] is None
    assert set(g["not_available"]) == {"per_pattern", "campaigns", "false_alarms_per_kind"}
    assert set(g["false_alarms"]) == {"all"}
    assert "per kind: not available" in _text(capsys, "flagged.csv", "--key",
                                              "order_list_key.csv", "--data", "log.csv")


def test_unlabelled_orders_are_left_out_and_counted(files, capsys):
    g = _grade(capsys, "flagged.csv", "--key", "partial_key.csv", "--data", "log.csv")
    m = g["metrics"]
    assert m["orders_ungraded"] == 2
    # 104 (flagged) has no label: 101 and 102 right, 103 and 107 missed, no false alarm.
    assert (m["true_positives"], m["false_positives"], m["false_negatives"]) == (2, 0, 2)
    assert "2 order(s) have no label" in g["not_available"]["orders_ungraded"]


def test_shop_level_key_grades_shops_and_refuses_order_answers(files, capsys):
    g = _grade(capsys, "pairs.csv", "--key", "shop_key.csv", "--data", "log.csv")
    assert g["score_name"] == "shop_f1" and g["unit"] == "shops" and g["score"] == 1.0
    assert g["base_rate"] == pytest.approx(2 / 3)
    assert "buyers" not in g["metrics"] and "pair_f1" not in g["metrics"]
    assert g["false_alarms"] is None and "pairs" in g["not_available"]
    text = _text(capsys, "pairs.csv", "--key", "shop_key.csv", "--data", "log.csv")
    assert "false alarms: not available" in text
    assert main(["grade", "flagged.csv", "--key", "shop_key.csv", "--data", "log.csv"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("brushbench: error:") and len(err.splitlines()) == 1
    assert "the key labels shops, not orders" in err


def test_buyer_level_key_grades_buyers(files, capsys):
    g = _grade(capsys, "pairs.csv", "--key", "buyer_key.csv", "--data", "log.csv")
    assert g["score_name"] == "buyer_f1"
    assert g["score"] == pytest.approx(0.8)
    assert g["metrics"]["buyers"]["true"] == 3
    assert g["base_rate"] == pytest.approx(3 / 6)


def test_python_api_key_grades_without_a_pandas_error(files):
    key = key_from_labels(files / "log_scl.csv", files / "scl_key.csv", columns="scl2020")
    assert key.level == "shop+buyer" and len(key.true_pairs) == 3
    result = grade(read_submission(files / "pairs.csv", key.order_index), key)
    json.dumps(result)  # JSON-able
    assert "None" not in render_grade(result)


def test_labels_key_mistakes_are_one_line(files, capsys):
    assert main(["grade", "pairs.csv", "--key", "scl_key.csv"]) == 2
    assert "give the order log it is about with --data" in capsys.readouterr().err
    assert main(["grade", "pairs.csv", "--key", "scl_key.csv", "--data", str(files)]) == 2
    assert "not a folder" in capsys.readouterr().err
    (files / "bad_key.csv").write_text("foo\n1\n")
    assert main(["grade", "pairs.csv", "--key", "bad_key.csv", "--data", "log.csv"]) == 2
    err = capsys.readouterr().err.strip()
    assert "bad_key.csv" in err and len(err.splitlines()) == 1
    with pytest.raises(AnswerKeyError, match=r"bad_key\.csv"):
        key_from_labels(files / "log.csv", files / "bad_key.csv")
    (files / "keydir").mkdir()
    assert main(["grade", "pairs.csv", "--key", "keydir", "--columns", "scl2020"]) == 2
    assert "only apply with a labels file" in capsys.readouterr().err


def test_a_missing_labels_key_is_named_as_missing(files, capsys):
    assert main(["grade", "pairs.csv", "--key", "no_such_answer.csv", "--data", "log.csv",
                 "--columns", "scl2020"]) == 2
    err = capsys.readouterr().err.strip()
    assert "no_such_answer.csv: no such labels file" in err and len(err.splitlines()) == 1
