"""Run every probe on every comparison and collect the findings."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from brushbench.dataset import Dataset

from . import stats
from .accounts import account_findings
from .artefacts import EXEMPT as ARTEFACT_EXEMPT
from .probes import CATEGORICAL, EXEMPT, PROBES, SHARE, THRESHOLD, Probe
from .report import AuditReport, Check, Finding
from .view import AFTER_SALE, OrderView

if TYPE_CHECKING:
    from .sampling import Sample

ALL = "all"


def exemptions() -> dict[tuple[str, str], str]:
    """Every exemption, of leak and artefact probes alike (read when used: tests add some)."""
    return {**EXEMPT, **ARTEFACT_EXEMPT}

_DENSE_KEYS = 1 << 22


class AuditError(ValueError):
    """The dataset cannot be audited (no answer key, labels that do not match the orders)."""


@dataclass(frozen=True)
class _LabelSet:
    name: str                 # "all" or a pattern
    positive: np.ndarray      # bool per order
    universe: np.ndarray      # bool per order: legitimate orders and the positive ones
    key: bytes                # digest of ``positive``
    positive_rows: np.ndarray  # indices of the positive orders


def _digest(*arrays: np.ndarray) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(np.packbits(a).tobytes() if a.dtype == bool else a.tobytes())
        h.update(b"|")
    return h.digest()


class _Labels:
    """The answer key aligned to the orders, and the comparisons it defines."""

    def __init__(self, data: Dataset, view: OrderView):
        if not data.has_answer_key:
            raise AuditError("the dataset has no answer key (labels): the audit needs it to "
                             "know which orders are brushing")
        labels = data.arrow("labels")
        label_ids = np.asarray(labels["order_id"].to_numpy(), dtype=np.int64)
        index = pd.Index(label_ids)
        if not index.is_unique:
            raise AuditError(f"labels: {len(index) - index.nunique():,} duplicate order_id")
        at = index.get_indexer(view.order_id)
        if (at < 0).any() or len(label_ids) != view.n:
            missing = int(np.count_nonzero(at < 0))
            raise AuditError(f"labels do not match the orders: {view.n:,} orders, "
                             f"{len(label_ids):,} labels, {missing:,} orders without a label")
        brushing = np.asarray(labels["is_brushing"].fill_null(False).to_numpy(
            zero_copy_only=False), dtype=bool)[at]
        pattern = np.asarray(labels["pattern"].fill_null("unknown").to_numpy(
            zero_copy_only=False), dtype=object)[at]
        self.brushing = brushing
        self.brushing_rows = np.flatnonzero(brushing)
        self.legit = ~brushing
        self.pattern = np.where(brushing, pattern, "")
        self.patterns = tuple(sorted(set(self.pattern[brushing].tolist())))
        self._sets: dict[tuple[str, frozenset[str]], _LabelSet] = {}

    def sets_for(self, probe: Probe) -> list[_LabelSet]:
        exempt = frozenset(p for p in self.patterns if (probe.key, p) in exemptions())
        out = []
        if len(self.patterns) > 1 and len(exempt) < len(self.patterns):
            out.append(self._set(ALL, exempt))
        out += [self._set(p, frozenset()) for p in self.patterns if p not in exempt]
        return out

    def _set(self, name: str, exempt: frozenset[str]) -> _LabelSet:
        key = (name, exempt)
        if key not in self._sets:
            if name == ALL:
                positive = self.brushing & ~np.isin(self.pattern, list(exempt))
            else:
                positive = self.pattern == name
            self._sets[key] = _LabelSet(name, positive, self.legit | positive, _digest(positive),
                                        np.flatnonzero(positive))
        return self._sets[key]


class _Auditor:
    def __init__(self, data: Dataset, *, sigmas: float, min_margin: float, top_hits: float,
                 permutations: int, seed: int):
        self.view = OrderView(data)
        self.labels = _Labels(data, self.view)
        self.sigmas, self.min_margin, self.top_hits = sigmas, min_margin, top_hits
        self.permutations, self.seed = permutations, seed
        self._groups: dict[tuple[str, ...], tuple[np.ndarray, int]] = {}
        self._comparisons: dict[bytes, stats.Comparison | None] = {}
        self._halves: dict[tuple[str, str], np.ndarray] = {}

    # -- units ----------------------------------------------------------------------------------
    def _group(self, unit: tuple[str, ...]) -> tuple[np.ndarray, int]:
        """Codes (-1 = null) of the combination of the unit's columns, and their number."""
        if unit not in self._groups:
            g = self.view.codes(unit[0])
            for source in unit[1:]:  # combine column by column, re-coding to stay small
                c = self.view.codes(source)
                valid = (g >= 0) & (c >= 0)
                g = np.where(valid, pd.factorize(g * (int(c.max()) + 1) + c)[0], -1)
            self._groups[unit] = (g, int(g.max()) + 1 if len(g) else 0)
        return self._groups[unit]

    def _units(self, probe: Probe, raw: np.ndarray) -> tuple[np.ndarray | None, stats.Feature]:
        """Unit of each order (None: the order itself) and the probe's value per unit."""
        categorical = probe.kind in (CATEGORICAL, SHARE)

        def codes_of(values: np.ndarray) -> tuple[np.ndarray, int]:
            if categorical:
                c = np.asarray(values, dtype=np.int64)
                return c, (int(c.max()) + 1 if len(c) else 0)
            if probe.kind == THRESHOLD:
                return stats.quantize(values)
            return stats.to_codes(values.astype(np.float64))

        if not probe.unit:
            fcodes, kf = codes_of(raw)
            return None, self._feature(probe, fcodes, kf, "order")
        g, kg = self._group(probe.unit)
        if probe.per_unit:  # the value is the unit's: reduce to one value per unit first
            missing = (raw < 0) if categorical else np.isnan(raw)
            ok = (g >= 0) & ~missing
            per_unit = np.full(kg, -1 if categorical else np.nan)
            per_unit[g[ok]] = raw[ok]
            ucodes = np.where(ok, g, -1)
            fcodes, kf = codes_of(per_unit)
            return ucodes, self._feature(probe, fcodes, kf, None)
        fcodes, kf = codes_of(raw)
        key = np.where((fcodes >= 0) & (g >= 0), g * kf + fcodes, -1)
        if kg * kf <= _DENSE_KEYS:
            present = stats.count_codes(key, kg * kf) > 0
            remap = np.append(np.cumsum(present) - 1, -1)  # key -1 maps to -1
            ucodes = remap[key]
            ufeat = np.flatnonzero(present) % kf
        else:
            ucodes, uniques = pd.factorize(key, use_na_sentinel=False)
            if (uniques == -1).any():  # the invalid key got a code of its own: make it -1
                bad = int(np.flatnonzero(uniques == -1)[0])
                ucodes = np.where(ucodes == bad, -1, ucodes - (ucodes > bad))
                uniques = uniques[uniques != -1]
            ufeat = np.asarray(uniques) % kf
        return ucodes, self._feature(probe, ufeat, kf, None)

    def _feature(self, probe: Probe, codes: np.ndarray, k: int, space: str | None
                 ) -> stats.Feature:
        fit = None
        if probe.kind in (CATEGORICAL, THRESHOLD):
            if space is None:  # units of this probe only
                fit = stats.stream(self.seed, "half", probe.key).random(len(codes)) < 0.5
            else:
                fit = self._half(space, len(codes))
        return stats.Feature(codes, k, fit)

    def _half(self, space: str, size: int) -> np.ndarray:
        key = ("half", space)
        if key not in self._halves:
            self._halves[key] = stats.stream(self.seed, *key).random(size) < 0.5
        return self._halves[key]

    # -- comparisons ----------------------------------------------------------------------------
    def _comparison(self, ls: _LabelSet, ucodes: np.ndarray | None, feature: stats.Feature,
                    valid_key: bytes | None, legit_units: np.ndarray | None
                    ) -> stats.Comparison | None:
        if ucodes is None:  # one unit per order
            assert valid_key is not None
            key = ls.key + valid_key
            if key in self._comparisons:
                return self._comparisons[key]
            valid = feature.codes >= 0
            universe = np.flatnonzero(ls.universe & valid)
            positive = np.flatnonzero(ls.positive & valid)
            excluded = np.flatnonzero(~ls.universe & valid)
        else:
            assert legit_units is not None
            valid = feature.codes >= 0
            pos_units = stats.count_codes(ucodes[ls.positive_rows], len(feature.codes)) > 0
            u_mask = legit_units | pos_units
            key = _digest(u_mask, pos_units, valid)
            if key in self._comparisons:
                return self._comparisons[key]
            universe = np.flatnonzero(u_mask)
            positive = np.flatnonzero(pos_units)
            excluded = np.flatnonzero(~u_mask & valid)
        cmp = None
        if 0 < len(positive) < len(universe):
            null = stats.draw_null(universe, len(positive), self.permutations,
                                   stats.stream(self.seed, "null", key))
            cmp = stats.Comparison(universe, positive, null, excluded)
        self._comparisons[key] = cmp
        return cmp

    # -- probes ---------------------------------------------------------------------------------
    def run_probe(self, probe: Probe) -> list[Finding]:
        sets = self.labels.sets_for(probe)
        if not sets:
            return []
        raw = np.asarray(probe.compute(self.view))
        ucodes, feature = self._units(probe, raw)
        if feature.k == 0:
            return []
        valid_key = legit_units = None
        if ucodes is None:
            valid_key = _digest(feature.codes >= 0)
        else:
            k = len(feature.codes)
            brushing = ucodes[self.labels.brushing_rows]
            legit_units = (stats.count_codes(ucodes, k)
                           - stats.count_codes(brushing, k)) > 0
        findings = []
        for ls in sets:
            cmp = self._comparison(ls, ucodes, feature, valid_key, legit_units)
            if cmp is None:
                continue
            if probe.kind == CATEGORICAL:
                score = stats.score_categorical(feature, cmp)
            elif probe.kind == THRESHOLD:
                score = stats.score_threshold(feature, cmp)
            elif probe.kind == SHARE:
                score = stats.score_share(feature, cmp)
            else:
                score = stats.score_numeric(feature, cmp)
            if np.isnan(score.ap):
                continue
            thr = stats.threshold(score, self.sigmas, self.min_margin, self.top_hits)
            findings.append(Finding(
                probe=probe.name, column=probe.column, family=probe.family, pattern=ls.name,
                ap=score.ap, base_rate=score.base_rate, null_mean=score.null_mean,
                null_std=score.null_std, threshold=thr, passed=bool(score.ap <= thr),
                direction=score.direction, unit=" x ".join(probe.unit) or "order",
                n_units=score.n_units, n_positive=score.n_positive))
        return findings

    def checks(self) -> list[Check]:
        t = self.view.created_at
        out_of_order = int(np.count_nonzero(t[1:] < t[:-1])) if len(t) else 0
        checks = [Check("orders sorted by created_at", out_of_order == 0,
                        "ok" if out_of_order == 0 else
                        f"{out_of_order:,} rows earlier than the row before them")]
        dup = self.view.n - self.view.order_index.nunique()
        checks.append(Check("order_id unique", dup == 0,
                            "ok" if dup == 0 else f"{dup:,} duplicate order ids"))
        return checks


