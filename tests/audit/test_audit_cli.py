"""``brushbench audit DIR``: the table, the JSON and the exit codes 0, 1 and 2."""

from __future__ import annotations

import json
import re

import pytest

from brushbench.cli import main

from audit_helpers import PLANTS


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def folders(tmp_path_factory, legit_only, random_labels):
    root = tmp_path_factory.mktemp("audit")
    random_labels.write(root / "clean")
    PLANTS["small_order_ids"](random_labels).write(root / "leaky")
    random_labels.write(root / "no_key", answer_key=False)
    legit_only.write(root / "legit_only")
    return root


def test_a_clean_dataset_exits_0_with_a_summary_line(capsys, folders):
    code, out, err = run(capsys, "audit", str(folders / "clean"))
    assert code == 0, err
    last = out.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ probes, 0 leaks \(pass\)", last)
    assert "LEAK" not in out


def test_a_leaky_dataset_exits_1_and_names_the_leak_first(capsys, folders):
    code, out, _ = run(capsys, "audit", str(folders / "leaky"))
    assert code == 1
    rows = [line for line in out.splitlines() if line.startswith(("LEAK", "ok "))]
    assert rows[0].startswith("LEAK") and "orders.order_id:magnitude" in rows[0]
    assert re.search(r"\d+ probes, [1-9]\d* leaks \(FAIL\)", out)


def test_json_output_is_the_full_report(capsys, folders):
    code, out, _ = run(capsys, "audit", str(folders / "leaky"), "--json")
    assert code == 1
    report = json.loads(out)
    assert report["passed"] is False and report["n_leaks"] >= 4
    first = report["findings"][0]
    assert first["name"] == "orders.order_id:magnitude" or first["probe"] == "digit_count"
    assert {"probe", "column", "pattern", "ap", "base_rate", "threshold", "passed"} <= set(first)
    assert report["params"] == {"sigmas": 5.0, "min_margin": 0.02, "top_hits": 3.0,
                                "permutations": 20, "seed": 0}


def test_the_threshold_is_a_parameter(capsys, folders):
    # A huge margin lets the same leak through; --json shows the parameters used.
    code, out, _ = run(capsys, "audit", str(folders / "leaky"), "--min-margin", "2", "--json")
    assert code == 0 and json.loads(out)["params"]["min_margin"] == 2.0
    code, _, _ = run(capsys, "audit", str(folders / "leaky"), "--threshold", "100")
    assert code == 1  # the min margin (0.02) and top-hits floor still apply: AP 1 is a leak


def test_no_brushing_orders_exits_0_and_says_so(capsys, folders):
    code, out, _ = run(capsys, "audit", str(folders / "legit_only"))
    assert code == 0 and "no brushing orders" in out


@pytest.mark.parametrize(("case", "message"), [
    ("missing", "no such dataset folder"),
    ("no_key", "no answer key"),
    ("corrupt", "manifest"),
])
def test_bad_input_exits_2_with_one_line(capsys, folders, case, message):
    target = folders / case
    if case == "corrupt":
        target.mkdir(exist_ok=True)
        (target / "manifest.json").write_text("{ not json", encoding="utf-8")
    code, out, err = run(capsys, "audit", str(target))
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and message in err
    assert "Traceback" not in err and out == ""


def test_bad_options_exit_2(capsys, folders):
    with pytest.raises(SystemExit) as exc:
        main(["audit", str(folders / "clean"), "--threshold", "-1"])
    assert exc.value.code == 2
    assert run(capsys, "audit", str(folders / "clean"), "--workers", "0")[0] == 2
    assert run(capsys, "audit")[0] == 2


def test_list_probes_prints_what_is_probed(capsys):
    code, out, _ = run(capsys, "audit", "--list-probes")
    assert code == 0
    assert "orders.order_id:magnitude" in out and "shipments.carrier:off_shop_mode" in out


def test_audit_reports_each_probe_to_its_progress_hook(random_labels):
    from brushbench.audit import PROBES, audit_dataset

    seen: list[tuple[int, int]] = []
    audit_dataset(random_labels, permutations=2, workers=2,
                  progress=lambda done, total: seen.append((done, total)))
    assert seen == [(i, len(PROBES)) for i in range(1, len(PROBES) + 1)]
