"""``brushbench leaderboard build``: README.md and index.html from the committed results.

Thin: loading, ranking and rendering live in :mod:`brushbench.leaderboard`.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ._choices import ENTRIES_FILE
from .errors import EXIT_FAILURE, user_errors, writing_file

if TYPE_CHECKING:
    from ..leaderboard.entries import Leaderboard

DEFAULT_RESULTS = "leaderboard/results"
DEFAULT_OUT = "leaderboard"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "leaderboard", help="build the leaderboard from results files",
        description="The leaderboard of comparable results files (same suite, scenario hashes, "
                    "seeds and generator version). See leaderboard/SUBMITTING.md.")
    commands = p.add_subparsers(dest="leaderboard_command", metavar="COMMAND", required=True)
    b = commands.add_parser(
        "build", help="write README.md (and index.html, with matplotlib) from the results",
        description="Rank the results files of --results (one <name>.json per detector, as "
                    f"`brushbench eval --out` writes them; {ENTRIES_FILE} there says which "
                    "are verified) and write --out/README.md and --out/index.html (PR curves "
                    "and a heatmap, embedded: readable offline; needs matplotlib). Files that "
                    "are not comparable with the others are listed, not ranked, and the exit "
                    "code is 1. Exit 2 for bad input.")
    b.add_argument("--results", default=DEFAULT_RESULTS, metavar="DIR",
                   help=f"folder of results files (default: {DEFAULT_RESULTS})")
    b.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                   help=f"where README.md and index.html go (default: {DEFAULT_OUT})")
    b.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..leaderboard import LeaderboardError, load_leaderboard, plots, write_board

    with user_errors(LeaderboardError, located=_about_entries):
        board = load_leaderboard(args.results)
    with writing_file(args.out):
        written = write_board(board, args.out)
    print(f"leaderboard: {len(board.entries)} entries on suite {board.suite_name} "
          f"({board.suite_hash[:12]}, generator {board.generator_version})")
    for path in written:
        print(f"wrote {path}")
    if not plots.available():
        print(f"index.html not built: the HTML page needs matplotlib ({plots.INSTALL_HINT})",
              file=sys.stderr)
    note = _stale_suite(board)
    if note:
        print(note, file=sys.stderr)
    for r in board.refused:
        print(f"not ranked: {r.file}: {' '.join(r.reason.split())}", file=sys.stderr)
    return EXIT_FAILURE if board.refused else 0


def _about_entries(message: str) -> bool:
    """A message located in the entries file (``.../entries.yaml:LINE: ...``)."""
    return message.split(":", 1)[0].endswith(ENTRIES_FILE) and ":" in message


def _stale_suite(board: Leaderboard) -> str | None:
    """A note when the results are for an older version of a bundled suite or generator."""
    from .._version import GENERATOR_VERSION
    from ..harness.suites import SuiteError, load_suite, suite_names

    if board.generator_version != str(GENERATOR_VERSION):
        return (f"note: the results were made with generator version "
                f"{board.generator_version}, this brushbench has {GENERATOR_VERSION}: re-run "
                "the entries to rank them on today's data")
    if board.suite_name not in suite_names():
        return None
    try:
        current = load_suite(board.suite_name).hash
    except SuiteError:
        return None
    if current != board.suite_hash:
        return (f"note: the bundled suite {board.suite_name} has changed since these results "
                f"were made ({board.suite_hash[:12]} -> {current[:12]}): re-run the entries to "
                "rank them on today's suite")
    return None
