"""Session fixtures of the generator tests (scenarios live in generator_fixtures.py)."""

from __future__ import annotations

import pytest

from builders import small_scenario


@pytest.fixture(scope="session")
def small():
    return small_scenario()


@pytest.fixture(scope="session")
def small_data(small):
    from brushbench.generator.run import generate

    return generate(small, seed=3)
