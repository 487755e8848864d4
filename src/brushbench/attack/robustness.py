"""The robustness of detectors: a fixed set of attacks, one file per detector.

The leaderboard's robustness column comes from here. Each detector is attacked on
:data:`ATTACKS` (one campaign pattern each, in the scenario the standard suite uses for it);
its score on a pattern is its **robust recall**: its recall at the review budget on the best
paying evasion the attack found (the scenario's own campaign counts among the candidates, so
the score is never above the recall on it). ``None`` when no candidate paid.

Regenerate the committed results after a change of the generator (one command, a minute or
two per attack on an idle machine)::

    python -m brushbench.attack.robustness baselines/*.py --out leaderboard/robustness

Each file is written whole; a detector whose attacks fail is still written, with each failure's
reason.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..dataset._fs import write_file_atomic
from ..scenario import load_scenario
from ..scenario.bundled import resolve
from .report import frontier, summary
from .run import REVIEW_BUDGET, AttackProgress, attack, slug, versions

#: (scenario, pattern, scale) of each attack: ~50k orders each, where a candidate costs about
#: a second on an idle machine.
ATTACKS: tuple[tuple[str, str, float], ...] = (
    ("double11_phone_war_naive", "self_purchase", 0.05),
    ("double11_phone_war_naive", "post_promo_return", 0.05),
    ("click_farm_naive", "click_farm", 0.1),
)
#: Candidates per attack, and the floor (half what the scenario's own campaign earns).
BUDGET, FLOOR = 16, "0.5x"
SCHEMA = 1


def robustness(target: str, *, budget: int = BUDGET, seed: int = 0, floor: str = FLOOR,
               attacks: Sequence[tuple[str, str, float]] | None = None, timeout: float = 600.0,
               memory_mb: int | None = None,
               progress: Callable[[str, AttackProgress], None] | None = None
               ) -> dict[str, Any]:
    """Run :data:`ATTACKS` against ``target``; the robustness document of the detector."""
    rows = []
    detector: dict[str, Any] = {}
    for scenario_name, pattern, scale in ATTACKS if attacks is None else attacks:
        label = f"{scenario_name}/{pattern}"
        tick = None if progress is None else functools.partial(progress, label)
        result = attack(target, load_scenario(resolve(scenario_name)), pattern, budget=budget,
                        seed=seed, floor=floor, scale=scale, timeout=timeout,
                        memory_mb=memory_mb, progress=tick)
        detector = result.detector
        head = summary(result)
        rows.append({"scenario": scenario_name, "pattern": pattern, "scale": scale,
                     "budget": budget, "seed": seed, "floor": {"given": floor,
                                                               "measure": result.floor.measure,
                                                               "value": result.floor_value},
                     "reference_recall": result.reference.recall,
                     "robust_recall": result.robust_recall, **head,
                     "curve": frontier(result.trials),
                     "seconds": round(result.seconds, 1)})
    by_pattern = {row["pattern"]: row["robust_recall"] for row in rows}
    return {"schema": SCHEMA, "versions": versions(), "detector": detector,
            "review_budget": REVIEW_BUDGET, "robust_recall": by_pattern, "attacks": rows}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m brushbench.attack.robustness",
        description="Attack each detector on the fixed set of attacks; one JSON per detector.")
    parser.add_argument("targets", nargs="+", metavar="TARGET")
    parser.add_argument("--out", default="leaderboard/robustness", metavar="DIR")
    parser.add_argument("--budget", type=int, default=BUDGET)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    for target in args.targets:
        def tick(label: str, p: AttackProgress, target: str = target) -> None:
            if p.done == p.total:
                best = "none pays" if p.best is None else f"{p.best.recall:.3f}"
                print(f"  {target} {label}: {p.total} candidates, robust recall {best}",
                      file=sys.stderr)

        doc = robustness(target, budget=args.budget, seed=args.seed, progress=tick)
        name = slug(Path(target).stem if target.endswith(".py") else target)
        path = write_file_atomic(Path(args.out) / f"{name}.json",
                                 json.dumps(doc, indent=1) + "\n")
        print(f"{path}: {doc['robust_recall']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
