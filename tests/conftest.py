"""Shared by every test folder: ``tests/`` is on ``sys.path``, so ``import builders`` works.

The dataset cache (``$BRUSHBENCH_CACHE``) is a folder of the test session unless a test sets
its own: no test writes into the user's cache.

OpenMP runs one thread (``OMP_NUM_THREADS=1``, unless the caller set it): scikit-learn's
gradient boosting (the ``gbdt`` baseline, the audit's shortcut probe) spins its threads, and on
a 2-core machine with anything else running its fits took ten times longer (42 s against 2-4 s
with one thread). The tests check what the models learn, not how fast; detector processes
started by the tests inherit the setting.

Under pytest-xdist (``-n auto --dist loadfile`` in pyproject.toml) each worker is a session of
its own: its own dataset cache and its own session fixtures. Tests are handed out a file at a
time, so no module fixture is made twice, and a folder at a time for the folders in
``WHOLE_FOLDERS`` (:func:`pytest_xdist_make_scheduler`), whose session fixtures start dozens of
detector processes or generate a lab: made twice they would cost more than the second core
gives. ``test_docs_run.py`` goes first (:func:`pytest_collection_modifyitems`): its
subprocesses (one per documentation page) run for minutes while the other worker goes on.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

from pathlib import Path

import pytest

#: Folders whose tests share costly session fixtures (see the conftest.py of each).
WHOLE_FOLDERS = ("harness", "streaming", "teaching")
#: Files run first (their fixtures start long subprocesses that overlap with the rest).
FIRST = ("test_docs_run.py",)


def pytest_collection_modifyitems(config, items):
    """The FIRST files' tests in front; the order is otherwise the collection's."""
    items.sort(key=lambda item: Path(item.path).name not in FIRST)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile``, with each folder of WHOLE_FOLDERS one unit instead of one per file.

    (``--dist loadgroup`` with ``xdist_group`` marks would say the same, but on pytest 9.2 it
    silently stops grouping: pytest-xdist issue 1386.)
    """
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class FolderOrFile(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            parts = path.split("/")
            if len(parts) > 2 and parts[0] == "tests" and parts[1] in WHOLE_FOLDERS:
                return "/".join(parts[:2])
            return path

    return FolderOrFile(config, log)


@pytest.fixture(scope="session", autouse=True)
def _session_cache(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BRUSHBENCH_CACHE", str(tmp_path_factory.mktemp("cache")))
        # An xdist worker's marks are not passed on to the processes the tests start (they would
        # take them for workers too: pytest-benchmark then disables itself), as under -n 0.
        for name in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT",
                     "PYTEST_XDIST_TESTRUNUID"):
            mp.delenv(name, raising=False)
        yield
