"""``brushbench fit LOG --out SCENARIO.yaml``: a scenario shaped like your own order log.

Reads an order log in the ``eval --data`` formats (or a dataset folder) and writes a scenario
whose legitimate traffic reproduces its profile; fraud is then added by ``extends:``. See
docs/realism.md.
"""

from __future__ import annotations

import argparse

from ._choices import PRESETS
from .errors import UserError, user_errors, writing_file

HELP = "fit a scenario to an order log (legitimate traffic shaped like it)"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "fit", help=HELP,
        description="Estimate from an order log's own columns (order, shop and buyer ids and "
                    "time; item, quantity and paid amount when present) a scenario whose "
                    "generated log matches the log's realism statistics, and write it as YAML "
                    "with a header comparing the two. Exit 0 when written, 2 for bad input. "
                    "See docs/realism.md.")
    p.add_argument("log", metavar="LOG",
                   help="order log (CSV, TSV, gzipped or Parquet; one row per order) or a "
                        "dataset folder")
    p.add_argument("--out", metavar="SCENARIO.yaml", required=True,
                   help="the scenario file to write (replaced atomically)")
    p.add_argument("--columns", metavar="MAPPING", default=None,
                   help="brushbench name = the log's column, comma-separated, or a preset "
                        f"({', '.join(PRESETS)})")
    p.add_argument("--timezone", metavar="TZ", default=None,
                   help="IANA time zone of the log's times without an offset (default UTC); "
                        "the scenario's window is in it")
    p.add_argument("--name", default=None,
                   help="the scenario's name (default: from the log's file name)")
    p.add_argument("--no-refine", action="store_true",
                   help="write the first estimate without refining it by generating (faster, "
                        "less close)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..fit import FitError, fit_log, write_fit

    if not args.out.endswith((".yaml", ".yml")):
        raise UserError(f"--out {args.out}: expected a .yaml or .yml file name")
    with user_errors(FitError):
        fit = fit_log(args.log, columns=args.columns, timezone=args.timezone, name=args.name,
                      refine_rounds=not args.no_refine)
    with writing_file(args.out):
        write_fit(fit, args.out)
    rows = [r for r in fit.comparison.rows if r.within is not None]
    ok = sum(bool(r.within) for r in rows)
    print(f"{args.out}: scenario {fit.scenario.name} fitted to {fit.source.rows:,} orders; "
          f"a log generated from it is within tolerance on {ok} of {len(rows)} statistics "
          "(the file's header lists them)")
    return 0
