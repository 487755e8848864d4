"""Shared by every test folder: ``tests/`` is on ``sys.path``, so ``import builders`` works.

The dataset cache (``$BRUSHBENCH_CACHE``) is a folder of the test session unless a test sets
its own: no test writes into the user's cache.

OpenMP runs one thread (``OMP_NUM_THREADS=1``, unless the caller set it): scikit-learn's
gradient boosting (the ``gbdt`` baseline, the audit's shortcut probe) spins its threads, and on
a 2-core machine with anything else running its fits took ten times longer (42 s against 2-4 s
with one thread). The tests check what the models learn, not how fast; detector processes
started by the tests inherit the setting.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import pytest


@pytest.fixture(scope="session", autouse=True)
def _session_cache(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BRUSHBENCH_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield
