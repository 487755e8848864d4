"""``brushbench explain``: a brushing order and a legitimate one, with and without the key."""

from __future__ import annotations

import json

import pytest

from brushbench.cli import main
from brushbench.teaching.explain import TRACES, explain_order, pattern_traces
from brushbench.teaching.keys import load_with_key


@pytest.fixture(scope="module")
def data(lab):
    return load_with_key(lab / "students" / "s01" / "data", lab / "key" / "s01")


def _explain(capsys, *argv):
    code = main(["explain", *map(str, argv), "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def test_a_naive_self_purchase_order_is_given_away_by_its_own_traces(data, lab, capsys):
    labels = data.labels
    order = int(labels.order_id[labels.pattern == "self_purchase"].iloc[0])
    # The lab's key folder is enough: the student is found from the dataset's manifest hash.
    e = _explain(capsys, lab / "students" / "s01" / "data", "--order", order, "--key",
                 lab / "key")
    v = e["verdict"]
    assert v["known"] and v["brushing"] and v["pattern"] == "self_purchase"
    assert v["campaign_id"] == labels.campaign_id[labels.order_id == order].iloc[0]
    assert v["beneficiary_shop_id"] == e["order"]["shop_id"]
    assert {"account", "shop"} <= {r["entity_type"] for r in v["roles"]}
    # A naive ring: its own traces stand out, and every one listed is one of the pattern's.
    assert len(e["gives_away"]) >= 3
    assert set(e["gives_away"]) <= set(pattern_traces("self_purchase"))
    traces = {t["name"]: t for t in e["traces"]}
    assert set(traces) == set(TRACES)
    assert traces["device"]["value"] > 1 and traces["account_age"]["value"] < 60


def test_a_flash_sale_split_order_is_legitimate_and_explained_by_its_kind(data):
    labels = data.labels
    for kind in ("split_order", "flash_sale"):
        order = int(labels.order_id[labels.legit_kind == kind].iloc[0])
        e = explain_order(data, order)
        assert e["verdict"] == {**e["verdict"], "known": True, "brushing": False,
                                "legit_kind": kind, "pattern": None, "campaign_id": None}
        assert e["gives_away"] == [] and e["hidden"] == []
        assert "price" in e["explained"]     # half price: the sale, not a supplier's buy-back


def test_without_the_key_only_the_traces(data, lab, capsys):
    labels = data.labels
    order = int(labels.order_id[labels.pattern == "click_farm"].iloc[0])
    e = _explain(capsys, lab / "students" / "s01" / "data", "--order", order)
    assert e["verdict"] == {"known": False}
    assert e["gives_away"] == [] and "device" in e["other_unusual"]
    code = main(["explain", str(lab / "students" / "s01" / "data"), "--order", str(order)])
    out = capsys.readouterr().out
    assert code == 0 and "unknown without the answer key" in out and "shared device" in out


def test_an_unknown_order_is_one_line(lab, capsys):
    code = main(["explain", str(lab / "students" / "s01" / "data"), "--order", "12345"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "order 12345 is not in this dataset" in err and "Traceback" not in err
