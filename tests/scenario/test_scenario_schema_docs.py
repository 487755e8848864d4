"""The JSON Schema and docs/scenarios.md are derived from the model and never drift from it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from brushbench.scenario import Scenario, json_schema, load_scenario_text
from brushbench.scenario.bundled import bundled_names
from brushbench.scenario.distributions import scipy_distribution_names
from brushbench.scenario.docs import EXAMPLE, EXTENDS_EXAMPLE, render_markdown
from brushbench.scenario.typeinfo import field_hints, kind_of

from scenario_helpers import BASE

DOC = Path(__file__).resolve().parents[2] / "docs" / "scenarios.md"


def model_classes(cls=Scenario, seen=None):
    """Every dataclass of the model reachable from Scenario."""
    seen = [] if seen is None else seen
    seen.append(cls)
    for tp in field_hints(cls).values():
        kind = kind_of(tp)
        while kind.name in ("tuple", "mapping"):
            kind = kind_of(kind.arg)
        if kind.name == "dataclass" and kind.arg not in seen:
            model_classes(kind.arg, seen)
    return seen


def as_editor_sees_it(value):
    """YAML data as a JSON Schema validator in an editor sees it: timestamps are strings."""
    if isinstance(value, dict):
        return {k: as_editor_sees_it(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_editor_sees_it(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def test_schema_has_every_field_of_every_model_class():
    schema = json_schema()
    json.loads(json.dumps(schema, allow_nan=False))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    classes = model_classes()
    assert len(classes) >= 15
    for cls in classes:
        names = [f.name for f in dataclasses.fields(cls)]
        # List items are replaced whole under `extends`, so only mappings have a partial form.
        variants = [v for v in (cls.__name__, cls.__name__ + "Partial") if v in schema["$defs"]]
        assert variants[0] == cls.__name__
        for variant in variants:
            definition = schema["$defs"][variant]
            props = set(definition["properties"]) - {"extends"}
            assert props == set(names), variant
            assert definition["additionalProperties"] is False
            for name in names:
                assert definition["properties"][name]["description"]
    # The top level lists every key (editors complete from it) and allows `extends`.
    top = set(schema["properties"])
    assert top == {f.name for f in dataclasses.fields(Scenario)} | {"extends"}
    assert schema["additionalProperties"] is False
    required = schema["$defs"]["Window"]["required"]
    assert required == ["start"] and "required" not in schema["$defs"]["WindowPartial"]
    assert schema["$defs"]["Scenario"]["required"] == ["name", "window"]


def test_schema_carries_bounds_defaults_and_distribution_names():
    defs = json_schema()["$defs"]
    shops = defs["Marketplace"]["properties"]["shops"]
    assert (shops["type"], shops["minimum"], shops["default"]) == ("integer", 1, 2000)
    share = defs["Promotion"]["properties"]["burst_share"]
    assert (share["minimum"], share["maximum"]) == (0, 0.95)
    assert defs["Category"]["properties"]["share"]["exclusiveMinimum"] == 0
    duration = defs["Window"]["properties"]["duration"]
    assert duration["default"] == 86400
    assert {"type": "integer", "minimum": 60, "maximum": 730 * 86400} in duration["anyOf"]
    names = defs["Dist"]["anyOf"][1]["properties"]["dist"]["enum"]
    assert {"lognorm", "gamma", "constant", "categorical"} <= set(names)
    assert set(scipy_distribution_names()) <= set(names)


def test_schema_accepts_valid_files_and_rejects_mistakes():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for text in (BASE, EXAMPLE, "extends: base.yaml\nmarketplace:\n  categories:\n"
                                "    fashion: {share: 2}\n"):
        assert list(validator.iter_errors(as_editor_sees_it(yaml.safe_load(text)))) == [], text
    bad = as_editor_sees_it(yaml.safe_load(BASE.replace("burst_tau: 20m", "burst_tau: 20 min")
                                           + "fraud: [{shops: 2}]\nextra: 1\n"))
    messages = sorted(e.message for e in validator.iter_errors(bad))
    assert any("'extra' was unexpected" in m for m in messages)
    assert any("'20 min' is not valid" in m for m in messages)
    assert any("'pattern' is a required property" in m for m in messages)
    assert list(validator.iter_errors({"window": {"start": "2024-11-11"}}))  # name is required


def test_docs_file_is_generated_from_the_model():
    assert DOC.read_text(encoding="utf-8") == render_markdown(), (
        "docs/scenarios.md is stale: run `python -m brushbench.scenario.docs > "
        "docs/scenarios.md`")


def test_docs_cover_every_key_and_the_example_loads():
    text = render_markdown()
    for cls in model_classes():
        for f in dataclasses.fields(cls):
            assert f"| `{f.name}` |" in text, f"{cls.__name__}.{f.name}"
    s = load_scenario_text(EXAMPLE, "shop-week.yaml")
    assert s.name == "shop-week" and len(s.marketplace.categories) == 2
    assert "```yaml\n" + EXAMPLE in text


@pytest.mark.skipif("double11" not in bundled_names(), reason="needs the bundled double11")
def test_docs_extends_example_loads():
    s = load_scenario_text(EXTENDS_EXAMPLE)
    assert (s.name, s.marketplace.shops, s.traffic.promotions) == ("double11-small", 300, ())
    assert s.flash_sales  # inherited from double11
