"""The ``brushbench`` command: thin wrappers over the library's functions.

Each sub-command lives in its own module with ``register(subparsers)`` and ``run(args) -> int``.
A user mistake (a bad file, a missing scenario) raises :class:`UserError` or a library error the
command maps to one: it prints one line to stderr and exits non-zero, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from .._version import GENERATOR_VERSION, __version__
from . import (
    audit,
    check,
    compare,
    evaluate,
    explain,
    generate,
    grade,
    lab,
    leaderboard,
    patterns,
    rounds,
    scenarios,
)
from .errors import EXIT_USAGE, UserError, message

COMMANDS = (generate, scenarios, patterns, audit, evaluate, check, compare, leaderboard,
            lab, grade, explain, rounds)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="brushbench",
        description="Synthetic labelled order logs and a benchmark for order-brushing detectors.",
    )
    parser.add_argument("--version", action="version",
                        version=f"brushbench {__version__} (generator {GENERATOR_VERSION})")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.run(args) or 0)
    except UserError as exc:
        print(message(exc), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("brushbench: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`brushbench ... | head`): stop quietly, as Unix tools do.
        # stdout is pointed at devnull so that the interpreter's final flush does not raise.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
