"""Patterns from installed packages: found through the entry-point group, imported on first use,
held to the contract, and usable in a scenario like the built-in ones."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap

import pytest

from brushbench import generate, patterns
from brushbench.scenario import load_scenario_text, registry

GIFT_MODULE = '''
"""``gift_card_farm``: a test pattern installed by a package of its own."""
from dataclasses import dataclass

from brushbench.patterns import self_purchase


@dataclass(frozen=True)
class Spec(self_purchase.Spec):
    """A gift-card farm (self-purchase under another name)."""


TRACES = ("device", "address")
plan = self_purchase.plan
'''

SCENARIO = """
name: gift
window: {start: 2019-11-11T00:00:00, duration: 1h}
marketplace: {shops: 40, items_per_shop: 3, buyers: 3000}
traffic: {orders: 1500}
fraud:
  - pattern: gift_card_farm
    start: 2019-11-11T00:10:00
    duration: 20m
    orders: 30
"""


def _install(tmp_path, monkeypatch, module_text: str, name: str = "gift_card_farm") -> None:
    """A module and the dist-info that registers it, on sys.path: what pip install leaves."""
    (tmp_path / "gift_pkg.py").write_text(textwrap.dedent(module_text), encoding="utf-8")
    info = tmp_path / "gift_pkg-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: gift-pkg\nVersion: 1.0\n",
                                   encoding="utf-8")
    (info / "entry_points.txt").write_text(
        f"[brushbench.patterns]\n{name} = gift_pkg\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "gift_pkg", raising=False)
    registry._installed.cache_clear()
    monkeypatch.setattr(registry, "_LOADED", dict(registry._LOADED))


@pytest.fixture(autouse=True)
def _fresh_entry_points():
    yield
    registry._installed.cache_clear()


def test_an_installed_pattern_is_listed_and_generates(tmp_path, monkeypatch):
    _install(tmp_path, monkeypatch, GIFT_MODULE)
    assert "gift_card_farm" in patterns.names()
    assert "gift_pkg" not in sys.modules  # listed, not imported
    pattern = patterns.get("gift_card_farm")
    assert pattern.traces == ("device", "address")
    assert "gift-pkg 1.0" in pattern.origin
    scenario = load_scenario_text(SCENARIO, "gift.yaml")
    data = generate(scenario, seed=3)
    labels = data.labels
    assert set(labels.loc[labels["is_brushing"], "pattern"]) == {"gift_card_farm"}
    assert labels["is_brushing"].sum() > 0


def test_a_pattern_without_plan_is_refused_by_name(tmp_path, monkeypatch):
    _install(tmp_path, monkeypatch, GIFT_MODULE.replace("plan = self_purchase.plan", ""))
    with pytest.raises(patterns.PatternLoadError, match=r"gift_card_farm.*no plan"):
        patterns.get("gift_card_farm")


def test_a_pattern_that_fails_to_import_says_so(tmp_path, monkeypatch):
    _install(tmp_path, monkeypatch, "import no_such_module_here\n")
    with pytest.raises(patterns.PatternLoadError, match="importing 'gift_pkg' failed"):
        patterns.get("gift_card_farm")


def test_an_installed_pattern_may_not_take_a_builtin_name(tmp_path, monkeypatch):
    _install(tmp_path, monkeypatch, GIFT_MODULE, name="click_farm")
    with pytest.raises(patterns.PatternLoadError, match="reuses the name of a built-in"):
        patterns.names()


def test_loading_a_scenario_imports_only_the_patterns_it_names():
    code = ("import sys; from brushbench import load_scenario; "
            "s = load_scenario('double11_phone_war_naive'); "
            "print(sorted(m for m in sys.modules if m.startswith('brushbench.patterns.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    loaded = set(ast.literal_eval(out))
    assert "brushbench.patterns.self_purchase" in loaded
    assert "brushbench.patterns.click_farm" not in loaded
