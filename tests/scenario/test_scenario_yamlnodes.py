"""Located YAML nodes: values exactly as yaml.safe_load gives them, plus where they were written."""

from __future__ import annotations

import pytest
import yaml

from brushbench.scenario.errors import Location
from brushbench.scenario.yamlnodes import Map, Seq, parse, to_python

SAMPLES = [
    "a: 1\nb: 1_000\nc: 0x1f\nd: 1:30\ne: 1.5\nf: .inf\ng: -.NaN\n",
    "a: yes\nb: No\nc: off\nd: ~\ne: null\nf: ''\ng: 'yes'\n",
    "t: 2024-11-11\nu: 2024-11-11 08:30:00\nv: 2024-11-11T08:30:00+08:00\n"
    "w: 2024-11-11t08:30:00Z\n",
    "base: &b {x: 1, y: [1, 2]}\nc:\n  <<: *b\n  y: 3\nd: [*b, *b]\n",
    "m:\n  <<: [{a: 1}, {a: 2, b: 2}]\n  c: 3\n",
    "s: |\n  two\n  lines\nf: >\n  folded\n  text\nq: \"\\u00e9\\t\"\nchinese: 双十一\n",
    "1: int key\n2.5: float key\nfalse: bool key\n~: null key\n",
    "[1, 2, {a: [], b: {}}]\n",
    "'plain string'\n",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_values_are_exactly_what_safe_load_gives(text):
    node, issues = parse(text, "f.yaml")
    assert issues == []
    expected, got = yaml.safe_load(text), to_python(node)
    assert typed(got) == typed(expected)


def typed(value):
    """``value`` with each scalar paired with its type (so 1 != 1.0 != True), NaN made equal."""
    if isinstance(value, dict):
        return {typed(k): typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    if isinstance(value, float) and value != value:
        return ("nan", float)
    return (value, type(value))


def test_every_value_and_key_knows_where_it_was_written():
    node, _ = parse("name: x\nwindow:\n  start: 2024-11-11\n  list:\n    - 1\n    - {a: 2}\n",
                    "f.yaml")
    assert isinstance(node, Map) and node.loc == Location("f.yaml", 1, 1)
    window = node.entries["window"]
    assert window.key_loc == Location("f.yaml", 2, 1)
    assert window.value.loc == Location("f.yaml", 3, 3)
    start = window.value.entries["start"]
    assert (start.key_loc.column, start.value.loc.column) == (3, 10)
    items = window.value.entries["list"].value
    assert isinstance(items, Seq) and [i.loc.line for i in items.items] == [5, 6]
    assert items.items[1].entries["a"].value.loc == Location("f.yaml", 6, 11)


def test_merged_keys_keep_their_own_location():
    node, _ = parse("base: &b {x: 1}\nc:\n  <<: *b\n  y: 3\n", "f.yaml")
    c = node.entries["c"].value
    assert c.entries["x"].value.loc.line == 1 and c.entries["y"].value.loc.line == 4


@pytest.mark.parametrize("text, where, starts", [
    ("a: 1\nb: 2\na: 3\n", (3, 1), "a: expected each key once, found it again (first at line 1)"),
    ("a: [1\n", (2, 1), "(yaml): invalid YAML: "),
    ("a: b: c\n", (1, 5), "(yaml): invalid YAML: mapping values are not allowed here"),
    ("---\na: 1\n---\nb: 2\n", (3, 1), "(yaml): invalid YAML: "),
    ("a: !!python/name:os.system x\n", (1, 4), "a: expected a valid value, found 'x' (could not "
                                               "determine a constructor"),
    ("a: !custom {b: 1}\n", (1, 4), "a: expected a mapping, found tag '!custom'"),
    ("x: &a [*a]\n", (1, 4), "x[0]: expected a tree of values, found an alias that refers "
                             "to itself"),
    ("a: 1\nb: \x07\n", (2, 4), "(yaml): expected printable text, found control character"),
    ("? [1, 2]\n: 3\n", (1, 3), "(top level): expected a plain key, found a list or mapping"),
])
def test_problems_are_single_located_issues(text, where, starts):
    _, issues = parse(text, "f.yaml")
    (issue,) = issues
    assert (issue.location.line, issue.location.column) == where
    assert str(issue).startswith(f"f.yaml:{where[0]}:{where[1]}: {starts}")


def test_alias_bombs_are_refused_quickly():
    text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n"
        for i in range(7))
    node, issues = parse(text, "bomb.yaml")
    assert node is None and "after expanding aliases" in issues[0].message


def test_empty_document_is_no_node_and_no_issue():
    assert parse("# only a comment\n", "f.yaml") == (None, [])


@pytest.mark.parametrize("depth", [150, 5000])
def test_absurd_nesting_is_an_issue_not_a_crash(depth):
    _, issues = parse("a: " + "[" * depth + "]" * depth + "\n", "f.yaml")
    assert [i.message for i in issues] == ["expected at most 100 levels of nesting, found more"]


def _plain(parsed):
    """A parse result as plain values with every location (nodes compare by identity)."""
    from brushbench.scenario.yamlnodes import Map, Seq

    def tree(node):
        if isinstance(node, Map):
            return ("map", node.loc, [(k, e.key_loc, tree(e.value))
                                      for k, e in node.entries.items()])
        if isinstance(node, Seq):
            return ("seq", node.loc, [tree(n) for n in node.items])
        return ("scalar", node.loc, repr(node.value))

    node, issues = parsed
    return (None if node is None else tree(node)), [str(i) for i in issues]


def test_libyaml_and_the_pure_python_loader_give_the_same_located_tree(monkeypatch):
    """The fast path (libyaml) is taken for every bundled scenario and reads each exactly as
    the pure-Python loader does: same values, same locations."""
    from brushbench.scenario import yamlnodes
    from brushbench.scenario.bundled import bundled_dir

    files = sorted(bundled_dir().glob("*.yaml")) + sorted(bundled_dir().glob("suites/*.yaml"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        fast = yamlnodes._fast_parse(text, path.name)
        assert fast is not None, path
        with monkeypatch.context() as mp:
            mp.setattr(yamlnodes, "_CLoader", None)
            slow = yamlnodes.parse(text, path.name)
        assert _plain(fast) == _plain(slow), path


def test_a_yaml_error_reads_the_same_with_or_without_libyaml(monkeypatch):
    from brushbench.scenario import yamlnodes

    for text in ("a: [1, 2\nb: 3\n", "a: 1\na: 2\n", "a: !!int x\n", "a: \x07\n", "[" * 600):
        fast = yamlnodes.parse(text, "f.yaml")
        with monkeypatch.context() as mp:
            mp.setattr(yamlnodes, "_CLoader", None)
            slow = yamlnodes.parse(text, "f.yaml")
        assert _plain(fast) == _plain(slow), text
