"""What ``--help`` and the one-line errors say: descriptions, defaults, did-you-mean, no
doubled prefixes, CLI words rather than Python's."""

from __future__ import annotations

import argparse

import pytest

from brushbench.cli import build_parser, main


def _parsers(parser: argparse.ArgumentParser, prefix: str = ""):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield f"{prefix}{name}", sub
                yield from _parsers(sub, f"{prefix}{name} ")


ALL = dict(_parsers(build_parser()))


@pytest.mark.parametrize("name", ["scenarios", "patterns", "schema"])
def test_listing_commands_have_a_description(name):
    assert ALL[name].description and len(ALL[name].description) > 40


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_option_with_a_default_shows_it(name):
    for action in ALL[name]._actions:
        if not action.option_strings or action.default in (None, False, [], argparse.SUPPRESS):
            continue
        if isinstance(action, argparse._HelpAction | argparse._VersionAction):
            continue
        assert action.help and "default" in action.help, (name, action.option_strings)


def test_generate_format_help_shows_parquet_as_default():
    text = ALL["generate"].format_help()
    assert "default: parquet" in " ".join(text.split())


def test_a_misspelt_bundled_scenario_gets_a_did_you_mean(capsys, tmp_path):
    code = main(["generate", "mixed_naiv", "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert "did you mean mixed_naive?" in err


def test_a_name_close_to_nothing_lists_the_bundled_scenarios(capsys, tmp_path):
    code = main(["generate", "zzzzzz", "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err
    assert code == 2 and "did you mean" not in err and "bundled: " in err


def test_a_misspelt_suite_gets_a_did_you_mean(capsys):
    code = main(["eval", "baselines/null.py", "--suite", "quik"])
    err = capsys.readouterr().err
    assert code == 2 and "did you mean quick?" in err


def test_generate_into_an_existing_folder_says_use_overwrite(capsys, tmp_path):
    out = tmp_path / "d"
    out.mkdir()
    (out / "something").write_text("x")
    code = main(["generate", "flash_sale", "--scale", "0.01", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert "use --overwrite" in err
    assert "overwrite=True" not in err
    assert err.count("\n") == 1
