"""Users' own data: import an order log brushbench did not make, with its labels, as a dataset.

>>> from brushbench.userdata import import_log
>>> folder = import_log("train.csv", columns="scl2020", labels="answers.csv",
...                     timezone="Asia/Singapore")                        # doctest: +SKIP

:func:`import_log` turns an order log (at least order, shop and buyer ids and a time; the
column names are mapped) into a dataset folder, which ``brushbench eval --data`` then scores
like any other (:mod:`brushbench.harness.evaluate`, :mod:`brushbench.harness.scoring`). The
rules are also in ``docs/harness.md``.

Modules, by job:

- :mod:`~brushbench.userdata.columns`: the column mapping (presets, ``--columns`` text, which
  column of the file is which brushbench column);
- :mod:`~brushbench.userdata.values`: typing a column (integer ids, text, times and zones);
- :mod:`~brushbench.userdata.orders`: the log as the ``orders`` table;
- :mod:`~brushbench.userdata.labels`: a labels file (order, shop or buyer level, or the SCL
  2020 format) as the answer key;
- :mod:`~brushbench.userdata.importer`: :func:`import_log` itself (checks, cache, manifest);
- :mod:`~brushbench.userdata.identity`: content keys, and the identity of a dataset folder in
  results;
- :mod:`~brushbench.userdata.view`: what the detector's process sees of an imported log, and
  ``skipped`` for a detector that needs what the log lacks.

Files are read by :mod:`brushbench.dataset.table_files` (CSV, TSV, gzipped, or Parquet); every
mistake is one :class:`ImportLogError` line naming the file, the column and what was expected.
"""

from ..dataset.table_files import ImportLogError
from .columns import PRESETS, REQUIRED, parse_columns
from .identity import content_key, data_identity, is_dataset_folder
from .importer import IMPORT_VERSION, import_log
from .labels import LABEL_LEVELS
from .view import log_view, skip_if_lacking, unmet_requirements

__all__ = ["IMPORT_VERSION", "LABEL_LEVELS", "PRESETS", "REQUIRED", "ImportLogError",
           "content_key", "data_identity", "import_log", "is_dataset_folder", "log_view",
           "parse_columns", "skip_if_lacking", "unmet_requirements"]
