"""Fixture results of the leaderboard tests, and ways to change their numbers.

``fixtures/*.json`` are real ``brushbench eval`` results on ``fixtures/tiny.yaml`` (regenerate
them with ``python tests/leaderboard/make_fixtures.py``): ``ten_line`` (the example detector),
``random_scores``, ``null_scores`` and ``careful_fails`` (whose runs on ``mixed_careful`` fail).
Tests that need known numbers copy one and overwrite metrics in its runs.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from brushbench.metrics import undefined

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
NAMES = ("careful_fails", "null_scores", "random_scores", "ten_line")
ROOT = HERE.parents[1]
UNDEFINED = undefined("no orders of this pattern")


def fixture(name: str) -> dict[str, Any]:
    """A fresh copy of a fixture results document."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def write(folder: Path, name: str, doc: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(doc, sort_keys=True), encoding="utf-8")
    return path


def copy_fixtures(folder: Path, names: tuple[str, ...] = NAMES) -> Path:
    for name in names:
        write(folder, name, fixture(name))
    return folder


def set_metric(doc: dict[str, Any], path: str,
               value: Any | Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    """Set the metric at dotted ``path`` in every ok run (``value`` may be a function of the
    run); returns a new document."""
    doc = copy.deepcopy(doc)
    *parents, last = path.split(".")
    for run in doc["runs"]:
        if run["status"] != "ok":
            continue
        tree = run["metrics"]
        for key in parents:
            tree = tree.setdefault(key, {})
        tree[last] = value(run) if callable(value) else value
    return doc


def with_values(name: str, **paths: Any) -> dict[str, Any]:
    """Fixture ``name`` with each ``path__with__underscores=value`` set (``__`` for dots)."""
    doc = fixture(name)
    for key, value in paths.items():
        doc = set_metric(doc, key.replace("__", "."), value)
    return doc


def table(markdown: str, heading: str) -> dict[str, dict[str, str]]:
    """The first table after ``## heading`` as {detector: {column title: cell text}} (keyed by
    the ``detector`` column, else the first one)."""
    section = markdown.split(f"## {heading}\n", 1)[1]
    lines = [x for x in section.split("\n## ", 1)[0].splitlines() if x.startswith("|")]
    split = [[c.strip() for c in x.strip("|").split(" | ")] for x in lines]
    head, rows = split[0], split[2:]
    key = head.index("detector") if "detector" in head else 0
    return {row[key]: dict(zip(head, row, strict=True)) for row in rows}


def bold(cell: str) -> bool:
    return cell.startswith("**") and cell.endswith("**")
