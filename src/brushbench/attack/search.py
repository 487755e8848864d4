"""The optimiser: a seeded black-box search of the unit cube, with a constraint.

Each candidate costs a generation and a detector run (seconds), so the budget is dozens of
points, not thousands. Differential evolution (``scipy.optimize.differential_evolution``) spends
``popsize × dimensions`` evaluations on each generation (90 for a six-knob pattern at its
default popsize), which a budget of 40 never gets past; a surrogate model (TPE) needs a new
dependency. The search here is the simple schedule that fits a few dozen points:

1. the campaign as the scenario states it (the reference every result is compared with);
2. half the budget as a Latin hypercube (``scipy.stats.qmc.LatinHypercube``, seeded): every
   knob's range is covered evenly, however few the points;
3. the rest as local steps around the best point so far: a few knobs at a time moved by a
   normal step that shrinks as the budget runs out (a (1+1) evolution strategy).

Points are ranked by :func:`objective`: paying candidates before the others; among paying ones
the lowest recall, then the largest payoff; among the others the smallest shortfall from the
floor. Every draw comes from one ``numpy.random.Generator`` seeded with ``seed``: the same seed
proposes the same points, so with a deterministic detector an attack repeats exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

#: Share of the budget (after the reference) spent covering the space before refining.
EXPLORE_SHARE = 0.5
#: The local step's standard deviation (in units of each knob's range) at the start and end.
STEP_START, STEP_END = 0.25, 0.04


def objective(pays: bool | None, recall: float | None, gain: float, floor: float
              ) -> tuple[float, float, float]:
    """The sort key of a candidate (lower is better for the attacker).

    A failed run (``pays`` None) comes last; a campaign below the floor comes after every
    paying one, nearer the floor first; paying ones by recall, then by the larger payoff.
    """
    if pays is None or recall is None:
        return (2.0, 0.0, 0.0)
    if not pays:
        return (1.0, float(floor - gain), 0.0)
    return (0.0, float(recall), -float(gain))


@dataclass
class Search:
    """Proposes points of the unit cube ``[0, 1]^dims``; told how each one did.

    Parameters
    ----------
    dims : int
        Knobs searched.
    budget : int
        Points to propose in all, the reference included.
    reference : array
        The reference point (the campaign as the scenario states it), proposed first.
    seed : int
        Seeds every draw.
    """

    dims: int
    budget: int
    reference: np.ndarray
    seed: int
    _told: list[tuple[tuple[float, float, float], np.ndarray]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng(self.seed)
        self.n_explore = round((self.budget - 1) * EXPLORE_SHARE) if self.budget > 1 else 0

    def points(self) -> Iterator[tuple[str, np.ndarray]]:
        """(phase, point) for each point of the budget: ``scenario``, ``explore``, ``refine``.

        The refining steps read what :meth:`tell` was told about the points before them.
        """
        if self.budget < 1:
            return
        yield "scenario", np.asarray(self.reference, dtype=np.float64)
        if self.dims == 0:
            return
        if self.n_explore:
            from scipy.stats import qmc

            cube = qmc.LatinHypercube(d=self.dims, seed=self.rng).random(self.n_explore)
            for point in cube:
                yield "explore", point
        n_refine = self.budget - 1 - self.n_explore
        for step in range(n_refine):
            progress = step / max(n_refine - 1, 1)
            sigma = STEP_START * (STEP_END / STEP_START) ** progress
            yield "refine", self._step(sigma)

    def tell(self, point: np.ndarray, key: tuple[float, float, float]) -> None:
        """How the point did (its :func:`objective`)."""
        self._told.append((key, np.asarray(point, dtype=np.float64)))

    def best(self) -> np.ndarray:
        """The best point told so far (the first of equals: the search stays deterministic)."""
        _, point = min(self._told, key=lambda item: item[0])
        return point

    def _step(self, sigma: float) -> np.ndarray:
        """A neighbour of the best point: a few knobs moved (at least one), clipped to the cube."""
        start = self.best() if self._told else np.asarray(self.reference, dtype=np.float64)
        moved = self.rng.random(self.dims) < max(2.0 / self.dims, 0.25)
        if not moved.any():
            moved[self.rng.integers(self.dims)] = True
        step = self.rng.normal(0.0, sigma, self.dims) * moved
        return np.clip(start + step, 0.0, 1.0)


__all__ = ["Search", "objective"]
