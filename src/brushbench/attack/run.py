"""The attack loop: generate each candidate, run the detector on it as ``eval`` does, score it.

For each candidate the detector runs exactly as in ``brushbench eval``: in a process of its own
(:func:`brushbench.runtime.runner.prepare_run` / :func:`~brushbench.runtime.runner.execute_run`),
fitted on a training dataset (the attacked scenario *as it was written*, at another seed, with
its answer key: the detector knows the campaign it was built against, not the attacker's next
move) and scoring the candidate's dataset through a private copy that carries no answer key.
The attack alone reads the candidate's answer key, in this process, after the run, to score the
detector's recall on the attacked campaign and the campaign's payoff; a run during which the
tables scoring reads changed is recorded ``invalid_output`` and not scored, as in ``eval``.

What is generated once and shared: the training dataset and the baseline (the scenario without
the attacked campaign), both in the dataset cache. Candidates are generated into a private
temporary folder and deleted once scored; two points that round to the same campaign are run
once.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from .._version import GENERATOR_VERSION, __version__
from ..dataset import load
from ..harness.evaluate import TRAIN_SEED_OFFSET
from ..harness.generated import generated_dataset
from ..metrics.ranking import Ranking
from ..runtime import launch, private
from ..runtime.detectors import load_detector
from ..runtime.runner import execute_run, prepare_run
from ..scenario import Scenario, scenario_hash
from ..scenario.scale import scale_scenario
from .candidate import (
    AttackError,
    baseline_scenario,
    campaign_id,
    campaign_index,
    candidate_scenario,
)
from .payoff import Payoff, Sales, payoff
from .search import Search, objective
from .space import Knob, apply, knob_values, search_space, units_of

#: The tables the attack reads of a candidate, after the run (the answer key among them).
SCORED_TABLES = ("orders", "labels")
#: Default share of the orders the review team looks at.
REVIEW_BUDGET = 0.01
#: Default floor: half the payoff of the scenario's own campaign.
DEFAULT_FLOOR = "0.5x"
#: What a campaign's payoff is measured by (:class:`~.payoff.Payoff` fields); the first is the
#: default.
MEASURES = ("rank_gain", "extra_orders")


@dataclass(frozen=True)
class Floor:
    """The economic floor: the payoff a campaign must earn to count.

    ``measure`` is ``rank_gain`` (places the brushed shop climbs in the window's sales
    ranking, against the log without the campaign) or ``extra_orders`` (legitimate orders it
    gains through the re-ranking). ``relative`` floors are a multiple of what the scenario's own
    campaign earns (resolved once that campaign, the first candidate, has been generated), and
    at least 1.
    """

    value: float
    relative: bool
    measure: str = MEASURES[0]

    @classmethod
    def parse(cls, text: str | float, measure: str = MEASURES[0]) -> Floor:
        """``"0.5x"`` (a multiple of the reference campaign's payoff) or ``"40"`` (places
        or orders).

        Raises
        ------
        AttackError
            Not a number, a negative one, or not finite; an unknown measure.
        """
        if measure not in MEASURES:
            raise AttackError(f"--payoff {measure!r}: expected one of {', '.join(MEASURES)}")
        raw = str(text).strip()
        relative = raw.lower().endswith("x")
        try:
            value = float(raw[:-1] if relative else raw)
        except ValueError:
            raise AttackError(f"--floor {text!r}: expected a payoff (e.g. 40) or a multiple of "
                              "the scenario campaign's (e.g. 0.5x)") from None
        if not math.isfinite(value) or value < 0:
            raise AttackError(f"--floor {text!r}: must be a finite number >= 0")
        return cls(value, relative, measure)

    def of(self, payoff: Payoff | None) -> float:
        """The measured payoff of a campaign (0 when it was not scored)."""
        return 0.0 if payoff is None else float(getattr(payoff, self.measure))

    def threshold(self, reference: Payoff | None) -> float:
        if not self.relative:
            return self.value
        return max(1.0, self.value * max(self.of(reference), 0.0))

    def __str__(self) -> str:
        return f"{self.value:g}x" if self.relative else f"{self.value:g}"


@dataclass
class Trial:
    """One candidate campaign and what became of it."""

    index: int
    phase: str
    units: list[float]
    knobs: dict[str, Any]
    spec: Any = field(repr=False)
    status: str = "ok"
    reason: str = ""
    recall: float | None = None
    payoff: Payoff | None = None
    pays: bool | None = None
    seconds: float = 0.0
    scenario_hash: str = ""

    def key(self, floor: Floor, threshold: float) -> tuple[float, float, float]:
        return objective(self.pays, self.recall, floor.of(self.payoff), threshold)

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "phase": self.phase, "status": self.status,
                "reason": self.reason, "knobs": self.knobs, "units": self.units,
                "recall": self.recall, "pays": self.pays,
                "payoff": None if self.payoff is None else self.payoff.to_json(),
                "seconds": round(self.seconds, 3), "scenario_hash": self.scenario_hash}


@dataclass
class AttackResult:
    """Everything an attack found; :mod:`.report` writes it."""

    detector: dict[str, Any]
    scenario: Scenario           # as written (unscaled)
    pattern: str
    index: int                   # the attacked campaign's position in scenario.fraud
    scale: float
    seed: int
    budget: int
    review_budget: float
    floor: Floor
    floor_value: float
    knobs: tuple[Knob, ...]
    trials: list[Trial]
    seconds: float

    @property
    def reference(self) -> Trial:
        return self.trials[0]

    def ranked(self) -> list[Trial]:
        """The trials, best evasion first (:func:`~.search.objective`)."""
        return sorted(self.trials, key=lambda t: (t.key(self.floor, self.floor_value),
                                                  t.index))

    def evasions(self) -> list[Trial]:
        """The paying trials, best first (lowest recall, then largest payoff)."""
        return [t for t in self.ranked() if t.pays]

    @property
    def best(self) -> Trial | None:
        """The best paying evasion, or None: no candidate earned the floor."""
        found = self.evasions()
        return found[0] if found else None

    @property
    def robust_recall(self) -> float | None:
        """The detector's recall on the best paying evasion (None when nothing paid)."""
        best = self.best
        return None if best is None else best.recall

    def evasion_scenario(self, trial: Trial, name: str | None = None) -> Scenario:
        """The scenario (unscaled, as written) with ``trial``'s campaign, ready to generate."""
        scenario = candidate_scenario(self.scenario, self.index, trial.spec)
        return replace(scenario, name=name or scenario.name,
                       description=f"{self.scenario.name} with its {self.pattern} campaign "
                                   f"tuned by brushbench attack against "
                                   f"{self.detector.get('name')}")


