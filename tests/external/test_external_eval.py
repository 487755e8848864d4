"""``brushbench eval TARGET --data FILE``: an SCL log scored end to end through the CLI, a
detector needing a column the log lacks reported as skipped, and bad input as exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from brushbench.cli import main
from brushbench.results import read_results

HERE = Path(__file__).resolve().parent
SCL = HERE / "scl2020"
DETECTORS = HERE / "detectors"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """The four worked examples in one log, plus a clean shop, and their SCL answers."""
    root = tmp_path_factory.mktemp("external")
    cases = [pd.read_csv(SCL / f"case{i}.csv") for i in range(1, 5)]
    clean = pd.DataFrame({"orderid": [1001, 1002, 1003], "shopid": [555, 555, 555],
                          "userid": [7, 8, 9],
                          "event_time": ["2019-12-29 10:00:00", "2019-12-29 10:20:00",
                                         "2019-12-29 10:40:00"]})
    pd.concat([*cases, clean]).to_csv(root / "scl_log.csv", index=False)
    answers = pd.read_csv(SCL / "answers.csv", dtype=str)
    pd.concat([answers, pd.DataFrame({"shopid": ["555"], "userid": ["0"]})]).to_csv(
        root / "answers.csv", index=False)
    mp = pytest.MonkeyPatch()
    mp.setenv("BRUSHBENCH_CACHE", str(root / "cache"))
    yield root
    mp.undo()


def _eval(env, *targets, extra=(), out="out.json"):
    return main(["eval", *[str(DETECTORS / t) for t in targets], "--data",
                 str(env / "scl_log.csv"), "--columns", "scl2020", "--labels",
                 str(env / "answers.csv"), "--timezone", "Asia/Singapore",
                 "--timeout", "60", "--out", str(env / out), *extra])


@pytest.fixture(scope="module")
def scored(env):
    code = _eval(env, "pair_counts.py")
    return code, read_results(env / "out.json")


def test_an_scl_log_is_scored_at_shop_and_buyer_level(scored):
    code, doc = scored
    assert code == 0
    assert doc.suite.name == "data:scl_log.csv" and len(doc.suite.hash) == 64
    [run] = doc.runs
    assert (run.scenario, run.seed, run.status) == ("scl_log", 0, "ok")
    m = run.metrics
    shops, buyers = m["shops"], m["buyers"]
    assert (shops["n_entities"], shops["n_positive"]) == (5, 4)
    assert (buyers["n_entities"], buyers["n_positive"]) == (21, 5)
    for section in (shops, buyers):
        assert 0 < section["average_precision"] <= 1 and 0 <= section["roc_auc"] <= 1
    # The clean shop's three one-off orders score lowest: every brushed shop ranks above it.
    assert shops["average_precision"] == 1.0 and shops["roc_auc"] == 1.0
    # Order-level truth is not in an SCL answer key: undefined, with the reason, never 0.
    ap = m["orders"]["average_precision"]
    assert ap["value"] is None and "shop and buyer level" in ap["reason"]
    assert run.get("orders.average_precision").reason == ap["reason"]
    assert m["orders"]["n_orders"] == 40
    data = doc.data
    assert data["external"] is True and data["column_mapping"]["buyer_id"] == "userid"
    assert data["labels"]["level"] == "shop+buyer"
    assert doc.summary["(all)"]["shops"]["average_precision"]["mean"] == 1.0


def test_the_results_are_comparable_with_themselves(scored, env):
    code = main(["compare", str(env / "out.json"), str(env / "out.json")])
    assert code == 0


def test_detectors_needing_what_the_log_lacks_are_skipped_and_named(env):
    code = _eval(env, "needs_device.py", "requires_device.py", "reads_buyers.py",
                 out="skipped")
    assert code == 1  # not ok: counted, never scored
    docs = {p.stem.split(".")[0]: json.loads(p.read_text()) for p in (env / "skipped").glob("*")}
    reasons = {}
    for name, doc in docs.items():
        [run] = doc["runs"]
        assert run["status"] == "skipped" and run["metrics"] is None
        assert doc["statuses"]["skipped"] == 1
        reasons[name] = run["reason"]
    assert "needs column(s) device_id that this log lacks" in reasons["needs_device"]
    assert "KeyError: 'device_id'" in reasons["needs_device"]  # what the detector raised
    assert "device_id, shipments.weighed_weight_g" in reasons["SharedDevices"]
    assert "declared in requires" in reasons["SharedDevices"]
    assert "read table(s) buyers, which this log lacks" in reasons["reads_buyers"]


@pytest.mark.parametrize("args, message", [
    (["--columns", "orderid=order_id"], "did you mean order_id=orderid?"),
    (["--columns", "order_id=orderid,shop_id=shopid,buyer_id=userid,created_at=time"],
     "no column 'time' (mapped to created_at); the file has orderid, shopid, userid, "
     "event_time"),
    (["--columns", "scl2020", "--timezone", "Mars/Olympus"], "unknown time zone"),
    (["--columns", "scl2020", "--seeds", "2"], "--seeds does not apply to --data"),
    (["--columns", "scl2020", "--labels", "missing.csv"], "missing.csv: no such labels file"),
])
def test_bad_input_is_exit_2_and_one_line(env, capsys, args, message):
    code = main(["eval", str(DETECTORS / "pair_counts.py"), "--data", str(env / "scl_log.csv"),
                 *args])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_data_excludes_suite_and_scenario(env, capsys):
    with pytest.raises(SystemExit) as info:
        main(["eval", "x.py", "--data", str(env / "scl_log.csv"), "--suite", "quick"])
    assert info.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_a_bad_time_value_is_exit_2_naming_file_column_value_and_line(env, capsys, tmp_path):
    log = tmp_path / "bad.csv"
    log.write_text("orderid,shopid,userid,event_time\n1,2,3,2019-12-27 00:23:03\n"
                   "2,2,3,2019-12-27 25:00:00\n", encoding="utf-8")
    code = main(["eval", str(DETECTORS / "pair_counts.py"), "--data", str(log),
                 "--columns", "scl2020"])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"brushbench: error: {log}: column 'event_time' (created_at): expected a "
                   "date-time such as '2019-12-27 00:23:03' (ISO 8601), found "
                   "'2019-12-27 25:00:00' at line 3")


def test_log_options_need_data(capsys):
    assert main(["eval", str(DETECTORS / "pair_counts.py"), "--columns", "scl2020"]) == 2
    assert "only apply with --data" in capsys.readouterr().err


def test_streaming_on_a_log_without_order_truth(env):
    code = _eval(env, "stream_counts.py", out="stream.json")
    assert code == 0
    [run] = read_results(env / "stream.json").runs
    assert run.ok and run.value("stream.batches") > 0
    ttd = run.stream["time_to_detect"]
    assert ttd["value"] is None and "no order-level truth" in ttd["reason"]
    assert run.value("shops.average_precision") == 1.0
