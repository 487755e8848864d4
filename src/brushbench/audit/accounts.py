"""Campaign accounts against the buyers table: do the accounts a campaign made look like buyers?

The ``accounts`` artefact probes (:mod:`brushbench.audit.artefacts`) reach accounts through the
orders. This comparison starts from the answer key instead: every account ``entity_labels``
names (fake buyers, controllers, suppliers: also those that never placed an order) against the
other rows of ``buyers``, overall and per pattern (through the campaign). One unit per account,
whatever its number of orders, so busy accounts weigh no more than quiet ones; the statistics,
null and threshold are the audit's (:mod:`brushbench.audit.stats`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from brushbench.dataset import Dataset

from . import stats
from .report import Finding

UNIT = "buyers row"


def _codes(values: pd.Series) -> np.ndarray:
    return np.asarray(pd.factorize(values, use_na_sentinel=True)[0], dtype=np.int64)


def _popularity(buyers: pd.DataFrame) -> np.ndarray:
    share = buyers["city"].map(buyers["city"].value_counts(normalize=True))
    return np.log(share.to_numpy(dtype=np.float64))


def _shared_second(buyers: pd.DataFrame) -> np.ndarray:
    t = buyers["registered_at"]
    return t.map(t.value_counts()).to_numpy(dtype=np.float64)


#: (probe, column, share or numeric, value per buyers row).
FEATURES: tuple[tuple[str, str, bool, Callable[[pd.DataFrame], np.ndarray]], ...] = (
    ("labelled_share", "buyers.city", True, lambda b: _codes(b["city"])),
    ("labelled_popularity", "buyers.city", False, _popularity),
    ("labelled_share", "buyers.level", True, lambda b: _codes(b["level"])),
    ("labelled_shared_second", "buyers.registered_at", False, _shared_second),
)


def _account_patterns(data: Dataset, buyer_ids: np.ndarray) -> np.ndarray:
    """Per buyers row: the pattern of the campaign that labels it ("" for none)."""
    labels = data.entity_labels
    accounts = labels[labels["entity_type"] == "account"]
    pattern = data.campaigns.set_index("campaign_id")["pattern"]
    of = accounts.assign(pattern=accounts["campaign_id"].map(pattern).fillna("unknown"))
    first = of.drop_duplicates("entity_id").set_index("entity_id")["pattern"]
    return first.reindex(buyer_ids).fillna("").to_numpy(dtype=object)


def account_findings(data: Dataset, *, sigmas: float, min_margin: float, top_hits: float,
                     permutations: int, seed: int) -> list[Finding]:
    """The labelled accounts against the other buyers, for every feature of :data:`FEATURES`.

    Returns no finding when the dataset has no ``entity_labels`` or ``buyers`` rows to compare.
    """
    if "entity_labels" not in data.table_names or "buyers" not in data.table_names:
        return []
    buyers = data.buyers
    pattern = _account_patterns(data, buyers["buyer_id"].to_numpy())
    labelled = pattern != ""
    if not labelled.any() or labelled.all():
        return []
    names = sorted(set(pattern[labelled].tolist()))
    sets = ([("all", labelled)] if len(names) > 1 else []) + [(p, pattern == p) for p in names]
    findings = []
    for probe, column, share, compute in FEATURES:
        values = compute(buyers)
        codes, k = (values, int(values.max()) + 1) if share else stats.to_codes(values)
        feature = stats.Feature(np.asarray(codes, dtype=np.int64), k)
        valid = feature.codes >= 0
        for name, positive in sets:
            universe = np.flatnonzero((~labelled | positive) & valid)
            pos = np.flatnonzero(positive & valid)
            if not 0 < len(pos) < len(universe):
                continue
            null = stats.draw_null(universe, len(pos), permutations,
                                   stats.stream(seed, "accounts", column, name))
            cmp = stats.Comparison(universe, pos, null,
                                   np.flatnonzero(labelled & ~positive & valid))
            score = stats.score_share(feature, cmp) if share else stats.score_numeric(feature,
                                                                                      cmp)
            thr = stats.threshold(score, sigmas, min_margin, top_hits)
            findings.append(Finding(
                probe=probe, column=column, family="accounts", pattern=name, ap=score.ap,
                base_rate=score.base_rate, null_mean=score.null_mean, null_std=score.null_std,
                threshold=thr, passed=bool(score.ap <= thr), direction=score.direction,
                unit=UNIT, n_units=score.n_units, n_positive=score.n_positive))
    return findings