@dataclass(frozen=True)
class AttackProgress:
    done: int
    total: int
    trial: Trial
    best: Trial | None


def attack(target: str, scenario: Scenario, pattern: str, *, budget: int = 40, seed: int = 0,
           floor: Floor | str | float = DEFAULT_FLOOR, payoff_measure: str = MEASURES[0],
           review_budget: float = REVIEW_BUDGET,
           scale: float = 0.02, which: int = 1, knobs: Sequence[str] | None = None,
           timeout: float = 600.0, memory_mb: int | None = None,
           cache_root: os.PathLike[str] | None = None,
           progress: Callable[[AttackProgress], None] | None = None) -> AttackResult:
    """Search the knobs of ``scenario``'s ``pattern`` campaign for what ``target`` misses.

    Parameters
    ----------
    target : str
        The detector (module, file, ``module:attr``, installed name), as for ``eval``.
    scenario : Scenario
        The attacked scenario, as written (it is scaled by ``scale`` for the runs).
    pattern : str
        The pattern of the attacked campaign; ``which`` picks among several (from 1).
    budget : int
        Candidates to try, the scenario's own campaign included (>= 1).
    seed : int
        Seeds the search and is the candidates' test seed; the detector trains on
        ``seed + TRAIN_SEED_OFFSET`` as in ``eval``.
    floor : Floor or str
        The payoff a campaign must earn (``"40"``), or a multiple of what the scenario's own
        campaign earns (``"0.5x"``), measured by ``payoff_measure``: ``rank_gain`` (places
        climbed in the window's sales ranking) or ``extra_orders`` (legitimate orders gained
        through the re-ranking).
    review_budget : float
        Share of the orders reviewers look at; recall is counted inside it.
    knobs : sequence of str, optional
        Search only these keys of the pattern (default: all its knobs, :mod:`.space`).

    Raises
    ------
    AttackError
        A pattern the scenario does not inject, an unknown knob, a bad budget or floor.
    brushbench.runtime.detectors.DetectorLoadError
        The target cannot be loaded (before anything is generated).
    """
    started = time.perf_counter()
    if budget < 1:
        raise AttackError(f"--budget must be >= 1, got {budget}")
    if not 0 < review_budget <= 1:
        raise AttackError(f"--review-budget must be in (0, 1], got {review_budget}")
    floor = floor if isinstance(floor, Floor) else Floor.parse(floor, payoff_measure)
    index = campaign_index(scenario, pattern, which)
    written = scenario.fraud[index]
    try:
        space = search_space(written, window_seconds=int(scenario.window.duration), only=knobs)
    except ValueError as exc:
        raise AttackError(f"--knobs: {exc}") from None
    detector = load_detector(target)
    launch.warm_up()
    root = None if cache_root is None else Path(cache_root)

    scaled = scale_scenario(scenario, scale)
    # Scaling changes a campaign's `shops` only: the searched spec is the scaled one, with
    # the knobs of the written one (the evasions are written unscaled).
    scaled_spec = scaled.fraud[index]
    train_dir = generated_dataset(scaled, seed + TRAIN_SEED_OFFSET, root=root)
    base_dir = generated_dataset(baseline_scenario(scaled, index), seed, root=root)
    base = load(base_dir, verify=False, tables=SCORED_TABLES)
    baseline = Sales.of(base.orders, base.labels)
    del base

    search = Search(len(space), budget, units_of(written, space), seed)
    trials: list[Trial] = []
    done: dict[str, Trial] = {}
    floor_value = math.inf
    with tempfile.TemporaryDirectory(prefix="brushbench-attack-") as tmp:
        for phase, point in search.points():
            # The reference is the campaign exactly as written (its count distributions
            # too); every other point sets each knob to one value.
            spec = written if phase == "scenario" else apply(written, space, point)
            run_spec = replace(spec, shops=scaled_spec.shops)
            candidate = candidate_scenario(scaled, index, run_spec)
            digest = scenario_hash(candidate)
            trial = Trial(len(trials), phase, [float(u) for u in point],
                          knob_values(spec, space), spec, scenario_hash=digest)
            if digest in done:  # a point that rounds to a campaign already run
                first = done[digest]
                trial = replace(first, index=len(trials), phase=phase, units=trial.units)
            else:
                _run_trial(trial, target, candidate, seed, train_dir, Path(tmp), baseline,
                           review_budget=review_budget, timeout=timeout, memory_mb=memory_mb)
                done[digest] = trial
            if not trials:  # the reference fixes a relative floor
                floor_value = floor.threshold(trial.payoff)
            if trial.payoff is not None and trial.status == "ok":
                trial.pays = floor.of(trial.payoff) >= floor_value
            trials.append(trial)
            search.tell(point, trial.key(floor, floor_value))
            if progress is not None:
                paying = [t for t in trials if t.pays]
                best = min(paying, key=lambda t: (t.key(floor, floor_value), t.index),
                           default=None)
                progress(AttackProgress(len(trials), budget, trial, best))
    return AttackResult(
        detector=detector.identity(), scenario=scenario, pattern=pattern, index=index,
        scale=scale, seed=seed, budget=budget, review_budget=review_budget, floor=floor,
        floor_value=floor_value, knobs=space, trials=trials,
        seconds=time.perf_counter() - started)


