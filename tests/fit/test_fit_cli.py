"""``brushbench fit``: the file it writes, extending it with fraud, and one-line errors."""

from __future__ import annotations

import pandas as pd
import pytest

from brushbench.cli import main
from brushbench.dataset.manifest import sha256_file
from brushbench.scenario import load_scenario

from fit_helpers import orders_of, write_scl_log

SMALL = """
name: small
seed: 2
window: {start: 2022-01-10T00:00:00, duration: 1d, timezone: UTC}
marketplace: {shops: 40, buyers: 300}
traffic: {orders: 800}
bulk_buyers: {accounts: 0, orders: 0}
"""


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("BRUSHBENCH_CACHE", str(tmp_path / "cache"))


@pytest.fixture
def log(tmp_path):
    orders, zone = orders_of(SMALL)
    return write_scl_log(orders, zone, tmp_path / "shop log.csv")


def test_fit_writes_a_scenario_that_fraud_can_extend(log, tmp_path, capsys):
    out = tmp_path / "mine.yaml"
    assert main(["fit", str(log), "--columns", "scl2020", "--out", str(out)]) == 0
    text = out.read_text()
    assert f"sha256 {sha256_file(log)}" in text.splitlines()[1]
    assert "shop log.csv (" in text and "orders_per_shop_mean" in text
    scenario = load_scenario(out)
    assert scenario.name == "shop_log" and scenario.traffic.orders == len(pd.read_csv(log))
    assert "within tolerance on" in capsys.readouterr().out
    child = tmp_path / "mine_brushed.yaml"
    child.write_text("extends: mine.yaml\nname: mine_brushed\nfraud:\n"
                     "  - {pattern: self_purchase, start: 2022-01-10T08:00:00, duration: 6h, "
                     "shops: 2}\n")
    brushed = load_scenario(child)
    assert brushed.marketplace == scenario.marketplace and len(brushed.fraud) == 1


def _error(capsys, *argv) -> str:
    assert main(["fit", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


def test_missing_column(log, tmp_path, capsys):
    err = _error(capsys, str(log), "--out", str(tmp_path / "x.yaml"))
    assert "no column for order_id, shop_id, buyer_id, created_at" in err


def test_empty_log(tmp_path, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_text("orderid,shopid,userid,event_time\n")
    assert "no orders" in _error(capsys, str(empty), "--columns", "scl2020", "--out",
                                 str(tmp_path / "x.yaml"))


def test_unreadable_and_missing_files(tmp_path, capsys):
    junk = tmp_path / "junk.parquet"
    junk.write_bytes(b"\x00\x01not parquet")
    assert "cannot read it as PARQUET" in _error(capsys, str(junk), "--out",
                                                 str(tmp_path / "x.yaml"))
    assert "no such log file" in _error(capsys, str(tmp_path / "nope.csv"), "--out",
                                        str(tmp_path / "x.yaml"))


def test_bad_options(log, tmp_path, capsys):
    assert "unknown time zone" in _error(capsys, str(log), "--columns", "scl2020",
                                         "--timezone", "Mars/Base", "--out",
                                         str(tmp_path / "x.yaml"))
    assert ".yaml" in _error(capsys, str(log), "--out", str(tmp_path / "x.json"))
    assert not (tmp_path / "x.yaml").exists()


@pytest.mark.parametrize("rows", [1, 3])
def test_a_log_of_a_few_orders_still_gives_a_scenario(tmp_path, rows):
    log = tmp_path / "few.csv"
    log.write_text("orderid,shopid,userid,event_time\n" + "".join(
        f"{i},{5 + i % 2},{9 + i},2020-01-0{1 + i % 2} 1{i}:00:00\n" for i in range(rows)))
    out = tmp_path / "few.yaml"
    assert main(["fit", str(log), "--columns", "scl2020", "--out", str(out)]) == 0
    scenario = load_scenario(out)
    assert scenario.traffic.orders == rows and scenario.marketplace.shops >= min(rows, 2)
    assert "first estimate, not refined" in out.read_text()
