"""Shared by every test folder: ``tests/`` is on ``sys.path``, so ``import builders`` works.

The dataset cache (``$BRUSHBENCH_CACHE``) is a folder of the test session unless a test sets
its own: no test writes into the user's cache.
"""

import pytest


@pytest.fixture(scope="session", autouse=True)
def _session_cache(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BRUSHBENCH_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield
