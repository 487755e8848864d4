"""``brushbench realism DATASET [--against REF]``: how close a dataset is to a real log.

``--profile LOG --out PROFILE.json`` computes a profile (summary statistics, no raw data) from
any order log in the ``eval --data`` formats, so that a marketplace can compare scenarios with
its own log without sharing it. See docs/realism.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ._choices import PRESETS, REALISM_PROFILES
from .errors import EXIT_FAILURE, UserError, user_errors, writing_file

HELP = "compare a dataset's statistics with a real log's profile"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "realism", help=HELP,
        description="Print, per statistic, the dataset's value, the reference profile's, their "
                    "ratio and a distance (KS on histograms, Wasserstein on quantiles); exit 0 "
                    "within the profile's tolerance, 1 beyond it, 2 for bad input. With "
                    "--profile LOG, compute a profile from an order log instead. See "
                    "docs/realism.md.")
    p.add_argument("dataset", nargs="?", metavar="DATASET",
                   help="dataset folder (generated or imported), or a profile JSON file")
    p.add_argument("--against", default=REALISM_PROFILES[0], metavar="REF",
                   help=f"reference: {' or '.join(REALISM_PROFILES)} (bundled) or a profile "
                        f"JSON file (default {REALISM_PROFILES[0]})")
    p.add_argument("--html", metavar="OUT.html", default=None,
                   help="also write the report with distribution plots (inline SVG)")
    p.add_argument("--json", metavar="OUT.json", default=None,
                   help="also write the comparison as JSON")
    p.add_argument("--profile", metavar="LOG", default=None,
                   help="compute the profile of an order log (CSV or Parquet, one row per "
                        "order) or a dataset folder, and write it to --out")
    p.add_argument("--columns", metavar="MAPPING", default=None,
                   help="with --profile: brushbench name = the log's column, comma-separated, "
                        f"or a preset ({', '.join(PRESETS)})")
    p.add_argument("--timezone", metavar="TZ", default=None,
                   help="with --profile: IANA time zone of the log's times without an offset "
                        "(default UTC); hours and days are read in it")
    p.add_argument("--out", metavar="PROFILE.json", default=None,
                   help="with --profile: the profile file to write")
    p.set_defaults(run=run)


def _dataset_profile(path: str) -> dict[str, Any]:
    from ..dataset import DatasetError, load
    from ..realism import ProfileError, profile_of, read_profile
    from ..userdata import is_dataset_folder

    if path.endswith(".json") and Path(path).is_file():
        with user_errors(ProfileError):
            return read_profile(path)
    if not is_dataset_folder(path):
        raise UserError(f"{path}: not a dataset folder (no manifest.json) nor a profile JSON "
                        "file; an order log is profiled with --profile LOG --out FILE")
    with user_errors(DatasetError):
        data = load(path, tables=("orders", "shipments", "refunds"))
    with user_errors(ProfileError, prefix=f"{path}: "):
        return profile_of(data, name=Path(path).name)


def _make_profile(args: argparse.Namespace) -> int:
    from ..realism import write_profile
    from ..userdata import ImportLogError, import_log, is_dataset_folder, parse_columns

    if args.out is None:
        raise UserError("--profile LOG needs --out PROFILE.json (where to write the profile)")
    if args.dataset is not None or args.html or args.json:
        raise UserError("--profile LOG makes a profile: DATASET, --html and --json do not "
                        "apply (compare with `brushbench realism DATASET --against FILE`)")
    path = Path(args.profile)
    if is_dataset_folder(path):
        if args.columns or args.timezone:
            raise UserError(f"{path} is a dataset folder: --columns and --timezone only apply "
                            "to an order log file")
        folder = path
    else:
        if path.is_dir():
            raise UserError(f"{path}: a folder without manifest.json is not a dataset; "
                            "--profile takes an order log (CSV or Parquet) or a dataset folder")
        with user_errors(ImportLogError):
            folder = import_log(path, columns=parse_columns(args.columns),
                                timezone=args.timezone or "UTC")
    profile = _dataset_profile(str(folder))
    profile["name"] = path.stem if path.is_file() else path.name
    profile["description"] = f"computed by brushbench realism --profile from {path.name}"
    with writing_file(args.out):
        write_profile(profile, args.out)
    stats = profile["statistics"]
    done = [k for k, v in stats.items() if "not_computable" not in v]
    print(f"{args.out}: {len(done)} of {len(stats)} statistics of {profile['orders']:,} orders"
          + (f" (not computable: {', '.join(k for k in stats if k not in done)})"
             if len(done) < len(stats) else ""))
    return 0


def run(args: argparse.Namespace) -> int:
    if args.profile is not None:
        return _make_profile(args)
    for option in ("columns", "timezone", "out"):
        if getattr(args, option) is not None:
            raise UserError(f"--{option} only applies with --profile LOG")
    if args.dataset is None:
        raise UserError("realism: give a dataset folder (brushbench realism DATASET) or "
                        "--profile LOG --out FILE")
    from ..realism import ProfileError, compare, read_profile
    from ..realism.html import render_html

    with user_errors(ProfileError, prefix="--against: "):
        reference = read_profile(args.against)
    profile = _dataset_profile(args.dataset)
    report = compare(profile, reference)
    if not report.rows:
        raise UserError(f"--against {args.against}: the reference holds no statistic to "
                        "compare")
    if all(row.within is None for row in report.rows):
        # exit 0 would read as "realistic" when nothing was measured
        raise UserError(f"{args.dataset}: none of the statistics of {args.against} can be "
                        f"computed on it ({report.rows[0].name}: {report.rows[0].note})")
    if args.json:
        from ..dataset._fs import write_file_atomic
        with writing_file(args.json):
            write_file_atomic(args.json, report.to_json())
    if args.html:
        from ..dataset._fs import write_file_atomic
        with writing_file(args.html):
            write_file_atomic(args.html, render_html(report, profile, reference))
    print(report.render())
    return 0 if report.passed else EXIT_FAILURE
