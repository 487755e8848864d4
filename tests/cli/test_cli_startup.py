"""Starting the command is cheap: ``--version``, ``--help`` and ``SUB --help`` import no
pandas, numpy, scipy or pyarrow (the libraries the commands' work needs), and the parser's
copies of the library's names stay in step with the library."""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys

import pytest

from brushbench.cli import COMMANDS, _choices, build_parser

HEAVY = ("pandas", "numpy", "scipy", "pyarrow", "yaml")


def _heavy_modules_after(*argvs: list[str]) -> dict[str, list[str]]:
    """Run ``main(argv)`` for each argv in a fresh interpreter; the heavy modules loaded."""
    code = f"""
import json, sys, io, contextlib
from brushbench.cli import main
heavy = {HEAVY!r}
found = {{}}
for argv in {[list(a) for a in argvs]!r}:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            main(argv)
        except SystemExit:
            pass
    found[" ".join(argv)] = sorted(m for m in heavy if m in sys.modules)
print(json.dumps(found))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout)


def test_version_and_help_import_no_heavy_library():
    found = _heavy_modules_after(["--version"], ["--help"], [])
    assert found == {"--version": [], "--help": [], "": []}


def test_every_subcommand_help_imports_no_heavy_library():
    names = sorted({name for name, _, _ in COMMANDS})
    found = _heavy_modules_after(*([name, "--help"] for name in names),
                                 ["lab", "new", "--help"], ["leaderboard", "build", "--help"])
    assert all(mods == [] for mods in found.values()), found


def test_the_version_is_printed(capsys):
    with pytest.raises(SystemExit) as stop:
        build_parser(["--version"]).parse_args(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.startswith("brushbench ")


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _help_lines(parser: argparse.ArgumentParser) -> dict[str, str | None]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {choice.dest: choice.help for choice in action._choices_actions}


def test_the_table_of_commands_says_what_each_module_registers():
    full = build_parser()  # every module imported and registered
    assert _help_lines(full) == {name: help_line for name, _, help_line in COMMANDS}
    # and each module registers exactly the names the table gives it
    for name, module, _ in COMMANDS:
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(f"brushbench.cli.{module}").register(sub)
        assert name in sub.choices


def test_only_the_command_asked_for_is_registered_in_full():
    parser = build_parser(["generate", "x", "--out", "y"])
    subs = _subcommands(parser)
    assert set(subs) == {name for name, _, _ in COMMANDS}
    assert any(a.dest == "fmt" for a in subs["generate"]._actions)
    assert subs["eval"]._actions == []  # a stub: listed by name only
    args = parser.parse_args(["generate", "x", "--out", "y"])
    assert args.fmt == "parquet" and callable(args.run)


def test_the_parser_copies_of_library_names_match_the_library():
    from brushbench.dataset import formats
    from brushbench.leaderboard.entries import ENTRIES_FILE
    from brushbench.results.compare import DEFAULT_METRICS, RULE_FORM
    from brushbench.runtime.batches import DEFAULT_BATCH
    from brushbench.teaching.lab import DIFFICULTIES
    from brushbench.teaching.submission import FORMS
    from brushbench.userdata import LABEL_LEVELS, PRESETS

    assert _choices.FORMATS == tuple(formats.names())
    from brushbench.generator.engines import ENGINES
    from brushbench.generator.parts import AUTO_PARTITION_ORDERS
    assert _choices.ENGINES == ENGINES
    assert _choices.AUTO_PARTITION_ORDERS == AUTO_PARTITION_ORDERS
    assert _choices.PRESETS == tuple(PRESETS)
    assert _choices.LABEL_LEVELS == tuple(LABEL_LEVELS)
    assert _choices.DIFFICULTIES == dict(DIFFICULTIES)
    assert _choices.FORMS == tuple(FORMS)
    assert _choices.DEFAULT_BATCH == DEFAULT_BATCH
    assert _choices.ENTRIES_FILE == ENTRIES_FILE
    assert _choices.RULE_FORM == RULE_FORM
    assert _choices.DEFAULT_METRICS == tuple(DEFAULT_METRICS)


def test_the_harness_imports_no_pandas_before_its_first_run():
    # eval's parent process imports pandas only when it scores a run (on its worker thread,
    # while the next detector works): the first run's process starts without waiting for it.
    code = """
import json, sys
from brushbench.harness.evaluate import evaluate, evaluate_data
from brushbench.harness.suites import load_suite
from brushbench.results.compare import compare_files
from brushbench.results.render import render_table
from brushbench.runtime.runner import prepare_run, execute_run
load_suite("quick")
print(json.dumps("pandas" in sys.modules))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert json.loads(done.stdout) is False
