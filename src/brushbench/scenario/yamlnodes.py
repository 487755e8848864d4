"""Safe YAML parsed into a tree that remembers where every value and key came from.

``yaml.safe_load`` throws positions away; the loader needs them to point at the offending value.
So the text is composed with :class:`yaml.SafeLoader` and each scalar is constructed by the same
``SafeConstructor`` that ``safe_load`` uses, which makes every value (timestamps, ``1_000``,
``yes``, ``.inf``) come out exactly as ``safe_load`` would give it. Unlike ``safe_load``, a key
written twice is an error, because the second one silently winning hides typos in long files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Union

import yaml

from .errors import Issue, KeyPath, Location, format_path

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"
class _Invalid:
    """The value of a scalar YAML itself could not construct (already reported)."""

    def __repr__(self) -> str:
        return "<invalid>"


#: Stands in for a value whose problem has been reported, so that nobody reports it again.
INVALID = _Invalid()
#: Deeper nesting is refused, so that nothing downstream can exhaust Python's stack.
MAX_DEPTH = 100
#: Aliases can make a short file expand exponentially ("billion laughs"); refuse beyond this.
MAX_NODES = 1_000_000


@dataclass(frozen=True, eq=False)
class Scalar:
    """A plain value (str, int, float, bool, None, date, datetime) and where it starts."""

    value: Any
    loc: Location


@dataclass(frozen=True, eq=False)
class Seq:
    """A YAML sequence."""

    items: tuple[Node, ...]
    loc: Location


@dataclass(frozen=True, eq=False)
class Entry:
    """One ``key: value`` pair of a mapping, with the key's own location."""

    key: Any
    key_loc: Location
    value: Node


@dataclass(frozen=True, eq=False)
class Map:
    """A YAML mapping; ``entries`` is keyed by the constructed key, in file order."""

    entries: Mapping[Any, Entry]
    loc: Location


Node = Union[Scalar, Seq, Map]  # noqa: UP007 -- a runtime alias, and the package supports 3.10


def describe(node: Node) -> str:
    """What a node holds, for the "found ..." half of a message."""
    if isinstance(node, Map):
        return "a mapping"
    if isinstance(node, Seq):
        return "a list"
    return describe_value(node.value)


