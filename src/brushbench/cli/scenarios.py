"""``brushbench scenarios``, ``validate`` and ``schema``: the scenario language, from a shell."""

from __future__ import annotations

import argparse
import json

from ..scenario import ScenarioError, check_files, json_schema, load_scenario
from ..scenario.bundled import bundled_dir, bundled_names, describe, resolve
from ..scenario.model import Scenario
from .errors import EXIT_USAGE, UserError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scenarios", help="list the bundled scenarios")
    p.set_defaults(run=run_list)
    p = sub.add_parser("validate", help="check scenario files; one line per problem",
                       description="Exit 0 when every file is valid, 2 otherwise.")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(run=run_validate)
    p = sub.add_parser("schema", help="print the JSON Schema of scenario files")
    p.set_defaults(run=run_schema)


def load_or_fail(name_or_path: str) -> Scenario:
    """The scenario, or a :class:`UserError` with every located problem."""
    try:
        return load_scenario(resolve(name_or_path))
    except FileNotFoundError as exc:
        raise UserError(str(exc).strip("'\"")) from None
    except ScenarioError as exc:
        raise UserError(str(exc), located=True) from None


def run_list(args: argparse.Namespace) -> int:
    names = bundled_names()
    width = max((len(n) for n in names), default=0)
    for name in names:
        print(f"{name:<{width}}  {describe(bundled_dir() / f'{name}.yaml')}")
    return 0


def run_validate(args: argparse.Namespace) -> int:
    problems = check_files(args.files)
    for issue in problems:
        print(issue)
    if problems:
        return EXIT_USAGE
    for f in args.files:
        print(f"{f}: ok")
    return 0


def run_schema(args: argparse.Namespace) -> int:
    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
    return 0
