"""``brushbench compare``: the table, the files it writes, the exit codes and bad input."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from brushbench.cli import main
from brushbench.results.compare import compare_files

from compare_helpers import path

AP = "orders.average_precision"


def run(capsys, *argv):
    code = main(["compare", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def one_line_error(err):
    assert err.count("\n") == 1 and err.startswith("brushbench: error: "), err
    assert "Traceback" not in err
    return err.strip()


def test_nothing_changed_exits_0(capsys):
    code, out, err = run(capsys, path("base"), path("same_within_noise"),
                         "--fail-if", f"{AP}:-0.02")
    assert code == 0 and err == ""
    assert "result: no regressions (15 within noise); exit 0" in out


def test_a_worse_metric_without_rules_is_shown_and_exits_0(capsys):
    code, out, _ = run(capsys, path("base"), path("worse"))
    assert code == 0
    assert any(line.startswith("- mixed_naive") and AP in line and "worse" in line
               for line in out.splitlines())


def test_a_broken_rule_exits_1_and_writes_markdown_and_junit(capsys, tmp_path):
    md, xml = tmp_path / "out" / "summary.md", tmp_path / "out" / "junit.xml"
    code, out, err = run(capsys, path("base"), path("worse"), "--fail-if", f"{AP}:-0.02",
                         "--fail-if", "cost.score_seconds:+20%", "--markdown", str(md),
                         "--junit", str(xml))
    assert code == 1 and err == ""
    assert out.splitlines()[1] == "REGRESSIONS (2)"
    assert md.read_text(encoding="utf-8").startswith("### ❌ brushbench compare: 2 regressions")
    suite = ET.parse(xml).getroot().find("testsuite")
    assert suite.get("failures") == "2"
    assert sorted(p.name for p in md.parent.iterdir()) == ["junit.xml", "summary.md"]


def test_a_newly_failing_run_exits_1(capsys):
    code, out, _ = run(capsys, path("base"), path("new_failure"))
    assert code == 1
    assert "  ! flash_sale_ring seed 2: ok in base, error in new: ZeroDivisionError" in out


def test_an_improvement_exits_0(capsys):
    code, out, _ = run(capsys, path("base"), path("improved"), "--metric", "false_alarms.*")
    assert code == 0
    assert "false_alarms.flash_sale.rate_at_1pct" in out


@pytest.mark.parametrize(("other", "reason"), [
    ("other_suite", "different suites (quick c3c3c3c3c3c3 vs standard e5e5e5e5e5e5)"),
    ("other_generator", "different generator versions (1 vs 2)"),
    ("missing_seed", "different scenario hashes or seeds for flash_sale_ring"),
])
def test_results_that_are_not_comparable_exit_2_and_still_write_the_summary(
        capsys, tmp_path, other, reason):
    md = tmp_path / "summary.md"
    code, out, err = run(capsys, path("base"), path(other), "--markdown", str(md))
    assert code == 2
    assert "NOT COMPARABLE" in out and reason in out
    assert one_line_error(err).endswith(f"are not comparable: {reason}")
    assert "not comparable" in md.read_text(encoding="utf-8")


def test_noise_sigmas_changes_the_band(capsys):
    code, out, _ = run(capsys, path("base"), path("same_within_noise"), "--noise-sigmas", "0",
                       "--fail-if", f"{AP}:-0.0")
    assert code == 0
    ap = next(line for line in out.splitlines() if "mixed_naive" in line and AP in line)
    assert "±0.0050" in ap                       # the floor, not 0


@pytest.mark.parametrize(("argv", "words"), [
    (["missing.json", "BASE"], "missing.json: no such file"),
    (["BASE", "NOT_JSON"], "not JSON"),
    (["BASE", "WRONG_SCHEMA"], "not a brushbench results file"),
    (["BASE", "BASE", "--fail-if", "orders.average_precision"], "expected METRIC:DELTA"),
    (["BASE", "BASE", "--fail-if", "orders.average_precision:+2"], "a regression is a drop"),
    (["BASE", "BASE", "--fail-if", "orders.ap:-0.01"], "in neither results file"),
    (["BASE", "BASE", "--metric", "nope.*"], "in neither results file"),
    (["BASE", "BASE", "--noise-sigmas", "many"], "--noise-sigmas must be a number >= 0"),
    (["BASE", "BASE", "--noise-sigmas", "-1"], "--noise-sigmas must be a number >= 0"),
    (["BASE", "BASE", "--markdown", "BLOCKED/summary.md"], "cannot write"),
])
def test_bad_input_is_one_line_on_stderr_and_exit_2(capsys, tmp_path, argv, words):
    (tmp_path / "notjson.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "wrong.json").write_text(json.dumps({"runs": []}), encoding="utf-8")
    (tmp_path / "blocked").write_text("a file, not a folder", encoding="utf-8")
    names = {"BASE": path("base"), "NOT_JSON": str(tmp_path / "notjson.json"),
             "WRONG_SCHEMA": str(tmp_path / "wrong.json"),
             "missing.json": str(tmp_path / "missing.json"),
             "BLOCKED/summary.md": str(tmp_path / "blocked" / "summary.md")}
    code, _, err = run(capsys, *[names.get(a, a) for a in argv])
    assert code == 2
    assert words in one_line_error(err)


def test_compare_is_listed_in_the_help_and_has_its_own(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "compare" in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        main(["compare", "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    assert "--fail-if METRIC:DELTA" in text and "cost.score_seconds:+20%" in text


def test_compare_files_is_what_eval_calls():
    c = compare_files(path("base"), path("worse"), fail_if=[f"{AP}:-0.02"])
    assert c.exit_code == 1 and c.base_label.endswith("base.json")
    assert c.new_label.endswith("worse.json")
    same = compare_files(path("base"), path("base"), noise_sigmas=3.0)
    assert same.exit_code == 0 and same.noise_sigmas == 3.0
