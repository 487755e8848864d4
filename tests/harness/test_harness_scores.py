"""validate_scores and co.: every accepted form aligns, every problem is named, none repaired."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brushbench.harness import (
    Scores,
    split_output,
    validate_entity_scores,
    validate_predictions,
    validate_scores,
)

IDS = np.array([9_100_000_000_000_000_001, 42, 7, 1_000_003, 555], dtype=np.int64)
ORDERS = pd.DataFrame({"order_id": IDS, "buyer_id": [1, 2, 2, 3, 4], "shop_id": [5, 5, 6, 6, 6]})
VALUES = np.array([0.5, 1.0, -2.0, 3.0, 0.0])


def problems_of(raw) -> list[str]:
    scores, problems = validate_scores(raw, ORDERS)
    assert scores is None, "invalid output must not come back as numbers"
    assert problems
    return problems


class TestAccepted:
    @pytest.mark.parametrize("raw", [
        VALUES, list(VALUES), tuple(VALUES), pa.array(VALUES), pd.Series(VALUES, index=IDS),
        pd.Series(VALUES, index=IDS).iloc[::-1], pd.Series(VALUES, index=IDS).astype("Float64"),
    ], ids=["array", "list", "tuple", "arrow", "series", "series-reversed", "nullable-float"])
    def test_forms_align_to_order_rows(self, raw):
        scores, problems = validate_scores(raw, ORDERS)
        assert problems == []
        assert scores.dtype == np.float64
        np.testing.assert_array_equal(scores, VALUES)

    def test_integers_and_booleans_are_numbers(self):
        scores, _ = validate_scores(np.array([1, 0, 1, 1, 0], dtype=bool), ORDERS)
        np.testing.assert_array_equal(scores, [1, 0, 1, 1, 0])
        scores, _ = validate_scores([3, 2, 1, 0, -1], ORDERS)
        np.testing.assert_array_equal(scores, [3, 2, 1, 0, -1])

    def test_orders_as_arrow_table_or_ids(self):
        table = pa.table({"order_id": IDS})
        for orders in (table, IDS):
            scores, problems = validate_scores(pd.Series(VALUES, index=IDS), orders)
            assert problems == [] and scores is not None

    @settings(max_examples=50, deadline=None)
    @given(st.permutations(range(len(IDS))))
    def test_any_row_order_of_a_series_aligns_by_id(self, permutation):
        shuffled = pd.Series(VALUES[list(permutation)], index=IDS[list(permutation)])
        scores, problems = validate_scores(shuffled, ORDERS)
        assert problems == []
        np.testing.assert_array_equal(scores, VALUES)


class TestProblems:
    def test_missing_ids(self):
        (problem,) = problems_of(pd.Series(VALUES[:3], index=IDS[:3]))
        assert "2 of 5 orders are missing from the scores" in problem
        assert "1000003" in problem

    def test_duplicate_ids(self):
        index = np.concatenate([IDS, IDS[:1]])
        (problem,) = problems_of(pd.Series(np.append(VALUES, 1.0), index=index))
        assert "1 order_ids appear more than once" in problem and str(IDS[0]) in problem

    def test_unknown_ids(self):
        index = IDS.copy()
        index[0] = 123
        problems = problems_of(pd.Series(VALUES, index=index))
        assert any("1 order_ids in the scores are not in the data (e.g. 123)" in p
                   for p in problems)
        assert any("1 of 5 orders are missing" in p for p in problems)

    def test_row_positions_as_index_get_a_hint(self):
        problems = problems_of(pd.Series(VALUES))
        assert any("looks like row positions 0..4, not order_id" in p for p in problems)

    def test_float_index_loses_id_digits(self):
        problems = problems_of(pd.Series(VALUES, index=IDS.astype(float)))
        assert "lose digits of 64-bit ids" in problems[0]

    def test_nan_and_inf(self):
        values = VALUES.copy()
        values[[0, 2]] = np.nan
        values[3] = np.inf
        (problem,) = problems_of(values)
        assert problem == "3 of 5 scores are not finite (2 NaN or missing, 1 inf)"

    def test_missing_values_in_nullable_series(self):
        series = pd.Series(VALUES, index=IDS).astype("Float64")
        series.iloc[1] = pd.NA
        assert "1 of 5 scores are not finite" in problems_of(series)[0]

    def test_none_in_a_list(self):
        (problem,) = problems_of([0.5, None, 1.0, 2.0, 3.0])
        assert "1 of 5 scores are not finite" in problem and "None or NA" in problem

    def test_wrong_length(self):
        (problem,) = problems_of(VALUES[:4])
        assert problem.startswith("wrong length: 4 scores for 5 orders")

    @pytest.mark.parametrize(("raw", "words"), [
        (None, "returned None"),
        ("high", "returned a string"),
        (0.5, "a single number"),
        (np.float64(0.5), "a single number"),
        (np.array(["a", "b", "c", "d", "e"]), "are text"),
        (["0.1", "0.2", "0.3", "0.4", "0.5"], "are text"),
        (np.array([1, 2, "x", 4, 5], dtype=object), "not numbers: 1 text"),
        (VALUES.reshape(5, 1), "an array of shape (5, 1)"),
        (pd.DataFrame({"score": VALUES}), "returned a DataFrame with columns 'score'"),
        (dict(zip(IDS.tolist(), VALUES, strict=True)), "returned a dict"),
        ((pd.Series(VALUES, index=IDS), pd.Series([1.0])), "tuple of 2 items"),
        (iter(VALUES), "an iterator"),
        (np.array(VALUES, dtype=complex), "complex"),
        (pd.Series(pd.date_range("2020", periods=5), index=IDS), "times"),
        ({1, 2}, "a set"),
    ])
    def test_wrong_type(self, raw, words):
        assert any(words in p for p in problems_of(raw)), problems_of(raw)

    def test_dataset_with_duplicate_ids_needs_positions(self):
        orders = pd.DataFrame({"order_id": [1, 1, 2]})
        scores, problems = validate_scores(pd.Series([1.0, 2.0], index=[1, 2]), orders)
        assert scores is None and "duplicate order ids" in problems[0]
        scores, problems = validate_scores([1.0, 2.0, 3.0], orders)
        assert problems == []


class TestOutputConvention:
    def test_scores_dataclass(self):
        buyers = pd.Series([1.0], index=[2])
        orders, b, s, problems = split_output(Scores(orders=VALUES, buyers=buyers))
        assert orders is VALUES and b is buyers and s is None and problems == []

    def test_dict_form(self):
        orders, b, s, problems = split_output({"orders": VALUES, "shops": pd.Series([1.0])})
        assert orders is VALUES and b is None and s is not None and problems == []

    def test_dict_with_unknown_key(self):
        *_, problems = split_output({"orders": VALUES, "accounts": 1})
        assert "unknown key(s) 'accounts'" in problems[0]

    def test_plain_scores_pass_through(self):
        orders, b, s, problems = split_output(VALUES)
        assert orders is VALUES and b is None and s is None and problems == []


class TestEntitiesAndPredictions:
    def test_entity_scores(self):
        series, problems = validate_entity_scores(pd.Series([0.2, 0.9], index=[2, 4]),
                                                  ORDERS["buyer_id"], "buyer")
        assert problems == [] and series.index.name == "buyer_id"
        assert series.loc[4] == 0.9

    def test_entity_problems(self):
        raw = pd.Series([0.2, np.nan, 0.1], index=[5, 5, 99])
        series, problems = validate_entity_scores(raw, ORDERS["shop_id"], "shop")
        assert series is None
        text = " | ".join(problems)
        assert "not finite" in text and "appear more than once" in text
        assert "shop_ids in the shop scores are not in the data (e.g. 99)" in text

    def test_entity_scores_must_be_a_series(self):
        _, problems = validate_entity_scores([0.1, 0.2], ORDERS["shop_id"], "shop")
        assert "must be a pandas Series indexed by shop_id" in problems[0]

    def test_predictions(self):
        predictions, problems = validate_predictions([1, 0, 0, 1, 0], ORDERS)
        assert problems == [] and predictions.dtype == bool
        np.testing.assert_array_equal(predictions, [True, False, False, True, False])

    def test_predictions_must_be_binary(self):
        predictions, problems = validate_predictions(VALUES, ORDERS)
        assert predictions is None and "True/False (or 1/0)" in problems[0]
