"""``extends``: deep merge, locations in the parent file, cycles, bundled parents."""

from __future__ import annotations

import pytest

from brushbench.scenario import (
    ScenarioError,
    bundled,
    load_scenario,
    load_scenario_text,
    scenario_hash,
)

from scenario_helpers import BASE, lines


def test_child_overrides_and_inherits(write):
    write("base.yaml", BASE + "sources: [a, b]\nrefunds:\n  rate: 0.1\n  cancel_rate: 0.03\n")
    child = write("child.yaml", """\
        extends: base.yaml
        name: child
        marketplace:
          shops: 80
        sources: [c]
        refunds:
          rate: 0.2
        """)
    s = load_scenario(child)
    assert s.name == "child"
    assert (s.marketplace.shops, s.marketplace.buyers) == (80, 1000)   # merged mapping
    assert s.sources == ("c",)                                         # list replaced
    assert (s.refunds.rate, s.refunds.cancel_rate) == (0.2, 0.03)
    assert s.traffic.promotions[0].burst_tau == 1200                   # inherited list item


def test_hash_ignores_how_a_scenario_was_split_into_files(write):
    whole = load_scenario(write("whole.yaml", BASE.replace("name: base", "name: same")))
    write("parent.yaml", BASE)
    child = load_scenario(write("same.yaml", "extends: parent.yaml\nname: same\n"))
    assert child == whole and scenario_hash(child) == scenario_hash(whole)


def test_error_in_an_inherited_value_points_into_the_parent(write):
    parent = write("sub/parent.yaml", BASE.replace("  buyers: 1000", "  buyers: -3"))
    child = write("sub/child.yaml", "extends: parent.yaml\nname: child\ntraffic:\n  orders: x\n")
    row = next(i for i, line in enumerate(BASE.splitlines(), 1) if "buyers" in line)
    assert lines(child) == [  # the loaded file first, then the file it extends
        f"{child}:4:11: traffic.orders: expected an integer between 0 and 100000000, found 'x' "
        "(a string)",
        f"{parent}:{row}:11: marketplace.buyers: expected an integer between 1 and 1000000000, "
        "found -3",
    ]


def test_a_child_value_fixes_a_parent_mistake(write):
    write("parent.yaml", BASE.replace("  buyers: 1000", "  buyers: -3"))
    child = write("child.yaml", "extends: parent.yaml\nmarketplace:\n  buyers: 10\n")
    assert load_scenario(child).marketplace.buyers == 10


def test_a_distribution_is_replaced_whole_not_merged(write):
    write("parent.yaml", BASE + "bulk_buyers:\n  quantity: {dist: lognorm, s: 1, scale: 9}\n")
    child = write("child.yaml", "extends: parent.yaml\nbulk_buyers:\n"
                                "  quantity: {dist: gamma, a: 2}\n")
    assert load_scenario(child).bulk_buyers.quantity.to_spec() == {"dist": "gamma", "a": 2.0}


def test_extends_cycle_is_reported(write):
    a = write("a.yaml", "extends: b.yaml\nname: a\n")
    b = write("b.yaml", "extends: a.yaml\nname: b\n")
    found = lines(a)
    assert found[0] == (f"{b}:1:10: extends: expected a chain of files without loops, found the "
                        "cycle a.yaml -> b.yaml -> a.yaml")


def test_a_file_extending_itself_is_a_cycle(write):
    me = write("me.yaml", BASE + "extends: me.yaml\n")
    (line,) = lines(me)
    assert line.endswith("found the cycle me.yaml -> me.yaml")


def test_missing_parent_is_located_at_the_extends_value(write):
    child = write("child.yaml", "name: c\nextends: nowhere.yaml\n")
    found = lines(child)
    assert found[0].startswith(f"{child}:2:10: extends: expected a file beside this one or a "
                               "bundled scenario (")
    assert found[0].endswith("found 'nowhere.yaml'")


def test_parent_is_looked_up_among_bundled_scenarios(write, tmp_path, monkeypatch):
    shelf = tmp_path / "shelf"
    shelf.mkdir()
    (shelf / "_base.yaml").write_text(BASE, encoding="utf-8")
    monkeypatch.setattr(bundled, "bundled_dir", lambda: shelf)
    child = write("work/child.yaml", "extends: _base\nname: from-shelf\n")
    s = load_scenario(child)
    assert (s.name, s.marketplace.shops) == ("from-shelf", 50)


def test_extends_must_name_a_file():
    with pytest.raises(ScenarioError) as info:
        load_scenario_text_with("extends: [a.yaml]\n")
    assert [i.path for i in info.value.issues] == ["extends"]


def test_extends_is_only_understood_at_the_top():
    with pytest.raises(ScenarioError) as info:
        load_scenario_text_with("bulk_buyers:\n  extends: x.yaml\n")
    assert [i.path for i in info.value.issues] == ["bulk_buyers.extends"]


def load_scenario_text_with(extra: str):
    return load_scenario_text(BASE + extra)
