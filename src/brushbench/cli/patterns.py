"""``brushbench patterns``: the registered fraud patterns, one line each."""

from __future__ import annotations

import argparse

from .. import patterns
from ..patterns.docs import summary


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("patterns", help="list the fraud patterns a scenario can inject")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    names = patterns.names()
    width = max((len(n) for n in names), default=0)
    for name in names:
        print(f"{name:<{width}}  {summary(name)}")
    return 0
