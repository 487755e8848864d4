"""``extends:``: a scenario file built on top of another one.

The parent is found beside the extending file first, then among the bundled scenarios. Only files
inside the folder of the file that was loaded (or its subfolders) and the bundled scenarios can
be extended, and only ``.yaml``/``.yml`` files: an absolute path or a ``../`` chain that leaves
that folder is refused, and a file that is not a YAML mapping is named but never quoted (its
lines could be anyone's). Parent and
child are merged as YAML trees before anything is typed, so every value keeps the location of the
file it was written in and an error in an inherited value points into the parent.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from . import bundled
from .errors import Issue, Location
from .yamlnodes import Map, Node, Scalar, describe, parse

EXTENDS = "extends"


def read_text(path: Path) -> str:
    """The text of a scenario file; ``OSError`` or ``UnicodeDecodeError`` when unreadable."""
    return path.read_text(encoding="utf-8")


def compose(text: str, filename: str, base_dir: Path,
            _stack: tuple[Path, ...] = (), _root: Path | None = None
            ) -> tuple[Node | None, list[Issue]]:
    """Parse a scenario text and merge in the files it extends, recursively.

    Parameters
    ----------
    text : str
        The YAML text.
    filename : str
        Name shown in issue locations.
    base_dir : Path
        Folder against which a relative ``extends`` path is resolved.

    Returns
    -------
    node : Node or None
        The merged tree without the ``extends`` key; None when the text cannot be parsed or
        the file it extends cannot be had (checking the child alone would only add noise,
        such as required keys the parent was to provide).
    issues : list of Issue
        Problems in this file and in the files it extends.
    """
    root = base_dir.resolve() if _root is None else _root
    node, issues = parse(text, filename)
    if not isinstance(node, Map) or EXTENDS not in node.entries:
        return node, issues
    entry = node.entries[EXTENDS]
    child = replace(node, entries={k: e for k, e in node.entries.items() if k != EXTENDS})
    value = entry.value
    if not isinstance(value, Scalar) or not isinstance(value.value, str) or not value.value:
        issues.append(Issue(value.loc, EXTENDS, f"expected the path or bundled name of a "
                                                f"scenario, found {describe(value)}"))
        return None, issues
    parent_path = _resolve(value.value, base_dir)
    if parent_path is None:
        names = ", ".join(bundled.bundled_names()) or "none"
        issues.append(Issue(value.loc, EXTENDS, f"expected a file beside this one or a bundled "
                                                f"scenario ({names}), found {value.value!r}"))
        return None, issues
    if not _contained(parent_path, root):
        issues.append(Issue(value.loc, EXTENDS, f"expected a file in this scenario's folder "
                                                f"({display_name(root)}) or its subfolders, or "
                                                f"a bundled scenario, found {value.value!r}, "
                                                f"which is outside"))
        return None, issues
    if parent_path.suffix not in (".yaml", ".yml"):
        issues.append(Issue(value.loc, EXTENDS, f"expected a scenario file (.yaml or .yml), "
                                                f"found {value.value!r}"))
        return None, issues
    key = parent_path.resolve()
    if key in _stack:
        chain = " -> ".join(p.name for p in (*_stack[_stack.index(key):], key))
        issues.append(Issue(value.loc, EXTENDS, f"expected a chain of files without loops, found "
                                                f"the cycle {chain}"))
        return None, issues
    try:
        parent_text = read_text(parent_path)
    except (OSError, UnicodeDecodeError) as exc:
        issues.append(Issue(value.loc, EXTENDS, f"expected a readable file, found {exc}"))
        return None, issues
    parsed, syntax = parse(parent_text, display_name(parent_path))
    if parsed is None and syntax:
        issues.extend(syntax)  # a scenario file with a YAML mistake: located in that file
        return None, issues
    if not isinstance(parsed, Map):
        # Say nothing of what the file holds: neither its lines nor the YAML parser's quotes.
        issues.append(Issue(value.loc, EXTENDS, f"expected a scenario file (a YAML mapping), "
                                                f"found {display_name(parent_path)}, which is "
                                                f"not one"))
        return None, issues
    parent, parent_issues = compose(parent_text, display_name(parent_path), parent_path.parent,
                                    (*_stack, key), root)
    issues.extend(parent_issues)
    if parent is None:
        return None, issues
    if not isinstance(parent, Map):  # pragma: no cover - parsed as a mapping above
        issues.append(Issue(parent.loc, "(top level)", "expected a mapping of scenario keys, "
                                                       f"found {describe(parent)}"))
        return None, issues
    return merge(parent, child), issues


def start_stack(filename: str) -> tuple[Path, ...]:
    """The cycle-detection stack for a root file (empty when it is not a file on disk)."""
    path = Path(filename)
    return (path.resolve(),) if path.is_file() else ()


def merge(parent: Node, child: Node) -> Node:
    """Deep merge: mappings merge key by key, anything else in ``child`` replaces ``parent``.

    A mapping with a ``dist`` key is a distribution, one value: the child's replaces the parent's
    whole, so that switching ``lognorm`` to ``gamma`` does not inherit ``lognorm``'s parameters.
    """
    if not isinstance(parent, Map) or not isinstance(child, Map) or "dist" in child.entries:
        return child
    entries = dict(parent.entries)
    for key, entry in child.entries.items():
        if key in entries:
            entry = replace(entry, value=merge(entries[key].value, entry.value))
        entries[key] = entry
    return Map(entries, child.loc)


def display_name(path: Path) -> str:
    """How a file is named in issues: relative to the working folder when it is below it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel


def _contained(path: Path, root: Path) -> bool:
    """Whether ``path`` (links followed) is inside ``root`` or among the bundled scenarios."""
    real = path.resolve()
    return any(real.is_relative_to(folder) for folder in (root, bundled.bundled_dir().resolve()))


def _resolve(value: str, base_dir: Path) -> Path | None:
    beside = base_dir / value
    if beside.is_file():
        return Path(os.path.normpath(beside))
    path = Path(value)
    if path.parent != Path(".") or path.is_absolute():
        return None  # a path with folders names a file, never a bundled scenario
    try:
        return bundled.resolve(path.stem if path.suffix in (".yaml", ".yml") else value)
    except FileNotFoundError:
        return None


def file_location(filename: str) -> Location:
    """The start of a file, for problems that concern the whole file."""
    return Location(filename, 1, 1)
