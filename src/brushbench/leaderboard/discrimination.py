"""Does the suite tell good detectors from bad ones? The calibration checks of a leaderboard.

A benchmark whose naive rule scores 0.99 everywhere, or whose random baseline beats the base
rate, measures nothing. These checks read the ranked entries' runs (``entries.yaml`` says
which entry is made for which patterns and which are floors or supervised) and say, each in
one line with its numbers, whether:

- **specialists win where it matters**: each entry made for a pattern has the highest average
  precision on that pattern's orders in the *careful* variants among the unsupervised
  entries (supervised entries' AP is shown beside it, not checked). Naive rings leave every
  trace at once (one phone, bursts, fresh accounts), so there any sound detector finds
  everything and specialists tie near 1.0; the careful variants keep only the trace that is
  the fraud's economics, which is what a specialist reads;
- **floors stay on the floor**: a ``floor`` entry's AP is within ``FLOOR_TOLERANCE`` of the base
  rate on every scenario (mean over seeds);
- **careful rings stay hard**: no entry, supervised ones included, exceeds ``CAP`` average
  precision on a careful scenario or on a pattern of the careful scenarios;
- **hard negatives cost**: the false-alarm rate of each legitimate look-alike at the 1% budget,
  on the naive scenarios, where rules fire hardest (a report: the kinds above
  ``HARD_NEGATIVE_COST`` times the budget are named).

Scenarios are told apart by their names' ``_naive`` / ``_careful`` suffix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..metrics import REVIEW_BUDGET
from ..results.model import Run
from .stats import HARD_NEGATIVES, EntryStats, false_alarm_metric, mean_defined

CAP = 0.9
FLOOR_TOLERANCE = 0.5
HARD_NEGATIVE_COST = 2.0
NAIVE, CAREFUL = "naive", "careful"


@dataclass(frozen=True)
class Check:
    """One verdict, with the numbers it rests on."""

    kind: str                   # "specialist", "floor" or "cap"
    passed: bool
    text: str


def variant(scenario: str) -> str | None:
    """``"naive"`` or ``"careful"`` from a scenario's name, None for neither."""
    for name in (NAIVE, CAREFUL):
        if scenario.endswith(f"_{name}"):
            return name
    return None


def variant_mean(runs: Sequence[Run], which: str, metric: str) -> float | None:
    """Mean of a metric over the ok runs of one variant's scenarios that define it."""
    return mean_defined([r for r in runs if r.ok and variant(r.scenario) == which], metric)


def pattern_ap(runs: Sequence[Run], pattern: str, which: str) -> float | None:
    """Mean per-pattern average precision over the ok runs of one variant's scenarios."""
    return variant_mean(runs, which, f"per_pattern.{pattern}.average_precision")


def specialist_checks(stats: list[EntryStats]) -> list[Check]:
    """Each (specialist, pattern): the best unsupervised entry on the careful variants?"""
    rivals = [st for st in stats if st.entry.role == "detector"]
    supervised = [st for st in stats if st.entry.role == "supervised"]
    checks = []
    for st in rivals:
        for pattern in st.entry.patterns:
            mine = pattern_ap(st.entry.runs, pattern, CAREFUL)
            naive = pattern_ap(st.entry.runs, pattern, NAIVE)
            others = [(o.entry.name, v) for o in rivals if o is not st
                      and (v := pattern_ap(o.entry.runs, pattern, CAREFUL)) is not None]
            best = max(others, key=lambda x: x[1], default=None)
            passed = mine is not None and all(mine > v for _, v in others)
            shown = "—" if mine is None else f"{mine:.3f}"
            rival = "no other entry" if best is None else f"best other {best[0]} {best[1]:.3f}"
            naive_text = "" if naive is None else f" (naive {naive:.3f})"
            # Shown, not checked: trained on the scenario's labels, a supervised entry is the
            # reference of what the traces allow, not a rival of the rules.
            learned = "".join(f"; supervised {o.entry.name} {v:.3f}" for o in supervised
                              if (v := pattern_ap(o.entry.runs, pattern, CAREFUL)) is not None)
            checks.append(Check("specialist", passed,
                                f"{st.entry.name} on careful {pattern}: AP {shown}{naive_text}; "
                                f"{rival}{learned}"))
    return checks


