"""The leak audit's false alarms on random labels; its verdict on the bundled fraud (docs/audit.md).

    python benchmarks/audit_false_alarms.py [--audits N] [--scales S [S ...]] [--fraud-scale S]

Part 1 generates the legitimate traffic of ``flash_sale``, ``normal_week`` and ``double11`` at
small scales and audits it under labels drawn at random: either a random share of the orders
marked brushing under one to three pattern names, or all or most orders of three random shops
(a campaign brushes a few shops). Nothing in those labels follows how the generator writes
anything down, so every finding above its threshold is a false alarm; the script prints how
many audits and findings there were, how many findings exceeded the threshold, the rate (1 in
N findings, with an exact 95% Poisson interval) and the false alarms per audit. Audit ``i``
uses traffic seed ``i``, label stream ``(LABEL_SEED, i)`` and audit seed ``i``, cycling
through scenario x scale x kind of labels, so a run is deterministic and a larger ``--audits``
extends a smaller one (at the same scales).

Part 2 audits every bundled scenario that has fraud campaigns (the mixed, naive, careful and
teaching ones) at ``--fraud-scale`` (default 0.2) with its own seed and its true answer key,
and prints whether any finding exceeds the threshold there.

Both parts use the audit's defaults (``audit_dataset``: 5 sigmas, min margin 0.02, top hits 3,
20 permutations, the leak probes) on one thread. The defaults take about two minutes on one
core (112 s on 2026-12-07, generator 5, at a load average of 4-5 on two cores).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import time
from collections import Counter
from typing import Any

import numpy as np
import pyarrow as pa

import brushbench
from brushbench.audit import audit_dataset
from brushbench.audit.report import AuditReport, Finding
from brushbench.dataset import Dataset
from brushbench.scenario.bundled import bundled_names

LEGIT_SCENARIOS = ("flash_sale", "normal_week", "double11")
KINDS = ("random", "shops")
#: Pattern names given to the fake campaigns. The leak probes exempt no (probe, pattern) pair
#: today, so the names change nothing; real names keep it so if exemptions are added.
PATTERNS = ("self_purchase", "click_farm", "distributor_fake")
#: First key of every label stream (the second is the audit's index).
LABEL_SEED = 20261207
#: Bounds of the brushing share of random labels (drawn log-uniform: a rare pattern and a
#: busy one are both plausible).
SHARE_RANGE = (0.01, 0.10)
#: A shop a campaign brushes has at least this many orders (as in tests/audit).
MIN_SHOP_ORDERS = 30


@dataclasses.dataclass
class Tally:
    """What part 1 counts: audits, findings, false alarms, and who raised them."""

    audits: int = 0
    findings: int = 0
    failed_checks: int = 0
    alarms: list[tuple[str, Finding]] = dataclasses.field(default_factory=list)
    by_cell: Counter[str] = dataclasses.field(default_factory=Counter)
    findings_by_cell: Counter[str] = dataclasses.field(default_factory=Counter)
    alarms_by_cell: Counter[str] = dataclasses.field(default_factory=Counter)

    def add(self, cell: str, report: AuditReport) -> None:
        """Count one audit of the cell ``cell`` (``scenario@scale/kind``)."""
        self.audits += 1
        self.findings += len(report.findings)
        self.failed_checks += sum(not c.passed for c in report.checks)
        self.by_cell[cell] += 1
        self.findings_by_cell[cell] += len(report.findings)
        for finding in report.leaks:
            self.alarms.append((cell, finding))
            self.alarms_by_cell[cell] += 1


# -- data -------------------------------------------------------------------------------------

def legitimate_traffic(name: str, scale: float, seed: int) -> Dataset:
    """The scenario's traffic with no fraud campaign.

    The three legitimate scenarios have none today; if one gains some, it is dropped here
    rather than mixed into labels that are meant to be random.
    """
    scenario = brushbench.load_scenario(name)
    if scenario.fraud:
        scenario = dataclasses.replace(scenario, fraud=())
    data = brushbench.generate(scenario, scale=scale, seed=seed)
    if data.labels.is_brushing.any():
        raise SystemExit(f"{name}: brushing orders left after dropping the fraud campaigns")
    return data


def random_labels(data: Dataset, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Mark a random share of the orders brushing, each under one of 1-3 pattern names.

    Returns
    -------
    brushing : numpy.ndarray of bool
        Per row of ``labels``.
    pattern : numpy.ndarray of object
        The pattern name of each brushing row (None elsewhere).
    """
    n = data.arrow("labels").num_rows
    low, high = np.log(SHARE_RANGE[0]), np.log(SHARE_RANGE[1])
    share = float(np.exp(rng.uniform(low, high)))
    names = np.asarray(PATTERNS[:rng.integers(1, len(PATTERNS) + 1)], dtype=object)
    brushing = rng.random(n) < share
    pattern = np.where(brushing, rng.choice(names, n), None)
    return brushing, pattern


