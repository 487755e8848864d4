"""The leaderboard: comparable results files ranked in a README and a static HTML page.

>>> from brushbench.leaderboard import build
>>> build("leaderboard/results", "leaderboard")      # doctest: +SKIP
[PosixPath('leaderboard/README.md'), PosixPath('leaderboard/index.html')]

Modules: :mod:`~brushbench.leaderboard.entries` (reading the results files and
``entries.yaml``, refusing those that are not comparable), :mod:`~brushbench.leaderboard.stats`
(the numbers, one averaging rule each), :mod:`~brushbench.leaderboard.ranking` (the order),
:mod:`~brushbench.leaderboard.sections` (extra sections, a hook for other features),
:mod:`~brushbench.leaderboard.tables` (cells and the
best of each column), :mod:`~brushbench.leaderboard.markdown` (``README.md``),
:mod:`~brushbench.leaderboard.plots` (matplotlib figures, optional),
:mod:`~brushbench.leaderboard.html` (``index.html``), :mod:`~brushbench.leaderboard.build`.
"""

from __future__ import annotations

from .build import build, write_board
from .entries import Entry, Leaderboard, LeaderboardError, Refused, load_leaderboard
from .sections import Section

__all__ = ["Entry", "Leaderboard", "LeaderboardError", "Refused", "Section", "build",
           "load_leaderboard", "write_board"]
