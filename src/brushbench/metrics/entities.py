"""Buyer- and shop-level average precision: who is behind the fake orders, not which orders.

Truth comes from ``entity_labels``:

- an **account** (matched to ``orders.buyer_id``) is positive when it is a ``fake_buyer``,
  ``controller`` or ``supplier`` of any campaign;
- a **shop** (``orders.shop_id``) is positive when it is a campaign's ``beneficiary`` or
  ``culprit``. A framed shop (``victim``) is *not* positive, although the fake orders land on it:
  flagging it is exactly the false alarm a framing campaign is after.

The population is the entities seen in the orders scored; entity labels of entities never seen
there are ignored (and counted). An entity's score is the detector's own (``buyer_scores`` /
``shop_scores``, a Series indexed by id) when given, else the highest score of its orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .key import SeenEntities, seen_entities
from .ranking import Ranking
from .values import undefined

__all__ = ["BUYER_ROLES", "SHOP_ROLES", "EntityScores", "entity_metrics", "entity_scores",
           "not_given", "positive_entities"]

#: Roles that make an account a positive buyer.
BUYER_ROLES = ("fake_buyer", "controller", "supplier")
#: Roles that make a shop a positive shop (``victim`` is not one of them).
SHOP_ROLES = ("beneficiary", "culprit")

FROM_DETECTOR = "detector"
FROM_ORDERS = "max_order_score"


@dataclass
class EntityScores:
    """The entities seen in the orders (``ids``), one score each, and where the scores came from.

    ``n_unscored`` counts entities the detector's own scores left out; they rank below every
    scored entity (tied with one another): an entity the detector did not score is one it did not
    suspect.
    """

    ids: np.ndarray
    scores: np.ndarray
    source: str
    n_unscored: int = 0


def entity_scores(seen: SeenEntities | pd.Series | np.ndarray,
                  order_scores: np.ndarray | None = None,
                  given: pd.Series | None = None) -> EntityScores:
    """One score per entity seen in the orders.

    Parameters
    ----------
    seen : SeenEntities, or Series or array of shape (n,)
        The entities seen and the best score of their orders
        (:func:`brushbench.metrics.key.seen_entities`), or the entity of each order
        (``orders.buyer_id`` or ``orders.shop_id``; missing ids are skipped) with
        ``order_scores``.
    order_scores : array of float, shape (n,), optional
        The detector's order scores, higher = more suspicious (with per-order ids only).
    given : Series, optional
        The detector's entity scores indexed by entity id (unique). When given it is used as is;
        otherwise an entity scores the maximum of its orders' scores.
    """
    if not isinstance(seen, SeenEntities):
        if order_scores is None:
            raise ValueError("per-order entity ids need the order scores")
        seen = seen_entities(seen, np.asarray(order_scores, dtype=np.float64))
    uniques = seen.ids
    if given is None:
        return EntityScores(uniques, seen.best, FROM_ORDERS)
    if not isinstance(given, pd.Series):
        raise ValueError("entity scores must be a pandas Series indexed by entity id, "
                         f"not {type(given).__name__}")
    if not given.index.is_unique:
        raise ValueError("entity scores have a duplicated id in their index")
    where = given.index.get_indexer(uniques)
    values = np.asarray(given.to_numpy(), dtype=np.float64)
    found = where >= 0
    scores = np.full(len(uniques), -np.inf)
    scores[found] = values[where[found]]
    return EntityScores(uniques, scores, FROM_DETECTOR, int(np.count_nonzero(~found)))


def positive_entities(entity_labels: pd.DataFrame, entity_type: str,
                      roles: tuple[str, ...]) -> np.ndarray:
    """Distinct ids of ``entity_type`` holding one of ``roles`` in any campaign."""
    el = entity_labels
    keep = (el["entity_type"] == entity_type).to_numpy(dtype=bool) & \
        el["role"].isin(roles).to_numpy(dtype=bool)
    ids: np.ndarray = pd.unique(el["entity_id"].to_numpy()[keep])
    return ids


def entity_metrics(es: EntityScores, positive_ids: np.ndarray, plural: str) -> dict[str, Any]:
    """Average precision and ROC-AUC of ``es`` against the positive ids.

    ``plural`` names the entities in the reasons ("buyers", "shops").
    """
    positive = pd.Index(es.ids).isin(positive_ids) if len(es.ids) else np.zeros(0, dtype=bool)
    r = Ranking(es.scores, positive)
    none = f"no positive {plural} among those seen in the orders"
    ap, auc = r.average_precision(), r.roc_auc()
    return {
        "source": es.source,
        "n_entities": r.n,
        "n_positive": r.n_positive,
        "n_positive_without_orders": len(positive_ids) - r.n_positive,
        "n_unscored": es.n_unscored,
        "base_rate": r.n_positive / r.n if r.n else undefined(f"no {plural} in the orders"),
        "average_precision": ap if ap is not None else undefined(none),
        "roc_auc": auc if auc is not None else undefined(
            none if r.n_positive == 0 else f"no negative {plural}"),
    }


def not_given(source: str, reason: str) -> dict[str, Any]:
    """The entity section's layout with every value undefined for ``reason``."""
    u = undefined(reason)
    return {"source": source, "n_entities": u, "n_positive": u, "n_positive_without_orders": u,
            "n_unscored": u, "base_rate": u, "average_precision": u, "roc_auc": u}
