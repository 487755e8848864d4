"""The package's layers: imports only point down, and importing the package stays cheap.

docs/architecture.md draws the same layers; a change that needs an upward import is a change to
the architecture, made there and here together.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

import brushbench

PACKAGE = Path(brushbench.__file__).resolve().parent

#: Lowest first. A package may import from packages in lower layers only; packages in the same
#: layer do not import each other. ``api`` is the top-level ``brushbench/__init__.py``.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"_version", "_lifetime", "_lazy"}),
    frozenset({"dataset"}),
    frozenset({"scenario", "metrics", "userdata", "realism"}),
    frozenset({"market"}),
    frozenset({"patterns"}),
    frozenset({"generator"}),
    frozenset({"audit", "results", "runtime", "fit"}),
    frozenset({"harness"}),
    frozenset({"teaching", "leaderboard", "rounds", "attack"}),
    frozenset({"cli", "api"}),
)
RANK = {name: i for i, layer in enumerate(LAYERS) for name in layer}


def _unit(module: str) -> str:
    """The layer unit a dotted module name belongs to."""
    parts = module.split(".")
    return "api" if len(parts) == 1 else parts[1]


def _imports(path: Path) -> set[str]:
    """Every ``brushbench`` module ``path`` imports, anywhere in the file (in functions too)."""
    rel = path.relative_to(PACKAGE.parent).with_suffix("").parts
    here = list(rel[:-1]) if rel[-1] == "__init__" else list(rel)
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here if rel[-1] == "__init__" else here[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            if module == "brushbench":
                # ``from brushbench import dataset`` imports the subpackage, not the API.
                for alias in node.names:
                    sub = PACKAGE / alias.name
                    is_sub = sub.is_dir() or sub.with_suffix(".py").is_file()
                    out.add(f"brushbench.{alias.name}" if is_sub else "brushbench")
            else:
                out.add(module)
    return {m for m in out if m == "brushbench" or m.startswith("brushbench.")}


def package_graph() -> dict[str, set[str]]:
    """unit -> the other units it imports."""
    graph: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE.parent).with_suffix("").parts
        unit = "api" if rel == ("brushbench", "__init__") else rel[1]
        graph[unit].update(_unit(m) for m in _imports(path) if _unit(m) != unit)
    return graph


def test_every_package_has_a_layer():
    units = {p.stem for p in PACKAGE.iterdir()
             if (p.is_dir() and (p / "__init__.py").is_file()) or
             (p.suffix == ".py" and p.stem != "__init__")}
    assert units | {"api"} == set(RANK), "add the new package to LAYERS and architecture.md"


def test_imports_only_point_down():
    upward = sorted(f"{a} -> {b}" for a, targets in package_graph().items() for b in targets
                    if RANK[b] >= RANK[a])
    assert not upward, f"imports that do not point to a lower layer: {upward}"


def test_the_graph_reader_sees_the_imports_it_must():
    # Guards the test above against a reader that finds nothing: known edges, in functions too.
    graph = package_graph()
    assert {"market", "scenario"} <= graph["patterns"]
    assert "patterns" in graph["generator"]
    assert {"generator", "scenario", "dataset"} <= graph["api"]


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", f"{code}; import sys, json; "
                          "print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, check=True).stdout
    return set(json.loads(out))


def test_importing_brushbench_imports_no_heavy_library():
    loaded = _modules_after("import brushbench")
    heavy = {"numpy", "pandas", "pyarrow", "scipy", "faker", "yaml"} & loaded
    assert not heavy, f"import brushbench imports {sorted(heavy)}"
    assert not {m for m in loaded if m.startswith("brushbench.")} - {"brushbench._version",
                                                                      "brushbench._lazy"}


@pytest.mark.parametrize("module", ["brushbench.dataset", "brushbench.scenario"])
def test_reading_layers_do_not_import_the_generator_or_scipy_stats(module):
    loaded = _modules_after(f"import {module}")
    assert "scipy.stats" not in loaded and "faker" not in loaded
    assert "pandas" not in loaded  # pandas comes with the first Dataset, not with the names
    assert not {m for m in loaded if m.startswith(("brushbench.generator",
                                                     "brushbench.patterns."))}


def test_the_api_names_resolve_and_the_scenario_subpackage_is_not_shadowed():
    code = ("import brushbench.scenario, brushbench; "
            "assert brushbench.scenario.load_scenario is brushbench.load_scenario; "
            "assert callable(brushbench.evaluate) and callable(brushbench.compare); "
            "assert brushbench.load_scenario('flash_sale').name == 'flash_sale'")
    subprocess.run([sys.executable, "-c", code], check=True)
    assert set(brushbench.__all__) <= set(dir(brushbench))
