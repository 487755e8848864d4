"""``baselines/concentrate_rate.py``: the Shopee Code League 2020 rule, exactly.

The four worked examples of the competition, the window semantics on hand-built logs (both
ends included, every real start, not only windows anchored at an order), a property test
against a brute-force sweep, the detector on a bare SCL log through ``brushbench eval
--data``, and its quality on generated data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brushbench.cli import main
from brushbench.dataset import load
from brushbench.harness import Scores
from brushbench.results import read_results
from brushbench.userdata import import_log, log_view

from baseline_helpers import (
    baseline_file,
    checked_output,
    evaluate,
    load_baseline,
    pattern_ap,
)

SCL = Path(__file__).resolve().parents[1] / "external" / "scl2020"
CASES = ("case1", "case2", "case3", "case4")
HOUR = 3600


cr = load_baseline("concentrate_rate")


def _answers() -> dict[int, str]:
    answers = pd.read_csv(SCL / "answers.csv", dtype={"userid": str})
    return dict(zip(answers["shopid"], answers["userid"], strict=True))


def _log(shop, buyer, seconds) -> pd.DataFrame:
    """A log in the competition's columns, times in seconds."""
    return pd.DataFrame({"shopid": shop, "userid": buyer, "event_time": seconds})


# -- the competition's worked examples --------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_the_worked_examples_give_the_competitions_answers(case):
    log = pd.read_csv(SCL / f"{case}.csv")
    answer = cr.scl_answer(log)
    [shop] = log["shopid"].unique()
    assert answer.to_dict("list") == {"shopid": [shop], "userid": [_answers()[shop]]}


def test_the_examples_in_one_log_with_a_clean_shop():
    cases = [pd.read_csv(SCL / f"{c}.csv") for c in CASES]
    clean = pd.DataFrame({"orderid": [1, 2, 3], "shopid": [555] * 3, "userid": [7, 7, 8],
                          "event_time": ["2019-12-29 10:00:00", "2019-12-29 10:20:00",
                                         "2019-12-29 10:40:00"]})
    log = pd.concat([*cases, clean]).sample(frac=1.0, random_state=3)  # row order is no hint
    answer = cr.scl_answer(log)
    assert answer["shopid"].tolist() == sorted(log["shopid"].unique())
    assert dict(zip(answer["shopid"], answer["userid"], strict=True)) == {**_answers(), 555: "0"}


def test_orders_outside_brushing_periods_do_not_count_for_the_share():
    """Case 3: the suspicious buyer's 17:11:03 order is outside every brushing period, while
    two other buyers' orders are inside one (a 9-order, 3-buyer hour): its share is 7 / 9."""
    log = pd.read_csv(SCL / "case3.csv")
    flags = cr.brushing_orders(log["shopid"], log["userid"], log["event_time"])
    late = log["event_time"] == "2019-12-28 17:11:03"
    assert not flags.loc[late, "in_brushing"].any() and flags.loc[late, "suspicious"].all()
    assert flags["in_brushing"].sum() == 9
    assert np.allclose(flags.loc[flags["suspicious"], "share"], 7 / 9)
    others = flags["in_brushing"] & ~flags["suspicious"]
    assert others.sum() == 2 and np.allclose(flags.loc[others, "share"], 1 / 9)


# -- window semantics ---------------------------------------------------------------------------


def test_every_real_start_counts_not_only_windows_anchored_at_an_order():
    """Buyer 7 at 10, 20 and 30 minutes; buyer 9 at 0 and buyer 8 at 65. Every window that
    starts or ends at an order holds another buyer (rate 4 / 2), but [2 min, 62 min] holds
    buyer 7's three orders alone: the shop brushed."""
    log = _log(1, [9, 7, 7, 7, 8], [0, 600, 1200, 1800, 3900])
    assert cr.scl_answer(log)["userid"].tolist() == ["7"]
    flags = cr.brushing_orders(log["shopid"], log["userid"], log["event_time"])
    assert flags["in_brushing"].tolist() == [False, True, True, True, False]
    assert flags["max_rate"].tolist() == [2.0, 3.0, 3.0, 3.0, 2.0]


@pytest.mark.parametrize("last, brushed", [(HOUR, True), (HOUR + 1, False)])
def test_both_ends_of_the_hour_are_included(last, brushed):
    log = _log(1, [7, 7, 7], [0, 1800, last])
    assert cr.scl_answer(log)["userid"].tolist() == (["7"] if brushed else ["0"])


def test_orders_at_the_same_second_are_in_or_out_together():
    # Five orders of buyer 7 and one of buyer 8 at the same second: 6 / 2 = 3, brushed; an
    # hour and a second later buyer 7's sixth order cannot join them.
    log = _log(1, [7, 7, 8, 7, 7, 7, 7], [100, 100, 100, 100, 100, 100 + HOUR + 1, 100])
    flags = cr.brushing_orders(log["shopid"], log["userid"], log["event_time"])
    assert flags["in_brushing"].tolist() == [True] * 5 + [False, True]
    assert cr.scl_answer(log)["userid"].tolist() == ["7"]
    # One more order of buyer 8 at that second: 7 / 2 still brushes, 4 / 2 would not.
    assert cr.scl_answer(_log(1, [7, 7, 8, 8], [5, 5, 5, 5]))["userid"].tolist() == ["0"]


