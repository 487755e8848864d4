"""A realism profile: the summary statistics of one order log, as a small JSON file.

A profile holds no order, id or time of the log, only what :mod:`.stats` computes (scalars,
quantiles, shares over bins), so a marketplace can hand one out without its log::

    {"profile_version": 1, "name": "...", "description": "...", "sources": ["..."],
     "tolerance": {"ratio": 1.3, "ks": 0.05},
     "statistics": {"orders_per_shop_mean": {"kind": "scalar", "value": 11.87, ...}, ...}}

A reference profile may state its own ``tolerance`` per statistic (``{"ratio": 2.0}``) and a
``source`` / ``note`` for each figure; the bundled ones (:data:`BUNDLED`) live in
``profiles/`` beside this module.
"""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path
from typing import Any

from ..dataset import Dataset
from ..dataset._fs import write_file_atomic
from .stats import STATISTICS, Log, NotComputable, compute_all

__all__ = ["BUNDLED", "DEFAULT_TOLERANCE", "PROFILE_VERSION", "ProfileError", "bundled",
           "profile_of", "read_profile", "write_profile"]

PROFILE_VERSION = 1
#: The bundled reference profiles, by name (``--against NAME``).
BUNDLED = ("scl2020", "double11")
#: Within tolerance: a value at most 1.3x off its reference (either way); a histogram whose
#: cumulative shares differ by at most 0.05 (Kolmogorov-Smirnov distance).
DEFAULT_TOLERANCE = {"ratio": 1.3, "ks": 0.05}
_KINDS = ("scalar", "quantiles", "histogram")


class ProfileError(ValueError):
    """A profile file that cannot be used: one line naming the file and the problem."""


def profile_of(data: Dataset, *, name: str | None = None) -> dict[str, Any]:
    """The profile of a dataset (generated, or an imported log with only the SCL columns).

    Statistics whose columns the dataset lacks are recorded as ``not_computable`` with the
    reason, never as 0.
    """
    shipments = data.arrow("shipments") if "shipments" in data.table_names else None
    refunds = data.arrow("refunds") if "refunds" in data.table_names else None
    try:
        log = Log.of_tables(data.arrow("orders"), data.timezone, shipments, refunds)
    except NotComputable as exc:
        raise ProfileError(str(exc)) from None
    if len(log.t) == 0:
        raise ProfileError("the dataset has no orders")
    manifest = data.manifest
    label = name or str(manifest.get("scenario") or "dataset")
    described = {k: manifest[k] for k in ("scenario", "seed", "scale", "generator_version")
                 if k in manifest}
    return {"profile_version": PROFILE_VERSION, "name": label,
            "description": f"computed by brushbench realism from {label}",
            "dataset": described, "timezone": data.timezone, "orders": len(log.t),
            "statistics": compute_all(log)}


def bundled(name: str) -> dict[str, Any]:
    """A bundled reference profile by name."""
    if name not in BUNDLED:
        raise ProfileError(f"no bundled profile {name!r}; they are {', '.join(BUNDLED)}")
    folder = resources.files(__package__).joinpath("profiles")
    text = folder.joinpath(f"{name}.json").read_text("utf-8")
    return check_profile(json.loads(text), f"bundled profile {name}")


def read_profile(path_or_name: str | os.PathLike[str]) -> dict[str, Any]:
    """A profile from a JSON file, or a bundled one by name."""
    if str(path_or_name) in BUNDLED:
        return bundled(str(path_or_name))
    path = Path(path_or_name)
    if not path.is_file():
        raise ProfileError(f"{path}: no such profile (give a profile JSON file or one of "
                           f"{', '.join(BUNDLED)})")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ProfileError(f"{path}: not JSON ({exc.msg} at line {exc.lineno})") from None
    return check_profile(doc, str(path))


def check_profile(doc: Any, where: str) -> dict[str, Any]:
    """``doc`` if it is a profile; ProfileError naming ``where`` and the first problem."""
    if not isinstance(doc, dict) or not isinstance(doc.get("statistics"), dict):
        raise ProfileError(f"{where}: not a realism profile (expected an object with "
                           "'statistics')")
    if doc.get("profile_version") != PROFILE_VERSION:
        raise ProfileError(f"{where}: profile_version {doc.get('profile_version')!r}, "
                           f"expected {PROFILE_VERSION}")
    _check_tolerance(doc.get("tolerance", {}), f"{where}: tolerance")
    for key, entry in doc["statistics"].items():
        at = f"{where}: statistics.{key}"
        if key not in STATISTICS:
            raise ProfileError(f"{at}: unknown statistic; known: {', '.join(STATISTICS)}")
        if not isinstance(entry, dict) or entry.get("kind") != STATISTICS[key].kind:
            raise ProfileError(f"{at}: expected an object of kind {STATISTICS[key].kind!r}")
        if "not_computable" in entry:
            continue
        kind = entry["kind"]
        if kind == "scalar" and not _number(entry.get("value")):
            raise ProfileError(f"{at}: expected a number 'value'")
        if kind == "quantiles" and not (isinstance(entry.get("quantiles"), dict)
                                        and entry["quantiles"]
                                        and all(_level(k) and _number(v)
                                                for k, v in entry["quantiles"].items())):
            raise ProfileError(f"{at}: expected 'quantiles' mapping levels in (0, 1) to numbers")
        if kind == "histogram" and not (
                entry.get("bins") == list(STATISTICS[key].bins)
                and isinstance(entry.get("shares"), list)
                and len(entry["shares"]) == len(STATISTICS[key].bins)
                and all(_number(x) and x >= 0 for x in entry["shares"])
                and sum(entry["shares"]) > 0):
            raise ProfileError(f"{at}: expected 'bins' {list(STATISTICS[key].bins)} and as "
                               "many non-negative 'shares'")
        _check_tolerance(entry.get("tolerance", {}), f"{at}: 'tolerance'")
    return doc


def _check_tolerance(tolerance: Any, at: str) -> None:
    if not (isinstance(tolerance, dict) and set(tolerance) <= {"ratio", "ks"}
            and all(_number(v) and v > 0 for v in tolerance.values())
            and tolerance.get("ratio", 2) >= 1):
        raise ProfileError(f"{at}: expected {{\"ratio\": R >= 1, \"ks\": D > 0}}")


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and x == x


def _level(text: str) -> bool:
    try:
        return 0 < float(text) < 1
    except ValueError:
        return False


def write_profile(profile: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write ``profile`` as JSON, atomically."""
    return write_file_atomic(path, json.dumps(profile, indent=2, sort_keys=False) + "\n")
