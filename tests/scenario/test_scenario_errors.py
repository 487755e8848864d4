"""Located, one-line errors: format, positions, suggestions, and every mistake in one run."""

from __future__ import annotations

import pytest

from brushbench.scenario import (
    ScenarioError,
    Seconds,
    check_files,
    load_scenario,
    load_scenario_text,
)
from brushbench.scenario.errors import Issue, Location

from scenario_helpers import BASE, lines, with_key

DURATION = "a duration such as 90s, 3m, 24h, 7d or 1h30m (or whole seconds)"


def test_issue_str_is_one_line_with_file_line_column_and_path():
    issue = Issue(Location("a/b.yaml", 3, 7), "traffic.promotions[0].burst_tau",
                  "expected a duration,\n  found 'x'")
    assert str(issue) == ("a/b.yaml:3:7: traffic.promotions[0].burst_tau: expected a duration, "
                          "found 'x'")
    err = ScenarioError([issue, Issue(Location("a/b.yaml", 4, 1), "name", "bad")])
    assert str(err).splitlines() == [str(issue), "a/b.yaml:4:1: name: bad"]


def test_every_mistake_in_a_file_is_reported_with_its_line_and_column(write):
    path = write("demo.yaml", """\
        name: demo
        window:
          start: 2024-11-11 00:00:00
          duration: 2x
        marketplace:
          shops: true
          shopz: 10
        traffic:
          promotions:
            - start: 2024-11-11 01:00:00
              burst_tau: 0s
              burst_share: 1.5
        """)
    assert lines(path) == [
        f"{path}:4:13: window.duration: expected {DURATION}, at least 1m, at most 730d, "
        "found '2x' (a string)",
        f"{path}:6:10: marketplace.shops: expected an integer between 1 and 1000000, "
        "found true (a boolean)",
        f"{path}:7:3: marketplace.shopz: unknown key, did you mean 'shops'?",
        f"{path}:11:18: traffic.promotions[0].burst_tau: expected {DURATION}, at least 1s, "
        "found 0s",
        f"{path}:12:20: traffic.promotions[0].burst_share: expected a number between 0 and 0.95,"
        " found 1.5",
    ]
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert len(info.value.issues) == 5
    assert str(info.value).splitlines() == lines(path)


def test_unknown_key_without_a_close_match_lists_the_keys():
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(BASE + "bulk_buyers:\n  zzz: 1\n", "f.yaml")
    (issue,) = info.value.issues
    assert issue.path == "bulk_buyers.zzz"
    assert issue.message == ("unknown key, expected one of: accounts, orders, quantity, "
                             "resellers, reseller_orders, reseller_accounts, reseller_quantity")
    assert (issue.location.line, issue.location.column) == (len(BASE.splitlines()) + 2, 3)


def test_missing_required_keys_point_at_the_enclosing_mapping():
    with pytest.raises(ScenarioError) as info:
        load_scenario_text("description: no name\nwindow:\n  duration: 1d\n", "f.yaml")
    assert [str(i) for i in info.value.issues] == [
        "f.yaml:1:1: name: required key missing, expected a string",
        "f.yaml:3:3: window.start: required key missing, expected a date and time such as "
        "2024-11-11 00:00:00",
    ]


@pytest.mark.parametrize("section, key, value, expected", [
    ("marketplace", "cities", "true",
     "expected an integer between 1 and 5000, found true (a boolean)"),
    ("marketplace", "city_skew", "false", "expected a number >= 0, found false (a boolean)"),
    # YAML 1.1 reads an unquoted `yes` as a boolean.
    ("refunds", "rate", "yes", "expected a number between 0 and 1, found true (a boolean)"),
    ("marketplace", "buyer_activity", "true", "invalid distribution: expected a number or a "
                                              "{dist: ...} mapping, found True"),
    ("bulk_buyers", "orders", "off",
     "expected an integer between 0 and 10000000, found false (a boolean)"),
])
def test_booleans_are_never_numbers(section, key, value, expected):
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(with_key(BASE, section, key, value))
    (issue,) = info.value.issues
    assert (issue.path, issue.message) == (f"{section}.{key}", expected)


@pytest.mark.parametrize("text, seconds", [
    ("90s", 90), ("3m", 180), ("24h", 86_400), ("7d", 604_800), ("1h30m", 5_400),
    ("1d2h3m4s", 93_784), ("120", 120),
])
def test_durations_are_read_in_seconds(text, seconds):
    scenario = load_scenario_text(BASE.replace("burst_tau: 20m", f"burst_tau: {text}"))
    tau = scenario.traffic.promotions[0].burst_tau
    assert tau == seconds and isinstance(tau, Seconds)


