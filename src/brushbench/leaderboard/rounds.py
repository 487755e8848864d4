"""Hidden-seed rounds on the leaderboard: a page of their own, apart from the public-seed board.

Round results (``brushbench round eval``) live in ``<results>/rounds/<round>/*.json``, out of
reach of the board's ``*.json`` glob, so they are never ranked with, or refused by, the
public-seed entries. :func:`write_rounds` writes ``ROUNDS.md`` beside the README: one table per
round (its suite, number of seeds, commitment and whether the seeds are revealed), each entry's
ok runs and mean order metrics over them. Nothing is written when there is no round result.
"""

from __future__ import annotations

import json
import os
import statistics
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..dataset._fs import write_file_atomic
from ..results.io import read_results
from ..results.model import Results, ResultsError

ROUNDS_NAME = "ROUNDS.md"
ROUNDS_DIR = "rounds"
#: The columns of a round's table: (title, metric path).
COLUMNS = (("AP", "orders.average_precision"), ("ROC-AUC", "orders.roc_auc"))


def round_results(results_dir: str | os.PathLike[str]
                  ) -> tuple[dict[str, list[tuple[str, Results]]], list[str]]:
    """The round results under ``results_dir/rounds`` by round name (entries sorted by file
    name), and one line per file that could not be read or names no round."""
    root = Path(results_dir) / ROUNDS_DIR
    rounds: dict[str, list[tuple[str, Results]]] = {}
    problems: list[str] = []
    for path in sorted(root.glob("*/*.json")) if root.is_dir() else []:
        try:
            doc = read_results(path)
        except ResultsError as exc:
            problems.append(str(exc))
            continue
        tag = doc.extra.get("round")
        if not isinstance(tag, dict) or not tag.get("name"):
            problems.append(f"{path}: not a round's results (no 'round' section)")
            continue
        rounds.setdefault(str(tag["name"]), []).append((path.stem, doc))
    return rounds, problems


def _round_file(results_dir: Path, name: str) -> dict[str, Any] | None:
    for path in (results_dir / f"{name}.round.json", results_dir / ROUNDS_DIR /
                 f"{name}.round.json"):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(doc, dict):
            return doc
    return None


def _mean(values: Iterable[Any]) -> str:
    numbers = [v for v in values if isinstance(v, float)]
    if not numbers:
        return "-"
    if len(numbers) == 1:
        return f"{numbers[0]:.3f}"
    return f"{statistics.fmean(numbers):.3f} ± {statistics.stdev(numbers):.3f}"


def render_rounds(results_dir: str | os.PathLike[str]) -> str | None:
    """The Markdown of ``ROUNDS.md``, or None when there is no round result."""
    folder = Path(results_dir)
    rounds, problems = round_results(folder)
    if not rounds and not problems:
        return None
    out = ["# Hidden-seed rounds", "",
           "Each round ran on seeds drawn in secret (`brushbench round`, docs/rounds.md): its "
           "results are not comparable with the public-seed board, nor with another round's.",
           ""]
    for name in sorted(rounds):
        entries = rounds[name]
        tag = entries[0][1].extra["round"]
        commitment = str(tag.get("commitment", ""))
        round_doc = _round_file(folder, name)
        revealed = (round_doc or {}).get("revealed")
        status = ("seeds revealed: " + ", ".join(str(s) for s in revealed["seeds"])
                  + " (check with `brushbench round verify`)"
                  if isinstance(revealed, dict) and revealed.get("seeds") else "seeds hidden")
        out += [f"## Round {name}", "",
                f"Suite {tag.get('suite')} {str(tag.get('suite_hash', ''))[:12]}, "
                f"{tag.get('seeds')} seed(s), commitment `{commitment[:16]}`; {status}.", ""]
        out.append("| entry | detector | ok runs | " + " | ".join(c for c, _ in COLUMNS) + " |")
        out.append("| --- | --- | --- |" + " --- |" * len(COLUMNS))
        for stem, doc in entries:
            others = str(doc.extra["round"].get("commitment")) != commitment
            ok = [r for r in doc.runs if r.ok]
            cells = [_mean(r.value(path) for r in ok) for _, path in COLUMNS]
            label = f"{stem} (another commitment!)" if others else stem
            out.append(f"| {label} | {doc.detector.name or '-'} | {len(ok)}/{len(doc.runs)} | "
                       + " | ".join(cells) + " |")
        out.append("")
    if problems:
        out += ["## Not shown", "", *[f"- {p}" for p in problems], ""]
    return "\n".join(out)


def write_rounds(results_dir: str | os.PathLike[str], out_dir: str | os.PathLike[str]
                 ) -> list[Path]:
    """Write ``ROUNDS.md`` into ``out_dir`` when ``results_dir`` has round results; return the
    files written (none otherwise)."""
    text = render_rounds(results_dir)
    if text is None:
        return []
    return [write_file_atomic(Path(out_dir) / ROUNDS_NAME, text)]


__all__ = ["ROUNDS_DIR", "ROUNDS_NAME", "render_rounds", "round_results", "write_rounds"]
