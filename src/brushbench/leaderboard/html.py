"""``leaderboard/index.html``: one self-contained page, readable offline.

The figures are embedded as ``data:image/png;base64`` URIs rather than written as PNG files
beside the page: the page is then a single file that can be opened from a download, a CI
artifact or a mail attachment without losing its images, needs no network and no server, and
a rebuild never leaves stale images of a scenario the suite no longer has. The cost is size
(about a third more than the PNGs), which small figures keep to a few hundred kB.

Layout: readable from a phone to a wide screen without scrolling the page sideways. The overall
table shows the ranking (rank, detector, AP, ROC-AUC, throughput, runs); recall per pattern and
false alarms per kind are two narrower tables in a ``<details>`` block, closed by default.
Numbers, detector names and run counts never wrap (``white-space:nowrap``); long scenario
names in headers may break after an underscore (``<wbr>``). A table wider than the screen
scrolls inside its own wrapper (``.scroll``), never the page; on narrow screens the detector
column stays in view.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable, Mapping, Sequence

from . import discrimination, notes, robustness
from .entries import Leaderboard
from .markdown import one_line
from .ranking import ranked
from .sections import Section
from .stats import EntryStats
from .tables import Column, Table, main_table, scenario_order, scenario_table, select

STYLE = """\
*,*::before,*::after{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em auto;
max-width:1200px;padding:0 1em;color:#222;line-height:1.45;overflow-wrap:break-word}
table{border-collapse:separate;border-spacing:0;font-size:.85em;border-top:1px solid #ccc;
border-left:1px solid #ccc}
th,td{border-right:1px solid #ccc;border-bottom:1px solid #ccc;padding:.25em .5em;
vertical-align:top}
th{background:#f3f3f3}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.label,td.nowrap{white-space:nowrap}
td.best{font-weight:bold;background:#e8f4e8}
code{background:#f3f3f3;padding:0 .2em;overflow-wrap:anywhere}
img{max-width:100%;height:auto}
.figures{display:flex;flex-wrap:wrap;gap:1em}
figure{margin:0;flex:1 1 480px;max-width:100%}
figcaption{font-size:.8em;color:#555}
.scroll{max-width:100%;overflow-x:auto;margin:1em 0}
details{margin:1em 0}
summary{cursor:pointer;font-weight:bold}
ul.checks{list-style:none;padding-left:0}
li.fail{color:#a00}
@media (max-width:700px){
body{margin:1em auto;padding:0 .5em}
table{font-size:.78em}
th,td{padding:.2em .35em}
td.label{position:sticky;left:0;background:#fff;z-index:1}
td.label.best{background:#e8f4e8}
}
"""

#: The overall table's columns on the page; the others are in the details block.
OVERVIEW = ("rank", "detector", "AP (mean ± std)", "ROC-AUC", "orders/s", "runs")


def inline(text: str) -> str:
    """Escape ``text`` and turn `code` spans into ``<code>``."""
    return re.sub(r"`([^`]*)`", r"<code>\1</code>", html.escape(text, quote=False))


def render_table(table: Table) -> list[str]:
    """A table whose grouped columns (recall, false alarms) get a heading row above them."""
    out = ['<div class="scroll"><table>', "<thead>"]
    if any(c.group for c in table.columns):
        top: list[tuple[str, int]] = []
        for c in table.columns:
            if top and c.group and top[-1][0] == c.group:
                top[-1] = (c.group, top[-1][1] + 1)
            else:
                top.append((c.group, 1))
        out.append("<tr>" + "".join(f'<th colspan="{n}">{html.escape(g)}</th>' if n > 1
                                    else f"<th>{html.escape(g)}</th>" for g, n in top) + "</tr>")
    out.append("<tr>" + "".join(f"<th>{header(c)}</th>" for c in table.columns) + "</tr>")
    out.append("</thead>")
    out.append("<tbody>")
    for row in table.rows:
        cells = []
        for cell, col in zip(row, table.columns, strict=True):
            classes = [k for k, on in (("num", not col.text), ("label", col.header == "detector"),
                                       ("nowrap", col.header == "runs"), ("best", cell.best))
                       if on]
            attr = f' class="{" ".join(classes)}"' if classes else ""
            cells.append(f"<td{attr}>{html.escape(cell.text)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out += ["</tbody>", "</table></div>"]
    return out


def header(column: Column) -> str:
    """A column's header, escaped, free to break after an underscore (long scenario names)."""
    return html.escape(column.header).replace("_", "_<wbr>")


def lead(column: Column) -> bool:
    return column.header in ("rank", "detector")


def in_group(group: str) -> Callable[[Column], bool]:
    """Columns of ``group``, with the rank and the detector."""
    return lambda c: lead(c) or c.group == group


def overall_tables(stats: list[EntryStats]) -> list[str]:
    """The ranking, then recall per pattern and false alarms per kind in a closed details
    block (each with the rank and the detector)."""
    full = main_table(stats)
    out = render_table(select(full, lambda c: c.header in OVERVIEW))
    groups = list(dict.fromkeys(c.group for c in full.columns if c.group))
    out += ["<details>", "<summary>" + html.escape(" and ".join(groups)) + "</summary>"]
    for group in groups:
        out.append(f"<h3>{html.escape(group)}</h3>")
        out += render_table(select(full, in_group(group)))
    out.append("</details>")
    return out


def discrimination_lines(stats: list[EntryStats]) -> list[str]:
    """The checks (✔ or ✘ each) and the hard negatives, as the README has them."""
    checks = discrimination.all_checks(stats)
    out = [f"<p>{inline(discrimination.summary(checks))}</p>", '<ul class="checks">']
    out += [f'<li class="{"pass" if c.passed else "fail"}">'
            f"{inline(discrimination.check_text(c))}</li>" for c in checks]
    out += ["</ul>", f"<p>{inline(discrimination.HARD_NEGATIVES_INTRO)}</p>",
            '<ul class="hard-negatives">']
    out += [f"<li>{inline(text)}</li>" for text in discrimination.cost_texts(stats)]
    out.append("</ul>")
    return out


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def render_html(board: Leaderboard, stats: list[EntryStats], heatmap_png: bytes,
                curve_pngs: Mapping[str, bytes], extra: Sequence[Section] = ()) -> str:
    """The page's text (ends with a newline): the README's tables and checks, the heatmap and
    one PR-curve figure per scenario; ``extra`` sections go before the entries."""
    stats = ranked(stats)
    n = len(board.entries)
    n_verified = sum(e.verified for e in board.entries)
    seeds = ", ".join(str(s) for s in board.seeds)
    title = f"brushbench leaderboard: suite {board.suite_name}"
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<!-- {html.escape(notes.GENERATED)} -->",
           f"<title>{html.escape(title)}</title>", f"<style>\n{STYLE}</style>", "</head>",
           "<body>", "<h1>brushbench leaderboard</h1>",
           f"<p>Suite <strong>{html.escape(board.suite_name)}</strong> (hash "
           f"<code>{html.escape(board.suite_hash)}</code>), generator version "
           f"<strong>{html.escape(board.generator_version)}</strong>, seeds {seeds}: "
           f"{len(board.scenarios)} scenarios × {len(board.seeds)} seeds per detector. "
           f"{n} entr{'y' if n == 1 else 'ies'} ({n_verified} verified, {n - n_verified} "
           "self-reported).</p>",
           "<h2>Overall</h2>", *overall_tables(stats),
           f"<p>{inline(notes.RANKING)}</p>", f"<p>{inline(notes.LEGEND)}</p>", "<ul>"]
    out += [f"<li><strong>{inline(term)}</strong>: {inline(text)}</li>"
            for term, text in notes.HOW]
    out += ["</ul>", "<h2>Per pattern: average precision</h2>",
            "<p>Average precision of each pattern's brushing orders against all legitimate "
            "orders (other patterns' orders left out), the mean over the runs whose scenario "
            "has the pattern; grey: undefined.</p>",
            f"<p>{_img(heatmap_png, 'pattern by detector heatmap of average precision')}</p>",
            "<h2>Precision-recall curves per scenario</h2>",
            "<p>Per scenario, each detector's interpolated precision (the best precision at a "
            "recall of at least r) at 51 recall levels, the mean over seeds. The dashed grey "
            "line is chance: the share of brushing orders.</p>", '<div class="figures">']
    for scenario in scenario_order(board.scenario_names):
        if scenario in curve_pngs:
            out.append(f"<figure>{_img(curve_pngs[scenario], f'PR curves on {scenario}')}"
                       f"<figcaption>{html.escape(scenario)}</figcaption></figure>")
    out += ["</div>", "<h2>Per scenario: average precision</h2>",
            *render_table(scenario_table(stats, board.scenario_names)),
            f"<p>{inline(notes.SCENARIOS)}</p>", "<h2>Does the suite discriminate?</h2>",
            *discrimination_lines(stats), "<h2>Failed runs</h2>"]
    failed = [(st.entry.name, run) for st in stats for run in st.failed]
    if failed:
        out.append("<ul>")
        out += [f"<li><code>{html.escape(name)}</code> {html.escape(run.scenario)} seed "
                f"{run.seed}: {html.escape(run.status)}: {html.escape(one_line(run))}</li>"
                for name, run in failed]
        out.append("</ul>")
    else:
        out.append("<p>None: every run of every ranked entry was ok.</p>")
    out += robustness.html_lines([(st.entry.name, st.entry.robustness) for st in stats])
    for section in extra:
        out += section.html_lines()
    out += ["<h2>Entries</h2>", '<div class="scroll"><table>',
            "<thead><tr><th>detector</th><th>status</th><th>target</th><th>description</th>"
            "</tr></thead>", "<tbody>"]
    for st in stats:
        e = st.entry
        what = html.escape(e.description) + (f" ({html.escape(e.link)})" if e.link else "")
        out.append(f"<tr><td>{html.escape(e.name)}</td><td>{e.status}</td><td><code>"
                   f"{html.escape(str(e.results.detector.target or ''))}</code></td>"
                   f"<td>{what or '—'}</td></tr>")
    out += ["</tbody>", "</table></div>"]
    if board.refused:
        out += ["<h2>Not ranked</h2>", "<p>These results files are not comparable with the "
                "entries above (or cannot be read), so they are not ranked:</p>", "<ul>"]
        out += [f"<li><code>{html.escape(r.file)}</code>: "
                f"{html.escape(' '.join(r.reason.split()))}</li>" for r in board.refused]
        out.append("</ul>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


__all__ = ["OVERVIEW", "STYLE", "discrimination_lines", "header", "overall_tables",
           "render_html", "render_table"]
