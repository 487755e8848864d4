"""Robustness under attack on the leaderboard: the ``robust R@1%`` column and its section.

``brushbench attack`` (:mod:`brushbench.attack.robustness`) writes one file per detector,
``robustness/<entry>.json``, in the folder beside the results folder (``leaderboard/robustness``
for ``leaderboard/results``). Each holds, per attacked pattern, the detector's **robust
recall**: its recall at the 1% review budget on the paying campaign the attack found it worst at
(None when no candidate paid). The column is the mean of an entry's robust recalls; the section
shows them per pattern, next to the recall on the scenario's own campaign. Without such files
neither appears, and the board is what it was.

Read as plain JSON here: the leaderboard does not import the attack (the two are in the same
layer).
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

#: The folder beside the results folder that holds the attack's robustness files.
ROBUSTNESS_DIR = "robustness"
HEADER = "robust R@1%"
COMMAND = "python -m brushbench.attack.robustness baselines/*.py --out leaderboard/robustness"


def robustness_dir(results_dir: str | Path) -> Path:
    return Path(results_dir).parent / ROBUSTNESS_DIR


def read_robustness(results_dir: str | Path, names: Sequence[str]) -> dict[str, Any]:
    """The robustness document of each entry of ``names`` that has one (unreadable files and
    files of no entry are left out: the column is an addition, never a reason to refuse)."""
    folder = robustness_dir(results_dir)
    out: dict[str, Any] = {}
    for name in names:
        path = folder / f"{name}.json"
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(doc, dict) and isinstance(doc.get("attacks"), list):
            out[name] = doc
    return out


def robust_recall(doc: Mapping[str, Any] | None) -> float | None:
    """The mean robust recall over the attacks that found a paying evasion; None without any."""
    if not doc:
        return None
    values = [float(a["robust_recall"]) for a in doc.get("attacks", [])
              if isinstance(a, dict) and a.get("robust_recall") is not None]
    return sum(values) / len(values) if values else None


def patterns_of(docs: Sequence[Mapping[str, Any]]) -> list[str]:
    """The attacked patterns, in the order the files give them."""
    seen: dict[str, None] = {}
    for doc in docs:
        for a in doc.get("attacks", []):
            seen.setdefault(str(a.get("pattern")), None)
    return list(seen)


def _cell(attack: Mapping[str, Any] | None) -> str:
    if attack is None:
        return "—"
    robust, ref = attack.get("robust_recall"), attack.get("reference_recall")
    shown = "no paying evasion" if robust is None else f"{robust:.3f}"
    return shown + ("" if ref is None else f" (was {ref:.3f})")


def rows(entries: Sequence[tuple[str, Mapping[str, Any] | None]]
         ) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the per-pattern table, entries in the order given."""
    docs = [doc for _, doc in entries if doc]
    patterns = patterns_of(docs)
    header = ["detector", *patterns]
    body = []
    for name, doc in entries:
        if not doc:
            continue
        by = {str(a.get("pattern")): a for a in doc.get("attacks", [])}
        body.append([name, *[_cell(by.get(p)) for p in patterns]])
    return header, body


def explanation(docs: Sequence[Mapping[str, Any]]) -> str:
    versions = sorted({str(d.get("versions", {}).get("generator")) for d in docs})
    return (f"`{HEADER}`: the recall at the 1% review budget on the paying campaign that "
            "`brushbench attack` found each detector worst at, per attacked pattern (in "
            "brackets: the recall on the scenario's own campaign), and in the overall table the "
            "mean over patterns. A campaign pays when its brushed shop climbs at least half as "
            "many places in the sales ranking as with the scenario's own campaign. "
            f"Generator version {', '.join(versions)}; regenerate with `{COMMAND}` "
            "(docs/attack.md).")


def markdown_lines(entries: Sequence[tuple[str, Mapping[str, Any] | None]]) -> list[str]:
    """The README's section (empty without any robustness file)."""
    docs = [doc for _, doc in entries if doc]
    if not docs:
        return []
    header, body = rows(entries)
    lines = ["## Robustness under attack", "",
             "| " + " | ".join(header) + " |", "|" + "|".join(["---"] * len(header)) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return [*lines, "", explanation(docs)]


def html_lines(entries: Sequence[tuple[str, Mapping[str, Any] | None]]) -> list[str]:
    """The page's section (empty without any robustness file)."""
    from .html import inline

    docs = [doc for _, doc in entries if doc]
    if not docs:
        return []
    header, body = rows(entries)
    out = ["<h2>Robustness under attack</h2>", '<div class="scroll"><table>', "<thead><tr>",
           *[f"<th>{html.escape(h)}</th>" for h in header], "</tr></thead><tbody>"]
    for row in body:
        out.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>")
    out += ["</tbody></table></div>", f"<p>{inline(explanation(docs))}</p>"]
    return out


__all__ = ["HEADER", "ROBUSTNESS_DIR", "html_lines", "markdown_lines", "read_robustness",
           "robust_recall", "robustness_dir", "rows"]
