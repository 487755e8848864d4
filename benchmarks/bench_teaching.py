"""What a lab costs the teacher: grading and explaining on a hard lab's log (~100k orders).

    pytest benchmarks/bench_teaching.py --benchmark-only

Grading reads the submission CSV and the key folder, as ``brushbench grade`` does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import brushbench
from brushbench.teaching import (
    explain_order,
    generate_withheld,
    grade,
    load_key,
    load_with_key,
    read_submission,
)


@pytest.fixture(scope="module")
def hard(tmp_path_factory):
    root = tmp_path_factory.mktemp("hard")
    generate_withheld(root / "data", root / "key", brushbench.load_scenario("teach_hard"), seed=1)
    key = load_key(root / "key")
    index = key.order_index.merge(key.labels, on="order_id")
    rng = np.random.default_rng(0)
    scores = index.is_brushing.to_numpy() + rng.normal(0, 0.6, len(index))
    pd.DataFrame({"order_id": index.order_id, "score": scores}).to_csv(root / "scores.csv",
                                                                       index=False)
    fake = index[index.is_brushing]
    shops = fake.groupby("shop_id").buyer_id.agg(lambda b: "&".join(map(str, sorted(set(b)))))
    shops.rename("userid").rename_axis("shopid").to_csv(root / "shops.csv")
    return root


@pytest.mark.parametrize("form", ["scores", "shops"])
def test_grade(benchmark, hard, form):
    def run():
        key = load_key(hard / "key")
        return grade(read_submission(hard / f"{form}.csv", key.order_index), key)

    result = benchmark.pedantic(run, rounds=3, warmup_rounds=1)
    assert 0 < result["score"] <= 1


def test_explain(benchmark, hard):
    data = load_with_key(hard / "data", hard / "key")
    order = int(data.labels.order_id[data.labels.is_brushing].iloc[0])
    result = benchmark.pedantic(explain_order, args=(data, order), rounds=3, warmup_rounds=1)
    assert result["verdict"]["brushing"]
