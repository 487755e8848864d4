"""Reading submissions: the three forms told apart by the header, and every mistake one line
naming the file and line, exit 2, never a traceback. Grading invariants on random answers."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brushbench.cli import main
from brushbench.teaching.grading import grade
from brushbench.teaching.keys import load_key
from brushbench.teaching.submission import SubmissionError, read_submission


@pytest.fixture(scope="module")
def key(lab):
    return load_key(lab / "key" / "s01")


@pytest.fixture(scope="module")
def ids(key):
    """Three order ids of the key (as text), a shop with orders and a buyer of it."""
    index = key.order_index
    return {"o": [str(i) for i in index.order_id[:3]], "shop": str(index.shop_id.iloc[0]),
            "buyer": str(index.buyer_id.iloc[0])}


def _error(tmp_path, key, text: str, *, form=None, name="s01.csv") -> str:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(SubmissionError) as info:
        read_submission(path, key.order_index, form=form)
    message = str(info.value)
    assert "\n" not in message
    return message.replace(str(path), "FILE")


def test_each_mistake_names_the_file_and_line(tmp_path, key, ids):
    a, b, _ = ids["o"]
    cases = {
        "": "FILE:1: the file is empty",
        "\n \n": "FILE:1: the file is empty",
        f"{a},0.5\n{b},0.2\n": "FILE:1: no header line",
        f"orders,value\n{a},1\n": "FILE:1: expected a header with order_id",
        f"order_id\n{a}\n{b}\n123\n": "FILE:4: order_id: 123 is not an order of this dataset",
        f"order_id\n{a}\nabc\n": "FILE:3: order_id: expected an order id (digits), found 'abc'",
        f"order_id\n{a}\n\n\n123\n": "FILE:5: order_id: 123 is not an order",
        f"order_id,score\n{a},0.1\n,0.2\n": "FILE:3: order_id is empty",
        f"order_id\n{a}\n{b}\n{a}\n": f"FILE:4: order {a} is listed again (first at line 2)",
        f"order_id,score\n{a},0.1\n{b},high\n": "FILE:3: score: expected a finite number",
        f"order_id,score\n{a},nan\n": "FILE:2: score: expected a finite number",
        f"order_id,score\n{a},0.1\n{b},0.2,7\n": "FILE:3: expected 2 field(s) like the header",
        f"order_id,flagged\n{a},1\n{b},maybe\n": "at line 3",
        f"shopid,userid\n{ids['shop']},{ids['buyer']}&x\n": "FILE:2: userid: expected 0",
        f"shopid,userid\n{ids['shop']},12345\n": "FILE:2: userid: 12345 is not a buyer",
        "shopid,userid\n77,0\n": "FILE:2: shopid: 77 is not a shop with orders",
        f"shop_id,buyer_id\n{ids['shop']},{ids['buyer']}\n{ids['shop']},{ids['buyer']}\n":
            "FILE:3: buyer",
        f"shopid\n{ids['shop']}\n": "FILE:1: shops need their buyers",
    }
    for text, expected in cases.items():
        message = _error(tmp_path, key, text)
        assert expected in message, (text, message)


def test_the_form_is_told_from_the_header_or_given(tmp_path, key, ids):
    a, b, _ = ids["o"]
    path = tmp_path / "s01.csv"
    path.write_text(f" Order_ID , Score \n{a},0.9\n{b},0.1\n")
    partial = read_submission(path, key.order_index)
    assert partial.form == "flagged" and partial.flagged.sum() == 2  # leaves orders out
    scores = read_submission(path, key.order_index, form="scores")
    assert scores.form == "scores" and np.isinf(scores.scores).sum() == len(key.order_index) - 2
    path.write_text("order_id,flagged,notes\n" + f"{a},1,x\n{b},0,y\n")
    flags = read_submission(path, key.order_index)
    assert flags.form == "flagged" and flags.flagged.sum() == 1 and flags.ignored == ["notes"]
    assert "order scores need a score column" in _error(tmp_path, key, f"order_id\n{a}\n",
                                                        form="scores")


def test_the_command_prints_one_line_and_exits_2(tmp_path, lab, capsys, ids):
    path = tmp_path / "s01.csv"
    path.write_text(f"order_id\n{ids['o'][0]}\n999\n")
    code = main(["grade", str(path), "--key", str(lab / "key")])
    err = capsys.readouterr().err
    assert code == 2 and err.strip() == (f"{path}:3: order_id: 999 is not an order of this "
                                         "dataset (is this the right student's key?)")
    code = main(["grade", str(path), "--key", str(lab / "key"), "--json"])
    out = capsys.readouterr()
    assert code == 2 and json.loads(out.out) == {"submission": str(path),
                                                 "error": out.err.strip()}
    # Graded against another student's key, the first order already fails.
    code = main(["grade", str(path), "--key", str(lab / "key"), "--student", "s02"])
    err = capsys.readouterr().err
    assert code == 2 and f"{path}:2:" in err and "Traceback" not in err
    code = main(["grade", str(tmp_path / "bob.csv"), "--key", str(lab / "key")])
    err = capsys.readouterr().err
    assert code == 2 and "'bob' is not a student" in err and len(err.strip().splitlines()) == 1
    code = main(["grade", str(path), "--key", str(lab / "students" / "s01" / "data")])
    err = capsys.readouterr().err
    assert code == 2 and "is a dataset folder, not an answer key" in err


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), share=st.floats(0, 1))
def test_grades_of_any_flagged_set_add_up(key, seed, share):
    rng = np.random.default_rng(seed)
    n = len(key.order_index)
    flagged = rng.random(n) < share
    sub = _flagged(key, flagged)
    result = grade(sub, key)
    m = result["metrics"]
    y = key.labels.set_index("order_id").is_brushing.reindex(key.order_index.order_id).to_numpy()
    assert m["true_positives"] == int((flagged & y).sum())
    assert m["false_positives"] == int((flagged & ~y).sum())
    assert 0.0 <= result["score"] <= 1.0
    assert sum(e["found"] for e in result["per_pattern"].values()) == m["true_positives"]
    assert result["false_alarms"]["all"]["flagged"] == m["false_positives"]
    missed = {c["campaign_id"] for c in result["campaigns"] if c["found"] == 0}
    assert set(result["missed"]) == missed


def _flagged(key, flagged):
    from brushbench.teaching.submission import Submission

    return Submission(path=key.folder / "generated.csv", form="flagged", rows=int(flagged.sum()),
                      flagged=flagged)
