"""Reading and writing results files: JSON checked into :class:`~brushbench.results.model.Results`
on the way in, written atomically (a temporary file, then a rename) on the way out."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..dataset._fs import read_json, write_file_atomic
from .model import Results, ResultsError


def read_results(path: str | Path) -> Results:
    """Load and check a results file; raise :class:`ResultsError` with a one-line reason."""
    path = Path(path)
    return Results.from_json(read_json(path, ResultsError), str(path))


def write_results(results: Results | Mapping[str, Any], path: str | Path) -> Path:
    """Write ``results`` (the model, or a document it is checked into) atomically.

    The text is :meth:`Results.to_text`: sorted keys, two-space indent, no NaN; a file read
    with :func:`read_results` and written again keeps its bytes.
    """
    if not isinstance(results, Results):
        results = Results.from_json(results)
    return write_file_atomic(path, results.to_text())


__all__ = ["read_results", "write_results"]
