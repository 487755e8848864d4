"""Shared by every test folder: ``tests/`` is on ``sys.path``, so ``import builders`` works.

The dataset cache (``$BRUSHBENCH_CACHE``) is a folder of the test session unless a test sets
its own: no test writes into the user's cache.

OpenMP runs one thread (``OMP_NUM_THREADS=1``, unless the caller set it): scikit-learn's
gradient boosting (the ``gbdt`` baseline, the audit's shortcut probe) spins its threads, and on
a 2-core machine with anything else running its fits took ten times longer (42 s against 2-4 s
with one thread). The tests check what the models learn, not how fast; detector processes
started by the tests inherit the setting.

Under pytest-xdist (``-n auto --dist loadgroup`` in pyproject.toml) each worker is a session of
its own: its own dataset cache and its own session fixtures. :func:`pytest_collection_modifyitems`
hands the tests out a file at a time, and a folder at a time for the folders in
``WHOLE_FOLDERS``, whose session fixtures start dozens of detector processes or generate a lab:
made twice they would cost more than the second core gives. ``test_docs_run.py`` goes first:
its subprocesses (one per documentation page) run for minutes while the other worker goes on.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

from pathlib import Path

import pytest

TESTS = Path(__file__).parent
#: Folders whose tests share costly session fixtures (see the conftest.py of each).
WHOLE_FOLDERS = ("harness", "streaming", "teaching")
#: Files run first (their fixtures start long subprocesses that overlap with the rest).
FIRST = ("test_docs_run.py",)


@pytest.hookimpl(tryfirst=True)  # before xdist's own, which reads the groups
def pytest_collection_modifyitems(config, items):
    """An ``xdist_group`` for every test (its file, or its folder in WHOLE_FOLDERS), and the
    FIRST files' tests in front; the order is otherwise the collection's."""
    for item in items:
        if not Path(item.path).is_relative_to(TESTS):
            continue
        relative = Path(item.path).relative_to(TESTS)
        group = relative.parts[0] if relative.parts[0] in WHOLE_FOLDERS else relative.as_posix()
        item.add_marker(pytest.mark.xdist_group(group))
    items.sort(key=lambda item: Path(item.path).name not in FIRST)


@pytest.fixture(scope="session", autouse=True)
def _session_cache(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BRUSHBENCH_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield
