"""The scenario files that ship with brushbench.

In a wheel they live in ``brushbench/_bundled_scenarios`` (copied from the repository's top-level
``scenarios/`` at build time); in a source checkout installed in editable mode they are read from
``scenarios/`` directly, so editing a bundled file takes effect at once.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import yaml

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def bundled_dir() -> Path:
    """The folder holding the bundled ``*.yaml`` scenarios."""
    installed = _PACKAGE_DIR / "_bundled_scenarios"
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent.parent / "scenarios"


def bundled_names() -> tuple[str, ...]:
    """Names of the bundled scenarios (file stems), sorted; files starting with '_' are bases."""
    return tuple(sorted(p.stem for p in bundled_dir().glob("*.yaml") if not p.stem.startswith("_")))


def resolve(name_or_path: str | Path) -> Path:
    """A scenario file path from a path or the name of a bundled scenario.

    Raises ``FileNotFoundError`` whose message says which bundled name was probably meant
    (difflib), or lists them all.
    """
    path = Path(name_or_path)
    if path.is_file():
        return path
    candidate = bundled_dir() / f"{path.stem if path.suffix in ('.yaml', '.yml') else path}.yaml"
    if candidate.is_file() and path.parent == Path("."):
        return candidate
    names = bundled_names()
    close = difflib.get_close_matches(path.stem, names, n=1, cutoff=0.6)
    if close:
        raise FileNotFoundError(f"{name_or_path}: no such file and no bundled scenario of that "
                                f"name; did you mean {close[0]}? (`brushbench scenarios` lists "
                                "them)")
    raise FileNotFoundError(
        f"{name_or_path}: no such file and no bundled scenario of that name "
        f"(bundled: {', '.join(names) or 'none'})"
    )


def describe(path: Path) -> str:
    """The scenario's one-line description, read without validating the whole file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return "(unreadable)"
    return str(data.get("description", "")) if isinstance(data, dict) else ""
