"""What ``Comparison`` renders: the terminal table, the Markdown summary and the JUnit report."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from brushbench.results.compare import compare_results

from compare_helpers import golden

AP = "orders.average_precision"
RULES = [f"{AP}:-0.02", "cost.score_seconds:+20%"]


@pytest.fixture(scope="module")
def worse():
    return compare_results(golden("base"), golden("worse"), fail_if=RULES)


@pytest.fixture(scope="module")
def fine():
    return compare_results(golden("base"), golden("same_within_noise"), fail_if=RULES)


@pytest.fixture(scope="module")
def apart():
    return compare_results(golden("base"), golden("other_suite"))


@pytest.fixture(scope="module")
def broken():
    return compare_results(golden("base"), golden("new_failure"))


def junit(comparison):
    root = ET.fromstring(comparison.to_junit_xml())
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    assert len(suites) == 1
    return suites[0]


# -- text ------------------------------------------------------------------------------------------

def test_the_text_table_puts_regressions_first(worse):
    lines = worse.render_text().splitlines()
    assert lines[1] == "REGRESSIONS (2)"
    assert lines[2].startswith("  ! mixed_naive: orders.average_precision fell")
    table = [line for line in lines if line[:2] in {"! ", "- ", "+ ", "~ ", "? "}]
    assert len(table) == len(worse.rows)
    flagged = [line.split()[1:3] for line in table if line.startswith("!")]
    assert flagged == [["mixed_naive", AP], ["flash_sale_ring", "cost.score_seconds"]]
    assert lines[-1] == "result: 2 regressions (3 worse, 12 within noise); exit 1"


def test_the_text_of_results_that_are_not_comparable_lists_the_reasons(apart):
    text = apart.render_text()
    assert "NOT COMPARABLE" in text and "different suites (quick" in text
    assert text.splitlines()[-1] == "result: not comparable; exit 2"


# -- markdown --------------------------------------------------------------------------------------

def test_markdown_headline_table_and_regressions(worse):
    md = worse.render_markdown()
    lines = md.splitlines()
    assert lines[0] == "### ❌ brushbench compare: 2 regressions (3 worse, 12 within noise)"
    assert "| | scenario | metric | base | new | delta | noise | verdict |" in lines
    first_table = lines.index("| | scenario | metric | base | new | delta | noise | verdict |")
    changed = []
    for line in lines[first_table + 2:]:
        if not line.startswith("|"):
            break
        changed.append([cell.strip() for cell in line.strip("|").split("|")])
    # Changed and gated rows up front; the quiet ones are folded away.
    assert ["❗", "mixed_naive", f"`{AP}`"] == changed[0][:3]
    assert changed[0][4:7] == ["0.7100", "-0.1000 (-12.3%)", "±0.0200"]
    assert changed[0][7].startswith("**worse")
    assert {row[1] for row in changed if row[0] == "❗"} == {"mixed_naive", "flash_sale_ring"}
    assert "<details><summary>" in md
    assert lines.index("**Regressions (2)**") > first_table
    bullets = [line for line in lines if line.startswith("- ") and "fell" in line]
    assert len(bullets) == 1


def test_markdown_when_all_is_well(fine):
    md = fine.render_markdown()
    assert md.startswith("### ✅ brushbench compare: no regressions")
    assert "**Regressions" not in md


def test_markdown_of_a_new_failure_names_the_run(broken):
    md = broken.render_markdown()
    assert md.startswith("### ❌ brushbench compare: 1 regression (")
    assert "- flash_sale_ring seed 2: ok → error: ZeroDivisionError: division by zero" in md


def test_markdown_when_not_comparable(apart):
    md = apart.render_markdown()
    assert md.startswith("### ❌ brushbench compare: not comparable: different suites")
    assert "| scenario |" not in md


def test_markdown_escapes_pipes():
    base = golden("base")
    for run in base["runs"]:
        run["scenario"] = run["scenario"].replace("_", "|")
    md = compare_results(base, base).render_markdown()
    assert "mixed\\|naive" in md


# -- junit -----------------------------------------------------------------------------------------

def test_junit_has_a_testcase_per_metric_and_run_and_fails_the_regressions(worse):
    suite = junit(worse)
    cases = suite.findall("testcase")
    assert len(cases) == len(worse.rows) + 6
    failed = [(c.get("classname"), c.get("name")) for c in cases if c.find("failure") is not None]
    assert failed == [("mixed_naive", AP), ("flash_sale_ring", "cost.score_seconds")]
    assert suite.get("tests") == str(len(cases)) and suite.get("failures") == "2"
    status_cases = [c.get("name") for c in cases if c.get("name").startswith("run seed")]
    assert status_cases == ["run seed 1 status", "run seed 2 status", "run seed 3 status"] * 2


def test_junit_fails_a_newly_failing_run(broken):
    suite = junit(broken)
    failures = [c for c in suite.findall("testcase") if c.find("failure") is not None]
    assert [(c.get("classname"), c.get("name")) for c in failures] == [
        ("flash_sale_ring", "run seed 2 status")]
    assert "ZeroDivisionError" in failures[0].find("failure").get("message")
    assert suite.get("failures") == "1"


def test_junit_of_a_clean_comparison_has_no_failures(fine):
    suite = junit(fine)
    assert suite.get("failures") == "0" and suite.get("errors") == "0"
    assert all(c.find("failure") is None for c in suite.findall("testcase"))


def test_junit_marks_undefined_metrics_skipped():
    c = compare_results(golden("base"), golden("undefined_metric"))
    suite = junit(c)
    skipped = [c.get("name") for c in suite.findall("testcase") if c.find("skipped") is not None]
    assert skipped == ["orders.roc_auc", "per_pattern.self_purchase.recall_at_1pct"]
    assert suite.get("skipped") == "2"


def test_junit_of_results_that_are_not_comparable_is_one_error(apart):
    suite = junit(apart)
    (case,) = suite.findall("testcase")
    assert case.get("name") == "comparable"
    assert "different suites" in case.find("error").text
    assert suite.get("errors") == "1" and suite.get("tests") == "1"