@pytest.mark.parametrize("text", ["1.5h", "'90'", "h", "''", "-5", "1.5", "1m30", "30s1m",
                                  "1 h", "0", "true", "[1]"])
def test_bad_durations_are_located(text):
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(BASE.replace("burst_tau: 20m", f"burst_tau: {text}"), "f.yaml")
    (issue,) = info.value.issues
    assert issue.path == "traffic.promotions[0].burst_tau"
    assert issue.message.startswith(f"expected {DURATION}, at least 1s, found ")
    row = next(i for i, line in enumerate(BASE.splitlines(), 1) if "burst_tau" in line)
    assert (issue.location.line, issue.location.column) == (row, 18)


@pytest.mark.parametrize("spec, path, message", [
    ("{dist: lognormal, s: 1}", "marketplace.buyer_activity.dist",
     "expected a scipy.stats distribution name, constant or categorical, found 'lognormal', "
     "did you mean 'lognorm'?"),
    ("{dist: lognorm, scale: 2}", "marketplace.buyer_activity",
     "invalid distribution: lognorm needs shape parameter(s) s"),
    ("{dist: norm, sigma: 2}", "marketplace.buyer_activity",
     "invalid distribution: norm takes parameters loc, scale; unknown: sigma"),
    ("{dist: lognorm, s: -1}", "marketplace.buyer_activity",
     "invalid distribution: lognorm rejects parameters {'s': -1.0}"),
    ("{dist: gamma, a: .inf}", "marketplace.buyer_activity",
     "invalid distribution: gamma parameter 'a' must be finite, found inf"),
    ("{dist: categorical, values: [1, 2], weights: [1]}", "marketplace.buyer_activity",
     "invalid distribution: categorical 'weights' must be a list as long as 'values'"),
    ("{dist: norm, 1: 2}", "marketplace.buyer_activity",
     "invalid distribution: norm takes parameters loc, scale; unknown: 1"),
    ("{s: 1}", "marketplace.buyer_activity",
     "invalid distribution: a distribution mapping needs a 'dist' key naming a scipy.stats law"),
])
def test_bad_distributions_are_reported_at_their_node(spec, path, message):
    text = BASE.replace("  buyers: 1000\n", f"  buyers: 1000\n  buyer_activity: {spec}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, "f.yaml")
    (issue,) = info.value.issues
    assert (issue.path, issue.message.split(":")[0]) == (path, message.split(":")[0])
    assert issue.message.startswith(message)
    assert issue.location.line == 9


def test_yaml_syntax_error_is_one_located_line(write):
    path = write("broken.yaml", "name: x\nwindow:\n  start: [2024-11-10\n  duration: 1d\n")
    (line,) = lines(path)
    assert line.startswith(f"{path}:4:11: (yaml): invalid YAML: ")
    assert "\n" not in line and "Traceback" not in line


def test_duplicate_key_is_an_error_at_the_second_occurrence(write):
    path = write("dup.yaml", BASE + "marketplace:\n  shops: 3\n")
    row = len(BASE.splitlines()) + 1
    assert lines(path) == [f"{path}:{row}:1: marketplace: expected each key once, found it "
                           f"again (first at line 6)"]


def test_check_files_never_raises_for_unusable_files(tmp_path):
    binary = tmp_path / "latin1.yaml"
    binary.write_bytes(b"name: caf\xe9\n")
    listing = tmp_path / "list.yaml"
    listing.write_text("- 1\n- 2\n")
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing\n")
    found = check_files([tmp_path / "missing.yaml", tmp_path, binary, listing, empty])
    assert [(i.location.file, i.path) for i in found] == [
        (str(tmp_path / "missing.yaml"), "(file)"),
        (str(tmp_path), "(file)"),
        (str(binary), "(file)"),
        (str(listing), "(top level)"),
        (str(empty), "(top level)"),
    ]
    assert "no such file" in found[0].message
    assert "expected a mapping, found a list" in found[3].message
    assert "empty document" in found[4].message


def test_yaml_specials_are_rejected_with_a_hint():
    text = BASE.replace("  orders: 5000", "  orders: 5000\n  burstiness: 1e-3")
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text)
    (issue,) = info.value.issues
    assert issue.path == "traffic.burstiness"
    assert issue.message.endswith("(YAML 1.1 reads an exponent as text unless written like "
                                  "1.0e-3 or 1.0e+3)")


def test_unsafe_tags_are_refused():
    with pytest.raises(ScenarioError) as info:
        load_scenario_text("name: !!python/object/apply:os.system ['true']\n"
                           "window: {start: 2024-01-01}\n")
    assert info.value.issues[0].path == "name"
