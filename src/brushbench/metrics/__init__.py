"""Scores of a detector's output against a dataset's answer key.

Convention, everywhere in this package: **a higher score means more suspicious**. Scores are
only ranked, never thresholded here (except by the review budgets, which are shares of the orders,
and the detector's own 0/1 ``predictions``), so their scale does not matter.

>>> from brushbench.metrics import score_orders, aggregate
>>> result = score_orders(data.labels, scores, orders=data.orders,          # doctest: +SKIP
...                       entity_labels=data.entity_labels, campaigns=data.campaigns)
>>> result["orders"]["average_precision"]                                    # doctest: +SKIP
0.83
>>> aggregate([result_seed_1, result_seed_2])["orders"]["average_precision"]  # doctest: +SKIP
{'mean': 0.82, 'std': 0.014, 'min': 0.81, 'max': 0.83, 'n': 2, 'n_runs': 2}

An undefined metric (no positive order, a pattern or kind without orders, an input not given) is
``{"value": None, "reason": "..."}`` in place of its number, never 0 and never NaN
(:mod:`brushbench.metrics.values`). ``docs/metrics.md`` defines every metric.

Modules: :mod:`~brushbench.metrics.ranking` (average precision, ROC-AUC, budgets, recall at a
false-alarm rate, from one sort), :mod:`~brushbench.metrics.breakdown` (per pattern, camouflage
level, legitimate kind, campaign), :mod:`~brushbench.metrics.entities` (buyers and shops),
:mod:`~brushbench.metrics.scoring` (:func:`score_orders`), :mod:`~brushbench.metrics.key` (the
answer key as the metrics hold it: a one-byte code an order), :mod:`~brushbench.metrics.aggregate`,
:mod:`~brushbench.metrics.streaming` (:func:`time_to_detect` of streaming runs),
:mod:`~brushbench.metrics.curves` (the compact PR curve a results file keeps per run),
:mod:`~brushbench.metrics.registry` (every metric's name, better direction, kind, unit and format).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from brushbench._lazy import lazy_exports

# Imported now: the function has the name of its module, which importing the module (as any
# ``brushbench.metrics.aggregate`` import does) would otherwise bind here instead.
from .aggregate import aggregate, flatten

if TYPE_CHECKING:
    from .curves import PR_CURVE_STEPS, pr_curve
    from .ranking import (
        Cut,
        Ranking,
        average_precision,
        budget_size,
        precision_recall_at_budget,
        recall_at_fpr,
        roc_auc,
    )
    from .scoring import DEFAULT_BUDGETS, REVIEW_BUDGET, score_orders
    from .streaming import alerts_at_budget, time_to_detect
    from .values import budget_label, is_undefined, undefined

# Imported on first use: the scoring and entity modules need pandas, which the registry of
# metrics (read by ``compare`` and the results model) does not.
_HOME = {
    "PR_CURVE_STEPS": "brushbench.metrics.curves",
    "pr_curve": "brushbench.metrics.curves",
    "Cut": "brushbench.metrics.ranking",
    "Ranking": "brushbench.metrics.ranking",
    "average_precision": "brushbench.metrics.ranking",
    "budget_size": "brushbench.metrics.ranking",
    "precision_recall_at_budget": "brushbench.metrics.ranking",
    "recall_at_fpr": "brushbench.metrics.ranking",
    "roc_auc": "brushbench.metrics.ranking",
    "DEFAULT_BUDGETS": "brushbench.metrics.scoring",
    "REVIEW_BUDGET": "brushbench.metrics.scoring",
    "score_orders": "brushbench.metrics.scoring",
    "alerts_at_budget": "brushbench.metrics.streaming",
    "time_to_detect": "brushbench.metrics.streaming",
    "budget_label": "brushbench.metrics.values",
    "is_undefined": "brushbench.metrics.values",
    "undefined": "brushbench.metrics.values",
}

__getattr__, __dir__ = lazy_exports(__name__, _HOME)

__all__ = ["DEFAULT_BUDGETS", "PR_CURVE_STEPS", "REVIEW_BUDGET", "Cut", "Ranking", "aggregate",
           "alerts_at_budget", "average_precision", "budget_label", "budget_size", "flatten",
           "is_undefined", "pr_curve", "precision_recall_at_budget", "recall_at_fpr", "roc_auc",
           "score_orders", "time_to_detect", "undefined"]
