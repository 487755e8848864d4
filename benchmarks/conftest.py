"""Benchmarks run on demand, not in the default test run:

    pytest benchmarks/ --benchmark-only

Figures measured on the project's 2-core machine are recorded in docs/performance.md.

The test run's ``-n auto`` (pyproject.toml's addopts) would hand benchmarks to pytest-xdist
workers, where pytest-benchmark disables them: here ``auto`` means no workers, one process.
"""

import pytest


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config):
    return 0
