"""Fixtures for the scenario-language tests: files in tmp_path and a fake fraud pattern."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from brushbench.scenario import registry

from scenario_helpers import FakePattern


@pytest.fixture
def fake_pattern(monkeypatch):
    """``self_purchase`` is a fake pattern for one test only (the scenario language is tested
    apart from the real patterns' keys)."""
    monkeypatch.setitem(registry._LOADED, "self_purchase", FakePattern)
    return FakePattern


@pytest.fixture
def write(tmp_path):
    """``write(name, text)`` saves dedented text under tmp_path and returns the path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write
