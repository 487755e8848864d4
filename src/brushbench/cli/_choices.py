"""The library's names that the command line's options offer, written here so that building
the parser imports nothing heavy (pyarrow, pandas). ``tests/cli/test_cli_startup.py`` checks
each against the library's own value."""

from __future__ import annotations

#: ``brushbench.dataset.formats.names()``; the first is the default of ``generate --format``.
FORMATS = ("parquet", "csv")
#: ``brushbench.generator.engines.ENGINES``; the first is the default of ``generate --engine``.
ENGINES = ("local", "dask")
#: ``brushbench.generator.parts.AUTO_PARTITION_ORDERS`` (``generate --partition auto``).
AUTO_PARTITION_ORDERS = 2_000_000
#: ``brushbench.userdata.PRESETS`` (names only) and ``LABEL_LEVELS``.
PRESETS = ("scl2020",)
LABEL_LEVELS = ("order", "buyer", "shop")
#: ``brushbench.teaching.lab.DIFFICULTIES``: difficulty -> bundled teaching scenario.
DIFFICULTIES = {"easy": "teach_easy", "medium": "teach_medium", "hard": "teach_hard"}
#: ``brushbench.teaching.submission.FORMS``.
FORMS = ("flagged", "scores", "shops")
#: ``brushbench.runtime.streaming.DEFAULT_BATCH``.
DEFAULT_BATCH = "1h"
#: ``brushbench.leaderboard.entries.ENTRIES_FILE``.
ENTRIES_FILE = "entries.yaml"
#: ``brushbench.results.compare.RULE_FORM`` and ``DEFAULT_METRICS`` (the help of ``--fail-if``
#: and ``--metric``).
RULE_FORM = "METRIC:DELTA, e.g. orders.average_precision:-0.02 or cost.score_seconds:+20%"
DEFAULT_METRICS = (
    "orders.average_precision",
    "orders.roc_auc",
    "orders.recall_at_1pct",
    "orders.precision_at_1pct",
    "per_pattern.*.recall_at_1pct",
    "orders.recall_at_0.01",
    "orders.precision_at_0.01",
    "per_pattern.*.recall_at_0.01",
    "cost.score_seconds",
    "cost.orders_per_second",
    "stream.latency_p99_seconds",
    "stream.time_to_detect.median_seconds",
)
#: ``brushbench.attack.run``: ``DEFAULT_FLOOR``, ``REVIEW_BUDGET``, ``MEASURES`` (the first is
#: the default of ``attack --payoff``); ``brushbench.attack.report.WORDS``.
ATTACK_FLOOR = "0.5x"
ATTACK_REVIEW_BUDGET = 0.01
PAYOFF_MEASURES = ("rank_gain", "extra_orders")
PAYOFF_WORDS = {"rank_gain": "places climbed in the sales ranking",
                "extra_orders": "extra legitimate orders"}
#: ``brushbench.realism.BUNDLED``: the bundled reference profiles; the first is the default of
#: ``realism --against``.
REALISM_PROFILES = ("scl2020", "double11")