def test_shops_are_separate_and_ties_are_all_suspicious():
    # Buyer 7 orders twice in shop 1 and twice in shop 2 within the hour: neither shop has
    # three orders per buyer. Shop 3 has two buyers with three orders each in one hour.
    log = _log([1, 2, 1, 2, 3, 3, 3, 3, 3, 3], [7, 7, 7, 7, 5, 6, 5, 6, 5, 6],
               [0, 10, 20, 30, 0, 1, 2, 3, 4, 5])
    assert cr.scl_answer(log).to_dict("list") == {"shopid": [1, 2, 3],
                                                  "userid": ["0", "0", "5&6"]}


def test_times_may_be_text_date_times_or_seconds():
    log = pd.read_csv(SCL / "case2.csv")
    as_text = cr.brushing_orders(log["shopid"], log["userid"], log["event_time"])
    local = pd.to_datetime(log["event_time"]).dt.tz_localize("Asia/Singapore")
    seconds = (local - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
    for times in (local, local.dt.tz_convert("UTC"), seconds):
        pd.testing.assert_frame_equal(cr.brushing_orders(log["shopid"], log["userid"], times),
                                      as_text)


def test_an_empty_log_and_bad_parameters():
    empty = _log([], [], [])
    assert len(cr.brushing_orders(empty["shopid"], empty["userid"], empty["event_time"])) == 0
    assert len(cr.scl_answer(empty)) == 0
    log = _log(1, [7], [0])
    with pytest.raises(ValueError, match="window_seconds"):
        cr.brushing_orders(log["shopid"], log["userid"], log["event_time"], window_seconds=0)


# -- the property: equal to a brute-force sweep over every start --------------------------------


def reference(shop, buyer, seconds, window=HOUR, threshold=3.0):
    """The rule straight from its text, one shop at a time.

    Times are whole seconds, so every real start ``t`` gives the content of an integer or a
    half-integer start: the sweep over starts from ``min - window`` to ``max`` in half seconds
    sees every 1-hour interval that holds an order.
    """
    shop, buyer, seconds = map(np.asarray, (shop, buyer, seconds))
    n = len(shop)
    max_rate, in_brushing = np.ones(n), np.zeros(n, dtype=bool)
    share, suspicious = np.zeros(n), np.zeros(n, dtype=bool)
    answer = {}
    for s in np.unique(shop):
        rows = np.flatnonzero(shop == s)
        t, b = seconds[rows], buyer[rows]
        starts = np.arange(2 * (t.min() - window), 2 * t.max() + 1) / 2
        inside = (t >= starts[:, None]) & (t <= starts[:, None] + window)
        n_orders = inside.sum(axis=1)
        n_buyers = sum(inside[:, b == u].any(axis=1) for u in np.unique(b))
        rate = np.where(n_orders > 0, n_orders / np.maximum(n_buyers, 1), 0.0)
        max_rate[rows] = np.where(inside, rate[:, None], 0.0).max(axis=0)
        brushed = inside[rate >= threshold].any(axis=0)
        in_brushing[rows] = brushed
        counts = {u: int((brushed & (b == u)).sum()) for u in np.unique(b)}
        best = max(counts.values())
        for u, c in counts.items():
            share[rows[b == u]] = c / max(int(brushed.sum()), 1)
            suspicious[rows[b == u]] = best > 0 and c == best
        answer[s] = "&".join(str(u) for u in sorted(counts) if best > 0 and counts[u] == best) \
            or "0"
    return max_rate, in_brushing, share, suspicious, answer


@st.composite
def small_logs(draw):
    n = draw(st.integers(0, 24))
    shop = draw(st.lists(st.integers(1, 3), min_size=n, max_size=n))
    buyer = draw(st.lists(st.integers(1, 4), min_size=n, max_size=n))
    # Whole minutes make ties and gaps of exactly an hour common; any second tests the rest.
    times = st.one_of(st.integers(0, 150).map(lambda m: 60 * m), st.integers(0, 9000))
    seconds = draw(st.lists(times, min_size=n, max_size=n))
    order = draw(st.permutations(range(n)))
    return _log(shop, buyer, seconds).iloc[order].reset_index(drop=True)


@settings(max_examples=200, deadline=None)
@given(small_logs())
def test_equals_a_brute_force_sweep_over_every_start(log):
    max_rate, in_brushing, share, suspicious, answer = reference(
        log["shopid"], log["userid"], log["event_time"])
    flags = cr.brushing_orders(log["shopid"], log["userid"], log["event_time"])
    assert flags["max_rate"].tolist() == max_rate.tolist()
    assert flags["in_brushing"].tolist() == in_brushing.tolist()
    assert np.allclose(flags["share"], share)
    assert flags["suspicious"].tolist() == suspicious.tolist()
    result = cr.scl_answer(log)
    assert dict(zip(result["shopid"], result["userid"], strict=True)) == answer


# -- the detector on a bare SCL log --------------------------------------------------------------


@pytest.fixture(scope="module")
def scl_files(tmp_path_factory):
    """The four worked examples, the hand-built case only the exact semantics flags, and a
    clean shop, as one log in the competition's columns, with the answers."""
    root = tmp_path_factory.mktemp("scl")
    gap = pd.DataFrame({"orderid": [11, 12, 13, 14, 15], "shopid": [777] * 5,
                        "userid": [9, 7, 7, 7, 8],
                        "event_time": ["2019-12-30 10:00:00", "2019-12-30 10:10:00",
                                       "2019-12-30 10:20:00", "2019-12-30 10:30:00",
                                       "2019-12-30 11:05:00"]})
    clean = pd.DataFrame({"orderid": [1, 2, 3], "shopid": [555] * 3, "userid": [7, 7, 8],
                          "event_time": ["2019-12-29 10:00:00", "2019-12-29 10:20:00",
                                         "2019-12-29 10:40:00"]})
    cases = [pd.read_csv(SCL / f"{c}.csv") for c in CASES]
    pd.concat([*cases, gap, clean]).to_csv(root / "log.csv", index=False)
    answers = {**_answers(), 777: "7", 555: "0"}
    pd.DataFrame({"shopid": list(answers), "userid": list(answers.values())}).to_csv(
        root / "answers.csv", index=False)
    mp = pytest.MonkeyPatch()
    mp.setenv("BRUSHBENCH_CACHE", str(root / "cache"))
    yield root, answers
    mp.undo()


def test_eval_data_scores_the_scl_log_at_shop_and_buyer_level(scl_files):
    root, answers = scl_files
    code = main(["eval", baseline_file("concentrate_rate"), "--data", str(root / "log.csv"),
                 "--columns", "scl2020", "--labels", str(root / "answers.csv"),
                 "--timezone", "Asia/Singapore", "--timeout", "60",
                 "--out", str(root / "out.json")])
    [run] = read_results(root / "out.json").runs
    assert (code, run.status) == (0, "ok"), run.reason  # needs nothing the log lacks
    shops, buyers = run.metrics["shops"], run.metrics["buyers"]
    n_suspicious = sum(len(v.split("&")) for v in answers.values() if v != "0")
    assert (shops["n_positive"], buyers["n_positive"]) == (len(answers) - 1, n_suspicious)
    # Every brushed shop and every suspicious buyer ranks above every other one.
    assert shops["average_precision"] == 1.0 and buyers["average_precision"] == 1.0


def test_on_the_imported_log_the_top_scores_are_the_answers(scl_files):
    root, answers = scl_files
    folder = import_log(root / "log.csv", columns="scl2020", timezone="Asia/Singapore")
    data = log_view(load(folder)).without_answer_key()
    out = cr.ConcentrateRate().score(data)
    assert isinstance(out, Scores) and len(out.orders) == len(data.orders)
    # Orders of suspicious buyers inside brushing periods are the top tier (from 3), the
    # shop score is the shop's highest concentrate rate (from 3 for a brushed shop).
    flagged_buyers = set(out.buyers[out.buyers >= 3].index)
    expected = {int(u) for v in answers.values() if v != "0" for u in v.split("&")}
    assert flagged_buyers == expected
    assert set(out.shops[out.shops >= 3].index) == {s for s, v in answers.items() if v != "0"}


# -- the detector on generated data ----------------------------------------------------------------


def test_protocol_on_a_generated_dataset():
    data, _, buyers, shops = checked_output(cr.ConcentrateRate, "mixed_naive", 0.02)
    assert set(buyers.index) == set(data.orders["buyer_id"])
    assert set(shops.index) == set(data.orders["shop_id"])


@pytest.fixture(scope="module")
def double11():
    return {v: evaluate("concentrate_rate", f"double11_phone_war_{v}", 0.05)
            for v in ("naive", "careful")}


@pytest.mark.parametrize("pattern", ["competitor_framing", "self_purchase",
                                     "post_promo_return"])
def test_naive_bursts_by_few_buyers_rank_first_and_careful_ones_do_not(double11, pattern):
    """The rule's trace is many orders of few buyers in an hour: the naive bursts of
    Double 11 (a rival's few accounts flooding its victim, fresh accounts ordering again and
    again) leave it, careful campaigns spread over hours and more accounts mostly do not."""
    naive, careful = (pattern_ap(double11[v], pattern) for v in ("naive", "careful"))
    base = double11["naive"]["orders"]["base_rate"]
    assert naive > max(0.5, 50 * base)
    assert careful < naive / 2