def _run_trial(trial: Trial, target: str, candidate: Scenario, seed: int, train_dir: Path,
               tmp: Path, baseline: Sales, *, review_budget: float, timeout: float,
               memory_mb: int | None) -> None:
    """Generate ``candidate``, run the detector on it, score it: fills ``trial`` in place."""
    started = time.perf_counter()
    test_dir = generated_dataset(candidate, seed, root=tmp)
    try:
        recorded = private.snapshot(test_dir, SCORED_TABLES)
        with prepare_run(target, train_dir, test_dir) as prepared:
            record = execute_run(prepared, timeout=timeout, memory_mb=memory_mb)
        tampered = private.changed(test_dir, recorded)
        trial.status = str(getattr(record.status, "value", record.status))
        trial.reason = record.reason
        if tampered:
            trial.status = "invalid_output"
            trial.reason = (f"the answer key or orders were modified while the detector ran "
                            f"({', '.join(tampered)}); not scored")
        elif record.ok:
            assert record.scores is not None  # an ok run has scores
            test = load(test_dir, verify=False, tables=SCORED_TABLES)
            cid = campaign_id(candidate)
            trial.recall = campaign_recall(test.orders, test.labels, record.scores, cid,
                                           review_budget)
            trial.payoff = payoff(test.orders, test.labels, cid, baseline)
    finally:
        import shutil

        from ..dataset import cache

        shutil.rmtree(test_dir, ignore_errors=True)
        cache.stamp_path(test_dir).unlink(missing_ok=True)
    trial.seconds = time.perf_counter() - started


def campaign_recall(orders: Any, labels: Any, scores: np.ndarray, campaign: str,
                    review_budget: float) -> float | None:
    """Share of ``campaign``'s orders inside the top ``review_budget`` of ``scores``.

    Ties at the cut count by their expected share, as every budget metric of
    :mod:`brushbench.metrics` does (a constant score gets the budget itself). None when the
    campaign placed no order in the window.
    """
    mine = labels.loc[labels["campaign_id"].to_numpy() == campaign, "order_id"]
    positive = orders["order_id"].isin(mine).to_numpy()
    ranking = Ranking(np.asarray(scores, dtype=np.float64), positive)
    cut = ranking.cut(review_budget)
    if cut is None or ranking.n_positive == 0:
        return None
    return float(ranking.true_alerts(cut) / ranking.n_positive)


def slug(text: str) -> str:
    """A file-name-safe form of a name."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_") or "x"


def versions() -> dict[str, str]:
    return {"brushbench": __version__, "generator": GENERATOR_VERSION}


__all__ = ["DEFAULT_FLOOR", "MEASURES", "REVIEW_BUDGET", "AttackProgress", "AttackResult",
           "Floor", "Trial", "attack", "campaign_recall"]
