"""Every section of ``score_orders`` on the hand-made table of ``metrics_helpers.HAND``.

The table, most suspicious first (score, brushing, pattern, campaign, kind, buyer, shop):

    row  9 B self_purchase c1   b1 s1     row  5 . household   b4 s4
    row  8 B self_purchase c1   b1 s1     row  5 . organic     b5 s4
    row  8 . flash_sale         b2 s2     row  4 B click_farm c3 b6 s2
    row  7 B click_farm   c2    b3 s3     rows 3 3 2 2 2 1 . organic  b7 s6
    row  6 . household          b4 s3     rows 1 1 0 . organic, 0 0 bulk, 0 split_order  b8 s7

n = 20, P = 4, N = 16. Campaigns: c1 (self_purchase, camouflage 0), c2 (click_farm, 0.5),
c3 (click_farm, 1), c4 (supplier_buyback, 0.5, no orders). Budgets 10% (k = 2) and 25% (k = 5);
the review budget is 25%.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from brushbench.metrics import is_undefined, score_orders

from metrics_helpers import hand_tables

BUDGETS = (0.1, 0.25)


@pytest.fixture
def hand():
    return hand_tables()


def _score(hand, scores=None, **kw):
    kw.setdefault("budgets", BUDGETS)
    kw.setdefault("review_budget", 0.25)
    return score_orders(hand["labels"], hand["scores"] if scores is None else scores,
                        orders=hand["orders"], **kw)


def _full(hand, **kw):
    return _score(hand, entity_labels=hand["entity_labels"], campaigns=hand["campaigns"], **kw)


def _leaves(tree):
    if isinstance(tree, dict) and not is_undefined(tree):
        for v in tree.values():
            yield from _leaves(v)
    else:
        yield tree


def _reason(leaf):
    assert is_undefined(leaf), leaf
    return leaf["reason"]


# -- orders ----------------------------------------------------------------------------------------

def test_orders_section(hand):
    o = _full(hand)["orders"]
    assert o["n_orders"] == 20 and o["n_positive"] == 4
    assert o["base_rate"] == pytest.approx(4 / 20)
    # positives at 9, 8, 7, 4 with 1, 3, 4, 8 orders at or above: (1 + 2/3 + 3/4 + 4/8) / 4
    assert o["average_precision"] == pytest.approx(35 / 48)
    # pairs won: 16 + (15 + 1/2) + 15 + 12 out of 4 * 16
    assert o["roc_auc"] == pytest.approx(58.5 / 64)
    # top 2: the 9 and one slot for the two orders at 8 (one brushing): 1 + 1/2 true alerts
    assert o["precision_at_10pct"] == pytest.approx(1.5 / 2)
    assert o["recall_at_10pct"] == pytest.approx(1.5 / 4)
    # top 5: 9, 8, 8, 7, 6 -> 3 brushing
    assert o["precision_at_25pct"] == pytest.approx(3 / 5)
    assert o["recall_at_25pct"] == pytest.approx(3 / 4)
    assert o["recall_at_1pct_fpr"] == pytest.approx(0.29)


def test_default_budgets_name_their_keys(hand):
    o = score_orders(hand["labels"], hand["scores"], orders=hand["orders"])["orders"]
    # 20 orders: every default budget reviews 1 order, the 9 (brushing)
    for label in ("0p5pct", "1pct", "5pct"):
        assert o[f"precision_at_{label}"] == 1.0
        assert o[f"recall_at_{label}"] == pytest.approx(1 / 4)


# -- per pattern -----------------------------------------------------------------------------------

def test_per_pattern(hand):
    pp = _full(hand)["per_pattern"]
    assert list(pp) == ["click_farm", "self_purchase", "supplier_buyback"]
    sp, cf, sb = pp["self_purchase"], pp["click_farm"], pp["supplier_buyback"]
    assert sp["n_orders"] == 2 and cf["n_orders"] == 2 and sb["n_orders"] == 0
    # top 2: the 9 and half of the 8
    assert sp["recall_at_10pct"] == pytest.approx(1.5 / 2)
    assert sp["recall_at_25pct"] == 1.0
    assert cf["recall_at_10pct"] == 0.0          # a real zero: both are below the cut
    assert cf["recall_at_25pct"] == pytest.approx(1 / 2)
    # self_purchase against legitimate orders only: (1/1 + 2/3) / 2
    assert sp["average_precision"] == pytest.approx(5 / 6)
    # click_farm (7, 4) against legitimate orders: at 7 one legit above (8): 1/2;
    # at 4: four legit at or above (8, 6, 5, 5): 2/6
    assert cf["average_precision"] == pytest.approx((1 / 2 + 2 / 6) / 2)
    for key in ("recall_at_10pct", "recall_at_25pct", "average_precision"):
        assert _reason(sb[key]) == "no orders of this pattern"


def test_patterns_without_a_campaigns_table_are_those_of_the_orders(hand):
    assert list(_score(hand)["per_pattern"]) == ["click_farm", "self_purchase"]


# -- per camouflage --------------------------------------------------------------------------------

def test_per_camouflage(hand):
    pc = _full(hand)["per_camouflage"]
    assert list(pc) == ["0", "0p5", "1"]
    assert pc["0"] == {"camouflage": 0.0, "n_orders": 2, "n_campaigns": 1, "recall_at_25pct": 1.0}
    # level 0.5: c2's order (7) is in the top 5; c4 has no orders
    assert pc["0p5"] == {"camouflage": 0.5, "n_orders": 1, "n_campaigns": 1,
                         "recall_at_25pct": 1.0}
    assert pc["1"] == {"camouflage": 1.0, "n_orders": 1, "n_campaigns": 1, "recall_at_25pct": 0.0}


def test_per_camouflage_shares_ties(hand):
    # review budget 10%: top 2 = the 9 and half of the two 8s -> level 0 recall (1 + 1/2) / 2
    pc = _full(hand, review_budget=0.1)["per_camouflage"]
    assert pc["0"]["recall_at_10pct"] == pytest.approx(0.75)
    assert pc["0p5"]["recall_at_10pct"] == 0.0


def test_a_level_without_orders_is_undefined(hand):
    hand["campaigns"].loc[3, "camouflage"] = 0.75
    pc = _full(hand)["per_camouflage"]
    assert pc["0p75"]["n_orders"] == 0
    assert _reason(pc["0p75"]["recall_at_25pct"]) == "no orders at this camouflage level"


def test_per_camouflage_needs_campaigns(hand):
    assert _reason(_score(hand)["per_camouflage"]) == "campaigns not given"


def test_a_campaign_missing_from_the_campaigns_table_is_an_error(hand):
    campaigns = hand["campaigns"].iloc[1:]
    with pytest.raises(ValueError, match="'c1'"):
        _score(hand, campaigns=campaigns)


# -- false alarms ----------------------------------------------------------------------------------

def test_false_alarms(hand):
    fa = _full(hand)["false_alarms"]
    assert list(fa) == ["organic", "flash_sale", "split_order", "bulk", "household", "redirect",
                        "all"]
    # top 5: 9 B, 8 B, 8 flash_sale, 7 B, 6 household
    assert fa["flash_sale"] == {"n_orders": 1, "flagged_at_25pct": 1.0, "rate_at_25pct": 1.0}
    assert fa["household"] == {"n_orders": 2, "flagged_at_25pct": 1.0, "rate_at_25pct": 0.5}
    assert fa["organic"] == {"n_orders": 10, "flagged_at_25pct": 0.0, "rate_at_25pct": 0.0}
    assert fa["bulk"]["n_orders"] == 2 and fa["bulk"]["rate_at_25pct"] == 0.0
    assert fa["split_order"]["n_orders"] == 1
    assert fa["redirect"]["n_orders"] == 0 and fa["redirect"]["flagged_at_25pct"] == 0.0
    assert _reason(fa["redirect"]["rate_at_25pct"]) == "no orders of this kind"
    assert fa["all"] == {"n_orders": 16, "flagged_at_25pct": 2.0, "rate_at_25pct": 2 / 16}


def test_false_alarms_share_ties(hand):
    # top 2: the flash-sale order is tied at 8 with a brushing one for the last slot: 1/2
    fa = _full(hand, review_budget=0.1)["false_alarms"]
    assert fa["flash_sale"]["rate_at_10pct"] == pytest.approx(0.5)
    assert fa["all"]["flagged_at_10pct"] == pytest.approx(0.5)


# -- campaigns -------------------------------------------------------------------------------------

def test_campaigns(hand):
    c = _full(hand)["campaigns"]
    # top 5 holds orders of c1 and c2, not c3 (4); c4 has no orders
    assert c["n_campaigns"] == 3 and c["n_campaigns_without_orders"] == 1
    assert c["caught_at_25pct"] == 2.0
    assert c["recall_at_25pct"] == pytest.approx(2 / 3)
    per = c["per_pattern"]
    assert per["self_purchase"] == {"n_campaigns": 1, "caught_at_25pct": 1.0,
                                    "recall_at_25pct": 1.0}
    assert per["click_farm"] == {"n_campaigns": 2, "caught_at_25pct": 1.0,
                                 "recall_at_25pct": 0.5}
    assert per["supplier_buyback"]["n_campaigns"] == 0
    assert _reason(per["supplier_buyback"]["recall_at_25pct"]) == (
        "no campaign of this pattern has orders here")


def test_a_campaign_only_in_the_tie_is_caught_with_its_probability():
    # Five orders at 5 and one at 1; top 2 = two of the five tied orders, drawn at random.
    # Campaign c1 has two of them: missed only if both picks are among the other three:
    # 1 - C(3, 2) / C(5, 2) = 1 - 3/10.
    n = 6
    labels = pd.DataFrame({"order_id": np.arange(n), "is_brushing": [1, 1, 1, 0, 0, 0],
                           "pattern": ["click_farm"] * 3 + [None] * 3,
                           "campaign_id": ["c1", "c1", "c2", None, None, None],
                           "legit_kind": [None] * 3 + ["organic"] * 3})
    orders = pd.DataFrame({"order_id": np.arange(n)})
    s = np.array([5, 5, 1, 5, 5, 5], float)
    c = score_orders(labels, s, orders=orders, review_budget=2 / 6)["campaigns"]
    caught = c["per_pattern"]["click_farm"]
    key = next(k for k in caught if k.startswith("caught_at_"))
    assert caught[key] == pytest.approx(1 - 3 / 10)        # c1; c2 (at 1) is never caught


# -- buyers and shops ------------------------------------------------------------------------------

def test_buyers_from_order_scores(hand):
    b = _full(hand)["buyers"]
    # buyer max scores: b1 9 (+), b2 8, b3 7 (+), b4 6, b5 5, b6 4 (+), b7 3, b8 1
    assert b["source"] == "max_order_score"
    assert (b["n_entities"], b["n_positive"], b["n_positive_without_orders"]) == (8, 3, 1)
    assert b["base_rate"] == pytest.approx(3 / 8)
    assert b["average_precision"] == pytest.approx((1 + 2 / 3 + 3 / 6) / 3)
    assert b["roc_auc"] == pytest.approx((5 + 4 + 2) / 15)


def test_shops_from_order_scores_victims_are_negative(hand):
    s = _full(hand)["shops"]
    # shop max scores: s1 9 (+), s2 8 (victim: negative), s3 7 (+), s4 5, s6 3, s7 1;
    # s5 (culprit) has no orders and is ignored.
    assert (s["n_entities"], s["n_positive"], s["n_positive_without_orders"]) == (6, 2, 1)
    assert s["average_precision"] == pytest.approx((1 + 2 / 3) / 2)
    assert s["roc_auc"] == pytest.approx(7 / 8)


def test_buyers_from_the_detectors_own_scores(hand):
    i = hand["id"]
    given = pd.Series({i("b1"): 0.1, i("b2"): 0.9, i("b3"): 0.8, i("b6"): 0.7,
                       i("b99"): 1.0})                  # b99 never ordered: ignored
    b = _full(hand, buyer_scores=given)["buyers"]
    assert b["source"] == "detector"
    assert b["n_entities"] == 8 and b["n_unscored"] == 4   # b4, b5, b7, b8 rank last
    # ranking: b2 (-), b3 (+), b6 (+), b1 (+), then the four unscored
    assert b["average_precision"] == pytest.approx((1 / 2 + 2 / 3 + 3 / 4) / 3)


def test_entity_scores_with_a_duplicated_index_are_refused(hand):
    given = pd.Series([1.0, 2.0], index=[hand["id"]("b1")] * 2)
    with pytest.raises(ValueError, match="duplicated"):
        _full(hand, shop_scores=given)


def test_entities_need_entity_labels(hand):
    r = _score(hand)
    assert r["buyers"]["source"] == "max_order_score"
    assert _reason(r["buyers"]["average_precision"]) == "entity_labels not given"
    assert _reason(r["shops"]["n_entities"]) == "entity_labels not given"


def test_no_positive_entity_is_undefined(hand):
    el = hand["entity_labels"]
    r = _score(hand, entity_labels=el[el["entity_type"] != "account"])
    assert r["buyers"]["n_positive"] == 0
    assert "no positive buyers" in _reason(r["buyers"]["average_precision"])


# -- predictions -----------------------------------------------------------------------------------

def test_predictions(hand):
    alerts = np.zeros(20, dtype=int)
    alerts[[0, 2, 3]] = 1                               # two brushing, one flash sale
    p = _full(hand, predictions=alerts)["predictions"]
    assert (p["n_alerts"], p["true_alerts"]) == (3, 2)
    assert p["precision"] == pytest.approx(2 / 3)
    assert p["recall"] == pytest.approx(2 / 4)
    assert p["f1"] == pytest.approx(2 * 2 / (2 * 2 + 1 + 2))


def test_predictions_without_alerts(hand):
    p = _full(hand, predictions=np.zeros(20, dtype=bool))["predictions"]
    assert _reason(p["precision"]) == "no alerts"
    assert p["recall"] == 0.0 and p["f1"] == 0.0


def test_predictions_not_given(hand):
    p = _full(hand)["predictions"]
    assert all(_reason(v) == "no predictions given" for v in p.values())


def test_predictions_must_be_zero_or_one(hand):
    with pytest.raises(ValueError, match="0/1"):
        _full(hand, predictions=hand["scores"])


# -- undefined values ------------------------------------------------------------------------------

def test_no_positive_order(hand):
    hand["labels"]["is_brushing"] = False
    r = _full(hand)
    o = r["orders"]
    for key in ("average_precision", "roc_auc", "recall_at_10pct", "recall_at_1pct_fpr"):
        assert _reason(o[key]) == "no positive orders"
    assert o["precision_at_10pct"] == 0.0          # defined: every alert was a false one
    assert r["campaigns"]["n_campaigns"] == 0
    assert _reason(r["campaigns"]["recall_at_25pct"]) == "no campaign has orders here"


def test_no_legitimate_order(hand):
    hand["labels"]["is_brushing"] = True
    r = _full(hand)
    assert _reason(r["orders"]["roc_auc"]) == "no legitimate orders"
    assert _reason(r["orders"]["recall_at_1pct_fpr"]) == "no legitimate orders"
    assert r["orders"]["average_precision"] == 1.0
    assert _reason(r["false_alarms"]["all"]["rate_at_25pct"]) == "no legitimate orders"


def test_the_result_is_strict_json_without_nan(hand):
    alerts = np.zeros(20, dtype=int)
    r = _full(hand, predictions=alerts)
    text = json.dumps(r, allow_nan=False)
    assert json.loads(text) == r
    for leaf in _leaves(r):
        assert is_undefined(leaf) or isinstance(leaf, str) or (
            type(leaf) in (int, float) and math.isfinite(leaf)), leaf


def test_no_key_has_a_dot(hand):
    def keys(tree):
        if isinstance(tree, dict):
            for k, v in tree.items():
                yield k
                yield from keys(v)
    assert not [k for k in keys(_full(hand)) if "." in k]


# -- inputs ----------------------------------------------------------------------------------------

def test_labels_in_another_row_order_give_the_same_result(hand):
    expected = _full(hand)
    perm = np.random.default_rng(3).permutation(20)
    hand["labels"] = hand["labels"].iloc[perm].reset_index(drop=True)
    assert _full(hand) == expected


def test_a_series_indexed_by_order_id_in_row_order_is_accepted(hand):
    s = pd.Series(hand["scores"], index=hand["orders"]["order_id"].to_numpy())
    assert _full(hand, scores=s) == _full(hand)


def test_a_misaligned_series_is_refused(hand):
    s = pd.Series(hand["scores"], index=hand["orders"]["order_id"].to_numpy()[::-1])
    with pytest.raises(ValueError, match="align it"):
        _full(hand, scores=s)


@pytest.mark.parametrize("bad", [np.zeros(19), np.zeros(21), np.zeros((20, 1))])
def test_a_length_mismatch_is_refused(hand, bad):
    with pytest.raises(ValueError, match=r"scores has shape .* expected one value per row"):
        _full(hand, scores=bad)


def test_predictions_of_the_wrong_length_are_refused(hand):
    with pytest.raises(ValueError, match="predictions has shape"):
        _full(hand, predictions=np.zeros(3))


def test_labels_must_cover_the_orders(hand):
    with pytest.raises(ValueError, match="must cover exactly"):
        score_orders(hand["labels"].iloc[:19], hand["scores"], orders=hand["orders"])
    labels = hand["labels"].copy()
    labels.loc[0, "order_id"] = -1
    with pytest.raises(ValueError, match="1 orders have no label"):
        score_orders(labels, hand["scores"], orders=hand["orders"])


def test_no_orders_is_an_error(hand):
    with pytest.raises(ValueError, match="no orders"):
        score_orders(hand["labels"].iloc[:0], np.zeros(0), orders=hand["orders"].iloc[:0])


def test_bad_budgets_are_refused(hand):
    with pytest.raises(ValueError, match="budget"):
        _full(hand, budgets=(0.01, 2.0))


def test_optional_label_columns_may_be_missing(hand):
    labels = hand["labels"][["order_id", "is_brushing"]]
    r = score_orders(labels, hand["scores"], orders=hand["orders"], review_budget=0.25)
    assert list(r["per_pattern"]) == ["unspecified"]
    assert r["per_pattern"]["unspecified"]["n_orders"] == 4
    assert r["false_alarms"]["unspecified"]["n_orders"] == 16
    assert r["campaigns"]["n_campaigns"] == 0
