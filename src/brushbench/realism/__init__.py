"""Realism you can measure: a dataset's summary statistics against a reference profile.

>>> from brushbench.realism import bundled, compare, profile_of
>>> report = compare(profile_of(brushbench.dataset.load("out/normal_week")),
...                  bundled("scl2020"))                                  # doctest: +SKIP
>>> print(report.render())                                                # doctest: +SKIP

Modules, by job:

- :mod:`~brushbench.realism.stats`: each statistic, a vectorised function of the order log
  (down to the four columns of the Shopee Code League 2020 log);
- :mod:`~brushbench.realism.profile`: a profile (the statistics of one log, no raw data) and
  its JSON file; the bundled references ``scl2020`` and ``double11``;
- :mod:`~brushbench.realism.compare`: value, reference, ratio, distance and tolerance, per
  statistic;
- :mod:`~brushbench.realism.html`: the same as a page with inline SVG plots.

``brushbench realism`` is the command; ``docs/realism.md`` the page.
"""

from .compare import Comparison, Row, compare
from .profile import (
    BUNDLED,
    DEFAULT_TOLERANCE,
    ProfileError,
    bundled,
    profile_of,
    read_profile,
    write_profile,
)
from .stats import STATISTICS, Log, NotComputable

__all__ = ["BUNDLED", "DEFAULT_TOLERANCE", "STATISTICS", "Comparison", "Log", "NotComputable",
           "ProfileError", "Row", "bundled", "compare", "profile_of", "read_profile",
           "write_profile"]
