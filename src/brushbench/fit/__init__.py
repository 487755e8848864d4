"""Fit a scenario to an order log: synthetic legitimate traffic shaped like your marketplace.

>>> from brushbench.fit import fit_log, write_fit
>>> fit = fit_log("orders.csv", columns="scl2020", timezone="Asia/Singapore")  # doctest: +SKIP
>>> write_fit(fit, "my_marketplace.yaml")                                      # doctest: +SKIP

Only the log's own columns are read (order, shop and buyer ids and the time; the item, units
and paid amount when present). This package sits above the generator (layer 6): it runs the
generator to refine its estimates.

Modules, by job:

- :mod:`~brushbench.fit.source`: reading the log (a file in the ``--data`` formats, or a
  dataset folder);
- :mod:`~brushbench.fit.clock`: window, hour-of-day profile and day trend;
- :mod:`~brushbench.fit.laws`: shops or buyers the log never shows, and their rate law;
- :mod:`~brushbench.fit.burst`: burstiness from the orders per shop-hour;
- :mod:`~brushbench.fit.repeats`: quick returns and regulars' loyalty from the repeat gaps and
  the (shop, buyer) pairs;
- :mod:`~brushbench.fit.estimate`: the first estimate of every parameter;
- :mod:`~brushbench.fit.refine`: Newton steps on the generator itself;
- :mod:`~brushbench.fit.emit`: the scenario's YAML and its header;
- :mod:`~brushbench.fit.run`: :func:`fit_log` and :func:`write_fit`.

``brushbench fit`` is the command; ``docs/realism.md`` the page.
"""

from .run import Fit, fit_log, write_fit
from .source import FitError

__all__ = ["Fit", "FitError", "fit_log", "write_fit"]