def shop_labels(data: Dataset, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Mark all or most orders of three random shops brushing (1-3 campaigns between them).

    What a shop decides (its carrier, its city, its prices) is then shared by every positive
    order: the audit must count it as one decision per shop, not hundreds of separating orders.
    Returns the same as :func:`random_labels`.
    """
    labels = data.arrow("labels")
    shop_of = data.orders.set_index("order_id").shop_id
    shop = shop_of.reindex(labels["order_id"].to_numpy()).to_numpy()
    ids, counts = np.unique(shop, return_counts=True)
    shops = rng.choice(ids[counts >= MIN_SHOP_ORDERS], size=3, replace=False)
    keep = rng.uniform(0.5, 1.0)  # the share of a brushed shop's orders that are fake
    brushing = np.isin(shop, shops) & (rng.random(len(shop)) < keep)
    campaigns = int(rng.integers(1, len(PATTERNS) + 1))
    pattern_of = {int(s): PATTERNS[i % campaigns] for i, s in enumerate(shops)}
    pattern = np.asarray([pattern_of[int(s)] if b else None
                          for s, b in zip(shop, brushing, strict=True)], dtype=object)
    return brushing, pattern


def with_labels(data: Dataset, brushing: np.ndarray, pattern: np.ndarray) -> Dataset:
    """The dataset with its ``labels`` table replaced.

    The audit reads only ``order_id``, ``is_brushing`` and ``pattern`` of the answer key
    (``brushbench.audit.engine._Labels``); ``campaign_id`` and ``legit_kind`` are set too so
    that the table stays coherent (a brushing order has a campaign and no legitimate kind).
    ``campaigns`` and ``entity_labels`` stay empty: the leak probes do not read them.
    """
    labels = data.arrow("labels")
    campaign = [f"c{PATTERNS.index(p) + 1:02d}-{p}" if b else None
                for b, p in zip(brushing, pattern, strict=True)]
    legit_kind = np.where(brushing, None, labels["legit_kind"].to_numpy(zero_copy_only=False))
    columns: dict[str, Any] = {"is_brushing": brushing, "pattern": pattern,
                               "campaign_id": campaign, "legit_kind": legit_kind}
    for name, values in columns.items():
        i = labels.schema.get_field_index(name)
        labels = labels.set_column(i, name, pa.array(values, type=labels.schema.field(name).type))
    tables = {name: data.arrow(name) for name in data.table_names}
    tables["labels"] = labels
    return Dataset(tables, data.manifest)


# -- part 1: random labels ----------------------------------------------------------------------

def cells(scales: list[float]) -> list[tuple[str, float, str]]:
    """Every (scenario, scale, kind of labels), in the order the audits cycle through."""
    return [(name, scale, kind) for scale in scales for name in LEGIT_SCENARIOS for kind in KINDS]


def run_random(audits: int, scales: list[float]) -> tuple[Tally, set[str]]:
    """Audit ``audits`` datasets of legitimate traffic under random labels.

    Returns the tally and the generator versions met (one, unless the manifest is odd).
    """
    tally, versions = Tally(), set()
    plan = cells(scales)
    for i in range(audits):
        name, scale, kind = plan[i % len(plan)]
        # Fresh traffic for every audit: alarms that one dataset's quirk would repeat across
        # its label draws would not be independent events.
        data = legitimate_traffic(name, scale, seed=i)
        versions.add(str(data.manifest.get("generator_version")))
        rng = np.random.default_rng([LABEL_SEED, i])
        draw = random_labels if kind == "random" else shop_labels
        # One thread (the report does not depend on it); a new audit seed redraws the nulls.
        report = audit_dataset(with_labels(data, *draw(data, rng)), seed=i, workers=1)
        tally.add(f"{name}@{scale:g}/{kind}", report)
    return tally, versions


def poisson_interval(k: int) -> tuple[float, float]:
    """Exact (Garwood) 95% interval of a Poisson mean observed as ``k`` events."""
    from scipy.stats import chi2

    low = 0.0 if k == 0 else float(chi2.ppf(0.025, 2 * k)) / 2
    return low, float(chi2.ppf(0.975, 2 * k + 2)) / 2


def print_random(tally: Tally) -> None:
    """Part 1's figures, its false alarms one by one, then per probe and per cell."""
    k = len(tally.alarms)
    low, high = poisson_interval(k)
    print(f"audits: {tally.audits:,}")
    print(f"findings: {tally.findings:,} ({tally.findings / tally.audits:,.0f} per audit)")
    print(f"false alarms (findings above the threshold): {k:,}")
    if k:
        print(f"rate: 1 in {tally.findings / k:,.0f} findings (exact 95% interval: 1 in "
              f"{tally.findings / high:,.0f} to 1 in {tally.findings / low:,.0f})")
        print(f"false alarms per audit: {k / tally.audits:.4f} (one in "
              f"{tally.audits / k:,.1f} audits)")
    else:
        print(f"rate: 0 in {tally.findings:,} findings (exact 95% bound: at most 1 in "
              f"{tally.findings / high:,.0f})")
        print(f"false alarms per audit: 0 (95% bound: at most {high / tally.audits:.4f})")
    print(f"failed structural checks: {tally.failed_checks}")
    for cell, f in tally.alarms:
        print(f"  alarm  {cell:28} {f.name} ({f.direction}) for {f.pattern}: AP {f.ap:.3f} > "
              f"{f.threshold:.3f} (base {f.base_rate:.3f}, {f.n_positive:,}/{f.n_units:,} "
              f"{f.unit})")
    # Which probes raise them: chance spreads alarms over the probes, a bias repeats one.
    for probe, n in Counter(f"{f.name} ({f.direction})" for _, f in tally.alarms).most_common():
        print(f"  probe  {probe:60} {n:4} alarms")
    for cell, n in tally.by_cell.items():
        print(f"  cell   {cell:28} {n:4} audits, {tally.findings_by_cell[cell]:7,} findings, "
              f"{tally.alarms_by_cell[cell]} alarms")


# -- part 2: the bundled fraud ------------------------------------------------------------------

def fraud_scenarios() -> list[str]:
    """Every bundled scenario with fraud campaigns."""
    return [name for name in bundled_names() if brushbench.load_scenario(name).fraud]


def run_fraud(scale: float) -> int:
    """Audit every bundled fraud scenario at ``scale``; print each; return the leaks found."""
    total = 0
    for name in fraud_scenarios():
        started = time.perf_counter()
        data = brushbench.generate(name, scale=scale)
        report = audit_dataset(data, workers=1)
        leaks = report.leaks
        total += len(leaks)
        print(f"{name:28} seed {data.manifest.get('seed')}: {report.n_orders:9,} orders, "
              f"{report.n_brushing:6,} brushing, {len(report.findings):4} findings, "
              f"{len(leaks)} above the threshold, max excess {max_excess(report):+.3f} "
              f"({time.perf_counter() - started:.0f} s)")
        for f in leaks:
            print(f"  leak  {f.name} for {f.pattern}: AP {f.ap:.3f} > {f.threshold:.3f}")
    return total


def max_excess(report: AuditReport) -> float:
    """The largest AP minus threshold among the findings (negative: nothing exceeds)."""
    return max((f.excess for f in report.findings), default=float("nan"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audits", type=int, default=240,
                        help="audits of legitimate traffic under random labels (default 240)")
    parser.add_argument("--scales", type=float, nargs="+", default=[0.02, 0.05],
                        help="scales of the legitimate scenarios (default 0.02 0.05)")
    parser.add_argument("--fraud-scale", type=float, default=0.2,
                        help="scale of the bundled fraud scenarios (default 0.2; 0 skips them)")
    args = parser.parse_args()
    started = time.perf_counter()
    print(f"{datetime.date.today()}, brushbench {brushbench.__version__}, generator "
          f"{brushbench.GENERATOR_VERSION}")
    print(f"\n== random labels on {', '.join(LEGIT_SCENARIOS)} at scales "
          f"{', '.join(f'{s:g}' for s in args.scales)}")
    tally, versions = run_random(args.audits, args.scales)
    print(f"generator version of the datasets: {', '.join(sorted(versions))}")
    print_random(tally)
    if args.fraud_scale > 0:
        print(f"\n== bundled fraud scenarios at scale {args.fraud_scale:g}")
        leaks = run_fraud(args.fraud_scale)
        print(f"findings above the threshold in the bundled fraud: {leaks}")
    print(f"\nwall time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
