"""``brushbench compare BASE.json NEW.json``: what changed, and did anything regress?

Thin: reading, comparing and rendering live in :mod:`brushbench.results.compare`. ``eval
--compare`` reuses :func:`add_gate_arguments`, :func:`gate_options` and :func:`report`.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._choices import DEFAULT_METRICS, RULE_FORM
from .errors import EXIT_USAGE, UserError, message

if TYPE_CHECKING:
    from ..results.compare import Comparison


def add_gate_arguments(p: argparse.ArgumentParser) -> None:
    """The options shared by ``compare`` and ``eval --compare``."""
    p.add_argument("--fail-if", dest="fail_if", action="append", default=[],
                   metavar="METRIC:DELTA",
                   help="fail (exit 1) when METRIC moves the bad way by more than DELTA and "
                        f"beyond noise; {RULE_FORM.replace('%', '%%')}; repeatable. Without "
                        "any, only runs that newly fail are regressions")
    p.add_argument("--metric", dest="metrics", action="append", default=[], metavar="PATH",
                   help="also compare this metric (dotted path, * allowed); repeatable. "
                        f"Always compared: {', '.join(DEFAULT_METRICS)}")
    # Parsed in gate_options, not by argparse, so a bad value is one line on stderr.
    p.add_argument("--noise-sigmas", default="2", metavar="X",
                   help="noise band = X sample standard deviations over seeds (default 2)")
    p.add_argument("--timings-across-machines", action="store_true",
                   help="judge time, memory and latency metrics even when the results were "
                        "measured on different machines (by default: 'other machine', never "
                        "a regression)")
    p.add_argument("--markdown", metavar="FILE",
                   help="also write a Markdown summary (for $GITHUB_STEP_SUMMARY)")
    p.add_argument("--junit", metavar="FILE", help="also write a JUnit XML report")


def gate_options(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments of :func:`compare_files` from the parsed options; UserError if bad."""
    from ..results.compare import CompareError, parse_fail_rule

    try:
        sigmas = float(args.noise_sigmas)
    except ValueError:
        sigmas = math.nan
    if not (math.isfinite(sigmas) and sigmas >= 0):
        raise UserError(f"--noise-sigmas must be a number >= 0, got {args.noise_sigmas!r}")
    try:
        rules = [parse_fail_rule(text) for text in args.fail_if]
    except CompareError as exc:
        raise UserError(str(exc)) from None
    return {"fail_if": rules, "metrics": list(args.metrics), "noise_sigmas": sigmas,
            "timings_across_machines": bool(args.timings_across_machines)}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare", help="compare two results files; exit 1 on a regression",
        description="Compare two results files of `brushbench eval`: per scenario and metric, "
                    "the mean over seeds, the change and whether it is beyond the spread across "
                    "seeds. Exit 0 when nothing regressed, 1 on a regression (a run that newly "
                    "fails, or a --fail-if rule broken), 2 when the files are not comparable or "
                    "the input is bad. See docs/ci.md.")
    p.add_argument("base", metavar="BASE.json", help="the reference results")
    p.add_argument("new", metavar="NEW.json", help="the results to check")
    add_gate_arguments(p)
    p.set_defaults(run=run)


def write_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    from ..dataset._fs import write_file_atomic

    path = Path(path)
    try:
        write_file_atomic(path, text)
    except OSError as exc:
        raise UserError(f"{path}: cannot write: {exc.strerror or exc}") from None
    return path


def report(comparison: Comparison, args: argparse.Namespace) -> int:
    """Print the table, write the files asked for, and return the exit code."""
    print(comparison.render_text())
    if args.markdown:
        write_atomic(args.markdown, comparison.render_markdown())
    if args.junit:
        write_atomic(args.junit, comparison.to_junit_xml())
    if not comparison.comparable:
        print(message(UserError(f"{comparison.base_label} and {comparison.new_label} are not "
                                f"comparable: {'; '.join(comparison.reasons)}")),
              file=sys.stderr)
    return comparison.exit_code


def run(args: argparse.Namespace) -> int:
    from ..results.compare import CompareError, compare_files
    from ..results.model import ResultsError

    options = gate_options(args)
    try:
        comparison = compare_files(args.base, args.new, **options)
    except (ResultsError, CompareError) as exc:
        raise UserError(str(exc), EXIT_USAGE) from None
    return report(comparison, args)
