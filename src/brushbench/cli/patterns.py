"""``brushbench patterns``: the registered fraud patterns, one line each."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("patterns", help="list the fraud patterns a scenario can inject",
                       description="List the fraud patterns a scenario's `fraud:` entries can "
                                   "name, built-in and installed (the `brushbench.patterns` "
                                   "entry points), with one line on each. docs/patterns.md "
                                   "has their parameters.")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from .. import patterns
    from ..patterns.docs import summary

    names = patterns.names()
    width = max((len(n) for n in names), default=0)
    for name in names:
        print(f"{name:<{width}}  {summary(name)}")
    return 0
