"""``docs/patterns.md``, generated from the pattern modules themselves (so it cannot drift).

    python -m brushbench.patterns.docs > docs/patterns.md
"""

from __future__ import annotations

import inspect
import sys

from . import get, names


def summary(name: str) -> str:
    """The first line of a pattern module's docstring, without the name prefix."""
    doc = inspect.getdoc(get(name).module) or ""
    first = doc.strip().splitlines()[0] if doc.strip() else ""
    return first.split(":", 1)[1].strip() if first.startswith(f"``{name}``") else first


def render_markdown() -> str:
    out = ["# Fraud patterns", "",
           "Generated from the pattern modules by `python -m brushbench.patterns.docs`; the keys",
           "of each pattern's scenario entry are in [scenarios.md](scenarios.md).", "",
           "Every campaign has a `camouflage` knob from 0 (naive) to 1 (careful). The shared",
           "completion stage gives brushing orders their parcels, refunds and reviews exactly as",
           "it does legitimate ones, except where the pattern's behaviour says otherwise, so the",
           "only traces are behavioural ones (`brushbench audit` checks this).", "",
           "| pattern | what it is |", "| --- | --- |"]
    out += [f"| `{n}` | {summary(n)} |" for n in names()]
    for n in names():
        out += ["", f"## `{n}`", "", inspect.getdoc(get(n).module) or ""]
    return "\n".join(out) + "\n"


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(render_markdown())
