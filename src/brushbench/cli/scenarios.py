"""``brushbench scenarios``, ``validate`` and ``schema``: the scenario language, from a shell."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from .errors import EXIT_USAGE, UserError

if TYPE_CHECKING:
    from ..scenario.model import Scenario


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scenarios", help="list the bundled scenarios",
                       description="List the scenarios bundled with brushbench, one line each: "
                                   "its name and what it simulates. Give a name to `brushbench "
                                   "generate` or `brushbench eval --scenario`; `brushbench "
                                   "validate` checks your own scenario files.")
    p.set_defaults(run=run_list)
    p = sub.add_parser("validate", help="check scenario files; one line per problem",
                       description="Exit 0 when every file is valid, 2 otherwise.")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(run=run_validate)
    p = sub.add_parser("schema", help="print the JSON Schema of scenario files",
                       description="Print the JSON Schema of scenario files (YAML) on stdout, "
                                   "for an editor's completion and checks, e.g. `brushbench "
                                   "schema > scenario.schema.json`.")
    p.set_defaults(run=run_schema)


def load_or_fail(name_or_path: str) -> Scenario:
    """The scenario, or a :class:`UserError` with every located problem."""
    from ..scenario import ScenarioError, load_scenario
    from ..scenario.bundled import resolve

    try:
        return load_scenario(resolve(name_or_path))
    except FileNotFoundError as exc:
        raise UserError(str(exc).strip("'\"")) from None
    except ScenarioError as exc:
        raise UserError(str(exc), located=True) from None


def run_list(args: argparse.Namespace) -> int:
    from ..scenario.bundled import bundled_dir, bundled_names, describe

    names = bundled_names()
    width = max((len(n) for n in names), default=0)
    for name in names:
        print(f"{name:<{width}}  {describe(bundled_dir() / f'{name}.yaml')}")
    return 0


def run_validate(args: argparse.Namespace) -> int:
    from ..scenario import check_files
    from ..scenario.errors import cap_lines

    problems = check_files(args.files)
    for line in cap_lines(str(issue) for issue in problems):
        print(line)
    if problems:
        return EXIT_USAGE
    for f in args.files:
        print(f"{f}: ok")
    return 0


def run_schema(args: argparse.Namespace) -> int:
    from ..scenario import json_schema

    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
    return 0
