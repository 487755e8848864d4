"""Fixtures of the leak-audit tests: a legitimate-only dataset and random labels on it."""

from __future__ import annotations

import pytest

import brushbench

from audit_helpers import fabricate_labels


@pytest.fixture(scope="session")
def legit_only():
    """A small flash-sale day, legitimate traffic only (about 3,800 orders)."""
    return brushbench.generate("flash_sale", scale=0.02, seed=1)


@pytest.fixture(scope="session")
def random_labels(legit_only):
    """The same orders with about 3% marked brushing at random, under three pattern names."""
    return fabricate_labels(legit_only, share=0.03, seed=0)
