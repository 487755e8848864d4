"""``brushbench realism``: exit codes, one-line errors, the profile of a bare SCL-style log,
and the HTML and JSON reports."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import brushbench
from brushbench.cli import main


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("BRUSHBENCH_CACHE", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("realism") / "normal_week"
    brushbench.generate("normal_week", scale=0.05, seed=1, out=out)
    return str(out)


@pytest.fixture
def scl_log(tmp_path) -> str:
    """A log with only the four columns of the SCL 2020 file, in its text format."""
    rng = np.random.default_rng(5)
    n = 400
    t = pd.Timestamp("2019-12-27") + pd.to_timedelta(np.sort(rng.integers(0, 5 * 86400, n)),
                                                     unit="s")
    frame = pd.DataFrame({"orderid": 10**9 + rng.permutation(n) * 1000 + 17,
                          "shopid": rng.integers(1, 60, n), "userid": rng.integers(1, 300, n),
                          "event_time": t.strftime("%Y-%m-%d %H:%M:%S")})
    path = tmp_path / "order_brush_order.csv"
    frame.to_csv(path, index=False)
    return str(path)


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_profile_of_a_log_with_only_the_scl_columns(capsys, scl_log, tmp_path):
    out = tmp_path / "mine.json"
    code, printed, _ = _run(capsys, "realism", "--profile", scl_log, "--columns", "scl2020",
                            "--timezone", "Asia/Singapore", "--out", str(out))
    assert code == 0 and "not computable: basket_value" in printed
    doc = json.loads(out.read_text())
    stats = doc["statistics"]
    assert doc["orders"] == 400 and doc["timezone"] == "Asia/Singapore"
    assert stats["orders_per_shop_mean"]["value"] == pytest.approx(
        400 / pd.read_csv(scl_log)["shopid"].nunique())
    for name in ("basket_value", "refund_rate", "parcel_weight_ratio", "gmv_first_hour"):
        assert "not_computable" in stats[name] and "value" not in stats[name]
    # a profile is compared with itself (given as the DATASET) within tolerance
    code, printed, _ = _run(capsys, "realism", str(out), "--against", str(out))
    assert code == 0 and "0 beyond it" in printed
    # against a reference of which it can compute nothing: bad input, not "realistic"
    only = tmp_path / "basket.json"
    only.write_text(json.dumps({"profile_version": 1, "statistics": {"basket_value": {
        "kind": "quantiles", "quantiles": {"0.5": 30}}}}))
    code, printed, err = _run(capsys, "realism", str(out), "--against", str(only))
    assert code == 2 and "none of the statistics" in err and "orders.paid_amount" in err


def test_exit_1_beyond_tolerance_with_the_table(capsys, dataset, tmp_path):
    code, printed, _ = _run(capsys, "realism", dataset, "--against", "scl2020",
                            "--json", str(tmp_path / "r.json"), "--html",
                            str(tmp_path / "r.html"))
    assert code == 1
    assert printed.splitlines()[0] == "realism of normal_week against scl2020"
    assert "repeat_gap" in printed and "OFF" in printed and "(exit 1)" in printed
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["passed"] is False and {r["name"] for r in doc["rows"]} >= {"hour_of_day",
                                                                            "repeat_gap"}
    page = (tmp_path / "r.html").read_text()
    assert page.count("<svg") >= 8 and "order_brush_order.csv" in page
    assert "basket_value" in page and "parcel_weight_ratio" in page


def test_exit_0_within_tolerance(capsys, dataset, tmp_path):
    mine = tmp_path / "p.json"
    assert _run(capsys, "realism", "--profile", dataset, "--out", str(mine))[0] == 0
    code, printed, _ = _run(capsys, "realism", dataset, "--against", str(mine))
    assert code == 0 and "beyond it" in printed and "(exit 1)" not in printed


@pytest.mark.parametrize("argv, expected", [
    (["realism"], "give a dataset folder"),
    (["realism", "nowhere"], "nowhere: not a dataset folder"),
    (["realism", "DATASET", "--against", "nope"], "--against: nope: no such profile"),
    (["realism", "DATASET", "--against", "BADJSON"], "not JSON"),
    (["realism", "DATASET", "--columns", "scl2020"], "--columns only applies with --profile"),
    (["realism", "--profile", "LOG"], "needs --out"),
    (["realism", "--profile", "LOG", "--out", "OUT", "--columns", "order_id=nope"],
     "no column 'nope'"),
    (["realism", "--profile", "LOG", "--out", "OUT", "--timezone", "Mars/Base"], "Mars/Base"),
    (["realism", "--profile", "missing.csv", "--out", "OUT"], "no such log file"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, dataset, scl_log, tmp_path, argv, expected):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    names = {"DATASET": dataset, "LOG": scl_log, "BADJSON": str(bad),
             "OUT": str(tmp_path / "o.json"), "missing.csv": str(tmp_path / "missing.csv")}
    code, printed, err = _run(capsys, *[names.get(a, a) for a in argv])
    assert code == 2 and printed == ""
    assert err.startswith("brushbench: error: ") and err.count("\n") == 1, err
    assert expected in err
    assert not (tmp_path / "o.json").exists()
