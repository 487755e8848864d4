"""``fit_log``: a scenario whose legitimate traffic reproduces an order log's profile.

Read the log (:mod:`.source`), estimate every parameter from its own columns
(:mod:`.estimate`), refine them by generating (:mod:`.refine`), then write the scenario
(:mod:`.emit`) with a header that names the log and sets the fitted log's statistics beside
the log's, as ``brushbench realism`` compares them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._version import GENERATOR_VERSION, __version__
from ..dataset._fs import write_file_atomic
from ..generator.run import generate
from ..realism.compare import Comparison, compare, ratio_text, shown
from ..realism.profile import DEFAULT_TOLERANCE, PROFILE_VERSION
from ..realism.stats import Log, compute_all
from ..scenario.loader import load_scenario_text
from ..scenario.model import Scenario
from .emit import scenario_dict, scenario_text, slug
from .estimate import Estimate, estimate
from .refine import REFINE_ORDERS, Refinement, refine
from .source import FitError, Source, read_source

__all__ = ["Fit", "FitError", "fit_log", "write_fit"]

#: Seed of the fitted scenario and of the fit's own simulations.
SEED = 1
#: The fewest orders a log needs for the refinement (smaller logs keep the first estimate).
MIN_REFINE_ORDERS = 100


@dataclass(frozen=True)
class Fit:
    """A fitted scenario: its YAML text, the model, and how close its log comes."""

    text: str
    scenario: Scenario
    estimate: Estimate
    refinement: Refinement | None
    comparison: Comparison
    source: Source


def _profile(log: Log, name: str) -> dict[str, Any]:
    return {"profile_version": PROFILE_VERSION, "name": name, "tolerance": DEFAULT_TOLERANCE,
            "statistics": compute_all(log)}


def fit_log(path: str | os.PathLike[str], *, columns: Any = None, timezone: str | None = None,
            name: str | None = None, refine_rounds: bool = True) -> Fit:
    """Fit a scenario to the order log at ``path``.

    Parameters
    ----------
    path : path
        An order file in the ``--data`` formats or a dataset folder.
    columns : mapping or str, optional
        The column mapping (``"scl2020"``, ``"order_id=orderid,..."``).
    timezone : str, optional
        Zone of times without an offset (default UTC).
    name : str, optional
        The scenario's name (default: from the file name).
    refine_rounds : bool
        Refine the first estimate by generating (the default); False gives the first
        estimate alone, in a fraction of the time.

    Raises
    ------
    FitError
        One line naming the log and the problem.
    """
    source = read_source(path, columns=columns, timezone=timezone)
    name = slug(name or Path(source.name).name.split(".")[0])
    line = f"{source.name} ({source.rows:,} rows, sha256 {source.sha256})"

    def build(est: Estimate) -> Scenario:
        return load_scenario_text(scenario_text(scenario_dict(est, name, line, SEED), []))

    est = estimate(source, SEED)
    refinement = None
    # A log of a few dozen orders has too little to refine against: its own noise would
    # steer the steps.
    if refine_rounds and source.rows >= MIN_REFINE_ORDERS:
        est, refinement = refine(est, source.log, build, SEED)
    doc = scenario_dict(est, name, line, SEED)
    scenario = load_scenario_text(scenario_text(doc, []))
    scale = min(1.0, REFINE_ORDERS / source.rows)
    generated = generate(scenario, seed=SEED, scale=scale).arrow("orders")
    mine = (_profile(Log.of_tables(generated, scenario.window.timezone), f"{name} (generated)")
            if generated.num_rows else {"name": name, "statistics": {}})
    comparison = compare(mine, _profile(source.log, source.name))
    header = _header(source, line, comparison, scale, refinement)
    text = scenario_text(doc, header)
    return Fit(text, load_scenario_text(text), est, refinement, comparison, source)


def _header(source: Source, line: str, comparison: Comparison, scale: float,
            refinement: Refinement | None) -> list[str]:
    how = ("first estimate, not refined" if refinement is None
           else f"refined in {refinement.runs} generator runs")
    out = [f"Fitted by brushbench fit {__version__} (generator {GENERATOR_VERSION}) to",
           f"  {line},",
           f"  times read in {source.timezone}; {how}.",
           "Legitimate traffic only: add fraud campaigns in a scenario that says",
           "  extends: <this file>",
           f"A log generated from this file (seed {SEED}"
           + (f", scale {scale:.3g}" if scale < 1 else "") + ") against the log's statistics"
           f" (ok: within {DEFAULT_TOLERANCE['ratio']}x, KS {DEFAULT_TOLERANCE['ks']}):"]
    rows = [(r.name, shown(r.kind, r.value, r.reference), shown(r.kind, r.reference,
                                                                r.reference),
             ratio_text(r), r.status) for r in comparison.rows if r.within is not None]
    widths = [max(len(row[i]) for row in rows) for i in range(4)] if rows else []
    out.append("  " + "  ".join(h.ljust(w) for h, w in zip(
        ("statistic", "generated", "log", "ratio"), widths, strict=True)))
    for row in rows:
        out.append("  " + "  ".join(c.ljust(w) for c, w in zip(row[:4], widths, strict=True))
                   + "  " + row[4])
    return out


def write_fit(fit: Fit, out: str | os.PathLike[str]) -> Path:
    """Write the fitted scenario's YAML, atomically."""
    return write_file_atomic(out, fit.text)
