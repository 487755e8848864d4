"""The leaderboard's order: entries ranked by their overall average precision.

* **What is ranked**: the overall AP of :mod:`~brushbench.leaderboard.stats` (per seed, the
  mean over the suite's scenarios; then the mean over the seeds), highest first, compared as
  shown (three decimals), so entries that look equal are equal.
* **Ties**: entries with the same AP as shown share a rank (competition ranking: 1, 2, =3, =3,
  5), shown as ``=3``; among them, by name.
* **Spread**: an entry whose gap to the next entry above it is no wider than the larger of
  their two standard deviations over seeds is marked ``≈``: the seeds do not separate them.
* **Not ranked**: an entry with failed runs (its AP covers fewer runs, so it is not comparable
  with the others) or without a defined AP comes after the ranked ones (by AP, then name),
  with the rank ``—``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..metrics.registry import spec
from .stats import AP, EntryStats

DASH = "—"
#: Marks an entry the seeds do not separate from the one ranked above it.
CLOSE = "≈"


@dataclass(frozen=True)
class Rank:
    """One entry's place: its rank (None when not ranked), whether it shares it, and whether
    it is within the spread of the entry ranked above it."""

    stats: EntryStats
    rank: int | None
    tied: bool = False
    close: bool = False

    @property
    def text(self) -> str:
        """``"1"``, ``"=3"`` (tied), ``"4 ≈"`` (within the spread of the entry above), ``"—"``."""
        if self.rank is None:
            return DASH
        return ("=" if self.tied else "") + str(self.rank) + (f" {CLOSE}" if self.close else "")


def shown_ap(stats: EntryStats) -> float | None:
    """The overall AP as the tables show it (rounded to the registry's format)."""
    m = stats.average_precision.mean
    return None if m is None else float(spec(AP).format(m))


def rankable(stats: EntryStats) -> bool:
    return stats.complete and stats.average_precision.mean is not None


def sort_key(stats: EntryStats) -> tuple[bool, float, str]:
    ap = shown_ap(stats)
    return (not rankable(stats), -(ap if ap is not None else -1.0), stats.entry.name)


def ranked(stats: list[EntryStats]) -> list[EntryStats]:
    """``stats`` in leaderboard order (see the module docs)."""
    return sorted(stats, key=sort_key)


def ranks(stats: list[EntryStats]) -> list[Rank]:
    """The :class:`Rank` of each of ``stats``, in the order given (call :func:`ranked`
    first for the leaderboard's order)."""
    order = ranked(stats)
    place: dict[int, Rank] = {}
    above: EntryStats | None = None
    for st in order:
        if not rankable(st):
            place[id(st)] = Rank(st, None)
            continue
        ap = shown_ap(st)
        first = next(j for j, o in enumerate(order) if rankable(o) and shown_ap(o) == ap)
        tied = sum(1 for o in order if rankable(o) and shown_ap(o) == ap) > 1
        close = False
        if above is not None and not tied:
            close = within_spread(above, st)
        place[id(st)] = Rank(st, first + 1, tied, close)
        above = st
    return [place[id(st)] for st in stats]


def within_spread(upper: EntryStats, lower: EntryStats) -> bool:
    """Is the AP gap between two entries no wider than the larger of their standard
    deviations over seeds? (False when neither has a standard deviation.)"""
    a, b = upper.average_precision, lower.average_precision
    sds = [s for s in (a.sd, b.sd) if s is not None]
    if a.mean is None or b.mean is None or not sds:
        return False
    return abs(a.mean - b.mean) <= max(sds)


__all__ = ["CLOSE", "DASH", "Rank", "rankable", "ranked", "ranks", "shown_ap", "within_spread"]