def describe_value(value: Any) -> str:
    """A short, YAML-flavoured rendering of a plain value and its kind."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"{shown!r} (a string)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if hasattr(value, "isoformat"):
        return f"{value.isoformat()} (a {type(value).__name__})"
    return f"a {type(value).__name__}"


def has_invalid(node: Node) -> bool:
    """True when ``node`` holds a value YAML could not construct (reported already)."""
    if isinstance(node, Scalar):
        return node.value is INVALID
    if isinstance(node, Seq):
        return any(has_invalid(n) for n in node.items)
    return any(has_invalid(e.value) for e in node.entries.values())


def to_python(node: Node) -> Any:
    """The plain value of a node, as ``yaml.safe_load`` would return it."""
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Seq):
        return [to_python(n) for n in node.items]
    return {key: to_python(e.value) for key, e in node.entries.items()}


def parse(text: str, filename: str) -> tuple[Node | None, list[Issue]]:
    """Parse one YAML document into located nodes.

    Parameters
    ----------
    text : str
        The YAML text.
    filename : str
        Shown in issue locations.

    Returns
    -------
    node : Map, Seq, Scalar or None
        The document, or None when it is empty or cannot be parsed.
    issues : list of Issue
        Syntax errors (then ``node`` is None), duplicate keys, values no safe constructor accepts.
    """
    fast = _fast_parse(text, filename)
    if fast is not None:
        return fast
    loader = None
    try:
        loader = yaml.SafeLoader(text)
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_issue(exc, filename)]
    except yaml.YAMLError as exc:  # ReaderError: a character YAML does not allow
        return None, [_reader_issue(exc, text, filename)]
    except RecursionError:  # PyYAML composes recursively; absurd nesting exhausts the stack
        return None, [Issue(Location(filename, 1, 1), "(yaml)", f"expected at most {MAX_DEPTH} "
                                                                "levels of nesting, found more")]
    finally:
        if loader is not None:
            loader.dispose()
    if root is None:
        return None, []
    return _convert(loader, root, filename)


#: libyaml's loader (when PyYAML has it) composes about five times as fast as the pure-Python
#: one. It is used only for what it reads as the pure-Python loader does (both count columns in
#: characters): text of characters YAML allows (the pure-Python reader's own check), of bounded
#: size and flow nesting (libyaml composes recursively in C, without Python's recursion
#: guard). Any problem falls back to the pure-Python loader, so that error messages stay the
#: same.
_CLoader = getattr(yaml, "CSafeLoader", None)
_FAST_MAX_CHARS = 1_000_000
_FAST_MAX_BRACKETS = 500


def _fast_parse(text: str, filename: str) -> tuple[Node | None, list[Issue]] | None:
    if (_CLoader is None or len(text) > _FAST_MAX_CHARS
            or text.count("[") + text.count("{") > _FAST_MAX_BRACKETS
            or yaml.reader.Reader.NON_PRINTABLE.search(text) is not None):
        return None
    loader = None
    try:
        loader = _CLoader(text)
        root = loader.get_single_node()
    except Exception:
        return None
    finally:
        if loader is not None:
            loader.dispose()
    if root is None:
        return None
    return _convert(loader, root, filename)


def _convert(loader: Any, root: yaml.Node, filename: str) -> tuple[Node | None, list[Issue]]:
    converter = _Converter(loader, filename)
    if converter.size(root) > MAX_NODES:
        loc = _loc(root.start_mark, filename)
        return None, [Issue(loc, "(yaml)", f"expected at most {MAX_NODES:,} values after "
                                           "expanding aliases, found more")]
    return converter.node(root, ()), converter.issues


class _Converter:
    """Turns composed ``yaml.Node`` objects into located nodes, collecting issues on the way."""

    def __init__(self, loader: yaml.SafeLoader, filename: str):
        self.loader = loader
        self.filename = filename
        self.issues: list[Issue] = []
        self.done: dict[int, Node] = {}  # aliases share a yaml node; convert it once
        self.active: set[int] = set()

    def size(self, root: yaml.Node) -> int:
        """Values in the document with every alias expanded (cycles count once)."""
        sizes: dict[int, int] = {}
        pending: set[int] = set()
        stack = [(root, False)]
        while stack:  # iterative, so deep nesting cannot overflow Python's stack here
            node, expanded = stack.pop()
            if id(node) in sizes or (not expanded and id(node) in pending):
                continue
            children = _children(node)
            if expanded or not children:
                pending.discard(id(node))
                sizes[id(node)] = 1 + sum(sizes.get(id(c), 0) for c in children)
            else:
                pending.add(id(node))
                stack.append((node, True))
                stack.extend((c, False) for c in children if id(c) not in sizes)
        return sizes[id(root)]

    def issue(self, mark: yaml.Mark, path: KeyPath, message: str) -> None:
        self.issues.append(Issue(_loc(mark, self.filename), format_path(path), message))

    def node(self, ynode: yaml.Node, path: KeyPath) -> Node:
        key = id(ynode)
        if key in self.done:
            return self.done[key]
        loc = _loc(ynode.start_mark, self.filename)
        if len(path) > MAX_DEPTH:
            self.issue(ynode.start_mark, path[:MAX_DEPTH], f"expected at most {MAX_DEPTH} levels "
                                                           "of nesting, found more")
            return Scalar(INVALID, loc)
        if key in self.active:
            self.issue(ynode.start_mark, path, "expected a tree of values, found an alias that "
                                               "refers to itself")
            return Scalar(INVALID, loc)
        self.active.add(key)
        try:
            result = self._convert(ynode, loc, path)
        finally:
            self.active.discard(key)
        self.done[key] = result
        return result

    def _convert(self, ynode: yaml.Node, loc: Location, path: KeyPath) -> Node:
        if isinstance(ynode, yaml.ScalarNode):
            return Scalar(self.scalar(ynode, path), loc)
        if isinstance(ynode, yaml.SequenceNode):
            if ynode.tag != _SEQ_TAG:
                self.issue(ynode.start_mark, path, f"expected a list, found tag {ynode.tag!r}")
            return Seq(tuple(self.node(n, (*path, i)) for i, n in enumerate(ynode.value)), loc)
        if ynode.tag != _MAP_TAG:
            self.issue(ynode.start_mark, path, f"expected a mapping, found tag {ynode.tag!r}")
        assert isinstance(ynode, yaml.MappingNode)  # YAML has no fourth kind of node
        return Map(self.entries(ynode, path), loc)

    def scalar(self, ynode: yaml.ScalarNode, path: KeyPath) -> Any:
        try:
            return self.loader.construct_object(ynode, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            # e.g. 2024-13-01 looks like a timestamp but is no date; safe_load would raise too.
            problem = getattr(exc, "problem", None) or str(exc)
            self.issue(ynode.start_mark, path, f"expected a valid value, found {ynode.value!r} "
                                               f"({problem})")
            return INVALID

    def entries(self, ynode: yaml.MappingNode, path: KeyPath) -> dict[Any, Entry]:
        own: dict[Any, Entry] = {}
        merged: list[yaml.Node] = []
        for knode, vnode in ynode.value:
            if knode.tag == _MERGE_TAG:  # `<<: *base`, which safe_load supports
                merged.extend(vnode.value if isinstance(vnode, yaml.SequenceNode) else [vnode])
                continue
            key = self.key(knode, path)
            if key is _BAD_KEY:
                continue
            sub = (*path, key if isinstance(key, str) else repr(key))
            if key in own:
                first = own[key].key_loc.line
                self.issue(knode.start_mark, sub, f"expected each key once, found it again "
                                                  f"(first at line {first})")
                continue
            own[key] = Entry(key, _loc(knode.start_mark, self.filename), self.node(vnode, sub))
        # Own keys win over merged ones, and earlier merged mappings over later ones (YAML spec).
        for source in merged:
            if not isinstance(source, yaml.MappingNode):
                self.issue(source.start_mark, path, "expected a mapping after '<<', found "
                                                    "something else")
                continue
            merged_map = self.node(source, path)
            if isinstance(merged_map, Map):
                for key, entry in merged_map.entries.items():
                    own.setdefault(key, entry)
        return own

    def key(self, knode: yaml.Node, path: KeyPath) -> Any:
        if not isinstance(knode, yaml.ScalarNode):
            self.issue(knode.start_mark, path, "expected a plain key, found a list or mapping "
                                               "used as a key")
            return _BAD_KEY
        key = self.scalar(knode, path)
        if key is INVALID:
            return _BAD_KEY
        try:
            hash(key)
        except TypeError:  # a !!binary key is fine, anything unhashable is not
            self.issue(knode.start_mark, path, f"expected a plain key, found {knode.value!r}")
            return _BAD_KEY
        return key


_BAD_KEY = object()


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _loc(mark: yaml.Mark, filename: str) -> Location:
    return Location(filename, mark.line + 1, mark.column + 1)


def _syntax_issue(exc: yaml.MarkedYAMLError, filename: str) -> Issue:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or "malformed YAML"
    if exc.context and exc.context_mark is not None and exc.context_mark is not mark:
        problem = f"{exc.context} at line {exc.context_mark.line + 1}, {problem}"
    loc = _loc(mark, filename) if mark is not None else Location(filename, 1, 1)
    return Issue(loc, "(yaml)", f"invalid YAML: {problem}")


def _reader_issue(exc: yaml.YAMLError, text: str, filename: str) -> Issue:
    position = getattr(exc, "position", 0)
    before = text[:position]
    line = before.count("\n") + 1
    column = position - (before.rfind("\n") + 1) + 1
    char = getattr(exc, "character", None)
    shown = f"#x{char:04x}" if isinstance(char, int) else repr(char)
    return Issue(Location(filename, line, column), "(yaml)",
                 f"expected printable text, found control character {shown}")
