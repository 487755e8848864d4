"""Results of ``brushbench eval``: the document, reading and writing it, comparing two.

Modules: :mod:`~brushbench.results.model` (the results document and its checks),
:mod:`~brushbench.results.compare` (``brushbench compare``: what changed beyond noise),
:mod:`~brushbench.results.render` (the table ``brushbench eval`` prints).
"""

from __future__ import annotations

from .compare import CompareError, Comparison, compare_files, compare_results
from .model import SCHEMA_VERSION, STATUSES, ResultsError, read_results, write_results

__all__ = ["SCHEMA_VERSION", "STATUSES", "CompareError", "Comparison", "ResultsError",
           "compare_files", "compare_results", "read_results", "write_results"]
