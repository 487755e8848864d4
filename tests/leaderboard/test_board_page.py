"""The HTML page: what the README has (discrimination checks, hard negatives), and a layout
readable on a laptop and a phone (checked on the markup and the style rules; the screenshots of
``benchmarks/leaderboard_screenshots.py`` need a browser and are not part of the tests)."""

from __future__ import annotations

import re

import pytest

from brushbench.leaderboard import build, discrimination, load_leaderboard
from brushbench.leaderboard.html import OVERVIEW, STYLE
from brushbench.leaderboard.stats import board_stats

from leaderboard_helpers import ROOT, copy_fixtures

COMMITTED = ROOT / "leaderboard"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    results = copy_fixtures(tmp_path_factory.mktemp("results"))
    out = tmp_path_factory.mktemp("out")
    build(results, out)
    return (out / "index.html").read_text(encoding="utf-8"), load_leaderboard(results)


def rules(css: str) -> dict[str, str]:
    """{selector: declarations} of the style, media queries flattened with their condition."""
    found: dict[str, str] = {}
    for media, body in re.findall(r"(@media[^{]*)\{((?:[^{}]*\{[^}]*\})*)\s*\}", css):
        for sel, decl in re.findall(r"([^{}]+)\{([^}]*)\}", body):
            found[f"{media.strip()} {sel.strip()}"] = decl
    flat = re.sub(r"@media[^{]*\{(?:[^{}]*\{[^}]*\})*\s*\}", "", css)
    for sel, decl in re.findall(r"([^{}]+)\{([^}]*)\}", flat):
        found[sel.strip()] = decl
    return found


def section(page: str, heading: str) -> str:
    return page.split(f"<h2>{heading}</h2>", 1)[1].split("<h2>", 1)[0]


def test_the_page_has_the_discrimination_checks_and_the_hard_negatives(page):
    text, board = page
    stats = board_stats(board)
    part = section(text, "Does the suite discriminate?")
    checks = discrimination.all_checks(stats)
    assert checks                                   # the fixtures' entries give some
    assert f"{sum(c.passed for c in checks)} of {len(checks)} checks hold" in part
    items = re.findall(r'<li class="(pass|fail)">(.*?)</li>', part)
    assert len(items) == len(checks)
    assert [k for k, _ in items] == ["pass" if c.passed else "fail" for c in checks]
    assert "Hard negatives on the naive scenarios" in part
    costs = re.findall(r"<li>(.*?)</li>", part.split('<ul class="hard-negatives">', 1)[1])
    assert costs == [t.replace("&", "&amp;") for t in discrimination.cost_texts(stats)]


def test_the_committed_page_lists_what_the_committed_readme_lists():
    readme = (COMMITTED / "README.md").read_text(encoding="utf-8")
    text = (COMMITTED / "index.html").read_text(encoding="utf-8")
    md = readme.split("## Does the suite discriminate?\n", 1)[1].split("\n## ", 1)[0]
    md_items = [line[2:] for line in md.splitlines() if line.startswith("- ")]
    html_items = re.findall(r"<li[^>]*>(.*?)</li>", section(text, "Does the suite discriminate?"))
    assert [re.sub(r"</?code>", "`", h) for h in html_items] == md_items
    assert "15 of 15 checks hold" in text


def test_the_overall_table_is_narrow_and_the_details_are_collapsed(page):
    text, _ = page
    overall = section(text, "Overall")
    first = overall.split("</table>", 1)[0]
    headers = re.findall(r"<th[^>]*>(.*?)</th>", first)
    assert headers == list(OVERVIEW)
    assert len(headers) <= 6
    # Recall per pattern and false alarms per kind: in a details block, closed by default.
    details = re.search(r"<details>(.*?)</details>", overall, re.S)
    assert details and "<details open" not in overall
    assert "recall at 1% (per pattern)" in details[1] and "false alarms at 1%" in details[1]
    assert details[1].count("<table>") == 2


def test_numbers_do_not_wrap_and_only_tables_scroll_sideways(page):
    text, _ = page
    css = rules(STYLE)
    assert "white-space:nowrap" in css["td.num"]
    assert "overflow-x:auto" in css[".scroll"]
    assert "max-width:100%" in css["img"]
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
    phone = [sel for sel in css if sel.startswith("@media (max-width:")]
    assert any(sel.endswith("td.label") and "sticky" in css[sel] for sel in phone)
    # Every table sits in a wrapper that scrolls, so the page itself never does.
    assert text.count("<table>") == text.count('<div class="scroll"><table>')
    # Long scenario names in headers may break after an underscore, numbers may not.
    assert "double11_<wbr>phone_<wbr>war_<wbr>naive" in (COMMITTED / "index.html").read_text(
        encoding="utf-8")
    assert not re.search(r'<td class="num[^"]*">[^<]*<wbr>', text)
