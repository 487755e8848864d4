"""The ``brushbench`` command: thin wrappers over the library's functions.

Each sub-command lives in its own module with ``register(subparsers)`` and ``run(args) -> int``.
A user mistake (a bad file, a missing scenario) raises :class:`UserError` or a library error the
command maps to one: it prints one line to stderr and exits non-zero, never a traceback.

Start-up is cheap: :data:`COMMANDS` names each sub-command's module without importing it, and
only the module of the sub-command asked for is imported (``brushbench --help`` and
``--version`` import none). A command module imports the library (pandas, the generator...)
inside its ``run``, so that ``brushbench SUB --help`` stays fast too.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from .._version import GENERATOR_VERSION, __version__
from .errors import EXIT_USAGE, UserError, message

#: Every sub-command: its name, the module (in this package) that registers it, and the one
#: line ``brushbench --help`` shows. The module's ``register`` gives the same line.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("generate", "generate", "generate a dataset from a scenario"),
    ("scenarios", "scenarios", "list the bundled scenarios"),
    ("validate", "scenarios", "check scenario files; one line per problem"),
    ("schema", "scenarios", "print the JSON Schema of scenario files"),
    ("patterns", "patterns", "list the fraud patterns a scenario can inject"),
    ("audit", "audit", "check a labelled dataset for leaks"),
    ("realism", "realism", "compare a dataset's statistics with a real log's profile"),
    ("fit", "fit", "fit a scenario to an order log (legitimate traffic shaped like it)"),
    ("eval", "evaluate", "evaluate detectors on a suite of scenarios"),
    ("attack", "attack", "search for the paying campaigns a detector misses"),
    ("check", "check", "check a detector on a tiny dataset in seconds"),
    ("compare", "compare", "compare two results files; exit 1 on a regression"),
    ("leaderboard", "leaderboard", "build the leaderboard from results files"),
    ("lab", "lab", "teaching labs: exercise datasets, keys and a handout"),
    ("grade", "grade", "grade submissions against their answer keys"),
    ("explain", "explain", "why an order is or is not brushing: its traces in the log"),
    ("round", "rounds", "hidden-seed rounds: new, eval, reveal, verify"),
)


def _command_of(argv: Sequence[str]) -> str | None:
    """The sub-command ``argv`` asks for: its first argument that is not an option."""
    for arg in argv:
        if arg == "--":
            return None
        if not arg.startswith("-"):
            return arg
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with ``argv``, only the sub-command it names is registered in full (the
    others are listed by name and help line, their modules not imported). Without ``argv``
    every sub-command is registered."""
    parser = argparse.ArgumentParser(
        prog="brushbench",
        description="Synthetic labelled order logs and a benchmark for order-brushing detectors.",
    )
    parser.add_argument("--version", action="version",
                        version=f"brushbench {__version__} (generator {GENERATOR_VERSION})")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = _command_of(argv) if argv is not None else None
    full = {module for name, module, _ in COMMANDS if argv is None or name == wanted}
    registered: set[str] = set()
    for name, module, help_line in COMMANDS:
        if module in full:
            if module not in registered:
                importlib.import_module(f".{module}", __name__).register(sub)
                registered.add(module)
        else:
            sub.add_parser(name, help=help_line, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
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
