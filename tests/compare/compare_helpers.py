"""Golden results files of the ``compare`` tests, and small edits of them.

``golden/`` holds hand-made results files: two scenarios (``mixed_naive``, ``flash_sale_ring``)
times three seeds, with plausible metrics; golden/README.md says what each variant changes.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

GOLDEN = Path(__file__).parent / "golden"
SCENARIOS = ("mixed_naive", "flash_sale_ring")


def golden(name: str) -> dict[str, Any]:
    """A fresh copy of ``golden/<name>.json`` (tests may edit it)."""
    return json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))


def path(name: str) -> str:
    return str(GOLDEN / f"{name}.json")


def only_seeds(doc: dict[str, Any], *seeds: int) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc["runs"] = [r for r in doc["runs"] if r["seed"] in seeds]
    return doc


def set_metric(doc: dict[str, Any], scenario: str, dotted: list[str], values: dict[int, Any],
               *, where: str = "metrics") -> dict[str, Any]:
    """Set ``runs[scenario, seed].<where>.<dotted...>`` to ``values[seed]``."""
    doc = copy.deepcopy(doc)
    for run in doc["runs"]:
        if run["scenario"] == scenario and run["seed"] in values:
            node = run[where]
            for key in dotted[:-1]:
                node = node.setdefault(key, {})
            node[dotted[-1]] = values[run["seed"]]
    return doc
