"""``brushbench grade SUBMISSION... --key KEYDIR``: grade students' answers against their keys."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._choices import FORMS
from .errors import EXIT_USAGE, UserError, user_errors
from .errors import message as error_message

if TYPE_CHECKING:
    from ..teaching.keys import AnswerKey


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "grade", help="grade submissions against their answer keys",
        description="Grade a CSV of flagged orders (order_id), of order scores (order_id,score) "
                    "or of shops and buyers (shopid,userid, the Shopee 2020 format) against its "
                    "answer key: one score in [0, 1], recall per pattern, the campaigns missed "
                    "and the false alarms per kind of legitimate traffic. Exit 0 when every "
                    "submission was graded, 2 when one could not be (the message names the "
                    "file and line). See docs/teaching.md.")
    p.add_argument("submissions", nargs="+", metavar="SUBMISSION", help="the students' files")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--key", metavar="KEYDIR",
                       help="a key folder, or a lab (NAME or NAME/key): each submission is then "
                            "graded against the key of the student it is named after "
                            "(s07.csv: student s07), or of --student; or a labels file (order, "
                            "shop or buyer level, or the SCL 2020 shopid,userid answer) about "
                            "the order log given with --data")
    where.add_argument("--check", metavar="DATASET",
                       help="only check that the file can be graded, against the dataset "
                            "handed out (no key needed: for students)")
    p.add_argument("--student", metavar="ID", help="with a lab's --key: the student's id")
    p.add_argument("--data", metavar="DATASET",
                   help="also check that the key belongs to this dataset (the one handed out); "
                        "with a labels file as --key: the order log (CSV or Parquet) it is about")
    real = p.add_argument_group("a labels file as --key (a real log's answer)")
    real.add_argument("--columns", metavar="MAPPING", default=None,
                      help="column mapping of the log and the labels: scl2020, or "
                           "order_id=orderid,shop_id=shopid,... (as eval --data)")
    real.add_argument("--label-level", choices=("order", "buyer", "shop"), default=None,
                      help="which labels to read (default: what the file's columns say)")
    real.add_argument("--timezone", metavar="TZ", default=None,
                      help="IANA zone of the log's times written without an offset (default UTC)")
    p.add_argument("--as", dest="form", choices=FORMS, default=None,
                   help="read the submission as this form instead of telling it from its "
                        "header (e.g. scores for an order_id,score file that leaves orders out)")
    p.add_argument("--json", action="store_true",
                   help="print a JSON object (one submission; {\"submission\", \"error\"} "
                        "when it cannot be graded) or {\"grades\": [...], \"errors\": [...]} "
                        "(several; {\"submissions\", \"error\"} when none could be "
                        "tried), for autograders")
    p.set_defaults(run=run)


def _check(args: argparse.Namespace) -> int:
    from ..dataset import DatasetError, load
    from ..teaching.submission import SubmissionError, read_submission

    with user_errors(DatasetError):
        orders = load(args.check, verify=False).orders[["order_id", "shop_id", "buyer_id"]]
    failed = False
    for path in args.submissions:
        try:
            sub = read_submission(path, orders, form=args.form)
        except SubmissionError as exc:
            print(exc, file=sys.stderr)
            failed = True
            continue
        print(f"{path}: ok, read as {sub.describe()}")
    return EXIT_USAGE if failed else 0


def _labels_key(args: argparse.Namespace) -> AnswerKey:
    """The key of ``--key FILE``: a labels file about the order log ``--data``."""
    from ..teaching.keys import key_from_labels

    if args.data is None:
        raise UserError(f"--key {args.key} is a labels file: give the order log it is about "
                        "with --data LOG (CSV or Parquet)")
    if Path(args.data).is_dir():
        raise UserError(f"--data {args.data}: with a labels file as --key, --data is the order "
                        "log the labels are about (a CSV or Parquet file), not a folder")
    return key_from_labels(args.data, args.key, columns=args.columns,
                           label_level=args.label_level, timezone=args.timezone or "UTC")


def _key(args: argparse.Namespace, path: str, cache: dict[Path, AnswerKey]) -> AnswerKey:
    if Path(args.key).is_file():
        if Path(args.key) not in cache:
            cache[Path(args.key)] = _labels_key(args)
        return cache[Path(args.key)]
    options = [f"--{n.replace('_', '-')}" for n in ("columns", "label_level", "timezone")
               if getattr(args, n) is not None]
    if options and not Path(args.key).exists():
        raise UserError(f"--key {args.key}: no such labels file")
    if options:
        raise UserError(f"{', '.join(options)} only apply with a labels file as --key")
    from ..teaching.keys import check_pair, load_key
    from ..teaching.lab import resolve_key

    folder = resolve_key(args.key, student=args.student, submission=path)
    if folder not in cache:
        key = load_key(folder)
        if args.data is not None:
            check_pair(args.data, key)
        cache[folder] = key
    return cache[folder]


def _grade_one(args: argparse.Namespace, path: str, cache: dict[Path, AnswerKey]
               ) -> dict[str, Any]:
    """The grade of one submission; :class:`UserError` with a one-line reason when it cannot
    be graded, whatever went wrong (the other submissions of a batch are graded all the same).
    """
    try:
        return _grade(args, path, cache)
    except (UserError, KeyboardInterrupt, MemoryError):
        raise
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except Exception as exc:  # a submission must not stop the batch; say what it was
        raise UserError(f"{path}: cannot be graded: {type(exc).__name__}: {exc}") from None


def _grade(args: argparse.Namespace, path: str, cache: dict[Path, AnswerKey]
           ) -> dict[str, Any]:
    from ..teaching.grading import grade
    from ..teaching.keys import AnswerKeyError
    from ..teaching.lab import LabError
    from ..teaching.submission import SubmissionError, read_submission

    # A submission's own mistakes are located (file:line); SubmissionError is a ValueError,
    # so it is mapped first, by the inner manager.
    with user_errors(AnswerKeyError, LabError, ValueError), \
            user_errors(SubmissionError, located=True):
        key = _key(args, path, cache)
        sub = read_submission(path, key.order_index, form=args.form)
        return grade(sub, key, student=key.manifest.get("student") or args.student)


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except UserError as exc:
        if args.json and not getattr(exc, "printed", False):
            # An autograder reads stdout: it never finds it empty.
            print(json.dumps({"submissions": args.submissions, "error": str(exc)}, indent=2,
                             ensure_ascii=False))
        raise


def _run(args: argparse.Namespace) -> int:
    from ..teaching.render import render_grade

    if args.check is not None:
        return _check(args)
    if args.student is not None and len(args.submissions) > 1:
        raise UserError("--student names one student: grade one submission with it")
    cache: dict[Path, AnswerKey] = {}
    if len(args.submissions) == 1:
        try:
            result = _grade_one(args, args.submissions[0], cache)
        except UserError as exc:
            if args.json:  # an autograder reads stdout: say why there is no grade there too
                print(json.dumps({"submission": args.submissions[0], "error": str(exc)},
                                 indent=2, ensure_ascii=False))
                exc.printed = True  # type: ignore[attr-defined]
            raise
        print(json.dumps(result, indent=2, ensure_ascii=False) if args.json
              else render_grade(result))
        return 0
    grades, errors = [], []
    for path in args.submissions:
        try:
            grades.append(_grade_one(args, path, cache))
        except UserError as exc:
            message = str(exc)
            errors.append({"submission": path, "error": message})
            if not args.json:
                print(error_message(exc), file=sys.stderr)
            continue
        if not args.json:
            print(render_grade(grades[-1]) + "\n")
    if args.json:
        print(json.dumps({"grades": grades, "errors": errors}, indent=2, ensure_ascii=False))
    else:
        width = max(len(g["submission"]) for g in grades) if grades else 10
        print(f"{'submission':<{width}}  {'student':<10} {'form':<8} {'score':>6}")
        for g in grades:
            print(f"{g['submission']:<{width}}  {g.get('student') or '-':<10} {g['form']:<8} "
                  f"{g['score']:>6.3f}")
        if errors:
            print(f"{len(errors)} submission(s) could not be graded (see above)")
    return EXIT_USAGE if errors else 0
