"""Importing an order log brushbench did not make (``brushbench eval --data FILE``): the four
Shopee Code League 2020 worked examples, label levels, and one-line errors."""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from brushbench.dataset import load
from brushbench.harness.scoring import score_data
from brushbench.userdata import ImportLogError, import_log, parse_columns

SCL = Path(__file__).resolve().parent / "scl2020"
ANSWERS = SCL / "answers.csv"
#: The README's table: shop and its suspicious buyers, per worked example.
CASES = {"case1": (8996761, {215382704}), "case2": (27121667, {183926374}),
         "case3": (145777302, {201343856}), "case4": (181009364, {101832161, 214208720})}


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("BRUSHBENCH_CACHE", str(tmp_path / "cache"))


@pytest.mark.parametrize("case", sorted(CASES))
def test_scl_worked_examples_import_with_the_preset(case, tmp_path):
    path = SCL / f"{case}.csv"
    folder = import_log(path, columns="scl2020", labels=ANSWERS, timezone="Asia/Singapore",
                        out_dir=tmp_path / case)
    data = load(folder)  # verify=True: a complete dataset folder
    raw = pd.read_csv(path)
    orders = data.orders
    assert len(orders) == len(raw)
    assert orders["created_at"].is_monotonic_increasing
    assert str(orders["created_at"].dt.tz) == "Asia/Singapore"
    # Times are local times of the zone given, kept to the second.
    by_id = orders.set_index("order_id")["created_at"].dt.strftime("%Y-%m-%d %H:%M:%S")
    assert by_id.loc[raw["orderid"]].tolist() == raw["event_time"].tolist()
    assert set(orders["shop_id"]) == set(raw["shopid"])
    assert orders["device_id"].isna().all()  # stored null: the log lacks it

    shop, buyers = CASES[case]
    truth = data.entity_labels
    shops = set(truth.loc[truth.entity_type == "shop", "entity_id"])
    accounts = set(truth.loc[truth.entity_type == "account", "entity_id"])
    assert shop in shops and set(truth.loc[truth.entity_type == "shop", "role"]) == {"beneficiary"}
    assert accounts & set(raw["userid"]) == buyers
    # Which of a brushing shop's orders are fake is not in the answers: no order label.
    assert data.labels["is_brushing"].isna().all()

    m = data.manifest
    assert m["external"] is True
    assert m["source"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert m["column_mapping"] == {"order_id": "orderid", "created_at": "event_time",
                                   "buyer_id": "userid", "shop_id": "shopid"}
    assert "device_id" in m["lacking"]["orders"] and "shipments" in m["lacking"]["tables"]
    assert m["labels"]["level"] == "shop+buyer"
    assert m["labels"]["orders_unknown"] == len(raw)
    assert "do not say which orders" in m["labels"]["order_truth"]


def test_import_is_cached_by_content(tmp_path):
    first = import_log(SCL / "case1.csv", columns="scl2020")
    assert first.parent.name == "external" and first.parent.parent == tmp_path / "cache"
    assert import_log(SCL / "case1.csv", columns=parse_columns("scl2020")) == first
    utc8 = import_log(SCL / "case1.csv", columns="scl2020", timezone="Asia/Singapore")
    assert utc8 != first
    copy = tmp_path / "case1.csv"
    copy.write_bytes((SCL / "case1.csv").read_bytes() + b"1,2,3,2019-12-31 12:00:00\n")
    assert import_log(copy, columns="scl2020") != first
    assert not load(first).has_answer_key


def test_times_with_offsets_parquet_and_extra_columns(tmp_path):
    log = pd.DataFrame({"order_id": [3, 1, 2], "shop_id": [7, 7, 8], "buyer_id": [1, 1, 2],
                        "created_at": ["2020-01-01T10:00:00+08:00", "2020-01-01T01:00:00Z",
                                       "2020-01-01T03:00:00.7+00:00"],
                        "device_id": [5.0, 5.0, np.nan], "channel": ["search", "", "campaign"],
                        "note": ["x", "y", "z"]})
    log.to_parquet(tmp_path / "log.parquet")
    data = load(import_log(tmp_path / "log.parquet", timezone="Asia/Shanghai",
                           out_dir=tmp_path / "ds"))
    o = data.orders
    assert o["order_id"].tolist() == [1, 3, 2]  # time order
    assert o["created_at"].dt.strftime("%H:%M:%S").tolist() == ["09:00:00", "10:00:00",
                                                                "11:00:00"]
    assert o["device_id"].tolist()[:2] == [5, 5] and pd.isna(o["device_id"].iloc[2])
    assert o["channel"].isna().tolist() == [True, False, False]
    m = data.manifest
    assert m["log_columns"]["orders"] == ["order_id", "created_at", "buyer_id", "shop_id",
                                          "channel", "device_id"]
    assert m["ignored_columns"] == ["note"]


def _labels_case(tmp_path, labels: pd.DataFrame, **kwargs):
    path = tmp_path / "labels.csv"
    labels.to_csv(path, index=False)
    return load(import_log(SCL / "case1.csv", columns="scl2020", labels=path,
                           out_dir=tmp_path / "ds", **kwargs))


def test_order_level_labels_give_order_and_entity_truth(tmp_path):
    fake = [31463329902935, 31463516755431, 31463618079296, 31463701425020]
    data = _labels_case(tmp_path, pd.DataFrame({"orderid": [*fake, 99]}))
    labels = data.labels.set_index("order_id")["is_brushing"]
    assert labels.notna().all() and labels[labels].index.tolist() == fake
    truth = data.entity_labels
    assert truth[["entity_type", "entity_id", "role"]].values.tolist() == [
        ["shop", 8996761, "beneficiary"], ["account", 215382704, "fake_buyer"]]
    assert data.manifest["labels"]["ignored_rows"] == 1

    # Every metric is defined: score_orders as for a generated dataset.
    scores = data.orders["order_id"].isin(fake).to_numpy(dtype=float)
    record = SimpleNamespace(scores=scores, buyer_scores=None, shop_scores=None,
                             predictions=None)
    metrics = score_data(data, record)
    assert metrics["orders"]["average_precision"] == 1.0
    assert metrics["buyers"]["average_precision"] == 1.0


def test_shop_level_labels_define_orders_of_clean_shops_only(tmp_path):
    data = _labels_case(tmp_path, pd.DataFrame({"shop_id": [8996761, 5], "is_brushing":
                                                ["yes", "no"]}))
    assert data.labels["is_brushing"].isna().all()
    assert data.entity_labels["entity_id"].tolist() == [8996761]
    record = SimpleNamespace(scores=np.arange(len(data.orders), dtype=float),
                             buyer_scores=None, shop_scores=None, predictions=None)
    metrics = score_data(data, record)
    ap = metrics["orders"]["average_precision"]
    assert ap["value"] is None and "shop level" in ap["reason"]
    assert metrics["orders"]["n_orders"] == len(data.orders)
    assert metrics["buyers"]["n_positive"] == 0  # shop-level labels name no buyer
    assert metrics["shops"]["n_positive"] == 1


def test_buyer_level_labels(tmp_path):
    data = _labels_case(tmp_path, pd.DataFrame({"buyer_id": [215382704]}))
    assert data.entity_labels[["entity_type", "entity_id"]].values.tolist() == [
        ["account", 215382704]]
    assert data.manifest["labels"]["level"] == "buyer"


@pytest.mark.parametrize("content, columns, message", [
    ("orderid,shopid,userid,event_time\n1,2,3,2019-12-27 00:23:03\n2,2,3,27/12/2019 01:00\n",
     "scl2020", "column 'event_time' (created_at): expected a date-time such as "
                "'2019-12-27 00:23:03' (ISO 8601), found '27/12/2019 01:00' at line 3"),
    ("orderid,shopid,userid,event_time\n1,2,3,2019-12-27 00:23:03\nA7,2,3,2019-12-27 00:23:04\n",
     "scl2020", "column 'orderid' (order_id): expected integer ids, found 'A7' at line 3"),
    ("orderid,shopid,userid,ts\n1,2,3,2019-12-27 00:23:03\n",
     "scl2020", "no column 'event_time' (mapped to created_at); the file has orderid, shopid, "
                "userid, ts"),
    ("orderid,shopid,userid,event_time\n1,2,3,2019-12-27 00:23:03\n",
     None, "no column for order_id, shop_id, buyer_id, created_at (required)"),
    ("orderid,shopid,userid,event_time\n1,2,3,2019-12-27 00:23:03\n1,2,3,2019-12-27 00:23:04\n",
     "scl2020", "expected unique order ids, found 1 at line 2 and line 3"),
])
def test_errors_name_the_file_the_column_and_what_was_expected(tmp_path, content, columns,
                                                               message):
    path = tmp_path / "log.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportLogError) as info:
        import_log(path, columns=columns, out_dir=tmp_path / "ds")
    text = str(info.value)
    assert text.startswith(str(path)) and message in text and "\n" not in text
    assert not (tmp_path / "ds").exists()


def test_bad_mappings(tmp_path):
    with pytest.raises(ImportLogError, match="did you mean order_id=orderid"):
        parse_columns("orderid=order_id")
    with pytest.raises(ImportLogError, match="neither NAME=COLUMN nor a preset"):
        parse_columns("scl2021")
    assert parse_columns("scl2020,created_at=ts")["created_at"] == "ts"
    with pytest.raises(ImportLogError, match="labels need a shop_id column"):
        _labels_case(tmp_path, pd.DataFrame({"buyer_id": [1]}), label_level="shop")
