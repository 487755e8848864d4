"""The column mapping: which column of a user's file holds which brushbench column.

A mapping is ``{brushbench name: the file's column}``: given as a dict, a preset's name
(:data:`PRESETS`, ``--columns scl2020``) or the CLI's ``order_id=orderid,shop_id=shopid,...``
text. Columns already named like brushbench's need no entry; :data:`REQUIRED` must be found.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..dataset import table_schema
from ..dataset.table_files import ImportLogError, TableFile

__all__ = ["LABEL_COLUMNS", "ORDERS_COLUMNS", "PRESETS", "REQUIRED", "check_mapping",
           "label_columns", "parse_columns", "resolve_columns"]

#: Columns every log must have (brushbench names).
REQUIRED = ("order_id", "shop_id", "buyer_id", "created_at")
#: Named mappings for ``--columns NAME`` (brushbench name -> the file's column).
PRESETS: dict[str, dict[str, str]] = {
    "scl2020": {"order_id": "orderid", "shop_id": "shopid", "buyer_id": "userid",
                "created_at": "event_time"},
}
#: The columns of ``orders``: what a log's columns may be mapped to.
ORDERS_COLUMNS = tuple(table_schema("orders", "UTC").names)
#: The columns a labels file may have (brushbench names).
LABEL_COLUMNS = ("order_id", "shop_id", "buyer_id", "is_brushing", "pattern", "campaign_id",
                 "legit_kind")


def parse_columns(text: str | None) -> dict[str, str] | None:
    """The CLI's ``--columns``: ``scl2020`` or ``order_id=orderid,shop_id=shopid,...``.

    Items are comma-separated; a preset name expands to its mapping and ``NAME=SOURCE`` pairs
    (brushbench name on the left) add to or override it. None or an empty text: no mapping.
    """
    if text is None or not text.strip():
        return None
    presets: dict[str, str] = {}
    pairs: dict[str, str] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        if "=" not in item:
            if item in PRESETS:
                presets.update(PRESETS[item])
                continue
            raise ImportLogError(f"--columns: {item!r} is neither NAME=COLUMN nor a preset "
                                 f"({', '.join(PRESETS)})")
        name, _, source = (x.strip() for x in item.partition("="))
        if not name or not source:
            raise ImportLogError(f"--columns: {item!r}: expected NAME=COLUMN, with the "
                                 "brushbench name on the left and the file's column on the right")
        pairs[name] = source
    return check_mapping({**presets, **pairs})  # pairs override a preset, wherever written


def check_mapping(columns: Mapping[str, str] | str | None) -> dict[str, str]:
    """The mapping (brushbench name -> source column) checked; a preset name is expanded."""
    if columns is None:
        return {}
    if isinstance(columns, str):
        parsed = parse_columns(columns)
        return parsed or {}
    mapping = {str(k): str(v) for k, v in columns.items()}
    for name, source in mapping.items():
        if name in ORDERS_COLUMNS:
            continue
        hint = (f"; did you mean {source}={name}?" if source in ORDERS_COLUMNS else "")
        raise ImportLogError(f"column mapping {name}={source}: {name!r} is not a brushbench "
                             f"orders column (write BRUSHBENCH_NAME=FILE_COLUMN; the names are "
                             f"{', '.join(ORDERS_COLUMNS)}){hint}")
    return mapping


def resolve_columns(src: TableFile, mapping: dict[str, str]) -> dict[str, str]:
    """brushbench name -> the file's column, for every orders column the log has."""
    present = set(src.columns)
    resolved: dict[str, str] = {}
    for name, source in mapping.items():
        if source not in present:
            raise ImportLogError(f"{src.path}: no column {source!r} (mapped to {name}); the "
                                 f"file has {', '.join(src.columns)}")
        resolved[name] = source
    taken = set(mapping.values())
    for name in ORDERS_COLUMNS:  # columns already named like brushbench's, unless taken
        if name not in resolved and name in present and name not in taken:
            resolved[name] = name
    missing = [n for n in REQUIRED if n not in resolved]
    if missing:
        example = ",".join(f"{n}=COLUMN" for n in missing)
        raise ImportLogError(f"{src.path}: no column for {', '.join(missing)} (required); the "
                             f"file has {', '.join(src.columns)}: map them with --columns "
                             f"{example}")
    return {n: resolved[n] for n in ORDERS_COLUMNS if n in resolved}


def label_columns(src: TableFile, mapping: dict[str, str]) -> dict[str, str]:
    """brushbench name -> the labels file's column (mapped names first, then same names)."""
    found: dict[str, str] = {}
    for name, source in mapping.items():
        if name in LABEL_COLUMNS and source in src.columns:
            found[name] = source
    for name in LABEL_COLUMNS:
        if name not in found and name in src.columns and name not in found.values():
            found[name] = name
    return found
