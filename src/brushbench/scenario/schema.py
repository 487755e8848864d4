"""The JSON Schema of scenario files, derived from the model so that it cannot drift from it.

Editors use it (for instance the YAML language server, through a ``# yaml-language-server:
$schema=...`` comment) for completion and inline checks. It checks what a schema can express:
types, bounds, required and unknown keys. The loader remains the authority; cross-field rules
such as "promotions start inside the window" are only in the loader.

A file with ``extends`` may leave out anything its parent provides, including keys inside
mappings (which are merged). So the top level lists every key against a "partial" variant of each
mapping, in which nothing is required (editors complete from it), and a file without ``extends``
must in addition match the complete ``Scenario`` definition. Lists are replaced, not merged, so
their items are always complete.
"""

from __future__ import annotations

import typing
from typing import Any

from ..dataset.tables import CHANNELS, PLATFORMS
from . import registry
from .canonical import to_plain
from .checks import NAME_PATTERN
from .distributions import CATEGORICAL, CONSTANT, scipy_distribution_names
from .durations import DURATION_PATTERN
from .extends import EXTENDS
from .model import Marketplace, Scenario, Traffic
from .typeinfo import (
    Bounds,
    bounds,
    class_doc,
    default_of,
    field_hints,
    has_default,
    init_fields,
    kind_of,
)

DIALECT = "https://json-schema.org/draft/2020-12/schema"
_EXTENDS_DOC = ("Path of a scenario file (relative to this one) or name of a bundled scenario "
                "that this file starts from: mappings merge key by key, anything else is "
                "replaced.")
DATETIME_PATTERN = (r"^\d{4}-\d{2}-\d{2}([Tt ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?"
                    r"\s*([Zz]|[+-]\d{2}(:?\d{2})?)?)?$")