def floor_checks(stats: list[EntryStats]) -> list[Check]:
    """Each floor entry: AP within the tolerance of the base rate on every scenario."""
    checks = []
    for st in stats:
        if st.entry.role != "floor":
            continue
        worst: tuple[str, float, float] | None = None
        for scenario, ap in st.ap_per_scenario.items():
            base = st.base_rate_per_scenario.get(scenario)
            if ap is None or not base:
                continue
            if worst is None or abs(ap / base - 1) > abs(worst[1] / worst[2] - 1):
                worst = (scenario, ap, base)
        if worst is None:
            checks.append(Check("floor", False, f"{st.entry.name}: no scenario with an AP"))
            continue
        scenario, ap, base = worst
        passed = abs(ap / base - 1) <= FLOOR_TOLERANCE
        checks.append(Check("floor", passed,
                            f"{st.entry.name}: AP within {abs(ap / base - 1):.0%} of the base "
                            f"rate on every scenario (furthest: {scenario}, AP {ap:.4f} vs "
                            f"{base:.4f})"))
    return checks


def cap_checks(stats: list[EntryStats]) -> list[Check]:
    """No entry above the cap on a careful scenario or on a careful pattern."""
    checks = []
    for st in stats:
        if st.entry.role == "floor":
            continue
        scenario_aps = [(s, ap) for s, ap in st.ap_per_scenario.items()
                        if ap is not None and variant(s) == CAREFUL]
        pattern_aps = [(p, ap) for p in st.ap_per_pattern
                       if (ap := pattern_ap(st.entry.runs, p, CAREFUL)) is not None]
        top = max([*scenario_aps, *pattern_aps], key=lambda x: x[1], default=None)
        if top is None:
            continue
        checks.append(Check("cap", top[1] <= CAP,
                            f"{st.entry.name}: highest careful AP {top[1]:.3f} ({top[0]})"))
    return checks


def hard_negative_costs(stats: list[EntryStats]) -> list[tuple[str, str, float]]:
    """(entry, kind, false-alarm rate at 1% on the naive scenarios) above the visible cost."""
    out = []
    for st in stats:
        if st.entry.role == "floor":
            continue
        for kind in HARD_NEGATIVES:
            rate = variant_mean(st.entry.runs, NAIVE, false_alarm_metric(kind))
            if rate is not None and rate > HARD_NEGATIVE_COST * REVIEW_BUDGET:
                out.append((st.entry.name, kind, rate))
    return out


def all_checks(stats: list[EntryStats]) -> list[Check]:
    return [*specialist_checks(stats), *floor_checks(stats), *cap_checks(stats)]


def summary(checks: Sequence[Check]) -> str:
    """The sentence before the checks: how many hold, and what each kind checks."""
    failed = sum(not c.passed for c in checks)
    return (f"{len(checks) - failed} of {len(checks)} checks hold. Specialists are compared on "
            "the careful variants, where only the trace that is the fraud's economics is left "
            "(naive rings leave every trace, so any sound detector finds them); floors must "
            f"stay within {FLOOR_TOLERANCE:.0%} of the base rate; nothing may exceed {CAP} "
            "average precision on a careful scenario or pattern.")


def check_text(check: Check) -> str:
    """``✔ specialist: …`` or ``✘ cap: …``."""
    return f"{'✔' if check.passed else '✘'} {check.kind}: {check.text}"


HARD_NEGATIVES_INTRO = (f"Hard negatives on the naive scenarios: legitimate look-alikes flagged "
                        f"at more than {HARD_NEGATIVE_COST:g}× the {REVIEW_BUDGET:.0%} budget:")
NO_HARD_NEGATIVES = ("none: no entry flags a kind of legitimate order at more than twice the "
                     "budget.")


def cost_texts(stats: list[EntryStats]) -> list[str]:
    """One ``entry: kind rate`` per costly hard negative (:func:`hard_negative_costs`), or the
    sentence saying there is none."""
    return ([f"{name}: {kind} {rate:.1%}" for name, kind, rate in hard_negative_costs(stats)]
            or [NO_HARD_NEGATIVES])


def render_lines(stats: list[EntryStats]) -> list[str]:
    """The README section's lines (after its heading)."""
    checks = all_checks(stats)
    out = [summary(checks), ""]
    out += [f"- {check_text(c)}" for c in checks]
    out += ["", HARD_NEGATIVES_INTRO, ""]
    out += [f"- {text}" for text in cost_texts(stats)]
    return out


__all__ = ["CAP", "FLOOR_TOLERANCE", "HARD_NEGATIVES_INTRO", "HARD_NEGATIVE_COST",
           "NO_HARD_NEGATIVES", "Check", "all_checks", "cap_checks", "check_text", "cost_texts",
           "floor_checks", "hard_negative_costs", "pattern_ap", "render_lines",
           "specialist_checks", "summary", "variant", "variant_mean"]
