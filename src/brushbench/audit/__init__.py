"""The leak audit: does anything but the fraud pattern's own behaviour tell brushing orders apart?

>>> from brushbench.audit import audit_dataset
>>> report = audit_dataset(brushbench.load("out/double11"))       # doctest: +SKIP
>>> report.passed, report.summary()                               # doctest: +SKIP
>>> print(report.render())                                        # doctest: +SKIP

Each probe (:data:`PROBES`, documented in ``docs/audit.md``) computes one feature per order that
must not separate brushing orders from legitimate ones: id magnitudes and digits, the last digits
of amounts, the seconds of timestamps, string formats, null patterns, the row's place in the
file, categories that no pattern decides. Its average precision for the answer key, overall and
per pattern, is compared with the same statistic under shuffled labels.

The artefact probes (:data:`ARTEFACT_PROBES`, :mod:`brushbench.audit.artefacts`) look at what
patterns *do* decide for the generator's shortcuts (issue 17): event order across tables,
constant parts in delays, default categories, the attributes of the accounts campaigns make.
The shortcut probe (:mod:`brushbench.audit.shortcut`, ``shortcut_with=``) trains a small model
on such non-behavioural features on one seed and scores another.
"""

from .artefacts import ARTEFACT_PROBES
from .engine import AuditError, audit_dataset
from .probes import EXEMPT, PROBES, Probe, describe_probes
from .report import AuditReport, Check, Finding
from .stats import threshold

__all__ = [
    "ARTEFACT_PROBES",
    "EXEMPT",
    "PROBES",
    "AuditError",
    "AuditReport",
    "Check",
    "Finding",
    "Probe",
    "audit_dataset",
    "describe_probes",
    "threshold",
]