#: What the loader checks beyond a field's type and bounds, where a schema can say it too.
_EXTRA: dict[tuple[type, str], dict[str, Any]] = {
    (Scenario, "name"): {"pattern": NAME_PATTERN},
    (Marketplace, "categories"): {"minProperties": 1},
    (Traffic, "channels"): {
        "propertyNames": {"enum": [c for c in CHANNELS if c != "external"]},
        "additionalProperties": {"type": "number", "minimum": 0},
    },
    (Traffic, "platforms"): {
        "propertyNames": {"enum": list(PLATFORMS)},
        "additionalProperties": {"type": "number", "minimum": 0},
    },
}


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file.

    Returns
    -------
    dict
        JSON-able; ``json.dumps(json_schema())`` is the text ``brushbench schema`` prints.
    """
    builder = _SchemaBuilder()
    full = builder.ref(Scenario, partial=False)
    top = builder.dataclass(Scenario, partial=True)
    builder.defs["Dist"] = _dist_schema()
    builder.defs["DateTime"] = {"type": "string", "pattern": DATETIME_PATTERN,
                                "description": "A date, or a date and time, in ISO 8601; "
                                               "without an offset it is local time of "
                                               "window.timezone."}
    return {
        "$schema": DIALECT,
        "$id": "https://brushbench.dev/schema/scenario.json",
        "title": "brushbench scenario",
        **top,
        # Both apply: without `extends`, the complete definition adds the required keys.
        "if": {"required": [EXTENDS]},
        "else": full,
        "$defs": dict(sorted(builder.defs.items())),
    }


class _SchemaBuilder:
    def __init__(self) -> None:
        self.defs: dict[str, Any] = {}

    def ref(self, cls: type, partial: bool) -> dict[str, Any]:
        """A ``$ref`` to the definition of dataclass ``cls``, creating it on first use."""
        name = f"{cls.__name__}Partial" if partial else cls.__name__
        if name not in self.defs:
            self.defs[name] = {}  # placeholder first: the model could refer to itself
            self.defs[name] = self.dataclass(cls, partial)
        return {"$ref": f"#/$defs/{name}"}

    def dataclass(self, cls: type, partial: bool, skip: tuple[str, ...] = ()) -> dict[str, Any]:
        hints = field_hints(cls)
        props: dict[str, Any] = {}
        required = []
        for f in init_fields(cls):
            if f.name in skip:
                continue
            prop = dict(self.of(hints[f.name], f.metadata, partial))
            prop["description"] = f.metadata.get("doc", "")
            if has_default(f):
                prop["default"] = _default(f)
            elif not partial:
                required.append(f.name)
            prop.update(_EXTRA.get((cls, f.name), {}))
            props[f.name] = prop
        if cls is Scenario:
            props[EXTENDS] = {"type": "string", "description": _EXTENDS_DOC}
        out: dict[str, Any] = {"type": "object", "description": class_doc(cls),
                               "properties": props, "additionalProperties": False}
        if required:
            out["required"] = required
        return out

    def of(self, tp: Any, meta: typing.Mapping[str, Any], partial: bool) -> dict[str, Any]:
        """The schema of a value of type ``tp`` with field metadata ``meta``."""
        kind = kind_of(tp)
        name = kind.name
        if name == "dataclass":
            return self.ref(kind.arg, partial)
        if name == "tuple":
            # Lists replace the parent's whole, so their items are complete even with extends.
            out = {"type": "array", "items": self.of(kind.arg, {}, False)}
            if meta.get("length") is not None:
                out["minItems"] = out["maxItems"] = meta["length"]
            return out
        if name == "mapping":
            return {"type": "object", "additionalProperties": self.of(kind.arg, {}, partial)}
        if name == "pattern":
            return self.fraud_entry()
        if name in ("int", "float", "probability"):
            out = {"type": "integer" if name == "int" else "number"}
            out.update(_bounds(bounds(kind, meta)))
            return out
        if name == "seconds":
            # Inline rather than a $ref so that the integer form carries this field's minimum.
            b = bounds(kind, meta)
            low = {"minimum": b.min} if b.min else {"exclusiveMinimum": 0}
            return {"anyOf": [{"type": "integer", **low, **_bounds(Bounds(max=b.max))},
                              {"type": "string", "pattern": DURATION_PATTERN}]}
        if name == "literal":
            return {"enum": list(kind.arg)}
        simple = {"bool": {"type": "boolean"}, "str": {"type": "string"},
                  "datetime": {"$ref": "#/$defs/DateTime"}, "dist": {"$ref": "#/$defs/Dist"}}
        return dict(simple[name])

    def fraud_entry(self) -> dict[str, Any]:
        """A fraud entry: ``pattern`` names a registered pattern, the rest is that ``Spec``."""
        names = list(registry.names())
        out: dict[str, Any] = {"type": "object", "required": ["pattern"],
                               "properties": {"pattern": {"enum": names}}}
        branches = []
        for name in names:
            spec = registry.spec(name)
            body = self.dataclass(spec, partial=False, skip=("pattern",))
            body["properties"] = {"pattern": {"const": name}, **body["properties"]}
            branches.append({"if": {"properties": {"pattern": {"const": name}}}, "then": body})
        if branches:
            out["allOf"] = branches
        return out


def _bounds(b: Bounds) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if b.min is not None:
        out["exclusiveMinimum" if b.exclusive_min else "minimum"] = b.min
    if b.max is not None:
        out["maximum"] = b.max
    return out


def _default(f: Any) -> Any:
    return to_plain(default_of(f))


def _dist_schema() -> dict[str, Any]:
    names = [*scipy_distribution_names(), CONSTANT, CATEGORICAL]
    number_list = {"type": "array", "items": {"type": "number"}, "minItems": 1}
    return {
        "description": "A random quantity: a number (a constant) or a mapping naming a "
                       "scipy.stats distribution with its parameters.",
        "anyOf": [
            {"type": "number"},
            {"type": "object", "required": ["dist"],
             "properties": {"dist": {"enum": names}, "values": number_list,
                            "weights": number_list},
             "additionalProperties": {"type": "number"},
             "allOf": [
                 {"if": {"properties": {"dist": {"const": CATEGORICAL}}},
                  "then": {"required": ["values"]}},
                 {"if": {"properties": {"dist": {"const": CONSTANT}}},
                  "then": {"required": ["value"]}},
             ]},
        ],
    }
