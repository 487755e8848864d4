"""``brushbench audit DIR``: does anything but behaviour tell brushing orders apart?

``--probes`` picks the leak probes (formats, ids, nulls, row order; the default), the artefact
probes (event order, constant delays, default categories, account attributes) or both. The
artefact probes are not the default: a naive ring trips them by its behaviour (fresh accounts,
one shared phone, refunds within hours), while careful scenarios pass them;
``--shortcut-with OTHER`` adds the shortcut probe, a model trained on OTHER (another seed).
"""

from __future__ import annotations

import argparse
from typing import Any

from .errors import EXIT_FAILURE, UserError, user_errors
from .progress import ProgressBar


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def _permutations(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 2:
        raise argparse.ArgumentTypeError(f"must be >= 2, got {text}")
    return value


def _sample_size(text: str) -> int:
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "audit", help="check a labelled dataset for leaks",
        description="Check a dataset with its answer key for leaks: ids, formats, precision, "
                    "null patterns, row order or categories that tell brushing orders from "
                    "legitimate ones, and generator artefacts (event order, constant delays, "
                    "default categories, account attributes). Exit 0 when nothing leaks, 1 "
                    "when something does, 2 when the dataset cannot be audited. See "
                    "docs/audit.md.")
    p.add_argument("dataset", nargs="?", metavar="DIR", help="dataset folder (with labels)")
    p.add_argument("--json", action="store_true", help="print the full report as JSON")
    p.add_argument("--threshold", type=_non_negative, default=5.0, metavar="SIGMAS",
                   help="standard deviations of the permutation null above chance that make "
                        "a leak (default 5)")
    p.add_argument("--min-margin", type=_non_negative, default=0.02, metavar="AP",
                   help="smallest AP above chance that makes a leak (default 0.02)")
    p.add_argument("--top-hits", type=_non_negative, default=3.0, metavar="N",
                   help="the margin is at least N / positives (default 3)")
    p.add_argument("--permutations", type=_permutations, default=20, metavar="N",
                   help="label permutations per comparison (default 20)")
    p.add_argument("--seed", type=int, default=0, help="seed of the permutations (default 0)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="threads (default: CPUs, at most 4); the report does not depend on it")
    p.add_argument("--all", dest="show_all", action="store_true",
                   help="list every finding, not only the leaks and the closest passes")
    p.add_argument("--probes", choices=("leaks", "artefacts", "all"), default="leaks",
                   help="which probes: the leak probes (default), the artefact probes "
                        "(generator shortcuts in event order, delays, defaults, accounts) or "
                        "both")
    p.add_argument("--shortcut-with", metavar="OTHER", default=None,
                   help="also train the shortcut model (scikit-learn) on OTHER, another seed of "
                        "the same scenario with its labels, and score DIR with it")
    p.add_argument("--shortcut-max-ap", type=_non_negative, default=0.5, metavar="AP",
                   help="the shortcut model's AP on a pattern above which it fails "
                        "(default 0.5)")
    p.add_argument("--sample-orders", type=_sample_size, default=None, metavar="N",
                   help="audit a sample of about N orders when the log has more: every order "
                        "of a share of the buyers, chosen by a keyed hash of buyer_id "
                        "(default 500,000; 0 reads every order). The report states it")
    p.add_argument("--list-probes", action="store_true",
                   help="print what is probed and why, and exit")
    p.set_defaults(run=run)


def _selected(which: str) -> tuple[Any, dict[tuple[str, str], str]]:
    from ..audit import ARTEFACT_PROBES, PROBES
    from ..audit.engine import exemptions
    probes = {"leaks": PROBES, "artefacts": ARTEFACT_PROBES,
              "all": PROBES + ARTEFACT_PROBES}[which]
    keys = {p.key for p in probes}
    return probes, {k: v for k, v in exemptions().items() if k[0] in keys}


def run(args: argparse.Namespace) -> int:
    from ..audit import AuditError, audit_dataset, describe_probes
    from ..audit.sampling import DEFAULT_MAX_ORDERS, read_for_audit
    from ..dataset import DatasetError

    probes, exempt = _selected(args.probes)
    if args.list_probes:
        print(describe_probes(probes, exempt))
        return 0
    if args.dataset is None:
        raise UserError("audit: give the dataset folder (brushbench audit DIR)")
    if args.workers is not None and args.workers < 1:
        raise UserError(f"--workers must be >= 1, got {args.workers}")
    max_orders = DEFAULT_MAX_ORDERS if args.sample_orders is None else args.sample_orders
    reading = ProgressBar(label="audit: reading", unit="rows")
    try:
        with user_errors(DatasetError):
            data, sample = read_for_audit(args.dataset, max_orders=max_orders, seed=args.seed,
                                          progress=reading.update)
        other = None
        if args.shortcut_with is not None:
            reading.finish()
            reading = ProgressBar(label="audit: reading --shortcut-with", unit="rows")
            with user_errors(DatasetError, prefix="--shortcut-with: "):
                other, _ = read_for_audit(args.shortcut_with, max_orders=max_orders,
                                          seed=args.seed, progress=reading.update)
    finally:
        reading.finish()
    if other is not None:
        if not other.has_answer_key:
            raise UserError(f"--shortcut-with {args.shortcut_with}: the dataset has no answer "
                            "key (labels): the shortcut model learns from it")
    bar = ProgressBar(label="audit", unit="probes")
    try:
        with user_errors(AuditError, prefix=f"{args.dataset}: "):
            report = audit_dataset(data, sigmas=args.threshold, min_margin=args.min_margin,
                                   top_hits=args.top_hits, permutations=args.permutations,
                                   seed=args.seed, workers=args.workers, progress=bar.update,
                                   probes=probes, shortcut_with=other,
                                   shortcut_max_ap=args.shortcut_max_ap, sample=sample)
    finally:
        bar.finish()
    if args.json:
        print(report.to_json())
    else:
        print(report.render(top=None if args.show_all else 10))
    return 0 if report.passed else EXIT_FAILURE