def audit_dataset(data: Dataset, *, sigmas: float = 5.0, min_margin: float = 0.02,
                  top_hits: float = 3.0, permutations: int = 20, seed: int = 0,
                  probes: Sequence[Probe] = PROBES, workers: int | None = None,
                  progress: Callable[[int, int], None] | None = None,
                  shortcut_with: Dataset | None = None,
                  shortcut_max_ap: float = 0.5, sample: Sample | None = None) -> AuditReport:
    """Audit a dataset with its answer key for leaks: what tells brushing orders apart that
    should not.

    Parameters
    ----------
    data : Dataset
        A dataset that has its answer key (``labels``).
    sigmas : float
        Standard deviations of the permutation null above chance that make a leak.
    min_margin : float
        Smallest AP above chance that makes a leak, however narrow the null.
    top_hits : float
        The margin is also at least ``top_hits / positives``: the AP that this many positive
        units ranked first by luck would add (see :func:`brushbench.audit.stats.threshold`).
    permutations : int
        Label permutations drawn to estimate each probe's null distribution.
    seed : int
        Seed of the permutations and of the half splits (the audit is deterministic).
    probes : sequence of Probe
        The probes to run (default: the leak probes, :data:`brushbench.audit.PROBES`; add
        :data:`brushbench.audit.ARTEFACT_PROBES` for the artefact probes). With any probe of
        the ``accounts`` family, the accounts ``entity_labels`` names are also compared with
        the buyers table (:mod:`brushbench.audit.accounts`).
    workers : int, optional
        Threads running probes (default: the number of CPUs, at most 4). The report does not
        depend on it: every random draw comes from a stream named after what it is for.
    progress : callable, optional
        Called as ``progress(done, total)`` after each probe (``brushbench audit``'s bar).
    shortcut_with : Dataset, optional
        Another dataset of the same scenario (another seed), with its answer key: the
        shortcut probe (:mod:`brushbench.audit.shortcut`) trains on it and scores ``data``.
        Without scikit-learn the report says so in a note and the other probes still run.
    shortcut_max_ap : float
        The shortcut model's AP on a pattern above which it is a failing finding.
    sample : Sample, optional
        When ``data`` is a sample of a larger log (:func:`brushbench.audit.sampling.
        read_for_audit`), what it is: the report states it.

    Returns
    -------
    AuditReport
        ``.passed`` is False when a finding exceeds its threshold or a check fails.

    Raises
    ------
    AuditError
        No answer key, or labels that do not match the orders one to one.
    """
    if workers is None:
        workers = min(4, os.cpu_count() or 1)
    if permutations < 2:
        raise ValueError(f"permutations must be >= 2, got {permutations}")
    if sigmas < 0 or min_margin < 0 or top_hits < 0:
        raise ValueError("sigmas, min_margin and top_hits must be >= 0")
    started = time.perf_counter()
    auditor = _Auditor(data, sigmas=sigmas, min_margin=min_margin, top_hits=top_hits,
                       permutations=permutations, seed=seed)
    labels = auditor.labels
    params = {"sigmas": sigmas, "min_margin": min_margin, "top_hits": top_hits,
              "permutations": permutations, "seed": seed}
    notes = []
    for table in AFTER_SALE:
        orphans = auditor.view.orphans(table)
        if orphans:
            notes.append(f"{table}: {orphans:,} rows reference no order (ignored)")
    findings: list[Finding] = []
    if not labels.brushing.any():
        notes.append("no brushing orders: nothing to separate")
    else:
        if workers > 1:
            with ThreadPoolExecutor(workers) as pool:
                for done, result in enumerate(pool.map(auditor.run_probe, probes), 1):
                    findings += result
                    if progress is not None:
                        progress(done, len(probes))
        else:
            for done, probe in enumerate(probes, 1):
                findings += auditor.run_probe(probe)
                if progress is not None:
                    progress(done, len(probes))
    if labels.brushing.any() and any(p.family == "accounts" for p in probes):
        # The accounts the answer key names, against the buyers table (one unit per account).
        findings += account_findings(data, sigmas=sigmas, min_margin=min_margin,
                                     top_hits=top_hits, permutations=permutations, seed=seed)
    if shortcut_with is not None and labels.brushing.any():
        from .shortcut import ShortcutUnavailable, shortcut_findings
        try:
            found, said = shortcut_findings(shortcut_with, data, max_ap=shortcut_max_ap,
                                            seed=seed)
        except ShortcutUnavailable as e:
            notes.append(f"shortcut probe skipped: {e}")
        else:
            findings += found
            notes += said
    run_keys = {p.key for p in probes}
    exempt = sorted(f"{key} for {pattern}: {why}" for (key, pattern), why in exemptions().items()
                    if pattern in labels.patterns and key in run_keys)
    return AuditReport(
        findings=findings, checks=auditor.checks(), notes=notes, exempt=exempt, params=params,
        n_orders=auditor.view.n, n_brushing=int(labels.brushing.sum()),
        patterns=labels.patterns, n_probes=len(probes),
        seconds=time.perf_counter() - started,
        sample_lines=[] if sample is None else sample.lines(),
        sample=None if sample is None or not sample.sampled else sample.to_dict())
