"""Results of ``brushbench eval``: the typed document, reading and writing it, comparing two.

>>> from brushbench.results import read_results, compare_results
>>> base, new = read_results("base.json"), read_results("new.json")         # doctest: +SKIP
>>> new.runs[0].value("orders.average_precision")                           # doctest: +SKIP
0.83
>>> c = compare_results(base, new, fail_if=["orders.average_precision:-0.02"])  # doctest: +SKIP
>>> c.exit_code, c.rows[0].verdict                                          # doctest: +SKIP
(0, 'within noise')

Modules: :mod:`~brushbench.results.model` (the results document as frozen dataclasses, with
its JSON), :mod:`~brushbench.results.io` (reading and writing results files),
:mod:`~brushbench.results.compare` (``brushbench compare``: what changed beyond noise),
:mod:`~brushbench.results.rules` (``--fail-if`` rules), :mod:`~brushbench.results.render`
(the table ``brushbench eval`` prints). Which way each metric is better comes from
:mod:`brushbench.metrics.registry`.
"""

from __future__ import annotations

from .compare import Comparison, Row, RunChange, compare_files, compare_results
from .io import read_results, write_results
from .model import (
    SCHEMA_VERSION,
    STATUSES,
    Cost,
    Detector,
    Limits,
    Results,
    ResultsError,
    Run,
    StreamRequest,
    Suite,
    Undefined,
    comparability,
)
from .render import render_table
from .rules import CompareError, FailRule, parse_fail_rule

__all__ = ["SCHEMA_VERSION", "STATUSES", "CompareError", "Comparison", "Cost", "Detector",
           "FailRule", "Limits", "Results", "ResultsError", "Row", "Run", "RunChange",
           "StreamRequest", "Suite", "Undefined", "comparability", "compare_files",
           "compare_results", "parse_fail_rule", "read_results", "render_table",
           "write_results"]
