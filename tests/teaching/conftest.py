"""Fixtures of the teaching tests: one small lab of three students, and one withheld dataset in
Parquet with every pattern, both made once per session through the command line."""

from __future__ import annotations

import pytest

from brushbench.cli import main

LAB_SEED = 20240917


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """``brushbench lab new``: teach_easy (CSV) for three students, about 4,500 orders each."""
    root = tmp_path_factory.mktemp("labs") / "lab1"
    code = main(["lab", "new", str(root), "--students", "3", "--seed", str(LAB_SEED)])
    assert code == 0
    return root


@pytest.fixture(scope="session")
def withheld(tmp_path_factory):
    """``brushbench generate --withhold-labels``: teach_hard (all six patterns) at a small
    scale, in Parquet: (dataset folder, key folder)."""
    root = tmp_path_factory.mktemp("withheld")
    code = main(["generate", "teach_hard", "--out", str(root / "data"), "--scale", "0.04",
                 "--seed", "5", "--withhold-labels", str(root / "key")])
    assert code == 0
    return root / "data", root / "key"
