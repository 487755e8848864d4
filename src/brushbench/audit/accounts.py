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


def level_given_age(level: np.ndarray, registered_at: np.ndarray, start: int) -> np.ndarray:
    """Each account's level less the median level of the accounts of its age (ages at
    ``start``, epoch seconds, binned by doubling from a week), as int64 codes for a share probe.

    A level grows with an account's age, and a naive ring's fresh accounts are young: that is
    the ring's behaviour (its account-age trace), not an artefact. What is left once age is
    taken out is how the level was drawn (e.g. a ring never given the activity bonus).
    """
    age_days = np.maximum((start - np.asarray(registered_at, dtype=np.int64)) / 86_400, 0.0)
    bins = np.floor(np.log2(1.0 + age_days / 7.0)).astype(np.int64)
    level = np.asarray(level, dtype=np.float64)
    median = pd.Series(level).groupby(bins).transform("median").to_numpy()
    return _codes(pd.Series(np.rint(level - median).astype(np.int64)))


def first_order_time(data: Dataset) -> int:
    """Epoch seconds of the log's first order: the moment accounts' ages are taken at."""
    created = data.arrow("orders")["created_at"].cast("int64").to_numpy()
    return int(created.min()) if len(created) else 0


def _level(data: Dataset, buyers: pd.DataFrame) -> np.ndarray:
    table = data.arrow("buyers")
    return level_given_age(table["level"].to_numpy(zero_copy_only=False),
                           table["registered_at"].cast("int64").to_numpy(), first_order_time(data))


def _shared_second(buyers: pd.DataFrame) -> np.ndarray:
    t = buyers["registered_at"]
    return t.map(t.value_counts()).to_numpy(dtype=np.float64)


#: (probe, column, share or numeric, value per buyers row).
FEATURES: tuple[tuple[str, str, bool, Callable[[Dataset, pd.DataFrame], np.ndarray]], ...] = (
    ("labelled_share", "buyers.city", True, lambda d, b: _codes(b["city"])),
    ("labelled_popularity", "buyers.city", False, lambda d, b: _popularity(b)),
    ("labelled_share", "buyers.level", True, _level),
    ("labelled_shared_second", "buyers.registered_at", False, lambda d, b: _shared_second(b)),
)
#: (probe key, pattern) pairs whose separation is the pattern's behaviour, with the reason.
EXEMPT: dict[tuple[str, str], str] = {
    ("buyers.city:labelled_share", "supplier_buyback"):
        "a supplier's accounts gather on a few sites in one city (the goods go back to its "
        "warehouse): one city is the pattern",
}


def _account_patterns(data: Dataset, buyer_ids: np.ndarray) -> np.ndarray:
    """Per buyers row: the pattern of the campaign that labels it ("" for none)."""
    labels = data.entity_labels
    accounts = labels[labels["entity_type"] == "account"]
    pattern = data.campaigns.set_index("campaign_id")["pattern"]
    of = accounts.assign(pattern=accounts["campaign_id"].map(pattern).fillna("unknown"))
    first = of.drop_duplicates("entity_id").set_index("entity_id")["pattern"]
    return first.reindex(buyer_ids).fillna("").to_numpy(dtype=object)


def _also_legitimate(data: Dataset, buyer_ids: np.ndarray) -> np.ndarray:
    """Per buyers row: the account placed at least one legitimate order."""
    orders, labels = data.arrow("orders"), data.arrow("labels")
    legit = ~np.asarray(labels["is_brushing"].to_numpy(zero_copy_only=False), dtype=bool)
    by_order = pd.Series(legit, index=labels["order_id"].to_numpy())
    placed = orders["buyer_id"].to_numpy()[by_order.reindex(
        orders["order_id"].to_numpy()).to_numpy(dtype=bool, na_value=False)]
    return np.isin(buyer_ids, placed)


def account_findings(data: Dataset, *, sigmas: float, min_margin: float, top_hits: float,
                     permutations: int, seed: int) -> list[Finding]:
    """The labelled accounts against the other buyers, for every feature of :data:`FEATURES`.

    Returns no finding when the dataset has no ``entity_labels`` or ``buyers`` rows to compare.
    """
    if "entity_labels" not in data.table_names or "buyers" not in data.table_names:
        return []
    buyers = data.buyers
    pattern = _account_patterns(data, buyers["buyer_id"].to_numpy())
    # Hired brushers (labelled accounts that also buy for themselves) are real shoppers, the
    # population's own accounts: the question is whether the accounts a campaign made look
    # like buyers, so they are left out (see artefacts._one_sided).
    hired = (pattern != "") & _also_legitimate(data, buyers["buyer_id"].to_numpy())
    labelled = (pattern != "") & ~hired
    if not labelled.any() or labelled.all():
        return []
    names = sorted(set(pattern[labelled].tolist()))
    per_pattern = [(p, labelled & (pattern == p)) for p in names]
    findings = []
    for probe, column, share, compute in FEATURES:
        values = compute(data, buyers)
        codes, k = (values, int(values.max()) + 1) if share else stats.to_codes(values)
        feature = stats.Feature(np.asarray(codes, dtype=np.int64), k)
        valid = feature.codes >= 0
        # An exempt pattern's accounts are neither scored nor part of "all" (as in the engine).
        kept = [(p, m) for p, m in per_pattern if (f"{column}:{probe}", p) not in EXEMPT]
        every = np.logical_or.reduce([m for _, m in kept]) if kept else labelled & False
        sets = ([("all", every)] if len(kept) > 1 else []) + kept
        for name, positive in sets:
            universe = np.flatnonzero(((~labelled & ~hired) | positive) & valid)
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
