"""Teaching labs: exercise datasets with the answer key kept apart, handouts, grading, review.

>>> from brushbench.teaching import create_lab, load_key, read_submission, grade
>>> create_lab("lab1", brushbench.load_scenario("teach_easy"), student_ids(30))   # doctest: +SKIP
>>> key = load_key("lab1/key/s01")                                          # doctest: +SKIP
>>> grade(read_submission("s01.csv", key.order_index), key)["score"]         # doctest: +SKIP

Modules: :mod:`~brushbench.teaching.keys` (withheld keys, their manifests and cross-hashes),
:mod:`~brushbench.teaching.withheld` (writing a dataset and its key apart, atomically),
:mod:`~brushbench.teaching.lab` (one dataset per student), :mod:`~brushbench.teaching.handout`,
:mod:`~brushbench.teaching.submission` (the three answer forms, line-numbered errors),
:mod:`~brushbench.teaching.grading`, :mod:`~brushbench.teaching.explain` (an order's traces),
:mod:`~brushbench.teaching.render` (their text). ``docs/teaching.md`` walks through a lab.
"""

from __future__ import annotations

from .explain import explain_order
from .grading import grade
from .handout import render_handout
from .keys import AnswerKey, AnswerKeyError, check_pair, load_key, load_with_key
from .lab import DIFFICULTIES, LabError, create_lab, resolve_key, student_ids
from .submission import Submission, SubmissionError, read_submission
from .withheld import Withheld, generate_withheld, withhold

__all__ = ["DIFFICULTIES", "AnswerKey", "AnswerKeyError", "LabError", "Submission",
           "SubmissionError", "Withheld", "check_pair", "create_lab", "explain_order",
           "generate_withheld", "grade", "load_key", "load_with_key", "read_submission",
           "render_handout", "resolve_key", "student_ids", "withhold"]
